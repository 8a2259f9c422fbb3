"""The base of the frozen classes that calls return (:class:`hcims.Quota`, :class:`hcims.OsVersion`, ...).

A subclass is written as a dataclass body (annotated fields, :func:`result_field` for options) and is a
frozen dataclass: equality, hashing, ``repr``, pickling, ``dataclasses.fields``/``asdict``/``replace``.
``dataclasses`` is only applied on first use (an instance made or unpickled, or the class's fields read):
importing that module costs as much as the rest of ``import hcims``, and the classes sit beside the
client's calls, which every ``import hcims`` loads.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from typing_extensions import Self, dataclass_transform
else:

    def dataclass_transform(**_: Any) -> Any:
        return lambda cls: cls


__all__ = ["Result", "result_field"]


class _FieldOptions:
    """What :func:`result_field` was given, until ``dataclasses.field`` replaces it."""

    def __init__(self, shown: bool, compared: bool) -> None:
        self.shown = shown
        self.compared = compared


def result_field(*, repr: bool = True, compare: bool = True) -> Any:
    """A field's options, as ``dataclasses.field`` takes them (e.g. ``raw`` kept out of ``repr`` and ``==``)."""
    return _FieldOptions(repr, compare)


_lock = threading.RLock()
_being_made: set[type] = set()


def _make_dataclass(cls: type) -> Optional[dict[str, Any]]:
    """Makes ``cls`` (and its result bases) a frozen dataclass once; returns its fields, None for a class that
    is not one (``Result`` itself, or ``cls`` while ``dataclasses`` is reading its bases)."""
    if cls is Result or cls in _being_made:
        return None
    with _lock:
        made: Optional[dict[str, Any]] = cls.__dict__.get("__dataclass_fields__")
        if made is not None:
            return made
        import dataclasses

        _being_made.add(cls)
        try:
            for name, value in list(vars(cls).items()):
                if isinstance(value, _FieldOptions):
                    setattr(cls, name, dataclasses.field(repr=value.shown, compare=value.compared))
            dataclasses.dataclass(frozen=True)(cls)
        finally:
            _being_made.discard(cls)
        fields: dict[str, Any] = cls.__dict__["__dataclass_fields__"]
        return fields


class _LazyFields:
    """``__dataclass_fields__`` of a result class not made yet: reading it makes the class (the class's own
    attribute then answers), so ``dataclasses.fields()`` and ``is_dataclass()`` are right from the start."""

    def __get__(self, instance: Any, owner: type) -> dict[str, Any]:
        fields = _make_dataclass(owner)
        if fields is None:
            raise AttributeError("__dataclass_fields__")
        return fields


@dataclass_transform(frozen_default=True, field_specifiers=(result_field,))
class Result:
    """A frozen dataclass once used; see the module."""

    __dataclass_fields__ = _LazyFields()

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Made here rather than at class creation, so that unpickling (which skips __init__) makes it too.
        _make_dataclass(cls)
        return object.__new__(cls)
