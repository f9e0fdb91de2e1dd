"""``ttnn.transformer``: the fused attention helpers BERT uses."""

from __future__ import annotations

import math
from typing import Any

import ttnn

from bertlib.emulator import op_trace, sharding
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import TILE
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import device_input, emit, golden, keeps_storage, output_config
from bertlib.emulator.ops.normalization import masked_softmax
from bertlib.emulator.tensor import Tensor, tensor_bytes


@op(family="transformer", group="data movement", module="ttnn.transformer")
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
    if kv is not None and sharding.is_sharded(kv.mem_config):
        raise UnsupportedTTNNOp("split_query_key_value_and_split_heads: a sharded kv_input_tensor is not emulated: "
                                "give it an interleaved L1 tensor")
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
    if sharding.is_sharded(x.mem_config):
        return _split_heads_sharded(x, shapes, num_heads, num_kv_heads, transpose_key, memory_config)
    parts = None
    if x.stored is not None and not op_trace.shape_only():
        parts = golden(ttnn.transformer.split_query_key_value_and_split_heads)(
            x.stored, None if kv is None else kv.stored, num_heads=num_heads, num_kv_heads=num_kv_heads,
            transpose_key=transpose_key,
        )
    return _emit_heads(x, kv, shapes, parts, [output_config(memory_config, x.mem_config)] * 3, transpose_key)


def _emit_heads(x: Tensor, kv: Tensor | None, shapes: list[tuple[int, ...]], parts: Any, configs: list[Any],
                transpose_key: bool) -> tuple[Tensor, Tensor, Tensor]:
    """Q, K and V as one device op: K and V are made unrecorded first, and the recorded Q counts their bytes. Heads
    are whole tiles wide, so an output keeps its input's blocks unless it is transposed (a transposed K)."""
    def same(i: int) -> bool:
        whole = not (i == 1 and transpose_key)
        return keeps_storage(x, x.dtype, whole_blocks=whole) and (kv is None or keeps_storage(kv, x.dtype,
                                                                                              whole_blocks=whole))

    key, value = (
        emit("split_query_key_value_and_split_heads", [], shapes[i], x.dtype, ttnn.TILE_LAYOUT, configs[i], x.on_device,
             None if parts is None else (lambda i=i: parts[i]), record=False, stored=same(i))
        for i in (1, 2)
    )
    query = emit("split_query_key_value_and_split_heads", [x] if kv is None else [x, kv], shapes[0], x.dtype,
                 ttnn.TILE_LAYOUT, configs[0], x.on_device, None if parts is None else (lambda: parts[0]),
                 stored=same(0),
                 also_written=sum(tensor_bytes(shapes[i], x.dtype, ttnn.TILE_LAYOUT) for i in (1, 2)))
    return query, key, value


def _split_heads_sharded(x: Tensor, shapes: list[tuple[int, ...]], num_heads: int, num_kv_heads: int | None,
                         transpose_key: bool, memory_config: Any) -> tuple[Tensor, Tensor, Tensor]:
    """tt-metal's ``create_qkv_heads``: a block-sharded fused QKV whose columns hold, for each K/V head ``g``,
    that group's query heads, then its key head, then its value head (``[Q_g K_g V_g]``), not all queries
    then all keys then all values. Each core splits its own block; outputs are height-sharded on the same cores.
    """
    if num_kv_heads is not None:
        raise UnsupportedTTNNOp("split_query_key_value_and_split_heads(num_kv_heads=...) on a sharded input is not "
                                "emulated (ttnn takes the interleaved falcon7b path there): give it an interleaved tensor")
    where = "split_query_key_value_and_split_heads on a sharded input"
    layouts = ttnn.TensorMemoryLayout
    spec = x.mem_config.shard_spec
    if x.mem_config.memory_layout != layouts.BLOCK_SHARDED:
        raise sharding.ShardingError(f"{where}: the input must be BLOCK_SHARDED, not "
                                     f"{str(x.mem_config.memory_layout).split('.')[-1]}")
    out = output_config(memory_config, x.mem_config)
    if not sharding.is_sharded(out) or out.memory_layout != layouts.HEIGHT_SHARDED:
        raise sharding.ShardingError(f"{where}: memory_config must be HEIGHT_SHARDED (e.g. "
                                     "ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)")
    batch, seq, hidden = x.logical_shape
    head = shapes[0][-1]
    box = spec.grid.bounding_box()
    row_major = spec.orientation == ttnn.ShardOrientation.ROW_MAJOR
    h_cores, w_cores = (box.end.y + 1, box.end.x + 1) if row_major else (box.end.x + 1, box.end.y + 1)
    if batch != h_cores:
        raise sharding.ShardingError(f"{where}: batch size {batch} must be equal to the {h_cores} cores the rows are "
                                     "sharded over (one batch per row of shards)")
    if num_heads % w_cores or hidden % (w_cores * TILE):
        raise sharding.ShardingError(f"{where}: {num_heads} heads ({hidden} columns) must split evenly over the "
                                     f"{w_cores} cores the columns are sharded over")
    if seq % TILE:
        raise sharding.ShardingError(f"{where}: sequence length {seq} must be whole tiles")
    cores = spec.grid.num_cores()
    configs = [sharding.with_shard_spec(out, spec.grid, (math.prod(shape[:-1]) // cores, shape[-1]), spec.orientation)
               for shape in shapes]
    parts = None
    if x.stored is not None and not op_trace.shape_only():
        groups = x.stored.reshape(batch, seq, num_heads, 3, head)  # [Q_g K_g V_g] per head g
        query, key, value = (groups[:, :, :, i].permute(0, 2, 1, 3) for i in range(3))  # (B, heads, S, d)
        parts = (query.contiguous(), (key.transpose(-1, -2) if transpose_key else key).contiguous(), value.contiguous())
    return _emit_heads(x, None, shapes, parts, configs, transpose_key)


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


@op(family="transformer", group="softmax", module="ttnn.transformer")
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


@op(family="transformer", group="softmax", module="ttnn.transformer")
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


@op(family="transformer", group="data movement", module="ttnn.transformer")
def concatenate_heads(input_tensor: Tensor, *, memory_config: Any = None) -> Tensor:
    """``(B, heads, S, d)`` -> ``(B, S, heads*d)``. A sharded output keeps the input's cores: each core's
    ``heads_per_shard`` heads side by side (tt-metal's ``ConcatenateHeads::compute_output_specs``)."""
    x = device_input(input_tensor)
    if len(x.logical_shape) != 4:
        raise RuntimeError(f"Input tensor must have rank 4. Shape: {list(x.logical_shape)}")
    batch, heads, seq, head = x.logical_shape
    if head % TILE:
        raise RuntimeError(f"Head size must be a multiple of 32 but was found to be {head}")
    config = output_config(memory_config, x.mem_config)
    if sharding.is_sharded(config) and config.shard_spec is None:
        if not sharding.is_sharded(x.mem_config):
            raise sharding.ShardingError("concatenate_heads: a sharded memory_config without a shard spec needs a "
                                         "sharded input (height-sharded heads)")
        spec = x.mem_config.shard_spec
        shard_h, shard_w = (int(s) for s in spec.shape)
        padded_seq = -(-seq // TILE) * TILE
        per_shard = max(shard_h // padded_seq, 1)  # heads per input shard
        config = sharding.with_shard_spec(config, spec.grid, (shard_h // per_shard, shard_w * per_shard),
                                          spec.orientation)
    return emit(
        "concatenate_heads", [x], (batch, seq, heads * head), x.dtype, x.layout, config, x.on_device,
        None if x.stored is None else (lambda: golden(ttnn.transformer.concatenate_heads)(x.stored)),
        stored=keeps_storage(x, x.dtype, whole_blocks=True),  # whole heads, each whole tiles wide
    )
