"""The supervisor behind `manage.py start`: keeps the web server and the worker running together.

Each child runs in its own process group, so everything it spawns (uvicorn's web workers, django-q2's
sentinel, pool and monitor processes) can be signalled and reaped as one:
- a child that dies (even by `kill -9`) has the rest of its group killed, so nothing it spawned is left
  behind, and is started again after a back-off (1 s, 2 s, 4 s ... up to 30 s; back to 1 s once a run
  has lasted a minute), while the other child keeps serving;
- SIGINT (Ctrl-C) or SIGTERM (what systemd sends) to the supervisor, or to its process group, stops both:
  SIGTERM to each child's main process, a grace period, then SIGKILL to whatever is left of each group;
- on Linux each child is also told to stop if the supervisor itself is killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
HEALTHY_RUN = 60.0  # a run this long resets the back-off
STOP_GRACE = 15.0
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies (Linux only; a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    backoff: float = BACKOFF_FIRST
    restarts: int = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Supervisor:
    children: list[Child]
    cwd: Path
    say: Callable[[str], None] = print
    poll_seconds: float = 0.25
    _stopping: bool = field(default=False, init=False)

    def run(self) -> int:
        """Start the children and keep them up until SIGINT/SIGTERM; returns the exit code."""
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for child in self.children:
                self._start(child)
            while not self._stopping:
                now = time.monotonic()
                for child in self.children:
                    self._watch(child, now)
                time.sleep(self.poll_seconds)
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _request_stop(self, signum, _frame) -> None:
        self._stopping = True

    def _start(self, child: Child) -> None:
        child.process = subprocess.Popen(
            child.command, cwd=self.cwd, process_group=0, preexec_fn=_die_with_parent
        )
        child.started_at = time.monotonic()
        child.restart_at = None

    def _watch(self, child: Child, now: float) -> None:
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.restarts += 1
                self.say(f"Starting the {child.name} again (restart {child.restarts}).")
                self._start(child)
            return
        if child.running:
            return
        code = child.process.returncode
        _kill_group(child.process.pid)  # what the dead process spawned dies with it
        if now - child.started_at >= HEALTHY_RUN:
            child.backoff = BACKOFF_FIRST
        self.say(
            f"The {child.name} stopped (exit code {code}); starting it again in {child.backoff:.0f} s, "
            "the rest keeps running."
        )
        child.restart_at = now + child.backoff
        child.backoff = min(child.backoff * 2, BACKOFF_MAX)

    def stop(self) -> None:
        """SIGTERM each child's main process, wait for them, then SIGKILL whatever is left of each group."""
        self._stopping = True
        started = [child.process for child in self.children if child.process is not None]
        for process in started:
            if process.poll() is None:
                _signal(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for process in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in started:
            _kill_group(process.pid)
            if process.poll() is None:
                process.wait()


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _kill_group(pgid: int) -> None:
    """SIGKILL every process left in the group (the group id is the id of the child that led it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
