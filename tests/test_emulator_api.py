"""Every name and keyword the emulator accepts exists in the installed real ttnn 0.81.1."""

import inspect
import re

import pytest

from bertlib.emulator import OPS, PASSTHROUGH, TRANSFORMER_OPS, ops

SIGNATURE = re.compile(r"(?:^|\n)\s*(?:__call__|\w+)\((.*?)\)\s*->", re.S)
PARAM = re.compile(r"(?:^|, )\*?(\w+)(?=:|=|,|$)")


def real_parameters(real_ttnn, dotted: str) -> set[str]:
    """Parameter names of a real ttnn op, read from its nanobind signature or Python signature."""
    obj = real_ttnn
    for part in dotted.split("."):
        obj = getattr(obj, part)
    function = getattr(obj, "function", obj)
    try:
        return set(inspect.signature(function).parameters) - {"self"}
    except (TypeError, ValueError):
        pass
    docs = [getattr(type(function).__call__, "__doc__", "") or "", getattr(function, "__doc__", "") or ""]
    names: set[str] = set()
    for doc in docs:
        for match in SIGNATURE.finditer(doc):
            names |= set(PARAM.findall(match.group(1)))
    return names - {"self"}


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
    obj = real_ttnn
    for part in dotted.split("."):
        obj = getattr(obj, part)
    ours = inspect.signature(getattr(ops, name)).parameters
    # every keyword-only argument the emulator requires must be required by ttnn too (none are optional there)
    required = {n for n, p in ours.items() if p.default is inspect.Parameter.empty}
    assert required <= real_parameters(real_ttnn, dotted)


def test_passthrough_objects_are_real_ttnn(real_ttnn, ttnn):
    for name in PASSTHROUGH:
        assert getattr(ttnn, name) is getattr(real_ttnn, name)
