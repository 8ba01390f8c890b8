"""Customer satisfaction ratings."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk.events import event_record
from helpdesk.models import Csat, Ticket
from helpdesk.services import errors


def csat_submit(
    *, ticket: Ticket, customer: AbstractBaseUser, score: int, comment: str = "", what_went_wrong: str = ""
) -> Csat:
    """Record the customer's 1-5 rating of their resolved ticket; once per ticket. `what_went_wrong`
    answers the follow-up question asked for low scores (kept only for those)."""
    if ticket.customer_id != customer.pk:
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError({"score": ["Choose a score from 1 to 5."]})
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if Csat.objects.filter(ticket=locked).exists():
            raise ValidationError({"score": [errors.ERR_ALREADY_RATED]})
        if not locked.can_be_rated():
            raise ValidationError({"score": [errors.ERR_NOT_RATEABLE]})
        csat = Csat.objects.create(
            ticket=locked,
            score=score,
            comment=(comment or "").strip(),
            what_went_wrong=(what_went_wrong or "").strip()[:5000] if score <= LOW_SCORE else "",
        )
        event_record(
            ticket=locked, code="csat.rated", actor=customer, to_value=str(score), reason=csat.comment[:500]
        )
    return csat


LOW_SCORE = 2  # at or below: the customer is asked what went wrong
REVISE_DAYS = 7  # how long after rating a customer may still change the score or add words


def csat_revise(
    *, csat: Csat, customer: AbstractBaseUser, score: int, comment: str = "", what_went_wrong: str = ""
) -> Csat:
    """Change a rating shortly after giving it, or add a comment and the answer to "What went wrong?"
    (a rating from a one-click e-mail link comes without words). A changed score is recorded again."""
    if csat.ticket.customer_id != customer.pk:
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError({"score": ["Choose a score from 1 to 5."]})
    if csat.created_at < timezone.now() - dt.timedelta(days=REVISE_DAYS):
        raise ValidationError({"score": [errors.ERR_ALREADY_RATED]})
    with transaction.atomic():
        locked = Csat.objects.select_for_update().select_related("ticket").get(pk=csat.pk)
        old_score = locked.score
        locked.score = score
        locked.comment = (comment or "").strip()[:5000]
        locked.what_went_wrong = (what_went_wrong or "").strip()[:5000] if score <= LOW_SCORE else ""
        locked.save(update_fields=["score", "comment", "what_went_wrong"])
        if old_score != score:
            event_record(
                ticket=locked.ticket,
                code="csat.rated",
                actor=customer,
                from_value=str(old_score),
                to_value=str(score),
                reason=locked.comment[:500],
                details={"revised": True},
            )
    return locked
