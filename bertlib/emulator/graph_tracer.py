"""``ttnn.tracer`` on the emulator: ``with trace(): ...`` then ``visualize(output)`` or ``get_graph(output)``.

Real ttnn's tracer (``ttnn/tracer.py``) builds a networkx graph in two halves. Torch's half is
``ttnn.torch_tracer``: while tracing, torch's creation functions and ``nn.Module.__call__`` are patched and each
torch op on a traced tensor adds a node; it is plain torch and runs here unchanged. ttnn's half wraps every
top-level op call into a node, with an edge from each input tensor's node. This module is that second half for
the emulated ops, recording real ttnn's node types (``ttnn.tracer.TTNNOperation`` / ``TTNNTensor``), so that real
``visualize``, ``get_graph`` and ``codegen`` read the graph as they read one made on a card.

As on a card: tracing refuses fast runtime mode, ttnn's default (set ``TTNN_CONFIG_OVERRIDES='{"enable_fast_
runtime_mode": false}'`` before ``import ttnn``), and ``visualize`` needs Graphviz's ``dot`` program (without it
real ttnn warns and returns None). While an emulated op runs, torch's patches are lifted, so the emulator's own
torch work is not traced as the user's.
"""

from __future__ import annotations

import contextlib
import functools
import types
from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx
import torch
import ttnn as _real
import ttnn.torch_tracer as torch_tracer
import ttnn.tracer as _real_tracer

from bertlib.emulator.tensor import Tensor

_enabled = False
_depth = 0  # how many traced op calls are running: only the outermost is a node, as ttnn's decorators do


class TracedTTNNTensor(Tensor):
    """An emulated tensor that knows its node in the traced graph (it shares the tensor's stored values)."""

    TRACEDTENSOR = None  # the tag real ttnn's tracer looks for

    graph: nx.MultiDiGraph
    node: Any
    output_index: int

    @classmethod
    def of(cls, tensor: Tensor, graph: nx.MultiDiGraph, node: Any, output_index: int) -> TracedTTNNTensor:
        traced = cls.__new__(cls)
        traced.__dict__.update({k: v for k, v in tensor.__dict__.items()
                                if k not in ("graph", "node", "output_index")})
        traced.graph, traced.node, traced.output_index = graph, node, output_index
        return traced

    @property
    def name(self) -> str:
        return self.node.name


def _node(name: str, graph: nx.MultiDiGraph, operation: Any, outputs: list) -> Any:
    unique_id = torch_tracer.get_unique_id()
    node = torch_tracer.Node(name=f"{name}_{unique_id}", unique_id=unique_id)
    graph.add_node(node, operation=operation, shapes=tuple(t.shape for t in outputs),
                   dtypes=tuple(t.dtype for t in outputs),
                   layouts=tuple(getattr(t, "layout", None) for t in outputs),
                   memory_configs=tuple(t.memory_config() if isinstance(t, Tensor) else None for t in outputs))
    return node


def create_ttnn_input_tensor(tensor: Tensor) -> TracedTTNNTensor:
    """A graph input node for a tensor made before tracing began."""
    graph = torch_tracer.GRAPH_STACK[-1]
    return TracedTTNNTensor.of(tensor, graph, _node("ttnn_input", graph, _real_tracer.TTNNTensor(), [tensor]), 0)


def _traced_inputs(value: Any, found: list) -> Any:
    """``value`` with each tensor in it made a traced one (collected in ``found``) and torch's traced tensors
    handed to the op as plain ones."""
    if isinstance(value, (TracedTTNNTensor, torch_tracer.TracedTorchTensor)):
        found.append(value)
        return value.as_subclass(torch.Tensor) if isinstance(value, torch.Tensor) else value
    if isinstance(value, Tensor):
        found.append(create_ttnn_input_tensor(value))
        return found[-1]
    if isinstance(value, torch.Tensor):
        found.append(torch_tracer.create_input_tensor(value))
        return value
    if isinstance(value, (tuple, list)):
        return type(value)(_traced_inputs(v, found) for v in value)
    if isinstance(value, dict):
        return {k: _traced_inputs(v, found) for k, v in value.items()}
    return value


def _outputs(value: Any) -> list:
    if isinstance(value, (Tensor, torch.Tensor)):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _outputs(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _outputs(v)]
    return []


def _replaced(value: Any, traced: Iterator) -> Any:
    if isinstance(value, (Tensor, torch.Tensor)):
        return next(traced)
    if isinstance(value, tuple):
        return tuple(_replaced(v, traced) for v in value)
    if isinstance(value, list):
        return [_replaced(v, traced) for v in value]
    if isinstance(value, dict):
        return {k: _replaced(v, traced) for k, v in value.items()}
    return value


@contextlib.contextmanager
def _torch_untraced() -> Iterator[None]:
    """Lift torch_tracer's patches for the emulator's own torch work, then put them and the graph back."""
    stack = torch_tracer.GRAPH_STACK
    torch_tracer.disable_tracing()
    try:
        yield
    finally:
        torch_tracer.enable_tracing()
        torch_tracer.GRAPH_STACK = stack


def trace_ttnn_operation(pretty_name: str, operation: Callable) -> Callable:
    """``operation`` as a node of the traced graph while tracing is on (the public ops are wrapped by this)."""

    @functools.wraps(operation)
    def traced(*args: Any, **kwargs: Any) -> Any:
        global _depth
        if not is_tracing_enabled() or _depth:
            return operation(*args, **kwargs)
        inputs: list = []
        call_args, call_kwargs = _traced_inputs(args, inputs), _traced_inputs(kwargs, inputs)
        _depth += 1
        try:
            with _torch_untraced():
                result = operation(*call_args, **call_kwargs)
            try:  # compares arguments with defaults (a tensor's == is ttnn.eq): still inside the op, not a node
                pairs = torch_tracer.get_arg_name_value_pairs(operation, function_args=args, function_kwargs=kwargs)
            except Exception:  # noqa: BLE001 - real ttnn's tracer records no arguments where it cannot name them
                pairs = []
        finally:
            _depth -= 1
        graph = torch_tracer.GRAPH_STACK[-1]
        for tensor in inputs:
            if tensor.graph is not graph:
                graph = torch_tracer.GRAPH_STACK[-1] = nx.compose(graph, tensor.graph)
        outputs = _outputs(result)
        node = _node(pretty_name, graph, _real_tracer.TTNNOperation(pretty_name, operation, pairs), outputs)
        for index, tensor in enumerate(inputs):
            graph.add_edge(tensor.node, node, source_output_index=tensor.output_index, sink_input_index=index)
        traced_outputs = [
            torch_tracer.TracedTorchTensor(t, graph=graph, node=node, output_index=i) if isinstance(t, torch.Tensor)
            else TracedTTNNTensor.of(t, graph, node, i) for i, t in enumerate(outputs)]
        return _replaced(result, iter(traced_outputs))

    return traced


def enable_tracing() -> None:
    global _enabled
    if _real.CONFIG.enable_fast_runtime_mode:
        raise ValueError("Tracing is not supported in fast runtime mode. Set TTNN_CONFIG_OVERRIDES="
                         "'{\"enable_fast_runtime_mode\": false}' before ttnn is imported (as on a card).")
    if _enabled:
        raise ValueError("Tracing is already enabled.")
    torch_tracer.enable_tracing()
    _enabled = True


def disable_tracing() -> None:
    global _enabled
    _enabled = False
    torch_tracer.disable_tracing()


def is_tracing_enabled() -> bool:
    return _enabled and torch_tracer.is_tracing_enabled()


@contextlib.contextmanager
def trace() -> Iterator[None]:
    enable_tracing()
    try:
        yield
    finally:
        disable_tracing()


#: Real ttnn.tracer's names that assume real device tensors: the emulator's own versions replace them.
OWN = dict(TracedTTNNTensor=TracedTTNNTensor, create_ttnn_input_tensor=create_ttnn_input_tensor,
           trace_ttnn_operation=trace_ttnn_operation, enable_tracing=enable_tracing,
           disable_tracing=disable_tracing, is_tracing_enabled=is_tracing_enabled, trace=trace)
#: Real ttnn.tracer's internals that read real tensors or its own flag: refused by name if called.
NOT_PASSED = ("ENABLE_TRACER", "preprocess_args_and_kwargs", "preprocess_return_value", "postprocess_return_value")


def module_names() -> dict[str, Any]:
    """What the emulated ``ttnn.tracer`` holds: real ttnn.tracer's public names, the emulator's own in place of
    those that need a card's tensors."""
    names = {n: getattr(_real_tracer, n) for n in dir(_real_tracer)
             if not n.startswith("_") and n not in NOT_PASSED
             and not isinstance(getattr(_real_tracer, n), types.ModuleType)}
    return {**names, **OWN}
