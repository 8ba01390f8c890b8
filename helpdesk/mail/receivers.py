"""Signal wiring of the e-mail channel: a ticket event that may make a customer e-mail due hands it to
the worker after commit (helpdesk.mail.outbound decides and sends)."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from helpdesk.background import enqueue
from helpdesk.mail.outbound import COPIED_EVENT, MAIL_EVENTS
from helpdesk.signals import ticket_event_recorded

CUSTOMER_MAIL_TASK = "helpdesk.mail.tasks.customer_mail"


@receiver(ticket_event_recorded, dispatch_uid="helpdesk.mail.customer_mail")
def customer_mail(sender, event, **kwargs) -> None:
    if event.code in MAIL_EVENTS or (
        # someone copied on the ticket wrote: the customer and the other CCs hear it (the customer's
        # own messages need no e-mail, so no task for them)
        event.code == COPIED_EVENT
        and event.actor_id is not None
        and event.actor_id != event.ticket.customer_id
    ):
        transaction.on_commit(lambda: enqueue(CUSTOMER_MAIL_TASK, event.pk))
