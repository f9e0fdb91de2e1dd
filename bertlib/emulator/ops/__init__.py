"""Emulated TT-NN ops, one module per family, each op declared in the op registry
(``bertlib.emulator.op_registry``) where it is defined.

Every op takes the same positional and keyword arguments as ttnn 0.81.1 (``tests/test_emulator_api.py``
checks them against the installed ttnn), runs real ttnn's golden function on the values a card stores, with the
chip's numerics (``bertlib.emulator.numerics``), checks placement (``sharding``, ``program_configs``) and
appends one record to the op trace (``common.emit``). Importing this package declares them all.
"""

from bertlib.emulator.op_registry import REGISTRY, OpSpec
from bertlib.emulator.ops import (
    binary,
    conv,
    creation,
    experimental,
    math,
    moreh,
    movement,
    normalization,
    reduction,
    tensors,
    transformer,
    unary,
)

#: The modules whose functions are ops (the keyword test reads their source).
MODULES = tuple(m.__name__ for m in (tensors, creation, math, unary, binary, reduction, movement, normalization,
                                     transformer, conv, experimental, moreh))

__all__ = ["MODULES", "REGISTRY", "OpSpec"]
