"""``python/hcims/specs.py`` holds what ``scripts/gen_specs.py`` writes from the core's declaration."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from types import ModuleType

from hcims import _native, specs

GENERATOR = Path(__file__).resolve().parent.parent / "scripts" / "gen_specs.py"


def _generator() -> ModuleType:
    loaded = importlib.util.spec_from_file_location("gen_specs", GENERATOR)
    assert loaded is not None and loaded.loader is not None
    module = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    return module


def test_the_committed_specs_are_what_the_generator_writes() -> None:
    generator = _generator()
    current = generator.SPECS.read_text(encoding="utf-8")
    wanted = generator.regenerate(current, _native.spec_schema(), _native.spec_literals())
    assert wanted == current, f"python/hcims/specs.py is stale: run `{generator.COMMAND}`"


def test_a_changed_declaration_makes_them_stale() -> None:
    generator = _generator()
    current = generator.SPECS.read_text(encoding="utf-8")
    name, mode, doc, fields = _native.spec_schema()[1]
    changed = [(name, mode, doc, [*fields, ("flavor", False, "str", "str")])]
    written = generator.regenerate(current, changed, _native.spec_literals())
    assert "    flavor: Optional[str] = None\n" in written
    assert written != current
    literals = [("OsType", ["Linux", "Windows"])]
    written = generator.regenerate(current, _native.spec_schema(), literals)
    assert 'OsType = Literal["Linux", "Windows"]\n' in written
    assert written != current


def test_each_class_has_the_declared_fields_then_extra() -> None:
    for name, mode, _, fields in _native.spec_schema():
        cls = getattr(specs, name)
        names = [f.name for f in dataclasses.fields(cls)]
        assert names == [key for key, *_ in fields] + ["extra"]
        assert specs.mode_of(cls(**{key: "x" for key, required, *_ in fields if required})) == mode
