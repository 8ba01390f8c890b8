"""Domain signals sent by helpdesk services.

Other apps (routing, SLA) listen to these instead of helpdesk importing them. Receivers must only
hand work to background tasks with `transaction.on_commit` (ids, not instances).
"""

from django.dispatch import Signal

# Sent inside the transaction that recorded the event. kwargs: event (TicketEvent).
ticket_event_recorded = Signal()

# Sent inside the transaction that saved a new ticket (ticket_create). kwargs: ticket_id. Its first
# routing records its `ticket.created` event (ticket_arrivals_record), so intake writes two rows.
ticket_received = Signal()

# Sent inside the transaction that changed the agent. kwargs: agent_id, old_status, new_status.
agent_status_changed = Signal()
