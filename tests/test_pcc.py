import math

import pytest
import torch

from bertlib.pcc import comp_pcc, max_abs_err, pcc_value


def test_identical_and_noisy():
    x = torch.randn(1000)
    assert comp_pcc(x, x) == (True, 1.0)
    passed, value = comp_pcc(x, x + 0.5 * torch.randn(1000))
    assert not passed and 0.5 < value < 0.99


def test_anti_correlated_is_negative():
    x = torch.randn(100)
    assert pcc_value(x, -x) == pytest.approx(-1.0)


def test_equal_constants_pass_and_constant_vs_varying_fails():
    assert comp_pcc(torch.full((10,), 3.0), torch.full((10,), 3.0)) == (True, 1.0)
    assert comp_pcc(torch.zeros(10), torch.zeros(10)) == (True, 1.0)
    assert comp_pcc(torch.full((10,), 3.0), torch.arange(10.0)) == (False, 0.0)
    assert comp_pcc(torch.full((10,), 3.0), torch.full((10,), 4.0)) == (False, 0.0)


def test_nan_and_inf_are_explicit():
    a = torch.tensor([1.0, 2.0, float("nan"), float("inf"), 5.0])
    assert comp_pcc(a, a.clone())[1] == 1.0
    b = a.clone()
    b[2] = 0.0  # NaN where golden has a number
    assert comp_pcc(a, b) == (False, 0.0)
    c = a.clone()
    c[3] = float("-inf")  # wrong sign of infinity
    assert comp_pcc(a, c) == (False, 0.0)
    value = pcc_value(torch.tensor([float("nan")] * 3), torch.tensor([float("nan")] * 3))
    assert value == 1.0 and not math.isnan(value)


def test_shape_mismatch_and_max_abs_err():
    with pytest.raises(ValueError, match="shapes differ"):
        pcc_value(torch.zeros(3), torch.zeros(4))
    assert max_abs_err(torch.tensor([1.0, 2.0]), torch.tensor([1.5, 2.0])) == 0.5
