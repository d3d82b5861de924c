"""English translations of the German UI text (German source string -> English)."""

EN: dict[str, str] = {
    "Meine Anträge": "My applications",
    "Verwaltung": "Administration",
    "Seite %(page)s von %(pages)s": "page %(page)s of %(pages)s",
    "Seiten": "Pages",
    "Vorherige Seite": "Previous page",
    "Nächste Seite": "Next page",
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
    "Formular nicht übernommen": "Form not accepted",
    "Die Sicherheitsprüfung des Formulars ist fehlgeschlagen. Das geschieht meist, wenn die "
    "Seite sehr lange offen war oder Sie sich in einem anderen Fenster neu angemeldet haben. "
    "Es wurde nichts gespeichert.": (
        "The security check of the form failed. This usually happens when the page was open "
        "for a very long time or you logged in again in another window. Nothing was saved."
    ),
    "Ihr Text ist nicht verloren. Kopieren Sie ihn, öffnen Sie die Seite neu und senden Sie "
    "ihn dort noch einmal:": (
        "Your text is not lost. Copy it, open the page again and send it there once more:"
    ),
    "Ihre Eingabe": "What you entered",
    "Seite neu öffnen": "Open the page again",
    "Ihre Nachricht wurde nicht gesendet, weil der Antragsraum inzwischen geschlossen wurde. "
    "Ihr Text zum Kopieren:": (
        "Your message was not sent because the room has been closed meanwhile. Your text, to copy:"
    ),
    "Bitte nennen Sie den Grund der Ablehnung.": "Please give the reason for the rejection.",
    "Der Grund darf höchstens 2000 Zeichen lang sein.": (
        "The reason may be at most 2000 characters long."
    ),
    "Die Bezeichnung darf höchstens 200 Zeichen lang sein.": (
        "The label may be at most 200 characters long."
    ),
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
    # --- caseworker workspace: inbox views, status, assignment, internal notes, text templates ---
    "%(num)s Anforderung überfällig": "%(num)s request overdue",
    "%(num)s Anforderungen überfällig": "%(num)s requests overdue",
    "%(num)s Antragsraum": "%(num)s application room",
    "%(num)s Antragsräume": "%(num)s application rooms",
    "%(num)s offene Anforderung": "%(num)s open request",
    "%(num)s offene Anforderungen": "%(num)s open requests",
    "Abgeschlossen": "Closed",
    "Ansicht": "View",
    "Antragsraum schließen": "Close the application room",
    "Antragsraum schließen …": "Close the application room …",
    "Anzeigen": "Show",
    "Bearbeiten": "Edit",
    "Bearbeitung": "Casework",
    "Bitte bestätigen Sie das Schließen.": "Please confirm closing.",
    "Bitte geben Sie eine Notiz ein.": "Please enter a note.",
    "Bitte geben Sie einen Namen ein.": "Please enter a name.",
    "Bitte geben Sie einen Text ein.": "Please enter a text.",
    "Bitte wählen Sie einen Status.": "Please choose a status.",
    "Bitte wählen Sie einen Textbaustein.": "Please choose a text template.",
    "Der Name ist zu lang (höchstens %(n)s Zeichen).": (
        "The name is too long (at most %(n)s characters)."
    ),
    "Der Teamname ist zu lang (höchstens 100 Zeichen).": (
        "The team name is too long (at most 100 characters)."
    ),
    "Der Text enthält unzulässige Zeichen.": "The text contains characters that are not allowed.",
    "Der Text ist zu lang (höchstens %(n)s Zeichen).": (
        "The text is too long (at most %(n)s characters)."
    ),
    "Der Textbaustein wurde eingefügt. Bitte prüfen Sie den Text vor dem Senden.": (
        "The text template was inserted. Please check the text before sending."
    ),
    "Der Textbaustein wurde gelöscht.": "The text template was deleted.",
    "Der Textbaustein wurde gespeichert.": "The text template was saved.",
    "Die Behörde hat Ihnen geschrieben.": "The authority has written to you.",
    "Die Notiz enthält unzulässige Zeichen.": "The note contains characters that are not allowed.",
    "Die Notiz ist zu lang (höchstens %(n)s Zeichen).": (
        "The note is too long (at most %(n)s characters)."
    ),
    "Die Notiz wurde gespeichert.": "The note was saved.",
    "Die geschweiften Klammern sind nicht paarweise gesetzt.": "The curly braces do not pair up.",
    "Diese Person ist in Ihrer Behörde nicht bekannt.": (
        "This person is not known at your authority."
    ),
    "Diesen Namen trägt schon ein Textbaustein.": "A text template with this name already exists.",
    "Einfügen": "Insert",
    "Eingegangen": "Received",
    "Entschieden": "Decided",
    "In Bearbeitung": "In progress",
    "In dieser Ansicht liegen keine Antragsräume.": "There are no application rooms in this view.",
    "Intern – für Antragstellende nicht sichtbar": "Internal – not visible to applicants",
    "Interne Notiz": "Internal note",
    "Interne Notizen": "Internal notes",
    "Ja, diesen Antragsraum endgültig schließen": "Yes, close this application room for good",
    "Jetzt für Sie zu tun": "Needs your attention now",
    "Ihre Anträge": "Your applications",
    "Löschen": "Delete",
    (
        "Nach dem Schließen kann niemand mehr in diesem Antragsraum schreiben oder Dateien "
        "senden. Alle Beteiligten können ihn weiter lesen."
    ): (
        "Once closed, nobody can write or send files in this application room any more. "
        "Everyone involved can still read it."
    ),
    "Name": "Name",
    "Neuer Textbaustein": "New text template",
    "Noch keine Textbausteine.": "No text templates yet.",
    "Noch keine internen Notizen.": "No internal notes yet.",
    "Notiz speichern": "Save note",
    "Platzhalter": "Placeholders",
    "Schließen": "Close",
    "Sortierung": "Sort by",
    "Speichern": "Save",
    "Status für Antragstellende": "Status shown to the applicant",
    "Status setzen": "Set status",
    "Suche": "Search",
    "Suche nach Aktenzeichen, Name oder Titel": "Search by case reference, name or title",
    "Team": "Team",
    "Text": "Text",
    "Textbaustein": "Text template",
    "Textbaustein bearbeiten": "Edit text template",
    "Textbausteine": "Text templates",
    "Texte mit Platzhaltern, die Sachbearbeitende in Nachrichten einfügen": (
        "Texts with placeholders that caseworkers insert into messages"
    ),
    (
        "Unbekannter Platzhalter: {%(name)s}. "
        "Erlaubt sind {antragsteller}, {aktenzeichen} und {frist}."
    ): (
        "Unknown placeholder: {%(name)s}. Allowed are {antragsteller}, {aktenzeichen} and {frist}."
    ),
    "Unterlagen angefordert": "Documents requested",
    "Unterlagen angefordert – die Frist ist abgelaufen": (
        "Documents requested – the deadline has passed"
    ),
    "Unterlagen eingegangen": "Documents received",
    "Vorhandene Textbausteine": "Existing text templates",
    "Wartet auf Antragstellende": "Waiting for the applicant",
    "Wartet auf Sie": "Waiting for you",
    "Wartet seit": "Waiting since",
    "Weitere Anträge": "Other applications",
    "Zugewiesen": "Assigned",
    "Zugewiesen an": "Assigned to",
    "Zuweisen": "Assign",
    "Zuweisen an": "Assign to",
    "mir selbst": "myself",
    "niemand": "nobody",
    "optional, intern": "optional, internal",
    "Übergabenotiz": "Hand-over note",
    "Alle offenen": "All open",
    "Neue Antworten": "New replies",
    "Überfällige Anforderungen": "Overdue requests",
    "Mir zugewiesen": "Assigned to me",
    "Geschlossen": "Closed",
    "Längste Wartezeit zuerst": "Longest waiting first",
    "Letzte Aktivität zuerst": "Latest activity first",
    # notifications: mails, preferences, undeliverable warnings
    "Guten Tag %(name)s,": "Hello %(name)s,",
    "Guten Tag,": "Hello,",
    "Neue Nachricht zu Ihrem Antrag %(case_ref)s": (
        "New message about your application %(case_ref)s"
    ),
    "Unterlagen angefordert zu Ihrem Antrag %(case_ref)s": (
        "Documents requested for your application %(case_ref)s"
    ),
    "Bescheid zu Ihrem Antrag %(case_ref)s liegt bereit": (
        "A decision on your application %(case_ref)s is ready"
    ),
    "Erinnerung: Frist zu Ihrem Antrag %(case_ref)s": (
        "Reminder: deadline for your application %(case_ref)s"
    ),
    "Frist abgelaufen zu Ihrem Antrag %(case_ref)s": (
        "Deadline passed for your application %(case_ref)s"
    ),
    "Zusammenfassung: Neues in Ihren Antragsräumen": "Digest: news in your application rooms",
    (
        "Ihre Behörde hat Ihnen eine neue Nachricht geschickt. Bitte lesen Sie sie im "
        "Antragsraum und antworten Sie dort, wenn nötig."
    ): (
        "Your authority has sent you a new message. Please read it in the application room"
        " and reply there if needed."
    ),
    "Ihre Behörde bittet Sie, Unterlagen nachzureichen. Bitte laden Sie sie im Antragsraum hoch.": (
        "Your authority asks you to submit documents. Please upload them in the application room."
    ),
    "Ein Bescheid liegt für Sie im Antragsraum zum Abruf bereit.": (
        "A decision is ready for you to retrieve in the application room."
    ),
    (
        "Die Frist für angeforderte Unterlagen endet bald. Bitte laden Sie die fehlenden "
        "Unterlagen im Antragsraum hoch."
    ): (
        "The deadline for requested documents ends soon. Please upload the missing documents"
        " in the application room."
    ),
    (
        "Die Frist für angeforderte Unterlagen ist abgelaufen. Bitte laden Sie die "
        "fehlenden Unterlagen im Antragsraum hoch oder schreiben Sie Ihrer Behörde."
    ): (
        "The deadline for requested documents has passed. Please upload the missing documents"
        " in the application room or write to your authority."
    ),
    "Frist: %(date)s": "Deadline: %(date)s",
    "Antragsraum zum Aktenzeichen %(case_ref)s öffnen": (
        "Open the application room for case %(case_ref)s"
    ),
    "Warum steht hier nicht mehr?": "Why does this e-mail not say more?",
    (
        "Aus Sicherheitsgründen enthält diese E-Mail keine Inhalte. Melden Sie sich im "
        "Antragsraum an, um sie zu lesen."
    ): (
        "For your security this e-mail contains no content. Log in to the application room"
        " to read it."
    ),
    "Diese E-Mail wurde automatisch erstellt; bitte antworten Sie nicht darauf.": (
        "This e-mail was created automatically; please do not reply to it."
    ),
    "Benachrichtigungen einstellen": "Notification settings",
    (
        "in diesen Antragsräumen von %(authority)s haben Antragstellende geschrieben oder "
        "Dateien hochgeladen:"
    ): ("applicants wrote or uploaded files in these application rooms of %(authority)s:"),
    "%(num)s neuer Eintrag": "%(num)s new item",
    "%(num)s neue Einträge": "%(num)s new items",
    "Posteingang öffnen": "Open the inbox",
    "Benachrichtigungen": "Notifications",
    "Ihre Einstellungen wurden gespeichert.": "Your settings have been saved.",
    (
        "Wenn Antragstellende schreiben oder Dateien hochladen, sehen Sie das sofort im "
        "Posteingang. Per E-Mail erhalten Sie dazu höchstens eine Zusammenfassung je "
        "Stunde oder Tag."
    ): (
        "When applicants write or upload files, you see it at once in the inbox. By e-mail"
        " you get at most one digest per hour or day."
    ),
    (
        "Wir benachrichtigen Sie, wenn Ihre Behörde Ihnen schreibt, Unterlagen anfordert, "
        "ein Bescheid bereitliegt oder eine Frist naht. Die Benachrichtigung nennt nur "
        "Behörde, Aktenzeichen, was zu tun ist und die Frist – nie den Inhalt."
    ): (
        "We notify you when your authority writes to you, requests documents, a decision is"
        " ready or a deadline is near. The notification names only the authority, the case"
        " reference, what to do and the deadline – never the content."
    ),
    "Die Einstellungen wurden nicht gespeichert. Bitte prüfen Sie die markierten Angaben.": (
        "The settings were not saved. Please check the marked fields."
    ),
    "Per E-Mail benachrichtigen": "Notify me by e-mail",
    "E-Mail-Adresse": "E-mail address",
    "Leer lassen, um die Adresse aus Ihrem Konto zu verwenden.": (
        "Leave empty to use the address of your account."
    ),
    "Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.de.": (
        "Please enter a valid e-mail address, e.g. name@example.de."
    ),
    "Sprache der Benachrichtigungen": "Language of notifications",
    "Bitte wählen Sie eine Sprache.": "Please choose a language.",
    "Zusammenfassung per E-Mail": "Digest by e-mail",
    "Bitte wählen Sie, wie oft Sie eine Zusammenfassung erhalten.": (
        "Please choose how often you receive a digest."
    ),
    "keine Zusammenfassung": "no digest",
    "stündlich": "hourly",
    "täglich": "daily",
    "Einstellungen speichern": "Save settings",
    "Benachrichtigungen nicht zustellbar": "Notifications undeliverable",
    "Benachrichtigung an %(name)s nicht zustellbar": "Notification to %(name)s undeliverable",
    (
        "Bitte klären Sie die Kontaktdaten auf anderem Weg; diese Benachrichtigungen "
        "werden nicht wiederholt."
    ): ("Please clarify the contact details another way; these notifications are not retried."),
    "Antragstellende werden nicht benachrichtigt": "Applicants are not notified",
    "%(name)s hat Benachrichtigungen per E-Mail abgeschaltet.": (
        "%(name)s switched e-mail notifications off."
    ),
    "Für %(name)s ist keine E-Mail-Adresse bekannt.": "No e-mail address is known for %(name)s.",
    (
        "Neue Nachrichten, Anforderungen und Fristen sehen sie nur, wenn sie den Antragsraum "
        "selbst öffnen. Bitte informieren Sie sie bei Bedarf auf anderem Weg."
    ): (
        "They see new messages, requests and deadlines only when they open the room "
        "themselves. Please inform them another way if needed."
    ),
    (
        "Ihre Sitzung war abgelaufen. Sie sind wieder angemeldet; Ihr Text wurde aufbewahrt, "
        "aber noch nicht gesendet."
    ): "Your session had expired. You are logged in again; your text was kept but not sent yet.",
    # Webhooks (admin section: subscriptions, secret shown once, dead letters)
    "Webhooks": "Webhooks",
    "Ereignisse signiert an Ihr Fachverfahren senden; nicht zugestellte erneut senden": (
        "Send events, signed, to your case management system; send undelivered ones again"
    ),
    (
        "Webhooks melden Ihrem Fachverfahren jedes Ereignis in den Antragsräumen Ihrer "
        "Behörde: signiert nach Standard Webhooks, nur mit Kennungen und Fakten, nie mit "
        "Nachrichtentexten. Einzelheiten ruft das Fachverfahren über die API ab."
    ): (
        "Webhooks report every event in your authority's application rooms to your case"
        " management system: signed per Standard Webhooks, with ids and facts only, never"
        " message texts. The system fetches details through the API."
    ),
    "Der Webhook ist eingerichtet.": "The webhook is set up.",
    (
        "Das Signaturgeheimnis wird nur jetzt angezeigt. Hinterlegen Sie es sofort in "
        "Ihrem Fachverfahren; später kann es niemand mehr einsehen."
    ): (
        "The signing secret is shown only now. Store it in your case management system"
        " right away; nobody can see it later."
    ),
    "Signaturgeheimnis für %(url)s": "Signing secret for %(url)s",
    "Eingerichtete Webhooks": "Configured webhooks",
    "Adresse": "Address",
    "Ereignisarten": "Event types",
    "Eingerichtet": "Created",
    "Zustand": "State",
    "Aktion": "Action",
    "alle": "all",
    "aktiv": "active",
    "abgeschaltet am %(when)s": "disabled on %(when)s",
    "Abschalten": "Disable",
    "Noch kein Webhook eingerichtet.": "No webhook set up yet.",
    "Webhook einrichten": "Set up a webhook",
    "Adresse des Empfängers": "Receiver's address",
    (
        "Eine https-Adresse Ihres Fachverfahrens, zum Beispiel "
        "https://fachverfahren.example.de/webhooks."
    ): (
        "An https address of your case management system, for example"
        " https://fachverfahren.example.de/webhooks."
    ),
    (
        "Eine http- oder https-Adresse Ihres Fachverfahrens (http nur außerhalb des "
        "Produktivbetriebs)."
    ): ("An http or https address of your case management system (http only outside production)."),
    (
        "Die Adresse muss mit https:// beginnen: im Produktivbetrieb werden Ereignisse "
        "nur verschlüsselt zugestellt."
    ): (
        "The address must start with https://: in production, events are delivered encrypted only."
    ),
    "Die Adresse darf keinen Benutzernamen und kein Passwort enthalten.": (
        "The address must not contain a user name or password."
    ),
    "Eine IP-Adresse bitte als vier Dezimalzahlen mit Punkten (zum Beispiel 192.0.2.10) oder "
    "als IPv6-Adresse in eckigen Klammern angeben.": (
        "Please write an IP address as four decimal numbers with dots (for example 192.0.2.10) "
        "or as an IPv6 address in square brackets."
    ),
    "Die Adresse liegt in einem nicht öffentlichen Netz, das für Webhooks nicht freigegeben "
    "ist. Der Betrieb kann es in webhooks.private_networks freigeben.": (
        "The address is in a non-public network that is not allowed for webhooks. The "
        "operators can allow it in webhooks.private_networks."
    ),
    "Die Adresse ist zu lang.": "The address is too long.",
    "Bitte geben Sie eine vollständige Adresse an, die mit https:// beginnt.": (
        "Please enter a complete address starting with https://."
    ),
    "Ereignisarten (keine Auswahl: alle)": "Event types (none chosen: all)",
    "Unbekannte Ereignisart.": "Unknown event type.",
    "Nicht zugestellte Ereignisse": "Undelivered events",
    (
        "Diese Ereignisse konnten auch nach allen Wiederholungen (etwa einen Tag lang) "
        "nicht zugestellt werden."
    ): ("These events could not be delivered, even after all retries (for about a day)."),
    "Ereignis": "Event",
    "Versuche": "Attempts",
    "Letzte Antwort": "Last answer",
    "Letzter Versuch": "Last attempt",
    "keine Antwort": "no answer",
    "Erneut zustellen": "Deliver again",
    "Keine.": "None.",
    # Decisions (Bescheide) with delivery evidence
    "Abruf": "Retrieval",
    "Abruffrist bis": "Retrieval period ends",
    "%(day)s, 24 Uhr": "end of %(day)s",
    "Achtung:": "Attention:",
    "Bereitgestellt am": "Made available on",
    "Bescheid": "Decision",
    "Bescheid als PDF": "Decision as PDF",
    "Bescheid bereitstellen": "Issue a decision",
    "Bitte geben Sie eine Zusammenfassung ein.": "Please enter a summary.",
    "Bitte wählen Sie das PDF des Bescheids aus.": "Please choose the PDF of the decision.",
    (
        "Das Dokument kann nicht bereitgestellt werden. Die Behörde lässt Ihnen den Bescheid auf "
        "anderem Weg zukommen."
    ): (
        "The document cannot be made available. The authority will send you the decision another "
        "way."
    ),
    "Das Dokument wird noch auf Schadsoftware geprüft und steht gleich zum Abruf bereit.": (
        "The document is still being checked for malware and will be ready for retrieval shortly."
    ),
    "Der Bescheid muss ein PDF sein: gefunden wurde „%(kind)s“.": (
        "The decision must be a PDF: found “%(kind)s”."
    ),
    (
        "Der Bescheid wurde gesendet. Er wird bereitgestellt, sobald die Prüfung auf Schadsoftware "
        "abgeschlossen ist."
    ): (
        "The decision was sent. It will be made available as soon as the malware check is complete."
    ),
    (
        "Die Antragstellerin oder der Antragsteller wird benachrichtigt. Der Bescheid gilt "
        "am Tag nach dem ersten Abruf als bekannt gegeben; wird er nicht innerhalb von zehn "
        "Tagen abgerufen, müssen Sie ihn auf anderem Weg bekannt geben."
    ): (
        "The applicant is notified. The decision counts as announced on the day after its first "
        "retrieval; if it is not retrieved within ten days, you must announce it another way."
    ),
    "Die Datei ist zu groß.": "The file is too large.",
    "Die Zusammenfassung enthält unzulässige Zeichen.": (
        "The summary contains characters that are not allowed."
    ),
    "Die Zusammenfassung ist zu lang (höchstens %(n)s Zeichen).": (
        "The summary is too long (at most %(n)s characters)."
    ),
    (
        "Dies ist Ihr Bescheid. Bitte laden Sie das Dokument herunter und bewahren Sie es auf. Der "
        "Bescheid gilt am Tag nach Ihrem ersten Abruf als bekannt gegeben."
    ): (
        "This is your decision. Please download the document and keep it. The decision counts as "
        "announced on the day after your first retrieval."
    ),
    "Dokument": "Document",
    "Erst nach Ablauf der Frist abgerufen – die Bekanntgabe durch Abruf ist nicht bewirkt.": (
        "Retrieved only after the period ended – retrieval did not announce the decision."
    ),
    "Erstmals abgerufen am %(when)s von %(who)s": "First retrieved on %(when)s by %(who)s",
    "Gilt als bekannt gegeben am %(day)s.": "Counts as announced on %(day)s.",
    "Nachweis der Bekanntgabe": "Evidence of announcement",
    (
        "Nicht bereitgestellt: Das Dokument ist gesperrt. Bitte stellen Sie den Bescheid "
        "erneut aus oder geben Sie ihn auf anderem Weg bekannt."
    ): (
        "Not made available: the document is blocked. Please issue the decision again or announce "
        "it another way."
    ),
    (
        "Nicht innerhalb der Frist abgerufen. Der Bescheid gilt nicht als bekannt gegeben; "
        "bitte geben Sie ihn auf anderem Weg bekannt."
    ): (
        "Not retrieved within the period. The decision does not count as announced; please "
        "announce it another way."
    ),
    "Noch nicht abgerufen.": "Not retrieved yet.",
    "Noch nicht – das Dokument wird geprüft.": "Not yet – the document is being checked.",
    "Nur PDF; höchstens %(mb)s MB.": "PDF only; at most %(mb)s MB.",
    "Was entschieden wurde, in wenigen Sätzen (höchstens %(n)s Zeichen).": (
        "What was decided, in a few sentences (at most %(n)s characters)."
    ),
    "Zusammenfassung": "Summary",
    "im Antragsraum erlassen": "issued in the application room",
    "vom Fachverfahren übermittelt": "sent by the case management system",
    "Zu viele Anfragen": "Too many requests",
    (
        "Von Ihnen oder Ihrem Anschluss kamen in kurzer Zeit sehr viele Anfragen. "
        "Zum Schutz des Dienstes nehmen wir gerade keine weiteren an."
    ): (
        "Very many requests came from you or your connection in a short time. To protect "
        "the service, we are not taking any more right now."
    ),
    "Bitte versuchen Sie es in %(num)s Minute noch einmal.": (
        "Please try again in %(num)s minute."
    ),
    "Bitte versuchen Sie es in %(num)s Minuten noch einmal.": (
        "Please try again in %(num)s minutes."
    ),
    "Eingabe nicht lesbar": "Input not readable",
    (
        "Ihre Eingabe enthält Zeichen, die wir nicht verarbeiten können. Bitte gehen Sie "
        "zurück, prüfen Sie den Text (zum Beispiel aus einem anderen Programm eingefügte "
        "Zeichen) und senden Sie ihn erneut."
    ): (
        "Your input contains characters we cannot process. Please go back, check the text"
        " (for example characters pasted from another program) and send it again."
    ),
    "Vorübergehend nicht erreichbar": "Temporarily unavailable",
    (
        "Der Antragsraum ist gerade nicht erreichbar. Was Sie eben gesendet haben, ist "
        "nicht angekommen. Bitte versuchen Sie es in einer Minute noch einmal."
    ): (
        "The application room cannot be reached right now. What you just sent has not"
        " arrived. Please try again in a minute."
    ),
}
