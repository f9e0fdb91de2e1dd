"""Every notebook runs top to bottom with papermill, offline, on the emulator; a cell that raises fails."""

from pathlib import Path

import nbformat
import papermill
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    assert any("parameters" in c.metadata.get("tags", []) for c in notebook.cells), "needs a papermill parameters cell"
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code"), "commit notebooks without outputs"
    papermill.execute_notebook(str(path), str(tmp_path / path.name), cwd=str(path.parent), kernel_name="python3",
                               progress_bar=False)
