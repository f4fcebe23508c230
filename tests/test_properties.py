"""Hypothesis property tests: monotonicity, symmetry identities, backward == g * f',
agreement across SIMD levels, dtype preservation."""

import os

import numpy as np
import pytest

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nonlin as nl

# CI (CI=true) replays the same examples every run, so a landing never depends on luck;
# locally every run explores new ones.
settings.register_profile(
    "nonlin", deadline=None, max_examples=60, derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile("nonlin")

NAMES = ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "gelu_tanh",
         "silu", "mish", "softplus", "softsign", "sigmoid", "tanh", "logsigmoid", "hardtanh",
         "hardsigmoid", "hardswish", "hardshrink", "softshrink", "tanhshrink", "squared_relu"]

# non-decreasing over the whole real line (hard/softshrink: on each piece, and across the
# jumps too, since they only jump upwards); prelu/leaky with non-negative slopes
MONOTONE = ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "softplus",
            "sigmoid", "tanh", "logsigmoid", "softsign", "hardtanh", "hardsigmoid",
            "hardshrink", "softshrink", "tanhshrink", "squared_relu"]
ODD = ["tanh", "softsign", "hardtanh", "hardshrink", "softshrink", "tanhshrink"]

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
TINY = {F16: np.finfo(np.float16).tiny, F32: np.finfo(np.float32).tiny,
        F64: np.finfo(np.float64).tiny}


def floats(dtype, lo=None, hi=None, allow_infinity=True, allow_subnormal=True):
    w = np.dtype(dtype).itemsize * 8
    return st.floats(min_value=lo, max_value=hi, width=w, allow_nan=False,
                     allow_infinity=allow_infinity and lo is None and hi is None,
                     allow_subnormal=allow_subnormal)


def arrays(dtype, lo=None, hi=None, allow_infinity=True, max_size=64):
    return hnp.arrays(dtype, st.integers(1, max_size),
                      elements=floats(dtype, lo, hi, allow_infinity))


dtypes = st.sampled_from([F32, F64])


def ulps(actual, expected, dtype, floor=None):
    """|actual - expected| in ULPs of expected (in dtype), counting ULPs no finer than floor."""
    actual = np.asarray(actual, np.float64)
    expected = np.asarray(expected, np.float64)
    scale = np.abs(expected)
    if floor is not None:
        scale = np.maximum(scale, floor)
    ulp = np.spacing(scale.astype(dtype)).astype(np.float64)
    ulp = np.maximum(ulp, np.spacing(np.asarray(TINY[np.dtype(dtype)], dtype)).astype(np.float64))
    err = np.abs(actual - expected) / ulp
    same = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    return np.where(same, 0.0, err)


# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MONOTONE)
@given(data=st.data())
def test_monotone(name, data):
    dtype = data.draw(dtypes)
    x = np.sort(data.draw(arrays(dtype)))
    y = getattr(nl, name)(x)
    assert not np.any(np.isnan(y)), (x[np.isnan(y)], "NaN from non-NaN input")
    dy = np.diff(y)
    # a faithfully rounded implementation may wobble by one ULP; allow exactly that
    slack = np.spacing(np.abs(y[:-1])).astype(np.float64)
    bad = dy.astype(np.float64) < -slack
    assert not np.any(bad), list(zip(x[:-1][bad], x[1:][bad], y[:-1][bad], y[1:][bad]))


@pytest.mark.parametrize("name,params", [
    ("leaky_relu", {"negative_slope": 0.3}), ("prelu", {"weight": 0.0}), ("elu", {"alpha": 2.5}),
    ("celu", {"alpha": 0.3}), ("softplus", {"beta": 3.0, "threshold": 5.0}),
    ("hardtanh", {"min_val": -0.25, "max_val": 4.0}), ("hardshrink", {"lambd": 1.5}),
    ("softshrink", {"lambd": 1.5}), ("silu", {"beta": 0.0}),
])
@given(data=st.data())
def test_monotone_with_params(name, params, data):
    dtype = data.draw(dtypes)
    x = np.sort(data.draw(arrays(dtype, allow_infinity=False)))
    y = getattr(nl, name)(x, **params)
    slack = np.spacing(np.abs(y[:-1])).astype(np.float64)
    assert np.all(np.diff(y).astype(np.float64) >= -slack)


@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
@given(data=st.data())
def test_shrink_pieces(name, data):
    dtype = data.draw(dtypes)
    lambd = data.draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    x = data.draw(arrays(dtype))
    y = getattr(nl, name)(x, lambd=lambd)
    inside = np.abs(x) <= dtype.type(lambd)
    assert np.all(y[inside] == 0)
    out = ~inside
    if name == "hardshrink":
        np.testing.assert_array_equal(y[out], x[out])
    else:
        # x - lambd / x + lambd, same sign as x, |y| < |x|
        assert np.all(np.sign(y[out]) * np.sign(x[out]) >= 0)
        assert np.all(np.abs(y[out]) <= np.abs(x[out]))


# ---------------------------------------------------------------------------------------------
# Symmetry identities.
@pytest.mark.parametrize("name", ODD)
@given(data=st.data())
def test_odd_functions(name, data):
    dtype = data.draw(dtypes)
    x = data.draw(arrays(dtype))
    f = getattr(nl, name)
    np.testing.assert_array_equal(f(-x), -f(x))
    # their derivatives are even
    np.testing.assert_array_equal(f.derivative(-x), f.derivative(x))


@given(data=st.data())
def test_sigmoid_reflection(data):
    dtype = data.draw(dtypes)
    x = data.draw(arrays(dtype))
    s = nl.sigmoid(x).astype(np.float64) + nl.sigmoid(-x).astype(np.float64)
    eps = np.finfo(dtype).eps
    assert np.all(np.abs(s - 1) <= 2 * eps), x[np.abs(s - 1) > 2 * eps]
    # derivative is even
    np.testing.assert_allclose(nl.sigmoid.derivative(-x), nl.sigmoid.derivative(x),
                               rtol=4 * eps, atol=0)


@given(data=st.data())
def test_softplus_identity(data):
    # softplus(x) - softplus(-x) = x   (threshold off so both sides use the smooth formula)
    dtype = data.draw(dtypes)
    x = data.draw(arrays(dtype, allow_infinity=False))
    kw = dict(threshold=np.inf)
    a = nl.softplus(x, **kw).astype(np.float64)
    b = nl.softplus(-x, **kw).astype(np.float64)
    scale = np.maximum(np.abs(a), np.abs(b))
    err = ulps(a - b, x.astype(np.float64), dtype, floor=scale)
    assert err.max() <= 4, (x[err.argmax()], a[err.argmax()], b[err.argmax()])
    # logsigmoid(x) = -softplus(-x)
    ls = nl.logsigmoid(x)
    err = ulps(ls, -b, dtype)
    assert err.max() <= 4, x[err.argmax()]


@pytest.mark.parametrize("name", ["gelu", "silu", "gelu_tanh"])
@given(data=st.data())
def test_gate_reflection(name, data):
    # x * gate(x) with gate(x) + gate(-x) = 1  =>  f(x) - f(-x) = x
    dtype = data.draw(dtypes)
    x = data.draw(arrays(dtype, lo=-1e4, hi=1e4))
    f = getattr(nl, name)
    a = f(x).astype(np.float64)
    b = f(-x).astype(np.float64)
    err = ulps(a - b, x.astype(np.float64), dtype, floor=np.maximum(np.abs(a), np.abs(b)))
    assert err.max() <= 4, (x[err.argmax()], a[err.argmax()], b[err.argmax()])


@given(data=st.data())
def test_silu_is_x_sigmoid(data):
    dtype = data.draw(dtypes)
    lim = 80.0 if dtype == F32 else 700.0  # keep x*sigmoid(x) out of the subnormal range
    x = data.draw(arrays(dtype, lo=-lim, hi=lim))
    ref = x.astype(np.float64) * nl.sigmoid(x).astype(np.float64)
    err = ulps(nl.silu(x), ref, dtype)
    assert err.max() <= 4, (x[err.argmax()], err.max())
    # silu(x; beta) = x * sigmoid(beta x)
    beta = data.draw(st.sampled_from([0.5, 2.0, 4.0]))
    xb = x / 4  # keep beta*x in range
    ref = xb.astype(np.float64) * nl.sigmoid((beta * xb).astype(dtype)).astype(np.float64)
    err = ulps(nl.silu(xb, beta=beta), ref, dtype)
    assert err.max() <= 5, (xb[err.argmax()], err.max())


@given(data=st.data())
def test_hard_function_identities(data):
    dtype = data.draw(dtypes)
    x = data.draw(arrays(dtype, lo=-1e6, hi=1e6))
    # hardswish = x * hardsigmoid; relu6 = hardtanh(0, 6); squared_relu = relu^2
    err = ulps(nl.hardswish(x), x.astype(np.float64) * nl.hardsigmoid(x), dtype)
    assert err.max() <= 2
    np.testing.assert_array_equal(nl.relu6(x), nl.hardtanh(x, min_val=0.0, max_val=6.0))
    r = nl.relu(x).astype(np.float64)
    assert ulps(nl.squared_relu(x), r * r, dtype).max() <= 1
    np.testing.assert_array_equal(nl.leaky_relu(x, negative_slope=0.25), nl.prelu(x))


# ---------------------------------------------------------------------------------------------
# backward(g, x) == g * derivative(x)
PARAMS = {"leaky_relu": {"negative_slope": 0.2}, "prelu": {"weight": -0.5},
          "elu": {"alpha": 1.5}, "celu": {"alpha": 0.5}, "silu": {"beta": 1.5},
          "softplus": {"beta": 2.0, "threshold": 15.0},
          "hardtanh": {"min_val": -2.0, "max_val": 3.0}, "hardshrink": {"lambd": 0.25},
          "softshrink": {"lambd": 0.25}}


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_backward_is_grad_times_derivative(name, data):
    dtype = data.draw(dtypes)
    n = data.draw(st.integers(1, 64))
    x = data.draw(hnp.arrays(dtype, n, elements=floats(dtype)))
    g = data.draw(hnp.arrays(dtype, n, elements=floats(dtype, -1e3, 1e3)))
    p = data.draw(st.sampled_from([{}, PARAMS.get(name, {})]))
    f = getattr(nl, name)
    d = f.derivative(x, **p)
    b = f.backward(g, x, **p)
    assert b.dtype == dtype
    ref = g.astype(np.float64) * d.astype(np.float64)
    # NaN/inf agreement (e.g. g = 0 and f' = inf is not expected for these functions); a
    # product beyond the dtype's range rounds to inf
    with np.errstate(over="ignore"):
        fin = np.isfinite(ref.astype(dtype))
    assert np.all(np.isfinite(b[fin])), (x[fin & ~np.isfinite(b)], g[fin & ~np.isfinite(b)])
    # a subnormal (or underflowed) f'(x) is itself rounded in absolute terms, to half the
    # smallest subnormal, so there g * f' can differ from the fused backward by |g| times that,
    # plus the fused result's own 2 ulp (it can be a normal number: |g| up to 1e3)
    tiny = (np.abs(d) < TINY[dtype]) & fin
    smallest = float(np.finfo(dtype).smallest_subnormal)
    slack = (np.abs(g[tiny].astype(np.float64)) * 0.5 * smallest
             + 2 * np.spacing(np.abs(b[tiny])).astype(np.float64))
    assert np.all(np.abs(b[tiny].astype(np.float64) - ref[tiny]) <= slack), x[tiny]
    fin &= ~tiny
    err = ulps(b[fin], ref[fin], dtype)
    assert err.max(initial=0) <= 2, (x[fin][err.argmax()], g[fin][err.argmax()], err.max())
    # g = 1 gives the derivative itself; g = 0 gives zero (finite x)
    assert ulps(f.backward(np.ones_like(x), x, **p), d, dtype).max() <= 2
    z = f.backward(np.zeros_like(x), x, **p)
    assert np.all(z[np.isfinite(x)] == 0)


# ---------------------------------------------------------------------------------------------
# Forward identical across SIMD levels within the accuracy bound (2 ULP each => 4 apart).
@pytest.fixture
def restore_simd():
    old = nl.simd_level()
    yield
    nl.set_simd_level(old)


def _levels():
    return list(nl.simd_levels())


# zeros of f' (default parameters): there errors are counted in ULPs of the largest term
DERIV_ZEROS = {"gelu": -0.7518, "gelu_tanh": -0.7522, "silu": -1.2785, "mish": -1.1916}


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_forward_across_simd_levels(name, data, restore_simd):
    levels = _levels()
    if len(levels) < 2:
        pytest.skip("only one SIMD level on this CPU")
    dtype = data.draw(dtypes)
    # long enough to exercise the vector body, not a multiple of the vector width
    n = data.draw(st.integers(1, 100))
    x = data.draw(hnp.arrays(dtype, n, elements=floats(dtype)))
    p = data.draw(st.sampled_from([{}, PARAMS.get(name, {})]))
    f = getattr(nl, name)
    res = {}
    for level in levels:
        nl.set_simd_level(level)
        assert nl.simd_level() == level
        res[level] = (f(x, **p), f.derivative(x, **p))
    base_y, base_d = res[levels[0]]
    for level in levels[1:]:
        y, d = res[level]
        assert y.dtype == dtype
        np.testing.assert_array_equal(np.isnan(y), np.isnan(base_y))
        err = ulps(y, base_y, dtype)
        # each level is within the documented accuracy of the truth, so within twice it of
        # each other
        doc = (f.accuracy.get(np.dtype(dtype).name) or {}).get("forward") or 0.0
        assert err.max() <= 2 * max(2.0, doc), (level, x[err.argmax()], y[err.argmax()],
                                                base_y[err.argmax()])
        # derivatives: 4 ULP each
        floor = None
        if name in DERIV_ZEROS:
            beta = p.get("beta", 1.0)
            floor = np.where(np.abs(beta * x - DERIV_ZEROS[name]) < 0.05, 1.0 / 16, 0.0)
        err = ulps(d, base_d, dtype, floor=floor)
        assert err.max() <= 8, (level, x[err.argmax()], d[err.argmax()], base_d[err.argmax()])


# ---------------------------------------------------------------------------------------------
# dtype preservation
@pytest.mark.parametrize("name", NAMES)
@given(dtype=st.sampled_from([np.float16, np.float32, np.float64]),
       shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
def test_dtype_preserved(name, dtype, shape):
    x = np.linspace(-4, 4, int(np.prod(shape))).reshape(shape).astype(dtype)
    f = getattr(nl, name)
    for r in (f(x), f.derivative(x), f.backward(x, x)):
        r = np.asarray(r)
        assert r.dtype == dtype and r.shape == shape
    if f.learnable:
        pg = f.param_backward(x, x)
        for k in f.learnable:
            assert np.asarray(pg[k]).dtype == dtype


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_float16_is_float32_rounded(name, data):
    # float16 computes in float32: result == float32 result rounded to float16 (within 1 ULP
    # of float16, the double rounding allowance)
    x = data.draw(hnp.arrays(np.float16, st.integers(1, 64),
                             elements=st.floats(width=16, allow_nan=False)))
    f = getattr(nl, name)
    y16 = f(x)
    y32 = f(x.astype(np.float32)).astype(np.float16)
    assert y16.dtype == np.float16
    np.testing.assert_array_equal(np.isnan(y16), np.isnan(y32))
    assert ulps(y16, y32, np.float16).max() <= 1
