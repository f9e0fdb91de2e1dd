"""Every name and keyword the emulator accepts exists in the installed real ttnn 0.81.1."""

import inspect
import re

import pytest

from bertlib.emulator import OPS, PASSTHROUGH, TRANSFORMER_OPS, ops

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
        return [{n: p.default is inspect.Parameter.empty for n, p in parameters.items() if n != "self"}]
    except (TypeError, ValueError):
        pass
    docs = [getattr(type(function).__call__, "__doc__", "") or "", getattr(function, "__doc__", "") or ""]
    overloads = []
    for doc in docs:
        for match in SIGNATURE.finditer(doc):
            params = {}
            for param in _split_top_level(match.group(1)):
                name = param.split(":")[0].split("=")[0].strip().lstrip("*")
                if name and name != "self":
                    params[name] = "=" not in param
            overloads.append(params)
    return overloads


def real_parameters(real_ttnn, dotted: str) -> set[str]:
    """Every parameter name of a real ttnn op, over all its overloads."""
    return set().union(*real_overloads(real_ttnn, dotted))


ALL = [(name, name) for name in OPS] + [(f"transformer.{name}", name) for name in TRANSFORMER_OPS]


@pytest.mark.parametrize("dotted,name", ALL)
def test_emulated_keywords_exist_in_real_ttnn(real_ttnn, dotted, name):
    real = real_parameters(real_ttnn, dotted)
    assert real, f"found no parameters for ttnn.{dotted}: the signature parse is broken"
    ours = set(inspect.signature(getattr(ops, name)).parameters)
    assert ours - real == set(), f"ttnn.{dotted} has no keyword(s) {ours - real}"


def test_parse_finds_the_keywords_bert_uses(real_ttnn):
    assert {"core_grid", "program_config", "compute_kernel_config", "bias", "activation", "dtype"} <= real_parameters(
        real_ttnn, "linear")
    assert {"residual_input_tensor", "weight", "bias", "epsilon"} <= real_parameters(real_ttnn, "layer_norm")
    assert {"num_heads", "transpose_key"} <= real_parameters(
        real_ttnn, "transformer.split_query_key_value_and_split_heads")
    assert {"attention_mask", "head_size"} <= real_parameters(real_ttnn, "transformer.attention_softmax_")
    assert {"device", "memory_config"} <= real_parameters(real_ttnn, "to_device")


@pytest.mark.parametrize("dotted,name", ALL)
def test_real_required_arguments_are_accepted(real_ttnn, dotted, name):
    """The emulator requires exactly what one of the real op's overloads requires: code that calls ttnn with
    its required arguments runs, and the emulator demands nothing that ttnn leaves optional."""
    ours = inspect.signature(getattr(ops, name)).parameters
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    required = {n for n, p in ours.items() if p.default is inspect.Parameter.empty and p.kind not in variadic}
    overloads = [{n for n, req in o.items() if req} for o in real_overloads(real_ttnn, dotted)]
    assert required in overloads, f"ttnn.{dotted}: we require {required}, real overloads require {overloads}"


def test_required_parse_reads_defaults(real_ttnn):
    assert {n for n, req in real_overloads(real_ttnn, "linear")[0].items() if req} == {"input_tensor_a", "input_tensor_b"}
    assert [{n for n, req in o.items() if req} for o in real_overloads(real_ttnn, "reshape")] == [
        {"input_tensor", "shape"}, {"input_tensor", "logical_shape", "padded_shape"}, {"input_tensor", "shape"}]
    assert real_overloads(real_ttnn, "from_torch")[0]["tensor"] and not real_overloads(real_ttnn, "from_torch")[0]["dtype"]


def test_passthrough_objects_are_real_ttnn(real_ttnn, ttnn):
    for name in PASSTHROUGH:
        assert getattr(ttnn, name) is getattr(real_ttnn, name)
