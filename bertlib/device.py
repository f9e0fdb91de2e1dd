"""The device layer: a Tenstorrent card through real ttnn when there is one, the host emulator otherwise.

``open_device()`` returns a :class:`DeviceHandle`; unpack it into ``device, ttnn`` and write model code
against that ``ttnn`` whichever backend it is::

    with bertlib.open_device() as (device, ttnn):
        x = ttnn.from_torch(torch.randn(32, 64), dtype=ttnn.bfloat16, layout=ttnn.TILE_LAYOUT, device=device)
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bertlib.emulator.chips import CHIPS
from bertlib.emulator.hostenv import MOCK_VARIABLE, card_present, check_open_arguments, ensure_host_conversions
from bertlib.errors import BertlibError

__all__ = ["CHIPS", "MOCK_VARIABLE", "DeviceError", "DeviceHandle", "borrow_device", "card_present",
           "close_all", "ensure_host_conversions", "open_device", "opened"]


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

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for device_id, handle in list(_OPEN.items()):
            if handle is self:
                del _OPEN[device_id]
        if self.backend == "ttnn" and hasattr(self.device, "get_num_devices") and self.device.get_num_devices() > 1:
            self.ttnn.close_mesh_device(self.device)
        else:
            self.ttnn.close_device(self.device)  # the emulator's also closes a mesh's chips


#: The card's devices this process holds, by device id: what ``open_device`` opened on a card, or on the emulator
#: standing in for one (``"auto"`` without a card). A card opens each device once until it is closed.
_OPEN: dict[int, DeviceHandle] = {}


def opened(device_id: int = 0) -> DeviceHandle | None:
    """The handle ``open_device`` holds on ``device_id`` (a card, or the emulator standing in for it), if still open.

    Code that needs the device a notebook already opened (the exercise checks, ``compare``) takes it from here
    instead of opening device 0 a second time, which a card refuses."""
    handle = _OPEN.get(device_id)
    return handle if handle is not None and not handle._closed else None


def close_all() -> None:
    """Close every device ``open_device`` holds (the CLI does this when a command ends)."""
    for handle in list(_OPEN.values()):
        handle.close()


def _hold(handle: DeviceHandle, device_ids: list[int]) -> DeviceHandle:
    for device_id in device_ids:
        _OPEN[device_id] = handle
    return handle


def _check_not_open(device_ids: list[int]) -> None:
    """A card opens a device once: tt-metal's device manager throws on a second open before ``close()``."""
    for device_id in device_ids:
        if opened(device_id) is not None:
            raise DeviceError(f"Cannot re-initialize device {device_id}, must first call close() (tt-metal's error "
                              "on a card). Use the handle you already have (bertlib.device.opened() returns it), "
                              "or close it first: handle.close()")


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
    As on a card, a device opens once until it is closed (``"auto"`` on the emulator stands in for the card and
    refuses a second open the same way); an explicit ``"emulator"`` is a private host emulator beside it.
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
    device_ids = list(range(mesh_shape[0] * mesh_shape[1])) if mesh_shape is not None else [device_id]
    if backend != "emulator":  # the card, or the emulator standing in for it: one open per device
        _check_not_open(device_ids)
    if has_card and backend != "emulator":
        import ttnn

        if mesh_shape is not None:
            device = ttnn.open_mesh_device(ttnn.MeshShape(*mesh_shape), **device_kwargs)
        else:
            device = ttnn.open_device(device_id=device_id, **device_kwargs)
        return _hold(DeviceHandle(device, ttnn, "ttnn", "a Tenstorrent card was found"), device_ids)
    from bertlib.emulator import make_namespace
    from bertlib.emulator.emulated_device import EmulatedDevice
    from bertlib.emulator.memory import reuse_freed_memory
    from bertlib.emulator.mesh import MeshDevice

    reuse_freed_memory()
    ttnn = make_namespace(chip)
    reason = "backend='emulator' was asked for" if backend == "emulator" else "no Tenstorrent card found (no /dev/tenstorrent*)"
    if not quiet:
        where = f"a {mesh_shape[0]}x{mesh_shape[1]} mesh of " if mesh_shape else ""
        print(f"bertlib: {reason}; running TT-NN on the host emulator ({where}{chip} numerics).", file=sys.stderr)
    if backend == "emulator":  # a private host emulator, beside whatever the card (or its stand-in) has open
        devices = [EmulatedDevice(ttnn.chip, i, **device_kwargs) for i in device_ids]
        device = MeshDevice(devices, mesh_shape) if mesh_shape is not None else devices[0]
        return DeviceHandle(device, ttnn, "emulator", reason)
    if mesh_shape is not None:  # the card's stand-in: opened through the emulated ttnn, which holds it as a card
        device = ttnn.open_mesh_device(ttnn.MeshShape(*mesh_shape), **device_kwargs)
    else:
        device = ttnn.open_device(device_id=device_id, **device_kwargs)
    return _hold(DeviceHandle(device, ttnn, "emulator", reason), device_ids)


@contextlib.contextmanager
def borrow_device(handle: DeviceHandle | None = None) -> Iterator[DeviceHandle]:
    """``handle``; else the device this process already holds (``opened()``); else one opened now, closed on exit.

    For library code that runs a model on its caller's device without opening device 0 a second time."""
    handle = handle if handle is not None else opened()
    if handle is not None:
        yield handle
        return
    with open_device(quiet=True) as handle:
        yield handle
