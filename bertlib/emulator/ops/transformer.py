"""``ttnn.transformer``: the fused attention helpers BERT uses."""

from __future__ import annotations

import math
from typing import Any

import ttnn

from bertlib.emulator import sharding, trace
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import TILE
from bertlib.emulator.ops.common import device_input, emit, golden, keeps_storage, output_config
from bertlib.emulator.ops.math import masked_softmax
from bertlib.emulator.tensor import Tensor, tensor_bytes


def split_query_key_value_and_split_heads(
    input_tensor: Tensor,
    kv_input_tensor: Tensor | None = None,
    *,
    num_heads: int,
    num_kv_heads: int | None = None,
    transpose_key: bool = True,
    memory_config: Any = None,
    use_falcon7b_backend: bool = False,
) -> tuple[Tensor, Tensor, Tensor]:
    """Fused QKV ``(B, S, 3*H)`` -> Q ``(B, heads, S, d)``, K ``(B, heads, d, S)`` (transposed), V ``(B, heads, S, d)``.

    With ``kv_input_tensor``, ``input_tensor`` ``(B, S, H)`` holds only Q and ``kv_input_tensor`` ``(B, S, 2*H)``
    holds K then V.
    """
    x = device_input(input_tensor)
    kv = None if kv_input_tensor is None else device_input(kv_input_tensor, "kv_input_tensor")
    if use_falcon7b_backend:
        raise UnsupportedTTNNOp("split_query_key_value_and_split_heads(use_falcon7b_backend=True) is not emulated")
    for t in (x, kv):
        if t is not None and sharding.is_sharded(t.mem_config):
            raise UnsupportedTTNNOp("split_query_key_value_and_split_heads on a sharded input is not emulated (a card "
                                    "expects heads interleaved per core there): give it an interleaved L1 tensor")
    batch, seq, hidden = x.logical_shape
    if kv is not None:
        if tuple(kv.logical_shape[:2]) != (batch, seq):
            raise RuntimeError(f"kv_input_tensor {list(kv.logical_shape)} must share batch and sequence with the "
                               f"query input {list(x.logical_shape)}")
        hidden += kv.logical_shape[-1]
    kv_heads = num_kv_heads or num_heads
    head = hidden // (num_heads + 2 * kv_heads)
    if head * (num_heads + 2 * kv_heads) != hidden:
        raise RuntimeError(f"hidden size {hidden} does not split into {num_heads} query heads plus keys and values")
    if head % TILE:
        raise RuntimeError(f"head size {head} is not a multiple of 32: ttnn's split_query_key_value_and_split_heads "
                           "needs whole tiles per head (e.g. 64 = 768 / 12 heads)")
    shapes = [(batch, num_heads, seq, head), (batch, kv_heads, head, seq) if transpose_key else (batch, kv_heads, seq, head),
              (batch, kv_heads, seq, head)]
    parts = None
    if x.stored is not None and not trace.shape_only():
        parts = golden(ttnn.transformer.split_query_key_value_and_split_heads)(
            x.stored, None if kv is None else kv.stored, num_heads=num_heads, num_kv_heads=num_kv_heads,
            transpose_key=transpose_key,
        )
    config = output_config(memory_config, x.mem_config)
    same = keeps_storage(x, x.dtype) and (kv is None or keeps_storage(kv, x.dtype))
    # one device op: K and V are made unrecorded first, and the recorded Q counts their bytes
    key, value = (
        emit("split_query_key_value_and_split_heads", [], shapes[i], x.dtype, ttnn.TILE_LAYOUT, config, x.on_device,
             None if parts is None else (lambda i=i: parts[i]), record=False, stored=same)
        for i in (1, 2)
    )
    query = emit("split_query_key_value_and_split_heads", [x] if kv is None else [x, kv], shapes[0], x.dtype,
                 ttnn.TILE_LAYOUT, config, x.on_device, None if parts is None else (lambda: parts[0]),
                 stored=same,
                 also_written=sum(tensor_bytes(shapes[i], x.dtype, ttnn.TILE_LAYOUT) for i in (1, 2)))
    return query, key, value


def _attention_softmax(op: str, tensor: Tensor, head_size: int | None, attention_mask: Tensor | None,
                       program_config: Any, causal_mask: bool, memory_config: Any) -> Tensor:
    # tt-metal's attention_softmax.cpp runs the kernel with numeric_stable = false: no max subtraction, so
    # scaled scores above ~88 overflow exp to inf and give NaN, on a card as here
    if len(tensor.logical_shape) != 4:
        raise RuntimeError(f"Input Tensor must have strictly 4 dimensions (got {list(tensor.logical_shape)}): "
                           "attention scores are (batch, heads, sequence, sequence)")
    scale = 1.0 / math.sqrt(head_size) if head_size is not None else None
    return masked_softmax(op, tensor, scale=scale, mask=attention_mask, causal_mask=causal_mask, numeric_stable=False,
                          compute_kernel_config=None, program_config=program_config, memory_config=memory_config)


def attention_softmax_(
    tensor: Tensor,
    *,
    head_size: int | None = None,
    attention_mask: Tensor | None = None,
    program_config: Any = None,
    causal_mask: bool = False,
    memory_config: Any = None,
) -> Tensor:
    """In place: ``softmax(tensor / sqrt(head_size) + attention_mask)`` over the last dim."""
    if attention_mask is None:
        raise RuntimeError(
            "Cannot apply divide by sqrt(head_size) using in-place version when attention_mask is not set."
        )
    out = _attention_softmax("attention_softmax_", tensor, head_size, attention_mask, program_config, causal_mask,
                             memory_config)
    tensor.stored = out.stored
    return tensor


def attention_softmax(
    tensor: Tensor,
    *,
    head_size: int | None = None,
    attention_mask: Tensor | None = None,
    program_config: Any = None,
    causal_mask: bool = False,
    memory_config: Any = None,
) -> Tensor:
    """A new tensor: ``softmax(tensor / sqrt(head_size) + attention_mask)`` over the last dim."""
    return _attention_softmax("attention_softmax", tensor, head_size, attention_mask, program_config, causal_mask,
                              memory_config)


def concatenate_heads(input_tensor: Tensor, *, memory_config: Any = None) -> Tensor:
    """``(B, heads, S, d)`` -> ``(B, S, heads*d)``."""
    x = device_input(input_tensor)
    batch, heads, seq, head = x.logical_shape
    return emit(
        "concatenate_heads", [x], (batch, seq, heads * head), x.dtype, x.layout,
        output_config(memory_config, x.mem_config), x.on_device,
        None if x.stored is None else (lambda: golden(ttnn.transformer.concatenate_heads)(x.stored)),
        stored=keeps_storage(x, x.dtype),
    )
