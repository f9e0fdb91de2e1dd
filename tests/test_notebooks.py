"""Every notebook runs top to bottom with papermill, offline, on the emulator; a cell that raises fails."""

from pathlib import Path

import nbformat
import papermill
import pytest

#: Smaller parameters for the suite (papermill injects them); people run the defaults.
SMALL = {
    "04_qa_head_and_widget": {"seq": 128},
    "05_layer_by_layer_pcc": {"seq": 128},
    "06_squad_evaluation": {"limit": 6, "seq": 256, "batch": 4},
    "07_model_zoo": {"names": ["random:bert-tiny", "random:distilbert"], "seq": 128, "pcc_seq": 64},
    "08_profiling_device_batches": {"model": "random:bert-tiny", "seq": 128, "host_seq": 64, "leave_one_out": False},
    "09_precision_and_quantization": {"limit": 4, "seq": 128, "config_count": 2},
}
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    assert any("parameters" in c.metadata.get("tags", []) for c in notebook.cells), "needs a papermill parameters cell"
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code"), "commit notebooks without outputs"
    papermill.execute_notebook(str(path), str(tmp_path / path.name), cwd=str(path.parent), kernel_name="python3",
                               parameters=SMALL.get(path.stem, {}), progress_bar=False)
