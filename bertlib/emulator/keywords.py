"""What the emulator does with each keyword that an op accepts but its arithmetic does not use.

Every keyword of every emulated op is one of three things:

- computed with: the op's own code reads it (every keyword not listed in ``NOT_COMPUTED``);
- a scheduling hint (``HINTS``: command queues, sub-devices and core subsets, blocking, the fill of tile
  padding): accepted, and recorded in the op trace (``Trace.hints``); program configs are checked by
  ``program_configs`` and recorded in each op's record;
- anything else in ``NOT_COMPUTED`` is refused with :class:`UnsupportedTTNNOp`, naming it, unless the caller
  leaves it at its default.

``tests/test_emulator_api.py`` reads each op's source and checks that ``NOT_COMPUTED`` lists exactly the
keywords its body never uses, so a new keyword cannot be accepted and then ignored.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from bertlib.emulator import trace


class UnsupportedTTNNOp(AttributeError):
    """A ttnn name, or a keyword value, that the emulator does not provide."""


#: Keywords that choose where or when an op runs, or what fills a tile's padding: never a logical value.
HINTS = frozenset({"queue_id", "cq_id", "blocking", "force", "sub_core_grids", "sub_device_id", "global_cb",
                   "prefetcher_pipes", "reshape_tile_mode", "skip_padding_fill", "device", "pad_value",
                   "keep_l1_aligned"})

#: Accepted by every op, as real ttnn's op wrapper accepts it: the command queue to issue on.
EVERY_OP = ("queue_id",)

#: Per op, the keywords its body does not read (checked against the source by a test).
NOT_COMPUTED: dict[str, tuple[str, ...]] = {
    "from_torch": ("spec", "pad_value", "cq_id", "preserve_nan_values", "col_tilize", "enable_bfloat_opt"),
    "to_torch": ("device", "cq_id"),
    "to_device": ("queue_id",),
    "copy_host_to_device_tensor": ("cq_id",),
    "from_device": ("blocking", "queue_id"),
    "to_layout": ("sub_core_grids", "pad_value"),
    "interleaved_to_sharded": ("keep_l1_aligned",),
    "deallocate": ("force",),
    "reshape": ("pad_value", "reshape_tile_mode", "sub_core_grids", "skip_padding_fill"),
    "permute": ("pad_value",),
    "linear": ("output_tile", "global_cb", "sub_device_id", "prefetcher_pipes", "in0_column_offset"),
    "matmul": ("output_tile", "global_cb", "sub_device_id"),
    "add": ("input_tensor_a_activations", "input_tensor_b_activations", "fast_and_approximate_mode", "sub_core_grids",
            "sub_device_id"),
    "multiply": ("input_tensor_a_activations", "input_tensor_b_activations", "fast_and_approximate_mode",
                 "sub_core_grids", "sub_device_id"),
    "layer_norm": ("recip_tensor",),
    "gelu": ("sub_core_grids",),
}


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    return isinstance(default, bool | int | float | str) and type(value) is type(default) and value == default


def checked(name: str, op: Callable) -> Callable:
    """``op`` with its not-computed keywords handled: hints recorded in the op trace, the rest refused
    unless left at their defaults."""
    signature = inspect.signature(op)
    unused = NOT_COMPUTED.get(name, ())
    extra = tuple(k for k in EVERY_OP if k not in signature.parameters)

    @functools.wraps(op)
    def run(*args: Any, **kwargs: Any) -> Any:
        everywhere = {key: kwargs.pop(key) for key in extra if key in kwargs}
        hints = {key: repr(value) for key, value in everywhere.items() if value is not None}
        given = signature.bind_partial(*args, **kwargs).arguments
        for key in unused:
            if key not in given or _is_default(given[key], signature.parameters[key].default):
                continue
            if key not in HINTS:
                raise UnsupportedTTNNOp(
                    f"ttnn.{name}({key}=...) is not emulated: the emulator would compute without it. Leave {key} "
                    "at its default, or run on a Tenstorrent card."
                )
            hints[key] = repr(given[key])
        if hints:
            trace.hint(name, hints)
        return op(*args, **kwargs)

    return run
