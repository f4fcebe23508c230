"""Derivatives against finite differences of the forward (float64, default SIMD level).

Independent of the mpmath tables: checks that derivative / backward / param-grad / GLU backward
are the derivatives of the forward that nonlin actually computes.

Central differences with one Richardson step, R = (4 D(h/2) - D(h)) / 3,
D(h) = (f(x+h) - f(x-h)) / ((x+h) - (x-h)), h = 1e-4 max(1, |x|), at random points at least
0.02 max(1, |kink|) away from every kink/threshold. Tolerance 1e-7 relative to
|f'(x)| + |f(x)| / max(1, |x|) (the second term bounds the rounding noise of the difference
quotient where f' crosses zero), plus, for f', the difference between the Richardson values at
steps h and h/4 (the finite difference's own truncation error; only visible in the
super-exponential gelu tails), compared against the h/4 value.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference_formulas as rf
from conftest import require_nonlin

SETS = [pytest.param(rf.set_id(a, i), id=rf.set_id(a, i)) for a, i, _ in rf.all_param_sets()]
LEARNABLE = [pytest.param(rf.set_id(a, i), id=rf.set_id(a, i))
             for a, i, _ in rf.all_param_sets() if a.learnable]
RTOL = 1e-7


def _setup(sid):
    lib = require_nonlin()
    name, idx = sid.split("#")
    act = rf.BY_NAME[name]
    return lib, act, getattr(lib, name), dict(act.param_sets[int(idx)])


def _points(act, params, n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-8, 8, n), rng.uniform(-1, 1, n // 4),
                        rng.choice([-1, 1], n // 4) * np.exp(rng.uniform(np.log(8), np.log(60), n // 4))])
    kinks = set(act.kinks(params)) | {0.0, 3.0, -3.0, 6.0}
    keep = np.ones(x.shape, bool)
    for k in kinks:
        keep &= np.abs(x - k) > 0.02 * max(1.0, abs(k))
    for lo, hi in act.surrogate(params):
        keep &= (x < lo) | (x > hi)
    return x[keep]


def richardson(f, x, h):
    def D(hh):
        xp, xm = x + hh, x - hh
        return (f(xp) - f(xm)) / (xp - xm)
    return (4 * D(h / 2) - D(h)) / 3


def _assert_close(name, x, got, fd, fx, extra="", slack=0.0):
    tol = RTOL * (np.abs(got) + np.abs(fx) / np.maximum(1.0, np.abs(x))) + slack + 1e-300
    bad = ~(np.abs(got - fd) <= tol)
    if bad.any():
        i = np.flatnonzero(bad)[np.argmax((np.abs(got - fd) / tol)[bad])]
        raise AssertionError(
            f"{name}{extra}: {int(bad.sum())}/{x.size} points off; worst x={x[i]!r}: "
            f"analytic {got[i]!r}, finite difference {fd[i]!r}")


@pytest.mark.parametrize("sid", SETS)
def test_derivative_matches_forward(sid):
    lib, act, f, params = _setup(sid)
    x = _points(act, params)
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    fd = richardson(lambda z: f(z, **params), x, h)
    # the difference quotient's own truncation error, estimated with a 4x smaller step (matters
    # only in the super-exponential tails of gelu / gelu_tanh), is added to the tolerance
    fd4 = richardson(lambda z: f(z, **params), x, h / 4)
    est = np.abs(fd - fd4)
    fx = f(x, **params)
    _assert_close(sid + " derivative", x, f.derivative(x, **params), fd4, fx, slack=est)
    g = np.random.default_rng(1).uniform(-2, 2, x.size)
    _assert_close(sid + " backward", x, f.backward(g, x, **params), g * fd4, g * fx,
                  slack=np.abs(g) * est)


@pytest.mark.parametrize("sid", LEARNABLE)
def test_param_grad_matches_forward(sid):
    lib, act, f, params = _setup(sid)
    x = _points(act, params, seed=2)
    if act.name == "softplus":      # keep beta*x clear of the threshold switch under the step
        x = x[np.abs(params["beta"] * x - params["threshold"]) > 0.05 * params["threshold"]]
    order = list(f.params.keys())
    uf = getattr(lib.ufuncs, f"{act.name}_param_grad")
    g = np.random.default_rng(3).uniform(-2, 2, x.size)
    out = uf(g, x, *[params[k] for k in order])
    outs = out if isinstance(out, tuple) else (out,)
    for pname, got in zip(act.learnable, outs):
        th = params[pname]
        ht = 1e-4 * max(1.0, abs(th))

        def fp(t, pname=pname):
            return f(x, **dict(params, **{pname: t}))

        constraint = {r[0]: r[4] for r in f._param_rows}[pname]
        one_sided = constraint in ("nonnegative", "positive") and th - ht < 0

        def rich(h):
            if one_sided:   # at the boundary of the domain (APA's lambd = 0): forward steps
                f0 = fp(th)
                return 2 * (fp(th + h / 2) - f0) / (h / 2) - (fp(th + h) - f0) / h
            return (4 * (fp(th + h / 2) - fp(th - h / 2)) / h - (fp(th + h) - fp(th - h)) / (2 * h)) / 3
        fd, fd4 = rich(ht), rich(ht / 4)
        fx = f(x, **params)
        # the difference between the steps bounds the finite difference's own truncation error
        # (visible only in doubly exponential tails: GoLU, APA)
        _assert_close(sid, x, got, g * fd4, g * fx * max(1.0, abs(th)), extra=f" d/d{pname}",
                      slack=np.abs(g * (fd - fd4)))
        # param_backward reduces the same elementwise gradient
        red = f.param_backward(g, x, **params)[pname]
        assert np.shape(red) == ()
        np.testing.assert_allclose(red, np.sum(got), rtol=1e-12, atol=1e-12 * np.sum(np.abs(got)))


@pytest.mark.parametrize("sid", LEARNABLE)
def test_param_backward_per_channel(sid):
    """A per-channel parameter (shape (C,)) broadcasting against x (N, C) gets its gradient
    summed over N, shape (C,)."""
    lib, act, f, params = _setup(sid)
    pname = act.learnable[0]
    rng = np.random.default_rng(4)
    x = rng.uniform(-4, 4, (50, 3))
    g = rng.uniform(-2, 2, (50, 3))
    base = params[pname]
    per = np.array([base, base * 0.5 + 0.25, base * 1.5])
    kw = dict(params, **{pname: per})
    red = f.param_backward(g, x, **kw)[pname]
    assert np.shape(red) == (3,)
    order = list(f.params.keys())
    uf = getattr(lib.ufuncs, f"{act.name}_param_grad")
    el = uf(g, x, *[kw[k] for k in order])
    el = el[act.learnable.index(pname)] if isinstance(el, tuple) else el
    np.testing.assert_allclose(red, el.sum(axis=0), rtol=1e-12, atol=1e-300)
    # and matches the per-channel scalar computation
    for c in range(3):
        one = f.param_backward(g[:, c], x[:, c], **dict(params, **{pname: per[c]}))[pname]
        np.testing.assert_allclose(red[c], one, rtol=1e-12)


# ------------------------------------------------------------------------------ GLU family

def _gate(name):
    import mpmath as m
    return {"glu": lambda b: 1 / (1 + m.exp(-b)),
            "reglu": lambda b: b if b > 0 else m.mpf(0),
            "geglu": lambda b: b * m.ncdf(b),
            "swiglu": lambda b: b / (1 + m.exp(-b))}[name]


@pytest.mark.parametrize("axis,shape", [(-1, (5, 8)), (0, (6, 4)), (1, (3, 10, 2))])
@pytest.mark.parametrize("name", ["glu", "reglu", "geglu", "swiglu"])
def test_glu_family(name, axis, shape):
    lib = require_nonlin()
    import mpmath as m
    f = getattr(lib, name)
    rng = np.random.default_rng(5)
    x = rng.uniform(-4, 4, shape)
    a, b = np.split(x, 2, axis=axis)
    b = np.where(np.abs(b) < 0.05, 0.3, b)            # reglu kink at b = 0
    x = np.concatenate([a, b], axis=axis)
    # forward against mpmath, a * gate(b), first half gated by the second (torch convention)
    y = f(x, axis=axis)
    with m.workdps(30):
        ref = np.vectorize(lambda ai, bi: float(m.mpf(ai) * _gate(name)(m.mpf(bi))))(a, b)
    np.testing.assert_allclose(y, ref, rtol=4e-16 * 8, atol=1e-300)
    # backward, both halves, against finite differences of sum(G * f(x))
    G = rng.uniform(-2, 2, y.shape)
    grad = f.backward(G, x, axis=axis)
    assert grad.shape == x.shape
    fd = np.empty_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        h = 1e-4 * max(1.0, abs(flat[i]))

        def L(t, i=i):
            z = flat.copy()
            z[i] = t
            return np.sum(G * f(z.reshape(x.shape), axis=axis))
        xi = flat[i]
        d1 = (L(xi + h) - L(xi - h)) / (2 * h)
        d2 = (L(xi + h / 2) - L(xi - h / 2)) / h
        fd.reshape(-1)[i] = (4 * d2 - d1) / 3
    scale = np.abs(grad) + np.sum(np.abs(G * y)) / x.size
    assert np.all(np.abs(grad - fd) <= RTOL * scale), \
        f"{name} axis={axis}: max |grad - fd| = {np.max(np.abs(grad - fd)):.3g}"
    # odd split axis
    with pytest.raises(ValueError):
        f(rng.uniform(-1, 1, (3, 5)), axis=-1)
