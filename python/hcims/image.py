"""An image as IMS describes it: :class:`Image`, what ``get_image``, ``find_images`` and ``update_image``
return (kept apart from the client so the call groups that answer images can share it)."""

from __future__ import annotations

from typing import Any, Optional

from .result import Result, result_field

__all__ = ["Image"]


class Image(Result):
    """An image as ``GET /v2/cloudimages`` shows it. ``raw`` is the whole document, with IMS's ``__``
    attributes; ``image["key"]`` reads it too (so code written for the dicts ``find_images`` once returned
    keeps working). ``size`` is not used by IMS today; ``created_at`` is IMS's UTC time text."""

    id: str
    name: str
    status: str
    visibility: Optional[str]
    size: Optional[int]
    min_disk: Optional[int]
    os_version: Optional[str]
    tags: tuple[str, ...]
    created_at: Optional[str]
    raw: dict[str, Any] = result_field(repr=False, compare=False)

    @classmethod
    def _from_native(cls, document: dict[str, Any]) -> Image:
        def number(key: str) -> Optional[int]:
            value = document.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        tags = document.get("tags")
        return cls(
            id=str(document.get("id", "")),
            name=str(document.get("name", "")),
            status=str(document.get("status", "")),
            visibility=document.get("visibility"),
            size=number("size"),
            min_disk=number("min_disk"),
            os_version=document.get("__os_version"),
            tags=tuple(str(tag) for tag in tags) if isinstance(tags, list) else (),
            created_at=document.get("created_at"),
            raw=document,
        )

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def _repr_html_(self) -> str:
        """A card for notebooks: status, id, visibility, OS, disk, tags and creation time."""
        from .job import _code, _escape

        colour = {"active": "#1a7f37", "killed": "#cf222e", "deleted": "#cf222e"}.get(self.status, "#9a6700")
        rows = [("image", _code(self.id)), ("visibility", _escape(self.visibility or ""))]
        if self.os_version:
            rows.append(("OS", _escape(self.os_version)))
        if self.min_disk is not None:
            rows.append(("min disk", f"{self.min_disk} GB"))
        if self.tags:
            rows.append(("tags", ", ".join(_code(tag) for tag in self.tags)))
        if self.created_at:
            rows.append(("created", _escape(self.created_at)))
        body = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{key}</th><td style='text-align:left'>{value}</td></tr>"
            for key, value in rows
        )
        return (
            f"<div class='hcims-image'><b>IMS image</b> {_escape(self.name)} "
            f"<span style='color:{colour};font-weight:bold'>{_escape(self.status)}</span><table>{body}</table></div>"
        )
