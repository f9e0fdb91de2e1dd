"""Normalisation beyond LayerNorm: RMSNorm, GroupNorm, and the softmax variants."""

from __future__ import annotations
