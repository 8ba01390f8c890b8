"""Test settings: the real settings, with background tasks run inline and fast password hashing."""

from config.settings import *  # noqa: F403

Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405 - tasks run inline, at on_commit time
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CHANNEL_LAYERS = {"default": {"BACKEND": "helpdesk.live.layers.LocalChannelLayer"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
ESCALATION_POLICY_TTL = 0  # the routing policy cache would outlive each test's rollback
CUSTOMER_CACHE_SECONDS = (
    0  # kept customers would outlive each test's rollback (tests/helpdesk/test_customers.py)
)
