"""The emulated TT-NN tensor: stored values plus what real ttnn tracks about them.

``Tensor(stored, logical_shape, dtype, layout, ...)`` is how the emulator's ops make one. User code builds one as
real ttnn's constructors do: ``ttnn.Tensor(torch_or_numpy, data_type, device, layout, mem_config)``,
``ttnn.Tensor(values_list, shape, data_type, layout, device, memory_config)`` or ``ttnn.Tensor(other_tensor)``.
Printing one shows its values in real ttnn's format (real ttnn prints them), a device tensor as its host copy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import ttnn

from bertlib.emulator.hostenv import ensure_host_conversions
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import BLOCK_FLOAT, BYTES_PER_ELEMENT, TILE, store

_BYTES_BY_NAME = {str(k).split(".")[-1]: v for k, v in BYTES_PER_ELEMENT.items()}
#: The dtypes the emulator stores (``numerics.store``).
EMULATED_DTYPES = tuple(BYTES_PER_ELEMENT)
INTEGER_DTYPES = (ttnn.uint32, ttnn.int32, ttnn.uint16, ttnn.uint8)
#: Bytes of one element as real ttnn's ``Tensor.element_size()`` gives them (block floats: one byte).
_ELEMENT_SIZE = {ttnn.float32: 4, ttnn.bfloat16: 2, ttnn.bfloat8_b: 1, ttnn.bfloat4_b: 1, ttnn.uint32: 4,
                 ttnn.int32: 4, ttnn.uint16: 2, ttnn.uint8: 1}
#: What ``ttnn.Tensor(array)`` stores a torch dtype as, when no data_type is given (real ttnn's mapping).
_FROM_ARRAY = {torch.float32: ttnn.float32, torch.bfloat16: ttnn.bfloat16, torch.float16: ttnn.bfloat16,
               torch.int32: ttnn.int32, torch.int64: ttnn.uint32, torch.int16: ttnn.uint16,
               torch.uint16: ttnn.uint16, torch.uint32: ttnn.uint32, torch.uint8: ttnn.uint8, torch.bool: ttnn.uint8}
#: Real ttnn.Tensor's public names: those the emulated tensor lacks are refused by name, not as a typo.
_REAL_TENSOR_API = frozenset(n for n in dir(ttnn.Tensor) if not n.startswith("_"))


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


def check_dtype(dtype: Any, op: str) -> None:
    """Refuse, by name, a dtype the emulator does not store (int8, fp8)."""
    if not isinstance(dtype, ttnn.DataType):
        raise TypeError(f"ttnn.{op}: dtype must be a ttnn.DataType such as ttnn.bfloat16 (got {dtype!r})")
    if dtype not in EMULATED_DTYPES:
        raise UnsupportedTTNNOp(f"ttnn.{op}(dtype={dtype}) is not emulated: the emulator stores "
                                f"{', '.join(str(d).split('.')[-1].lower() for d in EMULATED_DTYPES)}")


class DeallocatedTensorError(RuntimeError):
    """A tensor was used after ``ttnn.deallocate``: on a card this reads freed memory."""


class ClosedDeviceError(DeallocatedTensorError):
    """A tensor was used after its device was closed: closing a device frees every buffer on it."""


#: Python operators an emulated tensor supports, and the ttnn op each calls on a card (``a + b`` is
#: ``ttnn.add(a, b)``, ``a[0:1]`` is ``ttnn.slice``): those real ttnn 0.81.1 gives ``ttnn.Tensor``. The op registry
#: fills ``OPERATORS`` from its declarations.
OPERATOR_NAMES = {
    "__add__": "add", "__radd__": "add", "__sub__": "subtract", "__rsub__": "rsub", "__mul__": "multiply",
    "__rmul__": "multiply", "__truediv__": "divide", "__rtruediv__": "rdiv", "__matmul__": "matmul",
    "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge", "__eq__": "eq", "__ne__": "ne",
    "__getitem__": "slice",
}
#: Operators real ttnn's Tensor lacks (``-t`` fails on a card): the call to write instead.
NOT_OPERATORS = {
    "__neg__": "ttnn.neg(t)", "__pos__": "t", "__abs__": "ttnn.abs(t)", "__pow__": "ttnn.pow(t, exponent)",
    "__rpow__": "ttnn.pow(base, t)", "__mod__": "ttnn.remainder(a, b)", "__floordiv__": "ttnn.floor_div(a, b)",
    "__and__": "ttnn.logical_and(a, b) or ttnn.bitwise_and(a, b)", "__or__": "ttnn.logical_or(a, b) or ttnn.bitwise_or(a, b)",
    "__xor__": "ttnn.logical_xor(a, b) or ttnn.bitwise_xor(a, b)", "__invert__": "ttnn.logical_not(t)",
}
OPERATORS: dict[str, Callable[..., Any]] = {}

#: The op registry (dotted name -> declaration), for the methods that call a ttnn op (``Tensor.reshape`` is
#: ``ttnn.reshape``). This module cannot import the registry, which imports it: ``bind_ops`` hands it over.
_REGISTRY: list[Mapping[str, Any]] = []


def bind_ops(registry: Mapping[str, Any]) -> None:
    """Give tensor methods ttnn's ops: ``registry`` maps a dotted op name to its declaration (with ``.public``)."""
    _REGISTRY[:] = [registry]


def call_arguments(args: tuple, kwargs: Mapping[str, Any]) -> Iterator[Any]:
    """Each argument of an op call, a list or tuple argument's items one by one (concat's tensors)."""
    for value in (*args, *kwargs.values()):
        yield from value if isinstance(value, list | tuple) else (value,)


def bound_op(name: str) -> Callable[..., Any]:
    """The public ``ttnn.<name>`` op (keywords checked, per mesh device, seen by metal traces)."""
    spec = _REGISTRY[0].get(name) if _REGISTRY else None
    if spec is None:
        raise UnsupportedTTNNOp(f"ttnn.{name} is not part of bertlib's TT-NN emulator")
    return spec.public


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


def _not_operator(name: str) -> Callable[..., Any]:
    def refuse(self: Any, *args: Any) -> Any:
        raise TypeError(f"real ttnn's Tensor has no {name}, so this fails on a card: write {NOT_OPERATORS[name]}")

    refuse.__name__ = name
    return refuse


for _name in OPERATOR_NAMES:
    setattr(TensorOperators, _name, _operator(_name))
for _name in NOT_OPERATORS:
    setattr(TensorOperators, _name, _not_operator(_name))


def _is_internal(args: tuple, kwargs: dict) -> bool:
    """The emulator's own form: stored values (a torch tensor, or None when tracing shapes) and a shape."""
    stored = args[0] if args else kwargs.get("stored")
    shape = args[1] if len(args) > 1 else kwargs.get("logical_shape")
    return (stored is None or isinstance(stored, torch.Tensor)) and isinstance(shape, tuple | list | torch.Size | ttnn.Shape)


def _enum_name(enum_value: Any) -> str:
    return getattr(enum_value, "name", str(enum_value).split(".")[-1])


def _header(shape: Sequence[int], dtype: Any, layout: Any) -> str:
    return f"shape=Shape({list(shape)}), dtype=DataType::{_enum_name(dtype)}, layout=Layout::{_enum_name(layout)})"


@dataclass(eq=False, init=False, repr=False)
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if _is_internal(args, kwargs):
            self._fill(*args, **kwargs)
        else:
            self.__dict__.update(_from_data(*args, **kwargs).__dict__)

    def _fill(self, stored: torch.Tensor | None, logical_shape: Sequence[int], dtype: Any, layout: Any,
              mem_config: Any = None, on_device: Any = None, deallocated: bool = False) -> None:
        self.stored, self.logical_shape, self.dtype, self.layout = stored, tuple(logical_shape), dtype, layout
        self.mem_config, self.on_device, self.deallocated = mem_config, on_device, deallocated

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

    @property
    def tile(self) -> Any:
        """The tile the tensor is laid out in: the emulator stores 32x32 tiles only."""
        return ttnn.Tile((TILE, TILE))

    def get_tile(self) -> Any:
        return self.tile

    def memory_config(self) -> Any:
        """Where the tensor lives (``ttnn.DRAM_MEMORY_CONFIG`` / ``ttnn.L1_MEMORY_CONFIG``), as in ttnn; a host
        tensor reports ttnn's default, interleaved DRAM."""
        return self.mem_config if self.mem_config is not None else ttnn.DRAM_MEMORY_CONFIG

    def device(self) -> Any:
        """The device holding the tensor, or None on the host, as in ttnn."""
        return self.on_device

    def devices(self) -> list[Any]:
        return [self.on_device]

    def volume(self) -> int:
        """The number of elements stored, tile padding included (real ttnn's ``volume()`` is the physical one)."""
        return math.prod(padded(self.logical_shape, self.layout))

    def logical_volume(self) -> int:
        """The number of elements of the logical shape."""
        return math.prod(self.logical_shape)

    def element_size(self) -> int:
        """Bytes of one element of the tensor's dtype (block floats: 1), as real ttnn reports it."""
        return _ELEMENT_SIZE[self.dtype]

    def is_sharded(self) -> bool:
        return self.mem_config is not None and self.mem_config.is_sharded()

    def get_layout(self) -> Any:
        return self.layout

    def get_dtype(self) -> Any:
        return self.dtype

    def _device_closed(self) -> bool:
        return self.on_device is not None and bool(getattr(self.on_device, "closed", False))

    def is_allocated(self) -> bool:
        return not self.deallocated and not self._device_closed()

    def storage_type(self) -> Any:
        return ttnn.StorageType.DEVICE if self.on_device is not None else ttnn.StorageType.HOST

    def checked(self) -> Tensor:
        """The tensor, if its buffer still exists: refused after ``ttnn.deallocate`` or once its device closed."""
        if self.deallocated:
            raise DeallocatedTensorError(
                "this tensor was deallocated with ttnn.deallocate; on a card its memory is already reused. "
                "Deallocate a tensor only after its last use."
            )
        if self._device_closed():
            raise ClosedDeviceError(
                "Buffer must be allocated on device! This tensor's device was closed, and closing a device frees "
                "every tensor on it: read results back (ttnn.to_torch) before ttnn.close_device."
            )
        return self

    def deallocate(self, force: bool = False) -> None:
        """``ttnn.deallocate(self, force)``."""
        bound_op("deallocate")(self, force)

    def item(self) -> int | float:
        """The value of a one-element tensor as a Python number (from a device, as a read back to the host)."""
        count = self.logical_volume()
        if count != 1:
            raise RuntimeError(f"tensor.item() requires tensor to have exactly one element, but got {count} elements")
        return self._host_values().reshape(-1)[0].item()

    def reshape(self, *shape: Any) -> Tensor:
        """``ttnn.reshape(self, shape)``: ``t.reshape([4, -1, 32])``, ``t.reshape(ttnn.Shape(...))`` or
        ``t.reshape(N, C, H, W)``, the forms real ttnn takes."""
        if len(shape) == 1 and isinstance(shape[0], Sequence | ttnn.Shape | torch.Size):
            dims = list(shape[0])
        elif len(shape) == 4 and all(isinstance(d, int) for d in shape):
            dims = list(shape)
        else:
            raise TypeError("reshape(): incompatible function arguments: give a shape (list, tuple or ttnn.Shape) or "
                            "four ints N, C, H, W")
        return bound_op("reshape")(self, dims)

    def to(self, target: Any, mem_config: Any = None, cq_id: Any = None) -> Tensor:
        """``to(device, mem_config=None)`` moves a host tensor to ``device`` (its own memory config unless one is
        given); ``to(layout)`` converts a host tensor's layout."""
        if isinstance(target, ttnn.Layout):
            if self.on_device is not None:
                raise RuntimeError("Bring tensor to host before converting to target layout")
            return bound_op("to_layout")(self, target)
        config = mem_config if mem_config is not None else self.mem_config
        return bound_op("to_device")(self, target, memory_config=config, queue_id=cq_id)

    def cpu(self, blocking: bool = True, cq_id: Any = None) -> Tensor:
        """The tensor on the host (``ttnn.from_device``); a host tensor as it is."""
        return self if self.on_device is None else bound_op("from_device")(self, blocking, cq_id)

    def to_torch(self, mesh_composer: Any = None) -> torch.Tensor:
        """``ttnn.to_torch(self)``: the stored values as a torch tensor (read back from a device)."""
        return bound_op("to_torch")(self, mesh_composer=mesh_composer)

    def _host_values(self) -> torch.Tensor:
        """The values read back (``ttnn.to_torch``'s checks), integers as int64 so that uint32 stays unsigned."""
        values = self.to_torch()
        return self.stored if self.dtype in INTEGER_DTYPES else values.float()

    def to_numpy(self) -> Any:
        """The values as a numpy array (bfloat16 as float32: numpy has no bfloat16; integers as int64)."""
        return self._host_values().numpy()

    def to_list(self) -> list:
        """The values as nested Python lists (integers exact, unsigned ones included)."""
        return self._host_values().tolist()

    def __getattr__(self, name: str) -> Any:
        if name in _REAL_TENSOR_API:
            raise UnsupportedTTNNOp(f"ttnn.Tensor.{name} is not emulated: it needs a Tenstorrent card's buffers or "
                                    "host layouts the emulator does not store (it keeps no tile padding)")
        raise AttributeError(f"'ttnn.Tensor' object has no attribute {name!r}")

    def __repr__(self) -> str:
        header = _header(self.logical_shape, self.dtype, self.layout)
        if not self.is_allocated():
            return f"ttnn.Tensor(<buffer is not allocated>, {header}"
        if self.stored is None:
            return f"ttnn.Tensor(<no values: made in a recording(shape_only=True) block>, {header}"
        return f"{_printed_values(self.stored, self.dtype)}, {header}"


def _printed_values(stored: torch.Tensor, dtype: Any) -> str:
    """``ttnn.Tensor([[...]]`` as real ttnn prints these values (its print options included), without the
    shape, dtype and layout that follow them."""
    ensure_host_conversions()
    if dtype in BLOCK_FLOAT or dtype == ttnn.float32:
        host = ttnn.from_torch(stored.to(torch.float32), dtype=ttnn.float32)
    elif dtype == ttnn.bfloat16:
        host = ttnn.from_torch(stored.to(torch.bfloat16), dtype=ttnn.bfloat16)
    else:
        host = ttnn.from_torch(stored, dtype=dtype)
    return repr(host).rsplit(", shape=", 1)[0]


def _from_data(data: Any, *args: Any, **kwargs: Any) -> Tensor:
    """A tensor made by one of real ttnn's ``ttnn.Tensor(...)`` constructors."""
    if isinstance(data, Tensor):
        if args or kwargs:
            raise TypeError("ttnn.Tensor(tensor) takes no other arguments")
        copy = object.__new__(Tensor)
        copy.__dict__.update(data.checked().__dict__)
        return copy
    if isinstance(data, torch.Tensor) or hasattr(data, "__array__") and not isinstance(data, list | tuple):
        return _from_array(torch.as_tensor(data), *args, **kwargs)
    if isinstance(data, list | tuple):
        return _from_values(list(data), *args, **kwargs)
    raise TypeError(f"ttnn.Tensor(): incompatible function arguments: data must be a torch tensor, a numpy array, a "
                    f"list of numbers or a ttnn.Tensor (got {type(data).__name__})")


def _single(tensor: Any) -> Tensor:
    shards = getattr(tensor, "shards", None)
    if shards is None:
        return tensor
    if len(shards) != 1:
        raise UnsupportedTTNNOp(f"ttnn.Tensor(...) on a mesh of {len(shards)} devices is not emulated: use "
                                "ttnn.from_torch(tensor, device=mesh_device, mesh_mapper=...)")
    return shards[0]


def _from_array(values: torch.Tensor, data_type: Any = None, device: Any = None, layout: Any = None,
                mem_config: Any = None, tile: Any = None, cq_id: Any = None, pad_value: float | None = None,
                mesh_mapper: Any = None, preserve_nan_values: bool = False, col_tilize: bool = False,
                enable_bfloat_opt: bool = False) -> Tensor:
    """``ttnn.Tensor(array, data_type, device, layout, mem_config, ...)``: ``ttnn.from_torch`` with real ttnn's
    dtype for the array's (int64 is stored as uint32, int16 as uint16, float32 as float32) and TILE layout for block
    floats. Into an integer dtype real ttnn's own constructor converts the array (its conversions differ from
    ``from_torch``'s for some source dtypes, e.g. a float16 -1.0 becomes uint16 65535): the emulator runs it."""
    dtype = data_type if data_type is not None else _FROM_ARRAY.get(values.dtype, ttnn.float32)
    check_dtype(dtype, "Tensor")
    if layout is None:
        layout = ttnn.TILE_LAYOUT if dtype in BLOCK_FLOAT else ttnn.ROW_MAJOR_LAYOUT
    if dtype in INTEGER_DTYPES:
        ensure_host_conversions()
        source = ttnn.to_torch(ttnn.Tensor(values.contiguous(), dtype, None, layout)).to(torch.int64)
    elif values.dtype in (torch.float32, torch.bfloat16, torch.int32, torch.int64):
        source = values
    else:
        source = values.float()
    return _single(bound_op("from_torch")(source, dtype, layout=layout, device=device, memory_config=mem_config,
                                          tile=tile, cq_id=cq_id, pad_value=pad_value, mesh_mapper=mesh_mapper,
                                          preserve_nan_values=preserve_nan_values, col_tilize=col_tilize,
                                          enable_bfloat_opt=enable_bfloat_opt))


def _from_values(data: list, shape: Sequence[int], data_type: Any, layout: Any, device: Any = None,
                 memory_config: Any = None, tile: Any = None, pad_value: float = 0.0) -> Tensor:
    """``ttnn.Tensor(values, shape, data_type, layout, device, memory_config)``: a flat list of the values of
    ``shape``. For an integer dtype real ttnn's own list constructor converts the values (it truncates floats, and
    out of range saturates or gives the C++ conversion's value, differently per dtype): the emulator runs it."""
    check_dtype(data_type, "Tensor")
    volume = math.prod(int(s) for s in shape)
    if len(data) != volume:
        raise RuntimeError(f"Buffer size {len(data)} differs from shape volume {volume}")
    dims = [int(s) for s in shape]
    if data_type in INTEGER_DTYPES:
        ensure_host_conversions()
        real = ttnn.Tensor(data, dims, data_type, layout)
        values = ttnn.to_torch(real).to(torch.int64).reshape(dims)
    else:
        values = store(torch.tensor(data, dtype=torch.float64).reshape(dims), ttnn.float32)
    return _single(bound_op("from_torch")(values, data_type, layout=layout, device=device,
                                          memory_config=memory_config, tile=tile, pad_value=pad_value))
