"""Where a tensor lives: interleaved in DRAM or L1, or sharded over the cores' L1, checked as a card checks it.

A sharded ``ttnn.MemoryConfig`` (real ttnn's object) splits the tensor, seen as a 2-D matrix of
``prod(shape[:-1])`` rows by ``shape[-1]`` columns, into equal shards, one per core of its
``shard_spec.grid``:

- HEIGHT_SHARDED: row bands, each the full width;
- WIDTH_SHARDED: column bands, each the full height;
- BLOCK_SHARDED: a 2-D grid of blocks; rows of blocks go down the grid's y (``ROW_MAJOR`` orientation)
  or its x (``COL_MAJOR``).

``placement`` refuses what a card refuses, with what to change: shards that are not whole tiles in TILE
layout, grids off the chip, too few cores for the tensor, and shards larger than one core's L1.

ND_SHARDED (a ``MemoryConfig`` built from an ``NdShardSpec``: a shard shape over any number of dims, a core
grid of one or more ranges, an orientation) splits the tensor, its last two dims padded to whole tiles in TILE
layout, into blocks of the shard shape (the shorter of the two shapes taken with leading 1s), and deals the
blocks to the grid's cores in turn (``ShardDistributionStrategy.ROUND_ROBIN_1D``, tt-metal's
``BufferDistributionSpec``): any number of blocks fits any number of cores, and a core holds
``ceil(blocks / cores)`` of them, which must fit its L1. Values do not depend on where shards lie, so the emulator
only checks the placement.
"""

from __future__ import annotations

import math
from typing import Any

import ttnn

from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import TILE
from bertlib.emulator.tensor import padded, tensor_bytes


class ShardingError(RuntimeError):
    """A sharded memory config a card would refuse; the message says what to change."""


def is_sharded(memory_config: Any) -> bool:
    return memory_config is not None and memory_config.is_sharded()


def matrix(shape: tuple[int, ...], layout: Any) -> tuple[int, int]:
    """The (rows, columns) a tensor is sharded as: all dims but the last folded into rows."""
    dims = padded(tuple(shape), layout)
    return math.prod(dims[:-1]) if len(dims) > 1 else 1, dims[-1]


def _layout_name(memory_config: Any) -> str:
    return str(memory_config.memory_layout).split(".")[-1].split("::")[-1]


def _grid_extent(grid: Any) -> tuple[int, int, int, int]:
    box = grid.bounding_box()
    return box.start.x, box.start.y, box.end.x, box.end.y


def buffer_name(memory_config: Any) -> str:
    """``"DRAM"`` or ``"L1"``: where a tensor with ``memory_config`` lives (a host tensor's None counts as DRAM)."""
    if memory_config is None:
        return "DRAM"
    return str(memory_config.buffer_type).split(".")[-1].split("::")[-1]


def is_nd_sharded(memory_config: Any) -> bool:
    """True for a config built from an ``NdShardSpec`` (``TensorMemoryLayout.ND_SHARDED``, no 2-D shard spec)."""
    return (is_sharded(memory_config) and memory_config.shard_spec is None
            and getattr(memory_config, "nd_shard_spec", None) is not None)


def describe(memory_config: Any) -> str:
    """``"DRAM"``, ``"L1"``, or e.g. ``"L1 BLOCK_SHARDED 8x8 cores, shard [384, 128]"`` for the op trace."""
    buffer = buffer_name(memory_config)
    if is_nd_sharded(memory_config):
        spec = memory_config.nd_shard_spec
        return f"{buffer} {_layout_name(memory_config)} {spec.num_cores()} cores, shard {list(spec.shard_shape)}"
    if not is_sharded(memory_config) or memory_config.shard_spec is None:
        return buffer if not is_sharded(memory_config) else f"{buffer} {_layout_name(memory_config)}"
    x0, y0, x1, y1 = _grid_extent(memory_config.shard_spec.grid)
    return (f"{buffer} {_layout_name(memory_config)} {y1 - y0 + 1}x{x1 - x0 + 1} cores, "
            f"shard {list(memory_config.shard_spec.shape)}")


def cores(*memory_configs: Any) -> int | None:
    """The number of cores the first sharded config's shards lie on (None if none is sharded)."""
    for config in memory_configs:
        if is_sharded(config) and config.shard_spec is not None:
            return config.shard_spec.grid.num_cores()
        if is_nd_sharded(config):
            return config.nd_shard_spec.num_cores()
    return None


def with_shard_spec(memory_config: Any, grid: Any, shard: tuple[int, int], orientation: Any = None) -> Any:
    """``memory_config`` with the shard spec an op derives for its output (real ttnn objects)."""
    orientation = orientation if orientation is not None else ttnn.ShardOrientation.ROW_MAJOR
    spec = ttnn.ShardSpec(grid, [int(shard[0]), int(shard[1])], orientation)
    return ttnn.MemoryConfig(memory_config.memory_layout, memory_config.buffer_type, spec)


def placement(shape: tuple[int, ...], dtype: Any, layout: Any, memory_config: Any, device: Any, op: str) -> None:
    """Refuse a sharded ``memory_config`` that cannot hold a tensor of ``shape`` on ``device``'s chip."""
    if not is_sharded(memory_config) or device is None:
        return
    where = f"ttnn.{op}: {_layout_name(memory_config)}"
    if memory_config.buffer_type != ttnn.BufferType.L1:
        raise UnsupportedTTNNOp(f"{where} in DRAM is not emulated: shard in L1 (buffer_type=ttnn.BufferType.L1)")
    spec = memory_config.shard_spec
    if spec is None and is_nd_sharded(memory_config):
        _nd_placement(shape, dtype, layout, memory_config.nd_shard_spec, device, where)
        return
    if spec is None:
        raise ShardingError(f"{where} needs a shard spec for this tensor: build one with "
                            "ttnn.create_sharded_memory_config(shape, core_grid, strategy)")
    rows, cols = matrix(shape, layout)
    shard_h, shard_w = (int(s) for s in spec.shape)
    chip = device.chip
    x0, y0, x1, y1 = _grid_extent(spec.grid)
    if x1 >= chip.grid[1] or y1 >= chip.grid[0]:
        raise ShardingError(f"{where} shard grid reaches core (x={x1}, y={y1}), outside {chip.name}'s "
                            f"{chip.grid[0]}x{chip.grid[1]} (y x x) compute grid: use a smaller core grid")
    if layout == ttnn.TILE_LAYOUT and (shard_h % TILE or shard_w % TILE):
        raise ShardingError(f"{where} shard shape [{shard_h}, {shard_w}] is not whole 32x32 tiles: in TILE layout "
                            "each shard's height and width must be multiples of 32")
    cores = spec.grid.num_cores()
    kind = memory_config.memory_layout
    if kind == ttnn.TensorMemoryLayout.HEIGHT_SHARDED:
        if shard_w != cols:
            raise ShardingError(f"{where} shard width {shard_w} must be the tensor's width {cols}")
        needed = -(-rows // shard_h)
        if needed > cores:
            raise ShardingError(f"{where} {rows} rows in shards of {shard_h} need {needed} cores, the grid has {cores}")
    elif kind == ttnn.TensorMemoryLayout.WIDTH_SHARDED:
        if shard_h != rows:
            raise ShardingError(f"{where} shard height {shard_h} must be the tensor's height {rows}")
        needed = -(-cols // shard_w)
        if needed > cores:
            raise ShardingError(f"{where} {cols} columns in shards of {shard_w} need {needed} cores, the grid has {cores}")
    elif kind == ttnn.TensorMemoryLayout.BLOCK_SHARDED:
        if len(spec.grid.ranges()) != 1:
            raise ShardingError(f"{where} needs one rectangular core range")
        grid_rows, grid_cols = y1 - y0 + 1, x1 - x0 + 1
        if spec.orientation == ttnn.ShardOrientation.COL_MAJOR:
            grid_rows, grid_cols = grid_cols, grid_rows
        if -(-rows // shard_h) > grid_rows or -(-cols // shard_w) > grid_cols:
            raise ShardingError(
                f"{where} a {rows}x{cols} tensor in [{shard_h}, {shard_w}] shards needs a "
                f"{-(-rows // shard_h)}x{-(-cols // shard_w)} block grid, the core grid gives {grid_rows}x{grid_cols}")
    per_core = tensor_bytes((shard_h, shard_w), dtype, layout)
    if per_core > chip.l1_bytes_per_core:
        raise ShardingError(f"{where} one shard takes {per_core / 1024:.0f} KiB, more than a {chip.name} core's "
                            f"{chip.l1_bytes_per_core / 1024:.0f} KiB of L1: use more cores or smaller shards")


def _nd_placement(shape: tuple[int, ...], dtype: Any, layout: Any, spec: Any, device: Any, where: str) -> None:
    """Refuse an ND shard spec a card refuses for a tensor of ``shape`` (module docstring)."""
    if spec.shard_distribution_strategy != ttnn.ShardDistributionStrategy.ROUND_ROBIN_1D:
        raise UnsupportedTTNNOp(f"{where} with shard_distribution_strategy={spec.shard_distribution_strategy} is not "
                                "emulated: use ShardDistributionStrategy.ROUND_ROBIN_1D (the default)")
    shard = tuple(int(d) for d in spec.shard_shape)
    if not shard or any(d <= 0 for d in shard):
        raise ShardingError(f"{where} shard shape {list(shard)} must have at least one dim, each above 0")
    chip = device.chip
    for core_range in spec.grid.ranges():
        if core_range.end.x >= chip.grid[1] or core_range.end.y >= chip.grid[0]:
            raise ShardingError(f"{where} shard grid reaches core (x={core_range.end.x}, y={core_range.end.y}), "
                                f"outside {chip.name}'s {chip.grid[0]}x{chip.grid[1]} (y x x) compute grid: use a "
                                "smaller core grid")
    tiled = layout == ttnn.TILE_LAYOUT
    if tiled and (len(shard) < 2 or shard[-1] % TILE or shard[-2] % TILE):
        raise ShardingError(f"{where} shard shape {list(shard)} is not whole 32x32 tiles: in TILE layout the shard's "
                            "last two dims must be multiples of 32 (tt-metal: physical shard shape must be tile sized)")
    dims = padded(tuple(shape), layout) if shape else (1,)
    rank = max(len(dims), len(shard))
    dims, shard = (1,) * (rank - len(dims)) + tuple(dims), (1,) * (rank - len(shard)) + shard
    blocks = math.prod(-(-n // s) for n, s in zip(dims, shard, strict=True))
    per_core = -(-blocks // spec.num_cores())
    if tiled:
        shard_bytes = tensor_bytes(shard, dtype, layout)
    else:  # one page per shard row, each aligned to L1's 16 bytes
        row_bytes = tensor_bytes((shard[-1],), dtype, layout)
        shard_bytes = math.prod(shard[:-1]) * -(-row_bytes // 16) * 16
    if per_core * shard_bytes > chip.l1_bytes_per_core:
        raise ShardingError(f"{where} {blocks} shards of {list(shard)} on {spec.num_cores()} cores put {per_core} on a "
                            f"core: {per_core * shard_bytes / 1024:.0f} KiB, more than a {chip.name} core's "
                            f"{chip.l1_bytes_per_core / 1024:.0f} KiB of L1: use more cores or smaller shards")
