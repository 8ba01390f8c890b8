"""The help center: customers browse and search the published knowledge base, get articles suggested while
they write a ticket, vote on them, and say when one solved their question without a ticket.

Articles are ranked as automatic answers pick them (escalation.autonomy.knowledge), so what a customer is shown
while typing is what automation would have answered with.
"""
