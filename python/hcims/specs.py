"""Image specs: one frozen dataclass per way of making an image, with the API's own field names.

The classes only carry values; every rule is checked in the Rust core when a spec is sent (or
validated), so a dict, a dataclass and a pydantic model all get the same errors.
:func:`to_request_dict` turns any of them into the plain dict the core reads.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Optional, Protocol, TypedDict, Union

from ._direct_init import use_direct_init

__all__ = [
    "DataImage",
    "DataImageDict",
    "ImageSpecLike",
    "ObsDataImage",
    "ObsDataImageDict",
    "ObsImage",
    "ObsImageDict",
    "ObsImageLike",
    "ServerDataImages",
    "ServerDataImagesDict",
    "ServerDataImagesLike",
    "ServerImage",
    "ServerImageDict",
    "ServerImageLike",
    "SupportsModelDump",
    "Tag",
    "TagDict",
    "VolumeImage",
    "VolumeImageDict",
    "VolumeImageLike",
    "mode_of",
    "to_request_dict",
]

ImageTagLike = Union["Tag", Mapping[str, Any]]
"""An ``image_tags`` entry: a :class:`Tag` or a ``{"key": ..., "value": ...}`` dict."""

OsType = Literal["Linux", "Windows", "Other"]
Architecture = Literal["x86", "arm"]
FirmwareType = Literal["bios", "uefi"]
ImageType = Literal["ECS", "BMS", "FusionCompute", "Ironic", "IsoImage"]
VolumeImageType = Literal["ECS", "BMS", "FusionCompute", "Ironic"]


@dataclass(frozen=True)
class Tag:
    """One ``image_tags`` entry: key 1-36 characters, value 0-43, neither with ``= * < > \\ , | /``."""

    key: str
    value: str = ""


@dataclass(frozen=True)
class DataImage:
    """One data volume of an ECS to turn into a data-disk image (see :class:`ServerDataImages`).

    ``tags`` are ``"key.value"`` strings; ``image_tags`` are :class:`Tag` objects or dicts; use only one.
    ``extra`` holds fields the API has but this class lacks; they are sent beside the others.
    """

    name: str
    volume_id: str
    description: Optional[str] = None
    tags: Optional[Sequence[str]] = None
    image_tags: Optional[Sequence[ImageTagLike]] = None
    extra: Optional[Mapping[str, Any]] = None


@dataclass(frozen=True)
class ServerImage:
    """A system image from an ECS (``instance_id``, a UUID).

    ``min_ram``/``max_ram`` are MB (0 means no limit); ``enterprise_project_id`` is ``"0"`` or a UUID.
    """

    name: str
    instance_id: str
    description: Optional[str] = None
    tags: Optional[Sequence[str]] = None
    image_tags: Optional[Sequence[ImageTagLike]] = None
    enterprise_project_id: Optional[str] = None
    max_ram: Optional[int] = None
    min_ram: Optional[int] = None
    extra: Optional[Mapping[str, Any]] = None


@dataclass(frozen=True)
class ServerDataImages:
    """Data-disk images from an ECS's data volumes: one image per :class:`DataImage`, no ``instance_id``.

    The service prefers each data image's name, description and tags over the top-level ones.
    """

    data_images: Sequence[DataImage]
    name: Optional[str] = None
    description: Optional[str] = None
    tags: Optional[Sequence[str]] = None
    image_tags: Optional[Sequence[ImageTagLike]] = None
    enterprise_project_id: Optional[str] = None
    max_ram: Optional[int] = None
    min_ram: Optional[int] = None
    extra: Optional[Mapping[str, Any]] = None


@dataclass(frozen=True)
class ObsDataImage:
    """A data-disk image from a further file in OBS (see :attr:`ObsImage.data_images`).

    ``image_url`` is ``"bucket:object"``; ``min_disk`` is 1-2048 GB.
    """

    image_url: str
    min_disk: int
    name: Optional[str] = None
    description: Optional[str] = None
    is_quick_import: Optional[bool] = None
    tags: Optional[Sequence[str]] = None
    image_tags: Optional[Sequence[ImageTagLike]] = None
    extra: Optional[Mapping[str, Any]] = None


@dataclass(frozen=True)
class ObsImage:
    """An image from an external image file in OBS.

    ``image_url`` is ``"bucket:object"`` without spaces; ``min_disk`` is 40-1024 GB. ``os_version`` is
    required for an ISO file (``.iso`` object or ``type="IsoImage"``) and with ``is_quick_import=True``.
    At most three ``data_images``. ``architecture="arm"`` makes the image boot with UEFI.
    """

    name: str
    image_url: str
    min_disk: int
    description: Optional[str] = None
    os_type: Optional[OsType] = None
    os_version: Optional[str] = None
    is_config: Optional[bool] = None
    cmk_id: Optional[str] = None
    tags: Optional[Sequence[str]] = None
    image_tags: Optional[Sequence[ImageTagLike]] = None
    type: Optional[ImageType] = None
    enterprise_project_id: Optional[str] = None
    max_ram: Optional[int] = None
    min_ram: Optional[int] = None
    data_images: Optional[Sequence[ObsDataImage]] = None
    is_quick_import: Optional[bool] = None
    architecture: Optional[Architecture] = None
    hw_firmware_type: Optional[FirmwareType] = None
    is_config_init: Optional[bool] = None
    extra: Optional[Mapping[str, Any]] = None


@dataclass(frozen=True)
class VolumeImage:
    """A system image from a data volume that already holds an optimised OS.

    ``os_version`` is required: the service cannot tell the OS on the volume by itself.
    """

    name: str
    volume_id: str
    os_version: str
    type: Optional[VolumeImageType] = None
    description: Optional[str] = None
    min_ram: Optional[int] = None
    max_ram: Optional[int] = None
    tags: Optional[Sequence[str]] = None
    image_tags: Optional[Sequence[ImageTagLike]] = None
    enterprise_project_id: Optional[str] = None
    hw_firmware_type: Optional[FirmwareType] = None
    extra: Optional[Mapping[str, Any]] = None


for _spec_class in (Tag, DataImage, ServerImage, ServerDataImages, ObsDataImage, ObsImage, VolumeImage):
    use_direct_init(_spec_class)
del _spec_class


class TagDict(TypedDict):
    """An ``image_tags`` entry as a dict."""

    key: str
    value: str


class _DataImageRequired(TypedDict):
    name: str
    volume_id: str


class DataImageDict(_DataImageRequired, total=False):
    """A :class:`DataImage` as a dict (the API's keys; editors complete them)."""

    description: str
    tags: Sequence[str]
    image_tags: Sequence[TagDict]
    extra: Mapping[str, Any]


class _ServerImageRequired(TypedDict):
    name: str
    instance_id: str


class ServerImageDict(_ServerImageRequired, total=False):
    """A :class:`ServerImage` as a dict."""

    description: str
    tags: Sequence[str]
    image_tags: Sequence[TagDict]
    enterprise_project_id: str
    max_ram: int
    min_ram: int
    extra: Mapping[str, Any]


class _ServerDataImagesRequired(TypedDict):
    data_images: Sequence[DataImageDict]


class ServerDataImagesDict(_ServerDataImagesRequired, total=False):
    """A :class:`ServerDataImages` as a dict."""

    name: str
    description: str
    tags: Sequence[str]
    image_tags: Sequence[TagDict]
    enterprise_project_id: str
    max_ram: int
    min_ram: int
    extra: Mapping[str, Any]


class _ObsDataImageRequired(TypedDict):
    image_url: str
    min_disk: int


class ObsDataImageDict(_ObsDataImageRequired, total=False):
    """An :class:`ObsDataImage` as a dict."""

    name: str
    description: str
    is_quick_import: bool
    tags: Sequence[str]
    image_tags: Sequence[TagDict]
    extra: Mapping[str, Any]


class _ObsImageRequired(TypedDict):
    name: str
    image_url: str
    min_disk: int


class ObsImageDict(_ObsImageRequired, total=False):
    """An :class:`ObsImage` as a dict."""

    description: str
    os_type: OsType
    os_version: str
    is_config: bool
    cmk_id: str
    tags: Sequence[str]
    image_tags: Sequence[TagDict]
    type: ImageType
    enterprise_project_id: str
    max_ram: int
    min_ram: int
    data_images: Sequence[ObsDataImageDict]
    is_quick_import: bool
    architecture: Architecture
    hw_firmware_type: FirmwareType
    is_config_init: bool
    extra: Mapping[str, Any]


class _VolumeImageRequired(TypedDict):
    name: str
    volume_id: str
    os_version: str


class VolumeImageDict(_VolumeImageRequired, total=False):
    """A :class:`VolumeImage` as a dict."""

    type: VolumeImageType
    description: str
    min_ram: int
    max_ram: int
    tags: Sequence[str]
    image_tags: Sequence[TagDict]
    enterprise_project_id: str
    hw_firmware_type: FirmwareType
    extra: Mapping[str, Any]


class SupportsModelDump(Protocol):
    """Anything with pydantic's ``model_dump()``: its dict, with the API's keys, is the spec."""

    def model_dump(self) -> Mapping[str, Any]: ...


# What each create_* accepts: its dataclass, its TypedDict (editors complete the keys), any mapping with the
# API's keys, or a model with model_dump().
ServerImageLike = Union[ServerImage, ServerImageDict, Mapping[str, Any], SupportsModelDump]
ServerDataImagesLike = Union[ServerDataImages, ServerDataImagesDict, Mapping[str, Any], SupportsModelDump]
ObsImageLike = Union[ObsImage, ObsImageDict, Mapping[str, Any], SupportsModelDump]
VolumeImageLike = Union[VolumeImage, VolumeImageDict, Mapping[str, Any], SupportsModelDump]
ImageSpecLike = Union[ServerImageLike, ServerDataImagesLike, ObsImageLike, VolumeImageLike]
"""What ``create_image`` accepts: any spec dataclass, a dict with the API's keys, or a model."""


_MODES: dict[type, str] = {
    ServerImage: "server",
    ServerDataImages: "data_images",
    ObsImage: "obs",
    VolumeImage: "volume",
}


def mode_of(spec: Any) -> Optional[str]:
    """The mode a spec dataclass stands for (``"server"``, ``"data_images"``, ``"obs"``, ``"volume"``).

    ``None`` for anything else (dicts, models), whose mode the core reads from the keys.
    """
    return _MODES.get(type(spec))


def to_request_dict(spec: Any) -> dict[str, Any]:
    """The plain request dict of ``spec``, with the API's own keys, for the core to check and send.

    ``spec`` may be one of the spec dataclasses (nested ones too; ``None`` fields are left out and
    :class:`Tag` becomes ``{"key", "value"}``), an object with ``model_dump()`` (a pydantic model), or
    any mapping (copied). ``extra`` stays the key ``"extra"``, which the core merges into the body.
    """
    if dataclasses.is_dataclass(spec) and not isinstance(spec, type):
        return _dataclass_dict(spec)
    if isinstance(spec, Mapping):
        return {key: _plain(value) for key, value in spec.items()}
    model_dump = getattr(spec, "model_dump", None)
    if callable(model_dump):
        dumped = model_dump(exclude_none=True) if _accepts_exclude_none(model_dump) else model_dump()
        if not isinstance(dumped, Mapping):
            raise TypeError(
                f"{type(spec).__name__}.model_dump() returned {type(dumped).__name__}, not a dict"
            )
        return {key: _plain(value) for key, value in dumped.items()}
    raise TypeError(
        "an image spec must be a ServerImage, ServerDataImages, ObsImage or VolumeImage, a dict (or other "
        f"mapping) with the API's keys, or an object with model_dump(); got {type(spec).__name__}"
    )


def _accepts_exclude_none(method: Any) -> bool:
    # Imported here: only models need it, and it costs more to import than this module.
    import inspect

    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):
        # No signature to read (a builtin): try the pydantic spelling and let the call say otherwise.
        return True
    return any(p.name == "exclude_none" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _dataclass_dict(instance: Any) -> dict[str, Any]:
    if isinstance(instance, Tag):
        return {"key": instance.key, "value": instance.value}
    out: dict[str, Any] = {}
    for field in dataclasses.fields(instance):
        value = getattr(instance, field.name)
        if value is not None:
            out[field.name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    """``value`` with nested dataclasses, mappings and sequences turned into dicts and lists."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_dict(value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    # Anything else goes to the core as is, which names the field it cannot send.
    return value
