"""Intake throughput: POST /api/tickets/ vs a bare DRF insert, same server, same run.

    python bench/intake.py [--seconds 15] [--connections 8]

PostgreSQL (a throw-away database) + Redis (task broker, cache), production server: uvicorn with 2
workers, DEBUG off, persistent connections. The django-q2 worker is not running: intake must not wait
for routing, and the bench measures intake alone (enqueued routing tasks are discarded afterwards).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, fresh_postgres, manage, server, wrk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    redis_url = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9")
    with fresh_postgres("bench_intake") as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "Q_CLUSTER_NAME": "bench_intake",
        }
        manage("migrate", "-v0", env=env)
        manage("seed_demo", "--tickets", "0", env=env)
        token = manage(
            "shell",
            "--no-imports",
            "-c",
            "from rest_framework.authtoken.models import Token; print(Token.objects.get(user__username='integration').key)",
            env=env,
        ).strip()
        script = ROOT / "bench" / "post_ticket.lua"
        wrk_env = {**os.environ, "BENCH_TOKEN": token}
        with server(env) as url:
            wrk(
                url + "/bench/bare/", script=script, seconds=3, connections=args.connections, env=wrk_env
            )  # warm-up
            wrk(url + "/api/tickets/", script=script, seconds=3, connections=args.connections, env=wrk_env)
            bare = wrk(
                url + "/bench/bare/",
                script=script,
                seconds=args.seconds,
                connections=args.connections,
                env=wrk_env,
            )
            intake = wrk(
                url + "/api/tickets/",
                script=script,
                seconds=args.seconds,
                connections=args.connections,
                env=wrk_env,
            )
        tickets = manage(
            "shell",
            "--no-imports",
            "-c",
            "from helpdesk.models import Ticket; print(Ticket.objects.count())",
            env=env,
        ).strip()
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}")
    for name, result in (("bare DRF insert (reference)", bare), ("POST /api/tickets/", intake)):
        print(
            f"{name:<28}{result['rps']:>10.1f}{result['p50_ms']:>10.1f}{result['p99_ms']:>10.1f}{result['non_2xx']:>10}"
        )
    print(f"ratio intake/reference: {intake['rps'] / bare['rps']:.0%}   (tickets created: {tickets})")


if __name__ == "__main__":
    main()
