"""Exactly once: ``ensure_image`` makes sure one image exists for a key the caller chooses, across
failures and across reruns of a script (see docs/exactly-once.md). The calls are a mixin of
:class:`hcims.Client`; the core looks up, adopts and creates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from .arguments import request_of, requests_for_many
from .call import Call
from .result import Result, result_field

if TYPE_CHECKING:
    from .client import Image
    from .job import Job
    from .specs import ImageSpecLike

__all__ = ["EnsureCalls", "Ensured"]


def _image(document: dict[str, Any]) -> Image:
    # Imported when a result is made: client.py imports this module for the mixin.
    from .client import Image

    return Image._from_native(document)


class Ensured(Result):
    """What ``ensure_image`` did for one ``key``: ``image_ids`` are every image the spec makes (data
    images included; empty for a new create not waited for), ``image_id`` the first; ``job_id`` and
    ``job`` are None when nothing new was created; ``adopted`` is True when the images already existed
    or an uncertain create turned out to have worked; ``images`` the :class:`Image` objects, when waited."""

    key: str
    image_ids: tuple[str, ...]
    image_id: Optional[str]
    job_id: Optional[str]
    job: Optional[Job] = result_field(compare=False)
    adopted: bool
    images: tuple[Image, ...] = result_field(repr=False, compare=False)

    @classmethod
    def _from_native(cls, native: dict[str, Any]) -> Ensured:
        image_ids = tuple(native["image_ids"])
        return cls(
            key=native["key"],
            image_ids=image_ids,
            image_id=image_ids[0] if image_ids else None,
            job_id=native["job_id"],
            job=native["job"],
            adopted=native["adopted"],
            images=tuple(_image(document) for document in native["images"]),
        )


def _each_outcome(values: list[Any]) -> list[Union[Ensured, Exception]]:
    return [value if isinstance(value, Exception) else Ensured._from_native(value) for value in values]


class EnsureCalls:
    """``ensure_image`` and ``ensure_images``, mixed into :class:`hcims.Client`."""

    if TYPE_CHECKING:

        def _run(self, call: Call) -> Any: ...

    def ensure_image(
        self,
        spec: ImageSpecLike,
        key: str,
        *,
        wait: bool = True,
        adopt_within: float = 120.0,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = 3600.0,
    ) -> Ensured:
        """Makes sure exactly one image (one per data image) carries ``key``, as tag ``hcims-key``.

        Images already carrying the key are adopted (no create); failed or deleted ones raise
        :class:`hcims.UnusableImagesError`, too many :class:`hcims.DuplicateImagesError`. A create
        that fails with ``maybe_sent=True`` is followed by look-ups for up to ``adopt_within`` seconds,
        then by one more create. ``wait=True`` waits for the job, or for an adopted image still being made.
        """
        ensured: Ensured = self._run(
            Call(
                "ensure_image",
                *request_of(spec),
                key,
                wait=wait,
                adopt_within=adopt_within,
                poll_interval=poll_interval,
                timeout=timeout,
                convert=Ensured._from_native,
            )
        )
        return ensured

    def ensure_images(
        self,
        specs: Iterable[ImageSpecLike],
        keys: Sequence[str],
        *,
        concurrency: int = 32,
        wait: bool = True,
        adopt_within: float = 120.0,
        poll_interval: Optional[float] = None,
        timeout: Optional[float] = 3600.0,
    ) -> list[Union[Ensured, Exception]]:
        """``ensure_image`` for each spec with its key, ``concurrency`` at a time: one outcome per spec,
        in order, an :class:`Ensured` or the exception that ended it (as ``create_many`` gives them)."""
        if isinstance(keys, (str, bytes)):
            raise TypeError("keys must be a list of keys, one per spec, not a single string")
        outcomes: list[Union[Ensured, Exception]] = self._run(
            Call(
                "ensure_images",
                requests_for_many(specs),
                list(keys),
                concurrency=concurrency,
                wait=wait,
                adopt_within=adopt_within,
                poll_interval=poll_interval,
                timeout=timeout,
                convert=_each_outcome,
            )
        )
        return outcomes
