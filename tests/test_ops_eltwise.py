"""The element-wise op families (unary, binary, where): values against torch, dtypes and layouts, scalars on either
side, broadcasting, output tensors and in-place forms, tensor operators, integer exactness, refusals and the trace."""

import math

import pytest
import torch
import torch.nn.functional as F

from bertlib.emulator import UnsupportedTTNNOp, recording


def on_device(ttnn, device, values, dtype=None, layout=None, memory_config=None):
    return ttnn.from_torch(values, dtype=dtype or ttnn.bfloat16, layout=layout or ttnn.TILE_LAYOUT, device=device,
                           memory_config=memory_config)


def stored(values, dtype):
    """What a tensor of ``dtype`` holds of ``values``, as float32 (bfloat16: round to nearest even)."""
    return values.to(torch.bfloat16).float() if dtype == "bfloat16" else values.float()


def close(got, expected, dtype, ulps=2):
    """Within ``ulps`` units of the output dtype's precision (relative), or a small absolute error near 0."""
    got, expected = got.float(), expected.float()
    rtol = ulps * (2.0**-8 if dtype == "bfloat16" else 2.0**-21)
    atol = 1e-2 if dtype == "bfloat16" else 1e-5
    finite = torch.isfinite(expected)
    assert torch.equal(torch.isnan(got), torch.isnan(expected))
    assert torch.equal(got[~finite & ~torch.isnan(expected)], expected[~finite & ~torch.isnan(expected)])
    torch.testing.assert_close(got[finite], expected[finite], rtol=rtol, atol=atol)


# name, keyword arguments, torch reference, input range
UNARY = [
    ("relu", {}, torch.relu, (-4, 4)),
    ("relu6", {}, lambda x: x.clamp(0, 6), (-9, 9)),
    ("relu_max", {"upper_limit": 1.5}, lambda x: x.clamp(0, 1.5), (-4, 4)),
    ("relu_min", {"lower_limit": 0.5}, lambda x: x.clamp(min=0.5), (-4, 4)),
    ("leaky_relu", {"negative_slope": 0.2}, lambda x: torch.where(x >= 0, x, 0.2 * x), (-4, 4)),
    ("gelu", {}, lambda x: 0.5 * x * (1 + torch.erf(x / math.sqrt(2))), (-4, 4)),
    ("silu", {}, lambda x: x / (1 + torch.exp(-x)), (-6, 6)),
    ("swish", {}, lambda x: x / (1 + torch.exp(-x)), (-6, 6)),
    ("sigmoid", {}, lambda x: 1 / (1 + torch.exp(-x)), (-6, 6)),
    ("sigmoid_accurate", {}, lambda x: 1 / (1 + torch.exp(-x)), (-6, 6)),
    ("log_sigmoid", {}, lambda x: -torch.log1p(torch.exp(-x)), (-6, 6)),
    ("tanh", {}, torch.tanh, (-3, 3)),
    ("tanhshrink", {}, lambda x: x - torch.tanh(x), (-3, 3)),
    ("softplus", {"beta": 2.0, "threshold": 6.0},
     lambda x: torch.where(2 * x > 6, x, torch.log1p(torch.exp(2 * x)) / 2), (-5, 5)),
    ("softsign", {}, lambda x: x / (1 + x.abs()), (-5, 5)),
    ("mish", {}, lambda x: x * torch.tanh(torch.log1p(torch.exp(x))), (-5, 5)),
    ("hardmish", {}, lambda x: x * (x / 2 + 1).clamp(0, 1), (-4, 4)),
    ("elu", {"alpha": 0.5}, lambda x: torch.where(x > 0, x, 0.5 * torch.expm1(x)), (-4, 4)),
    ("celu", {"alpha": 2.0}, lambda x: x.clamp(min=0) + (2 * torch.expm1(x / 2)).clamp(max=0), (-4, 4)),
    ("selu", {}, lambda x: 1.0507 * torch.where(x > 0, x, 1.67326 * torch.expm1(x)), (-4, 4)),
    ("xielu", {"alpha_p": 0.5, "alpha_n": 0.25},
     lambda x: torch.where(x > 0, 0.5 * x * x + 0.5 * x, 0.25 * torch.expm1(x.clamp(max=-1e-6)) - 0.25 * x + 0.5 * x),
     (-4, 4)),
    ("hardtanh", {"min_val": -0.5, "max_val": 0.75}, lambda x: x.clamp(-0.5, 0.75), (-2, 2)),
    ("hardsigmoid", {}, lambda x: (x / 6 + 0.5).clamp(0, 1), (-5, 5)),
    ("hardswish", {}, lambda x: x * (x / 6 + 0.5).clamp(0, 1), (-5, 5)),
    ("hardshrink", {"lambd": 0.75}, lambda x: torch.where(x.abs() > 0.75, x, 0.0), (-2, 2)),
    ("softshrink", {"lambd": 0.75}, lambda x: torch.where(x > 0.75, x - 0.75, torch.where(x < -0.75, x + 0.75, 0.0)),
     (-2, 2)),
    ("threshold", {"threshold": 0.25, "value": -3.0}, lambda x: torch.where(x > 0.25, x, -3.0), (-2, 2)),
    ("heaviside", {"value": 0.5}, lambda x: torch.where(x > 0, 1.0, torch.where(x < 0, 0.0, 0.5)), (-2, 2)),
    ("logit", {"eps": 0.1}, lambda x: torch.log(x.clamp(0.1, 0.9) / (1 - x.clamp(0.1, 0.9))), (0.01, 0.99)),
    ("exp", {}, torch.exp, (-8, 8)),
    ("exp2", {}, lambda x: 2.0**x, (-8, 8)),
    ("expm1", {}, torch.expm1, (-3, 3)),
    ("log", {}, torch.log, (0.05, 50)),
    ("log2", {}, lambda x: torch.log(x) / math.log(2), (0.05, 50)),
    ("log10", {}, lambda x: torch.log(x) / math.log(10), (0.05, 50)),
    ("log1p", {}, torch.log1p, (-0.5, 20)),
    ("sqrt", {}, torch.sqrt, (0, 50)),
    ("rsqrt", {}, lambda x: 1 / torch.sqrt(x), (0.05, 50)),
    ("cbrt", {}, lambda x: x.sign() * x.abs() ** (1 / 3), (-20, 20)),
    ("reciprocal", {}, lambda x: 1 / x, (0.25, 8)),
    ("rdiv", {"value": 3.0}, lambda x: 3.0 / x, (0.25, 8)),
    ("rpow", {"exponent": 2.0}, lambda x: 2.0**x, (-6, 6)),
    ("neg", {}, torch.neg, (-4, 4)),
    ("abs", {}, torch.abs, (-4, 4)),
    ("square", {}, lambda x: x * x, (-8, 8)),
    ("sign", {}, torch.sign, (-2, 2)),
    ("identity", {}, lambda x: x, (-4, 4)),
    ("deg2rad", {}, lambda x: x * math.pi / 180, (-360, 360)),
    ("rad2deg", {}, lambda x: x * 180 / math.pi, (-4, 4)),
    ("erf", {}, torch.erf, (-3, 3)),
    ("erfc", {}, torch.erfc, (-2, 2)),
    ("erfinv", {}, torch.erfinv, (-0.95, 0.95)),
    ("lgamma", {}, torch.lgamma, (0.1, 8)),
    ("digamma", {}, torch.digamma, (0.5, 8)),
    ("i0", {}, torch.special.i0, (-4, 4)),
    ("sin", {}, torch.sin, (-6, 6)),
    ("cos", {}, torch.cos, (-6, 6)),
    ("tan", {}, torch.tan, (-1.2, 1.2)),
    ("asin", {}, torch.asin, (-0.95, 0.95)),
    ("acos", {}, torch.acos, (-0.95, 0.95)),
    ("atan", {}, torch.atan, (-6, 6)),
    ("sinh", {}, torch.sinh, (-4, 4)),
    ("cosh", {}, torch.cosh, (-4, 4)),
    ("asinh", {}, torch.asinh, (-6, 6)),
    ("acosh", {}, torch.acosh, (1.1, 8)),
    ("atanh", {}, torch.atanh, (-0.9, 0.9)),
    ("floor", {}, torch.floor, (-6, 6)),
    ("ceil", {}, torch.ceil, (-6, 6)),
    ("trunc", {}, torch.trunc, (-6, 6)),
    ("frac", {}, lambda x: x - torch.trunc(x), (-6, 6)),
    ("round", {"decimals": 1}, lambda x: torch.round(x * 10) / 10, (-6, 6)),
]
# 1/0 masks, on inputs with exact zeros, infinities and NaN
MASKS = [
    ("logical_not", lambda x: x == 0), ("eqz", lambda x: x == 0), ("nez", lambda x: x != 0),
    ("ltz", lambda x: x < 0), ("gtz", lambda x: x > 0), ("lez", lambda x: x <= 0), ("gez", lambda x: x >= 0),
    ("isfinite", torch.isfinite), ("isinf", torch.isinf), ("isnan", torch.isnan), ("signbit", torch.signbit),
]
LAYOUTS = ["TILE_LAYOUT", "ROW_MAJOR_LAYOUT"]


def uniform(shape, low, high, seed=0):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed)) * (high - low) + low


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("name,kwargs,reference,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_against_torch(ttnn, device, name, kwargs, reference, domain, dtype, layout):
    x = uniform((2, 33, 40), *domain)
    t = on_device(ttnn, device, x, getattr(ttnn, dtype), getattr(ttnn, layout))
    out = getattr(ttnn, name)(t, **kwargs)
    assert out.dtype == t.dtype and out.layout == t.layout and tuple(out.shape) == (2, 33, 40)
    expected = stored(reference(stored(x, dtype).double()).float(), dtype)
    close(ttnn.to_torch(out), expected, dtype, ulps=4 if name in ("selu", "lgamma", "digamma", "tan") else 2)


@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("name,reference", MASKS, ids=[m[0] for m in MASKS])
def test_unary_masks_are_one_and_zero_in_the_input_dtype(ttnn, device, name, reference, dtype):
    x = torch.tensor([[0.0, -0.0, 1.5, -2.0, float("inf"), -float("inf"), float("nan"), 3.0]])
    t = on_device(ttnn, device, x, getattr(ttnn, dtype))
    out = getattr(ttnn, name)(t)
    assert out.dtype == getattr(ttnn, dtype)
    assert torch.equal(ttnn.to_torch(out).float(), reference(ttnn.to_torch(t).float()).float())  # NaN's sign kept


@pytest.mark.parametrize("name", ["exp", "relu", "sigmoid", "sqrt", "neg", "gelu", "floor", "sin"])
def test_unary_on_block_floats(ttnn, device, name):
    """bfloat8_b and bfloat4_b inputs compute on their stored values and store the result as their dtype;
    row-major block floats do not exist."""
    x = uniform((1, 64, 64), 0.1, 3)
    for dtype in (ttnn.bfloat8_b, ttnn.bfloat4_b):
        t = on_device(ttnn, device, x, dtype)
        out = getattr(ttnn, name)(t)
        expected = on_device(ttnn, device, getattr(torch, name, None)(ttnn.to_torch(t).float())
                             if hasattr(torch, name) else F.gelu(ttnn.to_torch(t).float()), dtype)
        assert out.dtype == dtype and torch.equal(ttnn.to_torch(out), ttnn.to_torch(expected))
    with pytest.raises(RuntimeError, match="Layout must be Layout::TILE"):
        on_device(ttnn, device, x, ttnn.bfloat8_b, ttnn.ROW_MAJOR_LAYOUT)


def test_clamp_and_clip_take_numbers_or_tensors(ttnn, device):
    x = uniform((2, 32, 64), -3, 3)
    t = on_device(ttnn, device, x)
    xs = stored(x, "bfloat16")
    assert torch.equal(ttnn.to_torch(ttnn.clamp(t, -1.0, 2.0)).float(), stored(xs.clamp(-1, 2), "bfloat16"))
    assert torch.equal(ttnn.to_torch(ttnn.clamp(t, max=0.5)).float(), xs.clamp(max=0.5))
    assert torch.equal(ttnn.to_torch(ttnn.clip(t, min=-0.5)).float(), xs.clamp(min=-0.5))
    low, high = uniform((1, 1, 64), -2, 0, seed=1), uniform((2, 32, 64), 0, 2, seed=2)
    out = ttnn.clamp(t, on_device(ttnn, device, low), on_device(ttnn, device, high))
    expected = torch.maximum(torch.minimum(xs, stored(high, "bfloat16")), stored(low, "bfloat16"))
    assert torch.equal(ttnn.to_torch(out).float(), expected)
    with pytest.raises(RuntimeError, match="Only one of 'min' or 'max' can be None"):
        ttnn.clamp(t)
    with pytest.raises(TypeError, match="both as tensors or both as numbers"):
        ttnn.clamp(t, on_device(ttnn, device, low), 1.0)
    ints = on_device(ttnn, device, torch.tensor([[-7, 0, 3, 9]], dtype=torch.int32), ttnn.int32)
    assert ttnn.to_torch(ttnn.clamp(ints, -2, 4)).tolist() == [[-2, 0, 3, 4]]


def test_prelu_weights(ttnn, device):
    x = uniform((2, 3, 32, 32), -2, 2)
    t = on_device(ttnn, device, x)
    xs = stored(x, "bfloat16")
    for weight in (0.25, [0.25], on_device(ttnn, device, torch.tensor([0.25]))):
        assert torch.equal(ttnn.to_torch(ttnn.prelu(t, weight)).float(), stored(torch.where(xs >= 0, xs, 0.25 * xs),
                                                                                  "bfloat16"))
    per_channel = torch.tensor([0.5, -1.0, 2.0])
    out = ttnn.prelu(t, on_device(ttnn, device, per_channel, layout=ttnn.ROW_MAJOR_LAYOUT))
    expected = torch.where(xs >= 0, xs, per_channel.reshape(1, 3, 1, 1) * xs)
    assert torch.equal(ttnn.to_torch(out).float(), stored(expected, "bfloat16"))
    with pytest.raises(RuntimeError, match="one per channel"):
        ttnn.prelu(t, on_device(ttnn, device, torch.ones(4)))


# name, torch reference, range of a, range of b, takes a number on the right
BINARY = [
    ("add", torch.add, (-4, 4), (-4, 4), True),
    ("subtract", torch.sub, (-4, 4), (-4, 4), True),
    ("sub", torch.sub, (-4, 4), (-4, 4), True),
    ("multiply", torch.mul, (-4, 4), (-4, 4), True),
    ("mul", torch.mul, (-4, 4), (-4, 4), True),
    ("divide", torch.div, (-4, 4), (0.5, 4), True),
    ("div", torch.div, (-4, 4), (-4, -0.5), True),
    ("rsub", lambda a, b: b - a, (-4, 4), (-4, 4), True),
    ("maximum", torch.maximum, (-4, 4), (-4, 4), True),
    ("minimum", torch.minimum, (-4, 4), (-4, 4), True),
    ("squared_difference", lambda a, b: (a - b) ** 2, (-4, 4), (-4, 4), True),
    ("pow", torch.pow, (0.5, 3), (-2, 2), False),
    ("atan2", torch.atan2, (-4, 4), (-4, 4), False),
    ("hypot", torch.hypot, (-4, 4), (-4, 4), False),
    ("logaddexp", torch.logaddexp, (-4, 4), (-4, 4), True),
    ("logaddexp2", torch.logaddexp2, (-4, 4), (-4, 4), True),
    ("xlogy", torch.xlogy, (-4, 4), (0.1, 4), True),
    ("ldexp", lambda a, b: a * 2.0**b, (-4, 4), (-3, 3), True),
    ("remainder", torch.remainder, (-8, 8), (0.5, 3), True),
    ("fmod", torch.fmod, (-8, 8), (0.5, 3), True),
    ("floor_div", lambda a, b: torch.floor(a / b), (-8, 8), (0.5, 3), True),
    ("div_no_nan", torch.div, (-4, 4), (0.5, 4), True),
    ("bias_gelu", lambda a, b: F.gelu(a + b), (-3, 3), (-1, 1), True),
    ("addalpha", lambda a, b: a + 0.5 * b, (-4, 4), (-4, 4), False),
    ("subalpha", lambda a, b: a - 0.5 * b, (-4, 4), (-4, 4), False),
    ("eq", torch.eq, (-2, 2), (-2, 2), True),
    ("ne", torch.ne, (-2, 2), (-2, 2), True),
    ("lt", torch.lt, (-2, 2), (-2, 2), True),
    ("le", torch.le, (-2, 2), (-2, 2), True),
    ("gt", torch.gt, (-2, 2), (-2, 2), True),
    ("ge", torch.ge, (-2, 2), (-2, 2), True),
    ("logical_and", torch.logical_and, (-2, 2), (-2, 2), True),
    ("logical_or", torch.logical_or, (-2, 2), (-2, 2), True),
    ("logical_xor", torch.logical_xor, (-2, 2), (-2, 2), True),
]
ALPHA = {"addalpha": (0.5,), "subalpha": (0.5,)}
DISCRETE = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor", "floor_div"}


def binary_inputs(name, a_range, b_range, shape_a, shape_b):
    a, b = uniform(shape_a, *a_range, seed=3), uniform(shape_b, *b_range, seed=4)
    if name in DISCRETE:  # exact ties and zeros, which comparisons and logical ops must get right
        a, b = torch.round(a), torch.round(b)
    return a, b


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("name,reference,a_range,b_range,scalar", BINARY, ids=[b[0] for b in BINARY])
def test_binary_values_broadcast_against_torch(ttnn, device, name, reference, a_range, b_range, scalar, dtype, layout):
    """A full tensor against one that broadcasts along batch and rows, in both layouts."""
    a, b = binary_inputs(name, a_range, b_range, (2, 3, 32, 40), (3, 1, 40))
    dt, lay = getattr(ttnn, dtype), getattr(ttnn, layout)
    out = getattr(ttnn, name)(on_device(ttnn, device, a, dt, lay), on_device(ttnn, device, b, dt, lay),
                              *ALPHA.get(name, ()))
    assert tuple(out.shape) == (2, 3, 32, 40) and out.dtype == dt and out.layout == lay
    expected = reference(stored(a, dtype).double(), stored(b, dtype).double())
    close(ttnn.to_torch(out), stored(expected.float(), dtype), dtype, ulps=4 if name == "pow" else 2)


@pytest.mark.parametrize("name,reference,a_range,b_range,scalar", [b for b in BINARY if b[4]],
                         ids=[b[0] for b in BINARY if b[4]])
def test_binary_with_a_number_on_the_right(ttnn, device, name, reference, a_range, b_range, scalar):
    """A number against a bfloat16 tensor reaches the kernel as a bfloat16 (tt-metal pack_scalar_runtime_arg):
    exactly so for the arithmetic that is exact before its one rounding."""
    a, _ = binary_inputs(name, a_range, b_range, (2, 32, 64), (1,))
    number = 1.0 if name in DISCRETE else 0.7
    out = getattr(ttnn, name)(on_device(ttnn, device, a), number)
    expected = stored(reference(stored(a, "bfloat16").double(), stored(torch.tensor(number), "bfloat16").double())
                      .float(), "bfloat16")
    if name in ("add", "subtract", "sub", "multiply", "mul", "rsub", "maximum", "minimum"):
        assert torch.equal(ttnn.to_torch(out).float(), expected)
    close(ttnn.to_torch(out), expected, "bfloat16")


@pytest.mark.parametrize("name,reference", [("add", torch.add), ("subtract", torch.sub), ("multiply", torch.mul),
                                            ("divide", torch.div), ("pow", torch.pow)])
def test_binary_with_a_number_on_the_left(ttnn, device, name, reference):
    b = uniform((2, 32, 64), 0.5, 3)
    out = getattr(ttnn, name)(1.5, on_device(ttnn, device, b, ttnn.float32))
    assert out.dtype == ttnn.float32
    close(ttnn.to_torch(out), reference(torch.tensor(1.5).double(), b.double()).float(), "float32")


def test_tensor_operators(ttnn, device):
    a, b = uniform((2, 32, 64), -3, 3, seed=5), uniform((2, 32, 64), 0.5, 3, seed=6)
    ta, tb = on_device(ttnn, device, a, ttnn.float32), on_device(ttnn, device, b, ttnn.float32)
    cases = [(ta - tb, a - b), (2 - ta, 2 - a), (ta / tb, a / b), (ta / 4, a / 4), (3 / tb, 3 / b), (ta + 1, a + 1),
             (2 * ta, 2 * a), (ta < tb, a < b), (ta <= 0, a <= 0), (ta > tb, a > b), (ta >= 1, a >= 1),
             (1 < ta, a > 1)]
    for got, expected in cases:
        close(ttnn.to_torch(got), expected.float(), "float32")
    with recording() as trace:
        ta - tb, 2 - ta, ta / tb, 3 / tb, ta < tb
    assert [r.op for r in trace.records] == ["subtract", "rsub", "divide", "rdiv", "lt"]
    with pytest.raises((UnsupportedTTNNOp, TypeError)):  # real ttnn 0.81.1's Tensor has no __neg__ either
        _ = -ta


def test_broadcasting_follows_binary_ng(ttnn, device):
    rows, cols = uniform((4, 1), -1, 1), uniform((1, 5, 1, 7), -1, 1)
    out = ttnn.add(on_device(ttnn, device, rows, ttnn.float32), on_device(ttnn, device, cols, ttnn.float32))
    assert tuple(out.shape) == (1, 5, 4, 7)
    close(ttnn.to_torch(out), rows + cols, "float32")
    with pytest.raises(RuntimeError, match="Broadcasting rule violation"):
        ttnn.multiply(on_device(ttnn, device, torch.ones(2, 32, 32)), on_device(ttnn, device, torch.ones(3, 32, 32)))


@pytest.mark.parametrize("a_dtype,b_dtype", [("bfloat16", "float32"), ("float32", "bfloat8_b"),
                                             ("bfloat8_b", "bfloat4_b")])
def test_mixed_float_operands_follow_a(ttnn, device, a_dtype, b_dtype):
    a, b = uniform((1, 32, 64), -2, 2, seed=7), uniform((1, 32, 64), -2, 2, seed=8)
    ta, tb = on_device(ttnn, device, a, getattr(ttnn, a_dtype)), on_device(ttnn, device, b, getattr(ttnn, b_dtype))
    out = ttnn.multiply(ta, tb)
    assert out.dtype == ta.dtype
    expected = on_device(ttnn, device, ttnn.to_torch(ta).float() * ttnn.to_torch(tb).float(), ta.dtype)
    assert torch.equal(ttnn.to_torch(out), ttnn.to_torch(expected))
    with pytest.raises(RuntimeError, match="Mixed dtype is not supported for binary operation MAXIMUM"):
        ttnn.maximum(ta, tb)


def test_output_dtype_memory_config_and_output_tensor(ttnn, device):
    a, b = uniform((1, 32, 64), -2, 2, seed=9), uniform((1, 32, 64), -2, 2, seed=10)
    ta, tb = on_device(ttnn, device, a), on_device(ttnn, device, b)
    out = ttnn.add(ta, tb, dtype=ttnn.float32, memory_config=ttnn.L1_MEMORY_CONFIG)
    assert out.dtype == ttnn.float32 and out.memory_config() == ttnn.L1_MEMORY_CONFIG
    assert torch.equal(ttnn.to_torch(out), stored(a, "bfloat16") + stored(b, "bfloat16"))
    preallocated = on_device(ttnn, device, torch.zeros(1, 32, 64))
    assert ttnn.subtract(ta, tb, output_tensor=preallocated) is preallocated
    assert torch.equal(ttnn.to_torch(preallocated), ttnn.to_torch(ttnn.subtract(ta, tb)))
    result = ttnn.exp(ta, output_tensor=preallocated)
    assert result is preallocated and torch.equal(ttnn.to_torch(preallocated), ttnn.to_torch(ttnn.exp(ta)))
    with pytest.raises(RuntimeError, match="does not match the broadcasted output shape"):
        ttnn.add(ta, tb, output_tensor=on_device(ttnn, device, torch.zeros(1, 32, 32)))
    with pytest.raises(RuntimeError, match="dtype should match"):
        ttnn.add(ta, tb, dtype=ttnn.float32, output_tensor=preallocated)
    relu_after = ttnn.add(ta, tb, activations=[ttnn.UnaryWithParam(ttnn.UnaryOpType.RELU)])
    assert torch.equal(ttnn.to_torch(relu_after), torch.relu(ttnn.to_torch(ttnn.add(ta, tb))))


@pytest.mark.parametrize("name,reference", [("add_", torch.add), ("subtract_", torch.sub), ("sub_", torch.sub),
                                            ("multiply_", torch.mul), ("mul_", torch.mul), ("divide_", torch.div),
                                            ("div_", torch.div), ("rsub_", lambda a, b: b - a),
                                            ("squared_difference_", lambda a, b: (a - b) ** 2),
                                            ("logaddexp_", torch.logaddexp), ("ldexp_", lambda a, b: a * 2.0**b),
                                            ("gt_", torch.gt), ("eq_", torch.eq), ("logical_or_", torch.logical_or)])
def test_in_place_forms_write_into_a(ttnn, device, name, reference):
    a, b = torch.round(uniform((2, 32, 64), -3, 3, seed=11)), uniform((1, 64), 0.5, 2, seed=12)
    ta = on_device(ttnn, device, a, ttnn.float32)
    result = getattr(ttnn, name)(ta, on_device(ttnn, device, b, ttnn.float32))
    assert result is ta and ta.dtype == ttnn.float32
    close(ttnn.to_torch(ta), reference(a, b).float(), "float32")


def test_logical_not_in_place(ttnn, device):
    t = on_device(ttnn, device, torch.tensor([[0.0, 2.0, -1.0, 0.0]]))
    assert ttnn.logical_not_(t) is t and ttnn.to_torch(t).tolist() == [[1.0, 0.0, 0.0, 1.0]]


@pytest.mark.parametrize("dtype", ["int32", "uint32"])
def test_integer_arithmetic_is_exact_and_wraps(ttnn, device, dtype):
    top = 2**31 - 1 if dtype == "int32" else 2**32 - 1
    values = torch.tensor([[top, 5, 0, 16777217]], dtype=torch.int64)
    dt = getattr(ttnn, dtype)
    t = on_device(ttnn, device, values, dt, ttnn.ROW_MAJOR_LAYOUT)
    width = 2**32
    wrap = (lambda v: (v + 2**31) % width - 2**31) if dtype == "int32" else (lambda v: v % width)
    assert ttnn.to_torch(ttnn.add(t, 1)).long().tolist() == [wrap(values + 1).tolist()[0]]
    assert ttnn.to_torch(ttnn.subtract(t, t)).long().tolist() == [[0, 0, 0, 0]]
    assert ttnn.to_torch(ttnn.multiply(t, 2)).long().tolist() == [wrap(values * 2).tolist()[0]]
    assert ttnn.to_torch(ttnn.add(t, 2.0)).long().tolist() == [wrap(values + 2).tolist()[0]]  # integral: exact
    assert ttnn.add(t, 1).dtype == dt and ttnn.gt(t, 5).dtype == dt
    assert ttnn.to_torch(ttnn.gt(t, 5)).long().tolist() == [[1, 0, 0, 1]]
    promoted = ttnn.multiply(t, 0.5)  # a float scalar promotes the integer tensor to float32
    assert promoted.dtype == ttnn.float32
    with pytest.raises(RuntimeError, match="cannot represent the scalar 2.5"):
        ttnn.add(t, 2.5)
    with pytest.raises(RuntimeError, match="does not support integer input dtype"):
        ttnn.exp(t)


def test_integer_division_and_bitwise_ops(ttnn, device):
    a = on_device(ttnn, device, torch.tensor([[7, -7, 9, -9]], dtype=torch.int32), ttnn.int32)
    b = on_device(ttnn, device, torch.tensor([[2, 2, -4, -4]], dtype=torch.int32), ttnn.int32)
    quotient = ttnn.divide(a, b)
    assert quotient.dtype == ttnn.float32 and ttnn.to_torch(quotient).tolist() == [[3.5, -3.5, -2.25, 2.25]]
    assert ttnn.to_torch(ttnn.divide(a, b, rounding_mode="floor")).tolist() == [[3, -4, -3, 2]]
    assert ttnn.to_torch(ttnn.divide(a, b, rounding_mode="trunc")).tolist() == [[3, -3, -2, 2]]
    assert ttnn.to_torch(ttnn.remainder(a, b)).tolist() == [[1, 1, -3, -1]]
    assert ttnn.to_torch(ttnn.fmod(a, b)).tolist() == [[1, -1, 1, -1]]
    assert ttnn.to_torch(ttnn.bitwise_and(a, 3)).tolist() == [[3, 1, 1, 3]]
    assert ttnn.to_torch(ttnn.bitwise_xor(a, b)).tolist() == [[5, -5, -11, 11]]
    assert ttnn.to_torch(ttnn.bitwise_left_shift(a, 2)).tolist() == [[28, -28, 36, -36]]
    assert ttnn.to_torch(ttnn.bitwise_not(a)).tolist() == [[-8, 6, -10, 8]]
    assert ttnn.to_torch(ttnn.pow(a, 2)).tolist() == [[49, 49, 81, 81]]
    assert ttnn.to_torch(ttnn.abs(a)).tolist() == [[7, 7, 9, 9]] and ttnn.neg(a).dtype == ttnn.int32
    with pytest.raises(RuntimeError, match="division by zero"):
        ttnn.divide(a, 0, rounding_mode="floor")
    with pytest.raises(RuntimeError, match="output datatype conversion is not supported"):
        ttnn.divide(a, b, dtype=ttnn.int32)
    with pytest.raises(RuntimeError, match="is not supported for binary operation BITWISE_AND"):
        ttnn.bitwise_and(on_device(ttnn, device, torch.ones(1, 4)), 3)
    with pytest.raises(RuntimeError, match="tensor exponents are not supported for integer inputs"):
        ttnn.pow(a, b)
    with pytest.raises(RuntimeError, match="integral value"):
        ttnn.pow(a, 1.5)
    with pytest.raises(RuntimeError, match="Mixed dtype is not supported for binary operation ADD"):
        ttnn.add(a, on_device(ttnn, device, torch.ones(1, 4, dtype=torch.int64), ttnn.uint32))
    mixed = ttnn.multiply(a, on_device(ttnn, device, torch.full((1, 4), 0.5)))  # int32 typecast to bfloat16
    assert mixed.dtype == ttnn.bfloat16 and ttnn.to_torch(mixed).tolist() == [[3.5, -3.5, 4.5, -4.5]]


def test_where_with_tensors_and_numbers(ttnn, device):
    condition = torch.round(uniform((2, 32, 64), -1, 1, seed=13)).abs()
    x, y = uniform((2, 32, 64), -3, 3, seed=14), uniform((1, 64), -3, 3, seed=15)
    tc, tx, ty = (on_device(ttnn, device, v) for v in (condition, x, y))
    xs, ys = stored(x, "bfloat16"), stored(y, "bfloat16")
    assert torch.equal(ttnn.to_torch(ttnn.where(tc, tx, ty)).float(), torch.where(condition != 0, xs, ys))
    assert torch.equal(ttnn.to_torch(ttnn.where(tc, tx, -1.0)).float(), torch.where(condition != 0, xs, -1.0))
    assert torch.equal(ttnn.to_torch(ttnn.where(tc, 2.0, ty)).float(), torch.where(condition != 0, 2.0, ys))
    both = ttnn.where(tc, 1.0, 0.0)
    assert both.dtype == ttnn.bfloat16 and torch.equal(ttnn.to_torch(both).float(), (condition != 0).float())
    ints = on_device(ttnn, device, torch.tensor([[1, 2, 3]], dtype=torch.int32), ttnn.int32)
    picked = ttnn.where(on_device(ttnn, device, torch.tensor([[1.0, 0.0, 1.0]])), ints, 0)
    assert picked.dtype == ttnn.int32 and ttnn.to_torch(picked).tolist() == [[1, 0, 3]]
    with pytest.raises(RuntimeError, match="Broadcasting rule violation"):
        ttnn.where(tc, on_device(ttnn, device, torch.ones(3, 64)), 0.0)


def test_refusals_name_what_is_missing(ttnn, device):
    t = on_device(ttnn, device, uniform((1, 32, 32), 0.5, 2))
    for name in ("exp", "log", "sqrt", "rsqrt", "tanh", "erf", "mish", "divide", "multiply"):
        with pytest.raises(UnsupportedTTNNOp, match=rf"ttnn.{name}\(fast_and_approximate_mode=True\)"):
            getattr(ttnn, name)(t, *(() if name not in ("divide", "multiply") else (t,)),
                                fast_and_approximate_mode=True)
    with pytest.raises(UnsupportedTTNNOp, match="SigmoidMode.FastApproximate"):
        ttnn.sigmoid(t, mode=ttnn.SigmoidMode.FastApproximate)
    with pytest.raises(UnsupportedTTNNOp, match="vector_mode=2"):
        ttnn.sigmoid(t, vector_mode=2)
    with pytest.raises(UnsupportedTTNNOp, match="input_tensor_b_activations"):
        ttnn.subtract(t, t, input_tensor_b_activations=[ttnn.UnaryWithParam(ttnn.UnaryOpType.EXP)])
    with pytest.raises(RuntimeError, match="fast_and_approximate_mode=false is only supported for a BFLOAT16 output"):
        ttnn.add(t, t, fast_and_approximate_mode=False, dtype=ttnn.float32)
    accurate = ttnn.add(t, t, fast_and_approximate_mode=False)  # the SFPU's nearest-even bfloat16 result
    assert torch.equal(ttnn.to_torch(accurate), ttnn.to_torch(ttnn.add(t, t)))
    with pytest.raises(RuntimeError, match="LGAMMA requires BFLOAT16 or FLOAT32"):
        ttnn.lgamma(on_device(ttnn, device, torch.ones(1, 32, 32), ttnn.bfloat8_b))
    with pytest.raises(RuntimeError, match="decimals must lie in"):
        ttnn.round(t, decimals=9)
    with pytest.raises(TypeError, match="no scalar-scalar overload"):
        ttnn.add(1.0, 2.0)
    with pytest.raises(TypeError, match="ttnn.Tensor operands only"):
        ttnn.atan2(t, 1.0)


def test_gelu_variants_and_golden_functions(ttnn, device):
    x = uniform((1, 32, 64), -4, 4)
    t = on_device(ttnn, device, x, ttnn.float32)
    tanh_form = F.gelu(x, approximate="tanh")
    for kwargs in ({"variant": ttnn.GeluVariant.Tanh}, {"fast_and_approximate_mode": True}):
        close(ttnn.to_torch(ttnn.gelu(t, **kwargs)), tanh_form, "float32")
    assert ttnn.get_golden_function(ttnn.exp) is not None and ttnn.get_golden_function(ttnn.subtract) is not None


def test_each_op_records_itself(ttnn, device):
    t = on_device(ttnn, device, uniform((1, 32, 64), 0.5, 2))
    with recording() as trace:
        ttnn.exp(t)
        ttnn.sub(t, 1.0, memory_config=ttnn.L1_MEMORY_CONFIG)
        ttnn.where(t, t, 0.0)
        ttnn.clamp(t, 0.0, 1.0)
        ttnn.add_(t, t)
    assert [r.op for r in trace.records] == ["exp", "subtract", "where", "clamp", "add_"]
    assert trace.records[1].memory == "L1" and trace.records[1].input_shapes == [(1, 32, 64)]
    with recording(shape_only=True) as shapes:
        out = ttnn.multiply(t, on_device(ttnn, device, torch.ones(64)))
    assert out.stored is None and shapes.records[0].output_shape == (1, 32, 64)


def test_sharded_operands_keep_their_shards(ttnn, device):
    x = uniform((32, 32, 32), 0, 1)
    config = ttnn.create_sharded_memory_config(shape=(32, 32), core_grid=ttnn.CoreGrid(y=4, x=8),
                                               strategy=ttnn.ShardStrategy.HEIGHT, use_height_and_width_as_shard_shape=True)
    t = on_device(ttnn, device, x, memory_config=config)
    out = ttnn.mul(t, 3.0, memory_config=ttnn.L1_HEIGHT_SHARDED_MEMORY_CONFIG)  # no shard spec: the input's
    assert out.memory_config().shard_spec == config.shard_spec
    assert torch.equal(ttnn.to_torch(out).float(), stored(stored(x, "bfloat16") * 3, "bfloat16"))
    assert ttnn.exp(t).memory_config() == t.memory_config()
    with pytest.raises(RuntimeError, match="Cannot broadcast sharded tensors on dims other than W"):
        ttnn.add(t, on_device(ttnn, device, torch.ones(1, 32, 32)))


def test_numbers_from_torch_and_a_uint16_mask(ttnn, device):
    x = uniform((1, 32, 32), 1, 2)
    t = on_device(ttnn, device, x, ttnn.float32)
    assert torch.equal(ttnn.to_torch(ttnn.divide(t, torch.tensor(2.0))), ttnn.to_torch(ttnn.divide(t, 2.0)))
    mask = ttnn.gt(t, 1.5, dtype=ttnn.uint16)
    assert mask.dtype == ttnn.uint16 and ttnn.to_torch(mask).dtype == torch.uint16
    assert torch.equal(ttnn.to_torch(mask).to(torch.int32), (x > 1.5).to(torch.int32))


def uint16_pair(ttnn, device, layout=None):
    torch.manual_seed(3)
    a = torch.randint(0, 100, (2, 40, 70), dtype=torch.int32)
    b = a.clone()
    changed = torch.rand(a.shape) > 0.5
    b[changed] = torch.randint(0, 100, a.shape, dtype=torch.int32)[changed]
    a[-1], b[-1] = 65535, 65535
    b[-1, 0, :5] = 0
    layout = layout or ttnn.TILE_LAYOUT
    return a, b, (ttnn.from_torch(v, dtype=ttnn.uint16, layout=layout, device=device) for v in (a, b))


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"])
def test_uint16_comparisons_and_logical_ops_are_exact(ttnn, device, name):
    """tt-metal's test_binary_comp_init: 1/0 in the inputs' uint16 (to_torch gives torch.uint16), 65535 included."""
    a, b, (ta, tb) = uint16_pair(ttnn, device)
    out = getattr(ttnn, name)(ta, tb)
    expected = ttnn.get_golden_function(getattr(ttnn, name))(a, b).to(torch.int32)
    assert out.dtype == ttnn.uint16 and ttnn.to_torch(out).dtype == torch.uint16
    assert torch.equal(ttnn.to_torch(out).to(torch.int32), expected)
    as_uint32 = getattr(ttnn, name)(ta, tb, dtype=ttnn.uint32)
    assert as_uint32.dtype == ttnn.uint32 and torch.equal(ttnn.to_torch(as_uint32).to(torch.int32), expected)


def test_uint16_arithmetic_wraps_and_a_uint16_output_tensor_is_filled(ttnn, device):
    a, b, (ta, tb) = uint16_pair(ttnn, device, ttnn.ROW_MAJOR_LAYOUT)
    for name, exact in (("add", a + b), ("subtract", a - b), ("multiply", a * b)):
        out = getattr(ttnn, name)(ta, tb)
        assert out.dtype == ttnn.uint16
        assert torch.equal(ttnn.to_torch(out).to(torch.int64), exact.to(torch.int64) % 2**16)
    x = uniform((2, 32, 32), -100, 100)
    y = uniform((2, 32, 32), -90, 100, seed=1)
    preallocated = ttnn.Tensor(torch.rand(2, 32, 32).bfloat16(), ttnn.uint16).to(ttnn.TILE_LAYOUT).to(device)
    ttnn.lt(on_device(ttnn, device, x), on_device(ttnn, device, y), dtype=ttnn.uint16, output_tensor=preallocated)
    assert torch.equal(ttnn.to_torch(preallocated).to(torch.int32),
                       (stored(x, "bfloat16") < stored(y, "bfloat16")).to(torch.int32))


def test_uint8_comparisons_give_uint16_and_use_legacy_is_not_a_keyword(ttnn, device, real_ttnn):
    values = torch.tensor([[0, 7, 255, 3]], dtype=torch.uint8)
    t = ttnn.from_torch(values, layout=ttnn.TILE_LAYOUT, device=device)
    out = ttnn.eq(t, ttnn.from_torch(torch.tensor([[0, 6, 255, 3]], dtype=torch.uint8), layout=ttnn.TILE_LAYOUT,
                                     device=device))
    assert t.dtype == ttnn.uint8 and out.dtype == ttnn.uint16
    assert ttnn.to_torch(out).tolist() == [[1, 0, 1, 1]]
    # real ttnn 0.81.1 has no legacy binary path: its binary ops take no use_legacy keyword, so neither do ours
    with pytest.raises(TypeError, match="use_legacy"):
        ttnn.eq(t, t, use_legacy=True)
    with pytest.raises(TypeError, match="incompatible function arguments"):
        real_ttnn.eq(1, 2, use_legacy=False)


def test_hardmish_truncates_a_bfloat16_result(ttnn, device, real_ttnn):
    """tt-metal's hardmish stores its bfloat16 result truncated (SFPSTORE), as real ttnn's golden function says."""
    x = torch.linspace(-3, 3, 1024).reshape(32, 32)
    out = ttnn.to_torch(ttnn.hardmish(on_device(ttnn, device, x)))
    assert torch.equal(out, real_ttnn.get_golden_function(real_ttnn.hardmish)(x.bfloat16()))
    assert not torch.equal(out, (lambda v: v * (v / 2 + 1).clamp(0, 1))(x.bfloat16().float()).bfloat16())
