"""The emulated matmul family beyond matmul/linear: addmm, and the output dtype a preallocated output sets; the K
loop a card runs (blocks, spills in the intermediate format, the packer's L1 accumulation, the fused bias)."""

import pytest
import torch
from op_helpers import stored

from bertlib.emulator import recording


def operands(make, n=64, m=96, p=48, dtype=None, seed=0):
    torch.manual_seed(seed)
    return make(torch.randn(n, p), dtype), make(torch.randn(n, m), dtype), make(torch.randn(m, p), dtype)


@pytest.mark.parametrize("dtype_name", ["bfloat16", "float32", "bfloat8_b"])
@pytest.mark.parametrize("alpha,beta", [(1.0, 1.0), (0.5, -1.5), (-0.5, 0.0), (1.5, 1.0)])
def test_addmm_values(ttnn, make, dtype_name, alpha, beta):
    dtype = getattr(ttnn, dtype_name)
    x, m1, m2 = operands(make, 37, 55, 41, dtype)  # not tile multiples: padding must not leak in
    out = ttnn.addmm(x, m1, m2, alpha=alpha, beta=beta)
    assert out.dtype == dtype and out.layout == ttnn.TILE_LAYOUT and tuple(out.shape) == (37, 41)
    ref = beta * stored(ttnn, x).double() + alpha * (stored(ttnn, m1).double() @ stored(ttnn, m2).double())
    # the default matmul fidelity: HiFi2 (bfloat16, float32), LoFi for block-float operands
    tol = 2**-4 if dtype == ttnn.bfloat8_b else 2**-6
    err = (stored(ttnn, out).double() - ref).abs().max() / ref.abs().max()
    assert err < tol, f"max error {float(err):.3g} of the result's range"


def test_addmm_is_a_matmul_then_a_scale_then_an_add(ttnn, make):
    """tt-metal's AddmmOperation: matmul, multiply_(out, alpha), add_(out, input * beta): each step is stored,
    so the result is bit-identical to those ops run one by one."""
    x, m1, m2 = operands(make, seed=1)
    with recording() as trace:
        out = ttnn.addmm(x, m1, m2, alpha=0.75, beta=-1.25)
    assert [r.op for r in trace.records] == ["addmm", "multiply_", "multiply", "add_"]
    steps = ttnn.matmul(m1, m2)
    steps = ttnn.add_(ttnn.multiply_(steps, 0.75), ttnn.multiply(x, -1.25))
    assert torch.equal(stored(ttnn, out), stored(ttnn, steps))
    with recording() as trace:
        ttnn.addmm(x, m1, m2)  # alpha 1, beta 1: no scaling ops
    assert [r.op for r in trace.records] == ["addmm", "add_"]


def test_addmm_beta_zero_ignores_the_input(ttnn, make):
    _, m1, m2 = operands(make, seed=2)
    wrong = make(torch.randn(8, 8), ttnn.uint32)  # wrong shape and dtype: not read when beta is 0
    out = ttnn.addmm(wrong, m1, m2, beta=0.0)
    assert torch.equal(stored(ttnn, out), stored(ttnn, ttnn.matmul(m1, m2)))


def test_addmm_refusals(ttnn, make):
    x, m1, m2 = operands(make, seed=3)
    with pytest.raises(RuntimeError, match="alpha parameter cannot be 0"):
        ttnn.addmm(x, m1, m2, alpha=0.0)
    with pytest.raises(RuntimeError, match="input_tensor must have shape matching one of result"):
        ttnn.addmm(make(torch.randn(64, 64)), m1, m2)
    with pytest.raises(RuntimeError, match="only ttnn.bfloat16, ttnn.float32 and ttnn.bfloat8_b types are supported "
                                           "for input_tensor"):
        ttnn.addmm(make(torch.randn(64, 48), ttnn.uint32), m1, m2)
    with pytest.raises(RuntimeError, match="for mat2_tensor"):
        ttnn.addmm(x, m1, make(torch.randn(96, 48), ttnn.uint32))
    with pytest.raises(RuntimeError, match="output_tile must not be provided"):
        ttnn.addmm(x, m1, m2, output_tile=ttnn.Tile((32, 32)))
    with pytest.raises(RuntimeError, match="needs TILE layout"):
        ttnn.addmm(x, m1, ttnn.to_layout(m2, ttnn.ROW_MAJOR_LAYOUT))


def test_addmm_into_an_output_tensor_takes_its_dtype(ttnn, make):
    """A preallocated output sets the matmul's dtype (and with it fp32 accumulation) when dtype= is not given."""
    x, m1, m2 = operands(make, 32, 32, 32, seed=4)
    target = make(torch.zeros(32, 32), ttnn.float32)
    out = ttnn.addmm(x, m1, m2, optional_output_tensor=target)
    assert out is target and out.dtype == ttnn.float32
    ref = stored(ttnn, x).double() + stored(ttnn, m1).double() @ stored(ttnn, m2).double()
    assert float((stored(ttnn, target).double() - ref).abs().max() / ref.abs().max()) < 2**-6
    assert ttnn.addmm(x, m1, m2, dtype=ttnn.float32).dtype == ttnn.float32
    with pytest.raises(RuntimeError, match="Type mismatch between optional output tensor"):
        ttnn.addmm(x, m1, m2, dtype=ttnn.bfloat16, optional_output_tensor=target)


def test_matmul_output_tensor_dtype_sets_the_accumulation(ttnn, make):
    """bfloat16 operands into a float32 output accumulate in float32, as a float32 dtype= does."""
    torch.manual_seed(5)
    a, b = make(torch.randn(64, 1024)), make(torch.randn(1024, 64))
    into = ttnn.matmul(a, b, optional_output_tensor=make(torch.zeros(64, 64), ttnn.float32))
    assert torch.equal(stored(ttnn, into), stored(ttnn, ttnn.matmul(a, b, dtype=ttnn.float32)))


def _lofi(ttnn, packer_l1_acc=False, fp32=False):
    return ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.LoFi, math_approx_mode=False,
                                           fp32_dest_acc_en=fp32, packer_l1_acc=packer_l1_acc)


def _one_core(ttnn, in0_block_w):
    return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
        compute_with_storage_grid_size=ttnn.CoreCoord(1, 1), in0_block_w=in0_block_w, out_subblock_h=1,
        out_subblock_w=1, per_core_M=1, per_core_N=1, transpose_mcast=False, fused_activation=None)


def _spill_operands(make, ttnn):
    """Output row 0: column 0 gets 0.375 from each of two K-tiles; column 1 is 64, in its block-float block."""
    a, b = torch.zeros(32, 64), torch.zeros(64, 32)
    a[0, 0] = a[0, 32] = 1
    b[0, 0] = b[32, 0] = 0.375
    b[0, 1] = 64
    return make(a, ttnn.bfloat16), make(b, ttnn.bfloat16)


@pytest.mark.parametrize("in0_block_w,packer_l1_acc,fp32,expected", [
    (1, False, False, 0.0),  # block 0's 0.375 spills as bfloat8_b beside 64: 0; the total 0.375 stores as 0
    (2, False, False, 1.0),  # one block: 0.75, stored as bfloat8_b beside 64: 1
    (1, True, False, 1.0),  # the packer accumulates in L1 in bfloat16: 0.75
    (1, False, True, 1.0),  # fp32 accumulation spills in float32
])
def test_linear_spills_partial_sums_between_k_blocks(ttnn, make, in0_block_w, packer_l1_acc, fp32, expected):
    """tt-metal's matmul kernel packs the partial sums to L1 in the intermediate format between in0_block_w blocks
    (the output dtype without packer_l1_acc or fp32 accumulation), and reloads them."""
    a, b = _spill_operands(make, ttnn)
    out = ttnn.linear(a, b, dtype=ttnn.bfloat8_b, program_config=_one_core(ttnn, in0_block_w),
                      compute_kernel_config=_lofi(ttnn, packer_l1_acc, fp32))
    assert stored(ttnn, out)[0, :2].tolist() == [expected, 64]


def test_fused_bias_adds_to_the_sum_in_the_intermediate_format(ttnn, make):
    """With a fused bias the last block also goes to L1 in the intermediate format (bfloat8_b here) before the
    bias add reads it: the sum's 0.375 beside 64 becomes 0, plus the bias's 0.375 is 0.375, stored as 0."""
    a, b = _spill_operands(make, ttnn)
    b = make(stored(ttnn, b).index_fill(0, torch.tensor([32]), 0), ttnn.bfloat16)  # K-tile 1 adds nothing
    bias = make(torch.tensor([[0.375] + [0.0] * 31]), ttnn.bfloat16)
    for fp32, expected in ((False, 0.0), (True, 1.0)):  # float32 partials keep 0.375: 0.75, stored as 1
        out = ttnn.linear(a, b, bias=bias, dtype=ttnn.bfloat8_b, program_config=_one_core(ttnn, 2),
                          compute_kernel_config=_lofi(ttnn, fp32=fp32))
        assert stored(ttnn, out)[0, :2].tolist() == [expected, 64]


@pytest.mark.parametrize("a_shape,b_shape,grid,dram,expected", [
    # with a core grid (create_matmul_program_config): 2-D, K per block the largest of 4..1 dividing Kt
    ((8, 384, 384), (384, 1152), (8, 8), True, ("2d", 4)),
    ((8, 384, 1536), (1536, 384), (8, 8), False, ("2d", 4)),
    ((8, 384, 1024), (1024, 4096), (8, 8), False, ("2d", 4)),
    ((8, 12, 384, 32), (8, 12, 32, 384), (8, 8), False, ("reuse", 1)),  # a batched B: one K-tile per block
    ((8, 12, 384, 384), (8, 12, 384, 32), (8, 8), False, ("reuse", 1)),
    ((32, 4096), (4096, 64), (8, 8), False, ("1d", 2)),  # narrow: the 1-D systolic array, ceil(Kt / cores)
    # without (create_simple_matmul_program_config)
    ((8, 384, 384), (384, 1152), None, True, ("1d", 2)),  # one row of 16x16-tile blocks
    ((8, 384, 1536), (1536, 384), None, True, ("2d", 6)),  # all in DRAM: Kt / grid x
    ((8, 384, 1536), (1536, 384), None, False, ("multicore", None)),  # one block, in L1: all of K in Dst
    ((8, 12, 384, 384), (8, 12, 384, 32), None, True, ("1d", 2)),  # tall
    ((8, 12, 384, 32), (8, 12, 32, 384), None, True, ("2d", 1)),
    ((8, 12, 384, 32), (8, 12, 32, 384), None, False, ("multicore", None)),
])
def test_k_blocks_ttnn_picks_without_a_program_config(ttnn, a_shape, b_shape, grid, dram, expected):
    """tt-metal ``device/config/matmul_program_config.cpp`` on Wormhole's 8x8 grid, for BERT's shapes."""
    from bertlib.emulator.program_configs import matmul_k_blocks

    memory = ttnn.DRAM_MEMORY_CONFIG if dram else ttnn.L1_MEMORY_CONFIG
    assert matmul_k_blocks(None, a_shape, b_shape, (memory,) * 3, grid, (8, 8)) == expected


@pytest.mark.parametrize("full_sync,fp32,tiles", [(False, False, 8), (True, False, 16), (False, True, 4),
                                                  (True, True, 8)])
def test_subblock_fits_the_destination_register_as_the_sync_mode_sizes_it(ttnn, make, full_sync, fp32, tiles):
    """tt-metal's get_dest_reg_count: the math thread has half of Dst's 16 bfloat16 tiles, all 16 with
    dst_full_sync_en; fp32_dest_acc_en halves that. A subblock of that many tiles runs, one twice as wide is refused."""
    a, b = make(torch.randn(32, 64)), make(torch.randn(64, 32 * 32))
    kernel = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi2, fp32_dest_acc_en=fp32,
                                              dst_full_sync_en=full_sync)

    def config(width):
        return ttnn.MatmulMultiCoreReuseMultiCastProgramConfig(
            compute_with_storage_grid_size=ttnn.CoreCoord(1, 1), in0_block_w=2, out_subblock_h=1,
            out_subblock_w=width, per_core_M=1, per_core_N=32, transpose_mcast=False, fused_activation=None)

    fits = ttnn.matmul(a, b, program_config=config(tiles), compute_kernel_config=kernel)
    assert torch.equal(stored(ttnn, fits), stored(ttnn, ttnn.matmul(a, b, program_config=config(1),
                                                                     compute_kernel_config=kernel)))
    with pytest.raises(RuntimeError, match=f"needs to be at most {tiles} to fit in hardware"):
        ttnn.matmul(a, b, program_config=config(2 * tiles), compute_kernel_config=kernel)
