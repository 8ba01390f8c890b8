"""Abuse limits: login lockout (django-axes), API rate limits, the per-customer limit on new tickets,
and the per-user cap on open live sockets. Every limit is a setting (README: Configuration); the
counters live in the cache, shared by all processes when REDIS_URL is set (per process without it)."""
