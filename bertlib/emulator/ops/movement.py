"""Data movement: transpose, concat, split/chunk, slice and tensor[...], pad, repeat, squeeze/unsqueeze, tilize/untilize, typecast, clone, fill."""

from __future__ import annotations
