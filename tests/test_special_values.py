"""Special inputs for every activation, parameter set, dtype and SIMD level.

* NaN in -> NaN out for forward, derivative, backward and param-grad (NaNs placed among
  ordinary values, in every SIMD lane position and in the scalar tail; the ordinary values
  next to them must not become NaN).
* f(+-inf), f'(+-inf), g*f'(+-inf), g*df/dparam(+-inf) equal the mathematical limits
  (a zero limit must be exactly +-0, an infinite one the right infinity, a finite nonzero one
  within the ULP bound of tests/test_accuracy.py).
* +-0, subnormal and smallest-normal inputs, and inputs whose results are subnormal
  (silu(-89) in float32, sigmoid(-100) ...): compared with a live mpmath evaluation under the
  ULP rule of tests/test_accuracy.py, so e.g. gelu(1e-41 f32) must be ~0.5e-41 (not flushed to
  0) and silu(-89 f32) = -89 e^-89 / (1 + e^-89) ~ -1.98e-37 (not -0).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import reference_formulas as rf
from conftest import BOUNDS, DTYPES, documented_bound, require_nonlin, ulp_errors

SETS = [pytest.param(rf.set_id(a, i), id=rf.set_id(a, i)) for a, i, _ in rf.all_param_sets()]
INF = math.inf
SELU_LIMIT = -float(rf.mpf(rf.SELU_SCALE) * rf.mpf(rf.SELU_ALPHA))


def _setup(sid, dtype):
    lib = require_nonlin()
    name, idx = sid.split("#")
    act = rf.BY_NAME[name]
    params = rf.dtype_params(act.param_sets[int(idx)], dtype)
    return lib, act, getattr(lib, name), params


def _outputs(lib, act, lib_act, params, x, g, dtype):
    """{kind: array} for fwd, deriv, bwd and every param grad."""
    with np.errstate(all="ignore"):
        out = {"fwd": lib_act(x, **params), "deriv": lib_act.derivative(x, **params),
               "bwd": lib_act.backward(g, x, **params)}
        if act.learnable:
            uf = getattr(lib.ufuncs, f"{act.name}_param_grad")
            order = list(getattr(lib_act, "params", params).keys())
            pg = uf(g, x, *[np.dtype(dtype).type(params[k]) for k in order])
            pg = pg if isinstance(pg, tuple) else (pg,)
            for pname, y in zip(act.learnable, pg):
                out["d_" + pname] = y
    return out


# ------------------------------------------------------------------------------------ NaN

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sid", SETS)
def test_nan_propagates(sid, dtype, simd_level):
    lib, act, lib_act, params = _setup(sid, dtype)
    dt = np.dtype(dtype).type
    n = 67                                        # several vectors plus a scalar tail
    x = np.linspace(-4, 4, n).astype(dt)
    nan_at = np.zeros(n, bool)
    nan_at[[0, 3, 8, 15, 16, 17, 31, 33, 47, 63, 64, 66]] = True
    x[nan_at] = np.nan
    g = np.full(n, 0.75, dtype=dt)
    bad = []
    for kind, y in _outputs(lib, act, lib_act, params, x, g, dtype).items():
        y = np.asarray(y)
        if not np.all(np.isnan(y[nan_at])):
            bad.append(f"{kind}: NaN input gave {y[nan_at][~np.isnan(y[nan_at])][:4]}")
        if np.any(np.isnan(y[~nan_at])):
            bad.append(f"{kind}: NaN output at non-NaN inputs {x[~nan_at][np.isnan(y[~nan_at])][:4]}")
    # NaN incoming gradient -> NaN backward
    with np.errstate(all="ignore"):
        gb = lib_act.backward(np.full(n, np.nan, dtype=dt), np.where(nan_at, dt(1), x), **params)
    if not np.all(np.isnan(gb)):
        bad.append("bwd: NaN grad_out did not give NaN everywhere")
    assert not bad, f"{sid} {dtype} simd={simd_level}:\n" + "\n".join(bad)


# ------------------------------------------------------------------------------------ +-inf

def limits(name, p):
    """{kind: (limit at +inf, limit at -inf)} from the mathematics (and the kink conventions)."""
    def lin(s):                      # s * (-inf)
        return 0.0 if s == 0 else (-INF if s > 0 else INF)
    L = {
        "relu": {"fwd": (INF, 0.0), "deriv": (1.0, 0.0)},
        "relu6": {"fwd": (6.0, 0.0), "deriv": (0.0, 0.0)},
        "leaky_relu": {"fwd": (INF, lin(p.get("negative_slope", 0.01))),
                       "deriv": (1.0, p.get("negative_slope", 0.01))},
        "prelu": {"fwd": (INF, lin(p.get("weight", 0.25))), "deriv": (1.0, p.get("weight", 0.25)),
                  "d_weight": (0.0, -INF)},
        "elu": {"fwd": (INF, -p.get("alpha", 1.0)), "deriv": (1.0, 0.0), "d_alpha": (0.0, -1.0)},
        "selu": {"fwd": (INF, SELU_LIMIT), "deriv": (float(rf.mpf(rf.SELU_SCALE)), 0.0)},
        "celu": {"fwd": (INF, -p.get("alpha", 1.0)), "deriv": (1.0, 0.0), "d_alpha": (0.0, -1.0)},
        "gelu": {"fwd": (INF, 0.0), "deriv": (1.0, 0.0)},
        "gelu_tanh": {"fwd": (INF, 0.0), "deriv": (1.0, 0.0)},
        "silu": {"fwd": (INF, 0.0), "deriv": (1.0, 0.0), "d_beta": (0.0, 0.0)},
        "mish": {"fwd": (INF, 0.0), "deriv": (1.0, 0.0)},
        "softplus": {"fwd": (INF, 0.0), "deriv": (1.0, 0.0), "d_beta": (0.0, 0.0)},
        "softsign": {"fwd": (1.0, -1.0), "deriv": (0.0, 0.0)},
        "sigmoid": {"fwd": (1.0, 0.0), "deriv": (0.0, 0.0)},
        "tanh": {"fwd": (1.0, -1.0), "deriv": (0.0, 0.0)},
        "logsigmoid": {"fwd": (0.0, -INF), "deriv": (0.0, 1.0)},
        "hardtanh": {"fwd": (p.get("max_val", 1.0), p.get("min_val", -1.0)), "deriv": (0.0, 0.0)},
        "hardsigmoid": {"fwd": (1.0, 0.0), "deriv": (0.0, 0.0)},
        "hardswish": {"fwd": (INF, 0.0), "deriv": (1.0, 0.0)},
        "hardshrink": {"fwd": (INF, -INF), "deriv": (1.0, 1.0)},
        "softshrink": {"fwd": (INF, -INF), "deriv": (1.0, 1.0)},
        "tanhshrink": {"fwd": (INF, -INF), "deriv": (1.0, 1.0)},
        "squared_relu": {"fwd": (INF, 0.0), "deriv": (INF, 0.0)},
    }.get(name)
    return L if L is not None else reference_limits(rf.BY_NAME[name], p)


def reference_limits(act, p):
    """Limits of the activations from the literature from their mpmath formulas at +-1e300
    (every limit of theirs is reached there: 0 below 1e-200, +-inf above 1e200, else the
    value); an activation whose limits do not exist says so (act.limits -> NaN)."""
    if getattr(act, "limits", None):
        return act.limits(p)
    out = {}
    for sign in (1, -1):
        r = rf.evaluate(act, sign * 1e300, p)
        for k, (v, _) in r.items():
            f = rf.to_float(v)
            f = 0.0 if abs(f) < 1e-200 else (math.copysign(INF, f) if abs(f) > 1e200 else f)
            out.setdefault(k, []).append(f)
    return {k: tuple(v) for k, v in out.items()}


def _limit_errors(y, expected, dtype, bound):
    """List of (position, got, expected) violating the limit rule."""
    bad = []
    for i, (yy, ee) in enumerate(zip(np.asarray(y).tolist(), expected)):
        if math.isnan(ee):
            ok = math.isnan(yy)
        elif ee == 0.0:
            ok = yy == 0.0
        elif math.isinf(ee):
            ok = yy == ee
        else:
            ok = float(ulp_errors(np.asarray([yy]), [ee], [0.0], [0.0], dtype)[0]) <= bound
        if not ok:
            bad.append((i, yy, ee))
    return bad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sid", SETS)
def test_infinities(sid, dtype, simd_level):
    lib, act, lib_act, params = _setup(sid, dtype)
    dt = np.dtype(dtype).type
    lim = limits(act.name, params)
    assert set(lim) == set(act.kinds), f"limit table of {act.name} incomplete"
    # +inf and -inf in several lanes and in the tail
    pattern = np.array([INF, -INF] * 9 + [INF])
    x = pattern.astype(dt)
    g = np.full(x.shape, 0.5, dtype=dt)
    outs = _outputs(lib, act, lib_act, params, x, g, dtype)
    fwd_b, der_b = BOUNDS[dtype]
    bad = []
    for kind, y in outs.items():
        k = "deriv" if kind == "bwd" else kind
        s = 0.5 if kind in ("bwd",) or kind.startswith("d_") else 1.0
        exp = [s * (lim[k][0] if v > 0 else lim[k][1]) for v in pattern]
        bound = documented_bound(act.name, kind, dtype, fwd_b if kind == "fwd" else der_b)
        for i, yy, ee in _limit_errors(y, exp, dtype, bound):
            bad.append(f"{kind}({'+' if pattern[i] > 0 else '-'}inf) = {yy!r}, limit {ee!r}"
                       + (" (times g=0.5)" if s != 1.0 else "") + f" [lane {i}]")
    # de-duplicate identical messages from different lanes
    seen, msgs = set(), []
    for b in bad:
        key = b.split(" [lane")[0]
        if key not in seen:
            seen.add(key)
            msgs.append(b)
    assert not msgs, f"{sid} {dtype} simd={simd_level}:\n" + "\n".join(msgs)


# ------------------------------------------------------------- zeros, subnormals, underflow

def _tiny_inputs(dtype):
    fi = np.finfo(dtype)
    sub, tiny = float(fi.smallest_subnormal), float(fi.smallest_normal)
    mid = {"float16": 3.0e-6, "float32": 1e-41, "float64": 1e-310}[dtype]
    v = [0.0, -0.0, sub, -sub, 2 * sub, mid, -mid, tiny, -tiny, tiny * 1.5, -tiny * 1.5]
    # inputs whose results are subnormal / near the underflow edge
    v += {"float16": [-12.0, -15.0, -16.5, -17.0],
          "float32": [-89.0, -95.0, -100.0, -103.0, -13.2, -13.8],
          "float64": [-710.0, -740.0, -745.0, -37.5, -38.4]}[dtype]
    return np.array(v, dtype=np.float64).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sid", SETS)
def test_zero_and_subnormal_inputs(sid, dtype, simd_level):
    lib, act, lib_act, params = _setup(sid, dtype)
    x = _tiny_inputs(dtype)
    g = np.full(x.shape, 0.75, dtype=dtype)
    outs = _outputs(lib, act, lib_act, params, x, g, dtype)
    fwd_b, der_b = BOUNDS[dtype]
    bad = []
    for i, xi in enumerate(x.tolist()):
        r = rf.evaluate(act, float(xi), params)
        for kind, y in outs.items():
            v, s = r["deriv" if kind == "bwd" else kind]
            if kind == "bwd" or kind.startswith("d_"):          # times g = 0.75, exactly
                v, s = rf.mpmath.fmul(v, 0.75, exact=True), rf.mpmath.fmul(s, 0.75, exact=True)
            hi, lo = rf.to_dd(v)
            err = float(ulp_errors(np.asarray(y)[i:i + 1], [hi], [lo], [rf.to_float(s)], dtype)[0])
            bound = documented_bound(act.name, kind, dtype, fwd_b if kind == "fwd" else der_b)
            if err > bound:
                bad.append(f"{kind}(x={xi!r}) = {np.asarray(y)[i]!r}, ref {hi!r} ({err:.3g} ULP)")
    assert not bad, f"{sid} {dtype} simd={simd_level}:\n" + "\n".join(bad)


def test_documented_examples(simd_level):
    """The examples of the brief, spelled out (float32)."""
    lib = require_nonlin()
    y = lib.gelu(np.array([1e-41], dtype=np.float32))[0]
    assert y != 0 and abs(float(y) - 0.5e-41) <= 2 * 2.0**-149, f"gelu(1e-41 f32) = {y!r}"
    y = lib.silu(np.array([-89.0], dtype=np.float32))[0]
    ref = -89.0 * math.exp(-89.0) / (1 + math.exp(-89.0))          # -1.98e-37
    assert y != 0 and abs(float(y) - ref) <= 2 * abs(float(np.spacing(np.float32(ref)))), \
        f"silu(-89 f32) = {y!r}, expected {ref!r}"
    with np.errstate(all="ignore"):
        assert lib.gelu(np.float32(-np.inf)) == 0
        assert lib.gelu.derivative(np.array([np.inf, -np.inf])).tolist() == [1.0, 0.0]
        assert lib.silu.derivative(np.float64(-np.inf)) == 0
        assert lib.mish(np.float64(-np.inf)) == 0
        assert lib.sigmoid(np.float64(-np.inf)) == 0
        assert lib.logsigmoid(np.float64(-np.inf)) == -np.inf
        assert lib.softplus(np.float64(np.inf)) == np.inf
        assert lib.tanhshrink(np.float64(np.inf)) == np.inf


# (name, params, x): the product of x and a parameter overflows float32 (3.4e38) but not
# float64, so the float32 kernels must compute these lanes in float64 (ops.h
# float_native_below); the other lanes of the packet stay in float32 arithmetic.
WIDE_PRODUCTS = [
    ("sine", {"w0": 1e20}, [1e19, -3e19, 7e25, 2.5e-3, -1.0]),
    ("snake", {"a": 1e20}, [1e20, -3e19, 2e25, 1e-25, 0.5]),
    ("snake_beta", {"alpha": 1e20, "beta": 0.7}, [1e20, -3e19, 2e25, 1e-25, 0.5]),
    ("aptx", {"alpha": 0.7, "beta": 1.3, "gamma": 1e20}, [1e20, -3e19, 2e25, -1e30, 0.5]),
]


@pytest.mark.parametrize("name,params,xs", WIDE_PRODUCTS, ids=[w[0] for w in WIDE_PRODUCTS])
def test_float32_products_beyond_float32(simd_level, name, params, xs):
    lib = require_nonlin()
    act, ref = getattr(lib, name), rf.BY_NAME[name]
    p32 = {k: np.float32(v) for k, v in params.items()}
    exact = {k: float(v) for k, v in p32.items()}
    # every lane position: the wide values among ordinary ones, 37 elements (packets and tail)
    x = np.resize(np.array(xs, np.float32), 37)
    rows = [rf.evaluate(ref, float(v), exact) for v in x]
    got = {"fwd": act(x, **p32), "deriv": act.derivative(x, **p32)}
    if act.learnable:  # per element, grad_out = 1
        pg = getattr(lib.ufuncs, f"{name}_param_grad")(np.ones_like(x), x, *p32.values())
        got.update(zip((f"d_{k}" for k in act.learnable), pg if isinstance(pg, tuple) else (pg,)))
    for kind, y in got.items():
        hi = [rf.to_float(r[kind][0]) for r in rows]
        scale = [rf.to_float(r[kind][1]) for r in rows]
        bound = BOUNDS["float32"][0 if kind == "fwd" else 1]
        err = ulp_errors(y, hi, np.zeros(len(hi)), scale, "float32")
        assert err.max() <= bound, (name, kind, x[err.argmax()], y[err.argmax()], hi[err.argmax()])


@pytest.mark.parametrize("w0", [30.0, 1.0, 7.3])
def test_sine_near_multiples_of_half_pi(simd_level, w0):
    """sin(w0 x) for the float32 x nearest to k pi / (2 w0), k up to 6e5 (w0 x up to ~1e6):
    the reduction must keep the tiny remainders' relative accuracy (sin ~ +-r there), and the
    cosine-like quadrants their value near +-1; checked against mpmath on the exact product."""
    lib = require_nonlin()
    ks = np.unique(np.concatenate([np.arange(1, 200), np.geomspace(200, 6e5, 300).astype(np.int64)]))
    x = (ks * (np.pi / 2) / np.float32(w0)).astype(np.float32)
    x = np.concatenate([x, np.nextafter(x, np.float32(np.inf)), -x])
    ref = [rf.mp.sin(rf.mpf(float(np.float32(w0))) * rf.mpf(float(v))) for v in x]
    hi = np.array([float(r) for r in ref])
    for name, kw in (("sine", {"w0": w0}), ("snake", {"a": w0})):
        y = getattr(lib, name)(x, **{k: np.float32(v) for k, v in kw.items()})
        if name == "snake":  # x + sin^2/a: the sine's square near its zeros still counts
            hi_s = [float(v + r * r / rf.mpf(float(np.float32(w0)))) for v, r in zip(x.tolist(), ref)]
            err = ulp_errors(y, hi_s, np.zeros(len(x)), np.zeros(len(x)), "float32")
        else:
            err = ulp_errors(y, hi, np.zeros(len(x)), np.zeros(len(x)), "float32")
        assert err.max() <= 1.0, (name, x[err.argmax()], y[err.argmax()])
