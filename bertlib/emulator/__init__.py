"""The TT-NN host emulator: a ``ttnn`` module that runs TT-NN code without a card.

Names and keywords are real ttnn 0.81.1's. Dtypes, layouts, memory and program configs, ``CoreGrid`` and
compute-kernel configs *are* real ttnn's objects. Ops run real ttnn's golden functions on the values a card
would store (``numerics``), check placement as a card does (``sharding``, ``program_configs``) and append
to the op trace (``trace``). A ttnn name outside the emulated subset raises ``UnsupportedTTNNOp``, which
names it. ``install()`` makes a plain ``import ttnn`` return the emulator (``python -m bertlib run``);
``bertlib.testing`` is the pytest plugin with tt-metal's ``device`` fixture.

The names below are imported on first use: the chip table and ``card_present`` need neither ttnn nor torch.
"""

from bertlib.lazy import lazy_attributes

_LAZY = {
    "CHIPS": "bertlib.emulator.chips", "Chip": "bertlib.emulator.chips",
    "card_present": "bertlib.emulator.hostenv", "ensure_host_conversions": "bertlib.emulator.hostenv",
    "EmulatedDevice": "bertlib.emulator.emulated_device", "UnsupportedTTNNOp": "bertlib.emulator.keywords",
    "MeshDevice": "bertlib.emulator.mesh", "MeshTensor": "bertlib.emulator.mesh",
    "REGISTRY": "bertlib.emulator.ops",
    "install": "bertlib.emulator.namespace", "make_namespace": "bertlib.emulator.namespace",
    "ProgramConfigError": "bertlib.emulator.program_configs", "ShardingError": "bertlib.emulator.sharding",
    "DeallocatedTensorError": "bertlib.emulator.tensor", "Tensor": "bertlib.emulator.tensor",
    "recording": "bertlib.emulator.op_trace",
}
__all__ = sorted(_LAZY)

__getattr__ = lazy_attributes("bertlib.emulator", _LAZY)
