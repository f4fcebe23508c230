"""Unified Mittag-Leffler gated activations (nl.ml_*, arXiv 2302.11007) against the classic
functions they reproduce at their defaults, their derivatives, and finite differences of the
learnable parameters' gradients."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest

import nonlin as nl

X = np.concatenate([-np.logspace(3, -4, 40), [0.0], np.logspace(-4, 3, 40), [-800.0, 800.0]])


def _mp(f):
    """Classic function and derivative evaluated in mpmath (40 digits)."""
    def value(x):
        with mp.workdps(40):
            return float(f(mp.mpf(float(x))))

    def deriv(x):
        with mp.workdps(40):
            return float(mp.diff(f, mp.mpf(float(x))))
    return value, deriv


def _sig(x):
    return 1 / (1 + mp.exp(-x))


CLASSIC = {
    "ml_sigmoid": _sig,
    "ml_silu": lambda x: x * _sig(x),
    "ml_tanh": mp.tanh,
    "ml_tanh_identity": mp.tanh,
    "ml_mish": lambda x: x * mp.tanh(mp.log1p(mp.exp(x))),
    "ml_softsign": lambda x: x / (1 + abs(x)),
    "ml_gelu": lambda x: x * mp.ncdf(x),
    "ml_elu": lambda x: x if x > 0 else mp.expm1(x),
}


@pytest.mark.parametrize("name", sorted(CLASSIC))
def test_presets_reproduce_classic(name):
    act = nl.ml_activations[name]
    value, deriv = _mp(CLASSIC[name])
    ref = np.array([value(x) for x in X])
    y = act(X)
    # the ML factors are within ~1e-14 of E; the ratio adds a few roundings. The arguments
    # f(u), g(u) are rounded: E(f) changes by (growth exponent) * eps relatively, |u| for the
    # tanh/mish gates and u^2/2 for GELU (u/sqrt2 and u^2/2 + ln 2 are rounded before E grows
    # like e^{u^2/2}): that conditioning is part of the bound.
    eps = np.finfo(float).eps
    cond = lambda x: 1 + np.abs(x) + (0.5 * x * x if name == "ml_gelu" else 0)  # noqa: E731
    scale = np.maximum(np.abs(ref), 1e-300)
    bad = np.abs(y - ref) > (5e-14 + 4 * eps * cond(X)) * scale + 1e-300
    assert not bad.any(), (name, X[bad], y[bad], ref[bad])
    # derivative: kinks excluded (softsign at 0 is smooth; elu at 0 has a kink)
    xs = X[(X != 0) & (np.abs(X) < 700)] if name == "ml_elu" else X[np.abs(X) < 700]
    dref = np.array([deriv(x) for x in xs])
    dy = act.derivative(xs)
    # near the derivative's zeros (silu, mish, gelu) the error counts against the terms' size
    dscale = np.maximum(np.abs(dref), 1e-3 * np.minimum(1.0, np.abs(xs)))
    bad = np.abs(dy - dref) > (1e-12 + 16 * eps * cond(xs) ** 2) * np.maximum(dscale, 1e-300)
    assert not bad.any(), (name, xs[bad], dy[bad], dref[bad])


def test_tanh_identity_interpolation():
    act = nl.ml_tanh_identity
    x = np.linspace(-20, 20, 81)
    assert np.allclose(act(x, beta2=2.0), x, rtol=1e-14, atol=0)
    # beta2 = 1.5: odd, near 0 the slope is Gamma(1.5) = E22(0)/E_{2,1.5}(0), between tanh and x far out
    mid = act(x, beta2=1.5)
    assert np.array_equal(mid, -mid[::-1])
    assert abs(act(1e-8, beta2=1.5) / 1e-8 - float(mp.gamma(1.5))) < 1e-14
    far = np.abs(x) > 2
    assert np.all((np.abs(mid[far]) > np.abs(np.tanh(x[far]))) & (np.abs(mid[far]) < np.abs(x[far])))


def test_ratio_never_overflows():
    """cosh(x) overflows near x = 710; the tanh gate E22(x^2)/E21(x^2) does not."""
    x = np.array([-1e6, -2000.0, -710.0, 710.0, 2000.0, 1e6])
    assert np.allclose(nl.ml_tanh(x), np.sign(x), rtol=1e-14, atol=0)
    assert np.all(np.isfinite(nl.ml_tanh.derivative(x)))
    grads = nl.ml_tanh.param_backward(np.ones_like(x), x)
    assert all(np.isfinite(g) for g in grads.values())


@pytest.mark.parametrize("name", sorted(CLASSIC))
def test_param_gradients_finite_differences(name):
    act = nl.ml_activations[name]
    x = np.array([-3.0, -0.7, 0.4, 1.3, 2.5])
    g = np.array([0.5, -1.0, 2.0, 0.25, 1.5])
    p0 = dict(act.params)
    # move off the boundary alpha = 0 for the finite differences (alpha >= 0)
    p0 = {k: (v + 0.3 if k.startswith("alpha") and v == 0 else v) for k, v in p0.items()}
    grads = act.param_backward(g, x, **p0)
    for k in act.learnable:
        h = 1e-5
        hi = act(x, **{**p0, k: p0[k] + h})
        lo = act(x, **{**p0, k: p0[k] - h})
        fd = np.sum(g * (hi - lo) / (2 * h))
        assert abs(grads[k] - fd) <= 1e-7 * max(1.0, abs(fd)), (name, k, grads[k], fd)


def test_backward_and_protocol():
    act = nl.ml_gelu
    x = np.linspace(-4, 4, 9)
    g = np.linspace(1, 2, 9)
    assert np.allclose(act.backward(g, x), g * act.derivative(x), rtol=0, atol=0)
    assert set(act.params) == {"alpha1", "beta1", "alpha2", "beta2"}
    assert act.learnable == ("alpha1", "beta1", "alpha2", "beta2")
    per_channel = act.param_backward(np.ones((3, 4)), np.ones((3, 4)), beta2=np.ones(4))
    assert per_channel["beta2"].shape == (4,) and np.ndim(per_channel["alpha1"]) == 0
    assert act(np.float32(1.0)).dtype == np.float32
    with pytest.raises(ValueError, match="alpha1"):
        act(x, alpha1=-1.0)
    with pytest.raises(TypeError):
        act(x, gamma=2.0)


@pytest.mark.parametrize("call,word", [
    (lambda a, x: a(x + 1j), "'x'"),  # NumPy would drop the imaginary part with a warning
    (lambda a, x: a("abc"), "'x'"),
    (lambda a, x: a(x, alpha1="a"), "alpha1"),
    (lambda a, x: a(x, beta2=1j), "beta2"),
    (lambda a, x: a.derivative(x.astype(object)), "'x'"),
    (lambda a, x: a.backward("a", x), "grad_out"),
    (lambda a, x: a.param_backward(x + 1j, x), "grad_out"),
    (lambda a, x: a.param_backward(x, x + 1j, beta1=np.ones(5)), "'x'"),
])
def test_non_real_operands_are_type_errors_naming_them(call, word):
    with pytest.raises(TypeError, match=word):
        call(nl.ml_tanh, np.linspace(-2, 2, 5))
