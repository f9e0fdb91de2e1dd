"""Executing the notebooks in place, so that they are committed with their outputs and read on GitHub.

``python -m bertlib notebooks`` (``make notebooks``) runs each notebook top to bottom with its default
parameters and stamps it with a hash of its code cells (``metadata.bertlib.source_hash``). A notebook
whose code changed after its last run no longer matches its stamp: ``tests/test_notebooks.py`` calls it
stale. Widget views are kept as their text form (their model ids would change on every run, and GitHub
cannot show widgets anyway), and papermill's record of this machine's paths is dropped, so a rerun changes
nothing but timings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from bertlib.paths import REPO_ROOT

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CELL_TIMEOUT_S = 1800  # a cell that runs longer has hung: fail rather than wait for ever


def source_hash(notebook: Any) -> str:
    """sha256 of the notebook's code cells, in order (outputs, metadata and markdown left out)."""
    digest = hashlib.sha256()
    for cell in notebook.cells:
        if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get("tags", []):
            digest.update(cell.source.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _strip_volatile(notebook: Any) -> None:
    notebook.metadata.pop("widgets", None)
    for key in ("input_path", "output_path"):  # this machine's paths: they would be committed with the notebook
        notebook.metadata.get("papermill", {}).pop(key, None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)


def execute(path: Path, *, parameters: dict | None = None, output: Path | None = None) -> Path:
    """Run ``path`` with papermill (default parameters unless given) and stamp it; in place unless ``output``."""
    import nbformat

    output = output or path
    _papermill(path, output, parameters=parameters or {})
    notebook = nbformat.read(output, as_version=4)
    _strip_volatile(notebook)
    notebook.metadata.setdefault("bertlib", {})["source_hash"] = source_hash(notebook)
    nbformat.write(notebook, output)
    return output


def execute_emulated(path: Path, chip: str, output: Path) -> Path:
    """Run someone else's notebook (tt-metal's tutorials) with its plain ``import ttnn`` the emulator for ``chip``
    (real ttnn when a card is present), writing the executed copy to ``output``; ``path`` is left as it is.

    The kernel installs the emulator before the first cell (``IPKernelApp.exec_lines``), as ``python -m bertlib
    run`` does for a script. A failing cell raises papermill's ``PapermillExecutionError``, after the copy up to
    that cell is written.
    """
    install = f"import bertlib.emulator; bertlib.emulator.install({chip!r}, config_at_import=True)"
    _papermill(path, output, extra_arguments=[f"--IPKernelApp.exec_lines={install}"])
    return output


def _papermill(path: Path, output: Path, **options: Any) -> None:
    """Run ``path`` into ``output`` with papermill, in the notebook's folder, on this environment's kernel."""
    import papermill

    papermill.execute_notebook(str(path), str(output), cwd=str(path.parent), kernel_name="python3",
                               progress_bar=False, execution_timeout=CELL_TIMEOUT_S, **options)


def notebooks(names: list[str] | None = None) -> list[Path]:
    """The notebooks called ``names`` (stems, e.g. ``02_attention``), or all of them."""
    found = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    if not names:
        return found
    by_name = {p.stem: p for p in found}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        from bertlib.errors import BertlibError

        raise BertlibError(f"no notebook named {', '.join(unknown)}: choose from {', '.join(by_name)}")
    return [by_name[n] for n in names]
