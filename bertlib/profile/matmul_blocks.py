"""How a traced matmul is split over the cores: from its program config, or the one ttnn picks without one.

A program config is read from the op trace, where it is recorded as real ttnn prints it. Without one,
ttnn chooses itself (tt-metal ``ttnn/cpp/ttnn/operations/matmul/device/config/matmul_program_config.cpp``,
``create_matmul_program_config``); for unbatched, unsharded operands that are not narrow (height/width ratio
at most 8, no dimension within one tile) it is a 2-D multicast config on the whole compute grid with
``per_core_M = ceil(Mt / grid_y)``, ``per_core_N = ceil(Nt / grid_x)`` and ``in0_block_w`` the largest of
4, 3, 2, 1 that divides Kt. Other shapes take a 1-D config (``create_matmul_1d_systolic_array_program_config``),
taken here as the output tiles spread evenly over the grid with ``in0_block_w`` 2 (or 1 for an odd Kt).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bertlib.emulator import op_trace

TILE = 32
NARROW_SHAPE_RATIO = 8  # tt-metal ``is_narrow_shape``: NARROW_SHAPE_RATIO_THRESHOLD


@dataclass(frozen=True)
class Blocking:
    """One matmul's work per core, in tiles: output block, K, K per block, the cores used, and who chose it."""

    per_core_m: int
    per_core_n: int
    kt: int
    in0_block_w: int
    cores: int
    chosen_by_ttnn: bool

    @property
    def k_blocks(self) -> int:
        """How many in0/in1 block exchanges (multicast handshakes) the K loop takes."""
        return -(-self.kt // self.in0_block_w)

    @property
    def tile_products(self) -> int:
        """32x32x32 tile products one core computes."""
        return self.per_core_m * self.per_core_n * self.kt


def _tiles(n: int) -> int:
    return -(-n // TILE)


def _field(config: str, name: str) -> int | None:
    match = re.search(rf"\b{name}=(\d+)", config)
    return int(match.group(1)) if match else None


def default_blocking(m: int, k: int, n: int, grid: tuple[int, int], batch: int = 1) -> Blocking:
    """The split ttnn picks for ``(batch*m, k) @ (k, n)`` with no program config, on a ``grid`` of (y, x) cores."""
    grid_y, grid_x = grid
    mt, kt, nt = batch * _tiles(m), _tiles(k), _tiles(n)
    height, width = mt * TILE, nt * TILE
    narrow = max(height, width) // min(height, width) > NARROW_SHAPE_RATIO or min(m, k, n) <= TILE
    if narrow:
        per_core = -(-(mt * nt) // (grid_x * grid_y))
        cores = -(-(mt * nt) // per_core)
        return Blocking(per_core, 1, kt, 2 if kt % 2 == 0 else 1, cores, True)
    block_w = next(w for w in (4, 3, 2, 1) if kt % w == 0)
    per_m, per_n = -(-mt // grid_y), -(-nt // grid_x)
    return Blocking(per_m, per_n, kt, block_w, -(-mt // per_m) * -(-nt // per_n), True)


def blocking(rec: op_trace.OpRecord, grid: tuple[int, int]) -> Blocking:
    """The work split of a traced ``matmul``/``linear`` on a chip with compute ``grid`` (y, x)."""
    m, n = rec.output_shape[-2], rec.output_shape[-1]
    k = round(rec.flops / (2 * math.prod(rec.output_shape))) if rec.flops else rec.input_shapes[0][-1]
    batch = math.prod(rec.output_shape[:-2]) or 1
    config = rec.program_config or ""
    per_m, per_n, block_w = (_field(config, f) for f in ("per_core_M", "per_core_N", "in0_block_w"))
    if per_m is None or per_n is None or block_w is None:
        if rec.core_grid:
            grid = tuple(rec.core_grid)
        return default_blocking(m, k, n, grid, batch)
    kt = _tiles(k)
    out_tiles = batch * _tiles(m) * _tiles(n)
    cores = rec.cores or max(1, -(-out_tiles // (per_m * per_n)))
    return Blocking(per_m, per_n, kt, min(block_w, kt), cores, False)
