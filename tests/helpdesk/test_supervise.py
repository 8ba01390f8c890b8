"""`manage.py start` with real processes: a killed worker comes back while the web keeps serving, and
SIGTERM/Ctrl-C stop everything the supervisor started, the worker's own children included."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, _free_port, _wait_until_healthy

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")


def processes() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, command line) for every live, non-zombie process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            table[int(entry.name)] = (int(fields[1]), int(fields[2]), cmdline)
    return table


def descendants(root: int) -> set[int]:
    table, found, frontier = processes(), set(), {root}
    while frontier:
        frontier = {pid for pid, (ppid, _, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def worker_pids(supervisor: int) -> set[int]:
    """The worker's main process (a direct child running qcluster)."""
    return {pid for pid, (ppid, _, cmd) in processes().items() if ppid == supervisor and "qcluster" in cmd}


def wait_for(predicate, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def started(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        "Q_CLUSTER_NAME": f"sup{port}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)
    log = open(tmp_path / "start.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "manage.py", "start", "--no-seed", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as under systemd or a terminal
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        wait_for(lambda: worker_pids(process.pid), what="the worker")
        yield process, url, tmp_path / "start.log"
    finally:
        left = descendants(process.pid)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()
        log.close()


def test_a_killed_worker_is_restarted_and_the_web_keeps_serving(started):
    supervisor, url, log = started
    (worker,) = worker_pids(supervisor.pid)
    wait_for(lambda: len(descendants(worker)) >= 2, what="the worker's pool processes")
    worker_group = descendants(worker) | {worker}

    os.kill(worker, signal.SIGKILL)
    assert healthy(url)  # the web does not go down with the worker
    wait_for(lambda: not (worker_group & set(processes())), what="the dead worker's children to go")
    wait_for(lambda: worker_pids(supervisor.pid) - {worker}, what="a new worker")
    assert supervisor.poll() is None and healthy(url)
    assert "starting it again" in log.read_text()

    everything = descendants(supervisor.pid)
    os.killpg(supervisor.pid, signal.SIGTERM)  # what systemd sends to the unit's processes
    assert supervisor.wait(timeout=40) == 0
    wait_for(lambda: not (everything & set(processes())), timeout=5, what="no process left behind")
    assert not healthy(url)


def test_ctrl_c_stops_web_worker_and_the_worker_s_children(started):
    supervisor, url, _ = started
    (worker,) = worker_pids(supervisor.pid)
    wait_for(lambda: len(descendants(worker)) >= 2, what="the worker's pool processes")
    everything = descendants(supervisor.pid)
    assert len(everything) >= 4  # web, worker, and the worker's own processes

    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=40) == 0
    wait_for(lambda: not (everything & set(processes())), timeout=5, what="no process left behind")
