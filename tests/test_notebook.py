"""examples/quickstart.ipynb runs from top to bottom in a real Jupyter kernel, so it cannot rot."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "quickstart.ipynb"


def outputs_of(cell: Any) -> str:
    """Every output of a cell as text: streams, plain and HTML reprs, errors."""
    return json.dumps(cell.get("outputs", []))


def test_quickstart_notebook_runs(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    started = time.monotonic()
    client.execute()
    print(f"quickstart.ipynb ran in {time.monotonic() - started:.1f} s")

    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for cell in code_cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
    everything = "".join(outputs_of(cell) for cell in code_cells)
    assert "Traceback" not in everything and "panic" not in everything.lower()

    # The four ways gave four job ids, and the waits show Job cards with image ids.
    job_ids = next(cell for cell in code_cells if "create_from_volume" in cell.source)
    assert everything.count("IMS job") >= 5  # one card after the first wait, three in the loop, the failure
    assert outputs_of(job_ids).count("'") >= 8
    assert "imsVolumesToSysDataImagesJob" in everything
    assert "IMG.1075" in everything  # the collected failure
    # The progress display reached the end of each wait.
    assert "100%" in everything
    # The async cell listed three image ids.
    async_cell = next(cell for cell in code_cells if "AsyncClient" in cell.source)
    assert outputs_of(async_cell).count("-") >= 12


def test_quickstart_notebook_is_stored_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None
