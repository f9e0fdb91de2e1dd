"""How much of real ttnn the emulator provides: ``python -m bertlib doctor --ops``.

Counts real ttnn 0.81.1's top-level functions (public callables that are neither classes nor modules), and
says for each whether the emulator runs it as an emulated op (the op registry), provides it as a device or host
function (open/close, traces, real ttnn's own host helpers), or refuses it by name.
"""

from __future__ import annotations

import types
from collections import Counter
from dataclasses import dataclass
from typing import Any

import ttnn as _real

from bertlib.emulator.ops import REGISTRY


def real_functions(module: Any = _real) -> list[str]:
    """The public top-level functions of real ttnn (classes, modules and constants left out)."""
    names = []
    for name in dir(module):
        value = getattr(module, name, None)
        if name.startswith("_") or isinstance(value, (type, types.ModuleType)) or not callable(value):
            continue
        names.append(name)
    return sorted(names)


@dataclass(frozen=True)
class Coverage:
    """Real ttnn's top-level functions, split by what the emulator does with each."""

    real: list[str]
    emulated: list[str]
    provided: list[str]
    refused: list[str]
    families: dict[str, int]

    def summary(self) -> str:
        return (f"{len(self.emulated) + len(self.provided)} of {len(self.real)} top-level ttnn functions: "
                f"{len(self.emulated)} emulated ops, {len(self.provided)} device and host functions; the other "
                f"{len(self.refused)} are refused by name")

    def text(self) -> str:
        """The summary, the emulated ops per family, and the names refused."""
        lines = [self.summary(), "", "emulated ops by family (all namespaces, aliases included):"]
        lines += [f"  {family:<14} {count}" for family, count in self.families.items()]
        lines += ["", f"emulated ({len(self.emulated)}): {', '.join(self.emulated)}",
                  "", f"device and host functions ({len(self.provided)}): {', '.join(self.provided)}",
                  "", f"refused ({len(self.refused)}): {', '.join(self.refused)}"]
        return "\n".join(lines)


def coverage(namespace: Any) -> Coverage:
    """What ``namespace`` (an emulated ttnn) does with each of real ttnn's top-level functions."""
    real = real_functions()
    top = {name for spec in REGISTRY.values() if spec.module == "ttnn" for name in (spec.name, *spec.aliases)}
    emulated = [n for n in real if n in top]
    provided = [n for n in real if n not in top and n in namespace.__dict__]
    refused = [n for n in real if n not in top and n not in namespace.__dict__]
    families = Counter(spec.family for spec in REGISTRY.values() for _ in (spec.name, *spec.aliases))
    return Coverage(real, emulated, provided, refused, dict(sorted(families.items(), key=lambda kv: -kv[1])))
