"""The op trace: one record per emulated TT-NN op, for profiling and teaching.

``with recording() as trace:`` collects records; ``recording(shape_only=True)`` also makes every op skip
its arithmetic, so a whole model is traced in milliseconds (values come back as ``None``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field


@dataclass
class OpRecord:
    """What one op did: shapes, dtypes, placement, fidelity and the work it cost."""

    op: str
    input_shapes: list[tuple[int, ...]]
    input_dtypes: list[str]
    input_memories: list[str]
    output_shape: tuple[int, ...]
    output_dtype: str
    memory: str
    math_fidelity: str | None
    core_grid: tuple[int, int] | None
    flops: float
    bytes_read: float
    bytes_written: float
    host_s: float
    program_config: str | None = None  # the program config it was given, as real ttnn prints it
    sharding: list[str] = field(default_factory=list)  # inputs' then the output's sharded placement, if any
    local: list[bool] = field(default_factory=list)  # per input, then the output: sharded, read/written in place
    cores: int | None = None  # the cores it runs on when shards or a program config say (else core_grid / chip)
    mcast_blocks: tuple[int, int] | None = None  # a multicast matmul's (M, N) output blocks: in0 goes along M rows
    traced: bool = False  # run inside a metal trace (captured or replayed): the host dispatched no command for it

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Trace:
    """The records of one ``recording()`` block."""

    shape_only: bool = False
    records: list[OpRecord] = field(default_factory=list)
    hints: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (op, its scheduling keywords)

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([r.as_dict() for r in self.records])


_active: list[Trace] = []
_metal_trace_depth = [0]  # > 0 while ops run inside ttnn.begin_trace_capture ... end, or ttnn.execute_trace


@contextlib.contextmanager
def in_metal_trace() -> Iterator[None]:
    """Ops run in this block are part of a captured or replayed metal trace (``OpRecord.traced``)."""
    _metal_trace_depth[0] += 1
    try:
        yield
    finally:
        _metal_trace_depth[0] -= 1


def metal_traced() -> bool:
    """True while an op runs inside a metal trace's capture or replay."""
    return _metal_trace_depth[0] > 0


@contextlib.contextmanager
def recording(shape_only: bool = False) -> Iterator[Trace]:
    """Record every emulated op run inside the block (nested blocks each get every record)."""
    trace = Trace(shape_only=shape_only)
    _active.append(trace)
    try:
        yield trace
    finally:
        _active.remove(trace)


def shape_only() -> bool:
    """True inside a ``recording(shape_only=True)`` block."""
    return any(t.shape_only for t in _active)


def hint(op: str, hints: dict[str, str]) -> None:
    """Note the scheduling keywords (queues, core subsets, ...) an op was given: they change no value."""
    for trace in _active:
        trace.hints.append((op, hints))


def record(rec: OpRecord) -> None:
    for trace in _active:
        trace.records.append(rec)
