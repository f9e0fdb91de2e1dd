"""Every name and keyword the emulator accepts exists in the installed real ttnn 0.81.1."""

import importlib
import inspect
import re

import pytest

from bertlib.emulator.ops import MODULES, REGISTRY

SIGNATURE = re.compile(r"(?:^|\n)\s*(?:__call__|\w+)\((.*?)\)\s*->", re.S)


def _split_top_level(params: str) -> list[str]:
    """``a: T[x, y] = 1, *, b: U`` -> ["a: T[x, y] = 1", "*", "b: U"] (commas inside brackets kept)."""
    parts, depth, current = [], 0, ""
    for ch in params:
        depth += ch in "[(<{"
        depth -= ch in "])>}"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    return [p for p in [*parts, current.strip()] if p]


def real_overloads(real_ttnn, dotted: str) -> list[dict[str, bool]]:
    """Each signature (overload) of a real ttnn op: {parameter name: required}, from its Python signature or,
    for nanobind ops, the signatures in their docstrings."""
    obj = real_ttnn
    for part in dotted.split("."):
        obj = getattr(obj, part)
    function = getattr(obj, "function", obj)
    try:
        parameters = inspect.signature(function).parameters
        variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        wrapped = getattr(real_ttnn._ttnn.operations.conv, dotted, None)
        if wrapped is not None and all(p.kind in variadic for p in parameters.values()):
            function = wrapped  # a Python wrapper taking (*args, **kwargs): read the nanobind op it forwards to
            raise TypeError
        return [{n: p.default is inspect.Parameter.empty for n, p in parameters.items() if n != "self"}]
    except (TypeError, ValueError):
        pass
    docs = [getattr(type(function).__call__, "__doc__", "") or "", getattr(function, "__doc__", "") or ""]
    overloads = []
    if not any(SIGNATURE.search(doc) for doc in docs):  # no signature line: read the documented arguments
        documented = re.findall(r"^\s+(\w+) \((.*?)\):", getattr(obj, "__doc__", "") or "", re.M)
        return [{name: "optional" not in kind for name, kind in documented}] if documented else []
    for doc in docs:
        for match in SIGNATURE.finditer(doc):
            params = {}
            for param in _split_top_level(match.group(1)):
                name = param.split(":")[0].split("=")[0].strip().lstrip("*")
                if name and name not in ("self", "/"):
                    params[name] = "=" not in param
            overloads.append(params)
    return overloads


def real_parameters(real_ttnn, dotted: str) -> set[str]:
    """Every parameter name of a real ttnn op, over all its overloads."""
    return set().union(*real_overloads(real_ttnn, dotted))


ALL = [(dotted, spec.function) for dotted, spec in REGISTRY.items()]
ALIASES = [(".".join([*spec.module.split(".")[1:], alias]), spec.function) for spec in REGISTRY.values()
           for alias in spec.aliases]


@pytest.mark.parametrize("dotted,function", ALL + ALIASES)
def test_emulated_keywords_exist_in_real_ttnn(real_ttnn, dotted, function):
    real = real_parameters(real_ttnn, dotted)
    assert real, f"found no parameters for ttnn.{dotted}: the signature parse is broken"
    ours = set(inspect.signature(function).parameters)
    assert ours - real == set(), f"ttnn.{dotted} has no keyword(s) {ours - real}"


def test_parse_finds_the_keywords_bert_uses(real_ttnn):
    assert {"core_grid", "program_config", "compute_kernel_config", "bias", "activation", "dtype"} <= real_parameters(
        real_ttnn, "linear")
    assert {"residual_input_tensor", "weight", "bias", "epsilon"} <= real_parameters(real_ttnn, "layer_norm")
    assert {"num_heads", "transpose_key"} <= real_parameters(
        real_ttnn, "transformer.split_query_key_value_and_split_heads")
    assert {"attention_mask", "head_size"} <= real_parameters(real_ttnn, "transformer.attention_softmax_")
    assert {"device", "memory_config"} <= real_parameters(real_ttnn, "to_device")


@pytest.mark.parametrize("dotted,function", ALL + ALIASES)
def test_real_required_arguments_are_accepted(real_ttnn, dotted, function):
    """Code that calls ttnn with the required arguments of any of its overloads runs, and the emulator demands
    nothing that every overload leaves optional."""
    ours = inspect.signature(function).parameters
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    required = {n for n, p in ours.items() if p.default is inspect.Parameter.empty and p.kind not in variadic}
    overloads = [{n for n, req in o.items() if req} for o in real_overloads(real_ttnn, dotted)]
    assert any(required <= o for o in overloads), f"ttnn.{dotted}: we require {required}, real ones {overloads}"
    assert any(o <= set(ours) for o in overloads), f"ttnn.{dotted}: no overload's arguments {overloads} are ours"


def test_required_parse_reads_defaults(real_ttnn):
    assert {n for n, req in real_overloads(real_ttnn, "linear")[0].items() if req} == {"input_tensor_a", "input_tensor_b"}
    assert [{n for n, req in o.items() if req} for o in real_overloads(real_ttnn, "reshape")] == [
        {"input_tensor", "shape"}, {"input_tensor", "logical_shape", "padded_shape"}, {"input_tensor", "shape"}]
    assert real_overloads(real_ttnn, "from_torch")[0]["tensor"] and not real_overloads(real_ttnn, "from_torch")[0]["dtype"]


def test_settings_objects_are_real_ttnn_and_device_work_is_refused(real_ttnn, ttnn):
    """Classes, enums, constants and host helpers are real ttnn's own; ops outside the emulated set are refused."""
    from bertlib.emulator import UnsupportedTTNNOp

    for name in ("bfloat8_b", "TILE_LAYOUT", "L1_MEMORY_CONFIG", "L1_BLOCK_SHARDED_MEMORY_CONFIG", "CoreGrid",
                 "CoreRangeSet", "ShardStrategy", "ShardOrientation", "MatmulMultiCoreReuseMultiCastProgramConfig",
                 "SoftmaxShardedMultiCoreProgramConfig", "TILE_SIZE", "create_sharded_memory_config", "MathFidelity"):
        assert getattr(ttnn, name) is getattr(real_ttnn, name), name
    assert ttnn.mul is ttnn.multiply and ttnn.Tensor is not real_ttnn.Tensor
    with pytest.raises(UnsupportedTTNNOp, match="ttnn.operations.ccl is not part"):
        ttnn.operations.ccl  # noqa: B018 - the attribute access is the test


def test_every_keyword_an_op_does_not_compute_with_is_listed():
    """Each declaration's ``not_computed`` names exactly the keywords its op's body never reads: each of those
    is a recorded hint or refused, so nothing is accepted and then ignored."""
    import ast

    declared = {spec.function.__name__: set(spec.not_computed) for spec in REGISTRY.values() if spec.not_computed}
    found = {}
    nodes = [node for module in MODULES for node in ast.parse(inspect.getsource(importlib.import_module(module))).body]
    for node in nodes:
        if isinstance(node, ast.FunctionDef) and node.name in {spec.function.__name__ for spec in REGISTRY.values()}:
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            unused = {a.arg for a in node.args.args + node.args.kwonlyargs if a.arg not in used}
            if unused:
                found[node.name] = unused
    assert found == declared


def test_not_computed_keywords_are_refused_or_recorded_as_hints(ttnn, device):
    import torch

    from bertlib.emulator import UnsupportedTTNNOp, recording

    x = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    w = ttnn.from_torch(torch.randn(64, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    with pytest.raises(UnsupportedTTNNOp, match="output_tile"):
        ttnn.linear(x, w, output_tile=ttnn.Tile((32, 32)))
    with pytest.raises(UnsupportedTTNNOp, match="input_tensor_a_activations"):
        ttnn.add(x, x, input_tensor_a_activations=[ttnn.UnaryOpType.RELU])
    with recording() as trace:
        ttnn.to_torch(ttnn.to_device(ttnn.from_torch(torch.ones(32, 32)), device, queue_id=ttnn.QueueId(0)))
        ttnn.linear(x, w, optional_output_tensor=None)  # at its default: fine
        ttnn.gelu(x, queue_id=0)  # every op takes queue_id, as real ttnn's op wrapper does
    assert trace.hints == [("to_device", {"queue_id": repr(ttnn.QueueId(0))}), ("gelu", {"queue_id": "0"})]


def test_compute_kernel_fields_that_change_no_value_are_recorded_as_hints(ttnn, device):
    """dst_full_sync_en and throttle_level schedule the math thread and change no value: each op that is given
    them records them; left at their defaults, nothing is recorded."""
    import torch

    from bertlib.emulator import recording

    x = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    w = ttnn.from_torch(torch.randn(64, 32), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
    plain = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2)
    tuned = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, dst_full_sync_en=True,
                                             throttle_level=ttnn.ThrottleLevel.LEVEL_5)
    with recording() as trace:
        base = ttnn.to_torch(ttnn.linear(x, w, compute_kernel_config=plain))
        ttnn.softmax(x, dim=-1, compute_kernel_config=plain)
    assert trace.hints == []
    with recording() as trace:
        same = ttnn.to_torch(ttnn.linear(x, w, compute_kernel_config=tuned))
        ttnn.softmax(x, dim=-1, compute_kernel_config=tuned)
    fields = {"compute_kernel_config.dst_full_sync_en": "True",
              "compute_kernel_config.throttle_level": "ThrottleLevel.LEVEL_5"}
    assert trace.hints == [("linear", fields), ("softmax", fields)]
    assert torch.equal(base, same)


def test_the_namespace_is_built_from_the_registry(ttnn):
    """Every declared op is at its dotted name (and its aliases), as the one public callable."""
    for dotted, spec in REGISTRY.items():
        home = ttnn
        for part in dotted.split(".")[:-1]:
            home = getattr(home, part)
        for name in (spec.name, *spec.aliases):
            assert getattr(home, name) is spec.public, dotted


def test_an_op_is_declared_once():
    from bertlib.emulator.op_registry import op

    with pytest.raises(ValueError, match=r"ttnn.add is declared twice"):
        op("add", family="binary", group="eltwise")(lambda input_tensor_a, input_tensor_b: None)
    with pytest.raises(ValueError, match=r"ttnn.mul is declared twice"):
        op("mul", family="binary", group="eltwise")(lambda input_tensor_a, input_tensor_b: None)
    with pytest.raises(ValueError, match="family 'pointwise'"):
        op("brand_new", family="pointwise", group="eltwise")(lambda x: x)


def test_emulator_modules_import_without_a_cycle():
    """Imports among the emulator's modules (at the top or inside functions) flow one way."""
    import ast
    import pathlib

    import bertlib.emulator

    root = pathlib.Path(bertlib.emulator.__file__).parent
    graph = {}
    for path in root.rglob("*.py"):
        if path.name == "__init__.py" and path.parent == root:
            continue
        name = ".".join(("bertlib", *path.relative_to(root.parent).with_suffix("").parts)).removesuffix(".__init__")
        edges = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bertlib.emulator"):
                for alias in node.names:
                    edges.add(f"{node.module}.{alias.name}" if node.module == "bertlib.emulator" else node.module)
            elif isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name.startswith("bertlib.emulator")}
        graph[name] = {e for e in edges if e != name}
    graph = {n: {e for e in edges if e in graph} for n, edges in graph.items()}

    def cycle_from(node, path):
        if node in path:
            return path[path.index(node):] + [node]
        for nxt in graph[node]:
            found = cycle_from(nxt, [*path, node])
            if found:
                return found
        return None

    for start in graph:
        assert cycle_from(start, []) is None, " -> ".join(cycle_from(start, []))


def test_coverage_counts_real_ttnn_functions(ttnn, real_ttnn):
    from bertlib.emulator import UnsupportedTTNNOp
    from bertlib.emulator.coverage import coverage

    ops = coverage(ttnn)
    assert len(ops.real) > 600 and "add" in ops.emulated and "mul" in ops.emulated and "open_device" in ops.provided
    assert sorted(ops.emulated + ops.provided + ops.refused) == ops.real
    for name in ops.refused[:20]:
        with pytest.raises(UnsupportedTTNNOp, match=f"ttnn.{name} is not part"):
            getattr(ttnn, name)
    assert ops.summary().startswith(f"{len(ops.emulated) + len(ops.provided)} of {len(ops.real)} top-level")
