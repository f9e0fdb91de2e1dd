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

from bertlib.emulator import ops as _ops
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


class UnsupportedTTNNOp(AttributeError):
    """A ttnn name that the emulator does not provide."""


#: Real ttnn objects the emulator hands through unchanged.
PASSTHROUGH = (
    "bfloat16", "bfloat8_b", "bfloat4_b", "float32", "uint32", "int32", "DataType",
    "TILE_LAYOUT", "ROW_MAJOR_LAYOUT", "Layout", "Shape",
    "L1_MEMORY_CONFIG", "DRAM_MEMORY_CONFIG", "MemoryConfig", "TensorMemoryLayout", "BufferType",
    "CoreGrid", "CoreCoord", "MathFidelity", "WormholeComputeKernelConfig", "init_device_compute_kernel_config",
    "GeluVariant", "UnaryWithParam", "UnaryOpType", "MatmulMultiCoreReuseMultiCastProgramConfig",
    "MatmulMultiCoreReuseMultiCast1DProgramConfig", "get_golden_function", "manage_config", "CONFIG",
)

#: The emulated ops, by their ttnn names.
OPS = (
    "from_torch", "to_torch", "to_device", "from_device", "to_layout", "to_memory_config", "deallocate",
    "reallocate", "reshape", "permute", "linear", "matmul", "add", "multiply", "softmax", "layer_norm", "gelu",
    "embedding",
)
TRANSFORMER_OPS = ("split_query_key_value_and_split_heads", "attention_softmax_", "concatenate_heads")

for _name in (*OPS, *TRANSFORMER_OPS):  # every op runs once per device when given mesh tensors
    if _name not in ("from_torch", "to_torch"):
        setattr(_ops, _name, mesh_aware(getattr(_ops, _name)))


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


def _open_device(device_id: int = 0, **_: Any) -> Any:
    from bertlib.device import CHIPS, EmulatedDevice

    return EmulatedDevice(CHIPS["wormhole_n150"], device_id)


def _open_mesh_device(mesh_shape: Any = None, **_: Any) -> MeshDevice:
    """An emulated mesh of Wormhole n150 chips; ``mesh_shape`` is a ``ttnn.MeshShape`` or ``(rows, cols)``."""
    rows, cols = (mesh_shape[0], mesh_shape[1]) if mesh_shape is not None else (1, 1)
    return MeshDevice([_open_device(i) for i in range(rows * cols)], (rows, cols))


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
        synchronize_device=lambda device, *a, **k: None,
        is_emulator=True,
    )
    return _Namespace(**names)


__all__ = ["DeallocatedTensorError", "MeshDevice", "MeshTensor", "OPS", "PASSTHROUGH", "TRANSFORMER_OPS",
           "Tensor", "UnsupportedTTNNOp", "make_namespace", "recording"]
