"""What a card makes of the invalid operations IEEE turns into NaN (inf - inf, inf * 0), where it differs.

Sources: tt-metal's tech report ``tech_reports/Handling_Special_Value/special_values.md``, issue #52141 (measured
on a card: bfloat16 add/subtract give 0 for inf - inf, multiply gives 0 for inf * 0, float32 gives NaN) and the
SFPU's ``calculate_sfpu_binary_mul`` (0 * x = 0 without fp32 accumulation).
"""

import math

import pytest
import torch
from op_helpers import stored

INF = math.inf


def test_fpu_add_and_subtract_give_zero_for_inf_minus_inf(ttnn, make):
    a = make(torch.tensor([[INF, -INF, INF, 1.0]]))
    b = make(torch.tensor([[-INF, INF, 2.0, -INF]]))
    assert stored(ttnn, ttnn.add(a, b)).tolist() == [[0.0, 0.0, INF, -INF]]
    assert stored(ttnn, ttnn.subtract(a, a)).tolist() == [[0.0, 0.0, 0.0, 0.0]]
    assert stored(ttnn, a - INF).tolist()[0][0] == 0.0
    nan = make(torch.tensor([[math.nan, 1.0]]))
    assert math.isnan(stored(ttnn, ttnn.add(nan, nan))[0, 0])  # a NaN operand stays NaN


def test_float32_runs_on_the_sfpu_with_ieee_results(ttnn, make):
    a = make(torch.tensor([[INF, INF, -5.0]]), dtype=ttnn.float32)
    b = make(torch.tensor([[-INF, 0.0, 0.0]]), dtype=ttnn.float32)
    assert math.isnan(stored(ttnn, ttnn.add(a, b))[0, 0])
    product = stored(ttnn, ttnn.multiply(a, b))
    assert math.isnan(product[0, 1]) and product[0, 2] == 0.0


def test_bfloat16_multiply_by_zero_is_positive_zero(ttnn, make):
    a = make(torch.tensor([[INF, math.nan, -3.0, 0.0, 2.0]]))
    b = make(torch.tensor([[0.0, 0.0, 0.0, -INF, INF]]))
    out = stored(ttnn, ttnn.multiply(a, b))
    assert out.tolist() == [[0.0, 0.0, 0.0, 0.0, INF]]
    assert not torch.signbit(out[0, :4]).any()  # -3 * 0 is +0 on a card, where IEEE says -0
    assert stored(ttnn, a * 0.0).tolist()[0][:3] == [0.0, 0.0, 0.0]


def overflowing_scores():
    """Rows 0-30 hold scores far past exp's range (as in tt-metal's attention tutorial); row 31 small ones."""
    torch.manual_seed(3)
    scores = torch.empty(1, 2, 32, 64).uniform_(-1e3, 1e3)
    scores[..., 31, :] = torch.randn(2, 64)
    return scores


@pytest.mark.parametrize("fp32", [False, True], ids=["bf16_dest", "fp32_dest"])
def test_unstable_softmax_of_overflowing_rows_is_zero_as_on_a_card(ttnn, make, device, fp32):
    """exp overflows to inf, the row sum is inf, its reciprocal 0, and the FPU's inf * 0 is 0: a card's
    probabilities are 0 where IEEE arithmetic gives NaN. A row in range is an ordinary softmax."""
    scores = overflowing_scores()
    config = ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=fp32)
    out = stored(ttnn, ttnn.softmax(make(scores), dim=-1, numeric_stable=False, compute_kernel_config=config))
    assert not out.isnan().any()
    assert torch.equal(out[..., :31, :], torch.zeros(1, 2, 31, 64))
    ref = torch.softmax(scores[..., 31, :].to(torch.bfloat16).double(), -1).float()
    torch.testing.assert_close(out[..., 31, :], ref, rtol=2**-6, atol=2**-8)
    stable = stored(ttnn, ttnn.softmax(make(scores), dim=-1, numeric_stable=True, compute_kernel_config=config))
    assert torch.allclose(stable.sum(-1), torch.ones(1, 2, 32), atol=2**-5)  # the stable kernel has no overflow


def test_attention_tutorial_case_ends_in_the_output_bias(ttnn, make):
    """tt-metal's multi-head attention tutorial on a small scale: random N(0, 1) weights make scores of ~±1000,
    attention_softmax_ (never numerically stable) gives all-zero probabilities, so the output is the bias, the
    same through the plain and the optimized path (the tutorial's final allclose holds on a card)."""
    torch.manual_seed(0)
    batch, heads, seq, head = 1, 2, 64, 64
    hidden = heads * head
    x = torch.randn(batch, seq, hidden)
    wq, wk, wv, wo = (torch.randn(hidden, hidden) for _ in range(4))
    bias = torch.randn(hidden)

    def split(t):  # [b, s, hidden] -> [b, heads, s, head]
        t = ttnn.to_layout(t, ttnn.ROW_MAJOR_LAYOUT)
        return ttnn.to_layout(ttnn.reshape(t, (batch, seq, heads, head)), ttnn.TILE_LAYOUT)

    h = make(x)
    q = ttnn.permute(split(h @ make(wq)), (0, 2, 1, 3))
    k = ttnn.permute(split(h @ make(wk)), (0, 2, 3, 1))
    v = ttnn.permute(split(h @ make(wv)), (0, 2, 1, 3))
    scores = q @ k  # [b, heads, s, s]
    assert float(stored(ttnn, scores).amax(-1).min()) / head**0.5 > 89  # every row overflows exp
    mask = make(torch.zeros(batch, 1, 1, seq))
    probs = ttnn.transformer.attention_softmax_(scores, attention_mask=mask, head_size=head)
    assert torch.equal(stored(ttnn, probs), torch.zeros(batch, heads, seq, seq))
    context = ttnn.permute(probs @ v, (0, 2, 1, 3))  # [b, s, heads, head]
    context = ttnn.to_layout(ttnn.reshape(ttnn.to_layout(context, ttnn.ROW_MAJOR_LAYOUT), (batch, seq, hidden)),
                             ttnn.TILE_LAYOUT)
    out = ttnn.linear(context, make(wo), bias=make(bias.reshape(1, -1)))
    assert torch.equal(stored(ttnn, out), bias.to(torch.bfloat16).float().expand(batch, seq, hidden))
