"""What the emulator does with each keyword that an op accepts but its arithmetic does not use.

Every keyword of every emulated op is one of three things:

- computed with: the op's own code reads it (every keyword not in its declaration's ``not_computed``);
- a scheduling hint (``HINTS``: command queues, sub-devices and core subsets, blocking, the fill of tile
  padding; and a compute-kernel config's ``dst_full_sync_en`` and ``throttle_level``): accepted, and recorded in
  the op trace (``Trace.hints``); program configs are checked by
  ``program_configs`` and recorded in each op's record;
- any other ``not_computed`` keyword is refused with :class:`UnsupportedTTNNOp`, naming it, unless the caller
  leaves it at its default.

``tests/test_emulator_api.py`` reads each op's source and checks that ``not_computed`` lists exactly the
keywords its body never uses, so a new keyword cannot be accepted and then ignored.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from bertlib.emulator import op_trace


class UnsupportedTTNNOp(AttributeError):
    """A ttnn name, or a keyword value, that the emulator does not provide."""


class UnknownKeyword(UnsupportedTTNNOp, TypeError):
    """A keyword that other ttnn versions take and this op of ttnn 0.81.1 does not (argmax's ``use_multicore``, the
    binary ops' ``use_legacy``): a TypeError, as real ttnn's binding raises, that names the keyword."""


#: Keywords of other ttnn versions' ops, not 0.81.1's: the binary ops' choice of the legacy kernels.
OTHER_VERSIONS = frozenset({"use_legacy"})


#: Keywords that choose where or when an op runs, or what fills a tile's padding: never a logical value.
HINTS = frozenset({"queue_id", "cq_id", "blocking", "force", "sub_core_grids", "sub_device_id", "global_cb",
                   "prefetcher_pipes", "reshape_tile_mode", "skip_padding_fill", "device", "pad_value",
                   "keep_l1_aligned", "use_multicore", "use_low_perf", "enable_secondary_dm"})

#: Keywords an op that lacks them refuses as ``UnknownKeyword`` (naming the ttnn version difference), not as a typo.
KNOWN_ELSEWHERE = HINTS | OTHER_VERSIONS

#: Accepted by every op, as real ttnn's op wrapper accepts it: the command queue to issue on.
EVERY_OP = ("queue_id",)

def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    return isinstance(default, bool | int | float | str) and type(value) is type(default) and value == default


def _kernel_hints(config: Any) -> dict[str, str]:
    """The compute-kernel-config fields that change no value, where set: ``dst_full_sync_en`` (how the math and pack
    threads share the destination register; a matmul also checks its subblocks against the size it gives) and
    ``throttle_level`` (how often the math thread stalls, to limit power draw)."""
    if config is None:
        return {}
    hints = {}
    if getattr(config, "dst_full_sync_en", False):
        hints["compute_kernel_config.dst_full_sync_en"] = "True"
    throttle = getattr(config, "throttle_level", None)
    if throttle is not None and not str(throttle).endswith("NO_THROTTLE"):
        hints["compute_kernel_config.throttle_level"] = str(throttle)
    return hints


def checked(name: str, op: Callable, unused: tuple[str, ...]) -> Callable:
    """``op`` with the keywords its body does not read (``unused``) handled: hints recorded in the op trace,
    the rest refused unless left at their defaults."""
    signature = inspect.signature(op)
    extra = tuple(k for k in EVERY_OP if k not in signature.parameters)
    open_ended = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())

    @functools.wraps(op)
    def run(*args: Any, **kwargs: Any) -> Any:
        foreign = [k for k in kwargs if k in KNOWN_ELSEWHERE and k not in signature.parameters and k not in extra]
        if foreign and not open_ended:
            raise UnknownKeyword(f"ttnn.{name}() got an unexpected keyword argument {foreign[0]!r}: it is not part of "
                                 f"bertlib's TT-NN emulator, which follows ttnn 0.81.1, whose {name} does not take it "
                                 "(other ttnn versions do): leave it out")
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
        hints |= _kernel_hints(given.get("compute_kernel_config"))
        if hints:
            op_trace.hint(name, hints)
        return op(*args, **kwargs)

    return run
