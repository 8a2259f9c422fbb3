"""A faster ``__init__`` for the frozen spec dataclasses.

The ``__init__`` that ``dataclasses`` writes for a frozen class sets each field through
``object.__setattr__`` (about 1.2 µs for a ``ServerImage``: as long as validating, serialising and
signing the request in the core). Writing the instance's ``__dict__`` is what those calls end up
doing; the one written here does only that, with the same parameters, defaults and annotations, so
``help()``, ``inspect.signature``, equality, hashing, ``dataclasses.replace`` and frozenness are as
before.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any


def use_direct_init(cls: type) -> None:
    """Gives the frozen dataclass ``cls`` an ``__init__`` that fills ``__dict__`` directly.

    A class this does not fit (a field with a factory or outside ``__init__``, a ``__post_init__``,
    ``__slots__``, a field named like the generated code's own names) keeps the ``__init__`` that
    ``dataclasses`` wrote.
    """
    fields = dataclasses.fields(cls)
    unsuited = (
        hasattr(cls, "__post_init__")
        or "__slots__" in cls.__dict__
        or any(not f.init or f.default_factory is not dataclasses.MISSING for f in fields)
        # Names the generated code uses for itself.
        or any(f.name in ("self", "instance_dict") or f.name.startswith("_default_") for f in fields)
    )
    if unsuited:
        return
    defaults: dict[str, Any] = {}
    parameters = []
    assignments = []
    for index, f in enumerate(fields):
        if f.default is dataclasses.MISSING:
            parameters.append(f.name)
        else:
            defaults[f"_default_{index}"] = f.default
            parameters.append(f"{f.name}=_default_{index}")
        assignments.append(f"        instance_dict[{f.name!r}] = {f.name}")
    # As dataclasses does it: the defaults come in as a maker's arguments, and the function's globals are
    # the class's module, so that typing.get_type_hints() resolves the annotations as before.
    source = "\n".join(
        [
            f"def make_init({', '.join(defaults)}):",
            f"    def __init__(self, {', '.join(parameters)}):",
            "        instance_dict = self.__dict__",
            *assignments,
            "    return __init__",
        ]
    )
    namespace: dict[str, Any] = {}
    # The source is made of the class's own field names only, as dataclasses' own is.
    exec(source, sys.modules[cls.__module__].__dict__, namespace)
    init = namespace["make_init"](**defaults)
    generated = cls.__init__  # type: ignore[misc]
    init.__qualname__ = generated.__qualname__
    init.__annotations__ = dict(generated.__annotations__)
    init.__doc__ = generated.__doc__
    cls.__init__ = init  # type: ignore[misc]
