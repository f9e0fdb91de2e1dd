"""``ttnn.experimental``'s fused-QKV helpers and ``ttnn.reshard``: the ops tt-metal's Sentence-BERT runs between its
sharded matmuls."""

from __future__ import annotations

from typing import Any

import torch
import ttnn

from bertlib.emulator import op_trace, sharding
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import TILE
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import device_input, emit, keeps_storage, output_config, tiled
from bertlib.emulator.ops.transformer import _emit_heads
from bertlib.emulator.tensor import Tensor

#: Heads per core per Q/K/V: tt-metal's sharded program factory fixes ``num_heads_per_tensor`` at 2.
HEADS_PER_CORE = 2


def _grid(spec: Any) -> tuple[int, int]:
    """(rows, columns) of a block-sharded grid's shards, as its orientation lays them out."""
    box = spec.grid.bounding_box()
    if spec.orientation == ttnn.ShardOrientation.ROW_MAJOR:
        return box.end.y + 1, box.end.x + 1
    return box.end.x + 1, box.end.y + 1


@op(name="split_query_key_value_and_split_heads", family="transformer", group="data movement",
    module="ttnn.experimental")
def split_query_key_value_and_split_heads_per_core(
    input_tensor: Tensor,
    compute_with_storage_grid_size: Any,
    *,
    memory_config: Any = None,
    num_heads: int = 16,
    output_tensors: Any = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """Block-sharded fused QKV ``(B, 1, S, 3*H)`` -> Q ``(B, heads, S, d)``, K ``(B, heads, d, S)``, V
    ``(B, heads, S, d)``, height-sharded on the input's cores.

    Not ``ttnn.transformer``'s op: tt-metal's sharded program factory
    (``experimental/transformer/split_query_key_value_and_split_heads``) has each core read its own block as
    ``[Q heads | K heads | V heads]``, two heads each (e.g. the columns a custom preprocessor interleaves per
    core, as Sentence-BERT's does), where ``ttnn.transformer``'s reads ``[Q_g K_g V_g]`` per head. Each core's Q
    and V shard is its two heads' columns stacked, its K shard the same columns transposed; shards follow the
    cores in the grid's orientation. The interleaved path (BERT-large shapes only on a card) is not emulated.
    """
    x = device_input(input_tensor)
    where = "ttnn.experimental.split_query_key_value_and_split_heads"
    if output_tensors is not None:
        raise UnsupportedTTNNOp(f"{where}(output_tensors=...) is not emulated: let the op allocate its outputs")
    if not sharding.is_sharded(x.mem_config):
        raise UnsupportedTTNNOp(f"{where} of an interleaved input is not emulated (a card runs it for BERT-large's "
                                "[B, 1, 384, 3072] only): block-shard the fused QKV, or use "
                                "ttnn.transformer.split_query_key_value_and_split_heads")
    if x.dtype not in (ttnn.bfloat16, ttnn.bfloat8_b):
        raise RuntimeError("Unsupported data format")
    spec = x.mem_config.shard_spec
    box = spec.grid.bounding_box()
    if box.end.x >= compute_with_storage_grid_size.x or box.end.y >= compute_with_storage_grid_size.y:
        raise RuntimeError(f"Bounding box end coordinates ({box.end.x}, {box.end.y}) must be less than grid size "
                           f"({compute_with_storage_grid_size.x}, {compute_with_storage_grid_size.y})")
    if len(spec.grid.ranges()) != 1:
        raise RuntimeError(f"Input tensor shard spec must have exactly 1 grid range but got {len(spec.grid.ranges())}")
    if x.mem_config.memory_layout != ttnn.TensorMemoryLayout.BLOCK_SHARDED:
        raise RuntimeError("Input tensor memory layout must be BLOCK_SHARDED")
    if len(x.logical_shape) != 4 or x.logical_shape[1] != 1:
        raise RuntimeError(f"{where} reads a [B, 1, S, 3 * hidden] input, got {list(x.logical_shape)}")
    batch, _, seq, width = x.logical_shape
    head = width // 3 // num_heads
    rows, cols = _grid(spec)
    if num_heads != HEADS_PER_CORE * cols or head * 3 * num_heads != width or head % TILE:
        raise sharding.ShardingError(f"{where}: each of the {cols} shard columns holds {HEADS_PER_CORE} heads of Q, "
                                     f"K and V (fixed in tt-metal's kernel), so num_heads must be {HEADS_PER_CORE * cols}"
                                     f" and the {width} columns whole 32-wide heads (got num_heads={num_heads})")
    if batch != rows or seq % TILE:
        raise sharding.ShardingError(f"{where}: each of the {rows} shard rows must hold one batch's {seq} rows "
                                     f"(batch {batch}), in whole tiles")
    out = output_config(memory_config, x.mem_config)
    if out.memory_layout != ttnn.TensorMemoryLayout.HEIGHT_SHARDED:
        raise sharding.ShardingError(f"{where}: memory_config must be HEIGHT_SHARDED (ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)"
                                     ": the op writes one shard of heads per core")
    shapes = [(batch, num_heads, seq, head), (batch, num_heads, head, seq), (batch, num_heads, seq, head)]
    qv = sharding.with_shard_spec(out, spec.grid, (HEADS_PER_CORE * seq, head), spec.orientation)
    k = sharding.with_shard_spec(out, spec.grid, (HEADS_PER_CORE * head, seq), spec.orientation)
    parts = None
    if x.stored is not None and not op_trace.shape_only():
        # per row b and column c: the core's block [Q_2c Q_2c+1 | K_2c K_2c+1 | V_2c V_2c+1]
        blocks = x.stored.reshape(batch, seq, cols, 3, HEADS_PER_CORE, head)
        query, key, value = (blocks[:, :, :, i].permute(0, 2, 3, 1, 4).reshape(batch, num_heads, seq, head)
                             for i in range(3))
        parts = (query.contiguous(), key.transpose(-1, -2).contiguous(), value.contiguous())
    return _emit_heads(x, None, shapes, parts, [qv, k, qv], transpose_key=True)


@op(family="transformer", group="data movement", module="ttnn.experimental")
def nlp_concat_heads(input_tensor: Tensor, *, memory_config: Any = None) -> Tensor:
    """``(B, heads, S, d)`` -> ``(B, 1, S, heads*d)`` (tt-metal's ``NLPConcatHeadsDeviceOperation``). A sharded
    input's shards each hold whole heads of one batch; each core writes its heads side by side into a shard of the
    output's layout (``heads_per_shard`` times wider, as many times shorter), so a block-sharded output needs a
    grid of one row per batch and one column per input shard of heads."""
    x = device_input(input_tensor)
    tiled(x, "experimental.nlp_concat_heads")
    if x.dtype not in (ttnn.float32, ttnn.bfloat16, ttnn.bfloat8_b):
        raise RuntimeError("Unsupported data format")
    if len(x.logical_shape) != 4:
        raise RuntimeError(f"ttnn.experimental.nlp_concat_heads reads a [B, heads, S, d] input, got "
                           f"{list(x.logical_shape)}")
    batch, heads, seq, head = x.logical_shape
    padded_seq, padded_head = -(-seq // TILE) * TILE, -(-head // TILE) * TILE
    config = output_config(memory_config, x.mem_config)
    if sharding.is_sharded(x.mem_config):
        spec = x.mem_config.shard_spec
        shard_h, shard_w = (int(s) for s in spec.shape)
        if x.mem_config.memory_layout == ttnn.TensorMemoryLayout.WIDTH_SHARDED:
            raise RuntimeError("Input tensor memory layout must not be WIDTH_SHARDED")
        if shard_w != padded_head or shard_h % padded_seq or heads % (shard_h // padded_seq):
            raise RuntimeError(f"Input tensor shard [{shard_h}, {shard_w}] must be whole heads: width {padded_head}, "
                               f"height a multiple of {padded_seq} dividing the {heads} heads")
        if config.memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED:
            raise RuntimeError("Output memory config layout must not be HEIGHT_SHARDED")
        if not sharding.is_sharded(config):
            raise UnsupportedTTNNOp("ttnn.experimental.nlp_concat_heads of a sharded input into an interleaved "
                                    "output is not emulated: give it a BLOCK_SHARDED memory_config")
        per_shard = shard_h // padded_seq
        config = sharding.with_shard_spec(config, spec.grid, (shard_h // per_shard, shard_w * per_shard),
                                          spec.orientation)
        if config.memory_layout == ttnn.TensorMemoryLayout.BLOCK_SHARDED and _grid(spec) != (batch, heads // per_shard):
            raise sharding.ShardingError(f"ttnn.experimental.nlp_concat_heads: a block-sharded output needs the "
                                         f"input's shards on a {batch}x{heads // per_shard} grid (one row per batch, "
                                         f"one column per {per_shard} heads), not {_grid(spec)}")
    elif config.memory_layout != ttnn.TensorMemoryLayout.INTERLEAVED:
        raise RuntimeError("Output memory config layout must be INTERLEAVED")

    def compute() -> torch.Tensor:
        return x.stored.permute(0, 2, 1, 3).reshape(batch, 1, seq, heads * head)

    return emit("nlp_concat_heads", [x], (batch, 1, seq, heads * head), x.dtype, ttnn.TILE_LAYOUT, config, x.on_device,
                None if x.stored is None else compute, stored=keeps_storage(x, x.dtype))


@op(family="data movement", group="data movement")
def reshard(input_tensor: Tensor, output_memory_config: Any, output_tensor: Any = None) -> Tensor:
    """A sharded tensor moved to another sharded layout (shard spec, grid or strategy); values unchanged."""
    x = device_input(input_tensor)
    if not sharding.is_sharded(x.mem_config):
        raise RuntimeError("input must be sharded: ttnn.reshard moves a sharded tensor (use ttnn.to_memory_config)")
    if not sharding.is_sharded(output_memory_config) or output_memory_config.shard_spec is None:
        raise RuntimeError("output_memory_config must be sharded, with a shard spec")
    return emit("reshard", [x], x.logical_shape, x.dtype, x.layout, output_memory_config, x.on_device,
                None if x.stored is None else (lambda: x.stored), stored=True, output_tensor=output_tensor)
