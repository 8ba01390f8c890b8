"""Domain error messages, shared by services, forms, the API and the tests that assert them.

Marked for translation: forms show them in the reader's language (helpdesk.forms.run_service).
"""

from django.utils.translation import gettext_noop

ERR_SUBJECT_REQUIRED = gettext_noop("Please give the ticket a subject.")
ERR_BODY_REQUIRED = gettext_noop("Please describe the problem.")
ERR_MESSAGE_EMPTY = gettext_noop("Write a message or attach a file.")
ERR_TICKET_CLOSED = gettext_noop("This ticket is closed. Please open a new ticket instead.")
ERR_NOT_OPEN = gettext_noop("Only open tickets can be escalated or assigned.")
ERR_ALREADY_RESOLVED = gettext_noop("This ticket is already resolved.")
ERR_REASON_REQUIRED = gettext_noop("Say why you are escalating, so the next person does not have to ask.")
ERR_TEAM_REQUIRED = gettext_noop("A functional escalation needs the team to hand the ticket to.")
ERR_SAME_TEAM = gettext_noop("The ticket is already with this team.")
ERR_TIER_NOT_HIGHER = gettext_noop("A hierarchical escalation must go to a higher tier than the current one.")
ERR_NO_HIGHER_TIER = gettext_noop("There is no higher tier to escalate to.")
ERR_CUSTOMER_NOTE = gettext_noop("Customers cannot add internal notes.")
ERR_NOT_RATEABLE = gettext_noop("Only resolved tickets can be rated.")
ERR_ALREADY_RATED = gettext_noop("This ticket has already been rated.")
ERR_NOT_YOUR_TICKET = gettext_noop("You can only act on your own tickets.")
ERR_NOT_AN_AGENT = gettext_noop("Only agents can do this.")
ERR_BAD_STATUS_CHANGE = gettext_noop("A {old} ticket cannot be set to {new}.")
ERR_AGENT_NOT_IN_TEAM = gettext_noop("This agent is not a member of the ticket's team.")
ERR_DECLINE_REASON_REQUIRED = gettext_noop("Say why you are declining, so routing and your lead know.")
ERR_NOT_ASSIGNEE = gettext_noop("Only the agent the ticket is assigned to can decline it.")
ERR_ARTICLE_TITLE_REQUIRED = gettext_noop("Give the article a title customers would search for.")
ERR_ARTICLE_BODY_REQUIRED = gettext_noop("Write the answer the article gives.")
ERR_BELOW_TIER = gettext_noop(
    "This ticket is with a higher tier than yours: add a note, or ask a lead to hand it back to you."
)
