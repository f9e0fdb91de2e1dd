"""Every notebook runs top to bottom with papermill, offline, on the emulator; a cell that raises fails.

The notebooks are also committed executed (``make notebooks``): every one must carry outputs, no error, and
a stamp that matches its current code (a notebook whose code changed since it was run is stale).
"""

from pathlib import Path

import nbformat
import pytest

from bertlib.notebook_runs import execute, source_hash

#: Smaller parameters for the suite (papermill injects them); the committed outputs use the defaults.
SMALL = {
    "04_qa_head_and_widget": {"seq": 128},
    "05_layer_by_layer_pcc": {"seq": 128},
    "06_squad_evaluation": {"limit": 6, "seq": 256, "batch": 4},
    "07_model_zoo": {"names": ["random:bert-tiny", "random:distilbert"], "seq": 128, "pcc_seq": 64},
    "08_profiling_device_batches": {"model": "random:bert-tiny", "seq": 128, "host_seq": 64, "leave_one_out": False},
    "09_precision_and_quantization": {"limit": 4, "seq": 128, "config_count": 2},
    "10_sharding_and_program_configs": {"pcc_model": "minilm-squad", "pcc_seq": 128},
}
NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_outputs_are_there_without_errors_and_fresh(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), f"{path.name} is not executed: run `make notebooks`"
    assert any(c.get("outputs") for c in code), f"{path.name} has no outputs: run `make notebooks`"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name} was committed with an error: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    stamp = notebook.metadata.get("bertlib", {}).get("source_hash")
    assert stamp == source_hash(notebook), f"{path.name} is stale (its code changed since its run): `make notebooks`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    notebook = nbformat.read(path, as_version=4)
    assert any("parameters" in c.metadata.get("tags", []) for c in notebook.cells), "needs a papermill parameters cell"
    execute(path, parameters=SMALL.get(path.stem, {}), output=tmp_path / path.name)


def test_a_changed_code_cell_makes_a_notebook_stale():
    notebook = nbformat.read(NOTEBOOKS[0], as_version=4)
    before = source_hash(notebook)
    next(c for c in notebook.cells if c.cell_type == "markdown").source += " (prose only)"
    assert source_hash(notebook) == before  # prose and outputs are not code
    next(c for c in notebook.cells if c.cell_type == "code").source += "\n# changed"
    assert source_hash(notebook) != before
