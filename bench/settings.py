"""Settings for benchmarks: the production settings plus a bare reference endpoint (bench.bareapp)."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.bareapp"]  # noqa: F405
ROOT_URLCONF = "bench.urls"

# Benchmarks measure capacity, not the abuse limits: the counters still run (their cost is measured),
# with limits no benchmark reaches.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000000/minute"),  # noqa: F405
}
HELPDESK_TICKETS_PER_HOUR = 0
HELPDESK_SOCKETS_PER_USER = 0
