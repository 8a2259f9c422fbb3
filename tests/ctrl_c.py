"""Children that a test stops with Ctrl-C (a real SIGINT) must be able to receive it.

A background job of a non-interactive shell starts with SIGINT ignored, and an ignored disposition survives
exec: Python then installs no KeyboardInterrupt handler, and the child would wait for a signal that cannot come.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen_interruptible(args: list[str], **options: Any) -> subprocess.Popen[Any]:
    """subprocess.Popen whose child gets SIGINT's default disposition, whatever this process has."""
    if sys.platform != "win32":  # preexec_fn is POSIX-only; the Ctrl-C tests skip Windows
        options["preexec_fn"] = _default_sigint
    return subprocess.Popen(args, **options)
