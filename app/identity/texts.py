"""German user-facing texts of the identity pages that are chosen in code."""

from __future__ import annotations

LOGIN_FAILED_TITLE = "Anmeldung fehlgeschlagen"

LOGIN_FAILED: dict[str, str] = {
    "state": (
        "Die Rückmeldung des Anmeldedienstes passt zu keiner begonnenen Anmeldung. "
        "Bitte starten Sie die Anmeldung erneut."
    ),
    "provider_error": "Der Anmeldedienst hat die Anmeldung abgebrochen oder abgelehnt.",
    "code": "Der Anmeldedienst hat keinen Anmeldecode übermittelt.",
    "token": "Der Anmeldedienst hat den Anmeldecode nicht bestätigt.",
    "signature": "Die Identitätsbestätigung ist nicht gültig signiert.",
    "issuer": "Die Identitätsbestätigung stammt nicht vom gewählten Anmeldedienst.",
    "audience": "Die Identitätsbestätigung ist nicht für dieses Portal ausgestellt.",
    "expired": "Die Identitätsbestätigung ist abgelaufen.",
    "nonce": "Die Identitätsbestätigung gehört nicht zu dieser Anmeldung.",
    "claims": "Die Identitätsbestätigung ist unvollständig.",
}

PROVIDER_UNAVAILABLE_TITLE = "Anmeldedienst nicht erreichbar"
PROVIDER_UNAVAILABLE = (
    "Der Anmeldedienst antwortet gerade nicht. Bitte versuchen Sie es in einigen Minuten erneut."
)

UNKNOWN_PROVIDER_TITLE = "Anmeldedienst unbekannt"
UNKNOWN_PROVIDER = "Diesen Anmeldedienst gibt es hier nicht."

DEV_IDP_REFUSED_TITLE = "Anmeldeanfrage abgelehnt"
DEV_IDP_REFUSED: dict[str, str] = {
    "client": "Die anfragende Anwendung ist nicht registriert.",
    "redirect_uri": "Die Rücksprungadresse ist für diese Anwendung nicht registriert.",
    "persona": "Diese Demo-Person gibt es nicht.",
    "id_token_hint": "Die Abmeldeanfrage nennt keine gültige Anmeldung bei diesem Dienst.",
    "post_logout_redirect_uri": (
        "Die Rücksprungadresse nach der Abmeldung ist für diese Anwendung nicht registriert."
    ),
}

DEV_IDP_LOGGED_OUT_TITLE = "Abgemeldet"
DEV_IDP_LOGGED_OUT = "Sie sind beim Entwicklungs-Anmeldedienst abgemeldet."
