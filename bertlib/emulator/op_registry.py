"""The op registry: one declaration per emulated op, from which the ``ttnn`` namespace is built.

An op module declares each op where it defines it::

    @op(family="binary", group="eltwise", operators=("__add__", "__radd__"),
        not_computed=("sub_device_id",))
    def add(input_tensor_a, input_tensor_b, *, memory_config=None, ...): ...

The declaration says everything the rest of the emulator needs about the op:

- ``name`` and ``module``: where it lives in the namespace (``ttnn.add``, ``ttnn.transformer.<name>``,
  ``ttnn.experimental.<name>``, ``ttnn.operations.moreh.<name>``), and ``aliases`` (``ttnn.mul``);
- its signature and keywords: the function's own, checked against real ttnn 0.81.1 by
  ``tests/test_emulator_api.py``; ``not_computed`` lists the keywords the body does not read, each a scheduling
  hint recorded in the op trace or refused by name unless left at its default (``keywords``);
- its numerics: the body computes with real ttnn's golden function (``golden`` names the real op whose
  golden function ``ttnn.get_golden_function`` returns) on the values a card stores, and ``common.emit`` rounds
  the result to the stored dtype;
- what a card refuses: the body raises it, with the card's message where tt-metal has one;
- how the op trace and the cost model see it: ``group`` (the cost model's op group; None for host ops that
  record nothing) and ``per_device`` (run once per chip on a mesh);
- ``operators``: the Python operators (``a + b``) a tensor maps to it.

``public`` is the callable the namespace holds: keywords checked, run per mesh device, seen by metal traces and by
``ttnn.tracer``'s graph.
The module-level name keeps the plain function, which other ops call without a second check or record.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ttnn as _real

from bertlib.emulator import graph_tracer, keywords, metal_trace, sharding, tensor
from bertlib.emulator.mesh import mesh_aware

#: The namespaces an op can live in.
MODULES = ("ttnn", "ttnn.transformer", "ttnn.experimental", "ttnn.operations.moreh")
#: What an op does, for listings (``python -m bertlib doctor``) and the project's tests.
FAMILIES = ("tensor", "creation", "unary", "binary", "reduction", "data movement", "normalization", "matmul",
            "transformer", "embedding", "convolution", "device")


@dataclass(frozen=True)
class OpSpec:
    """One emulated op: its place in the namespace, its keywords and how the trace and cost model see it."""

    name: str
    module: str
    family: str
    function: Callable
    group: str | None
    not_computed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    per_device: bool = True
    golden: str | None = None
    operators: tuple[str, ...] = ()
    public: Callable = field(init=False, repr=False, compare=False)

    @property
    def dotted(self) -> str:
        """The op's name under ``ttnn`` (``add``, ``transformer.concatenate_heads``)."""
        return ".".join([*self.module.split(".")[1:], self.name])


#: Every declared op, by its dotted name under ``ttnn``.
REGISTRY: dict[str, OpSpec] = {}


#: Ops that take an ND-sharded tensor (a memory config with only an ``nd_shard_spec``): those that move it or
#: make one. Every other op reads a 2-D shard spec, so it refuses such a tensor by name.
ND_SHARDED_FAMILIES = ("tensor", "creation")
ND_SHARDED_OPS = ("to_memory_config", "sharded_to_interleaved", "clone", "typecast", "to_layout")


def _nd_sharded_refused(name: str, run: Callable) -> Callable:
    def checked(*args: Any, **kwargs: Any) -> Any:
        for item in tensor.call_arguments(args, kwargs):
            if isinstance(item, tensor.Tensor) and sharding.is_nd_sharded(item.mem_config):
                raise keywords.UnsupportedTTNNOp(
                    f"ttnn.{name} of an ND-sharded tensor (a memory config with only an nd_shard_spec) is not "
                    "emulated: move it to an interleaved or a 2-D sharded memory config first (ttnn.to_memory_config)")
        return run(*args, **kwargs)

    functools.update_wrapper(checked, run)
    return checked


def _public(spec: OpSpec) -> Callable:
    run = keywords.checked(spec.name, spec.function, spec.not_computed)
    if spec.family not in ND_SHARDED_FAMILIES and spec.name not in ND_SHARDED_OPS:
        run = _nd_sharded_refused(spec.name, run)
    run = mesh_aware(run) if spec.per_device else run
    run = metal_trace.captured(spec.name, run)
    run = graph_tracer.trace_ttnn_operation(f"{spec.module}.{spec.name}", run)
    run.python_fully_qualified_name = f"{spec.module}.{spec.name}"
    run.golden_function = golden_function(spec)  # ttnn.get_golden_function(op) works on it
    return run


def register(spec: OpSpec) -> OpSpec:
    """Add ``spec`` to the registry and build its public callable; a name declared twice is an error."""
    if spec.module not in MODULES:
        raise ValueError(f"{spec.name}: module {spec.module!r} is not one of {MODULES}")
    if spec.family not in FAMILIES:
        raise ValueError(f"{spec.name}: family {spec.family!r} is not one of {FAMILIES}")
    for name in (spec.dotted, *(".".join([*spec.module.split(".")[1:], a]) for a in spec.aliases)):
        if name in REGISTRY or any(name == ".".join([*s.module.split(".")[1:], a]) for s in REGISTRY.values()
                                   for a in s.aliases):
            raise ValueError(f"ttnn.{name} is declared twice")
    object.__setattr__(spec, "public", _public(spec))
    REGISTRY[spec.dotted] = spec
    for operator in spec.operators:
        tensor.OPERATORS[operator] = spec.public
    return spec


def op(name: str | None = None, *, family: str, group: str | None, module: str = "ttnn",
       not_computed: tuple[str, ...] = (), aliases: tuple[str, ...] = (), per_device: bool = True,
       golden: str | None = None, operators: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Declare the decorated function as the emulated ``ttnn`` op ``name`` (default: the function's name)."""

    def declare(function: Callable) -> Callable:
        register(OpSpec(name or function.__name__, module, family, function, group, tuple(not_computed),
                        tuple(aliases), per_device, golden, tuple(operators)))
        return function

    return declare


def specs(module: str | None = None) -> Iterator[OpSpec]:
    """The declared ops, optionally only those of one namespace (``"ttnn.transformer"``)."""
    return (s for s in REGISTRY.values() if module is None or s.module == module)


@functools.cache
def _golden_of(dotted: str) -> Callable | None:
    obj: Any = _real
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
    return getattr(obj, "golden_function", None)


def golden_function(spec: OpSpec) -> Callable | None:
    """Real ttnn's golden function for ``spec`` (``ttnn.get_golden_function`` on the emulated op returns it)."""
    return _golden_of(spec.golden or spec.dotted)
