"""The emulated reductions: sum, mean, max, min, std, var, prod, argmax, topk, cumsum, cumprod."""

import math

import pytest
import torch
from op_helpers import stored

from bertlib.emulator import UnsupportedTTNNOp, recording
from bertlib.emulator.numerics import quantize

SHAPE = (2, 3, 50, 70)  # 50x70: both last dims padded in TILE layout
TOL = 2**-7


def torch_reduce(name, x, dim, keepdim):
    if dim is None:
        dim = tuple(range(x.dim()))
    if name in ("max", "min"):
        return getattr(torch, "a" + name)(x, dim=dim, keepdim=keepdim)
    if name in ("std", "var"):
        return getattr(torch, name)(x.double(), dim=dim, keepdim=keepdim).float()
    return getattr(torch, name)(x.double(), dim=dim, keepdim=keepdim).float()


# ------------------------------------------------------------------------------------------------ generic values
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "std", "var"])
@pytest.mark.parametrize("dim", [None, -1, -2, (-2, -1), 0, [0, 3], [1, 2, 3]])
@pytest.mark.parametrize("keepdim", [False, True])
def test_values_match_torch_bfloat16_tile_padded(ttnn, make, name, dim, keepdim):
    torch.manual_seed(0)
    x = make(torch.randn(SHAPE))
    values = stored(ttnn, x)
    out = getattr(ttnn, name)(x, dim=dim, keepdim=keepdim)
    ref = torch_reduce(name, values, dim, keepdim)
    assert tuple(out.shape) == tuple(ref.shape)
    assert out.dtype == ttnn.bfloat16 and out.layout == ttnn.TILE_LAYOUT
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=TOL, atol=TOL * float(ref.abs().max()))


@pytest.mark.parametrize("dtype_name", ["float32", "bfloat8_b"])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "std", "var"])
def test_values_match_torch_other_dtypes(ttnn, make, name, dtype_name):
    torch.manual_seed(1)
    dtype = getattr(ttnn, dtype_name)
    x = make(torch.randn(SHAPE), dtype=dtype)
    values = stored(ttnn, x)
    for dim in (-1, (-2, -1), 1):
        out = getattr(ttnn, name)(x, dim=dim)
        ref = torch_reduce(name, values, dim, False)
        assert out.dtype == dtype
        tol = 2**-20 if dtype == ttnn.float32 else 2**-6
        torch.testing.assert_close(stored(ttnn, out), ref, rtol=tol, atol=tol * float(ref.abs().max()))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "std", "var"])
def test_row_major_input_gives_torchs_values(ttnn, make, name):
    torch.manual_seed(2)
    x = make(torch.randn(3, 50, 70), layout=ttnn.ROW_MAJOR_LAYOUT)
    out = getattr(ttnn, name)(x, dim=1)
    ref = torch_reduce(name, stored(ttnn, x), 1, False)
    torch.testing.assert_close(stored(ttnn, out), ref, rtol=TOL, atol=TOL * float(ref.abs().max()))
    assert out.layout == ttnn.TILE_LAYOUT


def test_tile_padding_never_enters(ttnn, make):
    """All-negative values: a zero from the padding would win a max; all-positive: it would win a min."""
    negative = make(-2 - torch.rand(50, 70))
    assert float(stored(ttnn, ttnn.max(negative))) < -1
    assert (stored(ttnn, ttnn.max(negative, dim=-1)) < -1).all()
    assert (stored(ttnn, ttnn.max(negative, dim=-2)) < -1).all()
    positive = make(2 + torch.rand(50, 70))
    assert (stored(ttnn, ttnn.min(positive, dim=(-2, -1))) > 1).all()
    ones = make(torch.ones(50, 70))
    assert float(stored(ttnn, ttnn.mean(ones))) == 1.0
    assert float(stored(ttnn, ttnn.sum(ones, dim=-1))[0]) == 70.0


def test_dims_keepdim_and_rank(ttnn, make):
    x = make(torch.randn(4, 5, 6))
    assert tuple(ttnn.sum(x).shape) == ()
    assert tuple(ttnn.sum(x, keepdim=True).shape) == (1, 1, 1)
    assert tuple(ttnn.sum(x, dim=[]).shape) == ()
    assert tuple(ttnn.sum(x, dim=[-1, 0], keepdim=True).shape) == (1, 5, 1)
    assert tuple(ttnn.max(x, dim=1).shape) == (4, 6)
    with pytest.raises(RuntimeError, match="Unsupported dim 3 at index 0"):
        ttnn.sum(x, dim=3)
    with pytest.raises(RuntimeError, match="Unsupported dim -1 at index 1"):
        ttnn.mean(x, dim=[0, -4])
    scalar = make(torch.tensor(2.5))
    assert float(stored(ttnn, ttnn.sum(scalar))) == 2.5
    assert tuple(ttnn.mean(scalar, dim=0).shape) == ()


def test_empty_reductions(ttnn, make):
    empty = make(torch.randn(32, 0))
    assert stored(ttnn, ttnn.sum(empty, dim=1)).eq(0).all()
    assert stored(ttnn, ttnn.mean(empty, dim=1)).isnan().all()
    assert tuple(ttnn.max(empty, dim=0, keepdim=True).shape) == (1, 0)
    with pytest.raises(RuntimeError, match="Expected reduction dim 1 to have non-zero size"):
        ttnn.min(empty, dim=1)


# ---------------------------------------------------------------------------------------------- numerics model
def test_bfloat16_destination_rounds_the_running_sum_per_tile(ttnn, make):
    """Without fp32 accumulation the running sum is rounded to bfloat16 after each tile of 32 values."""
    row = torch.full((1, 64 * 32), 1.0390625)
    x = make(row)
    no_fp32 = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=False)
    running = torch.zeros(1)
    for _ in range(64):
        running = (running + 32 * 1.0390625).to(torch.bfloat16).float()
    assert float(stored(ttnn, ttnn.sum(x, dim=-1, compute_kernel_config=no_fp32))) == float(running)
    assert float(stored(ttnn, ttnn.sum(x, dim=-1))) == 2128.0  # float32 accumulation: the exact sum, rounded
    assert float(running) == 2080.0


def test_bfloat16_sum_rounds_once_with_fp32_accumulation(ttnn, make):
    torch.manual_seed(3)
    x = make(torch.randn(1, 4096))
    exact = stored(ttnn, x).double().sum()
    assert float(stored(ttnn, ttnn.sum(x, dim=-1))) == float(exact.float().to(torch.bfloat16).float())


def test_mean_scaler_is_a_bfloat16_on_the_fpu_path(ttnn, make):
    """fast_and_approximate_mode puts a float32 mean on the matrix engine: 1/3 as bfloat16 is 0.333984375."""
    x = make(torch.ones(1, 3), dtype=ttnn.float32)
    assert float(stored(ttnn, ttnn.mean(x, dim=-1))) == 1.0
    fast = float(stored(ttnn, ttnn.mean(x, dim=-1, fast_and_approximate_mode=True)))
    assert fast == pytest.approx(3 * 0.333984375, abs=1e-7)


def test_float32_fpu_path_truncates_to_tf32(ttnn, make):
    value = 1 + 2**-20
    x = make(torch.full((1, 32), value), dtype=ttnn.float32)
    assert float(stored(ttnn, ttnn.max(x, dim=-1))) == pytest.approx(value, abs=0)
    assert float(stored(ttnn, ttnn.max(x, dim=-1, fast_and_approximate_mode=True))) == 1.0


def test_scalar(ttnn, make):
    torch.manual_seed(4)
    x = make(torch.randn(32, 64))
    values = stored(ttnn, x)
    torch.testing.assert_close(stored(ttnn, ttnn.sum(x, dim=-1, scalar=0.5)), 0.5 * values.sum(-1), rtol=TOL,
                               atol=TOL)
    # max(s * x): a negative scalar takes s * min(x), as tt-metal does
    assert torch.equal(stored(ttnn, ttnn.max(x, dim=-1, scalar=-2.0)), -2 * values.amin(-1))
    assert torch.equal(stored(ttnn, ttnn.min(x, dim=-1, scalar=2.0)), 2 * values.amin(-1))
    torch.testing.assert_close(stored(ttnn, ttnn.var(x, dim=-1, scalar=-2.0)), 4 * values.var(-1), rtol=TOL, atol=TOL)
    torch.testing.assert_close(stored(ttnn, ttnn.std(x, dim=-1, scalar=-2.0)), 2 * values.std(-1), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("correction", [True, False])
def test_std_var_correction(ttnn, make, correction):
    torch.manual_seed(5)
    x = make(torch.randn(4, 64, 96))
    values = stored(ttnn, x).double()
    for name in ("std", "var"):
        out = stored(ttnn, getattr(ttnn, name)(x, dim=(-2, -1), correction=correction))
        ref = getattr(torch, name)(values, dim=(-2, -1), correction=int(correction)).float()
        torch.testing.assert_close(out, ref, rtol=TOL, atol=0)
    single = make(torch.randn(3, 1))
    filled = stored(ttnn, ttnn.var(single, dim=-1, correction=correction))
    assert (filled.isnan() if correction else filled.eq(0)).all()


def test_integer_sums_are_exact_and_wrap(ttnn, make):
    row = torch.full((32, 32), 1048576, dtype=torch.int32)
    row[:, 0] = 1048577
    x = make(row, dtype=ttnn.int32)
    out = ttnn.sum(x, dim=-1, keepdim=True)
    assert out.dtype == ttnn.int32 and bool((ttnn.to_torch(out) == 2**25 + 1).all())
    big = make(torch.full((1, 4), 2**30, dtype=torch.int32), dtype=ttnn.int32)
    assert int(ttnn.to_torch(ttnn.sum(big, dim=-1))) == 0  # 2**32 wraps
    mixed = torch.randint(-(2**31), 2**31 - 1, (32, 64), dtype=torch.int32)
    t = make(mixed, dtype=ttnn.int32)
    assert torch.equal(ttnn.to_torch(ttnn.max(t, dim=-1)), mixed.amax(-1))
    assert torch.equal(ttnn.to_torch(ttnn.min(t, dim=-2)), mixed.amin(-2))


def test_refusals(ttnn, make):
    ints = make(torch.ones(32, 32, dtype=torch.int32), dtype=ttnn.int32)
    with pytest.raises(RuntimeError, match="ttnn.mean does not support integer inputs - got DataType.INT32"):
        ttnn.mean(ints)
    with pytest.raises(RuntimeError, match="INT32/UINT32 inputs must be in TILE layout"):
        ttnn.sum(make(torch.ones(4, 4, dtype=torch.int32), dtype=ttnn.int32, layout=ttnn.ROW_MAJOR_LAYOUT))
    with pytest.raises(RuntimeError, match="got DataType.BFLOAT4_B"):
        ttnn.sum(make(torch.ones(32, 32), dtype=ttnn.bfloat4_b))
    with pytest.raises(RuntimeError, match="std supports FLOAT32, BFLOAT16 and BFLOAT8_B"):
        ttnn.std(ints)
    sharded = ttnn.create_sharded_memory_config((64, 64), core_grid=ttnn.CoreGrid(y=2, x=1),
                                                strategy=ttnn.ShardStrategy.HEIGHT)
    with pytest.raises(UnsupportedTTNNOp, match="sharded"):
        ttnn.sum(make(torch.ones(64, 64), memory_config=sharded), dim=-1)


def test_output_layout_and_memory(ttnn, make):
    rows = make(torch.randn(1, 2, 40, 64), layout=ttnn.ROW_MAJOR_LAYOUT)
    assert ttnn.sum(rows, dim=-1).layout == ttnn.ROW_MAJOR_LAYOUT  # 4-D ROW_MAJOR sum over -1 stays ROW_MAJOR
    assert ttnn.mean(rows, dim=-2).layout == ttnn.ROW_MAJOR_LAYOUT
    assert ttnn.sum(rows, dim=0).layout == ttnn.TILE_LAYOUT
    assert ttnn.max(rows, dim=-1).layout == ttnn.TILE_LAYOUT
    assert ttnn.sum(rows, dim=0, output_layout=ttnn.ROW_MAJOR_LAYOUT).layout == ttnn.ROW_MAJOR_LAYOUT
    block = make(torch.randn(64, 64), dtype=ttnn.bfloat8_b)
    with pytest.raises(RuntimeError, match="output_layout=ROW_MAJOR is not supported"):
        ttnn.sum(block, dim=-1, output_layout=ttnn.ROW_MAJOR_LAYOUT)
    out = ttnn.sum(block, dim=-1, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert out.memory_config() == ttnn.L1_MEMORY_CONFIG


def test_trace_and_hints(ttnn, make, device):
    x = make(torch.randn(64, 96))
    grid = ttnn.CoreRangeSet({ttnn.CoreRange(ttnn.CoreCoord(0, 0), ttnn.CoreCoord(1, 1))})
    with recording() as trace:
        ttnn.sum(x, dim=-1, sub_core_grids=grid, correction=True)
        ttnn.std(x, dim=0)
    first, second = trace.records
    assert (first.op, first.output_shape, first.input_shapes, first.math_fidelity) == ("sum", (64,), [(64, 96)],
                                                                                       "HiFi3")
    assert (second.op, second.output_shape) == ("std", (96,))
    assert trace.hints and trace.hints[0][0] == "sum" and "sub_core_grids" in trace.hints[0][1]
    config = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.LoFi, fp32_dest_acc_en=False)
    with recording() as trace:
        ttnn.mean(x, compute_kernel_config=config)
    assert trace.records[0].math_fidelity == "LoFi"


# ----------------------------------------------------------------------------------------------------------- prod
def test_prod(ttnn, make):
    torch.manual_seed(6)
    values = 0.5 + torch.rand(3, 10, 20)
    x = make(values, layout=ttnn.ROW_MAJOR_LAYOUT)
    exact = stored(ttnn, x).double()
    for dim in (0, 1, 2):
        out = ttnn.prod(x, dim=dim, keepdim=True)
        assert out.layout == ttnn.TILE_LAYOUT and tuple(out.shape) == tuple(exact.prod(dim, keepdim=True).shape)
        torch.testing.assert_close(stored(ttnn, out), exact.prod(dim, keepdim=True).float(), rtol=TOL, atol=0)
    small = make(0.9 + 0.2 * torch.rand(4, 5))
    torch.testing.assert_close(stored(ttnn, ttnn.prod(small)), stored(ttnn, small).double().prod().float(), rtol=TOL,
                               atol=0)
    with pytest.raises(RuntimeError, match="keepdim=True is not supported for a full product"):
        ttnn.prod(small, keepdim=True)
    target = make(torch.zeros(1, 1, 32, 32))
    nc = make(1 + 0.01 * torch.rand(2, 3, 32, 32))
    result = ttnn.prod(nc, target, dims=[0, 1])
    assert result is target
    torch.testing.assert_close(stored(ttnn, target), stored(ttnn, nc).double().prod(0, keepdim=True).prod(
        1, keepdim=True).float(), rtol=TOL, atol=0)


# --------------------------------------------------------------------------------------------------------- argmax
@pytest.mark.parametrize("dtype_name", ["bfloat16", "float32", "int32", "uint32"])
def test_argmax_row_major_last_dim(ttnn, make, dtype_name):
    torch.manual_seed(7)
    dtype = getattr(ttnn, dtype_name)
    values = torch.randint(0, 1000, (8, 10, 129)) if dtype_name in ("int32", "uint32") else torch.randn(8, 10, 129)
    x = make(values.to(torch.int32) if dtype_name in ("int32", "uint32") else values, dtype=dtype,
             layout=ttnn.ROW_MAJOR_LAYOUT)
    for keepdim in (False, True):
        out = ttnn.argmax(x, dim=-1, keepdim=keepdim)
        assert out.dtype == ttnn.uint32 and out.layout == ttnn.ROW_MAJOR_LAYOUT
        assert torch.equal(ttnn.to_torch(out).long(), stored(ttnn, x).argmax(-1, keepdim=keepdim))


def test_argmax_dims_layouts_and_ties(ttnn, make):
    torch.manual_seed(8)
    values = torch.randn(4, 6, 50, 70)
    tile = make(values)
    expected = stored(ttnn, tile)
    for dim in (-1, -2, 1, 0):
        assert torch.equal(ttnn.to_torch(ttnn.argmax(tile, dim=dim)).long(), expected.argmax(dim))
    rows = make(values, layout=ttnn.ROW_MAJOR_LAYOUT)
    flat = ttnn.argmax(rows)
    assert tuple(flat.shape) == () and int(ttnn.to_torch(flat)) == int(expected.argmax())
    assert tuple(ttnn.argmax(rows, keepdim=True).shape) == (1, 1, 1, 1)
    ties = make(torch.tensor([[1.0, 3.0, 3.0, 0.0]]), layout=ttnn.ROW_MAJOR_LAYOUT)
    assert int(ttnn.to_torch(ttnn.argmax(ties, dim=-1))) == 1  # the first of equal maxima


def test_argmax_refusals_and_output_tensor(ttnn, make, device):
    tile = make(torch.randn(32, 64))
    with pytest.raises(RuntimeError, match="dim=None\\) needs a ROW_MAJOR input"):
        ttnn.argmax(tile)
    ints = make(torch.randint(0, 9, (32, 64), dtype=torch.int32), dtype=ttnn.int32)
    with pytest.raises(RuntimeError, match="supports BFLOAT16/FLOAT32 only - got DataType.INT32"):
        ttnn.argmax(ints, dim=-1)
    with pytest.raises(RuntimeError, match="non-zero size"):
        ttnn.argmax(make(torch.randn(32, 0), layout=ttnn.ROW_MAJOR_LAYOUT), dim=1)
    with recording() as trace:  # a second data-movement core changes where the work runs, not the result
        ttnn.argmax(make(torch.randn(4, 64), layout=ttnn.ROW_MAJOR_LAYOUT), dim=-1, enable_secondary_dm=True)
    assert trace.hints == [("argmax", {"enable_secondary_dm": "True"})]
    rows = make(torch.randn(4, 64), layout=ttnn.ROW_MAJOR_LAYOUT)
    target = make(torch.zeros(4, dtype=torch.int32), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT)
    assert ttnn.argmax(rows, dim=-1, output_tensor=target) is target
    assert torch.equal(ttnn.to_torch(target).long(), stored(ttnn, rows).argmax(-1))
    with pytest.raises(RuntimeError, match="preallocated output must be UINT32, ROW_MAJOR"):
        ttnn.argmax(rows, dim=-1, output_tensor=make(torch.zeros(4)))


# ----------------------------------------------------------------------------------------------------------- topk
@pytest.mark.parametrize("dtype_name", ["bfloat16", "float32", "bfloat8_b"])
@pytest.mark.parametrize("dim", [-1, -2, 1])
def test_topk_values_and_indices(ttnn, make, dtype_name, dim):
    torch.manual_seed(9)
    dtype = getattr(ttnn, dtype_name)
    x = make(torch.randn(2, 9, 64, 100), dtype=dtype)
    values = stored(ttnn, x)
    for largest in (True, False):
        top, index = ttnn.topk(x, 7, dim=dim, largest=largest)
        ref = torch.topk(values, 7, dim=dim, largest=largest)
        assert top.layout == index.layout == ttnn.TILE_LAYOUT and top.dtype == dtype
        assert index.dtype == (ttnn.uint32 if dtype == ttnn.float32 else ttnn.uint16)
        assert tuple(top.shape) == tuple(ref.values.shape)
        picked = torch.gather(values, dim, ttnn.to_torch(index).long())
        # bfloat8_b values are stored again as bfloat8_b blocks (new rows of 16 share an exponent)
        assert torch.equal(stored(ttnn, top), quantize(ref.values, dtype))
        assert torch.equal(picked, ref.values)


def test_topk_ties_labels_and_outputs(ttnn, make):
    ties = make(torch.tensor([[2.0, 5.0, 5.0, 1.0, 5.0] + [0.0] * 27]))
    top, index = ttnn.topk(ties, 3, stable=True)
    assert ttnn.to_torch(index).long().tolist() == [[1, 2, 4]]
    labels_values = torch.arange(100, 132, dtype=torch.int32).reshape(1, 32)
    labels = make(labels_values, dtype=ttnn.uint32)
    _, labelled = ttnn.topk(ties, 2, indices_tensor=labels)
    assert labelled.dtype == ttnn.uint32 and ttnn.to_torch(labelled).long().tolist() == [[101, 102]]
    with pytest.raises(RuntimeError, match="stable=True cannot be combined with an indices_tensor"):
        ttnn.topk(ties, 2, indices_tensor=labels, stable=True)
    with pytest.raises(RuntimeError, match="k \\(33\\) must be at least 1 and at most"):
        ttnn.topk(ties, 33)
    with pytest.raises(RuntimeError, match="TILE layout input"):
        ttnn.topk(make(torch.randn(1, 32), layout=ttnn.ROW_MAJOR_LAYOUT), 2)
    out_values, out_index = make(torch.zeros(1, 4)), make(torch.zeros(1, 4, dtype=torch.int32), dtype=ttnn.uint32)
    got = ttnn.topk(ties, 4, output_tensor=(out_values, out_index))
    assert got[0] is out_values and got[1] is out_index and out_index.dtype == ttnn.uint32
    assert stored(ttnn, out_values).tolist() == [[5.0, 5.0, 5.0, 2.0]]
    unsorted_values, _ = ttnn.topk(make(torch.randn(4, 64)), 5, sorted=False)
    assert tuple(unsorted_values.shape) == (4, 5)
    with recording() as trace:
        ttnn.topk(ties, 2)
    assert [r.op for r in trace.records] == ["topk"]


# ------------------------------------------------------------------------------------------------ cumsum, cumprod
def test_cumsum_float32_is_compensated_and_bfloat16_rounds_each_step(ttnn, make):
    torch.manual_seed(10)
    values = torch.randn(3, 40, 70)
    x32 = make(values, dtype=ttnn.float32)
    for dim in (0, 1, 2, -1):
        ref = values.double().cumsum(dim).float()
        assert torch.equal(stored(ttnn, ttnn.cumsum(x32, dim)), ref)
    ones = make(torch.ones(1, 300))
    steps = stored(ttnn, ttnn.cumsum(ones, -1))
    assert float(steps[0, 255]) == 256.0 and float(steps[0, -1]) == 256.0  # 256 + 1 rounds back to 256 in bfloat16
    assert float(stored(ttnn, ttnn.cumsum(ones, -1, dtype=ttnn.float32))[0, -1]) == 300.0
    plain = stored(ttnn, ttnn.cumsum(x32, 1, disable_compensated_sum=True))
    torch.testing.assert_close(plain, values.double().cumsum(1).float(), rtol=1e-5, atol=1e-5)


def test_cumsum_options_and_refusals(ttnn, make):
    torch.manual_seed(11)
    values = torch.randint(-2, 3, (2, 3, 33, 33)).to(torch.float32)
    x = make(values, dtype=ttnn.float32)
    assert torch.equal(stored(ttnn, ttnn.cumsum(x, 1, reverse_order=True)), values.flip(1).cumsum(1).flip(1))
    cast = ttnn.cumsum(x, 0, dtype=ttnn.bfloat16)
    assert cast.dtype == ttnn.bfloat16 and torch.equal(stored(ttnn, cast), values.cumsum(0))
    target = make(torch.zeros(2, 3, 33, 33), dtype=ttnn.float32)
    assert ttnn.cumsum(x, 2, out=target) is target and torch.equal(stored(ttnn, target), values.cumsum(2))
    with pytest.raises(RuntimeError, match="must match dtype"):
        ttnn.cumsum(x, 2, dtype=ttnn.bfloat16, out=target)
    ints = torch.randint(-(2**20), 2**20, (2, 4, 32, 32), dtype=torch.int32)
    assert torch.equal(ttnn.to_torch(ttnn.cumsum(make(ints, dtype=ttnn.int32), 1)), ints.cumsum(1).to(torch.int32))
    with pytest.raises(RuntimeError, match="needs a TILE layout input"):
        ttnn.cumsum(make(values, layout=ttnn.ROW_MAJOR_LAYOUT), 0)
    with pytest.raises(RuntimeError, match="supports BFLOAT16, FLOAT32, INT32 and UINT32"):
        ttnn.cumsum(make(values, dtype=ttnn.bfloat8_b), 0)
    with pytest.raises(RuntimeError, match="Unsupported dim"):
        ttnn.cumsum(x, 4)


def test_cumprod(ttnn, make):
    torch.manual_seed(12)
    values = 0.9 + 0.2 * torch.rand(2, 40, 40)
    x = make(values, dtype=ttnn.float32)
    torch.testing.assert_close(stored(ttnn, ttnn.cumprod(x, 1)), values.double().cumprod(1).float(), rtol=1e-5,
                               atol=0)
    xb = make(values)
    running = stored(ttnn, xb).movedim(2, 0).to(torch.bfloat16)
    expected = torch.empty_like(running)
    expected[0] = running[0]
    for i in range(1, running.shape[0]):
        expected[i] = expected[i - 1] * running[i]
    assert torch.equal(stored(ttnn, ttnn.cumprod(xb, 2)), expected.float().movedim(0, 2))
    assert math.isclose(float(stored(ttnn, ttnn.cumprod(x, 0, reverse_order=True))[0, 0, 0]),
                        float(values[0, 0, 0] * values[1, 0, 0]), rel_tol=1e-6)


def test_argmax_refuses_keywords_ttnn_0_81_1_lacks_by_name(ttnn, device):
    """Older ttnn's argmax took ``use_multicore``; 0.81.1's does not: a TypeError, as real ttnn raises, naming it."""
    x = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16, layout=ttnn.ROW_MAJOR_LAYOUT, device=device)
    for error in (TypeError, UnsupportedTTNNOp):
        with pytest.raises(error, match="use_multicore"):
            ttnn.argmax(x, dim=-1, use_multicore=True)


def test_topk_returns_sorted_values_whatever_sorted_says(ttnn, device):
    """tt-metal's topk kernel never reads ``sorted``: sorted=False gives the sorted top k (and their indices)."""
    values = torch.randn(1, 1, 64, 64, dtype=torch.bfloat16)
    x = ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=device)
    for largest in (True, False):
        want = torch.sort(values, dim=2, descending=largest, stable=True)
        got, got_indices = ttnn.topk(x, 32, dim=2, largest=largest, sorted=False)
        assert torch.equal(ttnn.to_torch(got), want.values[:, :, :32])
        assert torch.equal(ttnn.to_torch(got_indices).to(torch.int64), want.indices[:, :, :32])


# ------------------------------------------------------------------------------------------- operations.moreh.norm
@pytest.mark.parametrize("p,dim,keepdim,shape", [
    (2.0, -1, True, (2, 64, 1)),
    (2.0, 1, False, (2, 1, 96)),  # a reduced tile dim stays, with size 1, as moreh_sum's output spec keeps it
    (2.0, 0, False, (64, 96)),  # a reduced batch dim goes
    (1.0, None, False, (1, 1)),
    (3.5, [0, 2], True, (1, 64, 1)),
    (math.inf, [1, 2], True, (2, 1, 1)),
    (-math.inf, -1, True, (2, 64, 1)),
    (0, -1, True, (2, 64, 1)),
])
def test_moreh_norm(ttnn, make, p, dim, keepdim, shape):
    torch.manual_seed(4)
    values = torch.randn(2, 64, 96)
    values[0, 0, :5] = 0.0  # p = 0 counts the non-zero values
    out = ttnn.operations.moreh.norm(make(values), p, dim=dim, keepdim=keepdim)
    assert tuple(out.shape) == shape and out.dtype == ttnn.bfloat16 and out.layout == ttnn.TILE_LAYOUT
    stored_in = values.to(torch.bfloat16).double()
    ref = torch.linalg.vector_norm(stored_in, ord=p, dim=dim, keepdim=True).float().reshape(shape)
    exact = p == 0 or math.isinf(p)  # a count and a max/min of |x|: no rounding on the way
    torch.testing.assert_close(ttnn.to_torch(out).float(), ref, rtol=0 if exact else 2**-6, atol=0)


def test_moreh_norm_refuses_what_a_card_refuses(ttnn, make):
    with pytest.raises(RuntimeError, match="bfloat16 TILE tensor"):
        ttnn.operations.moreh.norm(make(torch.randn(32, 32), dtype=ttnn.float32), 2.0, dim=-1)
    with pytest.raises(RuntimeError, match="bfloat16 TILE tensor"):
        ttnn.operations.moreh.norm(make(torch.randn(32, 32), layout=ttnn.ROW_MAJOR_LAYOUT), 2.0, dim=-1)
    with pytest.raises(UnsupportedTTNNOp, match="ttnn.operations.moreh.moreh_sum is not part"):
        ttnn.operations.moreh.moreh_sum  # noqa: B018 - the attribute access is the test
