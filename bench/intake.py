"""Intake throughput: POST /api/tickets/ vs a bare DRF insert, same server, same run.

    python bench/intake.py [--seconds 8] [--rounds 5] [--connections 8]

PostgreSQL (a throw-away database) + Redis (task broker, cache), production server: uvicorn with 2
workers, DEBUG off, persistent connections. The django-q2 worker is not running: intake must not wait
for routing, and the bench measures intake alone (enqueued routing tasks are discarded afterwards).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, fresh_postgres, manage, server, wrk  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=5)
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
        endpoints = {"bare": "/bench/bare/", "intake": "/api/tickets/"}
        runs: dict[str, list[dict]] = {"bare": [], "intake": []}
        with server(env) as url:

            def load(name: str, seconds: int) -> dict:
                return wrk(
                    url + endpoints[name],
                    script=script,
                    seconds=seconds,
                    connections=args.connections,
                    env=wrk_env,
                )

            load("bare", 3), load("intake", 3)  # warm-up
            # This machine's speed drifts by a third within minutes: alternate short rounds, so both
            # endpoints see the same conditions, and compare each round's ratio.
            for _ in range(args.rounds):
                for name in runs:
                    runs[name].append(load(name, args.seconds))
        tickets = manage(
            "shell",
            "--no-imports",
            "-c",
            "from helpdesk.models import Ticket; print(Ticket.objects.count())",
            env=env,
        ).strip()
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}   (median of rounds)")
    labels = {"bare": "bare DRF insert (reference)", "intake": "POST /api/tickets/"}
    for name, results in runs.items():
        p = {key: statistics.median(r[key] for r in results) for key in ("rps", "p50_ms", "p99_ms")}
        errors = sum(r["non_2xx"] for r in results)
        print(f"{labels[name]:<28}{p['rps']:>10.1f}{p['p50_ms']:>10.1f}{p['p99_ms']:>10.1f}{errors:>10}")
    ratios = [i["rps"] / b["rps"] for b, i in zip(runs["bare"], runs["intake"], strict=True)]
    print(
        f"ratio intake/reference per round: {', '.join(f'{r:.0%}' for r in ratios)}; "
        f"median {statistics.median(ratios):.0%}   (tickets created: {tickets})"
    )


if __name__ == "__main__":
    main()
