"""Fill locale/de/LC_MESSAGES/django.po from the German wording below (run after makemessages -l de).

Usage: python locale/translate_de.py && python manage.py compilemessages -l de
A msgid missing here is reported and left untranslated, so new strings are never silently English.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent / "de" / "LC_MESSAGES" / "django.po"

DE: dict[str, str | tuple[str, str]] = {
    "Choose yes or no.": "Bitte wählen Sie Ja oder Nein.",
    "Thank you for your feedback.": "Danke für Ihre Rückmeldung.",
    "That e-mail and password do not match. Passwords are case-sensitive.": "E-Mail-Adresse und Passwort passen nicht zusammen. Achten Sie auf Groß- und Kleinschreibung.",
    "E-mail": "E-Mail",
    "Support staff may use their username.": "Support-Mitarbeitende können ihren Benutzernamen verwenden.",
    "New password": "Neues Passwort",
    "Repeat the password": "Passwort wiederholen",
    "Your name": "Ihr Name",
    "Work e-mail": "Geschäftliche E-Mail-Adresse",
    "Use the address at your organization: we send a link to it.": "Verwenden Sie die Adresse Ihrer Organisation: Wir schicken Ihnen einen Link dorthin.",
    "%d invitation sent.": ("%d Einladung verschickt.", "%d Einladungen verschickt."),
    "Attach files": "Dateien anhängen",
    "Screenshots, logs or documents, up to %(mb)s MB each.": "Screenshots, Logs oder Dokumente, jeweils bis %(mb)s MB.",
    "Subject": "Betreff",
    "Description": "Beschreibung",
    "What happened, what you expected, and anything you already tried.": "Was ist passiert, was haben Sie erwartet, und was haben Sie schon versucht?",
    "Category": "Kategorie",
    "Not sure — let us work it out": "Nicht sicher – wir finden es heraus",
    "Message": "Nachricht",
    "How satisfied are you with how we handled this ticket?": "Wie zufrieden sind Sie mit der Bearbeitung dieses Tickets?",
    "Choose how satisfied you are.": "Bitte wählen Sie, wie zufrieden Sie sind.",
    "Anything you want to tell us?": "Möchten Sie uns noch etwas sagen?",
    "What went wrong?": "Was ist schiefgelaufen?",
    "Asked when the score is low: tell us, so the same does not happen again.": "Bei einer niedrigen Bewertung: Sagen Sie es uns, damit es nicht wieder passiert.",
    "Colleague": "Kollegin oder Kollege",
    "Last update": "Letzte Änderung",
    "Created": "Erstellt",
    "Portal": "Portal",
    "API": "API",
    "Chat": "Chat",
    "Phone": "Telefon",
    "Agent workspace": "Support-Team",
    "New": "Neu",
    "Open": "Offen",
    "Pending customer": "Wartet auf Sie",
    "On hold": "Zurückgestellt",
    "Resolved": "Gelöst",
    "Closed": "Geschlossen",
    "Very satisfied": "Sehr zufrieden",
    "Satisfied": "Zufrieden",
    "Neutral": "Neutral",
    "Dissatisfied": "Unzufrieden",
    "Very dissatisfied": "Sehr unzufrieden",
    "Only people of the ticket's organization can be copied on it.": "Nur Personen aus der Organisation des Tickets können in Kopie gesetzt werden.",
    "This person is already on the ticket.": "Diese Person ist bereits beim Ticket.",
    "Please give the ticket a subject.": "Bitte geben Sie dem Ticket einen Betreff.",
    "Please describe the problem.": "Bitte beschreiben Sie das Problem.",
    "Write a message or attach a file.": "Schreiben Sie eine Nachricht oder hängen Sie eine Datei an.",
    "Type a few words about your question, or browse the articles in the help center.": "Geben Sie ein paar Wörter zu Ihrer Frage ein oder stöbern Sie in den Artikeln des Hilfecenters.",
    "This ticket is closed. Please open a new ticket instead.": "Dieses Ticket ist geschlossen. Bitte eröffnen Sie ein neues Ticket.",
    "Only open tickets can be escalated or assigned.": "Nur offene Tickets können eskaliert oder zugewiesen werden.",
    "This ticket is already resolved.": "Dieses Ticket ist bereits gelöst.",
    "Say why you are escalating, so the next person does not have to ask.": "Begründen Sie die Eskalation, damit die nächste Person nicht nachfragen muss.",
    "A functional escalation needs the team to hand the ticket to.": "Eine funktionale Eskalation braucht das Team, an das das Ticket geht.",
    "The ticket is already with this team.": "Das Ticket ist bereits bei diesem Team.",
    "A hierarchical escalation must go to a higher tier than the current one.": "Eine hierarchische Eskalation muss an eine höhere Stufe gehen.",
    "There is no higher tier to escalate to.": "Es gibt keine höhere Stufe für eine Eskalation.",
    "Customers cannot add internal notes.": "Kundinnen und Kunden können keine internen Notizen anlegen.",
    "Only resolved tickets can be rated.": "Nur gelöste Tickets können bewertet werden.",
    "This ticket has already been rated.": "Dieses Ticket wurde bereits bewertet.",
    "You can only act on your own tickets.": "Sie können nur Ihre eigenen Tickets bearbeiten.",
    "Only agents can do this.": "Das können nur Support-Mitarbeitende.",
    "A {old} ticket cannot be set to {new}.": "Ein Ticket im Status {old} kann nicht auf {new} gesetzt werden.",
    "This agent is not a member of the ticket's team.": "Diese Person gehört nicht zum Team des Tickets.",
    "Say why you are declining, so routing and your lead know.": "Begründen Sie die Ablehnung, damit Routing und Teamleitung Bescheid wissen.",
    "Only the agent the ticket is assigned to can decline it.": "Nur die zugewiesene Person kann das Ticket ablehnen.",
    "Give the article a title customers would search for.": "Geben Sie dem Artikel einen Titel, nach dem Kunden suchen würden.",
    "Write the answer the article gives.": "Schreiben Sie die Antwort, die der Artikel gibt.",
    "The two passwords differ.": "Die beiden Passwörter stimmen nicht überein.",
    "Sign-up is not open for this e-mail domain. Ask your organization's support contact for an invitation.": "Für diese E-Mail-Domain ist keine Selbstregistrierung möglich. Bitten Sie die Support-Ansprechperson Ihrer Organisation um eine Einladung.",
    "Confirm your e-mail address for the help center": "Bestätigen Sie Ihre E-Mail-Adresse für das Hilfecenter",
    "You are invited to the help center": "Sie sind zum Hilfecenter eingeladen",
    "This link can no longer be used.": "Dieser Link kann nicht mehr verwendet werden.",
    "Your password is set. Welcome!": "Ihr Passwort ist gespeichert. Willkommen!",
    "Your reply was sent.": "Ihre Antwort wurde gesendet.",
    "%(name)s is no longer copied on this ticket.": "%(name)s ist nicht mehr in Kopie bei diesem Ticket.",
    "%(name)s is now copied on this ticket.": "%(name)s ist jetzt in Kopie bei diesem Ticket.",
    "Too many requests": "Zu viele Anfragen",
    "You tried this too often in a short time. Please wait a while and try again.": "Sie haben das in kurzer Zeit zu oft versucht. Bitte warten Sie etwas und versuchen Sie es dann erneut.",
    "Automatic reply": "Automatische Antwort",
    "Support": "Support",
    "%(name)s (support)": "%(name)s (Support)",
    "System": "System",
    "Internal note": "Interne Notiz",
    "via %(channel)s": "über %(channel)s",
    "Attachments": "Anhänge",
    "Pages": "Seiten",
    "Previous": "Zurück",
    "Page %(number)s of %(pages)s": "Seite %(number)s von %(pages)s",
    "ticket": "Ticket",
    "Next": "Weiter",
    "Skip to content": "Zum Inhalt springen",
    "My tickets": "Meine Tickets",
    "New ticket": "Neues Ticket",
    "Help center": "Hilfecenter",
    "Sign out": "Abmelden",
    "Main": "Hauptmenü",
    "Sign in": "Anmelden",
    "Language": "Sprache",
    "Change": "Ändern",
    "Hello %(name)s,": "Hallo %(name)s,",
    "Please confirm your e-mail address and choose your password for the help center:": "Bitte bestätigen Sie Ihre E-Mail-Adresse und wählen Sie Ihr Passwort für das Hilfecenter:",
    "You now have an account at our help center. There you can follow your tickets, answer us and find answers yourself. Choose your password here:": "Sie haben jetzt ein Konto in unserem Hilfecenter. Dort verfolgen Sie Ihre Tickets, antworten uns und finden selbst Antworten. Wählen Sie hier Ihr Passwort:",
    "Choose my password": "Passwort wählen",
    "The link works once and for %(days)s day.": (
        "Der Link funktioniert einmal und %(days)s Tag lang.",
        "Der Link funktioniert einmal und %(days)s Tage lang.",
    ),
    "After that, sign in with this e-mail address.": "Danach melden Sie sich mit dieser E-Mail-Adresse an.",
    "Your support team": "Ihr Support-Team",
    "Search the help center": "Hilfecenter durchsuchen",
    "Describe your question, e.g. reset my password": "Beschreiben Sie Ihre Frage, z. B. Passwort zurücksetzen",
    "Search": "Suchen",
    "Draft: only support staff see it": "Entwurf: nur für Support-Mitarbeitende sichtbar",
    "Internal: only support staff see it": "Intern: nur für Support-Mitarbeitende sichtbar",
    "Updated": "Aktualisiert",
    "Was this helpful?": "War das hilfreich?",
    "You found this helpful. Thank you!": "Sie fanden das hilfreich. Danke!",
    "You told us this did not help. Thank you — we will improve it.": "Sie haben uns gesagt, dass das nicht geholfen hat. Danke – wir verbessern es.",
    "Yes": "Ja",
    "No": "Nein",
    "Was your question answered?": "Ist Ihre Frage beantwortet?",
    "This solved my problem": "Das hat mein Problem gelöst",
    "Ask our team": "Unser Team fragen",
    "Related articles": "Verwandte Artikel",
    "How can we help?": "Wie können wir helfen?",
    "More answers": "Weitere Antworten",
    "There are no articles yet.": "Es gibt noch keine Artikel.",
    "Did not find an answer?": "Keine Antwort gefunden?",
    "%(counter)s article matches “%(query)s”.": (
        "%(counter)s Artikel passt zu „%(query)s“.",
        "%(counter)s Artikel passen zu „%(query)s“, die besten zuerst.",
    ),
    "No article matches “%(query)s”.": "Kein Artikel passt zu „%(query)s“.",
    "Glad it helped": "Schön, dass es geholfen hat",
    "Glad that solved it": "Schön, dass das die Lösung war",
    "“%(title)s” answered your question, so no ticket was needed.": "„%(title)s“ hat Ihre Frage beantwortet, ein Ticket war nicht nötig.",
    "Back to the help center": "Zurück zum Hilfecenter",
    "Send rating": "Bewertung senden",
    "Our organization's tickets": "Tickets unserer Organisation",
    "Sort tickets": "Tickets sortieren",
    "Sort by": "Sortieren nach",
    "Newest first by creation date": "Neueste zuerst nach Erstellungsdatum",
    "Most recently updated first": "Zuletzt geänderte zuerst",
    "Ticket": "Ticket",
    "Raised by": "Erstellt von",
    "Status": "Status",
    "%(when)s ago": "vor %(when)s",
    "You have no tickets yet.": "Sie haben noch keine Tickets.",
    "Ask for help": "Hilfe anfragen",
    "Browse the help center": "Hilfecenter durchsuchen",
    "Rate ticket #%(number)s": "Ticket #%(number)s bewerten",
    "Rate this ticket": "Dieses Ticket bewerten",
    "You can rate a ticket once it is resolved.": "Sie können ein Ticket bewerten, sobald es gelöst ist.",
    "Thank you for your rating": "Danke für Ihre Bewertung",
    "You rated ticket #%(number)s:": "Ihre Bewertung für Ticket #%(number)s:",
    "We are sorry it did not go well. What went wrong? Your answer goes to the team lead.": "Es tut uns leid, dass es nicht gut gelaufen ist. Was ist schiefgelaufen? Ihre Antwort geht an die Teamleitung.",
    "Want to add a few words? They help the person who answered you.": "Möchten Sie ein paar Worte ergänzen? Sie helfen der Person, die Ihnen geantwortet hat.",
    "Add a comment or change your rating": "Kommentar hinzufügen oder Bewertung ändern",
    "Save": "Speichern",
    "Back to the ticket": "Zurück zum Ticket",
    "All my tickets": "Alle meine Tickets",
    "Raised by %(name)s": "Erstellt von %(name)s",
    "Conversation": "Verlauf",
    "You rated this ticket": "Ihre Bewertung für dieses Ticket:",
    "Thank you!": "Danke!",
    "Add a comment": "Kommentar hinzufügen",
    "Still need help? Reply to reopen": "Brauchen Sie noch Hilfe? Antworten Sie, um das Ticket wieder zu öffnen",
    "Reply": "Antworten",
    "Send reply": "Antwort senden",
    "This ticket is closed.": "Dieses Ticket ist geschlossen.",
    "Open a new ticket if you need more help.": "Eröffnen Sie ein neues Ticket, wenn Sie weitere Hilfe brauchen.",
    "People copied on this ticket": "Personen in Kopie",
    "Colleagues from your organization who follow this ticket and receive our replies.": "Kolleginnen und Kollegen aus Ihrer Organisation, die dieses Ticket verfolgen und unsere Antworten erhalten.",
    "Remove": "Entfernen",
    "Add to ticket": "Zum Ticket hinzufügen",
    "Nobody else from your organization has an account yet.": "Sonst hat noch niemand aus Ihrer Organisation ein Konto.",
    "These articles may answer your question": "Diese Artikel beantworten vielleicht Ihre Frage",
    "This solved it": "Das hat geholfen",
    "Read (opens in a new tab)": "Lesen (öffnet in einem neuen Tab)",
    "Submit ticket": "Ticket absenden",
    "Ticket #%(number)s received": "Ticket #%(number)s eingegangen",
    "Thanks — we have your ticket": "Danke – Ihr Ticket ist bei uns",
    "Your ticket number is": "Ihre Ticketnummer ist",
    "We will reply here and by e-mail. You can add details to the ticket at any time.": "Wir antworten hier und per E-Mail. Sie können jederzeit Details ergänzen.",
    "View ticket #%(number)s": "Ticket #%(number)s ansehen",
    "Welcome": "Willkommen",
    "Welcome, %(name)s": "Willkommen, %(name)s",
    "Choose a password for <strong>%(email)s</strong>. From then on you sign in with this e-mail address and password.": "Wählen Sie ein Passwort für <strong>%(email)s</strong>. Danach melden Sie sich mit dieser E-Mail-Adresse und dem Passwort an.",
    "Save password and sign in": "Passwort speichern und anmelden",
    "This link no longer works": "Dieser Link funktioniert nicht mehr",
    "This link has already been used to choose a password. Sign in with your e-mail address and that password.": "Mit diesem Link wurde bereits ein Passwort gewählt. Melden Sie sich mit Ihrer E-Mail-Adresse und diesem Passwort an.",
    "Forgot the password?": "Passwort vergessen?",
    "Invitation links only work for a few days, and this one has expired. We can send you a fresh one right away.": "Einladungslinks gelten nur wenige Tage, und dieser ist abgelaufen. Wir schicken Ihnen sofort einen neuen.",
    "Send me a new link": "Neuen Link schicken",
    "We do not know this link. Copy the whole link from the e-mail, or ask for a new one.": "Diesen Link kennen wir nicht. Kopieren Sie den ganzen Link aus der E-Mail oder fordern Sie einen neuen an.",
    "Follow your tickets and talk to our team. Support staff go straight to their queues.": "Verfolgen Sie Ihre Tickets und sprechen Sie mit unserem Team. Support-Mitarbeitende gelangen direkt zu ihren Warteschlangen.",
    "Forgot your password, or never had one?": "Passwort vergessen oder noch keins?",
    "New here?": "Neu hier?",
    "Create an account with your work e-mail": "Konto mit Ihrer geschäftlichen E-Mail-Adresse anlegen",
    "Browse the help center without signing in": "Hilfecenter ohne Anmeldung durchsuchen",
    "Password saved": "Passwort gespeichert",
    "Choose a new password": "Neues Passwort wählen",
    "Password links work once and for one day. Ask for a new one and use the newest e-mail.": "Passwort-Links funktionieren einmal und einen Tag lang. Fordern Sie einen neuen an und verwenden Sie die neueste E-Mail.",
    "Check your inbox": "Sehen Sie in Ihr Postfach",
    "If an account uses that address, we have sent it a link to choose a password. It works for one day.": "Wenn ein Konto diese Adresse verwendet, haben wir einen Link zum Wählen eines Passworts geschickt. Er gilt einen Tag.",
    "Nothing arrived? Check your spam folder, or make sure you typed the address you write to us from.": "Nichts angekommen? Sehen Sie im Spam-Ordner nach, oder prüfen Sie, ob Sie die Adresse eingegeben haben, von der Sie uns schreiben.",
    "Someone — hopefully you — asked to choose a password for the help center. Open this link to choose it:": "Jemand – hoffentlich Sie – möchte ein Passwort für das Hilfecenter wählen. Öffnen Sie dazu diesen Link:",
    "The link works once and for one day. If you did not ask for it, ignore this e-mail: nothing changes.": "Der Link funktioniert einmal und einen Tag lang. Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Es ändert sich nichts.",
    "Reset your password": "Passwort zurücksetzen",
    "Type the e-mail address you write to us from. We send you a link to choose a new password — also if you never had one.": "Geben Sie die E-Mail-Adresse ein, von der Sie uns schreiben. Wir schicken Ihnen einen Link, um ein neues Passwort zu wählen – auch wenn Sie noch nie eins hatten.",
    "Send me the link": "Link schicken",
    "Back to sign in": "Zurück zur Anmeldung",
    "Choose your password for the help center": "Wählen Sie Ihr Passwort für das Hilfecenter",
    "Create an account": "Konto anlegen",
    "If your organization lets its people sign up, enter your work e-mail: we send you a link to choose your password.": "Wenn Ihre Organisation die Selbstregistrierung erlaubt, geben Sie Ihre geschäftliche E-Mail-Adresse ein: Wir schicken Ihnen einen Link, um Ihr Passwort zu wählen.",
    "Accounts are created by invitation. Ask your organization's support contact, or write to us by e-mail: you will receive an invitation.": "Konten werden per Einladung angelegt. Fragen Sie die Support-Ansprechperson Ihrer Organisation, oder schreiben Sie uns eine E-Mail: Sie erhalten dann eine Einladung.",
    "We have sent a link to %(email)s. Open it to choose your password.": "Wir haben einen Link an %(email)s geschickt. Öffnen Sie ihn, um Ihr Passwort zu wählen.",
    # Customer e-mails (helpdesk.mail.outbound, templates/mail/customer.*) and the rating link
    "[#%(id)s] Received: %(subject)s": "[#%(id)s] Eingegangen: %(subject)s",
    "Re: [#%(id)s] %(subject)s": "AW: [#%(id)s] %(subject)s",
    "[#%(id)s] Resolved: %(subject)s": "[#%(id)s] Gelöst: %(subject)s",
    "%(team)s support": "%(team)s Support",
    "This rating link has expired. You can still rate the ticket in the portal.": "Dieser Bewertungslink ist abgelaufen. Sie können das Ticket weiterhin im Portal bewerten.",
    "This rating link is not valid.": "Dieser Bewertungslink ist ungültig.",
    "This ticket is with a higher tier than yours: add a note, or ask a lead to hand it back to you.": "Dieses Ticket liegt bei einer höheren Support-Stufe als Ihrer: Fügen Sie eine Notiz hinzu oder bitten Sie eine Teamleitung, es Ihnen zurückzugeben.",
    "Your request #%(source)s (%(subject)s) is the same matter as this one, so we have joined them: the whole conversation is here now, and we continue with it on #%(target)s.": "Ihre Anfrage #%(source)s (%(subject)s) betrifft dieselbe Sache wie diese, deshalb haben wir sie zusammengeführt: Der ganze Verlauf ist jetzt hier, und wir machen mit #%(target)s weiter.",
    "Hello,": "Hallo,",
    'we received your request and opened ticket #%(number)s: "%(subject)s".': "wir haben Ihre Anfrage erhalten und das Ticket #%(number)s eröffnet: „%(subject)s“.",
    "We will answer by e-mail; to add anything, reply to this e-mail and keep [#%(number)s] in the subject.": "Wir antworten Ihnen per E-Mail. Um etwas zu ergänzen, antworten Sie auf diese E-Mail und lassen Sie [#%(number)s] im Betreff stehen.",
    "%(name)s, %(team)s support": "%(name)s, %(team)s Support",
    "%(name)s, support": "%(name)s, Support",
    "%(name)s wrote on ticket #%(number)s:": "%(name)s schrieb zu Ticket #%(number)s:",
    "Reply to this e-mail to answer everyone on the ticket.": "Antworten Sie auf diese E-Mail, um allen Beteiligten des Tickets zu antworten.",
    'we are waiting for your answer on ticket #%(number)s: "%(subject)s". Reply to this e-mail to continue.': "wir warten auf Ihre Antwort zu Ticket #%(number)s: „%(subject)s“. Antworten Sie auf diese E-Mail, um fortzufahren.",
    'we resolved ticket #%(number)s: "%(subject)s". If anything is still wrong, reply to this e-mail and we will reopen it.': "wir haben das Ticket #%(number)s gelöst: „%(subject)s“. Falls noch etwas nicht stimmt, antworten Sie auf diese E-Mail, und wir öffnen es wieder.",
    "How did we do? One click rates your experience:": "Wie waren wir? Ein Klick genügt, um uns zu bewerten:",
    "How did we do? One click on a link rates your experience:": "Wie waren wir? Ein Klick auf einen Link genügt, um uns zu bewerten:",
    "Your ticket online": "Ihr Ticket online",
    "Your ticket online:": "Ihr Ticket online:",
    "Rating": "Bewertung",
    "Open ticket #%(number)s in the portal": "Ticket #%(number)s im Portal öffnen",
    "This ticket was already rated: a rating link counts once. You can still add a comment or change your rating below.": "Dieses Ticket wurde bereits bewertet: Ein Bewertungslink zählt nur einmal. Unten können Sie noch einen Kommentar hinzufügen oder Ihre Bewertung ändern.",
}

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(lines: list[str]) -> str:
    return "".join(
        bytes(m, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for line in lines
        for m in STRING.findall(line)
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unfuzzy(line: str) -> str:
    if not line.startswith("#,"):
        return line
    flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() and flag.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else "#,"


def main() -> int:
    text = PO.read_text()
    header, *blocks = text.split("\n\n")
    header = header.replace('"Language: \\n"', '"Language: de\\n"')
    header = re.sub(
        r'"Plural-Forms: [^"]*"', lambda _m: '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"', header
    )
    header = header.replace("#, fuzzy\n", "")
    out, missing = [header], []
    for block in blocks:
        if not block.strip():
            continue
        lines = block.strip("\n").split("\n")
        # makemessages marks a guess from a similar msgid fuzzy (and names it on "#|" lines): the German
        # here is written for this msgid, so the guess and its flag go (a fuzzy entry is never used)
        comments = [_unfuzzy(line) for line in lines if line.startswith("#") and not line.startswith("#|")]
        comments = [line for line in comments if line != "#,"]
        part, pieces = None, {"msgid": [], "msgid_plural": []}
        for line in lines:
            for key in ("msgid_plural", "msgid", "msgstr"):
                if line.startswith(key + " ") or line.startswith(key + "["):
                    part = key
                    break
            if part in pieces and not line.startswith("#"):
                pieces[part].append(line)
        msgid, plural = _unquote(pieces["msgid"]), _unquote(pieces["msgid_plural"])
        german = DE.get(msgid)
        if german is None:
            missing.append(msgid)
            german = ("", "") if plural else ""
        entry = comments + [f"msgid {_quote(msgid)}"]
        if plural:
            singular, many = german if isinstance(german, tuple) else (german, german)
            entry += [
                f"msgid_plural {_quote(plural)}",
                f"msgstr[0] {_quote(singular)}",
                f"msgstr[1] {_quote(many)}",
            ]
        else:
            entry.append(f"msgstr {_quote(german)}")
        out.append("\n".join(entry))
    PO.write_text("\n\n".join(out) + "\n")
    for msgid in missing:
        print(f"untranslated: {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
