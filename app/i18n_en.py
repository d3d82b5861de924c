"""English translations of the German UI text (German source string -> English)."""

EN: dict[str, str] = {
    "Meine Anträge": "My applications",
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
}
