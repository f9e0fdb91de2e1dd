"""The emulated TT-NN tensor: stored values plus what real ttnn tracks about them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import ttnn

from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import BYTES_PER_ELEMENT, TILE

_BYTES_BY_NAME = {str(k).split(".")[-1]: v for k, v in BYTES_PER_ELEMENT.items()}


def padded(shape: tuple[int, ...], layout: Any) -> tuple[int, ...]:
    """The shape a tensor occupies in memory: TILE layout pads the last two dims to multiples of 32."""
    if layout != ttnn.TILE_LAYOUT or not shape:
        return tuple(shape)
    dims = list(shape)
    dims[-1] = -(-dims[-1] // TILE) * TILE
    if len(dims) >= 2:
        dims[-2] = -(-dims[-2] // TILE) * TILE
    else:
        dims.insert(0, TILE)
    return tuple(dims)


def tensor_bytes(shape: Sequence[int], dtype: Any, layout: Any) -> float:
    """Bytes a tensor of ``shape`` takes on the device; ``dtype`` is a ttnn dtype or its name ("bfloat16")."""
    per_element = _BYTES_BY_NAME.get(str(dtype).split(".")[-1], 4.0)
    return math.prod(padded(tuple(shape), layout)) * per_element


class DeallocatedTensorError(RuntimeError):
    """A tensor was used after ``ttnn.deallocate``: on a card this reads freed memory."""


#: Python operators an emulated tensor supports, and the ttnn op each calls on a card (``a + b`` is
#: ``ttnn.add(a, b)``, ``a[0:1]`` is ``ttnn.slice``); the op registry fills ``OPERATORS`` from its declarations.
OPERATOR_NAMES = {
    "__add__": "add", "__radd__": "add", "__sub__": "subtract", "__rsub__": "rsub", "__mul__": "multiply",
    "__rmul__": "multiply", "__truediv__": "divide", "__rtruediv__": "divide", "__matmul__": "matmul",
    "__pow__": "pow", "__neg__": "neg", "__abs__": "abs", "__lt__": "lt", "__le__": "le", "__gt__": "gt",
    "__ge__": "ge", "__and__": "logical_and", "__or__": "logical_or", "__xor__": "logical_xor",
    "__invert__": "logical_not", "__getitem__": "slice",
}
OPERATORS: dict[str, Callable[..., Any]] = {}


def _operator(name: str) -> Callable[..., Any]:
    def call(self: Any, *args: Any) -> Any:
        op = OPERATORS.get(name)
        if op is None:
            raise UnsupportedTTNNOp(f"ttnn.{OPERATOR_NAMES[name]} ({name}) is not part of bertlib's TT-NN emulator")
        return op(self, *args)

    call.__name__ = name
    return call


class TensorOperators:
    """``a + b``, ``a * b``, ``a @ b``, ``a[...]`` and the other operators on emulated tensors call the ttnn op
    each maps to, as on a card."""


for _name in OPERATOR_NAMES:
    setattr(TensorOperators, _name, _operator(_name))


@dataclass(eq=False)
class Tensor(TensorOperators):
    """An emulated ``ttnn.Tensor``. ``stored`` holds what the card stores: a ``torch.bfloat16`` tensor for a
    bfloat16 tensor, float32 for float32 and block floats (their values, exactly), int64 for integer dtypes;
    None in shape-only tracing. ``values`` reads it as float32 for arithmetic."""

    stored: torch.Tensor | None
    logical_shape: tuple[int, ...]
    dtype: Any
    layout: Any
    mem_config: Any = None
    on_device: Any = None
    deallocated: bool = False

    @property
    def values(self) -> torch.Tensor | None:
        """The stored values, as float32 (int64 for integer dtypes)."""
        stored = self.stored
        return stored.to(torch.float32) if stored is not None and stored.dtype == torch.bfloat16 else stored

    @property
    def shape(self) -> ttnn.Shape:
        return ttnn.Shape(list(self.logical_shape))

    @property
    def padded_shape(self) -> ttnn.Shape:
        return ttnn.Shape(list(padded(self.logical_shape, self.layout)))

    def memory_config(self) -> Any:
        """Where the tensor lives (``ttnn.DRAM_MEMORY_CONFIG`` / ``ttnn.L1_MEMORY_CONFIG``), as in ttnn."""
        return self.mem_config

    def device(self) -> Any:
        """The device holding the tensor, or None on the host, as in ttnn."""
        return self.on_device

    def volume(self) -> int:
        """The number of elements stored, tile padding included (real ttnn's ``volume()`` is the physical one)."""
        return math.prod(padded(self.logical_shape, self.layout))

    def logical_volume(self) -> int:
        """The number of elements of the logical shape."""
        return math.prod(self.logical_shape)

    def is_sharded(self) -> bool:
        return self.mem_config is not None and self.mem_config.is_sharded()

    def get_layout(self) -> Any:
        return self.layout

    def get_dtype(self) -> Any:
        return self.dtype

    def is_allocated(self) -> bool:
        return not self.deallocated

    def storage_type(self) -> str:
        return "DEVICE" if self.on_device is not None else "HOST"

    def checked(self) -> Tensor:
        if self.deallocated:
            raise DeallocatedTensorError(
                "this tensor was deallocated with ttnn.deallocate; on a card its memory is already reused. "
                "Deallocate a tensor only after its last use."
            )
        return self

    def __repr__(self) -> str:
        where = "device" if self.on_device is not None else "host"
        return (
            f"ttnn.Tensor(emulated, shape={list(self.logical_shape)}, padded_shape={list(self.padded_shape)}, "
            f"dtype={self.dtype}, layout={self.layout}, on {where})"
        )
