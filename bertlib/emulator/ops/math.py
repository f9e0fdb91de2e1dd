"""The math ops: matmul, linear and addmm, embedding."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import ttnn

from bertlib.emulator import op_trace, program_configs, sharding
from bertlib.emulator.keywords import UnsupportedTTNNOp
from bertlib.emulator.numerics import (
    BLOCK_FLOAT,
    TILE,
    accumulate_matmul,
    activation_name,
    apply_activation,
    exact_matmul,
    matmul_k_loop,
    matmul_numerics,
    round_bf16,
    store,
)
from bertlib.emulator.op_registry import op
from bertlib.emulator.ops.binary import add, add_, multiply, multiply_
from bertlib.emulator.ops.common import (
    broadcast_shape,
    device_input,
    emit,
    golden,
    output_config,
    tiled,
)
from bertlib.emulator.ops.unary import activation_op
from bertlib.emulator.tensor import Tensor, padded


def _matmul_output_config(memory_config: Any, config: Any, a: Tensor, b: Tensor, a_shape: tuple[int, ...],
                          b_shape: tuple[int, ...]) -> Any:
    """A sharded output config without a shard spec takes the program config's per-core blocks, laid out on
    the cores as tt-metal's matmul lays them out."""
    if not sharding.is_sharded(memory_config) or memory_config.shard_spec is not None:
        return memory_config
    if not isinstance(config, program_configs.MATMUL_CONFIGS):
        raise sharding.ShardingError("ttnn.matmul: a sharded memory_config without a shard spec needs a program_config "
                                     "whose per_core_M x per_core_N block gives the shard (the emulator derives one "
                                     "only for a sharded A times a batched B)")
    cores, shard, orientation = program_configs.matmul_output_spec(config, a_shape, b_shape, a.mem_config,
                                                                   b.mem_config)
    return sharding.with_shard_spec(memory_config, cores, shard, orientation)


def _matmul_like(
    op: str,
    input_tensor_a: Tensor,
    input_tensor_b: Tensor,
    *,
    bias: Tensor | None,
    transpose_a: bool,
    transpose_b: bool,
    memory_config: Any,
    dtype: Any,
    program_config: Any,
    activation: Any,
    compute_kernel_config: Any,
    core_grid: Any,
    output_tensor: Tensor | None,
) -> Tensor:
    a = device_input(input_tensor_a, "A")
    b = device_input(input_tensor_b, "B")
    if not a.logical_shape or not b.logical_shape:
        raise RuntimeError(f"ttnn.{op}: Both arguments to matmul need to be at least 1D, but got shapes "
                           f"{list(a.logical_shape)} and {list(b.logical_shape)}")
    for t in (a, b):
        tiled(t, op)
    if len(a.logical_shape) == 1 or len(b.logical_shape) == 1:
        return _vector_matmul(op, a, b, bias=bias, transpose_a=transpose_a, transpose_b=transpose_b,
                              memory_config=memory_config, dtype=dtype, program_config=program_config,
                              activation=activation, compute_kernel_config=compute_kernel_config,
                              core_grid=core_grid, output_tensor=output_tensor)
    if bias is not None:
        device_input(bias, "bias")
        if op == "linear" and any(d > 1 for d in b.logical_shape[:-2]):
            raise RuntimeError("Batched input not supported when bias exists (linear operation).")
    grid = _user_grid(core_grid, a.on_device)
    out_dtype = _output_dtype(op, dtype, a, output_tensor)
    numerics = matmul_numerics(compute_kernel_config, user_grid=grid is not None, program_config=program_config,
                               block_float_inputs=a.dtype in BLOCK_FLOAT and b.dtype in BLOCK_FLOAT,
                               float32_output=out_dtype == ttnn.float32)
    a_shape = list(a.logical_shape)
    b_shape = list(b.logical_shape)
    if transpose_a:
        a_shape[-2:] = a_shape[-2:][::-1]
    if transpose_b:
        b_shape[-2:] = b_shape[-2:][::-1]
    if a_shape[-1] != b_shape[-2]:
        raise RuntimeError(
            f"The width of the first tensor must be equal to the height of the second tensor. "
            f"Mismatch: width={a_shape[-1]} height={b_shape[-2]}"
        )
    batch = broadcast_shape(a_shape[:-2], b_shape[:-2])
    shape = (*batch, a_shape[-2], b_shape[-1])
    if len(shape) < len(a_shape):
        shape = tuple([1] * (len(a_shape) - len(shape))) + shape
    out_memory = memory_config or ttnn.DRAM_MEMORY_CONFIG
    # a sharded output without a shard spec takes its shards from the program config: ttnn derives one if none
    # is given and no core grid (the emulator in one case: program_configs.derived_matmul_config)
    chosen = program_config
    if program_config is None and grid is None and sharding.is_sharded(out_memory) and out_memory.shard_spec is None:
        chosen = program_configs.derived_matmul_config(tuple(a_shape), tuple(b_shape), a.mem_config, b.mem_config,
                                                       out_memory, numerics.fp32_dest_acc_en)
    described = program_configs.check_matmul(chosen, tuple(a_shape), tuple(b_shape), a.on_device, numerics,
                                             (a.mem_config, b.mem_config, out_memory),
                                             has_bias=bias is not None)
    fused = getattr(program_config, "fused_activation", None) if program_config is not None else None
    if fused is not None and activation is not None:
        raise RuntimeError(f"ttnn.{op}: activation={activation!r} and the program config's fused_activation would "
                           "both apply: give the activation once")
    act = activation_name(fused if fused is not None else activation)
    # ttnn's bound_matmul (tt-metal ttnn/cpp/ttnn/operations/matmul/matmul.cpp): without a user core grid an
    # ``activation=`` runs as its own unary op after the matmul, and a bias the auto-chosen program may not fuse
    # (get_post_process_bias) as its own add; each result is stored in the output dtype in between
    activation_after = activation is not None and grid is None
    bias_after = _bias_after_matmul(bias, program_config, grid, a, b, out_memory)
    fused_bias = None if bias_after else bias
    fused_act = None if activation_after else act
    flops = 2.0 * math.prod(shape) * a_shape[-1]
    kind, in0_block_w = program_configs.matmul_k_blocks(chosen, tuple(a_shape), tuple(b_shape),
                                                        (a.mem_config, b.mem_config, out_memory), grid,
                                                        a.on_device.chip.grid)
    k_loop = matmul_k_loop(numerics, kind, in0_block_w, a_shape[-1], out_dtype, fused_bias=fused_bias is not None)

    def compute() -> torch.Tensor:
        exact = numerics.math_fidelity == "HiFi4" and numerics.fp32_dest_acc_en
        # as stored (bfloat16 feeds a bfloat16 GEMM, the fidelity split reads it too); block floats are bfloat16
        # values: converted here unchecked (a weight, split once and kept, is checked once)
        x, w = a.stored.to(torch.bfloat16) if a.dtype in BLOCK_FLOAT else a.stored, b.stored
        x = x.transpose(-1, -2) if transpose_a else x
        w = w.transpose(-1, -2) if transpose_b else w
        # the fused bias kernel adds row 0 of the bias tile to every output row (tt-metal bmm kernels: add_bcast_rows)
        bias_values = None if fused_bias is None else _bias_row(fused_bias.values)
        if exact:
            out = exact_matmul(x, w, bias_values, golden(ttnn.linear),
                               bfloat16_out=out_dtype == ttnn.bfloat16 and fused_act is None)
        else:
            out = accumulate_matmul(x, w, numerics, lambda p, q: golden(ttnn.matmul)(p, q), k_loop=k_loop)
            if bias_values is not None:  # added to the sum as L1 holds it, in the destination register's format
                out = out + bias_values
                out = out if numerics.fp32_dest_acc_en else round_bf16(out)
        return apply_activation(out, fused_act, numerics.math_approx_mode)

    inputs = [a, b] + ([fused_bias] if fused_bias is not None else [])
    config = _matmul_output_config(out_memory, chosen, a, b, tuple(a_shape), tuple(b_shape))
    cores, mcast_blocks = program_configs.matmul_work(chosen, tuple(a_shape), tuple(b_shape))
    last = not (bias_after or activation_after)
    result = emit(
        op, inputs, shape, out_dtype, ttnn.TILE_LAYOUT, config, a.on_device, None if a.stored is None else compute,
        flops=flops, numerics=numerics, core_grid=grid, program_config=described,
        output_tensor=output_tensor if last else None, cores=cores, mcast_blocks=mcast_blocks,
    )
    if bias_after:
        result = add(result, bias, memory_config=config, output_tensor=None if activation_after else output_tensor)
    if activation_after:
        result = activation_op(act, result, config, output_tensor)
    return result


def _user_grid(core_grid: Any, device: Any) -> tuple[int, int] | None:
    """The cores a matmul given ``core_grid`` runs on: that grid where the chip has it, else the chip's whole compute
    grid, as tt-metal's matmul program-config choice does (``get_program_config``/``create_simple_matmul_program_
    config`` in matmul_device_operation.cpp use the user's core coord only when it fits the device's). A user grid,
    even one the chip lacks, still picks the user-grid defaults (fused bias and activation, LoFi)."""
    if core_grid is None:
        return None
    grid = device.compute_with_storage_grid_size()
    if core_grid.x <= grid.x and core_grid.y <= grid.y:
        return (core_grid.y, core_grid.x)
    return (grid.y, grid.x)


def _output_dtype(op: str, dtype: Any, a: Tensor, output_tensor: Tensor | None) -> Any:
    """The matmul's output dtype as tt-metal's ``create_matmul_attributes`` (matmul_device_operation.cpp) picks it:
    ``dtype=``, else a preallocated output's dtype, else A's; ``dtype=`` and the output tensor must agree. It also
    sets the default fp32 accumulation (on for a float32 output)."""
    if output_tensor is None:
        return dtype if dtype is not None else a.dtype
    target = device_input(output_tensor, "optional_output_tensor")
    if dtype is not None and dtype != target.dtype:
        raise RuntimeError(f"ttnn.{op}: Type mismatch between optional output tensor {target.dtype} & output tensor "
                           f"{dtype}")
    return target.dtype


def _bias_row(values: torch.Tensor) -> torch.Tensor:
    """The bias a fused matmul adds: row 0 of a bias one tile high, broadcast over the output's rows."""
    return values if values.dim() < 2 else values[..., :1, :]


def _vector(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``t`` seen with ``shape`` (same values): ttnn's matmul reshapes a vector operand before it multiplies."""
    return Tensor(None if t.stored is None else t.stored.reshape(shape), shape, t.dtype, t.layout, t.mem_config,
                  t.on_device)


def _vector_matmul(op: str, a: Tensor, b: Tensor, *, output_tensor: Tensor | None, **kwargs: Any) -> Tensor:
    """A 1-D operand, as ttnn's ``bound_matmul`` runs it: a vector A as one row, a vector B as one column, and
    the result without that dimension (``compute_matmul_output_shape``, as ``torch.matmul``)."""
    vector_a, vector_b = len(a.logical_shape) == 1, len(b.logical_shape) == 1
    result = _matmul_like(op, _vector(a, (1, *a.logical_shape)) if vector_a else a,
                          _vector(b, (*b.logical_shape, 1)) if vector_b else b, output_tensor=None, **kwargs)
    shape = list(result.logical_shape)
    if vector_b:
        del shape[-1]
    if vector_a:
        del shape[-1 if vector_b else -2]
    view = _vector(result, tuple(shape))
    if output_tensor is None:
        return view
    target = device_input(output_tensor, "output_tensor")
    if tuple(target.logical_shape) != tuple(shape):
        raise RuntimeError(f"ttnn.{op}: the output tensor has shape {list(target.logical_shape)}, the result "
                           f"{shape}: preallocate it with the result's shape")
    target.stored = None if view.stored is None else store(view.values, target.dtype)
    return target


def _bias_after_matmul(bias: Tensor | None, program_config: Any, grid: Any, a: Tensor, b: Tensor,
                       out_memory: Any) -> bool:
    """Whether ttnn adds the bias after the matmul (``get_post_process_bias``): a bias more than one tile high;
    or, when ttnn chooses the program itself, unless the output and both operands are interleaved in DRAM (or in0
    is sharded into DRAM)."""
    if bias is None:
        return False
    if padded(bias.logical_shape, ttnn.TILE_LAYOUT)[-2] != TILE:  # fusing needs a bias one tile high
        return True
    if program_config is not None or grid is not None:
        return False
    if sharding.buffer_name(out_memory) != "DRAM":
        return True
    if sharding.is_sharded(a.mem_config):
        return False
    return not all(not sharding.is_sharded(c) and sharding.buffer_name(c) == "DRAM"
                   for c in (a.mem_config, b.mem_config, out_memory))


@op(family="matmul", group="linear",
    not_computed=("output_tile", "global_cb", "sub_device_id", "prefetcher_pipes", "in0_column_offset"))
def linear(
    input_tensor_a: Tensor,
    input_tensor_b: Tensor,
    *,
    bias: Tensor | None = None,
    transpose_a: bool = False,
    transpose_b: bool = False,
    memory_config: Any = None,
    dtype: Any = None,
    program_config: Any = None,
    activation: Any = None,
    compute_kernel_config: Any = None,
    core_grid: Any = None,
    output_tile: Any = None,
    optional_output_tensor: Any = None,
    global_cb: Any = None,
    sub_device_id: Any = None,
    prefetcher_pipes: Sequence[Any] = (),
    in0_column_offset: int | None = None,
) -> Tensor:
    """``input_tensor_a @ input_tensor_b + bias``, then the fused ``activation`` (e.g. ``"gelu"``)."""
    return _matmul_like(
        "linear", input_tensor_a, input_tensor_b, bias=bias, transpose_a=transpose_a, transpose_b=transpose_b,
        memory_config=memory_config, dtype=dtype, program_config=program_config, activation=activation,
        compute_kernel_config=compute_kernel_config, core_grid=core_grid, output_tensor=optional_output_tensor,
    )


@op(family="matmul", group="attention matmul", operators=("__matmul__",),
    not_computed=("output_tile", "global_cb", "sub_device_id"))
def matmul(
    input_tensor_a: Tensor,
    input_tensor_b: Tensor,
    *,
    transpose_a: bool = False,
    transpose_b: bool = False,
    memory_config: Any = None,
    dtype: Any = None,
    program_config: Any = None,
    activation: Any = None,
    compute_kernel_config: Any = None,
    core_grid: Any = None,
    output_tile: Any = None,
    optional_output_tensor: Any = None,
    global_cb: Any = None,
    sub_device_id: Any = None,
) -> Tensor:
    """The (batched) matrix product ``input_tensor_a @ input_tensor_b`` (``a @ b`` on ttnn tensors calls this)."""
    return _matmul_like(
        "matmul", input_tensor_a, input_tensor_b, bias=None, transpose_a=transpose_a, transpose_b=transpose_b,
        memory_config=memory_config, dtype=dtype, program_config=program_config, activation=activation,
        compute_kernel_config=compute_kernel_config, core_grid=core_grid, output_tensor=optional_output_tensor,
    )


_ADDMM_DTYPES = (ttnn.bfloat16, ttnn.float32, ttnn.bfloat8_b)


@op(family="matmul", group="linear")
def addmm(
    input_tensor: Tensor,
    mat1_tensor: Tensor,
    mat2_tensor: Tensor,
    *,
    alpha: float = 1.0,
    beta: float = 1.0,
    memory_config: Any = None,
    dtype: Any = None,
    program_config: Any = None,
    compute_kernel_config: Any = None,
    core_grid: Any = None,
    output_tile: Any = None,
    optional_output_tensor: Any = None,
) -> Tensor:
    """``beta * input_tensor + alpha * (mat1_tensor @ mat2_tensor)``, run as tt-metal's ``AddmmOperation``
    (ttnn/cpp/ttnn/operations/matmul/matmul.cpp) runs it: a matmul (into ``optional_output_tensor`` when given),
    then ``multiply_(out, alpha)`` unless alpha is 1, then ``add_(out, beta * input_tensor)`` unless beta is 0
    (``input_tensor`` itself when beta is 1), each step rounded to its stored dtype. ``beta == 0`` ignores
    ``input_tensor`` (its shape and dtype too). The output dtype is ``dtype``, else the output tensor's, else
    ``mat1_tensor``'s (the op's code; its docstring's "highest precision" is not what it does)."""
    if output_tile is not None:
        raise RuntimeError("ttnn.addmm: output_tile must not be provided")
    x = device_input(input_tensor, "input_tensor")
    m1 = device_input(mat1_tensor, "mat1_tensor")
    m2 = device_input(mat2_tensor, "mat2_tensor")
    # AddmmOperation::validate, in its order
    if alpha == 0.0:
        raise RuntimeError("ttnn.addmm: alpha parameter cannot be 0")
    if beta != 0.0:
        shapes = [list(t.logical_shape) for t in (x, m1, m2)]
        if any(len(s) < 2 for s in shapes) or shapes[0][0] != shapes[1][0] or shapes[0][1] != shapes[2][1]:
            raise RuntimeError(f"ttnn.addmm: input_tensor must have shape matching one of result of mat1_tensor @ "
                               f"mat2_tensor (got input {shapes[0]}, mat1 {shapes[1]}, mat2 {shapes[2]})")
        if x.dtype not in _ADDMM_DTYPES:
            raise RuntimeError("ttnn.addmm: only ttnn.bfloat16, ttnn.float32 and ttnn.bfloat8_b types are supported "
                               "for input_tensor")
    for name, t in (("mat1_tensor", m1), ("mat2_tensor", m2)):
        if t.dtype not in _ADDMM_DTYPES:
            raise RuntimeError(f"ttnn.addmm: only ttnn.bfloat16, ttnn.float32 and ttnn.bfloat8_b types are supported "
                               f"for {name}")
    out = _matmul_like(
        "addmm", m1, m2, bias=None, transpose_a=False, transpose_b=False, memory_config=memory_config, dtype=dtype,
        program_config=program_config, activation=None, compute_kernel_config=compute_kernel_config,
        core_grid=core_grid, output_tensor=optional_output_tensor,
    )
    if alpha != 1.0:
        out = multiply_(out, alpha)
    if beta != 0.0:
        out = add_(out, multiply(x, beta) if beta != 1.0 else x)
    return out


@op(family="embedding", group="embedding")
def embedding(
    input_tensor: Tensor,
    weight: Tensor,
    *,
    memory_config: Any = None,
    output_tensor: Any = None,
    padding_idx: int | None = None,
    layout: Any = None,
    embeddings_type: Any = None,
    dtype: Any = None,
) -> Tensor:
    """Rows of ``weight`` picked by the uint32 ids in ``input_tensor``. ``padding_idx`` makes a card read the
    pad token's row from a cached copy (tt-metal's PADDED embeddings reader): the same values, fetched once.

    As tt-metal's ``embedding.cpp`` composes it: a TILE weight is brought to ROW_MAJOR first (its values are
    unchanged); the output takes ``layout``, else the weight's layout; ``dtype`` is applied to a TILE output
    only (a ROW_MAJOR output keeps the weight's dtype), and a card refuses it outright where ids and rows are
    whole tiles wide, the layout is left to the weight's, and that weight is ROW_MAJOR."""
    ids = device_input(input_tensor, "ids")
    w = device_input(weight, "weight")
    # tt-metal embedding_device_operation.cpp validates these
    if ids.dtype not in (ttnn.uint32, ttnn.bfloat16):
        raise RuntimeError("Input must be UINT32 or BFLOAT16: ttnn.embedding reads its ids as "
                           "ttnn.from_torch(ids, dtype=ttnn.uint32, ...)")
    if w.dtype != ttnn.bfloat16:
        raise RuntimeError("Weights tensor must have BFLOAT16 dtype")
    vocabulary = w.logical_shape[0]
    if padding_idx is not None and not 0 <= padding_idx < vocabulary:
        raise RuntimeError(f"padding_idx {padding_idx} is not a row of the {vocabulary}-row embedding table")
    if embeddings_type is not None and str(embeddings_type).split(".")[-1] == "BINARY":
        raise UnsupportedTTNNOp("ttnn.embedding(embeddings_type=BINARY) is not emulated: use GENERIC or PADDED")
    whole_tiles = ids.padded_shape[-1] % TILE == 0 and w.padded_shape[-1] % TILE == 0
    if (whole_tiles and layout is None and w.layout == ttnn.ROW_MAJOR_LAYOUT and dtype is not None
            and dtype != w.dtype):
        raise RuntimeError("Can only typecast output embeddings when producing TILE_LAYOUT output: pass "
                           "layout=ttnn.TILE_LAYOUT with dtype")
    out_layout = layout if layout is not None else w.layout
    out_dtype = dtype if dtype is not None and out_layout == ttnn.TILE_LAYOUT else w.dtype
    if dtype is not None and dtype != out_dtype:
        op_trace.hint("embedding", {"dtype": f"{dtype} not applied: a ROW_MAJOR output keeps the weight's "
                                             f"{w.dtype}, as on a card"})
    shape = (*ids.logical_shape, w.logical_shape[-1])

    def compute() -> torch.Tensor:
        rows = ids.values.long()  # bfloat16 ids: the row each stored value names
        if int(rows.max()) >= vocabulary or int(rows.min()) < 0:
            raise RuntimeError(f"embedding ids must lie in [0, {vocabulary})")
        return golden(ttnn.embedding)(rows, w.stored)

    return emit(
        "embedding", [ids, w], shape, out_dtype, out_layout, output_config(memory_config, ids.mem_config),
        ids.on_device, None if ids.stored is None else compute, output_tensor=output_tensor,
    )
