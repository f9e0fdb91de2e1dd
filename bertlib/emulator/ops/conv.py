"""Convolution and pooling: ``conv2d``, ``prepare_conv_weights``, ``prepare_conv_bias`` and ``max_pool2d``.

Semantics are tt-metal's (``ttnn/cpp/ttnn/operations/conv/conv2d/conv2d.cpp``, ``prepare_conv2d_weights.cpp``,
``ttnn/cpp/ttnn/operations/pool``) and real ttnn 0.81.1's docstrings and golden functions:

- images are channels last: an input is ``(N, H, W, C)`` or flattened ``(1, 1, N*H*W, C)``; every output is
  flattened, ``(1, 1, N*OH*OW, C_out)``;
- ``conv2d`` is a matmul on the card: each output pixel's window, read in (kernel row, kernel column, channel)
  order, times the weights laid out as a ``(kh*kw*C, O)`` matrix (a grouped conv's weights are that matrix with
  zeros off the groups' blocks, as ``convert_conv_weight_tensor_to_grouped_layout`` pads them; a card's weight
  preparation groups only when ``groups > 1``, so ``groups=0``, which tt-metal's tutorials pass, runs as 1);
  then the bias, then ``conv_config.activation``;
- weights are given in torch's OIHW on the host (ROW_MAJOR bfloat16/float32), or as ``prepare_conv_weights``
  returned them; OIHW weights already on the device are, as on a card, pulled back and prepared again (with the
  card's warning). Weights and bias are stored as ``conv_config.weights_dtype`` (default: the weights' dtype).

Numerics: the matmul model of ``numerics.accumulate_matmul`` on the stored values; the compute config defaults
to conv's (``get_conv_default_compute_kernel_config``): HiFi4, approx on, fp32 accumulation only when the input
and the weights are both float32; the result is rounded to the output dtype (``dtype``, else the input's).
``max_pool2d`` selects among stored values (padding never wins), so it is exact.

Placement: a card auto-shards the output into L1; the emulator keeps it interleaved, in ``memory_config`` or
DRAM. Conv2dConfig's sharding and blocking fields, ``slice_config`` and the pools' DRAM slicing are scheduling
hints, recorded in the op trace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import ttnn

from bertlib.emulator import op_trace
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import Numerics, accumulate_matmul, activation_name, apply_activation, quantize
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.common import emit, golden, warn_caller
from bertlib.emulator.tensor import Tensor

_DTYPES = (ttnn.bfloat16, ttnn.float32, ttnn.bfloat8_b)
_HOST_WEIGHT_DTYPES = (ttnn.bfloat16, ttnn.float32)
#: Conv2dConfig fields that only choose how the card runs the conv (sharding, blocking, buffering), at their defaults.
_SCHEDULING = dict(reallocate_halo_output=True, config_tensors_in_dram=False,
                   act_block_h_override=0, act_block_w_div=1, reshard_if_not_optimal=False,
                   override_sharding_config=False, shard_layout=None, core_grid=None, transpose_shards=False,
                   enable_act_double_buffer=False, enable_weights_double_buffer=False, full_inner_dim=False,
                   enable_kernel_stride_folding=None, enable_activation_reuse=False, force_split_reader=None,
                   override_output_sharding_config=False)


@dataclass(frozen=True)
class Prepared:
    """What ``prepare_conv_weights``/``prepare_conv_bias`` prepared a tensor for: the conv's geometry."""

    kind: str  # "weights" or "bias"
    in_channels: int
    out_channels: int
    geometry: tuple  # batch, input height and width, kernel, stride, padding, dilation, groups


@dataclass(frozen=True)
class _Conv:
    """A conv2d call's geometry, checked."""

    batch: int
    height: int
    width: int
    in_channels: int
    out_channels: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]  # top, bottom, left, right
    dilation: tuple[int, int]
    groups: int

    @property
    def output_hw(self) -> tuple[int, int]:
        """tt-metal's ``calculate_output_image_size``, as torch computes it."""
        top, bottom, left, right = self.padding
        oh = (self.height + top + bottom - self.dilation[0] * (self.kernel[0] - 1) - 1) // self.stride[0] + 1
        ow = (self.width + left + right - self.dilation[1] * (self.kernel[1] - 1) - 1) // self.stride[1] + 1
        return oh, ow

    def key(self) -> tuple:
        return (self.batch, self.height, self.width, self.kernel, self.stride, self.padding, self.dilation,
                self.groups)


def _pair(value: Any, name: str) -> tuple[int, int]:
    if not isinstance(value, Sequence) or len(value) != 2 or not all(isinstance(v, int) for v in value):
        raise TypeError(f"{name} must be a sequence of two ints (got {value!r})")
    return int(value[0]), int(value[1])


def _padding4(padding: Any) -> tuple[int, int, int, int]:
    """``[pad_h, pad_w]`` or ``[top, bottom, left, right]`` (``sliding_window::get_pair_n4_padding``)."""
    if isinstance(padding, Sequence) and len(padding) == 4 and all(isinstance(p, int) for p in padding):
        return tuple(int(p) for p in padding)
    ph, pw = _pair(padding, "padding")
    return ph, ph, pw, pw


def _geometry(op_name: str, in_channels: int, out_channels: int, batch_size: int, input_height: int,
              input_width: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any, groups: int) -> _Conv:
    conv = _Conv(batch_size, input_height, input_width, in_channels, out_channels, _pair(kernel_size, "kernel_size"),
                 _pair(stride, "stride"), _padding4(padding), _pair(dilation, "dilation"), max(int(groups), 1))
    if min(conv.batch, conv.height, conv.width, conv.in_channels, conv.out_channels, *conv.kernel, *conv.stride,
           *conv.dilation) < 1 or min(conv.padding) < 0:
        raise RuntimeError(f"ttnn.{op_name}: sizes, kernel, stride and dilation must be positive and padding not "
                           f"negative (got {conv})")
    if in_channels % conv.groups or out_channels % conv.groups:
        raise RuntimeError(f"ttnn.{op_name}: in_channels ({in_channels}) and out_channels ({out_channels}) must both "
                           f"be divisible by groups ({conv.groups})")
    if min(conv.output_hw) < 1:
        raise RuntimeError(f"ttnn.{op_name}: the kernel does not fit the padded {input_height}x{input_width} input")
    return conv


def _record(op_name: str, given: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Record the scheduling settings that differ from their defaults as hints of ``op_name``."""
    hints = {k: repr(v) for k, v in given.items() if v != defaults.get(k)}
    if hints:
        op_trace.hint(op_name, hints)


def _config_hints(op_name: str, config: Any, **others: Any) -> None:
    given = {k: getattr(config, k) for k in _SCHEDULING} if config is not None else {}
    _record(op_name, {**given, **{k: v for k, v in others.items() if v is not None}}, _SCHEDULING)


def _weights_dtype(config: Any, weights: Tensor) -> Any:
    dtype = getattr(config, "weights_dtype", None) or weights.dtype
    if dtype not in _DTYPES:
        raise RuntimeError(f"conv2d: weights_dtype must be bfloat16, float32 or bfloat8_b (got {dtype})")
    return dtype


def _image(x: Tensor, conv: _Conv) -> torch.Tensor:
    """The input's stored values as an NCHW image."""
    return x.values.reshape(conv.batch, conv.height, conv.width, conv.in_channels).permute(0, 3, 1, 2)


def _check_input(op_name: str, x: Any, batch: int, height: int, width: int, channels: int) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"ttnn.{op_name}: input_tensor must be a ttnn.Tensor (got {type(x).__name__})")
    x.checked()
    shape = tuple(x.logical_shape)
    if len(shape) != 4 or shape[0] * shape[1] * shape[2] != batch * height * width:
        raise RuntimeError(f"ttnn.{op_name}: the input has shape {list(shape)}; batch_size x height x width = "
                           f"{batch}x{height}x{width} needs (N, H, W, C) or (1, 1, N*H*W, C)")
    if shape[3] != channels:
        raise RuntimeError(f"ttnn.{op_name}: the input has {shape[3]} channels, the call says {channels}")
    if x.dtype not in _DTYPES:
        raise RuntimeError(f"ttnn.{op_name}: the input must be bfloat16, float32 or bfloat8_b (got {x.dtype})")
    return x


def _weight_matrix(weights: Tensor, conv: _Conv, dtype: Any) -> torch.Tensor | None:
    """OIHW weights as the card's ``(kh*kw*C, O)`` matrix (grouped: zeros off the groups' blocks), stored as
    ``dtype`` (block floats share exponents along a row, across output channels, as in the card's tiles)."""
    group_in, group_out = conv.in_channels // conv.groups, conv.out_channels // conv.groups
    expected = (conv.out_channels, group_in, *conv.kernel)
    if tuple(weights.logical_shape) != expected:
        raise RuntimeError(f"conv2d: the weights have shape {list(weights.logical_shape)}; in_channels, out_channels, "
                           f"groups and kernel_size need OIHW {list(expected)}")
    if weights.stored is None:
        return None
    oihw = weights.values.to(torch.float32)
    dense = torch.zeros(conv.out_channels, conv.in_channels, *conv.kernel)
    for g in range(conv.groups):
        rows = slice(g * group_out, (g + 1) * group_out)
        dense[rows, g * group_in:(g + 1) * group_in] = oihw[rows]
    return quantize(dense.permute(2, 3, 1, 0).reshape(-1, conv.out_channels), dtype)


def _prepared(t: Any) -> Prepared | None:
    return getattr(t, "conv_prepared", None) if isinstance(t, Tensor) else None


def _marked(t: Tensor, mark: Prepared) -> Tensor:
    t.conv_prepared = mark
    return t


def _device_weights(weights: Any, conv: _Conv, dtype: Any, device: Any) -> Tensor:
    """The weights a conv multiplies with: prepared ones as they are (for this conv), OIHW ones prepared now."""
    if not isinstance(weights, Tensor):
        raise TypeError(f"conv2d: weight_tensor must be a ttnn.Tensor (got {type(weights).__name__})")
    weights.checked()
    mark = _prepared(weights)
    if mark is not None:
        if mark.kind != "weights" or (mark.in_channels, mark.out_channels, mark.geometry) != (
                conv.in_channels, conv.out_channels, conv.key()):
            raise UnsupportedTTNNOp("conv2d: these weights were prepared (ttnn.prepare_conv_weights) for another conv: "
                                    "a card lays them out for one geometry; prepare them again for this call")
        if weights.dtype != dtype:
            raise UnsupportedTTNNOp(f"conv2d: the prepared weights are {weights.dtype}, conv_config.weights_dtype "
                                    f"{dtype}: prepare them with the same weights_dtype")
        return weights
    if weights.on_device is not None:
        warn_caller("conv2d: Device weights not properly prepared, pulling back to host and trying to reprocess.")
    if weights.dtype not in _HOST_WEIGHT_DTYPES or weights.layout != ttnn.ROW_MAJOR_LAYOUT:
        raise RuntimeError(f"conv2d: OIHW weights must be ROW_MAJOR bfloat16 or float32 (got {weights.dtype}, "
                           f"{weights.layout}); prepare other dtypes with conv_config.weights_dtype")
    matrix = _weight_matrix(weights, conv, dtype)
    shape = (1, 1, conv.kernel[0] * conv.kernel[1] * conv.in_channels, conv.out_channels)
    return _marked(Tensor(None if matrix is None else matrix.reshape(shape), shape, dtype, ttnn.TILE_LAYOUT,
                          ttnn.DRAM_MEMORY_CONFIG, device),
                   Prepared("weights", conv.in_channels, conv.out_channels, conv.key()))


def _device_bias(bias: Any, conv: _Conv, dtype: Any, device: Any) -> Tensor | None:
    """The bias row a conv adds, ``(1, 1, 1, O)``, stored as the weights' dtype."""
    if bias is None:
        return None
    if not isinstance(bias, Tensor):
        raise TypeError(f"conv2d: bias_tensor must be a ttnn.Tensor (got {type(bias).__name__})")
    bias.checked()
    mark = _prepared(bias)
    if mark is not None:
        if mark.kind != "bias" or mark.out_channels != conv.out_channels:
            raise UnsupportedTTNNOp("conv2d: this bias was prepared (ttnn.prepare_conv_bias) for another conv")
        return bias
    if bias.on_device is not None:
        warn_caller("conv2d: Device bias not properly prepared, pulling back to host and reprocessing.")
    if tuple(bias.logical_shape) != (1, 1, 1, conv.out_channels):
        raise RuntimeError(f"conv2d: the bias has shape {list(bias.logical_shape)}; it must be "
                           f"[1, 1, 1, {conv.out_channels}]")
    if bias.dtype not in _HOST_WEIGHT_DTYPES:
        raise RuntimeError(f"conv2d: the bias must be bfloat16 or float32 (got {bias.dtype})")
    shape = (1, 1, 1, conv.out_channels)
    values = None if bias.stored is None else quantize(bias.values.reshape(shape), dtype)
    return _marked(Tensor(values, shape, dtype, ttnn.TILE_LAYOUT, ttnn.DRAM_MEMORY_CONFIG, device),
                   Prepared("bias", conv.in_channels, conv.out_channels, conv.key()))


def _conv_values(x: Tensor, w: Tensor, b: Tensor | None, conv: _Conv, numerics: Numerics, act: str | None,
                 padding_mode: str) -> torch.Tensor:
    """The conv as the card's matmul: im2col rows in (kh, kw, C) order times the weight matrix."""
    top, bottom, left, right = conv.padding
    image = torch.nn.functional.pad(_image(x, conv), (left, right, top, bottom),
                                    mode="constant" if padding_mode == "zeros" else "replicate")
    cols = torch.nn.functional.unfold(image, conv.kernel, dilation=conv.dilation, stride=conv.stride)
    pixels = cols.shape[-1]
    cols = cols.reshape(conv.batch, conv.in_channels, -1, pixels).permute(0, 3, 2, 1).reshape(conv.batch * pixels, -1)
    weights = w.values.reshape(-1, conv.out_channels)
    out = accumulate_matmul(cols.contiguous(), weights, numerics, lambda p, q: golden(ttnn.matmul)(p, q))
    if b is not None:
        out = out + b.values.reshape(1, conv.out_channels)
    return apply_activation(out, act, numerics.math_approx_mode).reshape(1, 1, -1, conv.out_channels)


@op(family="convolution", group="convolution")
def conv2d(
    *,
    input_tensor: Tensor,
    weight_tensor: Tensor,
    device: Any = None,
    in_channels: int,
    out_channels: int,
    batch_size: int,
    input_height: int,
    input_width: int,
    kernel_size: Sequence[int],
    stride: Sequence[int] = (1, 1),
    padding: Sequence[int] = (0, 0),
    dilation: Sequence[int] = (1, 1),
    groups: int = 1,
    dtype: Any = None,
    bias_tensor: Tensor | None = None,
    conv_config: Any = None,
    compute_config: Any = None,
    memory_config: Any = None,
    slice_config: Any = None,
    return_output_dim: bool = False,
    return_weights_and_bias: bool = False,
) -> Any:
    """A 2-D convolution of an NHWC image (see the module docstring). Returns the flattened output, and with
    ``return_output_dim`` its ``(OH, OW)``, with ``return_weights_and_bias`` the prepared ``(weights, bias)``.

    ttnn 0.81.1's binding requires ``device``; tt-metal's later tutorials (CLIP's) leave it out for an input
    already on the device, which then names it. A host input without ``device`` is refused."""
    conv = _geometry("conv2d", in_channels, out_channels, batch_size, input_height, input_width, kernel_size,
                     stride, padding, dilation, groups)
    x = _check_input("conv2d", input_tensor, batch_size, input_height, input_width, in_channels)
    target = x.on_device if x.on_device is not None else device  # a host input is moved to the device first
    if target is None:
        raise TypeError("ttnn.conv2d: the input is on the host, so pass device= (the device to run on)")
    weights_dtype = _weights_dtype(conv_config, weight_tensor)
    w = _device_weights(weight_tensor, conv, weights_dtype, target)
    b = _device_bias(bias_tensor, conv, weights_dtype, target)
    out_dtype = dtype if dtype is not None else x.dtype
    layout = conv_config.output_layout if conv_config is not None else ttnn.TILE_LAYOUT
    if out_dtype not in _DTYPES:
        raise RuntimeError(f"conv2d: the output dtype must be bfloat16, float32 or bfloat8_b (got {out_dtype})")
    if layout == ttnn.ROW_MAJOR_LAYOUT and out_dtype == ttnn.bfloat8_b:
        raise RuntimeError("Conv output can't be in Row Major if output dtype is BFloat8_B.")
    mode = "zeros"
    if conv_config is not None and conv_config.padding_mode != ttnn.PaddingMode.Zeros:
        mode = "replicate"  # PaddingMode has Zeros and Replicate
    act = activation_name(conv_config.activation) if conv_config is not None else None
    both_float32 = x.dtype == ttnn.float32 and weights_dtype == ttnn.float32
    numerics = Numerics.resolve(compute_config, fidelity="HiFi4", approx=True, fp32=both_float32)
    _config_hints("conv2d", conv_config, slice_config=slice_config)
    oh, ow = conv.output_hw
    shape = (1, 1, conv.batch * oh * ow, conv.out_channels)
    flops = 2.0 * math.prod(shape) * conv.kernel[0] * conv.kernel[1] * conv.in_channels / conv.groups
    inputs = [x, w] + ([b] if b is not None else [])
    result = emit("conv2d", inputs, shape, out_dtype, layout, memory_config or ttnn.DRAM_MEMORY_CONFIG, target,
                  None if x.stored is None or w.stored is None else
                  (lambda: _conv_values(x, w, b, conv, numerics, act, mode)), flops=flops, numerics=numerics)
    if conv_config is not None and conv_config.deallocate_activation and x.on_device is not None:
        x.deallocated, x.stored = True, None
    if return_output_dim and return_weights_and_bias:
        return result, (oh, ow), (w, b)
    if return_output_dim:
        return result, (oh, ow)
    if return_weights_and_bias:
        return result, (w, b)
    return result


@op(family="convolution", group=None)
def prepare_conv_weights(
    *,
    weight_tensor: Tensor,
    input_memory_config: Any,
    input_layout: Any,
    weights_format: str,
    in_channels: int,
    out_channels: int,
    batch_size: int,
    input_height: int,
    input_width: int,
    kernel_size: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    has_bias: bool,
    groups: int,
    device: Any,
    input_dtype: Any,
    output_dtype: Any = None,
    conv_config: Any = None,
    compute_config: Any = None,
    slice_config: Any = None,
) -> Tensor:
    """OIHW weights prepared on ``device`` for one conv2d: the ``(1, 1, kh*kw*C, O)`` matrix conv2d multiplies with
    (a card pads C and O further and tiles it per its sharding), stored as ``conv_config.weights_dtype`` (default:
    the weights' dtype). conv2d takes it only for the same geometry (channels, input size, kernel, stride, padding,
    dilation, groups)."""
    if weights_format != "OIHW":
        raise RuntimeError(f"prepare_conv_weights: weights_format {weights_format!r} is not supported: only OIHW")
    conv = _geometry("prepare_conv_weights", in_channels, out_channels, batch_size, input_height, input_width,
                     kernel_size, stride, padding, dilation, groups)
    _record("prepare_conv_weights", dict(input_memory_config=input_memory_config, input_layout=input_layout,
                                         has_bias=has_bias, input_dtype=input_dtype, output_dtype=output_dtype,
                                         compute_config=compute_config, slice_config=slice_config), {})
    weight_tensor.checked()
    dtype = _weights_dtype(conv_config, weight_tensor)
    host = Tensor(weight_tensor.stored, weight_tensor.logical_shape, weight_tensor.dtype, weight_tensor.layout)
    return _device_weights(host, conv, dtype, device)


@op(family="convolution", group=None)
def prepare_conv_bias(
    *,
    bias_tensor: Tensor,
    input_memory_config: Any,
    input_layout: Any,
    in_channels: int,
    out_channels: int,
    batch_size: int,
    input_height: int,
    input_width: int,
    kernel_size: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    groups: int,
    device: Any,
    input_dtype: Any,
    output_dtype: Any = None,
    conv_config: Any = None,
    compute_config: Any = None,
    slice_config: Any = None,
) -> Tensor:
    """A ``(1, 1, 1, O)`` bias prepared on ``device`` for conv2d, stored as ``conv_config.weights_dtype`` (which
    must match the prepared weights'; default: the bias's dtype)."""
    conv = _geometry("prepare_conv_bias", in_channels, out_channels, batch_size, input_height, input_width,
                     kernel_size, stride, padding, dilation, groups)
    _record("prepare_conv_bias", dict(input_memory_config=input_memory_config, input_layout=input_layout,
                                      input_dtype=input_dtype, output_dtype=output_dtype, compute_config=compute_config,
                                      slice_config=slice_config), {})
    bias_tensor.checked()
    dtype = _weights_dtype(conv_config, bias_tensor)
    host = Tensor(bias_tensor.stored, bias_tensor.logical_shape, bias_tensor.dtype, bias_tensor.layout)
    return _device_bias(host, conv, dtype, device)


def _pool_values(x: Tensor, batch: int, height: int, width: int, channels: int, kernel: tuple[int, int],
                 stride: tuple[int, int], pads: tuple[int, int, int, int], dilation: tuple[int, int],
                 ceil_mode: bool) -> torch.Tensor:
    image = x.values.to(torch.float32).reshape(batch, height, width, channels).permute(0, 3, 1, 2)
    top, bottom, left, right = pads
    if top == bottom and left == right and 2 * top <= dilation[0] * (kernel[0] - 1) + 1 \
            and 2 * left <= dilation[1] * (kernel[1] - 1) + 1:  # torch's own (implicit -inf) padding
        out = torch.nn.functional.max_pool2d(image, kernel, stride, (top, left), dilation, ceil_mode=ceil_mode)
    else:
        image = torch.nn.functional.pad(image, (left, right, top, bottom), value=float("-inf"))
        out = torch.nn.functional.max_pool2d(image, kernel, stride, 0, dilation, ceil_mode=ceil_mode)
    return out.permute(0, 2, 3, 1).reshape(1, 1, -1, channels)


@op(family="convolution", group="pooling")
def max_pool2d(
    input_tensor: Tensor,
    batch_size: int,
    input_h: int,
    input_w: int,
    channels: int,
    kernel_size: Sequence[int],
    stride: Sequence[int],
    padding: Sequence[int],
    dilation: Sequence[int],
    ceil_mode: bool = False,
    *,
    memory_config: Any = None,
    dram_slice_config: Any = None,
    applied_shard_scheme: Any = None,
    deallocate_input: bool = False,
    reallocate_halo_output: bool = True,
    return_indices: bool = False,
    dtype: Any = ttnn.bfloat16,
    output_layout: Any = ttnn.ROW_MAJOR_LAYOUT,
    config_tensor_in_dram: bool = False,
) -> Tensor:
    """The maximum of each channel over each kernel window of an NHWC image (padding never wins), flattened to
    ``(1, 1, N*OH*OW, C)`` and stored as ``dtype`` in ``output_layout``."""
    x = _check_input("max_pool2d", input_tensor, batch_size, input_h, input_w, channels)
    if x.on_device is None:
        raise RuntimeError("ttnn.max_pool2d: the input must be on the device")
    if return_indices:
        raise UnsupportedTTNNOp("ttnn.max_pool2d(return_indices=True) is not emulated: the card's index format is "
                                "not modelled")
    kernel, step, dil, pads = (_pair(kernel_size, "kernel_size"), _pair(stride, "stride"),
                               _pair(dilation, "dilation"), _padding4(padding))
    symmetric = pads[0] == pads[1] and pads[2] == pads[3]
    if ceil_mode and not symmetric:
        raise UnsupportedTTNNOp("ttnn.max_pool2d(ceil_mode=True) with unequal padding on two sides is not emulated")
    if dtype not in _DTYPES:
        raise RuntimeError(f"ttnn.max_pool2d: dtype must be bfloat16, float32 or bfloat8_b (got {dtype})")
    if dtype == ttnn.bfloat8_b and output_layout != ttnn.TILE_LAYOUT:
        raise RuntimeError("ttnn.max_pool2d: a bfloat8_b output needs output_layout=ttnn.TILE_LAYOUT")
    _record("max_pool2d", dict(dram_slice_config=dram_slice_config, applied_shard_scheme=applied_shard_scheme,
                               reallocate_halo_output=reallocate_halo_output,
                               config_tensor_in_dram=config_tensor_in_dram),
            dict(dram_slice_config=None, applied_shard_scheme=None, reallocate_halo_output=True,
                 config_tensor_in_dram=False))
    oh, ow = _pool_output_hw(input_h, input_w, kernel, step, pads, dil, ceil_mode)
    shape = (1, 1, batch_size * oh * ow, channels)
    result = emit("max_pool2d", [x], shape, dtype, output_layout, memory_config or ttnn.DRAM_MEMORY_CONFIG,
                  x.on_device, None if x.stored is None else
                  (lambda: _pool_values(x, batch_size, input_h, input_w, channels, kernel, step, pads, dil,
                                        ceil_mode)), flops=float(math.prod(shape) * kernel[0] * kernel[1]))
    if deallocate_input:
        x.deallocated, x.stored = True, None
    return result


def _pool_output_hw(height: int, width: int, kernel: tuple[int, int], stride: tuple[int, int],
                    pads: tuple[int, int, int, int], dilation: tuple[int, int], ceil_mode: bool) -> tuple[int, int]:
    """The pooled size, with torch's rule for ceil mode (a last window must start inside the image or its
    top/left padding)."""
    sizes = []
    for size, k, s, before, after, d in ((height, kernel[0], stride[0], pads[0], pads[1], dilation[0]),
                                         (width, kernel[1], stride[1], pads[2], pads[3], dilation[1])):
        span = size + before + after - d * (k - 1) - 1
        if span < 0:
            raise RuntimeError("ttnn.max_pool2d: the kernel does not fit the padded input")
        out = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (out - 1) * s >= size + before:
            out -= 1
        sizes.append(out)
    return sizes[0], sizes[1]
