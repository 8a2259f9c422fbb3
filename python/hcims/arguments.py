"""What a call hands to the core: a spec with its way of making an image, a list of job ids, image filters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from types import ModuleType

    from .specs import ImageSpecLike

__all__ = ["image_filters", "job_id_list", "request_for", "request_of", "requests_for_many"]

_METHOD_MODES = {
    "create_from_server": ("server", "ServerImage"),
    "create_data_images_from_server": ("data_images", "ServerDataImages"),
    "create_from_obs": ("obs", "ObsImage"),
    "create_from_volume": ("volume", "VolumeImage"),
    "create_whole_image_from_server": ("whole_server", "WholeServerImage"),
    "create_whole_image_from_backup": ("whole_backup", "WholeBackupImage"),
    "quick_import": ("quick_import", "QuickImportImage"),
    "create_data_image_from_obs": ("obs_data_image", "ObsDataImageFile"),
}


_spec_module: Optional[ModuleType] = None


def _specs() -> ModuleType:
    """``hcims.specs``, imported on first use: building its dataclasses takes longer than the rest of
    ``import hcims``, and a dict spec never needs them."""
    global _spec_module
    if _spec_module is None:
        from . import specs

        _spec_module = specs
    return _spec_module


def request_for(method: str, spec: ImageSpecLike) -> tuple[Optional[str], Any]:
    """The mode and the spec a ``create_*`` method hands to the core; a spec of another way is a TypeError.

    A dict or a spec dataclass goes as it is (the core reads it, nested dataclasses and mappings
    included, in one pass); anything else is converted by :func:`hcims.specs.to_request_dict`.
    """
    mode, class_name = _METHOD_MODES[method]
    kind = type(spec)
    if kind is dict:
        return mode, spec
    given = _specs().mode_of(spec)
    if given is not None and given != mode:
        raise TypeError(
            f"{method}() takes a {class_name} or a dict, got {kind.__name__}; "
            f"use create_image() to pick the way from the spec"
        )
    return mode, spec if given is not None else _specs().to_request_dict(spec)


def request_of(spec: ImageSpecLike) -> tuple[Optional[str], Any]:
    """The mode (None: read from the keys) and the spec that ``create_image`` hands to the core."""
    if type(spec) is dict:
        return None, spec
    mode = _specs().mode_of(spec)
    return mode, spec if mode is not None else _specs().to_request_dict(spec)


def requests_for_many(specs: Iterable[ImageSpecLike]) -> list[tuple[Optional[str], Any]]:
    """The ``(mode, spec)`` pairs a ``create_many`` hands to the core, one per spec. A spec that cannot be
    read as one gets its exception in place of the spec, so that it fails alone."""
    if isinstance(specs, (str, bytes, Mapping)) or hasattr(type(specs), "__dataclass_fields__"):
        raise TypeError(
            f"specs must be a list (or other iterable) of specs, not a single {type(specs).__name__}"
        )
    requests: list[tuple[Optional[str], Any]] = []
    for spec in specs:
        try:
            requests.append(request_of(spec))
        except TypeError as error:
            requests.append((None, error))
    return requests


def job_id_list(job_ids: Iterable[str]) -> list[str]:
    """``job_ids`` as a list; a lone string is refused rather than waited for letter by letter."""
    if isinstance(job_ids, (str, bytes)):
        raise TypeError("job_ids must be a list of job ids, not a single string")
    return list(job_ids)


def image_filters(
    name: Optional[str], filters: dict[str, Union[str, int, bool]]
) -> dict[str, Union[str, int, bool]]:
    """The query of ``find_images``: the filters, with ``name`` among them when given."""
    query = dict(filters)
    if name is not None:
        query["name"] = name
    return query
