"""Core helpdesk models: who asks (organizations, customers), who answers (teams, tiers, skills,
agents), what is asked (tickets, messages, events, CSAT), and what is told (notifications, live events,
knowledge articles)."""

from helpdesk.models.accounts import Customer, Organization, Segment
from helpdesk.models.attachments import Attachment
from helpdesk.models.knowledge import Article, ReviewState
from helpdesk.models.live import LiveEvent
from helpdesk.models.mail import (
    InboundEmail,
    InboundOutcome,
    Mailbox,
    OrganizationDomain,
    OutboundEmail,
    OutboundKind,
    OutboundState,
    TicketCc,
)
from helpdesk.models.notifications import Notification
from helpdesk.models.search import TicketSearchDocument
from helpdesk.models.staff import Agent, AgentLeave, AgentSkill, AgentStatus, Role, Skill, Team, Tier
from helpdesk.models.tickets import (
    OPEN_STATUSES,
    AuthorKind,
    Autonomy,
    Category,
    CategorySource,
    Channel,
    Csat,
    Message,
    MessageChannel,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    Trigger,
)
from helpdesk.models.workspace import LinkKind, Macro, SavedView, Tag, TicketLink

__all__ = [
    "TicketCc",
    "OutboundState",
    "OutboundKind",
    "OutboundEmail",
    "OrganizationDomain",
    "MessageChannel",
    "Mailbox",
    "InboundOutcome",
    "InboundEmail",
    "OPEN_STATUSES",
    "Agent",
    "AgentLeave",
    "AgentSkill",
    "AgentStatus",
    "Article",
    "Attachment",
    "AuthorKind",
    "Autonomy",
    "Category",
    "CategorySource",
    "Channel",
    "Csat",
    "Customer",
    "LiveEvent",
    "Message",
    "Notification",
    "Organization",
    "Priority",
    "ReviewState",
    "Role",
    "Segment",
    "Skill",
    "Status",
    "Team",
    "Ticket",
    "TicketEvent",
    "Tier",
    "Trigger",
    "LinkKind",
    "Macro",
    "SavedView",
    "Tag",
    "TicketLink",
    "TicketSearchDocument",
]
