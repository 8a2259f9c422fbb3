"""The API reference (docs/reference/*.md) renders every public name of ``hcims`` and ``hcims.testing``."""

from __future__ import annotations

import re
from pathlib import Path

import hcims

REFERENCE = Path(__file__).parent.parent / "docs" / "reference"


def rendered() -> set[str]:
    """The objects named by the reference's mkdocstrings directives (``::: hcims.Client``)."""
    names: set[str] = set()
    for page in REFERENCE.glob("*.md"):
        names.update(re.findall(r"^::: (\S+)$", page.read_text(encoding="utf-8"), re.MULTILINE))
    return names


def test_every_public_name_of_hcims_has_its_entry() -> None:
    public = {f"hcims.{name}" for name in hcims.__all__ if not name.startswith("_")}
    # `::: hcims.testing` renders the emulator's module whole, each of its __all__ a member.
    assert (public | {"hcims.testing"}) - rendered() == set()


def test_every_entry_names_something_real() -> None:
    for dotted in rendered():
        module, _, name = dotted.rpartition(".")
        target = __import__(module, fromlist=[name]) if module else None
        assert hasattr(target, name), dotted
