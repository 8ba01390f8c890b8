"""One-click rating links in e-mails: signed (django.core.signing), expiring, and good for one rating.

The link carries the ticket and its customer, signed with the site's secret; the score is the link's
`?score=`. Opening it records the rating (the customer needs no password) and lands on the portal's
thanks page (comment box; "What went wrong?" after a low score); once the ticket is rated the link's
score records nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_noop

from helpdesk.models import Ticket

SALT = "helpdesk.mail.rating"
# msgids: shown in the reader's language (helpdesk.mail.views)
ERR_LINK_EXPIRED = gettext_noop("This rating link has expired. You can still rate the ticket in the portal.")
ERR_LINK_BAD = gettext_noop("This rating link is not valid.")


def rating_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "c": ticket.customer_id}, salt=SALT, compress=True)


def rating_url(ticket: Ticket, score: int) -> str:
    path = reverse("rate_link", args=[rating_token(ticket)])
    return f"{settings.HELPDESK_BASE_URL}{path}?score={score}"


def ticket_for_rating_token(token: str) -> Ticket:
    """The ticket the link rates; raises signing.BadSignature (SignatureExpired) for a bad or old link."""
    data = signing.loads(token, salt=SALT, max_age=settings.CSAT_LINK_DAYS * 24 * 3600)
    return Ticket.objects.select_related("customer").get(pk=data["t"], customer_id=data["c"])
