"""The device, dispatch, tracer and logging calls tt-metal's TT-NN tutorials make, on the emulator
(``python -m bertlib run`` as the tutorials are run)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_script(tmp_path: Path, source: str, chip: str = "wormhole_n150") -> subprocess.CompletedProcess:
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    env = {k: v for k, v in os.environ.items() if k != "LOGURU_LEVEL"}  # as a user's shell has it (conftest sets it)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bertlib", "run", "--chip", chip, str(script)], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def ttnn_ns():
    from bertlib.emulator import make_namespace

    return make_namespace("wormhole_n150")


def test_dispatch_config_the_grid_assumes_is_accepted_and_traced(ttnn_ns):
    from bertlib.emulator import recording

    config = ttnn_ns.device.DispatchCoreConfig(ttnn_ns.device.DispatchCoreType.ETH)
    with recording() as trace:
        device = ttnn_ns.open_device(device_id=7, l1_small_size=8192, dispatch_core_config=config)
    assert ("open_device", {"dispatch_core_config": "ETH/ROW"}) in trace.hints
    assert device.compute_with_storage_grid_size().x == 8 and device.compute_with_storage_grid_size().y == 8
    ttnn_ns.close_device(device)


def test_other_dispatch_cores_are_refused(ttnn_ns):
    from bertlib.emulator import UnsupportedTTNNOp

    worker = ttnn_ns.DispatchCoreConfig(ttnn_ns.DispatchCoreType.WORKER)
    with pytest.raises(UnsupportedTTNNOp, match="dispatch_core_config=WORKER"):
        ttnn_ns.open_device(device_id=8, dispatch_core_config=worker)
    with pytest.raises(TypeError, match="DispatchCoreConfig"):
        ttnn_ns.open_device(device_id=8, dispatch_core_config="ETH")


def test_create_device_is_open_device(ttnn_ns):
    device = ttnn_ns.CreateDevice(9, l1_small_size=4096)
    assert device.id() == 9 and device.l1_small_size == 4096
    with pytest.raises(RuntimeError, match="Cannot re-initialize device 9"):
        ttnn_ns.CreateDevice(9)
    ttnn_ns.CloseDevice(device)
    assert device.closed


def test_tracer_refuses_fast_runtime_mode_as_on_a_card(tmp_path):
    """ttnn's default is fast runtime mode, in which real ttnn's tracer refuses; so does the emulator's."""
    done = run_script(tmp_path, """
        from ttnn.tracer import trace
        try:
            with trace():
                pass
        except ValueError as error:
            print("refused:", error)
    """)
    assert done.returncode == 0, done.stderr
    assert "refused: Tracing is not supported in fast runtime mode" in done.stdout


def test_a_script_configures_ttnn_before_its_import_and_traces_the_emulated_ops(tmp_path):
    """A setting made before the script's ``import ttnn`` applies (``run`` loaded ttnn before the script), one made
    after it does not, as on a card; then ``ttnn.tracer`` records the emulated ops as nodes of real ttnn's graph."""
    done = run_script(tmp_path, """
        import os
        os.environ["TTNN_CONFIG_OVERRIDES"] = '{"enable_fast_runtime_mode": false}'
        import torch
        import ttnn
        from ttnn.tracer import get_graph, trace

        device = ttnn.open_device(device_id=0)
        bias = ttnn.from_torch(torch.ones(2, 4, 32), layout=ttnn.TILE_LAYOUT, device=device)  # made before tracing
        weight = ttnn.from_torch(torch.eye(32), layout=ttnn.TILE_LAYOUT, device=device)
        with trace():
            x = torch.randint(0, 100, (4, 64), dtype=torch.int32).float()
            x = ttnn.from_torch(x, layout=ttnn.TILE_LAYOUT, device=device)
            x = ttnn.reshape(x, (2, 4, 32))
            x = ttnn.add(x, bias)
            x = ttnn.linear(x, weight, bias=bias)  # its keywords are compared with their defaults: no node
            out = ttnn.to_torch(x)
        graph = get_graph(out)
        names = {node.name.rsplit("_", 1)[0]: node for node in graph.nodes}
        print(sorted(names))
        print("add inputs:", sorted(u.name.rsplit("_", 1)[0] for u, _ in graph.in_edges(names["ttnn.add"])))
        print("reshape shape:", list(graph.nodes[names["ttnn.reshape"]]["shapes"][0]))
        print("traced output:", type(out).__name__, torch.equal(out.as_subclass(torch.Tensor), ttnn.to_torch(x)))
        print("isolated:", [node.name for node in graph.nodes if graph.degree(node) == 0])
        ttnn.close_device(device)
    """)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['float', 'torch_input', 'ttnn.add', 'ttnn.from_torch', 'ttnn.linear', 'ttnn.reshape', " \
                       "'ttnn.to_torch', 'ttnn_input']"
    assert lines[1] == "add inputs: ['ttnn.reshape', 'ttnn_input']"
    assert lines[2] == "reshape shape: [2, 4, 32]"
    assert lines[3] == "traced output: TracedTorchTensor True"
    assert lines[4] == "isolated: []"


def test_user_logging_is_left_alone(tmp_path):
    """Importing bertlib and ttnn keeps loguru's default level (DEBUG): a script's INFO lines print, ttnn's own
    import-time DEBUG dump does not."""
    done = run_script(tmp_path, """
        import ttnn
        from loguru import logger
        logger.info("user line")
        logger.debug("user debug")
    """)
    assert done.returncode == 0, done.stderr
    assert "user line" in done.stderr and "user debug" in done.stderr
    assert "Initial ttnn.CONFIG" not in done.stderr


def test_printed_tensor_is_real_ttnn_format(tmp_path):
    done = run_script(tmp_path, """
        import ttnn
        device = ttnn.open_device(device_id=0)
        a = ttnn.full(shape=(32, 32), fill_value=1.0, dtype=ttnn.float32, layout=ttnn.TILE_LAYOUT, device=device)
        print(ttnn.add(a, a))
        ttnn.close_device(device)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ttnn.Tensor([[ 2.0000,  2.0000,  ...,  2.0000,  2.0000],")
    assert done.stdout.rstrip().endswith("shape=Shape([32, 32]), dtype=DataType::FLOAT32, layout=Layout::TILE)")


#: tt-metal's tutorials that need no download and run to the end here (README, "tt-metal's tutorials ...").
RUNNING_TUTORIALS = ["ttnn_add_tensors.py", "ttnn_basic_operations.py", "ttnn_basic_matrix_multiplication.py",
                     "ttnn_basic_conv.py", "ttnn_multihead_attention.py"]
RUNNING_NOTEBOOKS = ["ttnn_add_tensors.ipynb", "ttnn_basic_operations.ipynb", "ttnn_basic_conv.ipynb"]
TUTORIALS = Path(os.environ.get("TT_METAL_HOME", "/nonexistent")) / "ttnn" / "tutorials" / "basic_python"
NOTEBOOKS = TUTORIALS.parent / "2025_dx_rework"


@pytest.mark.skipif(not TUTORIALS.is_dir(), reason="needs a tt-metal checkout ($TT_METAL_HOME)")
@pytest.mark.parametrize("tutorial", RUNNING_TUTORIALS)
def test_tt_metal_tutorials_run_unmodified(tutorial):
    """Where a tt-metal checkout is present ($TT_METAL_HOME): the tutorial runs to the end, its own checks included."""
    out = subprocess.run([sys.executable, "-m", "bertlib", "run", "--chip", "wormhole_n150", tutorial],
                         cwd=TUTORIALS, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr[-2000:]



def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bertlib", "run", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def test_a_notebook_runs_with_the_emulator_as_its_ttnn(tmp_path):
    """tt-metal's tutorial notebooks: the kernel installs the emulator before the first cell, so a plain
    ``import ttnn`` and ``ttnn.open_device`` work (real ttnn's open_device fails without a card); the executed copy
    is NAME.emulated.ipynb in the working directory, the notebook itself left unchanged."""
    import nbformat

    notebook = tmp_path / "tutorial.ipynb"
    cells = ["import ttnn\ndevice = ttnn.open_device(device_id=0)",
             "a = ttnn.full(shape=(32, 32), fill_value=1.5, dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)\n"
             "print(ttnn.to_torch(ttnn.add(a, a))[0, :2].tolist(), ttnn.is_emulator, ttnn.chip.name)",
             "ttnn.close_device(device)"]
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), notebook)
    before = notebook.read_bytes()
    done = run_cli(tmp_path, "--chip", "blackhole_p150", notebook.name)
    assert done.returncode == 0, done.stderr[-2000:]
    out = tmp_path / "tutorial.emulated.ipynb"
    assert done.stdout.strip() == f"tutorial.ipynb ran to the end: {out}"
    assert nbformat.read(out, as_version=4).cells[1].outputs[0]["text"].strip() == "[3.0, 3.0] True blackhole_p150"
    assert notebook.read_bytes() == before

    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import ttnn\nttnn.no_such_op()")]),
                   notebook)
    failed = run_cli(tmp_path, "--output", "failed.ipynb", notebook.name)
    assert failed.returncode == 1
    assert "tutorial.ipynb: cell 1 failed: UnsupportedTTNNOp: ttnn.no_such_op is not part" in failed.stderr
    assert (tmp_path / "failed.ipynb").is_file()
    (tmp_path / "script.py").write_text("import ttnn\n")
    wrong = run_cli(tmp_path, "--output", "x.ipynb", "script.py")
    assert wrong.returncode == 2 and "is a script: drop --output" in wrong.stderr


@pytest.mark.skipif(not NOTEBOOKS.is_dir(), reason="needs a tt-metal checkout ($TT_METAL_HOME)")
@pytest.mark.parametrize("notebook", RUNNING_NOTEBOOKS)
def test_tt_metal_tutorial_notebooks_run_unmodified(notebook, tmp_path):
    """Where a tt-metal checkout is present: the 2025 tutorial notebook runs to the end, its copy written aside."""
    done = run_cli(tmp_path, "--chip", "wormhole_n150", str(NOTEBOOKS / notebook))
    assert done.returncode == 0, done.stderr[-2000:]
