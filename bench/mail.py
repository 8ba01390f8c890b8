"""E-mail channel speed: e-mails ingested per second from IMAP by one worker, and the delay from an
agent's reply to the e-mail reaching the SMTP server with the django-q2 worker running.

    python bench/mail.py [--emails 500] [--replies 60]

Uses DATABASE_URL if set (e.g. a throw-away PostgreSQL database), else a fresh SQLite file in a temp
folder; starts a real IMAP server (pymap) and a real SMTP server (aiosmtpd) on free ports.
1. Ingest: `--emails` e-mails (new tickets from 50 senders, a third of them replies threaded by
   References, one in ten with an attachment) are put into the IMAP INBOX; one `mailboxes_fetch()` pass
   in this process reads them all (each: fetch, parse, trim, store, hand routing to the broker, mark seen).
2. Reply delay: `manage.py qcluster` runs; an agent answers `--replies` tickets one by one (every 0.25 s);
   the delay is from the reply's commit to the SMTP server having the whole e-mail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TMP = Path(tempfile.mkdtemp(prefix="bench_mail_"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP / 'bench.sqlite3'}")
os.environ.setdefault("HELPDESK_VAR_DIR", str(TMP))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["MAIL_SENDER_LIMIT"] = "100000"
os.environ["Q_CLUSTER_NAME"] = "bench_mail"
os.environ["LOG_LEVEL"] = "WARNING"

from tests.helpdesk.mail.servers import start_imap, start_smtp  # noqa: E402

SMTP, SMTP_CONTROLLER = start_smtp()
os.environ["EMAIL_URL"] = f"smtp://{SMTP.host}:{SMTP.port}"
os.environ["HELPDESK_FROM_EMAIL"] = "support@helpdesk.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django_q.models import OrmQ  # noqa: E402

from helpdesk.mail.imap import mailboxes_fetch  # noqa: E402
from helpdesk.models import Agent, AgentStatus, Mailbox, Role, Team, Ticket, Tier  # noqa: E402
from helpdesk.services import message_add  # noqa: E402
from tests.factories import AgentFactory, UserFactory  # noqa: E402


def email(n: int, *, reply_to: int | None = None) -> bytes:
    who = n if reply_to is None else reply_to  # a reply comes from the one who wrote first
    sender = f"customer{who % 50}@acme{who % 7}.test"
    headers = [
        f"From: Customer {who % 50} <{sender}>",
        "To: support@helpdesk.test",
        f"Subject: {'' if reply_to is None else 'Re: '}Export problem number {n}",
        f"Message-ID: <bench-{n}@acme.test>",
    ]
    if reply_to is not None:
        headers += [f"In-Reply-To: <bench-{reply_to}@acme.test>", f"References: <bench-{reply_to}@acme.test>"]
    text = (
        f"Hello,\r\n\r\nthe export of report {n} fails with a timeout after 30 seconds.\r\n"
        "We tried twice this morning.\r\n\r\nBest regards,\r\nCustomer\r\n"
    )
    if reply_to is not None:
        text += "\r\nOn Thu, Dec 3, 2026 at 10:30 AM Support <support@helpdesk.test> wrote:\r\n> Earlier answer.\r\n"
    if n % 10 == 0:
        boundary = f"b{n}"
        headers += ["MIME-Version: 1.0", f'Content-Type: multipart/mixed; boundary="{boundary}"']
        body = (
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            f'--{boundary}\r\nContent-Type: text/plain; name="export.log"\r\n'
            f'Content-Disposition: attachment; filename="export.log"\r\n\r\n'
            + "2026-12-03 02:00:01 ERROR export: timeout\r\n" * 40
            + f"\r\n--{boundary}--\r\n"
        )
    else:
        headers += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8"]
        body = text
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def ingest(imap, count: int) -> float:
    firsts = max(1, count * 2 // 3)
    raws = [email(n) for n in range(firsts)]
    raws += [email(firsts + n, reply_to=n) for n in range(count - firsts)]
    imap.deliver(*raws)
    started, cpu_started = time.perf_counter(), time.process_time()
    reports = mailboxes_fetch()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    report = reports[0]
    print(
        f"ingest: {report.fetched} e-mails in {elapsed:.2f} s = {report.fetched / elapsed:.1f}/s per worker "
        f"({report.created} new tickets, {report.threaded} replies, {report.ignored} ignored, {report.failed} failed)"
    )
    # On a shared machine the wall clock counts other processes' turns; the worker's own CPU time
    # (parsing, SQLite, our code; not the IMAP server's) says what one worker does with a core to itself.
    print(f"ingest: {cpu:.2f} s of the worker's CPU = {report.fetched / cpu:.1f} e-mails per CPU-second")
    load = os.getloadavg()[0]
    print(f"machine: load average {load:.1f} on {os.cpu_count()} cores")
    OrmQ.objects.all().delete()  # the routing tasks intake handed on are not part of this measure
    return report.fetched / elapsed


def reply_delay(replies: int) -> list[float]:
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # the cluster's processes start
        agent = Agent.objects.select_related("user").get(user__username="bench-agent")
        delays: list[float] = []
        tickets = list(Ticket.objects.order_by("pk")[:replies])
        for ticket in tickets:
            before = len(SMTP.received)
            message_add(ticket=ticket, author=agent.user, body=f"Answer for #{ticket.pk}: please retry now.")
            committed = time.perf_counter()
            deadline = committed + 30
            while time.perf_counter() < deadline:
                if any(
                    f"Answer for #{ticket.pk}:" in r.raw.decode("utf-8", "replace")
                    for r in SMTP.received[before:]
                ):
                    delays.append(time.perf_counter() - committed)
                    break
                time.sleep(0.005)
            time.sleep(0.25)
        return delays
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=500)
    parser.add_argument("--replies", type=int, default=60)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    imap = start_imap(username="support@helpdesk.test", password="bench")
    try:
        team = Team.objects.create(name="Support")
        tier = Tier.objects.get_or_create(level=1, defaults={"name": "First line"})[0]
        AgentFactory(
            user=UserFactory(username="bench-agent"),
            tier=tier,
            teams=[team],
            role=Role.LEAD,
            status=AgentStatus.AVAILABLE,
        )
        Mailbox.objects.create(
            name="Support",
            email_address="support@helpdesk.test",
            team=team,
            imap_host=imap.host,
            imap_port=imap.port,
            imap_ssl=False,
            imap_username=imap.username,
            imap_password=imap.password,
        )
        print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}")
        ingest(imap, args.emails)
        delays = reply_delay(args.replies)
        if delays:
            delays.sort()
            p95 = delays[min(len(delays) - 1, int(len(delays) * 0.95))]
            print(
                f"reply delay over {len(delays)}/{args.replies} replies: median {statistics.median(delays) * 1000:.0f} ms, "
                f"p95 {p95 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms"
            )
        else:
            print("reply delay: no reply reached the SMTP server")
    finally:
        imap.process.terminate()
        SMTP_CONTROLLER.stop()


if __name__ == "__main__":
    main()
