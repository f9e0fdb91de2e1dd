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
- ``softmax_in_place`` and ``scale_causal_mask_hw_dims_softmax_in_place`` overwrite their input.

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
from bertlib.emulator.ops.common import check_grid, device_input, emit, golden, output_config, tiled
from bertlib.emulator.registry import op
from bertlib.emulator.tensor import Tensor, padded

_NORM_DTYPES = (ttnn.bfloat16, ttnn.float32, ttnn.bfloat8_b)
#: real ttnn's rmsnorm_default_compute_config: HiFi4, approx on, no fp32 accumulation.
RMS_DEFAULTS = dict(fidelity="HiFi4", approx=True, fp32=False)


def _dtype_name(dtype: Any) -> str:
    return f"DataType.{str(dtype).split('.')[-1].upper()}"


# ----------------------------------------------------------------------------------------------------- RMSNorm
def _check_affine(op_name: str, t: Tensor, x: Tensor, name: str) -> None:
    """A TILE weight/bias spans the input's padded width; a ROW_MAJOR one is sticks of 32 (tt-metal's layernorm
    validation, shared by LayerNorm and RMSNorm), holding at least the input's width."""
    if t.dtype not in (ttnn.bfloat16, ttnn.float32):
        raise RuntimeError(f"ttnn.{op_name}: {name} must be BFLOAT16 or FLOAT32 - got {_dtype_name(t.dtype)}")
    width = x.logical_shape[-1]
    if t.layout == ttnn.TILE_LAYOUT:
        if padded(t.logical_shape, t.layout)[-1] != padded(x.logical_shape, x.layout)[-1]:
            raise RuntimeError(f"ttnn.{op_name}: a TILE {name}'s last padded dim must be the input's "
                               f"({padded(x.logical_shape, x.layout)[-1]})")
    elif t.logical_shape[-1] != TILE:
        raise RuntimeError(f"ttnn.{op_name}: a ROW_MAJOR {name}'s last dim must be TILE_WIDTH (32): reshape it to "
                           f"[1, 1, {math.ceil(width / TILE)}, 32]")
    if math.prod(t.logical_shape) < width:
        raise RuntimeError(f"ttnn.{op_name}: {name} holds {math.prod(t.logical_shape)} values, fewer than the "
                           f"input's width {width}")


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
        return golden(ttnn.rms_norm)(
            values, None if weight is None else weight.values.reshape(-1), epsilon=epsilon,
            bias=None if bias is None else bias.values.reshape(-1))

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
    """Softmax over ``dim``."""
    x = device_input(input_tensor)
    tiled(x, "softmax")
    numerics = Numerics.resolve(compute_kernel_config, **NORM_DEFAULTS)
    return emit(
        "softmax", [x], x.logical_shape, x.dtype, x.layout, output_config(memory_config, x.mem_config), x.on_device,
        None if x.stored is None else (lambda: softmax_values(x.stored, numerics, dim, stable=numeric_stable)),
        flops=5 * math.prod(x.logical_shape), numerics=numerics,
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


@op(family="normalization", group="layer norm", not_computed=("recip_tensor",))
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
    """LayerNorm over the last dim of ``input_tensor (+ residual_input_tensor)``, then ``* weight + bias``."""
    x = device_input(input_tensor)
    tiled(x, "layer_norm")
    extras = [t for t in (residual_input_tensor, weight, bias) if t is not None]
    for t in extras:
        device_input(t, "weight/bias/residual")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None:
            _check_affine("layer_norm", t, x, name)
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
            weight=None if weight is None else weight.values.reshape(-1),
            bias=None if bias is None else bias.values.reshape(-1),
        )

    return emit(
        "layer_norm", [x, *extras], x.logical_shape, x.dtype, x.layout, config,
        x.on_device, None if x.stored is None else compute, flops=8 * math.prod(x.logical_shape), numerics=numerics,
        program_config=described, output_tensor=x if in_place else None,
    )
