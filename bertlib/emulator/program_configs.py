"""Program configs: how a card maps an op's blocks onto its cores. Checked as real ttnn checks them, then
recorded in the op trace; they change no value.

The matmul rules follow tt-metal's matmul validation (``ttnn/cpp/ttnn/operations/matmul/device``): K in
whole ``in0_block_w`` blocks, per-core blocks in whole subblocks, a subblock within the destination
registers (8 tiles, 4 with fp32 accumulation), the grid on the chip, and enough cores for every output
block. Softmax and LayerNorm sharded configs need a sharded input whose shard their blocks describe.
"""

from __future__ import annotations

import math
from typing import Any

import ttnn

from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import TILE, Numerics
from bertlib.emulator.sharding import is_sharded
from bertlib.emulator.tensor import padded


class ProgramConfigError(RuntimeError):
    """A program config inconsistent with its op's shapes or the chip; the message names the field."""


MATMUL_CONFIGS = (
    ttnn.MatmulMultiCoreReuseProgramConfig,
    ttnn.MatmulMultiCoreReuseMultiCastProgramConfig,
    ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig,
)


def _name(config: Any) -> str:
    return type(config).__name__


def _require(condition: bool, config: Any, message: str) -> None:
    if not condition:
        raise ProgramConfigError(f"{_name(config)}: {message}")


def describe(config: Any) -> str | None:
    """The config as the trace records it: its class and fields."""
    return None if config is None else repr(config)


def _fits_chip(config: Any, device: Any) -> tuple[int, int]:
    grid = config.compute_with_storage_grid_size
    chip_y, chip_x = device.chip.grid
    _require(grid.x > 0 and grid.y > 0, config, f"compute_with_storage_grid_size must be non-zero, got ({grid.x}, {grid.y})")
    _require(grid.x <= chip_x and grid.y <= chip_y, config,
             f"compute_with_storage_grid_size ({grid.x}, {grid.y}) must fit within the device grid ({chip_x}, {chip_y})")
    return grid.x, grid.y


def _dest_note(numerics: Numerics) -> str:
    """Why the destination register holds ``numerics.dest_tiles`` tiles for a subblock."""
    sync = ("with dst_full_sync_en the math thread has all 16 bfloat16 tiles of Dst" if numerics.dst_full_sync_en
            else "Dst holds 16 bfloat16 tiles, and without dst_full_sync_en the math thread has half of them")
    return sync + (", and fp32_dest_acc_en halves that" if numerics.fp32_dest_acc_en else "")


def check_matmul(config: Any, a_shape: tuple[int, ...], b_shape: tuple[int, ...], device: Any, numerics: Numerics,
                 placements: tuple[Any, Any, Any] = (None, None, None), has_bias: bool = False) -> str | None:
    """Refuse a matmul program config real ttnn refuses for ``a @ b`` (shapes after any transpose);
    ``placements`` are the memory configs of a, b and the output, checked against the config's blocks."""
    if config is None:
        return None
    if not isinstance(config, MATMUL_CONFIGS):
        raise UnsupportedTTNNOp(f"ttnn.matmul(program_config={_name(config)}) is not emulated: use one of "
                                f"{', '.join(c.__name__ for c in MATMUL_CONFIGS)}")
    a_pad, b_pad = padded(a_shape, ttnn.TILE_LAYOUT), padded(b_shape, ttnn.TILE_LAYOUT)
    kt = a_pad[-1] // TILE
    grid_x, grid_y = _fits_chip(config, device)
    for field in ("in0_block_w", "per_core_M", "per_core_N", "out_subblock_h", "out_subblock_w"):
        _require(getattr(config, field) != 0, config, f"{field} is 0, which is not valid")
    _require(kt % config.in0_block_w == 0, config, f"Kt ({kt}) must be divisible by in0_block_w ({config.in0_block_w})")
    block_h = getattr(config, "out_block_h", None) or config.per_core_M
    block_w = getattr(config, "out_block_w", None) or config.per_core_N
    _require(block_h % config.out_subblock_h == 0, config,
             f"per_core_M/out_block_h ({block_h}) must be divisible by out_subblock_h ({config.out_subblock_h})")
    _require(block_w % config.out_subblock_w == 0, config,
             f"per_core_N/out_block_w ({block_w}) must be divisible by out_subblock_w ({config.out_subblock_w})")
    _require(config.per_core_M % block_h == 0 and config.per_core_N % block_w == 0, config,
             "per_core_M and per_core_N must be divisible by out_block_h and out_block_w")
    registers = numerics.dest_tiles
    _require(config.out_subblock_h * config.out_subblock_w <= registers, config,
             f"out_subblock_w {config.out_subblock_w} times out_subblock_h {config.out_subblock_h} needs to be at most "
             f"{registers} to fit in hardware ({_dest_note(numerics)})")
    fuse = getattr(config, "fuse_batch", False)
    mt = (math.prod(a_pad[:-1]) if fuse else a_pad[-2]) // TILE
    nt = b_pad[-1] // TILE
    blocks_y, blocks_x = -(-mt // config.per_core_M), -(-nt // config.per_core_N)
    if isinstance(config, ttnn.MatmulMultiCoreReuseMultiCastProgramConfig):
        along_x = f"N is {nt} tiles, per_core_N {config.per_core_N}"
        along_y = f"M is {mt} tiles, per_core_M {config.per_core_M}"
        if config.transpose_mcast:  # M runs along x, N along y
            blocks_x, blocks_y, along_x, along_y = blocks_y, blocks_x, along_y, along_x
        _require(blocks_x <= grid_x, config, f"Num output blocks along x ({blocks_x}) must be smaller than or equal to "
                 f"the number of columns in compute grid ({grid_x})! ({along_x})")
        _require(blocks_y <= grid_y, config, f"Num output blocks along y ({blocks_y}) must be smaller than or equal to "
                 f"the number of rows in compute grid ({grid_y})! ({along_y})")
    elif isinstance(config, ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig):
        _require(blocks_x * blocks_y <= grid_x * grid_y, config,
                 f"Number of blocks exceeds number of cores: {blocks_x * blocks_y} blocks > {grid_x * grid_y} cores")
        if config.mcast_in0:
            _require(blocks_y == 1, config, f"mcast_in0 requires M ({mt}) to fit within a single per_core_M block "
                     f"({config.per_core_M}), got num_blocks_y={blocks_y}")
    else:  # MatmulMultiCoreReuseProgramConfig: one batch of output blocks per core
        total_mt = math.prod(a_pad[:-1]) // TILE  # per_core_M may span several batches (a multiple of M)
        blocks = -(-total_mt // config.per_core_M) * blocks_x
        _require(blocks <= grid_x * grid_y, config,
                 f"{blocks} output blocks need more cores than the {grid_x}x{grid_y} grid has")
    _check_sharded_operands(config, a_pad, b_pad, *placements, has_bias)
    return describe(config)


def _shard_tiles(memory_config: Any) -> tuple[int, int]:
    return tuple(int(s) // TILE for s in memory_config.shard_spec.shape)


def _check_sharded_operands(config: Any, a_pad: tuple[int, ...], b_pad: tuple[int, ...], a_memory: Any,
                            b_memory: Any, out_memory: Any, has_bias: bool) -> None:
    """The rules tt-metal's matmul validation sets for sharded operands: a sharded input's shard is one
    per-core block, and a sharded output is laid out the way the program writes it."""
    layouts = ttnn.TensorMemoryLayout
    kt, mt, nt = a_pad[-1] // TILE, a_pad[-2] // TILE, b_pad[-1] // TILE
    if is_sharded(out_memory):
        _require(config.out_subblock_w == config.per_core_N or config.out_subblock_h == 1, config,
                 f"a sharded output needs out_subblock_w == per_core_N ({config.per_core_N}) or out_subblock_h == 1 "
                 f"(got {config.out_subblock_h}x{config.out_subblock_w})")
    if isinstance(config, ttnn.MatmulMultiCoreReuseMultiCastProgramConfig):
        if is_sharded(a_memory):
            kind = a_memory.memory_layout
            _require(kind in (layouts.BLOCK_SHARDED, layouts.HEIGHT_SHARDED), config,
                     "in0 must be block- or height-sharded")
            shard_h, shard_w = _shard_tiles(a_memory)
            if kind == layouts.BLOCK_SHARDED:
                wanted = ttnn.ShardOrientation.COL_MAJOR if config.transpose_mcast else ttnn.ShardOrientation.ROW_MAJOR
                _require(a_memory.shard_spec.orientation == wanted, config,
                         f"transpose_mcast={config.transpose_mcast} needs in0 shards in {str(wanted).split('.')[-1]} "
                         "orientation")
                if is_sharded(out_memory):
                    _require(out_memory.memory_layout == kind, config, "a block-sharded in0 needs a block-sharded output")
            else:
                _require(not config.transpose_mcast, config, "a height-sharded in0 cannot use transpose_mcast")
                _require(kt == config.in0_block_w == shard_w, config,
                         f"a height-sharded in0 needs in0_block_w ({config.in0_block_w}) == K ({kt} tiles) == its "
                         f"shard width ({shard_w} tiles)")
            _require(config.per_core_M == shard_h, config,
                     f"per_core_M ({config.per_core_M}) must be in0's shard height ({shard_h} tiles)")
            _require(shard_w % config.in0_block_w == 0, config,
                     f"in0's shard width ({shard_w} tiles) must be divisible by in0_block_w ({config.in0_block_w})")
        if is_sharded(out_memory):
            _require(out_memory.memory_layout == layouts.BLOCK_SHARDED, config,
                     "a 2-D multicast matmul writes a block-sharded output")
    elif isinstance(config, ttnn.MatmulMultiCoreReuseProgramConfig):
        _require(not has_bias, config, "bias is not supported: use MatmulMultiCoreReuseMultiCastProgramConfig")
        _require(nt == config.per_core_N, config, f"per_core_N ({config.per_core_N}) must be N ({nt} tiles)")
        if config.per_core_M > mt:
            _require(config.per_core_M % mt == 0, config, f"per_core_M ({config.per_core_M}) must be a multiple of M "
                     f"({mt} tiles) if per_core_M > M")
        else:
            _require(mt % config.per_core_M == 0, config, f"per_core_M ({config.per_core_M}) must divide M ({mt} tiles)")
        _require(not (math.prod(a_pad[:-2]) > 1 and math.prod(b_pad[:-2]) == 1), config,
                 "in1 must be batched like in0 (no batch broadcast)")
        if is_sharded(a_memory):
            _require(a_memory.memory_layout != layouts.WIDTH_SHARDED, config, "in0 cannot be width-sharded")
            shard_h, shard_w = _shard_tiles(a_memory)
            _require(kt == shard_w == config.in0_block_w, config,
                     f"in0's shard width ({shard_w} tiles) must be K ({kt} tiles) and in0_block_w ({config.in0_block_w})")
            _require(config.per_core_M == shard_h, config,
                     f"per_core_M ({config.per_core_M}) must be in0's shard height ({shard_h} tiles)")
            if is_sharded(b_memory):
                _require((a_memory.memory_layout, a_memory.shard_spec.grid, a_memory.shard_spec.orientation)
                         == (b_memory.memory_layout, b_memory.shard_spec.grid, b_memory.shard_spec.orientation),
                         config, "in0 and in1 must be sharded alike (layout, grid and orientation)")
            if is_sharded(out_memory):
                _require(out_memory.memory_layout == a_memory.memory_layout, config,
                         "the output must be sharded like in0")
        if is_sharded(b_memory):
            _require(config.per_core_M % mt == 0, config, f"a sharded in1 needs per_core_M ({config.per_core_M}) to be "
                     f"a multiple of M ({mt} tiles): whole batches per core")
            _require(b_memory.memory_layout != layouts.WIDTH_SHARDED, config, "in1 cannot be width-sharded")
            shard_h, shard_w = _shard_tiles(b_memory)
            _require(shard_w == nt == config.per_core_N and shard_h % kt == 0, config,
                     f"in1's shard [{shard_h}, {shard_w}] tiles must be whole K ({kt}) rows by per_core_N "
                     f"({config.per_core_N}) columns")
        if is_sharded(out_memory):
            _require(out_memory.memory_layout != layouts.WIDTH_SHARDED, config, "the output cannot be width-sharded")


def matmul_output_spec(config: Any, a_shape: tuple[int, ...], b_shape: tuple[int, ...], a_memory: Any,
                       b_memory: Any) -> tuple[Any, tuple[int, int], Any]:
    """Where a matmul program writes a sharded output: (core range set, shard shape, orientation), as
    tt-metal's matmul derives them from the per-core block."""
    blocks_y, blocks_x = _output_blocks(config, a_shape, b_shape)
    shard = (config.per_core_M * TILE, config.per_core_N * TILE)
    grid = config.compute_with_storage_grid_size

    def box(x: int, y: int) -> Any:
        return ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(x - 1, y - 1))})

    if isinstance(config, ttnn.MatmulMultiCoreReuseMultiCastProgramConfig):
        if config.transpose_mcast:
            return box(blocks_y, blocks_x), shard, ttnn.ShardOrientation.COL_MAJOR
        return box(blocks_x, blocks_y), shard, ttnn.ShardOrientation.ROW_MAJOR
    if isinstance(config, ttnn.MatmulMultiCoreReuseProgramConfig):
        orientation = ttnn.ShardOrientation.COL_MAJOR
        for memory in (a_memory, b_memory):
            if is_sharded(memory):
                orientation = memory.shard_spec.orientation
                break
        cores = ttnn.num_cores_to_corerangeset(blocks_x * blocks_y, ttnn.CoreCoord(grid.x, grid.y),
                                               orientation == ttnn.ShardOrientation.ROW_MAJOR)
        return cores, shard, orientation
    cores = ttnn.num_cores_to_corerangeset(blocks_x * blocks_y, ttnn.CoreCoord(grid.x, grid.y), True)
    return cores, shard, ttnn.ShardOrientation.ROW_MAJOR


#: The output subblocks tt-metal's matmul tries, in order (``get_subblock_sizes``): the first that divides the
#: per-core block and fits the destination registers wins.
SUBBLOCKS = ((4, 2), (2, 4), (8, 1), (1, 8), (7, 1), (1, 7), (3, 2), (2, 3), (6, 1), (1, 6), (5, 1), (1, 5), (2, 2),
             (4, 1), (1, 4), (3, 1), (1, 3), (2, 1), (1, 2), (1, 1))


def derived_matmul_config(a_shape: tuple[int, ...], b_shape: tuple[int, ...], a_memory: Any, b_memory: Any,
                          out_memory: Any, fp32_acc: bool) -> Any:
    """The program config ttnn picks for a matmul given none, in the one case the emulator derives: a height- or
    block-sharded A times a batched B, as tt-metal's ``get_matmul_program_config`` (matmul_device_operation.cpp)
    picks it: a ``MatmulMultiCoreReuseProgramConfig`` on A's shard grid whose per-core block is A's shard (M rows,
    K columns) by all of N. None in every other case (the caller then refuses)."""
    if not (math.prod(b_shape[:-2]) > 1 and is_sharded(a_memory) and a_memory.shard_spec is not None):
        return None
    name = "MatmulMultiCoreReuseProgramConfig (derived)"
    layouts = ttnn.TensorMemoryLayout
    if a_memory.memory_layout == layouts.WIDTH_SHARDED:
        raise ProgramConfigError(f"{name}: Input A memory layout must not be WIDTH_SHARDED")
    if is_sharded(out_memory) and (out_memory.memory_layout, out_memory.buffer_type) != (a_memory.memory_layout,
                                                                                         a_memory.buffer_type):
        raise ProgramConfigError(f"{name}: Input A and output memory layouts and buffer types must match")
    if is_sharded(b_memory) and (b_memory.memory_layout, b_memory.shard_spec.grid, b_memory.shard_spec.orientation) != (
            a_memory.memory_layout, a_memory.shard_spec.grid, a_memory.shard_spec.orientation):
        raise ProgramConfigError(f"{name}: Input A and B must be sharded alike (layout, grid and orientation)")
    shard_h, shard_w = _shard_tiles(a_memory)
    per_core_n = padded(b_shape, ttnn.TILE_LAYOUT)[-1] // TILE
    registers = 4 if fp32_acc else 8
    sub_h, sub_w = next((h, w) for h, w in SUBBLOCKS
                        if h * w <= registers and shard_h % h == 0 and per_core_n % w == 0)
    grid = a_memory.shard_spec.grid.bounding_box().grid_size()
    return ttnn.MatmulMultiCoreReuseProgramConfig(
        compute_with_storage_grid_size=ttnn.CoreCoord(grid.x, grid.y), in0_block_w=shard_w, out_subblock_h=sub_h,
        out_subblock_w=sub_w, per_core_M=shard_h, per_core_N=per_core_n)


def _check_block(config: Any, sharded_type: type, memory_config: Any, device: Any) -> tuple[int, int]:
    """A sharded softmax/LayerNorm config: on the chip, whole subblocks, and a block equal to the input's shard
    (returned in tiles)."""
    _require(isinstance(config, sharded_type), config, f"is not a {sharded_type.__name__}")
    _fits_chip(config, device)
    _require(is_sharded(memory_config), config,
             "needs a sharded input: move it with ttnn.interleaved_to_sharded or ttnn.to_memory_config first")
    shard_h, shard_w = (int(s) // TILE for s in memory_config.shard_spec.shape)
    _require(config.block_w % config.subblock_w == 0, config,
             f"block_w ({config.block_w}) must be divisible by subblock_w ({config.subblock_w})")
    _require((config.block_h, config.block_w) == (shard_h, shard_w), config,
             f"block_h x block_w ({config.block_h}x{config.block_w} tiles) must be the input's shard "
             f"({shard_h}x{shard_w} tiles)")
    return shard_h, shard_w


def check_softmax(config: Any, shape: tuple[int, ...], memory_config: Any, device: Any) -> str | None:
    """A sharded softmax config describes its input's shard, whose block spans the whole softmax row."""
    if config is None or isinstance(config, ttnn.SoftmaxDefaultProgramConfig):
        return describe(config)
    _check_block(config, ttnn.SoftmaxShardedMultiCoreProgramConfig, memory_config, device)
    _require(padded(shape, ttnn.TILE_LAYOUT)[-1] // TILE == config.block_w, config,
             f"block_w ({config.block_w}) must span the whole softmax row ({shape[-1] // TILE} tiles)")
    return describe(config)


def check_layer_norm(config: Any, memory_config: Any, device: Any, residual_memory: Any = None) -> str | None:
    """A sharded LayerNorm config describes its input's shard; a residual is sharded alike. With
    ``inplace=True`` the result overwrites the input."""
    if config is None or isinstance(config, ttnn.LayerNormDefaultProgramConfig):
        return describe(config)
    _check_block(config, ttnn.LayerNormShardedMultiCoreProgramConfig, memory_config, device)
    if residual_memory is not None:
        _require(is_sharded(residual_memory) and residual_memory.memory_layout == memory_config.memory_layout
                 and residual_memory.shard_spec == memory_config.shard_spec, config,
                 "residual_input_tensor must be sharded exactly like the input (same layout and shard spec)")
    return describe(config)


def _output_blocks(config: Any, a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> tuple[int, int]:
    """The output's (M, N) blocks of ``per_core_M x per_core_N`` tiles (M over every batch, unless a 1-D config
    keeps batches apart with ``fuse_batch=False``)."""
    a_pad, b_pad = padded(a_shape, ttnn.TILE_LAYOUT), padded(b_shape, ttnn.TILE_LAYOUT)
    one_d = isinstance(config, ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig)
    mt = (a_pad[-2] if one_d and not config.fuse_batch else math.prod(a_pad[:-1])) // TILE
    return -(-mt // config.per_core_M), -(-(b_pad[-1] // TILE) // config.per_core_N)


def matmul_work(config: Any, a_shape: tuple[int, ...], b_shape: tuple[int, ...]
                ) -> tuple[int | None, tuple[int, int] | None]:
    """How a program config splits a matmul, for the cost model: (cores used, the (M, N) output blocks of a
    multicast config: in0 blocks go to the cores of one M block, in1 blocks to those of one N block)."""
    if not isinstance(config, MATMUL_CONFIGS):
        return None, None
    blocks_m, blocks_n = _output_blocks(config, a_shape, b_shape)
    if isinstance(config, ttnn.MatmulMultiCoreReuseProgramConfig):
        return blocks_m * blocks_n, None
    return blocks_m * blocks_n, (blocks_m, blocks_n)


# ------------------------------------------------------------------------------ the matmul's K blocks
_KINDS = {ttnn.MatmulMultiCoreReuseMultiCastProgramConfig: "2d", ttnn.MatmulMultiCoreReuseMultiCast1DProgramConfig: "1d",
          ttnn.MatmulMultiCoreReuseProgramConfig: "reuse"}
PER_CORE_FACTOR = 16  # get_per_core_factor's first try, which fits while L1 is mostly free


def matmul_k_blocks(config: Any, a_shape: tuple[int, ...], b_shape: tuple[int, ...], memories: tuple[Any, Any, Any],
                    user_grid: tuple[int, int] | None, chip_grid: tuple[int, int]) -> tuple[str, int | None]:
    """The program config kind and the ``in0_block_w`` (K-tiles per block; None: all of K in one) a matmul runs
    with: its program config's, or the one ttnn picks without one (tt-metal
    ``device/config/matmul_program_config.cpp``: ``create_matmul_program_config`` for a user core grid,
    ``create_simple_matmul_program_config`` without). The L1 estimate that may shrink those choices is taken as
    fitting (``PER_CORE_FACTOR``)."""
    if config is not None:
        return _KINDS.get(type(config), "2d"), config.in0_block_w
    a_pad, b_pad = padded(a_shape, ttnn.TILE_LAYOUT), padded(b_shape, ttnn.TILE_LAYOUT)
    mt, kt, nt = a_pad[-2] // TILE, a_pad[-1] // TILE, b_pad[-1] // TILE
    a_memory, b_memory, out_memory = memories
    if is_sharded(a_memory) and a_memory.shard_spec is not None:  # get_matmul_program_config: the shard's width
        if a_memory.memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED:
            return "1d", kt
        return ("2d" if a_memory.memory_layout == ttnn.TensorMemoryLayout.BLOCK_SHARDED else "1d",
                math.gcd(_shard_tiles(a_memory)[1], kt))
    if user_grid is not None:
        if math.prod(b_pad[:-2]) > 1:
            return "reuse", 1  # "TODO(arakhmati): Can it be more than 1"
        height, width = math.prod(a_pad[:-1]), b_pad[-1]
        if _narrow(height, width, False) or min(a_pad[-1], a_pad[-2], b_pad[-1]) <= TILE:
            per_core = -(-kt // (user_grid[0] * user_grid[1]))  # the 1-D systolic array's K per core
            return "1d", next(w for w in range(per_core, 0, -1) if kt % w == 0)
        return "2d", next(w for w in (4, 3, 2, 1) if kt % w == 0)
    return _simple_k_blocks(mt, kt, nt, a_pad[-2], b_pad[-1], memories, chip_grid)


def _narrow(height: int, width: int, all_dram: bool) -> bool:
    """tt-metal ``is_narrow_shape``: one side more than 8 times the other, or (all in DRAM) within a tile."""
    return max(height, width) // min(height, width) > 8 or (all_dram and min(height, width) <= TILE)


def _simple_k_blocks(mt: int, kt: int, nt: int, height: int, width: int, memories: tuple[Any, Any, Any],
                     chip_grid: tuple[int, int]) -> tuple[str, int | None]:
    """``create_simple_matmul_program_config``'s choice (a matmul without core grid or program config)."""
    grid_y, grid_x = chip_grid
    interleaved = not any(is_sharded(m) for m in memories)
    all_dram = all(m.buffer_type == ttnn.BufferType.DRAM for m in memories)
    narrow = interleaved and _narrow(height, width, all_dram)
    blocks_y, blocks_x = -(-mt // PER_CORE_FACTOR), -(-nt // PER_CORE_FACTOR)
    block_w = 1 if (is_sharded(memories[2]) or blocks_y > 1 or blocks_x > 1) and kt % 2 else 2
    if not (interleaved and all_dram) and not (blocks_x * blocks_y <= grid_x * grid_y and kt % block_w == 0):
        return "multicore", None
    spread = (blocks_y, blocks_x) != (1, 1) and blocks_y <= grid_y and blocks_x <= grid_x
    if narrow or (spread and 1 in (blocks_y, blocks_x)):  # get_mcast_1d_config
        return "1d", 2 if kt % 2 == 0 else 1
    if interleaved and all_dram:
        return "2d", kt // grid_x if kt % grid_x == 0 else 1
    if spread:
        return "2d", block_w
    return "multicore", None
