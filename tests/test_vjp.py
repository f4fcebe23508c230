"""The fused backward: ``nl.<name>.vjp(grad_out, x, **params)`` -> (grad_x, {param: grad}) and
the ``nl.ufuncs.<name>_vjp`` ufuncs. Elementwise they are the backward and parameter-gradient
formulas (held to mpmath by test_accuracy.py) evaluated once; the sums over x of the parameter
terms are checked against an exact sum (math.fsum) of those terms, for determinism across thread
counts, and the cases the fused pass does not serve (per-channel parameters, float16, strides,
broadcasting) against the separate calls."""

from __future__ import annotations

import math

import numpy as np
import pytest

import reference_formulas as rf
from conftest import require_nonlin

nl = require_nonlin()
LEARNABLE = sorted({a.name for a, _i, _p in rf.all_param_sets() if a.learnable})


def _inputs(name, dtype, n=20000, seed=0):
    """x over the interesting range (and beyond), g random; parameters: the registry's
    non-default set where there is one."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.standard_normal(n // 2) * 3, rng.uniform(-40, 40, n - n // 2)])
    g = rng.uniform(-2, 2, n)
    act = rf.BY_NAME[name]
    params = dict(act.param_sets[-1])
    return x.astype(dtype), g.astype(dtype), {k: float(dtype(v)) for k, v in params.items()}


def _case(name, dtype):
    """(activation, x, g, params, positional parameter values, per-element parameter terms)."""
    act = getattr(nl, name)
    x, g, params = _inputs(name, dtype)
    args = [params.get(p, d) for p, d in act.params.items()]
    with np.errstate(all="ignore"):
        terms = getattr(nl.ufuncs, f"{name}_param_grad")(g, x, *args)
    return act, x, g, params, args, terms if isinstance(terms, tuple) else (terms,)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", LEARNABLE)
def test_vjp_ufunc_is_backward_and_param_terms(name, dtype, simd_level):
    act, x, g, params, args, terms = _case(name, dtype)
    with np.errstate(all="ignore"):
        fused = getattr(nl.ufuncs, f"{name}_vjp")(g, x, *args)
        bwd = getattr(nl.ufuncs, f"{name}_backward")(g, x, *args)
    assert len(fused) == 1 + len(act.learnable)
    # the same formulas, evaluated once: bit for bit
    np.testing.assert_array_equal(fused[0], bwd)
    for f, t in zip(fused[1:], terms):
        np.testing.assert_array_equal(f, t)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", LEARNABLE)
def test_vjp_sums_match_an_exact_sum(name, dtype, simd_level):
    act, x, g, params, _args, terms = _case(name, dtype)
    with np.errstate(all="ignore"):
        grad_x, grads = act.vjp(g, x, **params)
    np.testing.assert_array_equal(grad_x, act.backward(g, x, **params))
    assert set(grads) == set(act.learnable)
    eps = float(np.finfo(dtype).eps)
    for p, t in zip(act.learnable, terms):
        t = t.astype(np.float64)
        assert np.isfinite(t).all(), (name, p)
        exact = math.fsum(t)
        got = grads[p]
        assert got.shape == () and got.dtype == dtype
        # float64 accumulation in blocks; the float32 result rounds once more
        tol = 1e-13 * float(np.sum(np.abs(t))) + (eps * abs(exact) if dtype == np.float32 else 0)
        assert abs(float(got) - exact) <= tol, (name, p, float(got), exact, tol)


@pytest.mark.parametrize("name", ["golu", "prelu", "elephant", "softplus"])
def test_vjp_is_deterministic_across_threads(name):
    x, g, params = _inputs(name, np.float32, n=400_001)
    old = nl.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 1):
            nl.set_num_threads(threads)
            results.append(getattr(nl, name).vjp(g, x, **params))
    finally:
        nl.set_num_threads(old)
    for gx, grads in results[1:]:
        np.testing.assert_array_equal(gx, results[0][0])
        for p in grads:
            assert grads[p].tobytes() == results[0][1][p].tobytes(), (name, p)


def test_vjp_falls_back_where_the_fused_pass_does_not_apply():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 6))
    g = rng.standard_normal((4, 3, 6))
    w = np.array([0.1, 0.2, 0.3]).reshape(3, 1)
    cases = [
        ("prelu", g, x, {"weight": w}),                          # per-channel parameter
        ("prelu", g[:, :, ::2], x[:, :, ::2], {"weight": 0.2}),  # strided
        ("elu", g.astype(np.float16), x.astype(np.float16), {"alpha": 0.5}),  # float16
        ("elu", g[0], x, {"alpha": 0.5}),                        # grad_out broadcast
        ("silu", g.astype(np.float32), x, {"beta": 1.5}),        # mixed dtypes
    ]
    for name, gg, xx, params in cases:
        act = getattr(nl, name)
        gx, grads = act.vjp(gg, xx, **params)
        np.testing.assert_array_equal(gx, act.backward(gg, xx, **params))
        ref = act.param_backward(gg, xx, **params)
        for p in ref:
            np.testing.assert_allclose(grads[p], ref[p], rtol=1e-6 if ref[p].dtype != np.float64 else 1e-13)
            assert grads[p].shape == np.shape(params[p])


def test_vjp_special_values_and_shapes():
    act = nl.elu
    gx, grads = act.vjp(np.ones(0), np.ones(0), alpha=0.5)
    assert gx.shape == (0,) and float(grads["alpha"]) == 0.0
    x = np.array([-1.0, np.nan, 2.0])
    gx, grads = act.vjp(np.ones(3), x, alpha=0.5)
    assert np.isnan(gx[1]) and not np.isnan(gx[[0, 2]]).any()
    assert np.isnan(grads["alpha"])
    # 0-d x; a one-element parameter array keeps its shape (and broadcasts x like the ufuncs)
    for alpha, shape in ((0.5, ()), (np.float64(0.5), ()), (np.array([0.5]), (1,))):
        gx, grads = act.vjp(np.float64(2.0), np.float64(-1.0), alpha=alpha)
        assert grads["alpha"].shape == shape and np.shape(gx) == shape
        assert math.isclose(float(np.ravel(grads["alpha"])[0]), 2 * (math.exp(-1.0) - 1), rel_tol=1e-15)
        assert math.isclose(float(np.ravel(gx)[0]), 2 * 0.5 * math.exp(-1.0), rel_tol=1e-15)
    # activations without learnable parameters: the backward and an empty dict
    gx, grads = nl.gelu.vjp(np.ones(3), np.zeros(3))
    assert grads == {} and np.array_equal(gx, np.full(3, 0.5))
    with pytest.raises(TypeError, match="grad_out"):
        act.vjp("a", x)
    with pytest.raises(ValueError, match="alpha"):
        nl.celu.vjp(np.ones(3), x, alpha=0.0)
