"""The facts analytics reports are computed from: for every day, the tickets created that day with the
values the reports need (durations, flags, places, the escalations and assignments that happened to
them), as packed numpy arrays, kept current from the event log.

A year of tickets is read as ~365 rows per column instead of aggregating a million tickets and millions
of events per report (docs/performance.md). `columns` says what is kept, `build` how it is read from
tickets and events, `store` when days are rebuilt, `cohort` how a report selects its tickets.
"""
