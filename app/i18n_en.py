"""English translations of the German UI text (German source string -> English)."""

EN: dict[str, str] = {
    "Meine Anträge": "My applications",
    "Verwaltung": "Administration",
    "Posteingang": "Inbox",
    "Anmelden": "Log in",
    "Abmelden": "Log out",
    "Nachricht": "Message",
    "Ihre Nachricht": "Your message",
    "Senden": "Send",
    "Antwort senden": "Send reply",
    "Gelesen": "Read",
    "Gelesen am": "Read on",
    "Noch nicht gelesen": "Not read yet",
    "Neu": "New",
    "neu": "new",
    "Aktenzeichen": "Case reference",
    "Behörde": "Authority",
    "Antragsteller": "Applicant",
    "Antragstellerin oder Antragsteller": "Applicant",
    "Letzte Aktivität": "Last activity",
    "Status": "Status",
    "offen": "open",
    "geschlossen": "closed",
    "Verlauf": "Conversation",
    "Sie": "You",
    "Seite nicht gefunden": "Page not found",
    "Diese Seite gibt es nicht, oder Sie haben keinen Zugriff darauf.": (
        "This page does not exist, or you have no access to it."
    ),
    "Zur Startseite": "To the start page",
    "Ein Fehler ist aufgetreten": "An error occurred",
    "Bitte versuchen Sie es später noch einmal.": "Please try again later.",
    "Bitte geben Sie eine Nachricht ein.": "Please enter a message.",
    "Die Nachricht ist zu lang (höchstens %(n)s Zeichen).": (
        "The message is too long (at most %(n)s characters)."
    ),
    "Die Nachricht enthält unzulässige Zeichen.": "The message contains invalid characters.",
    "Dieser Antragsraum ist geschlossen. Sie können ihn lesen, aber nicht mehr schreiben.": (
        "This application room is closed. You can read it but no longer write."
    ),
    "Höheres Vertrauensniveau erforderlich": "Higher level of assurance required",
    "Für diesen Antragsraum ist eine Anmeldung mit dem Vertrauensniveau „%(level)s“ nötig.": (
        "This application room requires a login with the level of assurance “%(level)s”."
    ),
    "Sie haben noch keine Anträge.": "You have no applications yet.",
    "Im Posteingang liegen keine Antragsräume.": "There are no application rooms in the inbox.",
    "ungelesene Nachricht": "unread message",
    "ungelesene Nachrichten": "unread messages",
    "Antragsräume Ihrer Behörde": "Application rooms of your authority",
    "Ihre Nachricht wurde gesendet.": "Your message has been sent.",
    "Neue Nachrichten erscheinen hier automatisch.": "New messages appear here automatically.",
    "Seite neu laden, um neue Nachrichten zu sehen.": "Reload the page to see new messages.",
    "Willkommen im Antragsraum": "Welcome to Antragsraum",
    "Hier beantworten Sie Rückfragen Ihrer Behörde zu Ihrem Antrag – sicher und nachvollziehbar.": (
        "Answer your authority's questions about your application here – securely and traceably."
    ),
    "Noch keine Nachrichten.": "No messages yet.",
    "normal": "normal",
    "substanziell": "substantial",
    "hoch": "high",
    "Sprache": "Language",
    "Antrag": "Application",
    "Zum Antragsraum": "Open the application room",
    "Zum Inhalt springen": "Skip to content",
    "Hauptnavigation": "Main navigation",
    "Angemeldet als": "Logged in as",
    "optional": "optional",
    "Fehler": "Error",
    # macros (_macros.html: the example error summary title)
    "Bitte prüfen Sie Ihre Angaben": "Please check your entries",
    # identity pages (templates/identity/)
    "Abbrechen": "Cancel",
    "Entwicklungs-Anmeldung": "Development login",
    "Entwicklungs-Anmeldung (Demo-Personen)": "Development login (demo personas)",
    "Nur für Entwicklung und Vorführung: Wählen Sie eine Demo-Person.": (
        "For development and demonstrations only: choose a demo persona."
    ),
    "Vertrauensniveau reicht für diese Anmeldung nicht aus.": (
        "The level of assurance is not sufficient for this login."
    ),
    "mit Online-Ausweis bestätigen (simuliert)": "confirm with online ID card (simulated)",
    "Simulation für Entwicklung und Vorführung: Es findet keine echte Ausweisprüfung statt.": (
        "Simulation for development and demonstration: no real ID card check takes place."
    ),
    "Sie sind angemeldet als": "You are logged in as",
    "Wählen Sie, womit Sie sich anmelden möchten.": "Choose how you want to log in.",
    "Es ist kein Anmeldedienst eingerichtet.": "No login service is set up.",
    "Zur Anmeldung": "To the login",
    # demo personas of the development identity provider (app/identity/personas.py)
    "Bürgerin mit BundID (substanziell)": "Citizen with BundID (substantial)",
    "Bürger mit Benutzername und Passwort (normal)": "Citizen with user name and password (normal)",
    "Mitarbeiter der Beispiel GmbH mit Mein Unternehmenskonto (substanziell)": (
        "Employee of Beispiel GmbH with Mein Unternehmenskonto (substantial)"
    ),
    "Sachbearbeiterin der Demo-Stadt (substanziell)": "Caseworker of Demo-Stadt (substantial)",
    "Sachbearbeiter des Demo-Kreises (substanziell)": "Caseworker of Demo-Kreis (substantial)",
    "Administratorin der Demo-Stadt, ohne Sachbearbeitung (substanziell)": (
        "Administrator of Demo-Stadt, no casework (substantial)"
    ),
    # identity error pages (app/identity/texts.py)
    "Anmeldung fehlgeschlagen": "Login failed",
    "Die Rückmeldung des Anmeldedienstes passt zu keiner begonnenen Anmeldung. "
    "Bitte starten Sie die Anmeldung erneut.": (
        "The login service's response does not match any login in progress. "
        "Please start the login again."
    ),
    "Der Anmeldedienst hat die Anmeldung abgebrochen oder abgelehnt.": (
        "The login service cancelled or refused the login."
    ),
    "Der Anmeldedienst hat keinen Anmeldecode übermittelt.": (
        "The login service did not send a login code."
    ),
    "Der Anmeldedienst hat den Anmeldecode nicht bestätigt.": (
        "The login service did not confirm the login code."
    ),
    "Die Identitätsbestätigung ist nicht gültig signiert.": (
        "The identity confirmation does not carry a valid signature."
    ),
    "Die Identitätsbestätigung stammt nicht vom gewählten Anmeldedienst.": (
        "The identity confirmation does not come from the chosen login service."
    ),
    "Die Identitätsbestätigung ist nicht für dieses Portal ausgestellt.": (
        "The identity confirmation was not issued for this portal."
    ),
    "Die Identitätsbestätigung ist abgelaufen.": "The identity confirmation has expired.",
    "Die Identitätsbestätigung gehört nicht zu dieser Anmeldung.": (
        "The identity confirmation does not belong to this login."
    ),
    "Die Identitätsbestätigung ist unvollständig.": "The identity confirmation is incomplete.",
    "Anmeldedienst nicht erreichbar": "Login service unavailable",
    "Der Anmeldedienst antwortet gerade nicht. Bitte versuchen Sie es in einigen Minuten erneut.": (
        "The login service is not responding. Please try again in a few minutes."
    ),
    "Anmeldedienst unbekannt": "Unknown login service",
    "Diesen Anmeldedienst gibt es hier nicht.": "This login service does not exist here.",
    "Anmeldeanfrage abgelehnt": "Login request refused",
    "Die anfragende Anwendung ist nicht registriert.": (
        "The requesting application is not registered."
    ),
    "Die Rücksprungadresse ist für diese Anwendung nicht registriert.": (
        "The redirect address is not registered for this application."
    ),
    "Diese Demo-Person gibt es nicht.": "This demo persona does not exist.",
    (
        "Ihre Behörde schützt diesen Antrag besonders. Melden Sie sich bitte noch einmal an, "
        "zum Beispiel mit der Online-Ausweisfunktion Ihres Personalausweises."
    ): (
        "Your authority protects this application specially. Please log in again, for "
        "example with the online ID function of your identity card."
    ),
    "Erneut anmelden": "Log in again",
    "Zugriff nur aus dem Netz Ihrer Behörde": "Access only from your authority's network",
    (
        "Mitarbeitende einer Behörde können Antragsräume nur aus den Netzen ihrer Behörde "
        "öffnen. Bitte wenden Sie sich an die Administration Ihrer Behörde."
    ): (
        "Staff of an authority can open application rooms only from their authority's "
        "networks. Please contact your authority's administrators."
    ),
    "Die Abmeldeanfrage nennt keine gültige Anmeldung bei diesem Dienst.": (
        "The logout request does not name a valid login at this service."
    ),
    "Die Rücksprungadresse nach der Abmeldung ist für diese Anwendung nicht registriert.": (
        "The return address after logout is not registered for this application."
    ),
    "Abgemeldet": "Logged out",
    "Sie sind beim Entwicklungs-Anmeldedienst abgemeldet.": (
        "You are logged out of the development login service."
    ),
    "für": "for",
    "Beteiligte": "Participants",
    "Vertretung": "Representative",
    "Sachbearbeitung": "Caseworker",
    "Vertretung entfernen": "Remove representative",
    "Entfernen": "Remove",
    "Vertretung einladen (z. B. Steuerberatung)": "Invite a representative (e.g. a tax advisor)",
    "Einladungscode erstellen": "Create invitation code",
    "Einladungscode": "Invitation code",
    (
        "Geben Sie diesen Code an die Person weiter, die Sie vertreten soll. "
        "Er gilt einmal und bis zum %(date)s."
    ): ("Give this code to the person who is to represent you. It works once and until %(date)s."),
    "Oder senden Sie diesen Link:": "Or send this link:",
    "Der Code wird nur jetzt angezeigt.": "The code is shown only now.",
    "Zurück zum Antragsraum": "Back to the application room",
    "Einladung annehmen": "Accept the invitation",
    (
        "Mit dem Code werden Sie als Vertretung in den Antragsraum aufgenommen. "
        "Ihr Konto wird dabei an die Einladung gebunden."
    ): (
        "The code adds you to the application room as a representative. "
        "Your account is bound to the invitation."
    ),
    "Dieser Code ist unbekannt, schon benutzt oder abgelaufen.": (
        "This code is unknown, already used or expired."
    ),
    "Ablehnen": "Reject",
    "Anfordern": "Request",
    "Annehmen": "Accept",
    "Bitte füllen Sie dieses Feld aus.": "Please fill in this field.",
    "Bitte wählen Sie eine Frist in den nächsten zwölf Monaten.": (
        "Please choose a deadline within the next twelve months."
    ),
    "Erläuterung": "Explanation",
    "Frist": "Deadline",
    "Grund": "Reason",
    "Grund der Ablehnung": "Reason for rejection",
    "Mit „(optional)“ am Zeilenende ist eine Unterlage freiwillig.": (
        "A line ending in “(optional)” makes a document voluntary."
    ),
    "Unterlagen anfordern": "Request documents",
    "Unterlagen, eine pro Zeile": "Documents, one per line",
    "abgelehnt": "rejected",
    "angenommen": "accepted",
    "eingereicht": "submitted",
    "gesperrt: Schadsoftware gefunden": "blocked: malware found",
    "noch %(num)s Tag": "%(num)s day left",
    "noch %(num)s Tage": "%(num)s days left",
    "vollständig": "complete",
    "wird geprüft": "being checked",
    "überfällig": "overdue",
    "Die Datei wird noch geprüft": "The file is still being checked",
    (
        "Jede Datei wird auf Schadsoftware geprüft, bevor jemand sie öffnen kann. "
        "Bitte versuchen Sie es gleich noch einmal."
    ): "Every file is checked for malware before anyone can open it. Please try again shortly.",
    "Datei für „%(label)s“ hochladen": "Upload a file for “%(label)s”",
    "Dateien senden": "Send files",
    "Dateien auswählen": "Choose files",
    "PDF, JPEG, PNG, TIFF, HEIC, ODT, DOCX, XLSX oder Text; höchstens %(mb)s MB je Datei.": (
        "PDF, JPEG, PNG, TIFF, HEIC, ODT, DOCX, XLSX or text; at most %(mb)s MB per file."
    ),
    "Hochladen": "Upload",
    "Die Datei ist zu groß, oder der Antragsraum ist voll.": (
        "The file is too large, or the application room is full."
    ),
    "Bitte wählen Sie mindestens eine Datei aus.": "Please choose at least one file.",
    "Die Übertragung war unvollständig. Bitte versuchen Sie es noch einmal.": (
        "The transfer was incomplete. Please try again."
    ),
    "Der Inhalt passt nicht zum Dateinamen: gefunden wurde „%(kind)s“.": (
        "The content does not match the file name: found “%(kind)s”."
    ),
    "Diese Dateiart ist nicht erlaubt: gefunden wurde „%(kind)s“.": (
        "This kind of file is not allowed: found “%(kind)s”."
    ),
    "Das Archiv ist nicht erlaubt oder nicht sicher.": "The archive is not allowed or not safe.",
    "Diese Unterlage wurde bereits angenommen.": "This document has already been accepted.",
    "Die Datei konnte nicht angenommen werden.": "The file could not be accepted.",
    "oder Dateien hierher ziehen": "or drag files here",
    "hochgeladen – wird geprüft": "uploaded – being checked",
    "Die Datei konnte nicht hochgeladen werden. Bitte versuchen Sie es noch einmal.": (
        "The file could not be uploaded. Please try again."
    ),
}
