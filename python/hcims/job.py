"""The asynchronous job that a create starts."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Optional

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
        colour = {"SUCCESS": "#1a7f37", "FAIL": "#cf222e"}.get(self.status, "#9a6700")
        rows = [
            ("job", self.id),
            ("type", self.job_type or ""),
            ("images", ", ".join(self.image_ids)),
            ("began", self.begin_time or ""),
            ("ended", self.end_time or ""),
        ]
        if self.error_code or self.fail_reason:
            rows.append(("error", f"{self.error_code or ''} {self.fail_reason or ''}".strip()))
        percent = 100.0 if self.ok else (self.progress or 0.0) * 100.0
        bar = (
            f'<div style="background:#eee;width:12em;height:0.6em;display:inline-block">'
            f'<div style="background:{colour};width:{percent:.0f}%;height:100%"></div></div> {percent:.0f}%'
        )
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in rows
            if v
        )
        return (
            f"<div><b>IMS job</b> <span style='color:{colour};font-weight:bold'>"
            f"{html.escape(self.status)}</span> {bar}<table>{body}</table></div>"
        )
