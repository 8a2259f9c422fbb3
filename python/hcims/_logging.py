"""The ``hcims`` logger: one INFO record per HTTP request attempt, DEBUG for job polls and retries.

hcims adds no handler and writes no file: configure ``logging`` as usual, e.g.
``logging.basicConfig(level=logging.INFO)`` or ``logging.getLogger("hcims").setLevel(logging.DEBUG)``.
When the logger is off, no record is built at all (the Rust core is not even asked to time requests).

Every record carries its fields as attributes too (``hcims_method``, ``hcims_path``, ``hcims_status``,
``hcims_request_id``, ``hcims_elapsed_ms``, ``hcims_attempt``), for structured handlers. Paths hold no
secret; headers and bodies are never logged.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

logger = logging.getLogger("hcims")


def emit(event: tuple[Any, ...]) -> None:
    """Writes one event of the native layer (see ``src/logging.rs``)."""
    if event[0] == "attempt":
        _, method, path, status, request_id, elapsed_ms, attempt, poll, error = event
        _attempt(method, path, status, request_id, elapsed_ms, attempt, poll, error)
    elif event[0] == "retry":
        _, method, path, next_attempt, delay, reason = event
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "retrying %s %s in %.2f s (attempt %d): %s",
                method,
                path,
                delay,
                next_attempt,
                reason,
                extra={"hcims_method": method, "hcims_path": path, "hcims_attempt": next_attempt},
            )


def _attempt(
    method: str,
    path: str,
    status: Optional[int],
    request_id: Optional[str],
    elapsed_ms: float,
    attempt: int,
    poll: bool,
    error: Optional[str],
) -> None:
    level = logging.DEBUG if poll else logging.INFO
    if not logger.isEnabledFor(level):
        return
    outcome = str(status) if status is not None else f"failed ({error})"
    logger.log(
        level,
        "%s%s %s -> %s in %.0f ms (attempt %d, request id %s)",
        "poll: " if poll else "",
        method,
        path,
        outcome,
        elapsed_ms,
        attempt,
        request_id or "-",
        extra={
            "hcims_method": method,
            "hcims_path": path,
            "hcims_status": status,
            "hcims_request_id": request_id,
            "hcims_elapsed_ms": elapsed_ms,
            "hcims_attempt": attempt,
        },
    )
