"""Pearson correlation between a golden tensor and a computed one, as tt-metal's ``comp_pcc`` reports it.

Differences from tt-metal's version, on purpose: two equal constant tensors pass with 1.0; a constant
tensor against a varying one fails with 0.0; NaN and inf are compared explicitly (same positions and
signs, or the PCC is 0.0); a degenerate case gives 0.0, never NaN.
"""

from __future__ import annotations

import torch


def pcc_value(golden: torch.Tensor, calculated: torch.Tensor) -> float:
    """The Pearson correlation coefficient of two tensors of the same shape, in [-1, 1]."""
    golden = torch.as_tensor(golden).detach().to(torch.float64).flatten()
    calculated = torch.as_tensor(calculated).detach().to(torch.float64).flatten()
    if golden.shape != calculated.shape:
        raise ValueError(f"shapes differ: golden {tuple(golden.shape)} vs calculated {tuple(calculated.shape)}")
    if golden.numel() == 0:
        return 1.0
    g_nan, c_nan = torch.isnan(golden), torch.isnan(calculated)
    g_inf, c_inf = torch.isinf(golden), torch.isinf(calculated)
    if not torch.equal(g_nan, c_nan) or not torch.equal(g_inf, c_inf):
        return 0.0
    if g_inf.any() and not torch.equal(golden[g_inf], calculated[c_inf]):
        return 0.0
    finite = ~(g_nan | g_inf)
    golden, calculated = golden[finite], calculated[finite]
    if golden.numel() == 0 or torch.equal(golden, calculated):
        return 1.0
    g_centered = golden - golden.mean()
    c_centered = calculated - calculated.mean()
    g_norm, c_norm = g_centered.norm(), c_centered.norm()
    if g_norm == 0 or c_norm == 0:
        return 0.0
    value = float((g_centered @ c_centered) / (g_norm * c_norm))
    if value != value:
        return 0.0
    return max(-1.0, min(1.0, value))


def comp_pcc(golden: torch.Tensor, calculated: torch.Tensor, pcc: float = 0.99) -> tuple[bool, float]:
    """``(passed, value)``: passed when the PCC of the two tensors is at least ``pcc``."""
    value = pcc_value(golden, calculated)
    return value >= pcc, value


def max_abs_err(golden: torch.Tensor, calculated: torch.Tensor) -> float:
    """The largest absolute difference over finite entries."""
    diff = (torch.as_tensor(golden).double() - torch.as_tensor(calculated).double()).abs()
    diff = diff[torch.isfinite(diff)]
    return float(diff.max()) if diff.numel() else 0.0
