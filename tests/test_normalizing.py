"""Normalising activations over an axis (PolyNorm, ASH, Hard ASH, VeLU): forward against
mpmath, gradients (input and parameters, through the statistics) against high-precision finite
differences, on every SIMD level and dtype; axis handling, strides, empty/0-d input, threads,
bad parameters; agreement with torch autograd of a plain implementation.

Errors are counted like the elementwise suite: |y - ref| / ulp_dtype(max(|ref|, scale)), scale
the largest term of the formula (tests/reference_normalizing.py says which for each function
and gradient). The bounds are the design targets or the larger numbers documented in
python/nonlin/accuracy_normalizing.json (written by tools/measure_normalizing_accuracy.py from
the same first sample and more).
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest

import reference_normalizing as rn
from conftest import BOUNDS, require_nonlin, simd_level  # noqa: F401

NAMES = ("polynorm", "ash", "hard_ash", "velu")
DTYPES = ("float16", "float32", "float64")
ACC_PATH = os.path.join(os.path.dirname(__file__), "..", "python", "nonlin",
                        "accuracy_normalizing.json")


def bound(name, dtype, kind):
    target = BOUNDS[dtype][0 if kind == "forward" else 1]
    documented = getattr(require_nonlin(), name).accuracy.get(dtype, {}).get(kind)
    return max(target, documented) if documented is not None else target


def params_of(name):
    return dict(rn.TEST_PARAMS[name])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_forward_vs_mpmath(name, dtype, simd_level):
    act = getattr(require_nonlin(), name)
    err = rn.forward_errors(act, dtype, 8, 48, seed=1000)  # the tool's first sample
    b = bound(name, dtype, "forward")
    assert err.max() <= b, f"{name} {dtype} simd={simd_level}: max {err.max():.3g} ULP > {b}"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_backward_vs_finite_differences(name, dtype, simd_level):
    act = getattr(require_nonlin(), name)
    err, perr = rn.gradient_errors(act, dtype, 3, 10, seed=2000)
    b = bound(name, dtype, "backward")
    assert err.max() <= b, f"{name} {dtype} simd={simd_level}: max {err.max():.3g} ULP > {b}"
    bp = bound(name, dtype, "param_grad")
    for pname, e in perr.items():
        assert e.max() <= bp, f"{name} d{pname} {dtype} simd={simd_level}: {e.max():.3g} ULP > {bp}"


@pytest.mark.parametrize("weight", [[1.5], [0.5, -1.0], [0.2, -0.3, 0.4, -0.5]])
def test_polynorm_orders(weight):
    nl = require_nonlin()
    x = rn.sample("float64", 2, 12, seed=11)
    p = {"weight": weight, "bias": -0.25, "eps": 1e-6}
    y = nl.polynorm(x, **p)
    for xr, yr in zip(x, y):
        assert rn.ulps(yr, *rn.forward("polynorm", xr, p), "float64").max() <= bound("polynorm", "float64", "forward")
    g = np.ones_like(x)
    ref = rn.grad_params("polynorm", x, g, p, ("weight", "bias"))
    pg = nl.polynorm.param_backward(g, x, **p)
    np.testing.assert_allclose(pg["weight"], [float(v) for v in ref["weight"]], rtol=1e-12)
    np.testing.assert_allclose(pg["bias"], float(ref["bias"]), rtol=1e-12)


@pytest.mark.parametrize("dtype,scale,weight", [("float64", 1e60, [0.3, -0.45, 0.7]),
                                                 ("float64", 1e-70, [0.3, -0.45, 0.7]),
                                                 ("float32", 1e30, [0.1] * 8)])
def test_polynorm_rows_whose_powers_overflow(dtype, scale, weight):
    """x^2r beyond the double range: the row is rescaled by a power of two (exact), not NaN."""
    nl = require_nonlin()
    p = {"weight": weight, "bias": 0.1, "eps": 1e-6}
    x = (rn.sample("float64", 2, 7, seed=4) * scale).astype(dtype)
    y = nl.polynorm(x, **p)
    for xr, yr in zip(x, y):
        assert rn.ulps(yr, *rn.forward("polynorm", xr, p), dtype).max() <= \
            bound("polynorm", dtype, "forward")
    g = np.ones_like(x)
    gx, pg = nl.polynorm.grads(g, x, **p)
    for xr, gr, gxr in zip(x, g, gx):
        assert rn.ulps(gxr, *rn.grad_x("polynorm", xr, gr, p), dtype).max() <= \
            bound("polynorm", dtype, "backward")
    # d/dweight[i] depends on no other parameter: with those zeroed the loss keeps its digits
    for i in range(len(weight)):
        alone = dict(p, bias=0.0, weight=[w if k == i else 0.0 for k, w in enumerate(weight)])
        ref = rn.grad_params("polynorm", x, g, alone, ("weight",))["weight"][i]
        np.testing.assert_allclose(pg["weight"][i], float(ref), rtol=1e-5)


@pytest.mark.parametrize("name", ["ash", "hard_ash", "velu"])
@pytest.mark.parametrize("scale", [1e155, 1e300, 1e-300])
def test_rows_whose_variance_overflows(name, scale):
    """float64 rows beyond ~1e154 (the sum of squares overflows) or tiny: the statistics are
    computed scaled by a power of two, so the row is right, not NaN."""
    nl = require_nonlin()
    p = params_of(name)
    x = rn.sample("float64", 2, 7, seed=5) * scale
    y = nl.__dict__[name](x, **p)
    assert np.all(np.isfinite(y))
    for xr, yr in zip(x, y):
        assert rn.ulps(yr, *rn.forward(name, xr, p), "float64").max() <= bound(name, "float64", "forward")
    gx, _ = nl.__dict__[name].grads(np.ones_like(x), x, **p)
    for xr, gxr in zip(x, gx):
        assert rn.ulps(gxr, *rn.grad_x(name, xr, np.ones_like(xr), p), "float64").max() <= \
            bound(name, "float64", "backward")


@pytest.mark.parametrize("name", NAMES)
def test_many_empty_rows_return_at_once(name):
    """2^34 rows of length 0: nothing to compute, no per-row work or memory."""
    nl = require_nonlin()
    act, p = getattr(nl, name), params_of(name)
    x = np.broadcast_to(np.zeros((1, 0)), (2**34, 0))
    assert act(x, **p).shape == x.shape
    gx, pg = act.grads(x, x, **p)
    assert gx.shape == x.shape and all(np.all(v == 0) for v in pg.values())


@pytest.mark.parametrize("name", NAMES)
def test_axis_and_strides(name):
    nl = require_nonlin()
    act, p = getattr(nl, name), params_of(name)
    base = np.random.default_rng(5).standard_normal((4, 7, 6))
    g = np.random.default_rng(6).standard_normal((4, 7, 6))
    for axis in (0, 1, 2, -1, -3):
        y = act(base, axis=axis, **p)
        ref = np.moveaxis(act(np.ascontiguousarray(np.moveaxis(base, axis, -1)), **p), -1, axis)
        np.testing.assert_array_equal(y, ref)
        gx = act.backward(g, base, axis=axis, **p)
        gref = np.moveaxis(act.backward(np.moveaxis(g, axis, -1).copy(),
                                        np.moveaxis(base, axis, -1).copy(), **p), -1, axis)
        np.testing.assert_array_equal(gx, gref)
    # negative and non-unit strides, read-only input
    view = base[::-1, ::2, ::-1]
    view.setflags(write=False)
    np.testing.assert_array_equal(act(view, axis=1, **p), act(view.copy(), axis=1, **p))
    # integers compute in float64; float16 in float32 (same numbers as the float32 path)
    xi = np.arange(-6, 6).reshape(2, 6)
    assert act(xi, **p).dtype == np.float64
    np.testing.assert_array_equal(act(xi, **p), act(xi.astype(np.float64), **p))
    h = base.astype(np.float16)
    np.testing.assert_array_equal(act(h, **p), act(h.astype(np.float32), **p).astype(np.float16))


@pytest.mark.parametrize("name", NAMES)
def test_empty_zero_d_and_nan(name):
    nl = require_nonlin()
    act, p = getattr(nl, name), params_of(name)
    for shape in [(0, 5), (3, 0), (0,)]:
        x = np.zeros(shape, np.float32)
        assert act(x, **p).shape == shape
        gx, pg = act.grads(x, x, **p)
        assert gx.shape == shape
        for k, v in pg.items():
            assert np.all(v == 0) and v.shape == np.shape(np.atleast_1d(p[k]) if k == "weight" else p[k])
    with pytest.raises(ValueError, match="at least one dimension"):
        act(np.float64(1.0), **p)
    x = np.random.default_rng(1).standard_normal((3, 8))
    x[1, 2] = np.nan
    y = act(x, **p)
    assert np.all(np.isnan(y[1]))  # the row's statistics are NaN
    assert np.all(np.isnan(act.backward(np.ones_like(x), x, **p)[1]))
    np.testing.assert_array_equal(y[[0, 2]], act(x[[0, 2]], **p))


@pytest.mark.parametrize("name", NAMES)
def test_threads_do_not_change_results(name):
    nl = require_nonlin()
    act, p = getattr(nl, name), params_of(name)
    x = np.random.default_rng(2).standard_normal((300, 257)).astype(np.float32)
    old = nl.get_num_threads()
    try:
        nl.set_num_threads(1)
        y1, (g1, p1) = act(x, **p), act.grads(x, x, **p)
        nl.set_num_threads(2)
        y2, (g2, p2) = act(x, **p), act.grads(x, x, **p)
    finally:
        nl.set_num_threads(old)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(g1, g2)
    for k in p1:
        np.testing.assert_array_equal(p1[k], p2[k])


BAD = [
    ("polynorm", {"weight": []}, ValueError, "weight"),
    ("polynorm", {"weight": [[1.0, 2.0]]}, ValueError, "weight"),
    ("polynorm", {"weight": [0.1] * 9}, ValueError, "weight"),
    ("polynorm", {"weight": [np.nan, 1.0]}, ValueError, "weight"),
    ("polynorm", {"eps": -1e-3}, ValueError, "eps"),
    ("polynorm", {"bias": np.ones(3)}, ValueError, "bias"),
    ("polynorm", {"bias": "a"}, TypeError, "bias"),
    ("ash", {"eps": -1.0}, ValueError, "eps"),
    ("ash", {"zk": np.inf}, ValueError, "zk"),
    ("hard_ash", {"eps": -1.0}, ValueError, "eps"),
    ("velu", {"eps": -1.0}, ValueError, "eps"),
    ("velu", {"scale": [1.0, 2.0]}, ValueError, "scale"),
    ("velu", {"lambda_": 1.0}, TypeError, "lambda_"),
]


@pytest.mark.parametrize("name,bad,exc,word", BAD)
def test_bad_parameters(name, bad, exc, word):
    nl = require_nonlin()
    x = np.ones((2, 3))
    with pytest.raises(exc, match=word):
        getattr(nl, name)(x, **bad)
    with pytest.raises(exc, match=word):
        getattr(nl, name).backward(x, x, **bad)


@pytest.mark.parametrize("name", NAMES)
def test_bad_axis_and_operands(name):
    act = getattr(require_nonlin(), name)
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="axis"):
        act(x, axis=2)
    with pytest.raises(TypeError, match="axis"):
        act(x, axis=1.0)
    with pytest.raises(TypeError, match="x"):
        act(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="x"):
        act(np.ones(3, complex))
    with pytest.raises(ValueError, match="grad_out"):
        act.backward(np.ones(4), x)


def test_catalogue_rows():
    nl = require_nonlin()
    rows = {r["name"]: r for r in nl.catalog() if r["kind"] == "normalizing"}
    assert set(rows) == set(NAMES)
    assert rows["polynorm"]["params"]["weight"]["default"] == (1 / 3, 1 / 3, 1 / 3)
    assert rows["polynorm"]["learnable"] == ("weight", "bias")
    assert rows["ash"]["learnable"] == ("zk",) and rows["velu"]["learnable"] == ("scale",)
    with open(ACC_PATH) as f:
        documented = json.load(f)
    for name in NAMES:
        assert rows[name]["accuracy"] == documented[name]
        assert "arXiv" in rows[name]["source"]


@pytest.mark.parametrize("name", NAMES)
def test_matches_torch_autograd_of_a_plain_implementation(name):
    """The way users run these today (tools/torch_normalizing.py, eager + autograd), float64:
    same values, input gradients and parameter gradients, on a 3-d array over axis 1."""
    import torch  # in the test extra
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
    import torch_normalizing as tn
    act, p = getattr(require_nonlin(), name), params_of(name)
    rng = np.random.default_rng(9)
    x, g = rng.standard_normal((2, 33, 5)) * 1.5, rng.standard_normal((2, 33, 5))
    xt = torch.tensor(np.moveaxis(x, 1, -1), requires_grad=True)
    y, learn = tn.call(name, xt, p)
    y.backward(torch.tensor(np.moveaxis(g, 1, -1)))
    gx, pg = act.grads(g, x, axis=1, **p)
    np.testing.assert_allclose(act(x, axis=1, **p), np.moveaxis(y.detach().numpy(), -1, 1),
                               rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(gx, np.moveaxis(xt.grad.numpy(), -1, 1), rtol=1e-10, atol=1e-12)
    assert set(pg) == set(learn)
    for k, t in learn.items():
        np.testing.assert_allclose(pg[k], t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("scale", [1e-20, 1e-40, 1e-150, 1e-300])
def test_polynorm_tiny_rows_without_eps(scale):
    """eps = 0: PolyNorm is invariant under x -> c x (y) and x -> c x, g -> g (grad_x / c), so a
    tiny row must give the unscaled row's results (were: 1e-5 off at 1e-20, inf/NaN at 1e-40:
    the powers x^2k underflowed; only overflow was rescaled)."""
    nl = require_nonlin()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 6))
    g = rng.standard_normal((2, 6))
    w = tuple(rng.standard_normal(8))
    ref = nl.polynorm(x, weight=w, eps=0.0)
    np.testing.assert_allclose(nl.polynorm(scale * x, weight=w, eps=0.0), ref, rtol=1e-13, atol=1e-14)
    gx_ref, gp_ref = nl.polynorm.grads(g, x, weight=w, eps=0.0)
    gx, gp = nl.polynorm.grads(g, scale * x, weight=w, eps=0.0)
    np.testing.assert_allclose(gx * scale, gx_ref, rtol=1e-12, atol=1e-12)
    for k in gp_ref:
        np.testing.assert_allclose(gp[k], gp_ref[k], rtol=1e-12, atol=1e-12)


_ASH0 = {"zk": 0.0, "alpha": 1.7, "eps": 0.0}
_VELU0 = dict(rn.TEST_PARAMS["velu"], gamma=0.0, eps=0.0)


@pytest.mark.parametrize("name, params, row", [
    ("ash", _ASH0, [0.0, 0.0, 0.0, 0.0]),                      # a zero row (padding)
    ("ash", dict(_ASH0, zk=0.8), [2.0]),                        # a row of length 1
    ("velu", _VELU0, [3.0, 3.0, 3.0, 3.0]),                     # a constant row
    ("ash", dict(_ASH0, zk=0.5), [0.3e-300, -1.2e-300, 2.1e-300, 0.7e-300, -0.4e-300]),  # squares underflow
])
def test_eps_zero_rows_without_spread(name, params, row):
    """eps = 0 and sd = 0 (constant rows: sd is not differentiable there, every x - mean is 0,
    so the term through sd is 0 -- what central differences give) or sd's squares underflowing
    (the row is rescaled): finite input gradients equal to high-precision central differences
    (were NaN / inf: 0/0 and x/0)."""
    act = getattr(require_nonlin(), name)
    x = np.array([row])
    g = np.ones_like(x)
    gx, _ = act.grads(g, x, **params)
    ref, scale = rn.grad_x(name, x[0], g[0], params)
    ref = np.array([float(v) for v in ref])
    assert np.all(np.isfinite(gx))
    np.testing.assert_allclose(gx[0], ref, rtol=0, atol=1e-12 * max(float(s) for s in scale))


@pytest.mark.parametrize("name", NAMES)
def test_float16_rounded_once(name):
    """float16 in: values and input gradients are the float64 computation rounded once to
    float16 (were rounded to float32 first: ~6e-5 of them 1 ulp off)."""
    act = getattr(require_nonlin(), name)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((400, 64)).astype(np.float16)
    g = rng.standard_normal((400, 64)).astype(np.float16)
    p = params_of(name)
    np.testing.assert_array_equal(act(x, **p), act(x.astype(np.float64), **p).astype(np.float16))
    np.testing.assert_array_equal(act.grads(g, x, **p)[0],
                                  act.grads(g.astype(np.float64), x.astype(np.float64), **p)[0].astype(np.float16))
