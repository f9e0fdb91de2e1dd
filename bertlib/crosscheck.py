"""The emulator against a real backend, op by op, bit for bit: ``python -m bertlib crosscheck``.

Where real ttnn can open a device (a Tenstorrent card, or Tenstorrent's ttsim, bit-exact with the card), each
case below runs twice, on the same inputs: once through real ttnn on that device, once on the emulator. The
outputs are compared bit for bit (NaN equal to NaN). Each case builds its inputs from a fixed seed, so both
sides start from the same host tensors and real ttnn's own host conversions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch

from bertlib.errors import BertlibError


class NoBackendError(BertlibError, RuntimeError):
    """Real ttnn cannot open a device here: no card, and no ttsim."""


@dataclass(frozen=True)
class Case:
    """One op call: ``run(ttnn, device, tensor)`` builds its inputs with ``tensor`` and returns the op's output."""

    name: str
    run: Callable[[Any, Any, Callable[..., Any]], Any]


def _tensors(ttnn: Any, device: Any, seed: int) -> Callable[..., Any]:
    generator = torch.Generator().manual_seed(seed)

    def tensor(*shape: int, dtype: Any = None, layout: Any = None, low: float = -2.0, high: float = 2.0) -> Any:
        values = torch.rand(shape, generator=generator) * (high - low) + low
        return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device)

    return tensor


def _hifi4(ttnn: Any) -> Any:
    return ttnn.WormholeComputeKernelConfig(math_fidelity=ttnn.MathFidelity.HiFi4, fp32_dest_acc_en=True)


CASES: tuple[Case, ...] = (
    Case("add", lambda ttnn, d, t: ttnn.add(t(1, 1, 64, 96), t(1, 1, 64, 96))),
    Case("add broadcast row", lambda ttnn, d, t: ttnn.add(t(1, 1, 64, 96), t(1, 1, 1, 96))),
    Case("subtract", lambda ttnn, d, t: ttnn.subtract(t(2, 64, 64), t(2, 64, 64))),
    Case("multiply", lambda ttnn, d, t: ttnn.multiply(t(64, 128), t(64, 128))),
    Case("multiply scalar", lambda ttnn, d, t: ttnn.multiply(t(64, 128), 0.125)),
    Case("divide", lambda ttnn, d, t: ttnn.divide(t(64, 64), t(64, 64, low=0.5, high=2.0))),
    Case("exp", lambda ttnn, d, t: ttnn.exp(t(64, 64))),
    Case("relu", lambda ttnn, d, t: ttnn.relu(t(64, 64))),
    Case("gelu", lambda ttnn, d, t: ttnn.gelu(t(64, 64))),
    Case("silu", lambda ttnn, d, t: ttnn.silu(t(64, 64))),
    Case("sigmoid", lambda ttnn, d, t: ttnn.sigmoid(t(64, 64))),
    Case("tanh", lambda ttnn, d, t: ttnn.tanh(t(64, 64))),
    Case("sqrt", lambda ttnn, d, t: ttnn.sqrt(t(64, 64, low=0.0, high=4.0))),
    Case("rsqrt", lambda ttnn, d, t: ttnn.rsqrt(t(64, 64, low=0.1, high=4.0))),
    Case("reciprocal", lambda ttnn, d, t: ttnn.reciprocal(t(64, 64, low=0.1, high=4.0))),
    Case("sum last dim", lambda ttnn, d, t: ttnn.sum(t(1, 64, 96), dim=-1)),
    Case("mean last dim", lambda ttnn, d, t: ttnn.mean(t(1, 64, 96), dim=-1)),
    Case("max last dim", lambda ttnn, d, t: ttnn.max(t(1, 64, 96), dim=-1)),
    Case("softmax", lambda ttnn, d, t: ttnn.softmax(t(1, 2, 64, 64), dim=-1)),
    Case("layer_norm", lambda ttnn, d, t: ttnn.layer_norm(t(1, 64, 128), weight=t(1, 128), bias=t(1, 128))),
    Case("rms_norm", lambda ttnn, d, t: ttnn.rms_norm(t(1, 64, 128), weight=t(4, 32, layout=ttnn.ROW_MAJOR_LAYOUT))),
    Case("matmul bf16", lambda ttnn, d, t: ttnn.matmul(t(1, 64, 256), t(256, 96))),
    Case("matmul bf16 HiFi4 fp32 acc", lambda ttnn, d, t: ttnn.matmul(t(1, 64, 256), t(256, 96),
                                                                      compute_kernel_config=_hifi4(ttnn))),
    Case("matmul bfloat8_b", lambda ttnn, d, t: ttnn.matmul(t(1, 64, 256, dtype=ttnn.bfloat8_b),
                                                            t(256, 96, dtype=ttnn.bfloat8_b))),
    Case("linear bias", lambda ttnn, d, t: ttnn.linear(t(1, 64, 256), t(256, 96), bias=t(1, 96))),
    Case("linear gelu", lambda ttnn, d, t: ttnn.linear(t(1, 64, 256), t(256, 96), bias=t(1, 96), activation="gelu")),
    Case("transpose", lambda ttnn, d, t: ttnn.transpose(t(1, 2, 64, 96), -2, -1)),
    Case("permute", lambda ttnn, d, t: ttnn.permute(t(1, 2, 64, 96), (0, 2, 1, 3))),
    Case("concat", lambda ttnn, d, t: ttnn.concat([t(1, 64, 32), t(1, 64, 64)], dim=-1)),
    Case("slice", lambda ttnn, d, t: t(1, 64, 96)[:, :32, 32:64]),
    Case("typecast to bfloat8_b", lambda ttnn, d, t: ttnn.typecast(t(64, 96), ttnn.bfloat8_b)),
    Case("to_layout row major", lambda ttnn, d, t: ttnn.to_layout(t(64, 96), ttnn.ROW_MAJOR_LAYOUT)),
    Case("embedding", lambda ttnn, d, t: ttnn.embedding(
        ttnn.from_torch(torch.arange(32).reshape(1, 32) % 7, dtype=ttnn.uint32, device=d),
        t(7, 64, layout=ttnn.ROW_MAJOR_LAYOUT))),
)


@dataclass(frozen=True)
class Outcome:
    """One case on both sides: bit-identical, or how the outputs differ (or which side failed, and how)."""

    case: str
    identical: bool
    differing: int = 0
    total: int = 0
    max_abs: float = 0.0
    emulator_error: str | None = None
    backend_error: str | None = None


def _run(case: Case, ttnn: Any, device: Any, seed: int) -> torch.Tensor | str:
    try:
        return ttnn.to_torch(case.run(ttnn, device, _tensors(ttnn, device, seed)))
    except Exception as err:  # noqa: BLE001  (a refusal or an error on either side is part of the report)
        return f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"


def compare(emulated: torch.Tensor, real: torch.Tensor) -> tuple[int, int, float]:
    """(elements whose bits differ, elements, largest absolute difference); NaN matches NaN."""
    if emulated.shape != real.shape or emulated.dtype != real.dtype:
        return (max(emulated.numel(), real.numel()),) * 2 + (math.inf,)
    same = (emulated == real) | (torch.isnan(emulated.float()) & torch.isnan(real.float()))
    finite = ~same
    gap = (emulated.float() - real.float()).abs()[finite]
    return int(finite.sum()), emulated.numel(), float(gap.max()) if gap.numel() else 0.0


def crosscheck(emulator: tuple[Any, Any], backend: tuple[Any, Any], cases: Sequence[Case] = CASES,
               seed: int = 0) -> list[Outcome]:
    """Each case on ``emulator`` and ``backend`` (each a ``(ttnn, device)`` pair), compared bit for bit."""
    outcomes = []
    for case in cases:
        ours, theirs = _run(case, *emulator, seed), _run(case, *backend, seed)
        if isinstance(ours, str) or isinstance(theirs, str):
            outcomes.append(Outcome(case.name, False, emulator_error=ours if isinstance(ours, str) else None,
                                    backend_error=theirs if isinstance(theirs, str) else None))
            continue
        differing, total, max_abs = compare(ours, theirs)
        outcomes.append(Outcome(case.name, differing == 0, differing, total, max_abs))
    return outcomes


def report(outcomes: Sequence[Outcome], as_json: bool = False) -> str:
    if as_json:
        return json.dumps([asdict(o) for o in outcomes], indent=1)
    lines = [f"{'case':<28} result"]
    for o in outcomes:
        if o.emulator_error or o.backend_error:
            result = f"emulator: {o.emulator_error or 'ran'}; backend: {o.backend_error or 'ran'}"
        elif o.identical:
            result = f"bit-identical ({o.total} elements)"
        else:
            result = f"{o.differing} of {o.total} elements differ, largest by {o.max_abs:.3g}"
        lines.append(f"{o.case:<28} {result}")
    same = sum(o.identical for o in outcomes)
    lines.append(f"{same} of {len(outcomes)} cases bit-identical")
    return "\n".join(lines)


def run_against_backend(chip: str) -> list[Outcome]:
    """Every case on the backend real ttnn opens here and on the emulator for ``chip``."""
    from bertlib.emulator import make_namespace
    from bertlib.emulator.emulated_device import EmulatedDevice
    from bertlib.emulator.hostenv import SIMULATOR_VARIABLE, real_backend

    if real_backend() is None:
        raise NoBackendError(
            "crosscheck needs a device real ttnn can open: a Tenstorrent card (/dev/tenstorrent*), or ttsim "
            f"(build tt-metal, then set {SIMULATOR_VARIABLE} to its libttsim_wh.so or libttsim_bh.so)")
    import ttnn

    emulated = make_namespace(chip)
    device = ttnn.open_device(device_id=0)
    try:
        return crosscheck((emulated, EmulatedDevice(emulated.chip, 0)), (ttnn, device))
    finally:
        ttnn.close_device(device)
