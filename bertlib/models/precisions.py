"""Precision configs as data: the same model code runs every one of them.

``bf16-hifi4``
    Everything bfloat16, matmuls at HiFi4 with fp32 accumulation, activations in DRAM. The reference
    point: as close to the HuggingFace model as TT-NN gets.
``optimized``
    The dtypes, placement and fused ops of tt-metal's ``models/demos/bert/tt/ttnn_optimized_bert.py``:
    bfloat8_b weights, bfloat8_b outputs for the fused QKV, attention context and FF1 (GELU fused into
    its matmul), bfloat16 elsewhere, every activation in L1, work spread over a core grid. Matmuls run
    at LoFi without fp32 accumulation: what ttnn picks when a matmul gets a ``core_grid`` and no compute
    config, and the fidelity of metal_BERT_large_11's bfloat8_b configs on Wormhole.
``sharded``
    tt-metal's ``ttnn_optimized_sharded_bert.py`` (metal_BERT_large_11's ``BFLOAT8_B-SHARDED``): every
    activation bfloat8_b and sharded over the cores' L1 between ops (hidden states block-sharded, attention
    height-sharded), a program config for every matmul, softmax and LayerNorm, derived from the shapes and
    the chip's grid (``bertlib.models.sharded_plan``). Batch at most the grid's width.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bertlib.errors import BertlibError


@dataclass(frozen=True)
class PrecisionConfig:
    """How one model run stores and computes: dtypes by role, memory placement, matmul numerics."""

    name: str
    weights_dtype: str = "bfloat16"
    activations_dtype: str = "bfloat16"
    qkv_context_ff1_dtype: str = "bfloat16"  # the outputs tt-metal's optimized BERT stores in bfloat8_b
    memory: str = "DRAM"
    math_fidelity: str = "HiFi4"
    ff1_math_fidelity: str | None = None  # FF1 (the GELU linear) where it differs, e.g. tt-metal's Sentence-BERT: HiFi2
    fp32_dest_acc_en: bool = True
    math_approx_mode: bool = False
    use_core_grid: bool = False
    core_grid: tuple[int, int] | None = None  # (y, x) for the matmuls; None: batch rows x the chip's width
    sharded: bool = False  # activations sharded over the cores' L1, program configs from bertlib.models.sharded_plan
    description: str = ""

    def with_(self, **changes: object) -> PrecisionConfig:
        """A copy with some fields changed (name them in ``name`` too)."""
        return replace(self, **changes)

    def at_fidelity(self, fidelity: str) -> PrecisionConfig:
        """A copy whose matmuls run at ``fidelity`` (LoFi .. HiFi4), named ``<name>+<fidelity>``."""
        return self.with_(name=f"{self.name}+{fidelity}", math_fidelity=fidelity)


PRECISIONS: dict[str, PrecisionConfig] = {
    "bf16-hifi4": PrecisionConfig(
        "bf16-hifi4",
        description="bfloat16 everywhere, HiFi4 matmuls with fp32 accumulation, DRAM",
    ),
    "optimized": PrecisionConfig(
        "optimized",
        weights_dtype="bfloat8_b",
        qkv_context_ff1_dtype="bfloat8_b",
        memory="L1",
        math_fidelity="LoFi",
        fp32_dest_acc_en=False,
        use_core_grid=True,
        description="tt-metal ttnn_optimized_bert: bfloat8_b weights and QKV/context/FF1 outputs, L1, LoFi, core grid",
    ),
}
PRECISIONS["sharded"] = PRECISIONS["optimized"].with_(
    name="sharded",
    activations_dtype="bfloat8_b",
    use_core_grid=False,  # the program configs place every op
    sharded=True,
    description="tt-metal ttnn_optimized_sharded_bert: every activation bfloat8_b and sharded over the cores' L1, "
                "program configs for every matmul, softmax and LayerNorm, LoFi",
)


class UnknownPrecisionError(BertlibError, ValueError):
    """A precision config name that does not exist."""


def get_precision(name: str | PrecisionConfig) -> PrecisionConfig:
    """The precision config called ``name`` (or ``name`` itself if it already is one)."""
    if isinstance(name, PrecisionConfig):
        return name
    if name not in PRECISIONS:
        raise UnknownPrecisionError(f"unknown precision config {name!r}: choose one of {', '.join(PRECISIONS)}")
    return PRECISIONS[name]
