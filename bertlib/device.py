"""The device layer: a Tenstorrent card through real ttnn when there is one, the host emulator otherwise.

``open_device()`` returns a :class:`DeviceHandle`; unpack it into ``device, ttnn`` and write model code
against that ``ttnn`` whichever backend it is::

    with bertlib.open_device() as (device, ttnn):
        x = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bertlib.emulator.chips import CHIPS
from bertlib.emulator.hostenv import MOCK_VARIABLE, card_present, check_open_arguments, ensure_host_conversions
from bertlib.errors import BertlibError

__all__ = ["CHIPS", "MOCK_VARIABLE", "DeviceError", "DeviceHandle", "card_present", "ensure_host_conversions",
           "open_device"]


class DeviceError(BertlibError, RuntimeError):
    """A device could not be opened as asked; the message says what to do instead."""


@dataclass
class DeviceHandle:
    """An open device and the ``ttnn`` namespace to program it with. Unpacks as ``device, ttnn``."""

    device: Any
    ttnn: Any
    backend: str
    reason: str
    _closed: bool = field(default=False, repr=False)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.device, self.ttnn))

    def __enter__(self) -> DeviceHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.backend == "ttnn":
            if hasattr(self.device, "get_num_devices") and self.device.get_num_devices() > 1:
                self.ttnn.close_mesh_device(self.device)
            else:
                self.ttnn.close_device(self.device)
        else:
            self.device.closed = True


def open_device(
    backend: str = "auto",
    *,
    device_id: int = 0,
    chip: str = "wormhole_n150",
    mesh_shape: tuple[int, int] | None = None,
    quiet: bool = False,
    trace_region_size: int = 0,
    num_command_queues: int = 1,
    l1_small_size: int = 0,
) -> DeviceHandle:
    """Open a device: ``"auto"`` (a card if present, else the emulator), ``"ttnn"`` or ``"emulator"``.

    ``chip`` picks the chip the emulator stands in for (``wormhole_n150``, ``wormhole_n300``,
    ``blackhole_p150``); ``mesh_shape`` opens a mesh (n300, T3000) on a card. ``trace_region_size`` (bytes)
    is needed for ``ttnn.begin_trace_capture``: ttnn's default, 0, leaves no room for a trace (tt-metal's
    BERT performance tests open 64 MB and more); ``num_command_queues=2`` adds queue 1 for input writes.
    Both go to ``ttnn.open_device`` on a card and are checked the same way on the emulator.
    """
    device_kwargs = dict(trace_region_size=trace_region_size, num_command_queues=num_command_queues,
                         l1_small_size=l1_small_size)
    try:
        check_open_arguments(num_command_queues, trace_region_size, l1_small_size)
    except RuntimeError as err:
        raise DeviceError(str(err)) from None
    if backend not in ("auto", "ttnn", "emulator"):
        raise DeviceError(f"unknown backend {backend!r}: use 'auto', 'ttnn' or 'emulator'")
    if chip not in CHIPS:
        raise DeviceError(f"unknown chip {chip!r}: use one of {', '.join(CHIPS)}")
    has_card = card_present()
    if backend == "ttnn" and not has_card:
        raise DeviceError(
            "backend='ttnn' needs a Tenstorrent card, and none was found (no /dev/tenstorrent*). "
            "Use backend='emulator' (or 'auto') to run the same code on the host emulator."
        )
    if has_card and backend != "emulator":
        import ttnn

        if mesh_shape is not None:
            device = ttnn.open_mesh_device(ttnn.MeshShape(*mesh_shape), **device_kwargs)
        else:
            device = ttnn.open_device(device_id=device_id, **device_kwargs)
        return DeviceHandle(device, ttnn, "ttnn", "a Tenstorrent card was found")
    from bertlib.emulator import make_namespace
    from bertlib.emulator.memory import reuse_freed_memory

    reuse_freed_memory()
    ttnn = make_namespace(chip)
    reason = "backend='emulator' was asked for" if backend == "emulator" else "no Tenstorrent card found (no /dev/tenstorrent*)"
    if not quiet:
        where = f"a {mesh_shape[0]}x{mesh_shape[1]} mesh of " if mesh_shape else ""
        print(f"bertlib: {reason}; running TT-NN on the host emulator ({where}{chip} numerics).", file=sys.stderr)
    if mesh_shape is not None:
        device = ttnn.open_mesh_device(ttnn.MeshShape(*mesh_shape), **device_kwargs)
    else:
        device = ttnn.open_device(device_id=device_id, **device_kwargs)
    return DeviceHandle(device, ttnn, "emulator", reason)
