"""The emulator as a ``ttnn`` module: ``make_namespace(chip)`` builds it, ``install(chip)`` makes a plain
``import ttnn`` return it.

What the namespace holds, for every public name of real ttnn 0.81.1:

- the emulated ops, built from the op registry (``bertlib.emulator.op_registry``), and device functions (open/close, queues, events, traces);
- real ttnn's own objects where they compute nothing on a device: its classes (dtypes, layouts, memory
  and program configs, ``CoreGrid``, ``CoreRangeSet``, ``ShardSpec``...), enums, constants
  (``L1_MEMORY_CONFIG``, ``TILE_SIZE``...) and the host-side helpers in ``HOST_HELPERS``;
- ``ttnn.model_preprocessing``: real ttnn's module, run against this namespace, so its
  ``preprocess_model_parameters(..., device=device)`` places weights on the emulated device;
- any other name raises ``UnsupportedTTNNOp``, naming it.
"""

from __future__ import annotations

import enum
import functools
import importlib.abc
import importlib.util
import os
import pathlib
import sys
import types
from typing import Any

import ttnn as _real

from bertlib.emulator import graph_tracer, metal_trace, op_trace
from bertlib.emulator.chips import chip as chip_named
from bertlib.emulator.emulated_device import EmulatedDevice
from bertlib.emulator.hostenv import card_present, check_open_arguments, ensure_host_conversions
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.mesh import (
    ConcatMeshToTensor,
    MeshDevice,
    MeshTensor,
    ReplicateTensorToMesh,
    ShardTensorToMesh,
    distributor,
)
from bertlib.emulator.op_registry import MODULES
from bertlib.emulator.ops import REGISTRY
from bertlib.emulator.tensor import Tensor

#: Real ttnn functions that only compute on the host (memory and program configs, core ranges, goldens).
HOST_HELPERS = (
    "create_sharded_memory_config", "create_sharded_memory_config_", "get_golden_function", "manage_config",
    "init_device_compute_kernel_config", "num_cores_to_corerangeset", "corerange_to_cores", "grid_to_cores",
    "split_work_to_cores", "tile_size", "element_size", "ttnn_dtype_to_torch_dtype", "layernorm_default_compute_config",
    "load_config_from_dictionary", "set_printoptions", "create_group_norm_weight_bias_rm",
    "get_group_norm_cores_across_channel", "rmsnorm_default_compute_config",
)
#: Real ttnn functions that build a host tensor on the host (GroupNorm's masks): the emulator hands back the same
#: values as its own host tensor.
HOST_TENSOR_BUILDERS = ("create_group_norm_input_mask", "create_group_norm_input_negative_mask")
#: Real ttnn classes the emulator replaces (``Tensor``) or that name a real device.
NOT_PASSED = {"Tensor", "MeshDevice", "Device", "ModuleType"}

def _passed_through(name: str, value: Any) -> bool:
    """Real ttnn's classes, enums and constants: objects that hold settings and compute nothing on a device."""
    if name.startswith("_") or name in NOT_PASSED or isinstance(value, types.ModuleType):
        return False
    if isinstance(value, type):
        return True
    if isinstance(value, (enum.Enum, int, float, str, bool)) or value is None:
        return True
    kind = type(value)
    return not callable(value) and kind.__module__.startswith("ttnn")


class EmulatedTTNN(types.ModuleType):
    """A ``ttnn`` module backed by the emulator; a name it lacks raises ``UnsupportedTTNNOp`` naming it."""

    is_emulator = True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise UnsupportedTTNNOp(
            f"{self.__name__}.{name} is not part of bertlib's TT-NN emulator (python -m bertlib doctor --ops lists the "
            "ops it runs and the names it refuses). Run on a Tenstorrent card for the full ttnn API."
        )


def get_fallback_function(operation: Any) -> Any:
    """``ttnn.get_fallback_function(op)``: the op's golden function on the host, on tensors brought back with
    ``to_torch`` and returned like the first input (dtype, layout, device), as real ttnn's fallback does."""
    golden_function = getattr(operation, "golden_function", None)
    if golden_function is None:
        raise RuntimeError(f"{operation} does not have a golden function")

    def to_host(value: Any) -> Any:
        if isinstance(value, Tensor):
            return REGISTRY["to_torch"].public(value).to(_real.ttnn_dtype_to_torch_dtype(value.dtype))
        if isinstance(value, (list, tuple)):
            return type(value)(to_host(v) for v in value)
        return value

    @functools.wraps(golden_function)
    def fallback(*args: Any, **kwargs: Any) -> Any:
        first = next((v for v in (*args, *kwargs.values()) if isinstance(v, Tensor)), None)
        output = golden_function(*to_host(args), **{k: to_host(v) for k, v in kwargs.items()})
        if first is None:
            return output

        def back(value: Any) -> Any:
            if isinstance(value, (list, tuple)):
                return type(value)(back(v) for v in value)
            memory = first.mem_config if first.on_device is not None else None
            return REGISTRY["from_torch"].public(value, dtype=first.dtype, layout=first.layout, device=first.on_device,
                                  memory_config=memory)

        return back(output)

    return fallback


#: The dispatch cores each architecture's emulated compute grid leaves out (``chips.Chip.grid``): Wormhole n150/n300
#: dispatch on Ethernet cores, keeping all 8x8 Tensix cores for ops; Blackhole p150 gives one Tensix column
#: (``DispatchCoreAxis.COL``) of its 14x10 to dispatch, leaving 13x10.
DISPATCH = {"WORMHOLE_B0": ("ETH", None), "BLACKHOLE": ("WORKER", "COL")}


def check_dispatch(config: Any, arch: str) -> None:
    """Accept the dispatch cores the emulated grid assumes (they change no value: the choice is recorded in the op
    trace); refuse others, which would take Tensix cores from, or give them back to, the compute grid."""
    if not isinstance(config, _real.device.DispatchCoreConfig):
        raise TypeError(f"dispatch_core_config must be a ttnn.DispatchCoreConfig (got {type(config).__name__})")
    kind, axis = DISPATCH[arch]
    if config.type.name != kind or axis is not None and config.axis.name != axis:
        wanted = f"ttnn.DispatchCoreConfig(ttnn.DispatchCoreType.{kind})"
        raise UnsupportedTTNNOp(
            f"ttnn.open_device(dispatch_core_config={config.type.name}/{config.axis.name}) is not emulated: on "
            f"{arch} the emulated compute grid is the one left by {kind} dispatch; another choice moves Tensix cores "
            f"between dispatch and ops. Pass {wanted}, or leave it out")
    op_trace.hint("open_device", {"dispatch_core_config": f"{config.type.name}/{config.axis.name}"})


def _device_functions(chip_name: str) -> dict[str, Any]:
    chip = chip_named(chip_name)
    held: dict[int, EmulatedDevice] = {}  # this namespace's open devices: a card's process opens each one once

    def open_device(*, device_id: int = 0, l1_small_size: int = 0, trace_region_size: int = 0,
                    num_command_queues: int = 1, dispatch_core_config: Any = None, **others: Any) -> EmulatedDevice:
        """``ttnn.open_device``: an emulated chip with the sizes it was opened with. ``dispatch_core_config`` is
        checked by ``check_dispatch``."""
        if others:
            raise UnsupportedTTNNOp(f"ttnn.open_device({', '.join(others)}=...) is not emulated: it takes device_id, "
                                    "l1_small_size, trace_region_size, num_command_queues and dispatch_core_config")
        check_open_arguments(num_command_queues, trace_region_size, l1_small_size)
        if dispatch_core_config is not None:
            check_dispatch(dispatch_core_config, chip.arch)
        if device_id in held and not held[device_id].closed:  # tt-metal's device manager: TT_THROW
            raise RuntimeError(f"Cannot re-initialize device {device_id}, must first call close()")
        held[device_id] = EmulatedDevice(chip, device_id, trace_region_size=trace_region_size,
                                         num_command_queues=num_command_queues, l1_small_size=l1_small_size)
        return held[device_id]

    def create_device(device_id: int = 0, num_command_queues: int = 1, l1_small_size: int = 0,
                      trace_region_size: int = 0, dispatch_core_config: Any = None, **others: Any) -> EmulatedDevice:
        """``ttnn.CreateDevice``: tt-metal's older name for ``open_device``, with ``device_id`` positional."""
        return open_device(device_id=device_id, num_command_queues=num_command_queues, l1_small_size=l1_small_size,
                           trace_region_size=trace_region_size, dispatch_core_config=dispatch_core_config, **others)

    def open_mesh_device(mesh_shape: Any = None, **device_kwargs: Any) -> MeshDevice:
        """An emulated mesh of chips; ``mesh_shape`` is a ``ttnn.MeshShape`` or ``(rows, cols)``."""
        rows, cols = (mesh_shape[0], mesh_shape[1]) if mesh_shape is not None else (1, 1)
        return MeshDevice([open_device(device_id=i, **device_kwargs) for i in range(rows * cols)], (rows, cols))

    def close(device: Any) -> None:
        device.closed = True
        for member in getattr(device, "devices", ()):  # a mesh closes its chips
            member.closed = True

    def synchronize_device(device: Any, cq_id: Any = None, sub_device_ids: Any = ()) -> None:
        """Every emulated op has finished when it returns: nothing to wait for, once the arguments are checked."""
        if sub_device_ids:
            raise UnsupportedTTNNOp("ttnn.synchronize_device(sub_device_ids=...): sub-devices are not emulated")
        metal_trace.queue_of(device, cq_id)

    def record_event(mesh_device: Any, cq_id: Any = None, sub_device_ids: Any = (), device_range: Any = None) -> Any:
        """An event that is complete at once: the emulator runs each queue's commands when they are issued."""
        if sub_device_ids or device_range is not None:
            raise UnsupportedTTNNOp("ttnn.record_event(sub_device_ids=..., device_range=...): sub-devices are not "
                                    "emulated")
        return ("event", mesh_device, metal_trace.queue_of(mesh_device, cq_id))

    def wait_for_event(cq_id: Any = None, mesh_event: Any = None) -> None:
        """A queue waits for an event: already complete (see ``record_event``); the queue must exist."""
        if not (isinstance(mesh_event, tuple) and mesh_event[:1] == ("event",)):
            raise TypeError("ttnn.wait_for_event needs the event that ttnn.record_event returned")
        metal_trace.queue_of(mesh_event[1], cq_id)

    def get_arch_name() -> str:
        """The emulated chip's architecture, as real ttnn names it (``wormhole_b0``, ``blackhole``)."""
        return chip.arch.lower()

    def pearson_correlation_coefficient(expected: Any, actual: Any) -> float:
        """Real ttnn's PCC, with an emulated tensor brought to the host first."""
        host = [REGISTRY["to_torch"].public(t) if isinstance(t, Tensor) else t for t in (expected, actual)]
        return _real.pearson_correlation_coefficient(*host)

    return dict(open_device=open_device, close_device=close, CreateDevice=create_device, CloseDevice=close,
                open_mesh_device=open_mesh_device,
                close_mesh_device=close, synchronize_device=synchronize_device, record_event=record_event,
                wait_for_event=wait_for_event, get_arch_name=get_arch_name,
                pearson_correlation_coefficient=pearson_correlation_coefficient)


def _device_module(functions: dict[str, Any]) -> EmulatedTTNN:
    """``ttnn.device``: opening and closing, and the architecture tests ask about (tt-metal's test utilities call
    ``ttnn.device.is_wormhole_b0()``)."""
    module = EmulatedTTNN("ttnn.device")
    arch = functions["get_arch_name"]

    def is_arch(name: str) -> Any:
        def check(device: Any = None) -> bool:
            return (device.arch() == getattr(_real.device.Arch, name.upper())) if device is not None else arch() == name

        check.__name__ = f"is_{name}"
        return check

    settings = ("Arch", "DispatchCoreType", "DispatchCoreAxis", "DispatchCoreConfig", "DEFAULT_L1_SMALL_SIZE",
                "DEFAULT_TRACE_REGION_SIZE")
    module.__dict__.update({n: getattr(_real.device, n) for n in settings})
    module.__dict__.update(is_wormhole_b0=is_arch("wormhole_b0"),
                           is_blackhole=is_arch("blackhole"), is_grayskull=is_arch("grayskull"),
                           **{n: functions[n] for n in ("open_device", "close_device", "synchronize_device",
                                                        "CreateDevice", "CloseDevice")})
    return module


def _model_preprocessing(namespace: EmulatedTTNN) -> types.ModuleType:
    """A fresh copy of real ttnn's ``model_preprocessing`` whose ``ttnn`` is ``namespace``."""
    real = importlib.import_module("ttnn.model_preprocessing")
    spec = importlib.util.spec_from_file_location("ttnn.model_preprocessing", real.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.ttnn = namespace
    return module


def _host_built(function: Any) -> Any:
    """``function`` (a real ttnn host builder) returning the emulator's host tensor of the same dtype, layout and
    values."""

    @functools.wraps(function)
    def build(*args: Any, **kwargs: Any) -> Tensor:
        made = function(*args, **kwargs)
        return REGISTRY["from_torch"].public(_real.to_torch(made), made.dtype, layout=made.layout)

    return build


def _types_module() -> EmulatedTTNN:
    """``ttnn.types``: real ttnn's settings types, with the emulator's ``Tensor``."""
    module = EmulatedTTNN("ttnn.types")
    module.__dict__.update({n: getattr(_real.types, n) for n in dir(_real.types)
                            if _passed_through(n, getattr(_real.types, n))})
    module.Tensor = Tensor
    return module


def _tracer_module() -> EmulatedTTNN:
    """``ttnn.tracer``: real ttnn's graph tracer, its ttnn half the emulator's (``graph_tracer``)."""
    module = EmulatedTTNN("ttnn.tracer")
    module.__dict__.update(graph_tracer.module_names())
    return module


def _submodule(namespace: EmulatedTTNN, module: str) -> EmulatedTTNN:
    """The emulated module ``module`` (``ttnn.operations.moreh``) under ``namespace``, made on first use."""
    home = namespace
    parts = module.split(".")
    for depth in range(2, len(parts) + 1):
        child = home.__dict__.get(parts[depth - 1])
        if child is None:
            child = EmulatedTTNN(".".join(parts[:depth]))
            setattr(home, parts[depth - 1], child)
        home = child
    return home


@functools.cache
def make_namespace(chip: str = "wormhole_n150") -> EmulatedTTNN:
    """The emulator as a ``ttnn`` module whose ``open_device`` opens ``chip``."""
    ensure_host_conversions(chip)
    namespace = EmulatedTTNN("ttnn", __doc__)
    namespace.__path__ = []  # a package: `import ttnn.model_preprocessing` finds its submodules
    names = {n: getattr(_real, n) for n in dir(_real) if _passed_through(n, getattr(_real, n, None))}
    names.update({n: getattr(_real, n) for n in HOST_HELPERS})
    names.update({n: _host_built(getattr(_real, n)) for n in HOST_TENSOR_BUILDERS})
    functions = _device_functions(chip)
    names.update(functions)
    names.update(
        ShardTensorToMesh=ShardTensorToMesh, ReplicateTensorToMesh=ReplicateTensorToMesh,
        ConcatMeshToTensor=ConcatMeshToTensor, MeshDevice=MeshDevice, MeshTensor=MeshTensor, Tensor=Tensor,
        Device=EmulatedDevice, types=_types_module(),
        get_fallback_function=get_fallback_function,
        begin_trace_capture=metal_trace.begin_trace_capture, end_trace_capture=metal_trace.end_trace_capture,
        execute_trace=metal_trace.execute_trace, release_trace=metal_trace.release_trace,
        chip=chip_named(chip), distribute=distributor(namespace),
    )
    namespace.__dict__.update(names)
    for module in MODULES[1:]:
        _submodule(namespace, module)
    for spec in REGISTRY.values():
        home = _submodule(namespace, spec.module)
        for name in (spec.name, *spec.aliases):
            setattr(home, name, spec.public)
    namespace.device = _device_module(functions)
    namespace.model_preprocessing = _model_preprocessing(namespace)
    namespace.tracer = _tracer_module()
    namespace.torch_tracer = graph_tracer.torch_tracer  # torch's half of the tracer: plain torch, real ttnn's
    return namespace


def install(chip: str = "wormhole_n150", *, config_at_import: bool = False) -> Any:
    """Make ``import ttnn`` the emulator for ``chip`` in this process (real ttnn when a card is present).

    ``config_at_import``: the next ``import ttnn`` reads ``TTNN_CONFIG_OVERRIDES`` / ``TTNN_CONFIG_PATH`` as they
    then are, so that a script (or a notebook's cell) that sets them before its ``import ttnn`` is configured as
    on a card, although ttnn was loaded before it ran (``python -m bertlib run``).

    Returns the ``ttnn`` now imported. Calling it again is harmless; asking for another chip once the
    emulator is installed raises, since modules already hold the first namespace. The emulator keeps
    using real ttnn internally (its dtypes, configs, host conversions and golden functions).
    """
    module = _installed(chip)
    if config_at_import:
        _config_at_first_import()
    return module


def _installed(chip: str) -> Any:
    if card_present():
        return _real
    pending = [f.module for f in sys.meta_path if isinstance(f, _ConfigAtFirstImport)]
    current = sys.modules.get("ttnn") or (pending[0] if pending else None)
    if getattr(current, "is_emulator", False):
        if current.chip.name != chip:
            raise RuntimeError(f"the emulator is installed for {current.chip.name}; it cannot switch to {chip} in "
                               "this process: start a new one")
        return current
    namespace = make_namespace(chip)
    sys.modules["ttnn"] = namespace
    for module in MODULES[1:]:
        parts = module.split(".")
        for depth in range(2, len(parts) + 1):  # ttnn.operations, then ttnn.operations.moreh
            sys.modules[".".join(parts[:depth])] = _submodule(namespace, ".".join(parts[:depth]))
    sys.modules["ttnn.device"] = namespace.device
    sys.modules["ttnn.model_preprocessing"] = namespace.model_preprocessing
    sys.modules["ttnn.tracer"] = namespace.tracer
    sys.modules["ttnn.torch_tracer"] = namespace.torch_tracer
    return namespace


class _ConfigAtFirstImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The next ``import ttnn`` gives ``module`` back, first applying ``TTNN_CONFIG_PATH`` and
    ``TTNN_CONFIG_OVERRIDES`` as they stand then, where they changed since real ttnn read them."""

    def __init__(self, module: Any) -> None:
        self.module = module

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        return importlib.util.spec_from_loader(fullname, self) if fullname == "ttnn" else None

    def create_module(self, spec: Any) -> Any:
        sys.meta_path.remove(self)
        path, overrides = os.environ.get("TTNN_CONFIG_PATH"), os.environ.get("TTNN_CONFIG_OVERRIDES")
        if path is not None and path != str(_real.CONFIG_PATH or ""):
            _real.CONFIG.load_from_file(path)
            _real.CONFIG_PATH = pathlib.Path(path)
        if overrides is not None and overrides != _real.CONFIG_OVERRIDES:
            _real.CONFIG.apply_json_overrides(overrides, True, "TTNN_CONFIG_OVERRIDES")
            _real.CONFIG_OVERRIDES = overrides
        return self.module

    def exec_module(self, module: Any) -> None:
        sys.modules["ttnn"] = module


def _config_at_first_import() -> None:
    """Let a script set ttnn's configuration before its own ``import ttnn``, as it would with ttnn not yet loaded
    (``python -m bertlib run`` has imported it already): that import applies the environment's
    ``TTNN_CONFIG_PATH`` / ``TTNN_CONFIG_OVERRIDES`` as they then are, as ttnn's loading does."""
    if "ttnn" in sys.modules:  # else the hook is in place already
        sys.meta_path.insert(0, _ConfigAtFirstImport(sys.modules.pop("ttnn")))
