"""Writes: plain functions with keyword-only arguments, named <entity>_<verb>.

Each one validates (raising ValidationError with field messages or PermissionDenied), changes rows in
one transaction, and records what happened in the ticket's event log.
"""

from helpdesk.services.agents import agent_set_status
from helpdesk.services.csat import csat_submit
from helpdesk.services.customers import customer_get_or_create
from helpdesk.services.knowledge import article_create
from helpdesk.services.messages import message_add
from helpdesk.services.notifications import (
    agent_set_email_notifications,
    notification_mark_read,
    notifications_mark_all_read,
)
from helpdesk.services.tickets import (
    ticket_arrivals_record,
    ticket_assign,
    ticket_create,
    ticket_decline,
    ticket_escalate,
    ticket_reopen,
    ticket_resolve,
    ticket_set_category,
    ticket_set_priority,
    ticket_set_status,
)

__all__ = [
    "agent_set_email_notifications",
    "agent_set_status",
    "article_create",
    "csat_submit",
    "customer_get_or_create",
    "message_add",
    "notification_mark_read",
    "notifications_mark_all_read",
    "ticket_arrivals_record",
    "ticket_assign",
    "ticket_create",
    "ticket_decline",
    "ticket_escalate",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_set_category",
    "ticket_set_priority",
    "ticket_set_status",
]
