"""Creation ops: zeros, ones, full, empty, rand, arange, the *_like forms and as_tensor."""

from __future__ import annotations
