"""Second derivatives (``nl.<name>.derivative2``, the kernels behind double backward) against
independent mpmath formulas, in ULPs, for every SIMD level.

The formulas below are written from the mathematics (f'' of the definitions in
tests/reference_formulas.py), and are themselves checked against mpmath's numerical
differentiation of those forward definitions (``mp.diff``), so a wrong reference cannot hide a
wrong kernel. The ULP rule is tests/test_accuracy.py's: where f'' is a sum of terms that
cancel (it crosses zero), the error is counted in ULPs of the largest term. Bounds: 1 ULP for
float16 and float32 (computed in float64), 5 ULP for float64 (measured: mish 4.9, gelu_tanh
4.8, silu 3.4, the others <= 2.8).

Piecewise-linear activations have f'' = 0 everywhere, kinks included (the convention of
PyTorch's and JAX's double backward); the other kinks take the one-sided value on the side the
first derivative's convention belongs to (elu, selu, celu: x <= 0; softsign: 0 at x = 0).
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import pytest
from mpmath import mp, mpf

import reference_formulas as rf
from conftest import DTYPES, require_nonlin, ulp_errors

DPS = 60
BOUND = {"float16": 1.0, "float32": 1.0, "float64": 5.0}


def _v(value, *terms):
    return rf._v(value, *terms)


def _sig(t):
    return rf.sigmoid(t), rf.sigmoid(-t)


def elu(x, p):
    return _v(mpf(0) if x > 0 else p["alpha"] * mp.exp(x))


def selu(x, p):
    return _v(mpf(0) if x > 0 else mpf(rf.SELU_SCALE) * mpf(rf.SELU_ALPHA) * mp.exp(x))


def celu(x, p):
    a = p["alpha"]
    return _v(mpf(0) if x > 0 else mp.exp(x / a) / a)


def gelu(x, p):
    phi = mp.npdf(x)
    return _v(phi * (2 - x * x), 2 * phi, x * x * phi)


def gelu_tanh(x, p):
    k, c = mp.sqrt(2 / mp.pi), mpf(rf.GELU_TANH_C)
    z = 2 * k * (x + c * x ** 3)                 # x sigmoid(z)
    dz, d2z = 2 * k * (1 + 3 * c * x * x), 12 * k * c * x
    s, sn = _sig(z)
    ss = s * sn
    A, B, C = 2 * dz * ss, x * (sn - s) * dz * dz * ss, x * d2z * ss
    return _v(A + B + C, A, B, C)


def silu(x, p):
    b = p["beta"]
    s, sn = _sig(b * x)
    A, B = 2 * b * s * sn, b * b * x * s * sn * (sn - s)
    return _v(A + B, A, B)


def mish(x, p):
    sp = rf.softplus_raw(x)
    t, h = mp.tanh(sp), rf.sech2(sp)
    s, sn = _sig(x)
    A, B, C = 2 * h * s, x * h * s * sn, 2 * x * h * s * s * t
    return _v(A + B - C, A, B, C)


def softplus(x, p):
    b, thr = p["beta"], p["threshold"]
    if b * x > thr:
        return _v(mpf(0))
    s, sn = _sig(b * x)
    return _v(b * s * sn)


def softsign(x, p):
    if x == 0:
        return _v(mpf(0))
    return _v(-2 * mp.sign(x) / (1 + abs(x)) ** 3)


def sigmoid(x, p):
    s, sn = _sig(x)
    return _v(-s * sn * mp.tanh(x / 2))        # s s(-x) (s(-x) - s), s(-x) - s = -tanh(x/2)


def tanh(x, p):
    return _v(-2 * mp.tanh(x) * rf.sech2(x))


def logsigmoid(x, p):
    s, sn = _sig(x)
    return _v(-s * sn)


def tanhshrink(x, p):
    return _v(2 * mp.tanh(x) * rf.sech2(x))


def hardswish(x, p):
    return _v(mpf(1) / 3 if -3 < x < 3 else mpf(0))


def squared_relu(x, p):
    return _v(mpf(2) if x > 0 else mpf(0))


def zero(x, p):
    return _v(mpf(0))


FORMULAS = {
    "elu": elu, "selu": selu, "celu": celu, "gelu": gelu, "gelu_tanh": gelu_tanh, "silu": silu,
    "mish": mish, "softplus": softplus, "softsign": softsign, "sigmoid": sigmoid, "tanh": tanh,
    "logsigmoid": logsigmoid, "tanhshrink": tanhshrink, "hardswish": hardswish,
    "squared_relu": squared_relu,
    **{n: zero for n in ("relu", "relu6", "leaky_relu", "prelu", "hardtanh", "hardsigmoid",
                         "hardshrink", "softshrink")},
}
SETS = [(a.name, i, p) for a, i, p in rf.all_param_sets() if a.name in FORMULAS]


def _grid(dtype):
    """Dense on [-12, 12], log-spaced magnitudes over the dtype's range, the zero crossings of
    f'' and the kinks, with neighbours."""
    dt = np.dtype(dtype).type
    fi = np.finfo(dt)
    with np.errstate(over="ignore"):
        mags = np.exp2(np.linspace(math.log2(float(fi.smallest_subnormal)),
                                   math.log2(float(fi.max)), 160 if dtype != "float16" else 60))
    pts = [np.linspace(-12, 12, 481), np.linspace(-60, 60, 121), mags, -mags,
           [0.0, -0.0, 3.0, -3.0, 1.4142135623730951, -1.4142135623730951, 2.3994, -2.3994,
            1.7, -1.7, 6.0, 0.5, -0.5, 1.0, -1.0, 2.0, -2.0, 20.0, 10.0, 5.0]]
    with np.errstate(over="ignore"):
        x = np.concatenate([np.asarray(q, dtype=np.float64) for q in pts]).astype(dt)
        x = np.concatenate([x, np.nextafter(x, dt(np.inf)), np.nextafter(x, dt(-np.inf))])
    x = x[np.isfinite(x)]
    return np.unique(x)


@functools.lru_cache(maxsize=None)
def _reference(name, idx, dtype):
    """(x, hi, lo, scale) for one parameter set: the mpmath value as a double-double."""
    act = rf.BY_NAME[name]
    params = rf.dtype_params(act.param_sets[idx], dtype)
    x = _grid(dtype)
    hi, lo, sc = (np.zeros(len(x)) for _ in range(3))
    f = FORMULAS[name]
    with mp.workdps(DPS):
        mp_params = {k: mpf(v) for k, v in params.items()}
        for i, xi in enumerate(x.tolist()):
            v, s = f(mpf(xi), mp_params)
            hi[i], lo[i] = rf.to_dd(v)
            sc[i] = 0.0 if rf.same_magnitude(s, v) else rf.to_float(s)
    return x, hi, lo, sc, params


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,idx", [(n, i) for n, i, _ in SETS], ids=[f"{n}#{i}" for n, i, _ in SETS])
def test_derivative2_ulp(name, idx, dtype, simd_level):
    lib = require_nonlin()
    x, hi, lo, sc, params = _reference(name, idx, dtype)
    with np.errstate(all="ignore"):
        y = getattr(lib, name).derivative2(x, **(params if idx else {}))
    assert y.dtype == np.dtype(dtype)
    err = ulp_errors(y, hi, lo, sc, dtype)
    i = int(np.argmax(err))
    assert err[i] <= BOUND[dtype], (
        f"{name}#{idx} derivative2 {dtype} simd={simd_level}: {int((err > BOUND[dtype]).sum())}"
        f"/{err.size} points above {BOUND[dtype]} ULP, max {err[i]:.4g} at x={x[i]!r}: "
        f"y={float(y[i])!r} ref={hi[i]!r}")


SMOOTH_POINTS = [-7.3, -2.4, -1.1, -0.3, 0.37, 1.2, 2.9, 8.5]


@pytest.mark.parametrize("name,idx,params", SETS, ids=[f"{n}#{i}" for n, i, _ in SETS])
def test_reference_is_the_second_derivative(name, idx, params):
    """The formulas above agree with mpmath's numerical second derivative of the forward
    definitions in reference_formulas.py (points away from the kinks)."""
    act = rf.BY_NAME[name]
    kinks = act.kinks(params) + [0.0]
    with mp.workdps(40):
        mp_params = {k: mpf(v) for k, v in params.items()}
        for x in SMOOTH_POINTS:
            if min(abs(x - k) for k in kinks) < 0.05:
                continue
            num = mp.diff(lambda t: act.compute(t, mp_params)["fwd"][0], mpf(x), 2)
            ref, scale = FORMULAS[name](mpf(x), mp_params)
            assert abs(num - ref) <= mpf(10) ** -25 * max(abs(ref), scale) + mpf(10) ** -30, \
                f"{name} f''({x}): formula {ref}, numerical {num}"


def test_derivative2_nan_and_inf():
    """NaN in gives NaN out; f''(+-inf) is the limit: 0, except squared_relu(+inf) = 2."""
    lib = require_nonlin()
    for name in FORMULAS:
        f = getattr(lib, name).derivative2
        for dtype in ("float16", "float32", "float64"):
            y = f(np.array([np.nan, np.inf, -np.inf], dtype=dtype))
            expected = [2.0 if name == "squared_relu" else 0.0, 0.0]
            assert np.isnan(y[0]), f"{name}: NaN in must give NaN out"
            assert y[1:].tolist() == expected, f"{name} {dtype}: f''(+-inf) = {y[1:]}"


def test_parameterless_derivative2_is_the_ufunc():
    lib = require_nonlin()
    assert lib.gelu.derivative2 is lib.ufuncs.gelu_derivative2
    assert isinstance(lib.ufuncs.silu_derivative2, np.ufunc)
    assert lib.silu.derivative2(np.float64(0.0), beta=2.0) == 1.0  # 2 beta sigma(0)^2 = beta/2
