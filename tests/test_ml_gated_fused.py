"""The fused kernel of the Mittag-Leffler gated activations (scalar parameters): value,
derivative, backward and parameter gradients against mpmath compositions of E_{a,b} away from
the presets' closed forms (and on closed forms at arguments the presets do not give them), on arrays long enough for the cached plans (>= 2048 elements), in
float64 and float32; array semantics and thread-count independence."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import nonlin as nl
from mittag_leffler_formulas import ml_part

# distinct points (exact in float32), tiled to N elements so that the plans are built and used
POINTS = np.array([-6.0, -3.125, -1.75, -0.875, -0.375, -0.0625, 0.0, 0.03125, 0.40625, 0.84375,
                   1.625, 2.6875, 4.25, 6.5])
N = 4 * 1024 + 3
REPS = -(-N // POINTS.size)

# per preset, parameters moved off the closed forms (a = 0, 1, 2, 1/2 with their b)
MOVED = {
    "ml_sigmoid": dict(alpha1=0.15, beta1=1.1, alpha2=0.9, beta2=1.2),
    "ml_silu": dict(alpha1=0.2, beta1=0.95),
    "ml_tanh": dict(alpha1=1.8, beta1=2.1, alpha2=1.9, beta2=1.05),
    "ml_tanh_identity": dict(beta2=1.5),
    "ml_mish": dict(alpha1=1.85, alpha2=1.95, beta2=1.1),
    "ml_softsign": dict(alpha1=0.3, beta1=1.2),
    "ml_gelu": dict(alpha1=0.6, beta1=1.1, alpha2=1.1),
    "ml_elu": dict(alpha1=0.9, beta1=2.2, alpha2=1.2),
}
# parameters moved onto closed forms at arguments the presets never give them (z < 0 for
# a = 2: cos, sin r / r; z of both signs): the vector closed forms' other branches
CLOSED_MOVES = {
    "ml_sigmoid": dict(alpha1=2.0, beta1=1.0),   # E_{2,1}(-e^{-x}) = cos(e^{-x/2})
    "ml_softsign": dict(alpha1=2.0, beta1=2.0),  # E_{2,2}(-|x|) = sin(r) / r
    "ml_gelu": dict(alpha1=2.0, beta1=1.0),      # E_{2,1}(x / sqrt 2), cosh or cos
}
CASES = {**MOVED, **{name + "@closed": moved for name, moved in CLOSED_MOVES.items()}}
PARTS = ("alpha1", "beta1", "alpha2", "beta2")


def _act(case):
    return nl.ml_activations[case.split("@")[0]]


def _maps(act, u):
    """(f(u), f'(u), g(u), g'(u)) in mpmath."""
    def one(name):
        return {
            "zero": (mp.mpf(0), mp.mpf(0)),
            "square": (u * u, 2 * u),
            "neg_exp": (-mp.exp(-act.c * u), act.c * mp.exp(-act.c * u)),
            "neg_abs": (-abs(u), -mp.sign(u)),
            "scaled": (u / mp.sqrt(2), 1 / mp.sqrt(2)),
            "half_square_ln2": (u * u / 2 + mp.log(2), u),
            "min0": (min(u, 0), mp.mpf(1 if u < 0 else 0)),
        }[name]
    return (*one(act.f), *one(act.g))


def _reference(act, x, p):
    """value, derivative and the four parameter parts at x, by the chain rule in mpmath."""
    with mp.workdps(30):
        x = mp.mpf(float(x))
        if act.inner == "identity":
            u, dh = x, mp.mpf(1)
        else:
            u, dh = mp.log1p(mp.exp(x)), 1 / (1 + mp.exp(-x))
        fz, df, gz, dg = _maps(act, u)
        a1, b1, a2, b2 = (p[k] for k in PARTS)
        ea, eb = ml_part("value", fz, a1, b1), ml_part("value", gz, a2, b2)
        if act.inner == "identity":  # x^gamma
            pre, dpre = x ** act.gamma, (act.gamma * x ** (act.gamma - 1) if act.gamma else 0)
        else:  # x u^{gamma-1}
            pre = x * u ** (act.gamma - 1)
            dpre = u ** (act.gamma - 1) + (act.gamma - 1) * x * u ** (act.gamma - 2) * dh
        dea = df * ml_part("d_z", fz, a1, b1) if df != 0 else 0
        deb = dg * ml_part("d_z", gz, a2, b2) if dg != 0 else 0
        value = pre * ea / eb
        deriv = dpre * ea / eb + pre * dh * (dea * eb - ea * deb) / eb ** 2
        parts = [pre * ml_part("d_alpha", fz, a1, b1) / eb, pre * ml_part("d_beta", fz, a1, b1) / eb,
                 -value * ml_part("d_alpha", gz, a2, b2) / eb, -value * ml_part("d_beta", gz, a2, b2) / eb]
        # the size of the terms that the derivative adds (its error scale near its zeros)
        terms = abs(dpre * ea / eb) + abs(pre * dh * dea / eb) + abs(pre * dh * ea * deb / eb ** 2)
        return float(value), float(deriv), float(terms), [float(q) for q in parts]


@pytest.fixture(scope="module")
def references():
    out = {}
    for case, moved in CASES.items():
        act = _act(case)
        p = {**act.params, **moved}
        out[case] = p, [_reference(act, x, p) for x in POINTS]
    return out


def _tiled(a, dtype=np.float64):
    return np.tile(np.asarray(a, dtype), REPS)[:N]


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_derivative_float64(name, references):
    act = _act(name)
    p, ref = references[name]
    x = _tiled(POINTS)
    value, deriv = _tiled([r[0] for r in ref]), _tiled([r[1] for r in ref])
    terms = _tiled([r[2] for r in ref])
    y, d = act(x, **p), act.derivative(x, **p)
    assert y.dtype == np.float64 and y.shape == x.shape
    # E from the plans is within ~2e-14 of the accurate evaluator; the ratio adds a few roundings
    bad = np.abs(y - value) > 1e-13 * np.abs(value)
    assert not bad.any(), (name, x[bad][:4], y[bad][:4], value[bad][:4])
    bad = np.abs(d - deriv) > 1e-12 * np.maximum(np.abs(deriv), terms)
    assert not bad.any(), (name, x[bad][:4], d[bad][:4], deriv[bad][:4])
    g = np.linspace(-1.0, 2.0, N)
    np.testing.assert_allclose(act.backward(g, x, **p), g * deriv, rtol=1e-12,
                               atol=1e-12 * np.max(terms))


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_derivative_float32(name, references):
    act = _act(name)
    p, ref = references[name]
    x = _tiled(POINTS, np.float32)
    value = _tiled([r[0] for r in ref])
    deriv, terms = _tiled([r[1] for r in ref]), _tiled([r[2] for r in ref])
    y, d = act(x, **p), act.derivative(x, **p)
    assert y.dtype == np.float32 and d.dtype == np.float32
    # within one float32 ulp of the result (of the terms' size near the derivative's zeros)
    ulp = np.spacing(np.abs(value).astype(np.float32)).astype(np.float64)
    err = np.abs(y.astype(np.float64) - value)
    assert np.all(err <= ulp), (name, np.max(err / ulp))
    dulp = np.spacing(np.maximum(np.abs(deriv), 1e-6 * terms).astype(np.float32)).astype(np.float64)
    err = np.abs(d.astype(np.float64) - deriv)
    assert np.all(err <= dulp), (name, np.max(err / dulp))


@pytest.mark.parametrize("name", sorted(CASES))
def test_param_gradients(name, references):
    act = _act(name)
    p, ref = references[name]
    x = _tiled(POINTS)
    g = np.cos(np.arange(N))  # weights of both signs
    parts = np.array([r[3] for r in ref])  # (points, 4)
    weight = np.array([g[i::POINTS.size].sum() for i in range(POINTS.size)])
    want = weight @ parts
    scale = np.abs(weight) @ np.abs(parts)
    got = act.param_backward(g, x, **p)
    for k, w, s in zip(PARTS, want, scale):
        assert abs(got[k] - w) <= 1e-11 * s + 1e-300, (name, k, got[k], w)
    for dt in (np.float32,):  # float32 x, float64 sums of float64 terms of the rounded x
        got32 = act.param_backward(g.astype(dt), x.astype(dt), **p)
        for k, w, s in zip(PARTS, want, scale):
            assert abs(got32[k] - w) <= 1e-5 * s, (name, k, got32[k], w)


def test_threads_do_not_change_results():
    act = nl.ml_gelu
    x = np.random.default_rng(3).standard_normal(50_001) * 3
    g = np.random.default_rng(4).standard_normal(x.size)
    p = MOVED["ml_gelu"]
    before = nl.get_num_threads()
    try:
        nl.set_num_threads(1)
        one = act(x, **p), act.backward(g, x, **p), act.param_backward(g, x, **p)
        nl.set_num_threads(2)
        two = act(x, **p), act.backward(g, x, **p), act.param_backward(g, x, **p)
    finally:
        nl.set_num_threads(before)
    assert np.array_equal(one[0], two[0]) and np.array_equal(one[1], two[1])
    assert one[2] == two[2]


def test_array_semantics():
    act = nl.ml_tanh
    p = MOVED["ml_tanh"]
    base = np.linspace(-5, 5, 6000)
    ref = act(base, **p)
    # strided, reversed, 2-d, read-only views give the same values as the contiguous array
    view = np.linspace(-5, 5, 12000)[::2]
    np.testing.assert_array_equal(act(view, **p), act(np.ascontiguousarray(view), **p))
    np.testing.assert_array_equal(act(base[::-1], **p), ref[::-1])
    np.testing.assert_array_equal(act(base.reshape(60, 100), **p), ref.reshape(60, 100))
    ro = base.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(act(ro, **p), ref)
    # 0-d, empty, integer (float64), float16 (computed in float32)
    assert act(np.float64(0.5), **p).shape == () and act(np.float64(0.5), **p) == act(np.array([0.5]), **p)[0]
    assert act(np.empty((0, 3)), **p).shape == (0, 3)
    assert act.param_backward(np.empty(0), np.empty(0), **p) == {k: 0.0 for k in PARTS}
    assert act(np.arange(-3, 4), **p).dtype == np.float64
    h = act(np.linspace(-3, 3, 7).astype(np.float16), **p)
    assert h.dtype == np.float16
    np.testing.assert_allclose(h, act(np.linspace(-3, 3, 7), **p), rtol=1e-3)
    # grad_out broadcasts to x's shape; NaN in, NaN out
    g = act.backward(np.float64(2.0), base, **p)
    np.testing.assert_array_equal(g, 2 * act.derivative(base, **p))
    assert np.isnan(act(np.array([np.nan, 1.0]), **p)[0])
