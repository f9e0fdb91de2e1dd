"""The TT-NN host emulator: a ``ttnn``-like namespace that runs the same model code without a card.

Names and keywords are real ttnn 0.81.1's. Dtypes, layouts, memory configs, ``CoreGrid``,
``MathFidelity`` and compute-kernel configs *are* real ttnn's objects. Ops run real ttnn's golden
functions on the values a card would store (see ``bertlib.emulator.numerics``) and append to the op
trace (``bertlib.emulator.trace``). A ttnn name outside the emulated subset raises
``UnsupportedTTNNOp``, which names it.
"""

from __future__ import annotations

import types
from typing import Any

import ttnn as _ttnn

from bertlib.emulator import keywords, metal_trace
from bertlib.emulator import ops as _ops
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.mesh import (
    ConcatMeshToTensor,
    MeshDevice,
    MeshTensor,
    ReplicateTensorToMesh,
    ShardTensorToMesh,
    mesh_aware,
)
from bertlib.emulator.tensor import DeallocatedTensorError, Tensor
from bertlib.emulator.trace import recording

#: Real ttnn objects the emulator hands through unchanged.
PASSTHROUGH = (
    "bfloat16", "bfloat8_b", "bfloat4_b", "float32", "uint32", "int32", "DataType",
    "TILE_LAYOUT", "ROW_MAJOR_LAYOUT", "Layout", "Shape",
    "L1_MEMORY_CONFIG", "DRAM_MEMORY_CONFIG", "MemoryConfig", "TensorMemoryLayout", "BufferType",
    "CoreGrid", "CoreCoord", "MathFidelity", "WormholeComputeKernelConfig", "init_device_compute_kernel_config",
    "GeluVariant", "UnaryWithParam", "UnaryOpType", "MatmulMultiCoreReuseMultiCastProgramConfig",
    "MatmulMultiCoreReuseMultiCast1DProgramConfig", "get_golden_function", "manage_config", "CONFIG", "QueueId",
)

#: The emulated ops, by their ttnn names.
OPS = (
    "from_torch", "to_torch", "to_device", "from_device", "to_layout", "to_memory_config", "deallocate",
    "reallocate", "reshape", "permute", "linear", "matmul", "add", "multiply", "softmax", "layer_norm", "gelu",
    "embedding", "copy_host_to_device_tensor",
)
TRANSFORMER_OPS = ("split_query_key_value_and_split_heads", "attention_softmax_", "concatenate_heads")

for _name in (*OPS, *TRANSFORMER_OPS):  # every op runs once per device when given mesh tensors
    _op = keywords.checked(_name, getattr(_ops, _name))  # keywords it does not compute with: hints, or refused
    _op = _op if _name in ("from_torch", "to_torch") else mesh_aware(_op)
    setattr(_ops, _name, metal_trace.captured(_name, _op))  # and is remembered while a trace is captured


class _Namespace(types.SimpleNamespace):
    """Attribute access that names what is missing instead of failing deep inside."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        where = self.__dict__.get("_prefix", "ttnn")
        raise UnsupportedTTNNOp(
            f"{where}.{name} is not part of bertlib's TT-NN emulator (it covers the ops BERT needs: "
            f"see bertlib.emulator.OPS). Run on a Tenstorrent card for the full ttnn API."
        )


def _open_device(*, device_id: int = 0, l1_small_size: int = 0, trace_region_size: int = 0,
                 num_command_queues: int = 1, **others: Any) -> Any:
    """``ttnn.open_device``: an emulated Wormhole n150 with the sizes it was opened with. ``trace_region_size``
    and ``num_command_queues`` are checked by trace capture and the queues; ``l1_small_size`` is kept on the
    device as on a card, where only conv, pooling and CCL ops allocate from it (none of them is emulated)."""
    from bertlib.device import CHIPS, EmulatedDevice

    if others:
        raise UnsupportedTTNNOp(f"ttnn.open_device({', '.join(others)}=...) is not emulated: the emulator takes "
                                "device_id, l1_small_size, trace_region_size and num_command_queues")
    if num_command_queues not in (1, 2):
        raise RuntimeError(f"num_command_queues={num_command_queues}: a device has 1 or 2 command queues")
    return EmulatedDevice(CHIPS["wormhole_n150"], device_id, trace_region_size=trace_region_size,
                          num_command_queues=num_command_queues, l1_small_size=l1_small_size)


def _open_mesh_device(mesh_shape: Any = None, **device_kwargs: Any) -> MeshDevice:
    """An emulated mesh of Wormhole n150 chips; ``mesh_shape`` is a ``ttnn.MeshShape`` or ``(rows, cols)``."""
    rows, cols = (mesh_shape[0], mesh_shape[1]) if mesh_shape is not None else (1, 1)
    return MeshDevice([_open_device(device_id=i, **device_kwargs) for i in range(rows * cols)], (rows, cols))


def _synchronize_device(device: Any, cq_id: Any = None, sub_device_ids: Any = ()) -> None:
    """Every emulated op has finished when it returns: nothing to wait for, once the arguments are checked."""
    if sub_device_ids:
        raise UnsupportedTTNNOp("ttnn.synchronize_device(sub_device_ids=...): sub-devices are not emulated")
    metal_trace.queue_of(device, cq_id)


def _record_event(mesh_device: Any, cq_id: Any = None, sub_device_ids: Any = (), device_range: Any = None) -> Any:
    """An event that is complete at once: the emulator runs each queue's commands when they are issued."""
    if sub_device_ids or device_range is not None:
        raise UnsupportedTTNNOp("ttnn.record_event(sub_device_ids=..., device_range=...): sub-devices are not emulated")
    return ("event", mesh_device, metal_trace.queue_of(mesh_device, cq_id))


def _wait_for_event(cq_id: Any = None, mesh_event: Any = None) -> None:
    """A queue waits for an event: already complete (see ``_record_event``); the queue must exist."""
    if not (isinstance(mesh_event, tuple) and mesh_event[:1] == ("event",)):
        raise TypeError("ttnn.wait_for_event needs the event that ttnn.record_event returned")
    metal_trace.queue_of(mesh_event[1], cq_id)


def _close(device: Any) -> None:
    device.closed = True


def make_namespace() -> _Namespace:
    """A fresh ``ttnn``-like namespace backed by the emulator."""
    transformer = _Namespace(_prefix="ttnn.transformer", **{n: getattr(_ops, n) for n in TRANSFORMER_OPS})
    names = {n: getattr(_ttnn, n) for n in PASSTHROUGH}
    names.update({n: getattr(_ops, n) for n in OPS})
    for name in (*OPS, *TRANSFORMER_OPS):  # ttnn.get_golden_function(op) works on emulated ops too
        real = getattr(_ttnn.transformer if name in TRANSFORMER_OPS else _ttnn, name)
        getattr(_ops, name).golden_function = getattr(real, "golden_function", None)
    names.update(
        ShardTensorToMesh=ShardTensorToMesh,
        ReplicateTensorToMesh=ReplicateTensorToMesh,
        ConcatMeshToTensor=ConcatMeshToTensor,
        MeshShape=_ttnn.MeshShape,
        open_mesh_device=_open_mesh_device,
        close_mesh_device=_close,
        open_device=_open_device,
        close_device=_close,
        transformer=transformer,
        Tensor=Tensor,
        synchronize_device=_synchronize_device,
        record_event=_record_event,
        wait_for_event=_wait_for_event,
        begin_trace_capture=metal_trace.begin_trace_capture,
        end_trace_capture=metal_trace.end_trace_capture,
        execute_trace=metal_trace.execute_trace,
        release_trace=metal_trace.release_trace,
        is_emulator=True,
    )
    return _Namespace(**names)


__all__ = ["DeallocatedTensorError", "MeshDevice", "MeshTensor", "OPS", "PASSTHROUGH", "TRANSFORMER_OPS",
           "Tensor", "UnsupportedTTNNOp", "make_namespace", "recording"]
