"""Reading one e-mail: headers decoded, the text a person wrote, the HTML made safe, and its files.

Python's `email` package with `policy.default` decodes charsets, encoded-words (=?iso-8859-1?q?...?=),
base64 and quoted-printable. HTML-only mail becomes readable text (html2text); any HTML we keep is
sanitised with nh3. Quoted history and signatures are trimmed from replies with mail-parser-reply;
the whole text stays with the original e-mail (InboundEmail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import html2text
import nh3
from mailparser_reply import EmailReplyParser

from helpdesk.services.attachments import IncomingFile

REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "da", "cs"]
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
TICKET_REF_RE = re.compile(r"\[#(\d{1,12})\]")


@dataclass
class ParsedEmail:
    message_id: str
    subject: str
    sender: str  # the From address, lower case
    sender_name: str
    reply_to: str
    to: list[str]
    cc: list[str]
    in_reply_to: list[str]
    references: list[str]
    text: str  # the whole text
    html: str  # sanitised, or ""
    files: list[IncomingFile] = field(default_factory=list)
    unreadable_parts: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # the safety checks' headers, lower-case names
    content_type: str = "text/plain"
    return_path: str | None = None

    @property
    def ticket_reference(self) -> int | None:
        """The ticket number in the subject ("[#1234]"), if any."""
        found = TICKET_REF_RE.search(self.subject)
        return int(found.group(1)) if found else None

    def reply_text(self) -> str:
        """What the sender wrote this time: the text without the quoted history and their signature."""
        return trim_reply(self.text)


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError):  # a header the parser cannot make sense of
        raw = msg.get_all(name, failobj=[None])[0] if hasattr(msg, "get_all") else None
        value = raw
    return str(value).strip() if value is not None else ""


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    values = []
    for raw in msg.get_all(name, failobj=[]):
        try:
            values.append(str(raw))
        except (ValueError, TypeError):
            continue
    found = []
    for _, addr in getaddresses(values):
        addr = addr.strip().lower()
        if "@" in addr and addr not in found:
            found.append(addr)
    return found


def message_ids(value: str) -> list[str]:
    """The <...> ids in a Message-ID, In-Reply-To or References header, in order."""
    return MESSAGE_ID_RE.findall(value or "")


def html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # keep paragraphs on one line; the page wraps them
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    converter.ignore_tables = True
    text = converter.handle(html)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sanitise_html(html: str) -> str:
    """Only harmless markup survives (no scripts, styles, event handlers, remote-loading attributes)."""
    return nh3.clean(html, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto"})


def trim_reply(text: str) -> str:
    """The newest part of a reply, without quoted history and signature; the whole text when the parser
    finds nothing to keep (a message that is only a quote, say)."""
    if not text.strip():
        return ""
    try:
        parsed = EmailReplyParser(languages=REPLY_LANGUAGES).read(text=text)
        newest = parsed.replies[0].body.strip() if parsed.replies else ""
    except Exception:  # the parser is heuristic; never lose a message because it tripped
        newest = ""
    return newest or text.strip()


def _part_text(part: EmailMessage) -> str:
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError):
        payload = part.get_payload(decode=True) or b""
        text = payload.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as typed, whatever the transport's line ends


def _filename(part: EmailMessage, index: int) -> str:
    name = part.get_filename()
    if name:
        return str(name)
    ctype = part.get_content_type()
    ext = {
        "text/calendar": "ics",
        "message/rfc822": "eml",
        "message/delivery-status": "txt",
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/gif": "gif",
        "application/pdf": "pdf",
    }.get(ctype, "bin")
    stem = {"text/calendar": "invite", "message/rfc822": "forwarded"}.get(ctype, f"part-{index}")
    return f"{stem}.{ext}"


def _part_bytes(part: EmailMessage) -> bytes:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) else inner
        return inner.as_bytes(policy=policy.SMTP) if inner is not None else b""
    return part.get_payload(decode=True) or b""


# Headers that tell an automatic or list mail from a person's (helpdesk.mail.safety) and our own loops.
KEPT_HEADERS = (
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress",
    "List-Id",
    "List-Unsubscribe",
    "X-Loop",
    "X-Helpdesk-Ticket",
)


@dataclass
class _Parts:
    """What the walk over a message's parts found."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    files: list[IncomingFile] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def parse_email(raw: bytes) -> ParsedEmail:
    """Read a whole RFC 822 message. Never raises on odd mail: what cannot be read is left out."""
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    from_addrs = _addresses(msg, "From")
    sender = from_addrs[0] if from_addrs else ""
    reply_to = (_addresses(msg, "Reply-To") or [""])[0]
    parts = _read_parts(msg)
    html = sanitise_html("\n".join(parts.htmls)) if parts.htmls else ""
    text = "\n\n".join(t.strip() for t in parts.texts if t.strip())
    if not text and html:
        text = html_to_text(html)
    to = _addresses(msg, "To")
    return ParsedEmail(
        message_id=(message_ids(_header(msg, "Message-ID")) or [""])[0],
        subject=re.sub(r"\s+", " ", _header(msg, "Subject")).strip(),
        sender=sender,
        sender_name=_sender_name(msg).strip(),
        reply_to=reply_to if reply_to != sender else "",
        to=to + [a for a in _addresses(msg, "Delivered-To") if a not in to],
        cc=_addresses(msg, "Cc"),
        in_reply_to=message_ids(_header(msg, "In-Reply-To")),
        references=message_ids(_header(msg, "References")),
        text=text,
        html=html,
        files=parts.files,
        unreadable_parts=parts.unreadable,
        # checked on the raw headers: parsing each one costs more
        headers={name.lower(): _header(msg, name) for name in KEPT_HEADERS if name in msg},
        content_type=msg.get_content_type(),
        return_path=_header(msg, "Return-Path") if "Return-Path" in msg else None,
    )


def _sender_name(msg: EmailMessage) -> str:
    try:
        groups = getattr(msg.get("From"), "addresses", ())
        if groups:
            first: Address = groups[0]
            return first.display_name or ""
    except (ValueError, TypeError, IndexError):
        return parseaddr(_header(msg, "From"))[0]
    return ""


def _body_part_ids(msg: EmailMessage) -> set[int]:
    """The parts the mail client shows as the body: its plain text and its HTML alternative."""
    found = set()
    try:
        for preferred in (msg.get_body(preferencelist=("plain",)), msg.get_body(preferencelist=("html",))):
            if preferred is not None:
                found.add(id(preferred))
    except (KeyError, TypeError):
        pass
    return found


def _read_parts(msg: EmailMessage) -> _Parts:
    """Body text, HTML and files, in the order the parts come."""
    found = _Parts()
    body_parts = _body_part_ids(msg)
    # An e-mail forwarded as an attachment (message/rfc822) is kept whole as one .eml file: the parts
    # inside it are not split out again.
    inside_forwarded = {
        id(inner)
        for part in msg.walk()
        if part.get_content_type() == "message/rfc822"
        for inner in part.walk()
        if inner is not part
    }
    for index, part in enumerate(msg.walk()):
        ctype = part.get_content_type()
        if id(part) in inside_forwarded or (part.is_multipart() and ctype != "message/rfc822"):
            continue
        disposition = part.get_content_disposition()
        is_body = id(part) in body_parts and disposition != "attachment"
        if is_body and ctype == "text/plain":
            found.texts.append(_part_text(part))
        elif is_body and ctype == "text/html":
            found.htmls.append(_part_text(part))
        elif ctype in ("text/plain", "text/html") and disposition is None:
            # extra inline text parts (Apple Mail splits a body around an inline image)
            (found.texts if ctype == "text/plain" else found.htmls).append(_part_text(part))
        elif ctype != "message/delivery-status":  # that is the machine-readable half of a bounce
            _read_file(part, index, found)
    return found


def _read_file(part: EmailMessage, index: int, found: _Parts) -> None:
    try:
        content = _part_bytes(part)
    except Exception:
        found.unreadable.append(_filename(part, index))
        return
    if not content:
        return
    content_id = (_header(part, "Content-ID") or "").strip("<> ")
    found.files.append(
        IncomingFile(
            name=_filename(part, index),
            content=content,
            is_inline=part.get_content_disposition() == "inline"
            or (part.get_content_disposition() is None and bool(content_id)),
            content_id=content_id,
        )
    )
