"""Triage: what a ticket is about (category/team), how urgent, how it feels, whether it will escalate.

Decided in this order (`escalation.triage.ticket.triage_ticket`, the one entry point routing calls):
1. `versions`: which trained version is active, if any (`manage.py train_router` trains one, `retrain`
   weekly; `training`, `features` and `metrics` build and judge it, `store` saves and loads it).
2. With a version active, `predict` asks its models (category, team, priority, escalation probability,
   calibrated confidence); on a fresh install the categories' admin-edited keyword lists answer
   (`keywords`), and the result says so (source "keywords", shown in the decision record).
3. `sentiment`: sentiment and frustration, from the customer's own words, either way.
The scientific stack (scikit-learn, numpy, scipy) loads only with the modules that use a model.
"""
