"""NumPy ufunc semantics of every activation (see tests/API.md).

Values are checked against an independent float64 reference written here with numpy/scipy, at a
loose tolerance (~1e-6 relative for float32): these tests look for plumbing errors (wrong
parameter order, wrong broadcasting, strides, out=/where= handling, dtype resolution, threading
chunk offsets), not for last-ULP accuracy, which is tested elsewhere.
"""

import math
import pickle

import numpy as np
import pytest
from scipy import special

import nonlin as nl

SQRT2 = math.sqrt(2.0)
SQRT_2_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

# ---------------------------------------------------------------------------------------------
# Contract: names, parameters (in ufunc argument order), defaults, learnable parameters.
EXPECTED = {
    "relu": ({}, ()),
    "relu6": ({}, ()),
    "leaky_relu": ({"negative_slope": 0.01}, ()),
    "prelu": ({"weight": 0.25}, ("weight",)),
    "elu": ({"alpha": 1.0}, ("alpha",)),
    "selu": ({}, ()),
    "celu": ({"alpha": 1.0}, ("alpha",)),
    "gelu": ({}, ()),
    "gelu_tanh": ({}, ()),
    "silu": ({"beta": 1.0}, ("beta",)),
    "mish": ({}, ()),
    "softplus": ({"beta": 1.0, "threshold": 20.0}, ("beta",)),
    "softsign": ({}, ()),
    "sigmoid": ({}, ()),
    "tanh": ({}, ()),
    "logsigmoid": ({}, ()),
    "hardtanh": ({"min_val": -1.0, "max_val": 1.0}, ()),
    "hardsigmoid": ({}, ()),
    "hardswish": ({}, ()),
    "hardshrink": ({"lambd": 0.5}, ()),
    "softshrink": ({"lambd": 0.5}, ()),
    "tanhshrink": ({}, ()),
    "squared_relu": ({}, ()),
}
NAMES = list(EXPECTED)
PARAMETRIC = [n for n in NAMES if EXPECTED[n][0]]
LEARNABLE = [n for n in NAMES if EXPECTED[n][1]]

# Non-default parameter values, exactly representable in float16/32 so that the float64
# reference sees the same parameter as a float32 kernel.
NONDEFAULT = {
    "leaky_relu": {"negative_slope": 0.125},
    "prelu": {"weight": 0.375},
    "elu": {"alpha": 1.5},
    "celu": {"alpha": 0.75},
    "silu": {"beta": 1.25},
    "softplus": {"beta": 2.0, "threshold": 10.0},
    "hardtanh": {"min_val": -2.0, "max_val": 0.5},
    "hardshrink": {"lambd": 0.75},
    "softshrink": {"lambd": 0.375},
}

# Per-channel values (C=3) used for the broadcasting tests; every combination is valid.
PER_CHANNEL = {
    "leaky_relu": {"negative_slope": [0.0, 0.125, 0.5]},
    "prelu": {"weight": [-0.25, 0.375, 1.5]},
    "elu": {"alpha": [0.5, 1.0, 2.0]},
    "celu": {"alpha": [0.5, 1.0, 2.0]},
    "silu": {"beta": [0.5, 1.0, 2.0]},
    "softplus": {"beta": [0.5, 1.0, 2.0], "threshold": [20.0, 5.0, 1.0]},
    "hardtanh": {"min_val": [-1.0, -2.0, 0.0], "max_val": [1.0, 0.5, 3.0]},
    "hardshrink": {"lambd": [0.0, 0.5, 1.25]},
    "softshrink": {"lambd": [0.0, 0.5, 1.25]},
}


# ---------------------------------------------------------------------------------------------
# Independent float64 references: (forward, derivative); parameters as keywords.
def _sig(x):
    return special.expit(x)


def _phi_cdf(x):
    return 0.5 * special.erfc(-x / SQRT2)


def _gelu_tanh_u(x):
    return SQRT_2_PI * (x + 0.044715 * x**3)


REF = {
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(float)),
    "relu6": (lambda x: np.clip(x, 0.0, 6.0), lambda x: ((x > 0) & (x < 6)).astype(float)),
    "leaky_relu": (
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        lambda x, negative_slope: np.where(x > 0, 1.0, negative_slope + 0 * x),
    ),
    "prelu": (
        lambda x, weight: np.where(x > 0, x, weight * x),
        lambda x, weight: np.where(x > 0, 1.0, weight + 0 * x),
    ),
    "elu": (
        lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
        lambda x, alpha: np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))),
    ),
    "selu": (
        lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))),
        lambda x: SELU_SCALE * np.where(x > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(x, 0))),
    ),
    "celu": (
        lambda x, alpha: np.maximum(x, 0) + np.minimum(0, alpha * np.expm1(np.minimum(x, 0) / alpha)),
        lambda x, alpha: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0) / alpha)),
    ),
    "gelu": (
        lambda x: x * _phi_cdf(x),
        lambda x: _phi_cdf(x) + x * INV_SQRT_2PI * np.exp(-0.5 * x * x),
    ),
    "gelu_tanh": (
        lambda x: x * _sig(2.0 * _gelu_tanh_u(x)),
        lambda x: (
            0.5 * (1 + np.tanh(_gelu_tanh_u(x)))
            + 0.5 * x * (1 - np.tanh(_gelu_tanh_u(x)) ** 2) * SQRT_2_PI * (1 + 3 * 0.044715 * x * x)
        ),
    ),
    "silu": (
        lambda x, beta: x * _sig(beta * x),
        lambda x, beta: _sig(beta * x) * (1 + beta * x * _sig(-beta * x)),
    ),
    "mish": (
        lambda x: x * np.tanh(np.logaddexp(0.0, x)),
        lambda x: (
            np.tanh(np.logaddexp(0.0, x))
            + x * _sig(x) * (1 - np.tanh(np.logaddexp(0.0, x)) ** 2)
        ),
    ),
    "softplus": (
        lambda x, beta, threshold: np.where(beta * x > threshold, x, np.logaddexp(0.0, beta * x) / beta),
        lambda x, beta, threshold: np.where(beta * x > threshold, 1.0, _sig(beta * x)),
    ),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1.0 / (1 + np.abs(x)) ** 2),
    "sigmoid": (_sig, lambda x: _sig(x) * _sig(-x)),
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "logsigmoid": (lambda x: -np.logaddexp(0.0, -x), lambda x: _sig(-x)),
    "hardtanh": (
        lambda x, min_val, max_val: np.minimum(np.maximum(x, min_val), max_val),
        lambda x, min_val, max_val: ((x > min_val) & (x < max_val)).astype(float),
    ),
    "hardsigmoid": (
        lambda x: np.clip(x + 3.0, 0.0, 6.0) / 6.0,
        lambda x: ((x > -3) & (x < 3)) / 6.0,
    ),
    "hardswish": (
        lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
        lambda x: np.where(x <= -3, 0.0, np.where(x < 3, x / 3.0 + 0.5, 1.0)),
    ),
    "hardshrink": (
        lambda x, lambd: np.where(np.abs(x) > lambd, x, 0.0),
        lambda x, lambd: (np.abs(x) > lambd).astype(float),
    ),
    "softshrink": (
        lambda x, lambd: np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0)),
        lambda x, lambd: (np.abs(x) > lambd).astype(float),
    ),
    "tanhshrink": (lambda x: x - np.tanh(x), lambda x: np.tanh(x) ** 2),
    "squared_relu": (lambda x: np.maximum(x, 0.0) ** 2, lambda x: 2 * np.maximum(x, 0.0)),
}

GLU = {
    # name: (gate, gate derivative)
    "glu": REF["sigmoid"],
    "reglu": REF["relu"],
    "geglu": REF["gelu"],
    "swiglu": (lambda b: REF["silu"][0](b, beta=1.0), lambda b: REF["silu"][1](b, beta=1.0)),
}

TOL = {
    np.dtype(np.float16): dict(rtol=2e-3, atol=2e-3),
    np.dtype(np.float32): dict(rtol=2e-6, atol=1e-6),
    np.dtype(np.float64): dict(rtol=1e-12, atol=1e-13),
}
FLOATS = [np.float16, np.float32, np.float64]


def act(name):
    return getattr(nl, name)


def ufunc(name, suffix=""):
    return getattr(nl.ufuncs, name + suffix)


def ref_fwd(name, x, **p):
    params = {**EXPECTED[name][0], **p}
    return REF[name][0](np.asarray(x, dtype=np.float64), **_f64(params))


def ref_der(name, x, **p):
    params = {**EXPECTED[name][0], **p}
    return REF[name][1](np.asarray(x, dtype=np.float64), **_f64(params))


def ref_bwd(name, g, x, **p):
    return np.asarray(g, dtype=np.float64) * ref_der(name, x, **p)


def _f64(params):
    return {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}


def check(actual, expected, dtype=None, **tol):
    actual = np.asarray(actual)
    dtype = np.dtype(dtype) if dtype is not None else actual.dtype
    assert actual.dtype == dtype, (actual.dtype, dtype)
    kw = dict(TOL[dtype])
    kw.update(tol)
    np.testing.assert_allclose(actual.astype(np.float64), expected, **kw)


# Kinks and special points, plus random values, all exactly representable in float16.
KINKS = [0.0, -0.0, 3.0, -3.0, 6.0, -6.0, 0.5, -0.5, 0.75, -0.75, 0.375, -0.375, 1.0, -1.0,
         -2.0, 5.0, 10.0, 20.0, -20.0]


def sample(n=1000, dtype=np.float64, seed=0, lo=-8.0, hi=8.0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, n)
    k = min(n, len(KINKS))
    x[:k] = KINKS[:k]
    return x.astype(dtype)


def grad_sample(shape, dtype=np.float64, seed=1):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


@pytest.fixture
def two_threads():
    old = nl.get_num_threads()
    nl.set_num_threads(2)
    yield
    nl.set_num_threads(old)


# ---------------------------------------------------------------------------------------------
# The objects themselves.
@pytest.mark.parametrize("name", NAMES)
def test_activation_metadata(name):
    a = act(name)
    params, learnable = EXPECTED[name]
    assert a.name == name
    assert dict(a.params) == params
    assert list(a.params) == list(params), "parameter order is the ufunc argument order"
    assert tuple(a.learnable) == learnable
    assert isinstance(a.accuracy, dict)


@pytest.mark.parametrize("name", NAMES)
def test_ufuncs_are_real_ufuncs(name):
    k = len(EXPECTED[name][0])
    for suffix, nin in (("", 1 + k), ("_derivative", 1 + k), ("_backward", 2 + k)):
        u = ufunc(name, suffix)
        assert isinstance(u, np.ufunc), (name + suffix, type(u))
        assert (u.nin, u.nout) == (nin, 1), name + suffix
        assert u.signature is None
        for t in "fd":
            assert any(sig.startswith(t * u.nin + "->") for sig in u.types), (name + suffix, u.types)
    learnable = EXPECTED[name][1]
    if learnable:
        u = ufunc(name, "_param_grad")
        assert isinstance(u, np.ufunc)
        assert (u.nin, u.nout) == (2 + k, len(learnable))
    else:
        assert not isinstance(getattr(nl.ufuncs, name + "_param_grad", None), np.ufunc)


@pytest.mark.parametrize("name", NAMES)
def test_ufunc_pickles_by_name(name):
    suffixes = ["", "_derivative", "_backward"] + (["_param_grad"] if EXPECTED[name][1] else [])
    for suffix in suffixes:
        u = ufunc(name, suffix)
        for proto in (2, pickle.HIGHEST_PROTOCOL):
            assert pickle.loads(pickle.dumps(u, protocol=proto)) is u, name + suffix


# ---------------------------------------------------------------------------------------------
# Values: Activation methods and raw ufuncs (parameters positional in .params order).
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,use_defaults",
                         [(n, True) for n in NAMES] + [(n, False) for n in NAMES if NONDEFAULT.get(n)],
                         ids=lambda v: {True: "defaults", False: "params"}.get(v, v))
def test_values_match_reference(name, use_defaults, dtype):
    p = {} if use_defaults else NONDEFAULT[name]
    x = sample(dtype=dtype)
    g = grad_sample(x.shape, dtype)
    a = act(name)
    check(a(x, **p), ref_fwd(name, x, **p), dtype)
    check(a.derivative(x, **p), ref_der(name, x, **p), dtype)
    check(a.backward(g, x, **p), ref_bwd(name, g, x, **p), dtype)

    # raw ufuncs, parameters positional in the order of .params
    pos = [p.get(k, v) for k, v in EXPECTED[name][0].items()]
    np.testing.assert_array_equal(ufunc(name)(x, *pos), a(x, **p))
    np.testing.assert_array_equal(ufunc(name, "_derivative")(x, *pos), a.derivative(x, **p))
    np.testing.assert_array_equal(ufunc(name, "_backward")(g, x, *pos), a.backward(g, x, **p))


@pytest.mark.parametrize("name", LEARNABLE)
def test_param_grad_ufunc_and_reduction(name):
    params, learnable = EXPECTED[name]
    x = np.random.default_rng(2).uniform(-6, 6, (2, 10, 10))  # no kinks: finite differences
    g = grad_sample(x.shape)
    p = {k: np.full((1, 10, 1), v) for k, v in {**params, **NONDEFAULT.get(name, {})}.items()}
    # central differences of sum(g * f) w.r.t. each learnable parameter, per element
    elem = ufunc(name, "_param_grad")(g, x, *[p[k] for k in params])
    elem = elem if isinstance(elem, tuple) else (elem,)
    red = act(name).param_backward(g, x, **p)
    assert set(red) == set(learnable)
    for k, e in zip(learnable, elem):
        assert e.shape == x.shape
        h = 1e-6
        fp = ref_fwd(name, x, **{**p, k: p[k] + h})
        fm = ref_fwd(name, x, **{**p, k: p[k] - h})
        np.testing.assert_allclose(e, g * (fp - fm) / (2 * h), rtol=1e-5, atol=1e-6)
        assert np.shape(red[k]) == np.shape(p[k])
        np.testing.assert_allclose(red[k], e.sum(axis=(0, 2), keepdims=True), rtol=1e-12, atol=1e-12)
    # scalar parameter -> scalar gradient
    red = act(name).param_backward(g, x)
    for k in learnable:
        assert np.shape(red[k]) == ()


# ---------------------------------------------------------------------------------------------
# Broadcasting.
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", PARAMETRIC)
def test_per_channel_parameters(name, dtype):
    N, C, H, W = 2, 3, 4, 5
    x = sample(N * C * H * W, dtype, seed=3, lo=-4, hi=4).reshape(N, C, H, W)
    g = grad_sample(x.shape, dtype)
    p = {k: np.asarray(v, dtype=dtype).reshape(C, 1, 1) for k, v in PER_CHANNEL[name].items()}
    a = act(name)
    for pk in list(p) + [None]:
        # one parameter per channel (others default), then all of them per channel
        pp = {pk: p[pk]} if pk is not None else p
        y = a(x, **pp)
        assert y.shape == x.shape
        check(y, ref_fwd(name, x, **pp), dtype)
        check(a.derivative(x, **pp), ref_der(name, x, **pp), dtype)
        check(a.backward(g, x, **pp), ref_bwd(name, g, x, **pp), dtype)
        # element (n, c, h, w) must equal the scalar-parameter evaluation for channel c
        for c in range(C):
            pc = {k: float(v[c, 0, 0]) for k, v in pp.items()}
            np.testing.assert_array_equal(y[:, c], a(x[:, c], **pc))


@pytest.mark.parametrize("name", PARAMETRIC)
def test_parameter_broadcasts_output_shape(name):
    # parameters may have more dimensions than x; output shape is the broadcast shape
    C = 3
    x = sample(20, np.float64, seed=4).reshape(4, 5)
    p = {k: np.asarray(v).reshape(C, 1, 1) for k, v in PER_CHANNEL[name].items()}
    y = act(name)(x, **p)
    assert y.shape == (C, 4, 5)
    check(y, ref_fwd(name, x, **p))
    assert act(name).backward(1.0, x, **p).shape == (C, 4, 5)


@pytest.mark.parametrize("name", ["gelu", "silu", "softplus", "hardtanh"])
def test_grad_and_x_broadcast(name):
    x = sample(12, np.float64, seed=5).reshape(3, 4)
    g = grad_sample((4,))
    r = act(name).backward(g, x)
    assert r.shape == (3, 4)
    check(r, ref_bwd(name, g, x))
    g = grad_sample((3, 1))
    r = act(name).backward(g, x)
    assert r.shape == (3, 4)
    check(r, ref_bwd(name, g, x))


@pytest.mark.parametrize("name", ["leaky_relu", "silu", "softplus"])
def test_python_scalar_params_keep_float32(name):
    x = sample(50, np.float32)
    for dt in (np.float16, np.float32):
        xd = x.astype(dt)
        assert act(name)(xd, **NONDEFAULT[name]).dtype == dt
        assert act(name).backward(xd, xd, **NONDEFAULT[name]).dtype == dt


# ---------------------------------------------------------------------------------------------
# out= and where=.
@pytest.mark.parametrize("name", NAMES)
def test_out_argument(name):
    x = sample(300, np.float32, seed=6)
    g = grad_sample(x.shape, np.float32)
    a = act(name)
    out = np.empty_like(x)
    r = a(x, out=out)
    assert r is out
    check(out, ref_fwd(name, x), np.float32)
    r = a.derivative(x, out=out)
    assert r is out
    check(out, ref_der(name, x), np.float32)
    r = a.backward(g, x, out=out)
    assert r is out
    check(out, ref_bwd(name, g, x), np.float32)
    # tuple form as for numpy ufuncs
    out2 = np.empty_like(x)
    r = ufunc(name)(x, *EXPECTED[name][0].values(), out=(out2,))
    assert r is out2
    check(out2, ref_fwd(name, x), np.float32)


@pytest.mark.parametrize("name", NAMES)
def test_in_place(name):
    x0 = sample(300, np.float32, seed=7)
    g0 = grad_sample(x0.shape, np.float32)
    a = act(name)
    x = x0.copy()
    assert a(x, out=x) is x
    check(x, ref_fwd(name, x0), np.float32)
    x = x0.copy()
    a.derivative(x, out=x)
    check(x, ref_der(name, x0), np.float32)
    # backward in place into grad_out (the usual training pattern), then into x
    g = g0.copy()
    a.backward(g, x0, out=g)
    check(g, ref_bwd(name, g0, x0), np.float32)
    x = x0.copy()
    a.backward(g0, x, out=x)
    check(x, ref_bwd(name, g0, x0), np.float32)


@pytest.mark.parametrize("shift", [1, -1, 7, -7, 33])
@pytest.mark.parametrize("name", ["gelu", "silu", "relu", "softplus", "hardswish", "elu"])
def test_partially_overlapping_out(name, shift):
    n = 1000
    base = sample(n + abs(shift), np.float32, seed=8)
    if shift > 0:
        xs, os_ = slice(shift, None), slice(None, -shift)
    else:
        xs, os_ = slice(None, shift), slice(-shift, None)
    orig = base.copy()
    a = act(name)
    a(base[xs], out=base[os_])
    check(base[os_], ref_fwd(name, orig[xs]), np.float32)
    # backward: grad_out overlaps out, x overlaps out from the other side
    base = orig.copy()
    g = base[xs]
    a.backward(g, orig[os_], out=base[os_])
    check(base[os_], ref_bwd(name, orig[xs], orig[os_]), np.float32)
    # reversed view overlapping itself
    base = orig.copy()
    a(base[::-1], out=base)
    check(base, ref_fwd(name, orig[::-1]), np.float32)


TWO_INPUT = sorted(k for k in dir(nl.ufuncs) if isinstance(getattr(nl.ufuncs, k), np.ufunc)
                   and getattr(nl.ufuncs, k).nin == 2 and getattr(nl.ufuncs, k).nout == 1)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", TWO_INPUT)
def test_reduce_accumulate_reduceat(name, dtype):
    """ufunc.reduce / accumulate / reduceat chain each result into the next call (NumPy hands
    the loop an output that is also an input, one element behind or with stride 0): equal to
    a Python loop of single calls (were: the last element's value, uninitialised memory)."""
    uf = getattr(nl.ufuncs, name)
    x = np.array([0.75, -1.5, 0.5, 2.0, -0.25, 1.25, -3.0, 0.125] * 5, dtype)

    def chain(v):
        acc = [v[0]]
        for b in v[1:]:
            acc.append(uf(acc[-1], b))
        return np.array(acc, dtype)

    want = chain(x)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(uf.accumulate(x), want)
        np.testing.assert_array_equal(uf.reduce(x), want[-1])
        np.testing.assert_array_equal(uf.reduceat(x, [0, 3, 17]),
                                      [chain(x[0:3])[-1], chain(x[3:17])[-1], chain(x[17:])[-1]])
        x2 = x.reshape(5, 8)
        np.testing.assert_array_equal(uf.reduce(x2, axis=0), [chain(x2[:, j])[-1] for j in range(8)])
        np.testing.assert_array_equal(uf.reduce(x2, axis=1), [chain(r)[-1] for r in x2])


@pytest.mark.parametrize("name", NAMES)
def test_where(name):
    x = sample(400, np.float32, seed=9).reshape(20, 20)
    g = grad_sample(x.shape, np.float32)
    mask = np.random.default_rng(10).random(x.shape) < 0.5
    a = act(name)
    for method, expected in (
        (lambda **kw: a(x, **kw), ref_fwd(name, x)),
        (lambda **kw: a.derivative(x, **kw), ref_der(name, x)),
        (lambda **kw: a.backward(g, x, **kw), ref_bwd(name, g, x)),
    ):
        out = np.full(x.shape, 123.25, np.float32)
        r = method(out=out, where=mask)
        assert r is out
        assert np.all(out[~mask] == 123.25), "where=False elements must keep out's old values"
        check(out[mask], expected[mask], np.float32)
        # broadcast mask (per row)
        out = np.full(x.shape, -7.5, np.float32)
        rowmask = mask[:, :1]
        method(out=out, where=rowmask)
        full = np.broadcast_to(rowmask, x.shape)
        assert np.all(out[~full] == -7.5)
        check(out[full], expected[full], np.float32)


# ---------------------------------------------------------------------------------------------
# Memory layouts.
def _layouts(dtype):
    rng = np.random.default_rng(11)
    a2 = rng.uniform(-6, 6, (37, 53)).astype(dtype)
    a3 = rng.uniform(-6, 6, (7, 11, 13)).astype(dtype)
    a1 = rng.uniform(-6, 6, 3001).astype(dtype)
    return {
        "strided": a1[::3],
        "negative_stride": a1[::-1],
        "negative_stride_2": a1[::-7],
        "transposed": a2.T,
        "fortran": np.asfortranarray(a3),
        "sliced_2d": a2[::2, 1::3],
        "reversed_2d": a2[::-1, ::-2],
        "broadcast_view": np.broadcast_to(a1[:53], (37, 53)),
        "unaligned_readonly": np.frombuffer(b"\0" + a1.tobytes(), dtype=dtype, offset=1),
        "byteswapped": a1[:500].astype(np.dtype(dtype).newbyteorder()),
    }


LAYOUTS = list(_layouts(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", NAMES)
def test_memory_layouts(name, layout, dtype):
    x = _layouts(dtype)[layout]
    xc = np.ascontiguousarray(x).astype(np.dtype(dtype).newbyteorder("="))
    a = act(name)
    y = a(x)
    assert y.shape == x.shape
    check(y, ref_fwd(name, xc), dtype)
    check(a.derivative(x), ref_der(name, xc), dtype)
    g = x[::-1] if x.ndim == 1 else x[::-1, ::-1]
    gc = np.ascontiguousarray(g).astype(xc.dtype)
    check(a.backward(g, x), ref_bwd(name, gc, xc), dtype)
    # non-contiguous output
    buf = np.full(x.shape + (2,), 99.0, dtype)
    out = buf[..., 1]
    a(x, out=out)
    check(out, ref_fwd(name, xc), dtype)
    assert np.all(buf[..., 0] == 99.0)


# ---------------------------------------------------------------------------------------------
# Scalars, 0-d and empty arrays.
@pytest.mark.parametrize("name", NAMES)
def test_scalars_and_0d(name):
    a = act(name)
    for v in (0.25, -1.5, 2.0):
        r = a(v)
        assert np.ndim(r) == 0 and np.asarray(r).dtype == np.float64
        check(np.asarray(r), ref_fwd(name, v), np.float64)
        r = a(np.float32(v))
        assert np.ndim(r) == 0 and np.asarray(r).dtype == np.float32
        check(np.asarray(r), ref_fwd(name, v), np.float32)
        r = a(np.array(v, dtype=np.float32))
        assert np.ndim(r) == 0 and np.asarray(r).dtype == np.float32
        r = a.derivative(v)
        assert np.ndim(r) == 0
        check(np.asarray(r), ref_der(name, v), np.float64)
        r = a.backward(0.5, v)
        assert np.ndim(r) == 0
        check(np.asarray(r), ref_bwd(name, 0.5, v), np.float64)
        # integer Python scalar
        r = a(int(v * 4))
        assert np.asarray(r).dtype == np.float64
        check(np.asarray(r), ref_fwd(name, float(int(v * 4))), np.float64)
    # 0-d out
    out = np.array(0.0, dtype=np.float32)
    a(np.array(0.5, dtype=np.float32), out=out)
    check(out, ref_fwd(name, 0.5), np.float32)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(0,), (3, 0), (2, 0, 4)])
@pytest.mark.parametrize("name", NAMES)
def test_empty(name, shape, dtype):
    x = np.empty(shape, dtype)
    a = act(name)
    for r in (a(x), a.derivative(x), a.backward(x, x), a(x, out=np.empty_like(x))):
        assert r.shape == shape and r.dtype == dtype
    if EXPECTED[name][1]:
        pg = a.param_backward(x, x)
        for k in EXPECTED[name][1]:
            assert np.all(np.asarray(pg[k]) == 0)


# ---------------------------------------------------------------------------------------------
# Dtypes.
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", NAMES)
def test_float_dtypes(name, dtype):
    x = sample(500, dtype, seed=12, lo=-6, hi=6)
    g = grad_sample(x.shape, dtype)
    a = act(name)
    p = NONDEFAULT.get(name, {})
    check(a(x, **p), ref_fwd(name, x, **p), dtype)
    check(a.derivative(x, **p), ref_der(name, x, **p), dtype)
    check(a.backward(g, x, **p), ref_bwd(name, g, x, **p), dtype)


@pytest.mark.parametrize("name", NAMES)
def test_integer_inputs_follow_numpy_resolution(name):
    a = act(name)
    # small integer types resolve to float16/float32 like np.sin only without float
    # parameters; a Python-float parameter with an integer array promotes to float64
    small = (np.uint8, np.int16, np.int8, np.bool_) if not EXPECTED[name][0] else ()
    for it in (np.int64, np.int32) + small:
        xi = (np.arange(-6, 7) if it not in (np.uint8, np.bool_) else np.arange(13)).astype(it)
        expected_dtype = np.sin(xi).dtype  # NumPy's own resolution for a float-only ufunc
        y = a(xi)
        assert y.dtype == expected_dtype, (it, y.dtype, expected_dtype)
        check(y, ref_fwd(name, xi.astype(np.float64)), expected_dtype)
        d = a.derivative(xi)
        assert d.dtype == expected_dtype
        check(d, ref_der(name, xi.astype(np.float64)), expected_dtype)
    xi = np.arange(-6, 7, dtype=np.int64)
    # int64 computes exactly like float64
    np.testing.assert_array_equal(a(xi), a(xi.astype(np.float64)))
    np.testing.assert_array_equal(a.backward(xi, xi), a.backward(xi.astype(float), xi.astype(float)))
    # integer x with float32 grad -> numpy promotion (int64 + float32 -> float64)
    assert a.backward(np.ones(13, np.float32), xi).dtype == np.result_type(np.float32, np.int64)


def test_mixed_float_promotion():
    x32 = sample(10, np.float32)
    x64 = sample(10, np.float64)
    assert nl.gelu.backward(x32, x64).dtype == np.float64
    assert nl.gelu.backward(x32, x32.astype(np.float16)).dtype == np.float32
    assert nl.leaky_relu(x32, negative_slope=0.125).dtype == np.float32  # weak Python float
    assert nl.leaky_relu(x32, negative_slope=np.float32(0.125)).dtype == np.float32
    assert nl.leaky_relu(x32, negative_slope=np.array([0.125], np.float64)).dtype == np.float64


# ---------------------------------------------------------------------------------------------
# Large arrays: multi-threaded path vs small-chunk evaluation.
def _chunked(fn, arrays, chunk=4096, dtype=None):
    n = arrays[-1].size
    out = np.empty(n, dtype or arrays[-1].dtype)
    for i in range(0, n, chunk):
        fn(*[a[i: i + chunk] for a in arrays], out=out[i: i + chunk])
    return out


def _max_ulp(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    both_nan = np.isnan(a) & np.isnan(b)
    d = np.abs(a.astype(np.float64) - b.astype(np.float64))
    sp = np.spacing(np.maximum(np.abs(a), np.abs(b)).astype(a.dtype)).astype(np.float64)
    d = np.where(both_nan | (a == b), 0.0, d / sp)
    return float(d.max()) if d.size else 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_large_array_threaded(name, dtype, two_threads):
    n = (1 << 21) + 12345  # > 1e6 and not a multiple of any chunk/vector size
    rng = np.random.default_rng(13)
    x = rng.uniform(-10, 10, n).astype(dtype)
    g = rng.normal(size=n).astype(dtype)
    a = act(name)
    p = NONDEFAULT.get(name, {})
    y = a(x, **p)
    yc = _chunked(lambda x, out: a(x, out=out, **p), [x])
    assert _max_ulp(y, yc) <= 1, "threaded result differs from chunked evaluation"
    b = a.backward(g, x, **p)
    bc = _chunked(lambda g, x, out: a.backward(g, x, out=out, **p), [g, x])
    assert _max_ulp(b, bc) <= 1
    # spot-check values (every 997th element, including both ends of the array)
    idx = np.r_[np.arange(0, n, 997), n - 1]
    check(y[idx], ref_fwd(name, x[idx], **p), dtype)
    check(b[idx], ref_bwd(name, g[idx], x[idx], **p), dtype)
    # large strided input and in-place on a large array
    xs = x[::-2]
    check(a(xs, **p)[idx[idx < xs.size]], ref_fwd(name, xs[idx[idx < xs.size]], **p), dtype)
    xx = x.copy()
    a(xx, out=xx, **p)
    np.testing.assert_array_equal(xx, y)


def test_large_where_and_out_threaded(two_threads):
    n = 3_000_017
    x = np.random.default_rng(14).uniform(-5, 5, n).astype(np.float32)
    mask = x > 0.5
    out = np.full(n, 42.0, np.float32)
    nl.gelu(x, out=out, where=mask)
    assert np.all(out[~mask] == 42.0)
    check(out[mask][::101], ref_fwd("gelu", x[mask][::101]), np.float32)


# ---------------------------------------------------------------------------------------------
# dask: lazy through __array_ufunc__, correct once computed.
class _Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self, block):
        self.calls += 1
        return block


@pytest.mark.parametrize("name", ["gelu", "silu", "leaky_relu", "softplus", "hardtanh", "relu"])
def test_dask_lazy(name):
    da = pytest.importorskip("dask.array")
    x = sample(4000, np.float64, seed=15).reshape(40, 100)
    g = grad_sample(x.shape)
    counter = _Counter()
    dx = da.from_array(x, chunks=(10, 50)).map_blocks(counter, dtype=x.dtype,
                                                      meta=np.empty((0, 0), x.dtype))
    calls0 = counter.calls
    dg = da.from_array(g, chunks=(10, 50))
    p = NONDEFAULT.get(name, {})
    pos = [p.get(k, v) for k, v in EXPECTED[name][0].items()]

    results = {
        "ufunc": (ufunc(name)(dx, *pos), ref_fwd(name, x, **p)),
        "derivative_ufunc": (ufunc(name, "_derivative")(dx, *pos), ref_der(name, x, **p)),
        "backward_ufunc": (ufunc(name, "_backward")(dg, dx, *pos), ref_bwd(name, g, x, **p)),
        "activation": (act(name)(dx, **p), ref_fwd(name, x, **p)),
        "activation_backward": (act(name).backward(dg, dx, **p), ref_bwd(name, g, x, **p)),
    }
    for key, (r, _) in results.items():
        assert isinstance(r, da.Array), (key, type(r))
    assert counter.calls == calls0, "dask graph was computed eagerly"
    for key, (r, expected) in results.items():
        assert r.shape == x.shape and r.chunks == dx.chunks, key
        check(r.compute(), expected, np.float64)
    assert counter.calls > calls0


def test_dask_per_channel_param():
    da = pytest.importorskip("dask.array")
    x = sample(2 * 3 * 4 * 5, np.float32, seed=16).reshape(2, 3, 4, 5)
    w = np.array([0.125, 0.5, 2.0], np.float32).reshape(3, 1, 1)
    dx = da.from_array(x, chunks=(1, 3, 2, 5))
    r = ufunc("leaky_relu")(dx, w)
    assert isinstance(r, da.Array)
    check(r.compute(), ref_fwd("leaky_relu", x, negative_slope=w), np.float32)


# ---------------------------------------------------------------------------------------------
# GLU family.
GLU_NAMES = list(GLU)


def glu_ref(name, x, axis):
    a, b = np.split(np.asarray(x, np.float64), 2, axis=axis)
    return a * GLU[name][0](b)


def glu_bwd_ref(name, g, x, axis):
    a, b = np.split(np.asarray(x, np.float64), 2, axis=axis)
    g = np.asarray(g, np.float64)
    return np.concatenate([g * GLU[name][0](b), g * a * GLU[name][1](b)], axis=axis)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", GLU_NAMES)
def test_glu_shapes_and_values(name, dtype):
    f = getattr(nl, name)
    x = sample(3 * 4 * 6, dtype, seed=17, lo=-4, hi=4).reshape(3, 4, 6)
    for axis, shape in ((-1, (3, 4, 3)), (2, (3, 4, 3)), (1, (3, 2, 6)), (-2, (3, 2, 6))):
        y = f(x, axis=axis)
        assert y.shape == shape and y.dtype == dtype
        check(y, glu_ref(name, x, axis), dtype)
        g = grad_sample(shape, dtype)
        gx = f.backward(g, x, axis=axis)
        assert gx.shape == x.shape and gx.dtype == dtype
        check(gx, glu_bwd_ref(name, g, x, axis), dtype)
    # default axis is -1
    np.testing.assert_array_equal(f(x), f(x, axis=-1))
    # non-contiguous input
    xt = x.transpose(2, 0, 1)
    check(f(xt, axis=0), glu_ref(name, xt, 0), dtype)
    g = grad_sample((3, 3, 4), dtype)
    check(f.backward(g, xt, axis=0), glu_bwd_ref(name, g, xt, 0), dtype)


@pytest.mark.parametrize("name", GLU_NAMES)
def test_glu_odd_axis_raises(name):
    f = getattr(nl, name)
    x = np.ones((4, 5))
    with pytest.raises(ValueError):
        f(x)
    with pytest.raises(ValueError):
        f(x, axis=1)
    with pytest.raises(ValueError):
        f.backward(np.ones((4, 2)), x)
    assert f(x, axis=0).shape == (2, 5)


def test_glu_matches_torch_convention():
    torch = pytest.importorskip("torch")
    x = sample(64, np.float64, seed=18).reshape(4, 16)
    for dim in (-1, 0):
        expected = torch.nn.functional.glu(torch.from_numpy(x), dim=dim).numpy()
        check(nl.glu(x, axis=dim), expected, np.float64)


@pytest.mark.parametrize("name", ["glu", "swiglu", "geglu", "reglu"])
def test_gated_backward_dtype_and_bad_grad(name):
    """The gated units' backward returns the dtype NumPy gives g * f'(x) (a float64 grad_out
    was rounded to float16 / float32) and names grad_out when its shape does not fit."""
    a = getattr(nl, name)
    x16 = np.array([[0.5, -1.0, 1.5, 2.0]], np.float16)
    g64 = np.array([[1.0 + 2.0**-20, 0.3]])  # not representable in float16 / float32
    got = a.backward(g64, x16)
    assert got.dtype == np.float64
    want = a.backward(g64, x16.astype(np.float64))
    np.testing.assert_array_equal(got, want)
    assert a.backward(g64.astype(np.float16), x16).dtype == np.float16
    assert a.backward(g64.astype(np.float32), x16.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="grad_out of shape"):
        a.backward(np.ones((1, 4)), x16)
    with pytest.raises(TypeError, match="grad_out"):
        a.backward("g", x16)
