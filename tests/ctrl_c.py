"""Children that a test stops with Ctrl-C (a real SIGINT) must be able to receive it.

A background job of a non-interactive shell starts with SIGINT ignored, and an ignored disposition survives
exec: Python then installs no KeyboardInterrupt handler, and the child would wait for a signal that cannot come.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen_interruptible(args: list[str], **options: Any) -> subprocess.Popen[Any]:
    """subprocess.Popen whose child gets SIGINT's default disposition, whatever this process has."""
    if sys.platform != "win32":  # preexec_fn is POSIX-only; the Ctrl-C tests skip Windows
        options["preexec_fn"] = _default_sigint
    return subprocess.Popen(args, **options)


@dataclass(frozen=True)
class Interrupted:
    """How a child took Ctrl-C: the line it printed next, how long after the SIGINT, and how it ended."""

    line: str
    elapsed: float
    returncode: int
    err: str


def ctrl_c_after_ready(args: list[str], *, settle: float) -> Interrupted:
    """Runs the child until it prints READY, lets it go on for `settle` seconds, presses Ctrl-C (a real SIGINT)
    and reads the line it prints next. A child that outlives the test is killed."""
    child = popen_interruptible(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
        time.sleep(settle)
        sent = time.monotonic()
        os.kill(child.pid, signal.SIGINT)
        line = child.stdout.readline().strip()
        elapsed = time.monotonic() - sent
        _, err = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
    return Interrupted(line, elapsed, child.returncode, err)
