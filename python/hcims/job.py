"""The asynchronous job that a create starts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["Job"]


@dataclass(frozen=True)
class Job:
    """A snapshot of an IMS job, as ``GET /v1/{project_id}/jobs/{job_id}`` described it.

    ``image_ids`` lists every image the job made: its own ``image_id`` and those of its sub-jobs
    (data-image jobs carry their ids only there). ``progress`` is a fraction from 0.0 to 1.0, or None
    when IMS did not say. ``raw`` is the whole answer.
    """

    id: str
    status: str
    job_type: Optional[str] = None
    image_id: Optional[str] = None
    image_ids: list[str] = field(default_factory=list)
    progress: Optional[float] = None
    error_code: Optional[str] = None
    fail_reason: Optional[str] = None
    begin_time: Optional[str] = None
    end_time: Optional[str] = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def done(self) -> bool:
        """True once the job is SUCCESS or FAIL: it will not change any more."""
        return self.status in ("SUCCESS", "FAIL")

    @property
    def ok(self) -> bool:
        """True when the job ended in SUCCESS."""
        return self.status == "SUCCESS"

    @property
    def sub_jobs(self) -> list[dict[str, Any]]:
        """The sub-jobs of the answer (``entities.sub_jobs_result``): data-image and OVA jobs keep their
        images there. Each is a dict with the job fields (status, job_id, entities, ...)."""
        entities = self.raw.get("entities")
        subs = entities.get("sub_jobs_result") if isinstance(entities, dict) else None
        return [sub for sub in subs if isinstance(sub, dict)] if isinstance(subs, list) else []

    @property
    def duration(self) -> Optional[float]:
        """Seconds from ``begin_time`` to ``end_time`` when both are ISO-8601 times, else None."""
        began, ended = _parse_time(self.begin_time), _parse_time(self.end_time)
        if began is None or ended is None:
            return None
        return (ended - began).total_seconds()

    def __repr__(self) -> str:
        parts = [f"id={self.id!r}", f"status={self.status!r}"]
        if self.job_type:
            parts.append(f"job_type={self.job_type!r}")
        if self.progress is not None and not self.done:
            parts.append(f"progress={self.progress:.0%}")
        if self.image_ids:
            parts.append(f"image_ids={self.image_ids!r}")
        if self.error_code or self.fail_reason:
            parts.append(f"error_code={self.error_code!r}, fail_reason={self.fail_reason!r}")
        return f"Job({', '.join(parts)})"

    def _repr_html_(self) -> str:
        """A card for notebooks: status, a progress bar, ids, times and the error, if any."""
        colour = _STATUS_COLOURS.get(self.status, "#9a6700")
        percent = 100.0 if self.ok else None if self.progress is None else self.progress * 100.0
        if percent is None:
            bar_width, bar_label = 0.0, "progress unknown"
        else:
            bar_width, bar_label = percent, f"{percent:.0f}%"
        bar = (
            '<span style="display:inline-block;vertical-align:middle;background:#e5e5e5;'
            'width:12em;height:0.7em;border-radius:0.35em;overflow:hidden">'
            f'<span style="display:block;background:{colour};width:{bar_width:.1f}%;height:100%"></span>'
            f"</span> {_escape(bar_label)}"
        )
        rows: list[tuple[str, str]] = [("job", _code(self.id))]
        if self.job_type:
            rows.append(("type", _escape(self.job_type)))
        if self.image_ids:
            rows.append(("images", "<br>".join(_code(i) for i in self.image_ids)))
        for sub in self.sub_jobs:
            rows.append(("sub-job", _sub_job_html(sub)))
        if self.begin_time:
            rows.append(("began", _escape(self.begin_time)))
        if self.end_time:
            took = self.duration
            after = f" (after {_seconds_text(took)})" if took is not None and took >= 0 else ""
            rows.append(("ended", _escape(self.end_time + after)))
        if self.error_code or self.fail_reason:
            error = " ".join(x for x in (self.error_code, self.fail_reason) if x)
            rows.append(("error", f"<span style='color:{_STATUS_COLOURS['FAIL']}'>{_escape(error)}</span>"))
        body = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{key}</th><td style='text-align:left'>{value}</td></tr>"
            for key, value in rows
        )
        return (
            "<div class='hcims-job'><b>IMS job</b> "
            f"<span style='color:{colour};font-weight:bold'>{_escape(self.status)}</span> {bar}"
            f"<table>{body}</table></div>"
        )


_STATUS_COLOURS = {"SUCCESS": "#1a7f37", "FAIL": "#cf222e"}


def _escape(text: str) -> str:
    # Imported here: only notebooks draw jobs as HTML, and html costs more to import than this module.
    import html

    return html.escape(text)


def _code(text: str) -> str:
    return f"<code>{_escape(text)}</code>"


def _sub_job_html(sub: dict[str, Any]) -> str:
    status = str(sub.get("status") or "")
    found = sub.get("entities")
    entities: dict[str, Any] = found if isinstance(found, dict) else {}
    parts = [f"<span style='color:{_STATUS_COLOURS.get(status, '#9a6700')}'>{_escape(status)}</span>"]
    name, image_id = entities.get("image_name"), entities.get("image_id")
    if name:
        parts.append(_escape(str(name)))
    if image_id:
        parts.append(_code(str(image_id)))
    reason = " ".join(str(x) for x in (sub.get("error_code"), sub.get("fail_reason")) if x)
    if reason:
        parts.append(_escape(reason))
    return " ".join(parts)


def _parse_time(text: Optional[str]) -> Optional[datetime]:
    """IMS's ISO-8601 times (``2024-11-06T06:19:43.195Z``); None for anything else (old formats too)."""
    if not text:
        return None
    # Imported here, as few scripts ask for a duration: it keeps `import hcims` fast.
    from datetime import datetime, timezone

    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _seconds_text(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    if minutes == 0:
        return f"{seconds:.1f} s" if seconds < 10 else f"{secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"
