"""Static types: the stub matches the native module, and annotated user code checks clean under
``mypy --strict`` and ``pyright``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPED_USER_CODE = [str(ROOT / "examples"), str(ROOT / "tests" / "test_typed_usage.py")]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)


def test_stub_matches_the_native_module() -> None:
    pytest.importorskip("mypy")
    result = run(sys.executable, "-m", "mypy.stubtest", "hcims._native")
    assert result.returncode == 0, result.stdout + result.stderr


def test_user_code_is_clean_under_mypy_strict() -> None:
    pytest.importorskip("mypy")
    result = run(sys.executable, "-m", "mypy", "--strict", *TYPED_USER_CODE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_user_code_is_clean_under_pyright() -> None:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent)) or shutil.which("pyright")
    if pyright is None:
        pytest.skip("pyright is not installed")
    result = run(pyright, "--pythonpath", sys.executable, *TYPED_USER_CODE)
    assert result.returncode == 0, result.stdout + result.stderr
