"""Reductions: sum, mean, max/min, std/var, argmax, topk, cumsum."""

from __future__ import annotations
