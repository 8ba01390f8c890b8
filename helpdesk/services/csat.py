"""Customer satisfaction ratings."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from helpdesk.events import event_record
from helpdesk.models import Csat, Ticket
from helpdesk.services import errors


def csat_submit(*, ticket: Ticket, customer: AbstractBaseUser, score: int, comment: str = "") -> Csat:
    """Record the customer's 1-5 rating of their resolved ticket; once per ticket."""
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
        csat = Csat.objects.create(ticket=locked, score=score, comment=comment.strip())
        event_record(
            ticket=locked, code="csat.rated", actor=customer, to_value=str(score), reason=csat.comment[:500]
        )
    return csat


def csat_add_comment(*, csat: Csat, comment: str) -> Csat:
    """Add the customer's comment to a rating given without one (the e-mail's one-click rating)."""
    comment = (comment or "").strip()
    if not comment:
        return csat
    if len(comment) > 5000:
        raise ValidationError({"comment": ["Keep the comment under 5,000 characters."]})
    with transaction.atomic():
        locked = Csat.objects.select_for_update().get(pk=csat.pk)
        if locked.comment:
            raise ValidationError({"comment": ["This rating has a comment already."]})
        locked.comment = comment
        locked.save(update_fields=["comment"])
        event_record(ticket=locked.ticket, code="csat.commented", actor=locked.ticket.customer, reason=comment[:500])
    return locked
