"""Storage numerics against real ttnn's host conversion, and the math-fidelity model."""

import pytest
import torch

from bertlib.emulator.kernels import _exp_table, block_float, round_to_bfloat16_, softmax_bfloat16, truncate_mantissa
from bertlib.emulator.numerics import (
    Numerics,
    accumulate_matmul,
    fidelity_operands,
    quantize,
)


def hard_cases() -> torch.Tensor:
    """Ties, subnormals, signed zeros, a block with one outlier, huge and tiny values: 64x64."""
    torch.manual_seed(1)
    x = torch.randn(64, 64)
    x[0, :16] = torch.tensor([1.0] * 15 + [1000.0])  # one outlier in a 16-value block
    x[1, :8] = torch.tensor([1 + 2**-8, 1 + 3 * 2**-8, -(1 + 2**-8), 2**-130, -(2**-140), -0.0, 0.0, 3.0e38])
    x[2, :] = torch.linspace(-1e-3, 1e-3, 64)
    x[3, :] = torch.logspace(-30, 30, 64)
    return x


@pytest.mark.parametrize("name", ["bfloat16", "bfloat8_b", "bfloat4_b"])
def test_storage_is_bit_exact_with_ttnn(real_ttnn, name):
    dtype = getattr(real_ttnn, name)
    x = hard_cases()
    ours = quantize(x, dtype)
    theirs = real_ttnn.to_torch(real_ttnn.from_torch(x, dtype=dtype, layout=real_ttnn.TILE_LAYOUT)).float()
    assert torch.equal(ours.view(torch.int32), theirs.view(torch.int32))


def _ttnn_round_trip(ttnn, x, dtype):
    return ttnn.to_torch(ttnn.from_torch(x, dtype=dtype, layout=ttnn.TILE_LAYOUT)).float()


@pytest.mark.parametrize("name,bits", [("bfloat8_b", 7), ("bfloat4_b", 3)])
def test_compiled_block_float_is_bit_exact_with_ttnn(real_ttnn, name, bits):
    """The compiled conversion (the fast path) against ttnn's own, over scales, odd shapes and rounding ties."""
    torch.manual_seed(2)
    ties = torch.ones(2, 32)
    ties[:, 1:16] = 1 + torch.arange(15) * 2.0 ** (bits - 9) + 2.0 ** (-bits - 1)  # half-way cases, both parities
    cases = [torch.randn(3, 50, 70), torch.randn(8, 96) * 1e37, torch.randn(7, 33) * 1e-25,
             torch.rand(32, 48) * 2.0**-100 + 2.0**-103, torch.randn(4, 64) * 1e-3, ties, torch.tensor(3.3)]
    for x in cases:
        fast = block_float(x, bits)
        assert fast is not None, "these values are in the fast path's range"
        theirs = _ttnn_round_trip(real_ttnn, x, getattr(real_ttnn, name)).reshape(x.shape)
        assert torch.equal(fast.view(torch.int32), theirs.view(torch.int32))


def test_block_float_leaves_nan_inf_and_tiny_blocks_to_ttnn(real_ttnn):
    x = torch.randn(4, 32)
    x[0, 3], x[1, 20], x[2, :16] = float("nan"), float("inf"), torch.randn(16) * 1e-38
    assert block_float(x, 7) is None
    ours = quantize(x, real_ttnn.bfloat8_b)
    theirs = _ttnn_round_trip(real_ttnn, x, real_ttnn.bfloat8_b)
    assert torch.equal(ours.view(torch.int32), theirs.view(torch.int32))


def test_in_place_bfloat16_rounding_is_torchs(real_ttnn):
    """One pass over the bits gives what torch's two conversions give: ties, overflow to inf, subnormals, NaN."""
    torch.manual_seed(4)
    special = torch.tensor([1 + 2**-8, 1 + 3 * 2**-8, -(1 + 2**-8), 3.4028235e38, -3.4e38, 2**-130, -(2**-140),
                            1e-45, -0.0, float("inf"), -float("inf"), float("nan")])
    nans = torch.tensor([0x7FFFFFFF, 0x7F800001, -1], dtype=torch.int32).view(torch.float32)
    x = torch.cat([special, nans, torch.randn(10_000) * 10.0 ** torch.randint(-40, 38, (10_000,))])
    expected = x.to(torch.bfloat16).float()
    assert torch.equal(round_to_bfloat16_(x.clone()).view(torch.int32), expected.view(torch.int32))
    with pytest.raises(ValueError, match="contiguous float32"):
        round_to_bfloat16_(torch.ones(4, 4).t())


def test_a_weights_lofi_split_is_made_once_and_redone_after_a_write():
    w = torch.tensor([[1.9999999, -1.75], [3.0, 1.0]])
    first = fidelity_operands(torch.ones(1, 2), w, "LoFi")[0][1]
    assert fidelity_operands(torch.ones(1, 2), w, "LoFi")[0][1] is first  # cached on the tensor
    w[0, 0] = 1.0  # an in-place write bumps torch's version counter: the split is redone
    again = fidelity_operands(torch.ones(1, 2), w, "LoFi")[0][1]
    assert again is not first and again.tolist() == truncate_mantissa(w, 5).tolist()


def test_bfloat16_rounds_ties_to_even(real_ttnn):
    x = torch.tensor([1 + 2**-8, 1 + 3 * 2**-8])  # exactly halfway between bf16 neighbours
    assert quantize(x, real_ttnn.bfloat16).tolist() == [1.0, 1 + 2**-6]


def test_block_float_shares_one_exponent_per_16_values(real_ttnn):
    x = torch.ones(32, 32)
    x[0, 0] = 1000.0
    stored = quantize(x, real_ttnn.bfloat8_b)
    assert stored[0, 1] == 0.0  # swamped by the outlier's exponent in the same 16-value block
    assert stored[0, 16] == 1.0  # the next block keeps its own exponent
    assert stored[1, 1] == 1.0


def test_nan_and_inf_survive_bfloat16(real_ttnn):
    x = torch.tensor([float("nan"), float("inf"), float("-inf"), 1.0])
    out = quantize(x, real_ttnn.bfloat16)
    assert torch.isnan(out[0]) and out[1] == float("inf") and out[2] == float("-inf")


def test_truncate_mantissa_keeps_high_bits():
    x = torch.tensor([1.9999999, -1.75, 3.0])
    assert truncate_mantissa(x, 2).tolist() == [1.5, -1.5, 3.0]
    assert truncate_mantissa(x, 24).tolist() == x.tolist()
    stored = torch.tensor([[1.9921875, -1.75], [3.0, 2**-130]]).to(torch.bfloat16)  # read as bfloat16, transposed
    assert truncate_mantissa(stored.t(), 7).tolist() == [[1.984375, 3.0], [-1.75, 2**-130]]
    with pytest.raises(ValueError, match="bfloat16 or float32"):
        truncate_mantissa(torch.ones(2, dtype=torch.int64), 7)


def fidelity_matmul(a: torch.Tensor, b: torch.Tensor, fidelity: str) -> torch.Tensor:
    """a @ b at ``fidelity``, accumulated in float32: the fidelity phases alone."""
    return accumulate_matmul(a, b, Numerics(fidelity, False, True), torch.matmul)


def bf16_matmul(a: torch.Tensor, b: torch.Tensor, numerics: Numerics, **kwargs) -> torch.Tensor:
    """``accumulate_matmul`` as float32 (it returns bfloat16 values as ``torch.bfloat16``)."""
    return accumulate_matmul(a, b, numerics, torch.matmul, **kwargs).float()


def _fidelity_errors() -> dict:
    torch.manual_seed(0)
    a = quantize(torch.randn(64, 384), __import__("ttnn").bfloat16)
    b = quantize(torch.randn(384, 64), __import__("ttnn").bfloat16)
    exact = a.double() @ b.double()
    return {f: float((fidelity_matmul(a, b, f).double() - exact).abs().mean() / exact.abs().mean())
            for f in ("LoFi", "HiFi2", "HiFi3", "HiFi4")}


def test_error_grows_as_fidelity_drops(real_ttnn):
    err = _fidelity_errors()
    assert err["LoFi"] > err["HiFi2"] > err["HiFi3"] >= err["HiFi4"]
    # the magnitudes the numerics docstring states
    assert 1e-2 < err["LoFi"] < 5e-2
    assert 1e-3 < err["HiFi2"] < 1e-2
    assert 3e-5 < err["HiFi3"] < 3e-4
    assert err["HiFi4"] < 1e-6


def test_bf16_accumulation_loses_precision(real_ttnn):
    torch.manual_seed(0)
    a = quantize(torch.randn(16, 1024), real_ttnn.bfloat16)
    b = quantize(torch.randn(1024, 16), real_ttnn.bfloat16)
    exact = a.double() @ b.double()
    fp32 = bf16_matmul(a, b, Numerics("HiFi4", False, True))
    bf16 = bf16_matmul(a, b, Numerics("HiFi4", False, False))
    assert (bf16.double() - exact).abs().mean() > 10 * (fp32.double() - exact).abs().mean()


def _phases_by_hand(a: torch.Tensor, b: torch.Tensor, fidelity: str) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The numerics docstring's fidelity phases, written out: in0 (SrcB) keeps 7 high mantissa bits, in1 (SrcA)
    5; phase bit 0 picks in1's high or low part, bit 1 in0's."""
    a_hi, b_hi = truncate_mantissa(a.float(), 7), truncate_mantissa(b.float(), 5)
    a_lo, b_lo = a.float() - a_hi, b.float() - b_hi
    return [(a_hi, b_hi), (a_hi, b_lo), (a_lo, b_hi), (a_lo, b_lo)][: {"LoFi": 1, "HiFi2": 2, "HiFi3": 3, "HiFi4": 4}[fidelity]]


def _mvmul_by_mvmul(a: torch.Tensor, b: torch.Tensor, fidelity: str) -> torch.Tensor:
    """The model, one MVMUL at a time in float64: per K-tile, per phase, per 16 products, Dst = bf16(Dst + sum)."""
    parts = _phases_by_hand(a, b, fidelity)
    dst = torch.zeros(torch.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1]), dtype=torch.float64)
    for tile in range(0, a.shape[-1], 32):
        for p, q in parts:
            for s in range(tile, min(tile + 32, a.shape[-1]), 16):
                dst = (dst + p[..., s : s + 16].double() @ q[..., s : s + 16, :].double()).to(torch.bfloat16).double()
    return dst.float()


@pytest.mark.parametrize("fidelity", ["LoFi", "HiFi2", "HiFi3", "HiFi4"])
@pytest.mark.parametrize("shapes", [((4, 40, 384), (384, 96)), ((2, 3, 64, 88), (1, 3, 88, 64))])
@pytest.mark.parametrize("stored", [torch.bfloat16, torch.float32])
def test_bf16_accumulation_rounds_after_every_mvmul_and_phase(real_ttnn, fidelity, shapes, stored):
    """The fast K loop (bfloat16 baddbmm per 16 products and phase) equals the model written out, bit for bit,
    whether the operands arrive as bfloat16 or as float32 holding bfloat16 values; K=88 ends mid-MVMUL."""
    torch.manual_seed(3)
    a = torch.randn(shapes[0]).to(torch.bfloat16).to(stored)
    b = torch.randn(shapes[1]).to(torch.bfloat16).to(stored)
    assert torch.equal(bf16_matmul(a, b, Numerics(fidelity, False, False)),
                       _mvmul_by_mvmul(a, b, fidelity))


def test_bf16_accumulation_of_float32_operands_rounds_per_mvmul(real_ttnn):
    """Operands that are not bfloat16 values take the float32 path: the same model (float32 sums of 16 products
    can round differently from float64's, so a few outputs in a thousand may differ by an ulp)."""
    torch.manual_seed(4)
    a, b = torch.randn(3, 64, 128), torch.randn(128, 96)
    ours = bf16_matmul(a, b, Numerics("HiFi2", False, False))
    assert (ours != _mvmul_by_mvmul(a, b, "HiFi2")).float().mean() < 2e-3
    assert torch.equal(ours, ours.to(torch.bfloat16).float())  # every output a bfloat16


def test_rounding_per_16_products_by_hand(real_ttnn):
    """256 + 1 in the first 16 products and + 1 in the next 16: each MVMUL's 257 rounds to 256 (ties to even, a
    bfloat16 ulp is 2 there), where one rounding per 32 would keep 258."""
    a = torch.ones(1, 32)
    b = torch.zeros(32, 1)
    b[0, 0], b[1, 0], b[16, 0] = 256, 1, 1
    for fidelity in ("LoFi", "HiFi2", "HiFi4"):
        assert bf16_matmul(a, b, Numerics(fidelity, False, False)).item() == 256
        assert bf16_matmul(a, b, Numerics(fidelity, False, False), step=32).item() == 258
    assert bf16_matmul(a, b, Numerics("LoFi", False, True)).item() == 258  # float32 Dst


def test_rounding_per_fidelity_phase_by_hand(real_ttnn):
    """in1 = 1 + 2**-7 has a low part only HiFi2 and up multiply. Phase 0 sums 128 + 1 + 128 = 257 and rounds to
    256; phase 1 adds 128 * 2**-7 = 1 and rounds to 256 again. Summed before rounding it would be 258."""
    a = torch.tensor([[128.0, 1.0, 128.0]])
    b = torch.tensor([[1.0], [1.0], [1.0078125]])
    assert bf16_matmul(a, b, Numerics("LoFi", False, False)).item() == 256
    assert bf16_matmul(a, b, Numerics("HiFi2", False, False)).item() == 256
    assert bf16_matmul(a, b, Numerics("HiFi4", False, False)).item() == 256
    assert bf16_matmul(a, b, Numerics("HiFi2", False, True)).item() == 258


def _spill_case() -> tuple[torch.Tensor, torch.Tensor]:
    """Output row 0: column 0 is 0.375 from K-tile 0 and 0.375 from K-tile 1; column 1 is 64, in the same 16-value
    block-float block, so bfloat8_b steps by 1 there."""
    a, b = torch.zeros(32, 64), torch.zeros(64, 32)
    a[0, 0] = a[0, 32] = 1
    b[0, 0] = b[32, 0] = 0.375
    b[0, 1] = 64
    return a, b


@pytest.mark.parametrize("packer_l1_acc", [False, True])
def test_spill_rounds_partial_sums_in_the_intermediate_format(real_ttnn, packer_l1_acc):
    """Two K blocks (in0_block_w=1): a bfloat8_b output spills 0.375 beside 64 as 0, and the total is 0.375, where
    one block keeps 0.75 (stored as bfloat8_b: 1). The packer's L1 accumulation spills in bfloat16 instead."""
    from bertlib.emulator.numerics import KLoop, matmul_k_loop

    a, b = _spill_case()
    numerics = Numerics("LoFi", False, False, packer_l1_acc)
    loop = matmul_k_loop(numerics, "2d", 1, 64, real_ttnn.bfloat8_b)
    assert loop == KLoop(1, real_ttnn.bfloat16 if packer_l1_acc else real_ttnn.bfloat8_b, packer_l1_acc)
    out = bf16_matmul(a, b, numerics, k_loop=loop)
    assert out[0, :2].tolist() == [0.75 if packer_l1_acc else 0.375, 64]
    one_block = bf16_matmul(a, b, numerics, k_loop=matmul_k_loop(numerics, "2d", 2, 64,
                                                                                    real_ttnn.bfloat8_b))
    assert one_block[0, :2].tolist() == [0.75, 64]
    assert quantize(out, real_ttnn.bfloat8_b)[0, 0] == (1 if packer_l1_acc else 0)
    fp32 = Numerics("LoFi", False, True)
    assert matmul_k_loop(fp32, "2d", 1, 64, real_ttnn.bfloat8_b).interm == real_ttnn.float32  # no rounding
    assert bf16_matmul(a, b, fp32, k_loop=matmul_k_loop(fp32, "2d", 1, 64,
                                                                           real_ttnn.bfloat8_b))[0, 0] == 0.75


def test_packer_l1_acc_needs_enough_blocks_per_factory(real_ttnn):
    """tt-metal's factories turn the packer's L1 accumulation on from 2 K blocks (2-D multicast) or 3 (1-D, reuse;
    2 for a 1-D with a fused bias); the multi-core program has no K blocks."""
    from bertlib.emulator.numerics import matmul_k_loop

    numerics = Numerics("LoFi", False, False, True)
    assert matmul_k_loop(numerics, "2d", 1, 64, real_ttnn.bfloat16).l1_acc
    assert not matmul_k_loop(numerics, "reuse", 1, 64, real_ttnn.bfloat16).l1_acc
    assert matmul_k_loop(numerics, "reuse", 1, 96, real_ttnn.bfloat16).l1_acc
    assert matmul_k_loop(numerics, "1d", 1, 64, real_ttnn.bfloat16, fused_bias=True).l1_acc
    assert not matmul_k_loop(numerics, "multicore", None, 4096, real_ttnn.bfloat16).l1_acc
    assert not matmul_k_loop(numerics, "2d", 2, 64, real_ttnn.bfloat16).l1_acc  # one block


def _bfloat16_softmax_step_by_step(x, dim=-1, *, stable=True, scale=None, mask=None):
    """The model: torch's bfloat16 ops one at a time (each computes in float32 and rounds to bfloat16)."""
    values = x.to(torch.bfloat16)
    if scale is not None:
        values = values * scale
    if mask is not None:
        values = values + mask.to(torch.bfloat16)
    if stable:
        values = values - values.amax(dim=dim, keepdim=True)
    exps = torch.exp(values)
    return exps * torch.reciprocal(exps.sum(dim=dim, keepdim=True))


def _same_bits(a: torch.Tensor, b: torch.Tensor) -> bool:
    nan = torch.isnan(a)
    return torch.equal(nan, torch.isnan(b)) and torch.equal(a[~nan].view(torch.int16), b[~nan].view(torch.int16))


def test_compiled_bfloat16_softmax_is_torchs_step_by_step():
    """Scales, broadcast masks (huge negative too), dims, unstable, NaN/inf rows: bit for bit."""
    torch.manual_seed(5)
    x = (torch.randn(2, 3, 40, 70) * 4).to(torch.bfloat16)
    padding = ((torch.rand(2, 1, 1, 70) > 0.3).float() - 1) * 1e4
    cases = [dict(), dict(scale=0.17677669529663687), dict(scale=0.125, mask=padding), dict(stable=False, scale=0.05),
             dict(mask=torch.randn(40, 70)), dict(mask=(torch.rand(2, 1, 40, 1) > 0.5).float() * -3.0e38),
             dict(dim=1), dict(dim=0, scale=2.0)]
    for case in cases:
        assert _same_bits(softmax_bfloat16(x, **case), _bfloat16_softmax_step_by_step(x, **case)), case
    special = torch.randn(3, 40).to(torch.bfloat16)
    special[0, 3], special[1, :], special[2, 5] = float("nan"), float("-inf"), float("inf")
    assert _same_bits(softmax_bfloat16(special), _bfloat16_softmax_step_by_step(special))
    for wrong in (torch.zeros(5, 40, 70), torch.zeros(4, 2, 3, 40, 70)):
        with pytest.raises(RuntimeError, match="does not broadcast"):
            softmax_bfloat16(x, mask=wrong)


def test_exp_table_is_torchs_exp_in_every_position():
    """The softmax's exp lookup holds torch's exp of each bfloat16; torch's vectorised and scalar (tail) paths agree
    on all 65536 inputs, so the lookup matches torch wherever a value sits in a tensor."""
    every = torch.arange(2**16, dtype=torch.int32).to(torch.int16).view(torch.bfloat16)
    table = torch.from_numpy(_exp_table().view("int16")).view(torch.bfloat16)
    assert _same_bits(table, torch.exp(every))  # vectorised
    one_by_one = torch.cat([torch.exp(every[i : i + 7]) for i in range(0, 2**16, 7)])  # 7 < a vector: scalar path
    assert _same_bits(table, one_by_one)


def test_granularity_bench_times_both_models_of_rounding():
    from bertlib.bench import accumulation_granularity

    (row,) = accumulation_granularity({"small": (64, 256, 96)}, repeats=1)
    assert row["per_32_s"] > 0 and row["per_16_s"] > 0
    assert 0.5 < row["outputs_differing"] < 1.0  # rounding twice as often moves most outputs by an ulp, not all


@pytest.mark.parametrize("name,top", [("uint16", 2**16 - 1), ("uint8", 2**8 - 1)])
def test_narrow_unsigned_storage_is_exact_and_refuses_what_it_cannot_hold(real_ttnn, name, top):
    from bertlib.emulator.keywords import UnsupportedTTNNOp

    dtype = getattr(real_ttnn, name)
    whole = torch.tensor([0, 1, top // 2, top - 1, top])
    for values in (whole, whole.to(torch.float32), whole.to(torch.int32)):
        stored = quantize(values, dtype)
        assert stored.dtype == torch.int64 and stored.tolist() == whole.tolist()
    for bad in ([top + 1], [-1], [2.5], [float("nan")]):
        with pytest.raises(UnsupportedTTNNOp, match=f"outside {name}'s range"):
            quantize(torch.tensor(bad), dtype)
