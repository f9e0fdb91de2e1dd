"""``TTConfig``: a precision config resolved once, for one model on one device, into the values the blocks pass.

``bertlib.models.bert``'s blocks write every setting out at the call that uses it, and read it here as a plain
value. What depends only on the model and the precision config (dtypes, the compute kernel configs, where
activations live) is resolved when a ``TTConfig`` is built; what also depends on the batch and the sequence
length (the core grid, the sharded placement and its program configs) once per input shape, as a
:class:`Placement`. This module is the one place that reads the precision config: the model code has no branch
on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bertlib.models.precisions import PrecisionConfig
from bertlib.models.registry import family
from bertlib.models.sharded_plan import PROGRAM_CONFIGS, ShardedPlan


@dataclass(frozen=True)
class Placement:
    """Where the ops of one input shape (batch, sequence length) run and write."""

    core_grid: Any  # the matmuls' ttnn.CoreGrid, or None (ttnn chooses, or the program configs place them)
    hidden_memory_config: Any  # hidden states (B, S, H) inside the encoder
    heads_memory_config: Any  # attention tensors (B, heads, S, *)
    encoder_memory_config: Any  # the encoder's input, the embeddings (with a shard spec where it is sharded)
    program_configs: dict[str, Any]  # by the names of tt-metal's sharded BERT (``PROGRAM_CONFIGS``); None: ttnn chooses
    ff1_activation: str | None  # FF1's fused activation keyword; None where its program config fuses the GELU


def make_compute_kernel_config(ttnn: Any, precision: PrecisionConfig, fidelity: str | None = None) -> Any:
    """The matmuls' compute config: math fidelity (the precision config's, unless ``fidelity`` names another),
    approximate math, and whether the destination register accumulates in fp32."""
    return ttnn.WormholeComputeKernelConfig(
        math_fidelity=getattr(ttnn.MathFidelity, fidelity or precision.math_fidelity),
        math_approx_mode=precision.math_approx_mode,
        fp32_dest_acc_en=precision.fp32_dest_acc_en,
        packer_l1_acc=True,  # ttnn's own default for a matmul without a float32 output (create_matmul_attributes)
    )


@dataclass
class TTConfig:
    """What every block needs: the model's HF config, the precision config, ``ttnn`` and the device, and every
    setting resolved from them (the fields after ``device``)."""

    hf: Any
    precision: PrecisionConfig
    ttnn: Any
    device: Any
    num_layers: int = field(init=False)
    num_heads: int = field(init=False)
    hidden_size: int = field(init=False)
    intermediate_size: int = field(init=False)
    eps: float = field(init=False)  # the LayerNorms' epsilon
    weights_dtype: Any = field(init=False)
    activations_dtype: Any = field(init=False)
    qkv_context_ff1_dtype: Any = field(init=False)  # the outputs tt-metal's optimized BERT stores in bfloat8_b
    memory_config: Any = field(init=False)  # where activations live, interleaved: L1 or DRAM
    compute_kernel_config: Any = field(init=False, repr=False)  # the matmuls'
    ff1_compute_kernel_config: Any = field(init=False, repr=False)  # FF1's (another fidelity where the config says)
    qkv_per_head: bool = field(init=False)  # the fused QKV's columns grouped per head (``preprocess.fused_qkv``)
    chip_grid: tuple[int, int] = field(init=False)  # (y, x) compute grid
    _placements: dict[tuple[int, int], Placement] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        ttnn, precision = self.ttnn, self.precision
        shape = family(self.hf.model_type).architecture(self.hf)
        self.num_layers, self.num_heads, self.eps = shape.layers, shape.heads, shape.layer_norm_eps
        self.hidden_size, self.intermediate_size = shape.hidden, shape.intermediate
        self.weights_dtype = getattr(ttnn, precision.weights_dtype)
        self.activations_dtype = getattr(ttnn, precision.activations_dtype)
        self.qkv_context_ff1_dtype = getattr(ttnn, precision.qkv_context_ff1_dtype)
        self.memory_config = ttnn.L1_MEMORY_CONFIG if precision.memory == "L1" else ttnn.DRAM_MEMORY_CONFIG
        self.compute_kernel_config = make_compute_kernel_config(ttnn, precision)
        self.ff1_compute_kernel_config = make_compute_kernel_config(ttnn, precision, precision.ff1_math_fidelity)
        self.qkv_per_head = precision.sharded
        grid = self.device.compute_with_storage_grid_size()
        self.chip_grid = (grid.y, grid.x)

    def placement(self, batch: int, seq: int) -> Placement:
        """The placement for inputs of ``batch`` sequences of ``seq`` tokens, resolved on first use."""
        if (batch, seq) not in self._placements:
            self._placements[batch, seq] = self._resolve_placement(batch, seq)
        return self._placements[batch, seq]

    def _resolve_placement(self, batch: int, seq: int) -> Placement:
        """Interleaved ``memory_config`` everywhere and no program configs, or with the ``sharded`` config
        block-sharded hidden states, height-sharded attention and a program config for every op
        (``bertlib.models.sharded_plan``; an op derives its shard spec from its input or its program config)."""
        ttnn, precision = self.ttnn, self.precision
        core_grid = None
        if precision.use_core_grid:  # batch rows x the chip's width, unless the config names a grid
            y, x = precision.core_grid or (min(batch, self.chip_grid[0]), self.chip_grid[1])
            core_grid = ttnn.CoreGrid(y=y, x=x)
        if not precision.sharded:
            return Placement(core_grid, self.memory_config, self.memory_config, self.memory_config,
                             dict.fromkeys(PROGRAM_CONFIGS), "gelu")
        plan = ShardedPlan(ttnn, batch, seq, self.hidden_size, self.num_heads, self.intermediate_size, self.chip_grid)
        return Placement(core_grid, ttnn.L1_BLOCK_SHARDED_MEMORY_CONFIG, ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG,
                         plan.hidden_memory_config(), {name: plan.program_config(name) for name in PROGRAM_CONFIGS},
                         None)
