"""The customer relationship around a ticket: what puts it at risk, and what that means for automation."""
