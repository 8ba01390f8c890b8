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
# Abuse limits high enough that no test hits them by accident; tests of the limits lower them.
AXES_FAILURE_LIMIT = 1000
HELPDESK_TICKETS_PER_HOUR = 100_000
HELPDESK_SOCKETS_PER_USER = 1000
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/minute",
        "user": "100000/minute",
        "staff": "100000/minute",
        "bad_token": "100000/minute",
    },
}
# The test client speaks plain HTTP to "testserver"; tests/helpdesk/test_deploy_settings.py checks the
# production defaults in fresh processes.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
