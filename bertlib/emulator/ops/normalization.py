"""Normalisation: LayerNorm, RMSNorm, GroupNorm, and the softmax variants.

Semantics are tt-metal's (``ttnn/cpp/ttnn/operations/normalization``) and real ttnn 0.81.1's docstrings:

- ``rms_norm``: ``x / sqrt(mean(x**2) + epsilon) * weight + bias`` over the last dim of ``x (+ residual)``; TILE
  inputs (bfloat16, float32, bfloat8_b); weight and bias TILE (padded width the input's) or ROW_MAJOR
  ``[..., W / 32, 32]`` sticks; LayerNorm's program configs (sharded: width or block, never height).
- ``group_norm``: the input is ``[N, 1, H*W, C]`` (channels last, each sample's pixels in one dim); groups are
  formed along C, which must be a multiple of 32 and of ``num_groups``. Interleaved inputs are TILE; ROW_MAJOR only
  when sharded (height or block). ``weight``/``bias`` are ROW_MAJOR sticks as ``ttnn.create_group_norm_weight_bias_rm``
  packs them (C split into per-core chunks, each padded to 32); ``input_mask`` must be one
  ``ttnn.create_group_norm_input_mask`` makes (the emulator checks its values: a card would silently normalise
  other groups with any other mask).
- ``softmax_in_place`` and ``scale_causal_mask_hw_dims_softmax_in_place`` overwrite their input; ``softmax`` is
  always numerically stable except for a rank-4 softmax over the last dim (tt-metal's general kernels).
- ``layer_norm`` with a Welford program config reads the reciprocal table ``create_layer_norm_reciprocals`` makes
  (``recip_tensor``); LayerNorm and RMSNorm weigh only the input's logical width of a weight/bias.

Numerics: as ``layer_norm``: the statistics and the normalisation in float32 on the stored values,
the result rounded to the output dtype; a residual is added first, its sum rounded to bfloat16 without fp32
accumulation. RMSNorm's default compute config is HiFi4, approx on, no fp32 accumulation (real ttnn's
``rmsnorm_default_compute_config``). GroupNorm's bfloat16 statistics error on non-tile-aligned H*W (its docstring's
``Var - K*E[x]^2`` cancellation) is not modelled: the emulator's GroupNorm is the ``use_welford`` one (float32
two-pass statistics). Softmax numerics are ``numerics.softmax_values``.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import torch
import ttnn

from bertlib.emulator import program_configs, sharding
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import BLOCK_FLOAT, NORM_DEFAULTS, TILE, Numerics, round_bf16, softmax_values
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import check_grid, device_input, emit, golden, output_config, tiled
from bertlib.emulator.ops.tensors import from_torch
from bertlib.emulator.tensor import Tensor, padded

_NORM_DTYPES = (ttnn.bfloat16, ttnn.float32, ttnn.bfloat8_b)
#: real ttnn's rmsnorm_default_compute_config: HiFi4, approx on, no fp32 accumulation.
RMS_DEFAULTS = dict(fidelity="HiFi4", approx=True, fp32=False)


def _dtype_name(dtype: Any) -> str:
    return f"DataType.{str(dtype).split('.')[-1].upper()}"


# ----------------------------------------------------------------------------------------------------- RMSNorm
def _check_affine(op_name: str, t: Tensor, x: Tensor, name: str) -> None:
    """tt-metal's layernorm validation (layernorm_device_operation.cpp, shared by LayerNorm and RMSNorm): a TILE
    weight/bias is one tile high and spans the input's padded width; a ROW_MAJOR one is sticks of 32
    (``[..., W / 32, 32]``) holding exactly the input's padded width."""
    if t.dtype not in (ttnn.bfloat16, ttnn.float32):
        raise RuntimeError(f"ttnn.{op_name}: {name} must be BFLOAT16 or FLOAT32 - got {_dtype_name(t.dtype)}")
    width = x.logical_shape[-1]
    padded_width = padded(x.logical_shape, x.layout)[-1]
    if t.layout == ttnn.TILE_LAYOUT:
        t_padded = padded(t.logical_shape, t.layout)
        if t_padded[-1] != padded_width:
            raise RuntimeError(f"ttnn.{op_name}: a TILE {name}'s last padded dim must be the input's ({padded_width})")
        if t_padded[-2] != TILE:
            raise RuntimeError(f"ttnn.{op_name}: {name} tensor height must be TILE_HEIGHT (32), got {t_padded[-2]}")
        if t.logical_shape[-1] < width:
            raise UnsupportedTTNNOp(f"ttnn.{op_name}: a TILE {name} {t.logical_shape[-1]} wide for an input "
                                    f"{width} wide is not emulated: a card reads the {name}'s tile padding for the "
                                    "remaining columns")
    elif t.logical_shape[-1] != TILE or math.prod(t.logical_shape) != padded_width:
        raise RuntimeError(f"ttnn.{op_name}: a ROW_MAJOR {name}'s last dim must be TILE_WIDTH (32) and its "
                           f"volume the input's padded width ({padded_width}): reshape it to "
                           f"[1, 1, {padded_width // TILE}, 32] (got {list(t.logical_shape)})")


def _affine(t: Tensor | None, width: int) -> torch.Tensor | None:
    """The ``width`` per-column values a card applies: row 0 of a TILE weight/bias (the kernels broadcast the
    tile's first row), or the first ``width`` values of ROW_MAJOR sticks (the rest pad the last tile)."""
    if t is None:
        return None
    values = t.values.reshape(-1, t.logical_shape[-1])[0] if t.layout == ttnn.TILE_LAYOUT else t.values.reshape(-1)
    return values[:width]


def _norm_output_config(op_name: str, x: Tensor, memory_config: Any) -> Any:
    config = output_config(memory_config, x.mem_config)
    if sharding.is_sharded(x.mem_config):
        if x.mem_config.memory_layout == ttnn.TensorMemoryLayout.HEIGHT_SHARDED:
            raise RuntimeError(f"ttnn.{op_name}: sharded inputs cannot be height-sharded (use width or block "
                               "sharding)")
        if not sharding.is_sharded(config):
            raise RuntimeError(f"ttnn.{op_name}: a sharded input needs a sharded output memory config")
        if config.shard_spec is None:
            config = x.mem_config  # a sharded norm writes each core's block where it read it
    return config


@op(family="normalization", group="layer norm")
def rms_norm(
    input_tensor: Tensor,
    *,
    epsilon: float = 1e-12,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    residual_input_tensor: Tensor | None = None,
    memory_config: Any = None,
    program_config: Any = None,
    compute_kernel_config: Any = None,
) -> Tensor:
    """RMSNorm over the last dim of ``input_tensor (+ residual_input_tensor)``, then ``* weight + bias``."""
    x = device_input(input_tensor)
    tiled(x, "rms_norm")
    if x.dtype not in _NORM_DTYPES or not x.logical_shape:
        raise RuntimeError(f"ttnn.rms_norm supports BFLOAT16, FLOAT32 and BFLOAT8_B inputs of rank >= 1 - got "
                           f"{_dtype_name(x.dtype)}, rank {len(x.logical_shape)}")
    residual = None if residual_input_tensor is None else device_input(residual_input_tensor, "residual_input_tensor")
    if residual is not None and padded(residual.logical_shape, residual.layout) != padded(x.logical_shape, x.layout):
        raise RuntimeError("ttnn.rms_norm: residual_input_tensor must have the input's padded shape")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            _check_affine("rms_norm", device_input(t, name), x, name)
    if getattr(program_config, "use_welford", False):
        raise RuntimeError("ttnn.rms_norm: Welford's algorithm is not supported for RMSNorm")
    numerics = Numerics.resolve(compute_kernel_config, **RMS_DEFAULTS)
    described = program_configs.check_layer_norm(program_config, x.mem_config, x.on_device,
                                                 None if residual is None else residual.mem_config)
    config = _norm_output_config("rms_norm", x, memory_config)
    in_place = getattr(program_config, "inplace", False)

    def compute() -> torch.Tensor:
        values = x.values
        if residual is not None:
            values = values + residual.values
            if not numerics.fp32_dest_acc_en:
                values = round_bf16(values)
        width = x.logical_shape[-1]
        return golden(ttnn.rms_norm)(values, _affine(weight, width), epsilon=epsilon, bias=_affine(bias, width))

    extras = [t for t in (residual, weight, bias) if t is not None]
    return emit("rms_norm", [x, *extras], x.logical_shape, x.dtype, x.layout, config, x.on_device,
                None if x.stored is None else compute, flops=5 * math.prod(x.logical_shape), numerics=numerics,
                program_config=described, output_tensor=x if in_place else None)


# --------------------------------------------------------------------------------------------------- GroupNorm
@functools.cache
def _expected_mask(channels: int, groups: int, cores: int, rows_in_last_tile: int) -> torch.Tensor:
    """The values of ``ttnn.create_group_norm_input_mask(channels, groups, cores, rows_in_last_tile=...)``."""
    mask = ttnn.create_group_norm_input_mask(channels, groups, cores, rows_in_last_tile=rows_in_last_tile)
    return ttnn.to_torch(mask).to(torch.float32)


def _mask_cores(mask: Tensor, channels: int, groups: int, hw: int) -> int:
    """The channel split (cores across C) whose ``create_group_norm_input_mask`` ``mask`` is; refused if none."""
    shape = tuple(mask.logical_shape)
    if mask.layout != ttnn.TILE_LAYOUT or mask.dtype not in (ttnn.bfloat16, ttnn.bfloat8_b):
        raise RuntimeError("ttnn.group_norm: input_mask must be BFLOAT16 or BFLOAT8_B in TILE layout")
    if len(shape) != 4 or shape[1] not in (groups, 2 * groups) or shape[2] != TILE or shape[3] % TILE:
        raise RuntimeError(f"ttnn.group_norm: input_mask must be [1, num_groups, 32, a multiple of 32] (got "
                           f"{list(shape)}): make it with ttnn.create_group_norm_input_mask")
    rows = hw % TILE if shape[1] == 2 * groups else 0
    for cores in (k for k in range(1, channels // TILE + 1) if channels % k == 0):
        expected = _expected_mask(channels, groups, cores, rows)
        if tuple(expected.shape) == shape and mask.values is not None and torch.equal(expected, mask.values):
            return cores
    raise UnsupportedTTNNOp("ttnn.group_norm(input_mask=...) with a mask that ttnn.create_group_norm_input_mask("
                            f"{channels}, {groups}, cores) does not make is not emulated: a card would normalise "
                            "other channel groups than num_groups says")


def _channels(param: Tensor, channels: int, cores: int | None, name: str) -> torch.Tensor:
    """The ``channels`` values of a packed weight/bias: C values, or ``cores`` chunks each padded to 32
    (``ttnn.create_group_norm_weight_bias_rm``)."""
    if param.layout != ttnn.ROW_MAJOR_LAYOUT or param.dtype not in (ttnn.bfloat16, ttnn.float32):
        raise RuntimeError(f"ttnn.group_norm: {name} must be BFLOAT16 or FLOAT32 in ROW_MAJOR layout")
    flat = param.values.reshape(-1)
    if flat.numel() == channels:
        return flat
    splits = [cores] if cores else [k for k in range(1, channels + 1) if channels % k == 0]
    for k in splits:
        chunk = channels // k
        if k * math.ceil(chunk / TILE) * TILE == flat.numel():
            return flat.reshape(k, -1)[:, :chunk].reshape(-1)
    raise RuntimeError(f"ttnn.group_norm: {name} holds {flat.numel()} values, not the {channels} channels packed as "
                       "ttnn.create_group_norm_weight_bias_rm packs them")


def _check_group_norm(x: Tensor, num_groups: int, dtype: Any, num_out_blocks: int | None, core_grid: Any,
                      negative_mask: Tensor | None) -> None:
    shape = tuple(x.logical_shape)
    if len(shape) != 4 or shape[1] != 1:
        raise RuntimeError(f"ttnn.group_norm expects a [N, 1, H*W, C] input (got {list(shape)}): permute an NCHW "
                           "tensor to NHWC and fold H and W into one dim")
    if x.dtype not in (ttnn.bfloat16, ttnn.float32):
        raise RuntimeError(f"ttnn.group_norm supports BFLOAT16 and FLOAT32 inputs - got {_dtype_name(x.dtype)}")
    if shape[3] % TILE or num_groups <= 0 or shape[3] % num_groups:
        raise RuntimeError(f"ttnn.group_norm: C ({shape[3]}) must be a multiple of 32 and of num_groups "
                           f"({num_groups})")
    if dtype is not None and dtype != x.dtype:
        raise RuntimeError(f"ttnn.group_norm: dtype ({_dtype_name(dtype)}) must equal the input's "
                           f"({_dtype_name(x.dtype)})")
    sharded = sharding.is_sharded(x.mem_config)
    if sharded and x.mem_config.memory_layout == ttnn.TensorMemoryLayout.WIDTH_SHARDED:
        raise RuntimeError("ttnn.group_norm: width-sharding is not supported (use height or block sharding)")
    if not sharded and x.layout != ttnn.TILE_LAYOUT:
        raise RuntimeError("ttnn.group_norm: an interleaved input must be in TILE layout: convert it with "
                           "ttnn.to_layout(input, ttnn.TILE_LAYOUT)")
    if x.layout == ttnn.ROW_MAJOR_LAYOUT and shape[2] % TILE:
        raise RuntimeError(f"ttnn.group_norm: a ROW_MAJOR input's H*W ({shape[2]}) must be a multiple of 32")
    if negative_mask is not None and not (sharded and x.layout == ttnn.ROW_MAJOR_LAYOUT):
        raise RuntimeError("ttnn.group_norm: negative_mask can be used only with ROW_MAJOR sharded inputs")
    if num_out_blocks is not None and not sharded:
        if core_grid is None:
            raise RuntimeError("ttnn.group_norm: num_out_blocks needs an explicit core_grid (without one it is chosen "
                               "automatically)")
        if num_out_blocks != -1 and num_out_blocks < 1:
            raise RuntimeError(f"ttnn.group_norm: num_out_blocks must be -1 or at least 1 (got {num_out_blocks})")


@op(family="normalization", group="normalization")
def group_norm(
    input_tensor: Tensor,
    *,
    num_groups: int,
    epsilon: float = 1e-12,
    input_mask: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    memory_config: Any = None,
    dtype: Any = None,
    core_grid: Any = None,
    inplace: bool | None = True,
    output_layout: Any = None,
    num_out_blocks: int | None = None,
    compute_kernel_config: Any = None,
    negative_mask: Tensor | None = None,
    use_welford: bool = False,
) -> Tensor:
    """GroupNorm of a ``[N, 1, H*W, C]`` tensor: each sample's channels in ``num_groups`` groups normalised
    together, then ``* weight + bias`` per channel. ``inplace`` overwrites a ROW_MAJOR sharded input (a card does
    not write a TILE input in place); ``num_out_blocks`` only splits a card's work."""
    x = device_input(input_tensor)
    mask = None if input_mask is None else device_input(input_mask, "input_mask")
    if negative_mask is not None:
        device_input(negative_mask, "negative_mask")
    _check_group_norm(x, num_groups, dtype, num_out_blocks, core_grid, negative_mask)
    check_grid(core_grid, x.on_device)
    channels, hw = x.logical_shape[3], x.logical_shape[2]
    cores = None if mask is None else _mask_cores(mask, channels, num_groups, hw)
    params = {name: _channels(device_input(t, name), channels, cores, name)
              for name, t in (("weight", weight), ("bias", bias)) if t is not None}
    if weight is not None and bias is not None and weight.dtype != bias.dtype:
        raise RuntimeError("ttnn.group_norm: weight and bias must share the same dtype")
    layout = output_layout if output_layout is not None else x.layout
    if layout == ttnn.ROW_MAJOR_LAYOUT and x.dtype in BLOCK_FLOAT:
        raise RuntimeError("ttnn.group_norm: a block-float output must be TILE")
    config = output_config(memory_config, x.mem_config)
    numerics = Numerics.resolve(compute_kernel_config, fidelity="HiFi4", approx=True, fp32=bool(use_welford))
    in_place = bool(inplace) and x.layout == ttnn.ROW_MAJOR_LAYOUT and layout == x.layout and sharding.is_sharded(
        x.mem_config)

    def compute() -> torch.Tensor:
        return golden(ttnn.group_norm)(x.values, num_groups=num_groups, epsilon=epsilon, weight=params.get("weight"),
                                       bias=params.get("bias"))

    inputs = [t for t in (x, mask, weight, bias) if t is not None]
    return emit("group_norm", inputs, x.logical_shape, x.dtype, layout, config, x.on_device,
                None if x.stored is None else compute, flops=8 * math.prod(x.logical_shape), numerics=numerics,
                output_tensor=x if in_place else None)


# --------------------------------------------------------------------------------------------- softmax variants
@op(family="normalization", group="softmax")
def softmax_in_place(
    input_tensor: Tensor,
    dim: int = -1,
    *,
    program_config: Any = None,
    compute_kernel_config: Any = None,
    numeric_stable: bool = True,
) -> Tensor:
    """In place: softmax over ``dim`` (a sharded ``program_config`` softmaxes the last dim of its shards)."""
    x = device_input(input_tensor)
    tiled(x, "softmax_in_place")
    if x.dtype not in _NORM_DTYPES:
        raise RuntimeError(f"ttnn.softmax_in_place supports BFLOAT16, FLOAT32 and BFLOAT8_B - got "
                           f"{_dtype_name(x.dtype)}")
    rank = len(x.logical_shape)
    if not -rank <= dim < rank:
        raise RuntimeError(f"ttnn.softmax_in_place: dim {dim} is out of range for a rank-{rank} tensor")
    described = program_configs.check_softmax(program_config, x.logical_shape, x.mem_config, x.on_device)
    sharded_config = isinstance(program_config, ttnn.SoftmaxShardedMultiCoreProgramConfig)
    if sharded_config and dim % rank != rank - 1:
        raise RuntimeError("ttnn.softmax_in_place: a sharded program config softmaxes the last dim only")
    numerics = Numerics.resolve(compute_kernel_config, **NORM_DEFAULTS)
    return emit("softmax_in_place", [x], x.logical_shape, x.dtype, x.layout, x.mem_config, x.on_device,
                None if x.stored is None else (lambda: softmax_values(x.stored, numerics, dim, stable=numeric_stable)),
                flops=5 * math.prod(x.logical_shape), numerics=numerics, program_config=described, output_tensor=x)


@op(family="normalization", group="softmax")
def scale_causal_mask_hw_dims_softmax_in_place(
    input_tensor: Tensor,
    scale: float | None = None,
    mask: Tensor | None = None,
    *,
    program_config: Any = None,
    compute_kernel_config: Any = None,
    numeric_stable: bool = False,
) -> Tensor:
    """In place: ``softmax(input_tensor * scale + mask)`` over the last dim of a sharded tensor, ``mask`` a
    ``[1, 1, H, W]`` causal mask shared by every batch and head."""
    x = device_input(input_tensor)
    if not sharding.is_sharded(x.mem_config) or not isinstance(program_config,
                                                               ttnn.SoftmaxShardedMultiCoreProgramConfig):
        raise RuntimeError("ttnn.scale_causal_mask_hw_dims_softmax_in_place needs a sharded input and a "
                           "ttnn.SoftmaxShardedMultiCoreProgramConfig")
    if x.dtype not in _NORM_DTYPES:
        raise RuntimeError(f"ttnn.scale_causal_mask_hw_dims_softmax_in_place supports BFLOAT16, FLOAT32 and "
                           f"BFLOAT8_B - got {_dtype_name(x.dtype)}")
    if mask is not None:
        m = device_input(mask, "mask")
        if (len(m.logical_shape) != 4 or tuple(m.logical_shape[:2]) != (1, 1) or m.layout != ttnn.TILE_LAYOUT
                or sharding.is_sharded(m.mem_config) or m.dtype not in (ttnn.bfloat16, ttnn.bfloat8_b)):
            raise RuntimeError("ttnn.scale_causal_mask_hw_dims_softmax_in_place: the mask must be an interleaved "
                               "TILE BFLOAT16/BFLOAT8_B tensor of shape [1, 1, H, W]")
    out = masked_softmax("scale_causal_mask_hw_dims_softmax_in_place", x, scale=scale, mask=mask, causal_mask=True,
                         numeric_stable=numeric_stable, compute_kernel_config=compute_kernel_config,
                         program_config=program_config, memory_config=None)
    x.stored = out.stored
    return x


# ------------------------------------------------------------------------------------- softmax and LayerNorm
@op(family="normalization", group="softmax")
def softmax(
    input_tensor: Tensor,
    dim: int = -1,
    *,
    memory_config: Any = None,
    compute_kernel_config: Any = None,
    numeric_stable: bool = True,
) -> Tensor:
    """Softmax over ``dim``. Only a rank-4 softmax over the last dim runs tt-metal's attention softmax kernel,
    which honours ``numeric_stable``; every other (rank, dim) runs its general kernels (the moreh softmax of
    softmax_program_factory_general_*.cpp), which always subtract the max first, whatever ``numeric_stable`` says
    (softmax_device_operation.cpp, ``select_program_factory``)."""
    x = device_input(input_tensor)
    tiled(x, "softmax")
    rank = len(x.logical_shape)
    if not -rank <= dim < rank:
        raise RuntimeError(f"ttnn.softmax: Dimension out of range. Dim: {dim} (rank {rank})")
    stable = numeric_stable or not (rank == 4 and dim % rank == rank - 1)
    numerics = Numerics.resolve(compute_kernel_config, **NORM_DEFAULTS)
    return emit(
        "softmax", [x], x.logical_shape, x.dtype, x.layout, output_config(memory_config, x.mem_config), x.on_device,
        None if x.stored is None else (lambda: softmax_values(x.stored, numerics, dim, stable=stable)),
        flops=5 * math.prod(x.logical_shape), numerics=numerics, attributes=(dim % rank, stable),
    )


def masked_softmax(op: str, tensor: Tensor, *, scale: float | None, mask: Tensor | None, causal_mask: bool,
                   numeric_stable: bool, compute_kernel_config: Any, program_config: Any, memory_config: Any) -> Tensor:
    """The fused ``softmax(tensor * scale + mask)`` of the attention and scale-mask softmax ops.

    A card broadcasts one mask row over every query unless ``causal_mask`` (then the mask has one row per query).
    """
    x = device_input(tensor)
    tiled(x, op)
    mask = None if mask is None else device_input(mask, "mask")
    if mask is not None and causal_mask and tuple(mask.logical_shape[-2:]) != tuple(x.logical_shape[-2:]):
        raise RuntimeError(f"a causal mask has one row per query: its last two dims {list(mask.logical_shape[-2:])} "
                           f"must be the scores' {list(x.logical_shape[-2:])}")
    if mask is not None and not causal_mask and mask.logical_shape[-2] != 1:
        raise UnsupportedTTNNOp(f"ttnn.{op}: without a causal mask a card reads one mask row for every query; this "
                                f"mask has {mask.logical_shape[-2]} rows. Pass a (batch, 1, 1, keys) mask, or mark it "
                                "causal for a full one")
    described = program_configs.check_softmax(program_config, x.logical_shape, x.mem_config, x.on_device)
    numerics = Numerics.resolve(compute_kernel_config, **NORM_DEFAULTS)

    def compute() -> torch.Tensor:
        return softmax_values(x.stored, numerics, stable=numeric_stable, scale=scale,
                              mask=None if mask is None else mask.values)

    return emit(
        op, [x] if mask is None else [x, mask], x.logical_shape, x.dtype, x.layout,
        output_config(memory_config, x.mem_config), x.on_device, None if x.stored is None else compute,
        flops=7 * math.prod(x.logical_shape), numerics=numerics, program_config=described,
    )


@op(family="normalization", group="softmax")
def scale_mask_softmax(
    input_tensor: Tensor,
    scale: float | None = None,
    mask: Tensor | None = None,
    *,
    memory_config: Any = None,
    is_causal_mask: bool = False,
    compute_kernel_config: Any = None,
    numeric_stable: bool = True,
) -> Tensor:
    """``softmax(input_tensor * scale + mask)`` over the last dim, into a new tensor."""
    return masked_softmax("scale_mask_softmax", input_tensor, scale=scale, mask=mask, causal_mask=is_causal_mask,
                          numeric_stable=numeric_stable, compute_kernel_config=compute_kernel_config,
                          program_config=None, memory_config=memory_config)


@op(family="normalization", group="softmax")
def scale_mask_softmax_in_place(
    input_tensor: Tensor,
    scale: float | None = None,
    mask: Tensor | None = None,
    *,
    program_config: Any = None,
    is_causal_mask: bool = False,
    compute_kernel_config: Any = None,
    numeric_stable: bool = False,
) -> Tensor:
    """In place: ``softmax(input_tensor * scale + mask)`` over the last dim (sharded inputs take a sharded
    ``program_config``)."""
    out = masked_softmax("scale_mask_softmax_in_place", input_tensor, scale=scale, mask=mask,
                         causal_mask=is_causal_mask, numeric_stable=numeric_stable,
                         compute_kernel_config=compute_kernel_config, program_config=program_config,
                         memory_config=None)
    input_tensor.stored = out.stored
    return input_tensor


@op(family="normalization", group=None, per_device=False)
def create_layer_norm_reciprocals(device: Any, core_range_set: Any, width: int) -> Tensor:
    """The reciprocal table a Welford LayerNorm reads (real ttnn's ``create_layer_norm_reciprocals``):
    ``[1/1, 1/2, ..., 1/width]`` as float32, one ROW_MAJOR row per core of ``core_range_set``, HEIGHT_SHARDED in L1
    so that each core holds the whole table."""
    if width < 1:
        raise RuntimeError(f"ttnn.create_layer_norm_reciprocals: width must be at least 1 (got {width})")
    cores = core_range_set.num_cores()
    row = 1.0 / torch.arange(1, width + 1, dtype=torch.float64)
    memory_config = ttnn.MemoryConfig(ttnn.TensorMemoryLayout.HEIGHT_SHARDED, ttnn.BufferType.L1,
                                      ttnn.ShardSpec(core_range_set, (1, width), ttnn.ShardOrientation.ROW_MAJOR))
    return from_torch(row.to(torch.float32).repeat(cores, 1), dtype=ttnn.float32, layout=ttnn.ROW_MAJOR_LAYOUT,
                      device=device, memory_config=memory_config)


def _check_reciprocals(recip_tensor: Any, x: Tensor) -> None:
    """A Welford LayerNorm's reciprocal table (tt-metal's layernorm program factories TT_FATAL without one): each
    core running the op reads ``1/(i+1)`` for the i-th value of its row from its own L1 shard of the table. The
    emulator checks it is the table ``ttnn.create_layer_norm_reciprocals`` makes, on those cores and wide enough
    (the input's width, or its shard width when sharded); any other table would change a card's statistics."""
    if recip_tensor is None:
        raise RuntimeError("ttnn.layer_norm: Reciprocal tensor not provided for Welford layernorm: pass "
                           "recip_tensor=ttnn.create_layer_norm_reciprocals(device, cores, width)")
    recip = device_input(recip_tensor, "recip_tensor")
    config = recip.mem_config
    if (recip.dtype != ttnn.float32 or recip.layout != ttnn.ROW_MAJOR_LAYOUT or len(recip.logical_shape) != 2
            or not sharding.is_sharded(config) or config.memory_layout != ttnn.TensorMemoryLayout.HEIGHT_SHARDED
            or sharding.buffer_name(config) != "L1" or tuple(config.shard_spec.shape)[0] != 1):
        raise UnsupportedTTNNOp("ttnn.layer_norm(recip_tensor=...) other than the float32 HEIGHT_SHARDED L1 table "
                                "ttnn.create_layer_norm_reciprocals makes is not emulated")
    if sharding.is_sharded(x.mem_config):
        needed, grid = int(x.mem_config.shard_spec.shape[1]), x.mem_config.shard_spec.grid
        cores = ttnn.corerange_to_cores(grid)
    else:  # interleaved: tile rows split over the compute grid, row by row (split_work_to_cores)
        needed = x.logical_shape[-1]
        size = x.on_device.compute_with_storage_grid_size()
        rows = math.prod(padded(x.logical_shape, x.layout)[:-1]) // TILE
        cores = ttnn.corerange_to_cores(ttnn.num_cores_to_corerangeset(min(rows, size.x * size.y), size, True))
    width = recip.logical_shape[1]
    table = None if recip.stored is None or width < needed else recip.values
    expected = (1.0 / torch.arange(1, needed + 1, dtype=torch.float64)).to(torch.float32)
    covered = all(config.shard_spec.grid.contains(core) for core in cores)
    wrong = table is not None and not torch.equal(table[:, :needed], expected.expand(table.shape[0], -1))
    if width < needed or not covered or wrong:
        raise UnsupportedTTNNOp(f"ttnn.layer_norm(recip_tensor=...): the table must hold 1/1 .. 1/{needed} on every "
                                "core the LayerNorm runs on (make it with ttnn.create_layer_norm_reciprocals(device, "
                                f"cores, {needed})); a card would compute its statistics from other values")


@op(family="normalization", group="layer norm")
def layer_norm(
    input_tensor: Tensor,
    *,
    epsilon: float = 1e-12,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    residual_input_tensor: Tensor | None = None,
    memory_config: Any = None,
    program_config: Any = None,
    compute_kernel_config: Any = None,
    recip_tensor: Any = None,
) -> Tensor:
    """LayerNorm over the last dim of ``input_tensor (+ residual_input_tensor)``, then ``* weight + bias``.
    A program config with ``use_welford=True`` needs ``recip_tensor`` (``ttnn.create_layer_norm_reciprocals``),
    checked as the card's table; without Welford a card does not read it. The statistics are float32 either way."""
    x = device_input(input_tensor)
    tiled(x, "layer_norm")
    extras = [t for t in (residual_input_tensor, weight, bias) if t is not None]
    for t in extras:
        device_input(t, "weight/bias/residual")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            _check_affine("layer_norm", t, x, name)
    if getattr(program_config, "use_welford", False):
        _check_reciprocals(recip_tensor, x)
    numerics = Numerics.resolve(compute_kernel_config, **NORM_DEFAULTS)
    described = program_configs.check_layer_norm(program_config, x.mem_config, x.on_device,
                                                 None if residual_input_tensor is None else residual_input_tensor.mem_config)
    config = output_config(memory_config, x.mem_config)
    if sharding.is_sharded(config) and config.shard_spec is None and sharding.is_sharded(x.mem_config):
        config = x.mem_config  # a sharded LayerNorm writes each core's block where it read it
    in_place = getattr(program_config, "inplace", False)

    def compute() -> torch.Tensor:
        values = x.values
        if residual_input_tensor is not None:
            values = values + residual_input_tensor.values
            if not numerics.fp32_dest_acc_en:
                values = round_bf16(values)
        return golden(ttnn.layer_norm)(
            values.clone(),
            epsilon=epsilon,
            weight=_affine(weight, x.logical_shape[-1]),
            bias=_affine(bias, x.logical_shape[-1]),
        )

    return emit(
        "layer_norm", [x, *extras], x.logical_shape, x.dtype, x.layout, config,
        x.on_device, None if x.stored is None else compute, flops=8 * math.prod(x.logical_shape), numerics=numerics,
        program_config=described, output_tensor=x if in_place else None,
    )
