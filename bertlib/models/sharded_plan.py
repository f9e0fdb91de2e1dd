"""The ``sharded`` config's placement: which core holds what, and the program configs that say so.

After tt-metal's ``models/demos/bert/tt/ttnn_optimized_sharded_bert.py`` (BERT-large, batch 8, seq 384 on
an 8x8 grid), but derived from the shapes and the chip instead of written out for one model:

- the grid is ``batch`` core columns by ``rows`` core rows, ``rows`` the most of the chip's rows that
  divides the heads, the hidden size and the FF width in whole tiles;
- hidden states ``(B, S, H)`` are block-sharded ``COL_MAJOR``: core ``(x=b, y=r)`` holds batch ``b``'s
  sequence and the ``r``-th slice of the hidden width, so each 2-D multicast matmul reads its per-core
  block where it is (``transpose_mcast=True``: M runs along x);
- attention tensors ``(B, heads, S, *)`` are height-sharded over the same cores: each core holds
  ``heads / rows`` heads of one batch, which is what ``create_qkv_heads`` gives when the fused QKV's
  columns are grouped per head (``[Q_h K_h V_h]``, see ``bertlib.models.preprocess``).

Every program config's blocks are the shards they read, so the emulator's checks are tt-metal's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bertlib.errors import BertlibError

TILE = 32
MAX_SUBBLOCK = 8  # output tiles in the destination registers without fp32 accumulation
#: The ops that take a program config, by the names tt-metal's sharded BERT gives them (``ShardedPlan.program_config``).
PROGRAM_CONFIGS = ("query_key_value", "query_by_key", "softmax", "attention_probabilities_by_value", "self_output",
                   "ff1", "ff2", "layer_norm")


class ShardingPlanError(BertlibError, ValueError):
    """A model, batch or sequence length the ``sharded`` config cannot lay out on this chip."""


def _largest_divisor(n: int, at_most: int) -> int:
    return max(d for d in range(1, min(n, at_most) + 1) if n % d == 0)


def subblock(per_core_m: int, per_core_n: int) -> tuple[int, int]:
    """``(out_subblock_h, out_subblock_w)``: the widest subblock that fits the registers, then as tall as still
    fits when it spans the whole block width (a sharded output allows ``h > 1`` only then)."""
    w = _largest_divisor(per_core_n, MAX_SUBBLOCK)
    h = _largest_divisor(per_core_m, MAX_SUBBLOCK // w) if w == per_core_n else 1
    return h, w


@dataclass(frozen=True)
class ShardedPlan:
    """The grid and program configs for one model shape, batch and sequence length on one chip."""

    ttnn: Any
    batch: int
    seq: int
    hidden: int
    heads: int
    intermediate: int
    chip_grid: tuple[int, int]  # (y, x) compute grid

    def __post_init__(self) -> None:
        y, x = self.chip_grid
        if self.batch > x:
            raise ShardingPlanError(f"the sharded config puts one batch on each core column: batch {self.batch} needs "
                                    f"{self.batch} columns, this chip's grid has {x}: use batch <= {x}")
        if self.seq % TILE:
            raise ShardingPlanError(f"sequence length {self.seq} is not whole 32-row tiles: use a multiple of 32")
        head = self.hidden // self.heads
        if head % TILE:
            raise ShardingPlanError(f"head size {head} is not whole tiles: the sharded config needs heads of 32, 64, ...")
        if self.rows < 2 and self.heads > 1:
            raise ShardingPlanError(f"{self.heads} heads, {self.hidden // TILE} hidden tiles and "
                                    f"{self.intermediate // TILE} FF tiles share no divisor up to {y} core rows")

    @cached_property
    def rows(self) -> int:
        """Core rows: the most (up to the chip's) that split heads, hidden and FF width into whole tiles."""
        limit = self.chip_grid[0]
        return max(r for r in range(1, limit + 1)
                   if self.heads % r == 0 and (self.hidden // TILE) % r == 0 and (self.intermediate // TILE) % r == 0)

    @property
    def core_grid(self) -> Any:
        return self.ttnn.CoreGrid(y=self.rows, x=self.batch)

    @property
    def grid_size(self) -> tuple[int, int]:
        return (self.batch, self.rows)  # compute_with_storage_grid_size is (x, y)

    def hidden_memory_config(self) -> Any:
        """Block-sharded hidden states: one batch per core column, the width over the core rows."""
        ttnn = self.ttnn
        return ttnn.create_sharded_memory_config((self.batch, self.seq, self.hidden), core_grid=self.core_grid,
                                                 strategy=ttnn.ShardStrategy.BLOCK,
                                                 orientation=ttnn.ShardOrientation.COL_MAJOR)

    def _mcast(self, k: int, n: int, fused_activation: Any = None) -> Any:
        """A 2-D multicast linear ``(B*S, k) @ (k, n)``: per core one batch's rows by ``n / rows`` columns."""
        per_core_m, per_core_n = self.seq // TILE, n // TILE // self.rows
        h, w = subblock(per_core_m, per_core_n)
        return self.ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
            compute_with_storage_grid_size=self.grid_size, in0_block_w=k // TILE // self.rows,
            out_subblock_h=h, out_subblock_w=w, per_core_M=per_core_m, per_core_N=per_core_n,
            transpose_mcast=True, fused_activation=fused_activation,
        )

    def _batched(self, k: int, n: int) -> Any:
        """A batched matmul over heads: per core its ``heads / rows`` heads, ``(S, k) @ (k, n)`` each."""
        per_core_m = self.heads // self.rows * self.seq // TILE
        h, w = subblock(per_core_m, n // TILE)
        return self.ttnn.MatmulMultiCoreReuseProgramConfig(
            compute_with_storage_grid_size=self.grid_size, in0_block_w=k // TILE, out_subblock_h=h,
            out_subblock_w=w, per_core_M=per_core_m, per_core_N=n // TILE,
        )

    def program_config(self, name: str) -> Any:
        """The program config of one op, by the name tt-metal's sharded BERT gives it."""
        ttnn, hidden, head = self.ttnn, self.hidden, self.hidden // self.heads
        if name == "query_key_value":
            return self._mcast(hidden, 3 * hidden)
        if name == "query_by_key":
            return self._batched(head, self.seq)
        if name == "attention_probabilities_by_value":
            return self._batched(self.seq, head)
        if name in ("self_output", "ff2"):
            return self._mcast(hidden if name == "self_output" else self.intermediate, hidden)
        if name == "ff1":  # the exact GELU fused into the matmul
            return self._mcast(hidden, self.intermediate, ttnn.UnaryWithParam(ttnn.UnaryOpType.GELU, 0.0))
        if name == "softmax":
            block_w = self.seq // TILE
            return ttnn.SoftmaxShardedMultiCoreProgramConfig(
                compute_with_storage_grid_size=self.grid_size, subblock_w=_largest_divisor(block_w, MAX_SUBBLOCK),
                block_h=self.heads // self.rows * self.seq // TILE, block_w=block_w,
            )
        if name == "layer_norm":
            block_w = hidden // TILE // self.rows
            return ttnn.LayerNormShardedMultiCoreProgramConfig(
                compute_with_storage_grid_size=self.grid_size, subblock_w=_largest_divisor(block_w, MAX_SUBBLOCK),
                block_h=self.seq // TILE, block_w=block_w, inplace=True,
            )
        raise KeyError(f"no program config named {name!r}")
