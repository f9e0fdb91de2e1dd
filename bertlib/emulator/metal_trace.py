"""Metal trace on the emulator: ``begin_trace_capture`` ... ``end_trace_capture``, then ``execute_trace``.

On a card, a trace records the device commands of a block of ops once; ``execute_trace`` replays them on
the same buffers without the host dispatching each op again. New inputs are written into the traced input
tensors with ``copy_host_to_device_tensor``. The emulator keeps the same contract:

- during capture each op runs and is remembered with its arguments and output tensors;
- ``execute_trace`` runs the remembered ops again and writes each result into the same output tensor
  objects, so code that reads a traced output after replaying sees the new values, as on a card;
- what a card refuses, the emulator refuses, with the card's reason: reading or writing tensors between
  host and device while capturing (a trace holds no host interaction), ending a capture on a device opened
  without a trace region (``trace_region_size=0``, ttnn 0.81.1's default), replaying a released trace, and
  a command queue the device was not opened with.

The emulator cannot size a trace's commands, so it checks only that a trace region exists; a region too
small for the trace is caught on a card alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bertlib.emulator import op_trace
from bertlib.emulator.tensor import Tensor

#: Ops that move data between host and device: a card refuses them inside a capture.
HOST_TRANSFERS = ("from_torch", "to_torch", "to_device", "from_device", "copy_host_to_device_tensor")


@dataclass
class _Step:
    op: Callable
    args: tuple
    kwargs: dict
    outputs: Any


@dataclass
class _Trace:
    device: Any
    cq: int
    steps: list[_Step] = field(default_factory=list)
    state: str = "capturing"  # then "captured", then "released"


_traces: dict[int, _Trace] = {}
_capturing: list[_Trace] = []


def queue_of(device: Any, cq_id: Any) -> int:
    """The command queue ``cq_id`` names (0 when None), checked against the queues ``device`` was opened with."""
    queue = 0 if cq_id is None else int(getattr(cq_id, "value", cq_id) if not isinstance(cq_id, int) else cq_id)
    opened = getattr(device, "num_command_queues", 1)
    if not 0 <= queue < opened:
        raise RuntimeError(f"command queue {queue} does not exist: this device was opened with "
                           f"num_command_queues={opened}; open it with num_command_queues=2 to use queue 1")
    return queue


def _trace(device: Any, trace_id: Any) -> _Trace:
    key = int(getattr(trace_id, "id", trace_id))
    if key not in _traces or _traces[key].state == "released":
        raise RuntimeError(f"trace {key} does not exist or was released: capture it again")
    if _traces[key].device is not device:
        raise RuntimeError(f"trace {key} was captured on another device")
    return _traces[key]


def begin_trace_capture(mesh_device: Any, *, cq_id: Any = None) -> int:
    """Start remembering ops for a trace on ``cq_id``; returns the trace id."""
    if _capturing:
        raise RuntimeError("a trace is already being captured: end it with ttnn.end_trace_capture first")
    trace = _Trace(mesh_device, queue_of(mesh_device, cq_id))
    trace_id = len(_traces)
    _traces[trace_id] = trace
    _capturing.append(trace)
    return trace_id


def end_trace_capture(mesh_device: Any, trace_id: Any, *, cq_id: Any = None) -> None:
    """Stop capturing. Like a card, this fails when the device has no trace region to hold the trace."""
    trace = _trace(mesh_device, trace_id)
    if trace.state != "capturing":
        raise RuntimeError("cannot end a capture that has not begun")
    if queue_of(mesh_device, cq_id) != trace.cq:
        raise RuntimeError(f"trace {trace_id} is being captured on command queue {trace.cq}: end it there")
    _capturing.remove(trace)
    region = getattr(mesh_device, "trace_region_size", 0)
    if region <= 0:
        trace.state = "released"
        raise RuntimeError(
            "creating trace buffers on the device, but only 0 B is allocated for the trace region: open the device "
            "with a trace region, e.g. ttnn.open_device(device_id=0, trace_region_size=64 << 20) or "
            "bertlib.open_device(trace_region_size=64 << 20)"
        )
    trace.state = "captured"


def execute_trace(mesh_device: Any, trace_id: Any, *, cq_id: Any = None, blocking: bool = True) -> None:
    """Run the captured ops again, writing each result into the tensors the capture returned. The replay has
    finished when this returns; with ``blocking=False`` a card returns earlier, which code that waits with
    ``ttnn.synchronize_device`` (as it must on a card) cannot tell apart."""
    trace = _trace(mesh_device, trace_id)
    if trace.state != "captured":
        raise RuntimeError("this trace is still being captured: call ttnn.end_trace_capture first")
    queue_of(mesh_device, cq_id)
    with op_trace.in_metal_trace():
        for step in trace.steps:
            _write_into(step.outputs, step.op(*step.args, **step.kwargs))


def release_trace(mesh_device: Any, trace_id: Any) -> None:
    """Free the trace; replaying it afterwards raises."""
    _trace(mesh_device, trace_id).state = "released"


def _write_into(old: Any, new: Any) -> None:
    if isinstance(old, tuple | list):
        for o, n in zip(old, new, strict=True):
            _write_into(o, n)
    elif hasattr(old, "shards"):
        _write_into(old.shards, new.shards)
    elif isinstance(old, Tensor):
        old.__dict__.update(new.__dict__)


def captured(name: str, op: Callable) -> Callable:
    """``op`` that a capture in progress remembers; host transfers inside a capture are refused."""

    @functools.wraps(op)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not _capturing:
            return op(*args, **kwargs)
        if name in HOST_TRANSFERS:
            raise RuntimeError(f"ttnn.{name} moves data between host and device, which cannot be captured in a "
                               "trace: write inputs before ttnn.begin_trace_capture (copy_host_to_device_tensor) "
                               "and read outputs after ttnn.execute_trace")
        trace = _capturing.pop()  # the op's own inner calls are not steps of their own
        try:
            with op_trace.in_metal_trace():
                outputs = op(*args, **kwargs)
        finally:
            _capturing.append(trace)
        trace.steps.append(_Step(op, args, kwargs, outputs))
        return outputs

    return run
