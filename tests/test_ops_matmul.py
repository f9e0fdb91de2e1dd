"""The emulated matmul family beyond matmul/linear: addmm, and the output dtype a preallocated output sets."""

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
