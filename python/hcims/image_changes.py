"""The calls that change or remove an image once a job made it: :meth:`~ImageChanges.update_image`,
:meth:`~ImageChanges.tag_image`, :meth:`~ImageChanges.delete_image` and :meth:`~ImageChanges.delete_images`, methods of :class:`hcims.Client` (and coroutines of
:class:`hcims.AsyncClient`) through the :class:`ImageChanges` mixin."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Optional, Union

from .call import Call
from .errors import HcimsError, ValidationError
from .image import Image
from .result import Result

__all__ = ["ImageChanges", "ImageDeletion"]


class ImageDeletion(Result):
    """The outcome of deleting one image: ``error`` is None when IMS deleted it, else the exception
    (:class:`hcims.NotFoundError` for an image the project does not have, or no longer has)."""

    image_id: str
    error: Optional[HcimsError]

    @property
    def ok(self) -> bool:
        return self.error is None


def _deletions(image_ids: list[str]) -> Any:
    """``convert`` of ``delete_images``: each native outcome (None or the exception) with its id."""
    return lambda outcomes: [ImageDeletion(image_id, error) for image_id, error in zip(image_ids, outcomes)]


class ImageChanges:
    """Changing and removing images (a mixin of :class:`hcims.Client`)."""

    if TYPE_CHECKING:

        def _run(self, call: Call) -> Any: ...

    def update_image(self, image_id: str, /, **changes: Union[str, int, bool, None]) -> Image:
        """Changes attributes of the active image ``image_id`` (``PATCH /v2/cloudimages/{image_id}``) and
        returns the image as IMS shows it now.

        Each keyword is an attribute: ``name``, ``description``, ``min_ram`` (MB), ``enterprise_project_id``
        (``"0"`` or a UUID), ``hw_firmware_type`` (``"bios"``/``"uefi"``), the flags ``support_kvm``,
        ``support_xen``, ``support_diskintensive``, ``support_highperformance``, ``__is_config_init``,
        ``hw_vif_multiqueue_enabled`` (True/False), ``support_xen_gpu_type``, ``support_kvm_gpu_type``, or an
        attribute of your own (letters, digits, ``_-.:``); ``None`` removes an attribute (not ``name``,
        ``description``, ``min_ram``, ``enterprise_project_id`` or ``hw_firmware_type``). Attributes IMS sets
        (``status``, ``min_disk``, ``__os_version``, ...) cannot be changed. Every broken rule is raised at once
        as a :class:`hcims.ValidationError`, nothing sent.
        """
        image: Image = self._run(Call("update_image", image_id, changes, convert=Image._from_native))
        return image

    def tag_image(
        self,
        image_id: str,
        add: Optional[Mapping[str, Union[str, int, None]]] = None,
        remove: Iterable[str] = (),
    ) -> None:
        """Adds the tags of ``add`` (key -> value; an existing key gets the new value) and removes the tag
        keys of ``remove`` on image ``image_id`` (``POST /v2/{project_id}/images/{image_id}/tags/action``,
        a create, then a delete, each answered 204). Removing a tag the image does not have is no error.

        The rules of IMS's tag format, all checked before sending: a key is 1-36 letters, digits, Chinese
        characters, ``_`` or ``-``; a value at most 43 of those or ``.``, and may be empty (``None`` is
        empty); at most 10 tags an image (IMS refuses more with ``IMG.0116``); a key removed is 1-127
        characters and not also added.
        """
        pairs = [(str(key), "" if value is None else str(value)) for key, value in (add or {}).items()]
        keys = [str(key) for key in remove]
        tagged: None = self._run(Call("tag_image", image_id, pairs, keys))
        return tagged

    def delete_image(self, image_id: str, delete_backup: bool = False) -> None:
        """Deletes the private image ``image_id`` (``DELETE /v2/images/{image_id}``, answered 204).

        ``delete_backup=True`` also deletes the server backup a whole-server image was made of. An image
        the project does not have (never had, or deleted already) is :class:`hcims.NotFoundError`; one
        still being made is refused (``IMG.0090``). Like a create, a delete is resent only when IMS
        certainly did not act on it (otherwise the error has ``maybe_sent=True``).
        """
        deleted: None = self._run(Call("delete_image", image_id, delete_backup=delete_backup))
        return deleted

    def delete_images(
        self, image_ids: Iterable[str], delete_backup: bool = False, concurrency: int = 8
    ) -> list[ImageDeletion]:
        """Deletes every image of ``image_ids``, at most ``concurrency`` at a time: one
        :class:`ImageDeletion` per id, in order. A delete that fails never stops the others: its error is
        in its outcome, nothing is raised for it."""
        ids = [str(image_id) for image_id in image_ids]
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValidationError(
                [("concurrency", f"must be a whole number of at least 1, got {concurrency!r}")]
            )
        outcomes: list[ImageDeletion] = self._run(
            Call(
                "delete_images",
                ids,
                delete_backup=delete_backup,
                concurrency=concurrency,
                convert=_deletions(ids),
            )
        )
        return outcomes
