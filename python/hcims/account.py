"""What the account calls return: the region's live OS list and the private-image quota."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

__all__ = ["OsVersion", "Quota"]


@dataclass(frozen=True)
class OsVersion:
    """One entry of ``GET /v1/cloudimages/os_version``: a value ``os_version`` may take in the region."""

    platform: str
    os_version: str
    os_bit: Optional[int]
    os_type: str
    os_version_key: str

    @classmethod
    def _from_native(cls, entry: dict[str, Any]) -> OsVersion:
        return cls(**entry)


@dataclass(frozen=True)
class Quota:
    """The project's private images: ``used`` of ``total`` (``GET /v1/cloudimages/quota``)."""

    used: int
    total: int

    @property
    def remaining(self) -> int:
        """How many more private images the project may hold (0 when at or over the quota)."""
        return max(self.total - self.used, 0)
