"""Settings for benchmarks: the production settings plus a bare reference endpoint (bench.bareapp)."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.bareapp"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
