"""An emulated mesh of N devices with ttnn's mesh API: data parallel BERT without a card (n300: 2 chips).

A tensor on a mesh is a :class:`MeshTensor`: one emulated tensor per device. Every emulated op, given
mesh tensors, runs once per device on that device's shards (a plain tensor counts as replicated), as a
card's mesh runs the same program on every chip. ``ShardTensorToMesh``, ``ReplicateTensorToMesh`` and
``ConcatMeshToTensor`` take the same arguments as ttnn's.

A mesh tensor's ``tensor_topology()`` is real ttnn's ``TensorTopology``, made as tt-metal's
``ttnn/core/distributed/distributed_tensor.cpp`` makes it: a mapper distributes over a 1-D shape of the mesh's
device count (one ``PlacementShard(dim)`` or ``PlacementReplicate()``), its coordinates the mesh's own in row-major
order; a tensor made on the mesh (a creation op, or a host tensor moved there) is fully replicated over the mesh's
shape (``TensorTopology::create_fully_replicated_tensor_topology``); an op's result keeps its input's topology.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch
import ttnn

from bertlib.emulator.chips import Chip
from bertlib.emulator.emulated_device import DeviceAPI
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.tensor import Tensor, bound_op, call_arguments


@dataclass
class MeshDevice(DeviceAPI):
    """Emulated ``ttnn.MeshDevice``: a grid of emulated devices that each run the same ops."""

    devices: list[Any]
    shape: tuple[int, int]
    closed: bool = False

    def _chip(self) -> Chip:
        return self.devices[0].chip

    def get_num_devices(self) -> int:
        return len(self.devices)

    def get_devices(self) -> list[Any]:
        return list(self.devices)

    def get_device_ids(self) -> list[int]:
        return [device.device_id for device in self.devices]

    def id(self) -> int:
        return self.devices[0].device_id

    def enable_program_cache(self) -> None:
        for device in self.devices:
            device.enable_program_cache()

    def disable_and_clear_program_cache(self) -> None:
        for device in self.devices:
            device.disable_and_clear_program_cache()

    def clear_program_cache(self) -> None:
        for device in self.devices:
            device.clear_program_cache()

    def set_program_cache_misses_allowed(self, allowed: bool) -> None:
        for device in self.devices:
            device.set_program_cache_misses_allowed(allowed)

    def num_program_cache_entries(self) -> int:
        return self.devices[0].num_program_cache_entries()

    trace_region_size = property(lambda self: self.devices[0].trace_region_size)
    num_command_queues = property(lambda self: self.devices[0].num_command_queues)

    def __repr__(self) -> str:
        return f"MeshDevice(emulated, {self.shape[0]}x{self.shape[1]} of {self.devices[0].chip.name})"


def _coordinates(mesh: MeshDevice, count: int | None = None) -> list[Any]:
    """The first ``count`` (default: all) of the mesh's device coordinates, in row-major order."""
    rows, cols = mesh.shape
    return [ttnn.MeshCoordinate(i // cols, i % cols) for i in range(rows * cols if count is None else count)]


def replicated_topology(mesh: MeshDevice) -> Any:
    """The topology of a tensor made on ``mesh``: replicated over the mesh's own shape."""
    return ttnn.TensorTopology(ttnn.MeshShape(list(mesh.shape)), [ttnn.PlacementReplicate()] * len(mesh.shape),
                               _coordinates(mesh))


class MeshTensor(Tensor):
    """One emulated tensor per mesh device (ttnn's multi-device tensor). ``shape`` is one shard's shape.

    It is a ``ttnn.Tensor``, as a multi-device tensor is in real ttnn (``preprocess_model_parameters`` moves only
    ``ttnn.Tensor`` values to the device); ops take it shard by shard (``mesh_aware``).

    ``topology`` is its ``ttnn.TensorTopology`` (module docstring); None where the maker did not say (a mapper's
    tensor made by code that does not pass the mapper's topology): ``tensor_topology()`` then refuses by name."""

    def __init__(self, shards: list[Any], mesh: MeshDevice, topology: Any = None) -> None:
        self.shards = shards
        self.mesh = mesh
        self.topology = topology

    shape = property(lambda self: self.shards[0].shape)
    logical_shape = property(lambda self: self.shards[0].logical_shape)
    mem_config = property(lambda self: self.shards[0].mem_config)
    on_device = property(lambda self: None if self.shards[0].on_device is None else self.mesh)
    deallocated = property(lambda self: any(shard.deallocated for shard in self.shards))
    padded_shape = property(lambda self: self.shards[0].padded_shape)
    dtype = property(lambda self: self.shards[0].dtype)
    layout = property(lambda self: self.shards[0].layout)

    def memory_config(self) -> Any:
        return self.shards[0].memory_config()

    def device(self) -> MeshDevice:
        return self.mesh

    def devices(self) -> list[Any]:
        return [shard.on_device for shard in self.shards]

    def get_dtype(self) -> Any:
        return self.dtype

    def get_layout(self) -> Any:
        return self.layout

    def is_sharded(self) -> bool:
        return self.shards[0].is_sharded()

    def is_allocated(self) -> bool:
        return all(shard.is_allocated() for shard in self.shards)

    def checked(self) -> MeshTensor:
        """The tensor, if every shard's buffer still exists (``Tensor.checked``)."""
        for shard in self.shards:
            shard.checked()
        return self

    def storage_type(self) -> Any:
        return self.shards[0].storage_type()

    def to_torch(self, mesh_composer: Any = None) -> torch.Tensor:
        """``ttnn.to_torch(self, mesh_composer=...)``."""
        return bound_op("to_torch")(self, mesh_composer=mesh_composer)

    def cpu(self, blocking: bool = True, cq_id: Any = None) -> MeshTensor:
        """The tensor on the host, one shard per device as on the mesh (``ttnn.from_device``); a host one as it is."""
        if all(shard.on_device is None for shard in self.shards):
            return self
        return bound_op("from_device")(self, blocking, cq_id)

    def tensor_topology(self) -> Any:
        """How the tensor is spread over the mesh: real ttnn's ``TensorTopology`` (module docstring)."""
        if self.topology is None:
            raise UnsupportedTTNNOp("Tensor.tensor_topology() of this mesh tensor is not emulated: the emulator did "
                                    "not record how its mesh_mapper distributed it")
        return self.topology

    def __repr__(self) -> str:
        """Each device's shard as real ttnn prints a multi-device tensor (one device: just its shard)."""
        if len(self.shards) == 1:
            return repr(self.shards[0])
        cols = self.mesh.shape[1]
        return "\n".join(f"device_id: {shard.on_device.device_id if shard.on_device is not None else i}, "
                         f"MeshCoordinate([{i // cols}, {i % cols}])\n{shard!r}" for i, shard in enumerate(self.shards))


class ShardTensorToMesh:
    """Split a torch tensor along ``dim`` into one shard per mesh device."""

    def __init__(self, mesh_device: MeshDevice, dim: int) -> None:
        self.mesh, self.dim = mesh_device, dim

    def topology(self) -> Any:
        """Real ttnn's topology for it: a 1-D distribution over the devices, sharded along ``dim``."""
        n = self.mesh.get_num_devices()
        return ttnn.TensorTopology(ttnn.MeshShape([n]), [ttnn.PlacementShard(self.dim)], _coordinates(self.mesh, n))

    def map(self, tensor: torch.Tensor) -> list[torch.Tensor]:
        n = self.mesh.get_num_devices()
        if tensor.shape[self.dim] % n:
            raise RuntimeError(f"dim {self.dim} of size {tensor.shape[self.dim]} does not split over {n} devices: "
                               f"use a multiple of {n} (e.g. pad the batch)")
        return list(torch.chunk(tensor, n, dim=self.dim))


class ReplicateTensorToMesh:
    """The same torch tensor on every mesh device."""

    def __init__(self, mesh_device: MeshDevice) -> None:
        self.mesh = mesh_device

    def topology(self) -> Any:
        """Real ttnn's topology for it: a 1-D distribution over the devices, replicated."""
        n = self.mesh.get_num_devices()
        return ttnn.TensorTopology(ttnn.MeshShape([n]), [ttnn.PlacementReplicate()], _coordinates(self.mesh, n))

    def map(self, tensor: torch.Tensor) -> list[torch.Tensor]:
        return [tensor] * self.mesh.get_num_devices()


class ConcatMeshToTensor:
    """Join the shards of a mesh tensor along ``dim`` into one torch tensor."""

    def __init__(self, mesh_device: MeshDevice, dim: int) -> None:
        self.mesh, self.dim = mesh_device, dim

    def compose(self, shards: list[torch.Tensor]) -> torch.Tensor:
        return torch.cat(shards, dim=self.dim)


def distributor(namespace: Any) -> Callable[[Any], contextlib.AbstractContextManager[None]]:
    """``ttnn.distribute`` for the emulated ``namespace``, as real ttnn's ``ttnn/distributed/distributed.py`` has
    it: within ``with ttnn.distribute(default):``, ``namespace.from_torch`` takes ``mesh_mapper=default`` (a
    mapper) or ``namespace.to_torch`` takes ``mesh_composer=default`` (a composer) unless given; both are restored
    on exit. Code that reads ``ttnn.from_torch`` at call time (``preprocess_model_parameters``) sees the default."""

    @contextlib.contextmanager
    def distribute(default: Any) -> Iterator[None]:
        from_torch, to_torch = namespace.from_torch, namespace.to_torch
        try:
            if isinstance(default, ShardTensorToMesh | ReplicateTensorToMesh):
                namespace.from_torch = functools.partial(from_torch, mesh_mapper=default)
            elif isinstance(default, ConcatMeshToTensor):
                namespace.to_torch = functools.partial(to_torch, mesh_composer=default)
            else:
                raise ValueError("Argument must be an instance of either TensorToMesh or MeshToTensor.")
            yield
        finally:
            namespace.from_torch, namespace.to_torch = from_torch, to_torch

    return distribute


def _shard(value: Any, index: int) -> Any:
    if isinstance(value, MeshTensor):
        return value.shards[index]
    if isinstance(value, (list, tuple)) and any(isinstance(v, MeshTensor) for v in value):
        return type(value)(_shard(v, index) for v in value)
    return value


def _topology_of(args: tuple, kwargs: dict, mesh: MeshDevice) -> Any:
    """The topology an op's result has: its first mesh tensor input's, else (made on the mesh) replicated."""
    for item in call_arguments(args, kwargs):
        if isinstance(item, MeshTensor):
            return item.topology
    return replicated_topology(mesh)


def _mesh_of(args: tuple, kwargs: dict) -> MeshDevice | None:
    for item in call_arguments(args, kwargs):
        if isinstance(item, MeshTensor):
            return item.mesh
        if isinstance(item, MeshDevice):
            return item
    return None


def mesh_aware(op: Callable) -> Callable:
    """``op`` run once per mesh device when any argument is a mesh tensor (or the device is a mesh)."""

    @functools.wraps(op)
    def run(*args: Any, **kwargs: Any) -> Any:
        mesh = _mesh_of(args, kwargs)
        if mesh is None:
            return op(*args, **kwargs)
        results = []
        for i, device in enumerate(mesh.devices):
            call_args = [device if a is mesh else _shard(a, i) for a in args]
            call_kwargs = {k: device if v is mesh else _shard(v, i) for k, v in kwargs.items()}
            results.append(op(*call_args, **call_kwargs))
        first = results[0]
        if first is None:
            return None
        topology = _topology_of(args, kwargs, mesh)
        if isinstance(first, tuple | list):  # (values, indices) of topk; split's and chunk's pieces
            return type(first)(MeshTensor([r[j] for r in results], mesh, topology) for j in range(len(first)))
        if not isinstance(first, Tensor):  # a per-device scalar (item) or setting: each device's, as a list
            return results
        return MeshTensor(results, mesh, topology)

    return run
