"""Emulated TT-NN ops, by their ttnn names: real ttnn's golden functions on the values a card stores, the
chip's numerics (``bertlib.emulator.numerics``), placement checks (``sharding``, ``program_configs``) and
one trace record each (``common.emit``).

Every op takes the same positional and keyword arguments as ttnn 0.81.1 (``tests/test_emulator_api.py``
checks them against the installed ttnn); what each keyword does is in ``bertlib.emulator.keywords``.
"""

from bertlib.emulator.ops.math import (
    add,
    embedding,
    gelu,
    layer_norm,
    linear,
    matmul,
    multiply,
    scale_mask_softmax,
    scale_mask_softmax_in_place,
    softmax,
)
from bertlib.emulator.ops.tensors import (
    copy_host_to_device_tensor,
    deallocate,
    fill_implicit_tile_padding,
    from_device,
    from_torch,
    interleaved_to_sharded,
    permute,
    reallocate,
    reshape,
    sharded_to_interleaved,
    to_device,
    to_layout,
    to_memory_config,
    to_torch,
)
from bertlib.emulator.ops.transformer import (
    attention_softmax,
    attention_softmax_,
    concatenate_heads,
    split_query_key_value_and_split_heads,
)

#: The modules whose functions are ops (the keyword test reads their source).
MODULES = ("bertlib.emulator.ops.tensors", "bertlib.emulator.ops.math", "bertlib.emulator.ops.transformer")

__all__ = [
    "add", "attention_softmax", "attention_softmax_", "concatenate_heads", "copy_host_to_device_tensor", "deallocate",
    "embedding", "fill_implicit_tile_padding", "from_device", "from_torch", "gelu", "interleaved_to_sharded", "layer_norm", "linear", "matmul",
    "multiply", "permute", "reallocate", "reshape", "scale_mask_softmax", "scale_mask_softmax_in_place",
    "sharded_to_interleaved", "softmax",
    "split_query_key_value_and_split_heads", "to_device", "to_layout", "to_memory_config", "to_torch",
]
