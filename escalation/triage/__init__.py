"""Triage: what a ticket is about (category/team), how urgent, how it feels, whether it will escalate."""
