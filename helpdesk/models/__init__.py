"""Core helpdesk models: who asks (organizations, customers), who answers (teams, tiers, skills,
agents), what is asked (tickets, messages, events, CSAT), and what is told (notifications, live events,
knowledge articles)."""

from helpdesk.models.accounts import Customer, Organization, Segment
from helpdesk.models.idempotency import IdempotencyKey
from helpdesk.models.knowledge import Article
from helpdesk.models.live import LiveEvent
from helpdesk.models.notifications import Notification
from helpdesk.models.staff import Agent, AgentLeave, AgentSkill, AgentStatus, Role, Skill, Team, Tier
from helpdesk.models.tickets import (
    OPEN_STATUSES,
    AuthorKind,
    Autonomy,
    Category,
    Channel,
    Csat,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    Trigger,
)

__all__ = [
    "OPEN_STATUSES",
    "Agent",
    "AgentLeave",
    "AgentSkill",
    "AgentStatus",
    "Article",
    "AuthorKind",
    "Autonomy",
    "Category",
    "Channel",
    "Csat",
    "Customer",
    "IdempotencyKey",
    "LiveEvent",
    "Message",
    "Notification",
    "Organization",
    "Priority",
    "Role",
    "Segment",
    "Skill",
    "Status",
    "Team",
    "Ticket",
    "TicketEvent",
    "Tier",
    "Trigger",
]
