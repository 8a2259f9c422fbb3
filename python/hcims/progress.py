"""How far waited-for jobs are, shown while waiting (``progress=True``).

With tqdm installed (``pip install "hcims[progress]"``) the display is a ``tqdm.auto`` bar: a widget in
Jupyter, a text bar in a terminal. Without it, one line on stderr is rewritten in place with ``\\r``.
Exactly one of the two is used.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Optional, TextIO

if TYPE_CHECKING:
    # Only for annotations (postponed by the __future__ import), so no runtime dependency.
    from typing_extensions import Self

    from .job import Job

__all__ = ["CreateProgress", "JobProgress", "ProgressCallback"]

#: What ``on_progress`` receives: every snapshot of a job while it is waited for.
ProgressCallback = Callable[["Job"], Any]

_BAR_WIDTH = 20


def _tqdm_class() -> Optional[Callable[..., Any]]:
    """``tqdm.auto.tqdm`` when tqdm is installed, else None."""
    try:
        with warnings.catch_warnings():
            # In a Jupyter kernel without ipywidgets tqdm warns and falls back to its text bar: that
            # fallback is fine here, the warning would only be noise in the notebook.
            warnings.simplefilter("ignore")
            from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        return None
    factory: Callable[..., Any] = tqdm
    return factory


class _TqdmDisplay:
    def __init__(self, tqdm: Callable[..., Any], description: str, file: Optional[TextIO]) -> None:
        self._bar = tqdm(
            total=100,
            desc=description,
            file=file,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}{postfix}]",
            leave=True,
        )

    def show(self, percent: float, note: str) -> None:
        self._bar.n = percent
        self._bar.set_postfix_str(note, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


class _LineDisplay:
    """One line on stderr (or ``file``), rewritten with ``\\r`` only when its text changes."""

    def __init__(self, description: str, file: Optional[TextIO]) -> None:
        self._description = description
        self._file = file
        self._shown = ""

    def show(self, percent: float, note: str) -> None:
        filled = round(_BAR_WIDTH * percent / 100.0)
        text = f"{self._description}: {percent:3.0f}% |{'#' * filled}{'-' * (_BAR_WIDTH - filled)}| {note}"
        if text == self._shown:
            return
        # Pad over whatever is left of a longer line before.
        padding = " " * max(0, len(self._shown) - len(text))
        self._write(f"\r{text}{padding}")
        self._shown = text

    def close(self) -> None:
        if self._shown:
            self._write("\n")
            self._shown = ""

    def _write(self, text: str) -> None:
        file = self._file if self._file is not None else sys.stderr
        file.write(text)
        file.flush()


class _Progress:
    """A bar (tqdm's, or one line) that is closed once: the part JobProgress and CreateProgress share."""

    def __init__(self, description: str, file: Optional[TextIO]) -> None:
        tqdm = _tqdm_class()
        self._display = (
            _TqdmDisplay(tqdm, description, file) if tqdm is not None else _LineDisplay(description, file)
        )
        self._closed = False

    def close(self) -> None:
        """Ends the display (the bar stays visible). Calling it again does nothing."""
        if not self._closed:
            self._closed = True
            self._display.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.close()


class JobProgress(_Progress):
    """A progress display for jobs being waited for; an ``on_progress`` callback.

    Call it with each :class:`hcims.Job` snapshot, then :meth:`close` it (or use it in a ``with``
    block). For one job it shows the job's progress and status; for several, their mean progress and
    how many are done. ``file`` defaults to stderr.
    """

    def __init__(self, job_ids: Sequence[str], *, file: Optional[TextIO] = None) -> None:
        self._fractions: dict[str, float] = dict.fromkeys(job_ids, 0.0)
        self._statuses: dict[str, str] = {}
        count = len(self._fractions)
        if count == 1:
            description = f"job {next(iter(self._fractions))[:12]}"
        else:
            description = f"{count} jobs"
        super().__init__(description, file)

    def __call__(self, job: Job) -> None:
        if self._closed:
            return
        if job.done:
            # A FAIL is as finished as a SUCCESS: the bar shows how much of the waiting is over.
            fraction = 1.0
        elif job.progress is not None:
            fraction = job.progress
        else:
            fraction = self._fractions.get(job.id, 0.0)
        self._fractions[job.id] = fraction
        self._statuses[job.id] = job.status
        self._display.show(self.fraction * 100.0, self._note())

    @property
    def fraction(self) -> float:
        """The mean progress of the jobs, 0.0 to 1.0 (a job not heard of yet counts as 0)."""
        if not self._fractions:
            return 0.0
        return sum(self._fractions.values()) / len(self._fractions)

    def _note(self) -> str:
        if len(self._fractions) == 1:
            return next(iter(self._statuses.values()), "")
        done = sum(1 for status in self._statuses.values() if status in ("SUCCESS", "FAIL"))
        failed = sum(1 for status in self._statuses.values() if status == "FAIL")
        note = f"{done}/{len(self._fractions)} done"
        return f"{note}, {failed} failed" if failed else note


class CreateProgress(_Progress):
    """A progress display for many creates (``create_many(progress=True)``); called with each outcome.

    Call it with ``True`` for each create that got a job id and ``False`` for each that failed, then
    :meth:`close` it (or use it in a ``with`` block). It shows how many of ``total`` ended, and how many
    failed. ``file`` defaults to stderr.
    """

    def __init__(self, total: int, *, file: Optional[TextIO] = None) -> None:
        self._total = total
        self._done = 0
        self._failed = 0
        super().__init__(f"{total} creates", file)

    def __call__(self, ok: bool) -> None:
        if self._closed:
            return
        self._done += 1
        if not ok:
            self._failed += 1
        self._display.show(100.0 * self.fraction, self._note())

    @property
    def fraction(self) -> float:
        """The share of the creates that ended, 0.0 to 1.0."""
        return self._done / self._total if self._total else 1.0

    @property
    def failed(self) -> int:
        """How many creates failed so far."""
        return self._failed

    def _note(self) -> str:
        note = f"{self._done}/{self._total} done"
        return f"{note}, {self._failed} failed" if self._failed else note


@contextmanager
def counting(total: int, progress: bool) -> Iterator[Optional[Callable[[bool], None]]]:
    """The callback a ``create_many`` should call with each outcome (``ok``): a :class:`CreateProgress`
    when ``progress``, else None. The display is closed when the block ends."""
    if not progress:
        yield None
        return
    with CreateProgress(total) as display:
        yield display


@contextmanager
def watching(
    job_ids: Sequence[str], on_progress: Optional[ProgressCallback], progress: bool
) -> Iterator[Optional[ProgressCallback]]:
    """The callback a wait should call with each snapshot: ``on_progress``, a :class:`JobProgress` (when
    ``progress``), both, or None when nobody watches. A display is closed when the block ends."""
    if not progress:
        yield on_progress
        return
    with JobProgress(job_ids) as display:
        if on_progress is None:
            yield display
        else:
            user_callback = on_progress

            def both(job: Job) -> None:
                display(job)
                user_callback(job)

            yield both
