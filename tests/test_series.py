"""Coefficient-vector activations (Hermite, Fourier, tropical, tropical rational, PolyReLU):
forward, derivative, grad_x and every array gradient against mpmath (tests/series_formulas.py:
the definitions at 60 digits, derivatives by mpmath.diff), under every SIMD level; limits, NaN,
overflow; thread-independent gradients; bad input; array semantics.

Error measures: forward and derivative in ULPs of the dtype at max(|ref|, scale), scale the
size of the largest term (the condition sum sum |c_k| |He|_k(|x|) / k! for Hermite, whose terms
cancel; sum |a_k| / k! for Fourier; the larger maximum for tropical rational). Array gradients
(sums over the elements): |got - ref| <= 8 u sum_i |g_i| (|ref_i| + T_i) with u the unit
roundoff and T_i the term's own condition sum (Hermite: |He|_k(|x|) / k!).
"""

from __future__ import annotations

import json
import math
import os
import sys

import numpy as np
import pytest

from conftest import require_nonlin, ulp_errors

sys.path.insert(0, os.path.dirname(__file__))
import mpmath as mp  # noqa: E402
import series_formulas as S  # noqa: E402

nl = require_nonlin()
FAMILIES = list(S.FAMILIES)
DTYPES = ["float32", "float64"]
BOUND_FWD = {"float32": 2.0, "float64": 2.0}
BOUND_DERIV = {"float32": 4.0, "float64": 4.0}
# measured by tools/measure_series_accuracy.py, shown by the catalogue
with open(os.path.join(os.path.dirname(__file__), "..", "python", "nonlin", "accuracy_series.json")) as f:
    DOCUMENTED = json.load(f)


def _param_sets(name):
    return S.param_sets(getattr(nl, name))


def _refs(name, k, dtype):
    return S.cached_refs(getattr(nl, name), k, dtype)


CASES = [(n, k) for n in FAMILIES for k in range(len(_param_sets(n)))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,k", CASES)
def test_forward_and_derivative(name, k, dtype, simd_level):
    act = getattr(nl, name)
    ef, ed, x = S.ulp_errors_of(act, k, dtype)
    doc = DOCUMENTED[name][dtype]
    assert doc["forward"] <= BOUND_FWD[dtype] and doc["derivative"] <= BOUND_DERIV[dtype]
    assert ef.max() <= doc["forward"], (x[ef.argmax()], ef.max())
    assert ed.max() <= doc["derivative"], (x[ed.argmax()], ed.max())


def _term_scale(name, x, arrays, i, j):
    if name == "hermite":
        return float(S.he_abs(j, mp.mpf(abs(float(x)))) / mp.factorial(j))
    return 0.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,k", CASES)
def test_backward_and_array_gradients(name, k, dtype, simd_level):
    act = getattr(nl, name)
    x, arrays, refs = _refs(name, k, dtype)
    g = np.random.default_rng(3).uniform(-2, 2, x.size).astype(dtype)
    gx, *grads = act.backward(g, x, *arrays)
    d = np.array([float(r[1]) for r in refs])
    ds = np.array([float(r[4]) for r in refs])
    e = ulp_errors(gx, g.astype(np.float64) * d, 0 * d, np.abs(g * ds), dtype)
    assert e.max() <= BOUND_DERIV[dtype] + 0.5, (x[e.argmax()], e.max())
    u = np.finfo(dtype).eps / 2
    for i, (arr, got) in enumerate(zip(arrays, grads)):
        assert got.shape == arr.shape
        for j in range(arr.size):
            terms = np.array([float(r[2][i][j]) for r in refs])
            ref = np.sum(g.astype(np.float64) * terms)
            sc = np.array([_term_scale(name, xi, arrays, i, j) for xi in x])
            tol = 8 * u * np.sum(np.abs(g) * (np.abs(terms) + sc)) + 1e-300
            assert abs(got[j] - ref) <= tol, (act.arrays[i], j, got[j], ref, tol)


# ------------------------------------------------------------------------ special values
def test_limits_and_nan():
    inf, nan = np.inf, np.nan
    x = np.array([inf, -inf, nan, 1e300, -1e300])
    np.testing.assert_array_equal(nl.hermite(x, [1.0, 2.0, 3.0]), [inf, inf, nan, inf, inf])
    np.testing.assert_array_equal(nl.hermite(x, [1.0, -2.0, 0.0, 5.0]), [inf, -inf, nan, inf, -inf])
    np.testing.assert_array_equal(nl.hermite.derivative(x, [1.0, -2.0, 0.0, 5.0]),
                                  [inf, inf, nan, inf, inf])
    np.testing.assert_array_equal(nl.hermite(x, [4.0]), [4.0, 4.0, nan, 4.0, 4.0])
    assert np.all(np.isnan(nl.fourier(x[:3])))
    c = np.array([0.5, 1.0, -2.0, 3.0])
    s = math.sqrt(2) / 3
    np.testing.assert_array_equal(nl.tropical(x, c), [inf, s * 0.5, nan, s * 3e300, s * 0.5])
    np.testing.assert_array_equal(nl.tropical.derivative(x, c), [3 * s, 0, nan, 3 * s, 0])
    # tropical rational: equal leading slopes at +inf leave the intercept difference
    p, a, q, b = [0.0, 1.0], [0.0, 2.0], [1.0, -1.0], [0.5, 0.0]
    np.testing.assert_array_equal(nl.tropical_rational(x[:3], p, a, q, b), [1.5, -inf, nan])
    np.testing.assert_array_equal(nl.tropical_rational(np.array([1e308, -1e308]), p, a, q, b),
                                  [1.5, -1e308])
    np.testing.assert_array_equal(nl.polyrelu(x, [1.0, -1.0, 0.5], [0.25]),
                                  [inf, 0.25, nan, inf, 0.25])
    np.testing.assert_array_equal(nl.polyrelu(x, [0.0, 0.0, 2.0], [0.25]),
                                  [inf, 0.25, nan, 2e300 + 0.25, 0.25])
    for name in FAMILIES:
        act = getattr(nl, name)
        gx, *grads = act.backward(np.ones(1), np.array([nan]))
        assert np.isnan(gx[0]) and all(np.all(np.isnan(gr)) for gr in grads), name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tropical_nan_coefficient_anywhere(dtype):
    """A NaN coefficient in any position makes the maxima NaN (torch.max's semantics), for
    finite and infinite x (was: ignored unless it was the first line)."""
    x = np.array([-2.0, 0.0, 0.7, 3.0, np.inf, -np.inf], dtype)
    for k in range(3):
        c = np.zeros(3)
        c[k] = np.nan
        assert np.all(np.isnan(nl.tropical(x, c))), k
        for slot in range(4):
            arrays = [np.array([0.0, 1.0]), np.zeros(2), np.array([0.0, -1.0]), np.zeros(2)]
            arrays[slot][k % 2] = np.nan
            assert np.all(np.isnan(nl.tropical_rational(x, *arrays))), (k, slot)
    # torch agrees (the plain implementation's semantics)
    torch = pytest.importorskip("torch")
    lines = torch.tensor([0.0, np.nan, 0.0])[None, :] + torch.arange(3.0)[None, :] * torch.tensor([1.0])[:, None]
    assert torch.isnan(lines.max(dim=1).values).all()


def test_relu_kink_and_tropical_ties():
    # relu'(0) = 0; the first maximiser takes the gradient at a tie
    assert nl.polyrelu.derivative(0.0, [1.0, 1.0, 1.0], [0.0]) == 0.0
    c = np.zeros(4)  # k x + 0: at x = 0 all lines tie, k = 0 wins
    gx, gc = nl.tropical.backward(np.ones(1), np.zeros(1), c)
    np.testing.assert_array_equal(gc, [math.sqrt(2) / 3, 0, 0, 0])
    assert gx[0] == 0.0


def test_initial_arrays_follow_the_papers():
    h = nl.hermite.initial(3)["coefficients"]
    np.testing.assert_allclose(h, np.r_[math.sqrt(1 - 1 / 6), 1, 1, 1] / math.sqrt(math.e))
    f = nl.fourier.initial(2)
    np.testing.assert_array_equal(f["frequencies"], [1, 2])
    np.testing.assert_allclose(f["phases"], [math.pi / 4] * 2)
    x = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(nl.tropical_rational(x), np.maximum(x, 0))
    np.testing.assert_allclose(nl.polyrelu(x), (np.maximum(x, 0) ** 3 + np.maximum(x, 0) ** 2
                                                + np.maximum(x, 0)) / 3, rtol=1e-15)


# ------------------------------------------------------------------------ threads, dtypes
@pytest.mark.parametrize("name", FAMILIES)
def test_gradients_do_not_depend_on_threads(name):
    act = getattr(nl, name)
    rng = np.random.default_rng(0)
    x = rng.normal(size=300_001).astype(np.float32) * 3
    g = rng.normal(size=x.size).astype(np.float32)
    old = nl.get_num_threads()
    try:
        nl.set_num_threads(1)
        one = act.backward(g, x)
        nl.set_num_threads(2)
        two = act.backward(g, x)
    finally:
        nl.set_num_threads(old)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", FAMILIES)
def test_dtypes_and_array_semantics(name):
    act = getattr(nl, name)
    x64 = np.linspace(-3, 3, 24).reshape(4, 6)
    ref = act(x64)
    assert act(x64.astype(np.float16)).dtype == np.float16
    np.testing.assert_allclose(act(x64.astype(np.float16)), ref, rtol=2e-3, atol=2e-3)
    assert act(np.arange(-3, 4)).dtype == np.float64
    np.testing.assert_array_equal(act(np.arange(-3, 4)), act(np.arange(-3.0, 4.0)))
    np.testing.assert_array_equal(act(x64.T), ref.T)                  # non-contiguous
    np.testing.assert_array_equal(act(x64[:, ::-1]), ref[:, ::-1])    # negative stride
    assert act(np.empty((0, 3))).shape == (0, 3)
    assert np.ndim(act(1.5)) == 0 and act(1.5) == act(np.array([1.5]))[0]
    y = x64.copy()
    assert act(y, out=y) is y
    np.testing.assert_array_equal(y, ref)                              # in place
    z = np.empty((6, 4)).T
    act(x64, out=z)
    np.testing.assert_array_equal(z, ref)                              # strided out
    ro = np.empty_like(x64)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        act(x64, out=ro)
    g = np.ones_like(x64)
    gx, *grads = act.backward(g, x64)
    np.testing.assert_array_equal(gx, act.derivative(x64))
    assert set(act.param_backward(g, x64)) == set(act.arrays)


# ------------------------------------------------------------------------ bad input
def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="coefficients"):
        nl.hermite(np.ones(3), np.ones((2, 2)))
    with pytest.raises(ValueError, match="degree"):
        nl.hermite(np.ones(3), np.ones(40))
    with pytest.raises(ValueError, match="phases"):
        nl.fourier(np.ones(3), [0.0], [1.0, 2.0], [1.0, 2.0], [0.0])
    with pytest.raises(TypeError, match="missing"):
        nl.fourier(np.ones(3), coefficients=[1.0])
    with pytest.raises(TypeError, match="unexpected keyword argument 'coef'"):
        nl.hermite(np.ones(3), coef=[1.0])
    with pytest.raises(TypeError, match="'x'"):
        nl.tropical("abc")
    with pytest.raises(TypeError, match="'weight'"):
        nl.polyrelu(np.ones(3), ["a", "b"], [0.0])
    with pytest.raises(ValueError, match="grad_out"):
        nl.tropical.backward(np.ones(4), np.ones(3))
    with pytest.raises(TypeError, match="degree"):
        nl.hermite.initial(2.5)
    with pytest.raises(ValueError, match="degree"):
        nl.polyrelu.initial(0)


def test_catalog_lists_the_families():
    rows = {r["name"]: r for r in nl.catalog()}
    for name in FAMILIES:
        r = rows[name]
        assert r["kind"] == "series" and r["learnable"] == getattr(nl, name).arrays
        assert "arXiv" in r["source"]
        assert r["accuracy"] == DOCUMENTED[name]


@pytest.mark.parametrize("name", FAMILIES)
def test_matches_torch_autograd_of_a_plain_implementation(name):
    """The way users run these today (tools/torch_series.py: torchortho's formulas in eager
    torch, autograd for the gradients), float64, random arrays (no tropical ties)."""
    torch = pytest.importorskip("torch")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
    import torch_series as ts
    act = getattr(nl, name)
    rng = np.random.default_rng(11)
    arrays = [v + 0.2 * rng.standard_normal(v.shape) for v in act.initial(4).values()]
    x, g = rng.standard_normal(200) * 2, rng.standard_normal(200)
    xt = torch.tensor(x, requires_grad=True)
    y, params = ts.call(name, xt, arrays)
    y.backward(torch.tensor(g))
    gx, *grads = act.backward(g, x, *arrays)
    np.testing.assert_allclose(act(x, *arrays), y.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-11, atol=1e-12)
    for got, p in zip(grads, params):
        np.testing.assert_allclose(got, p.grad.numpy(), rtol=1e-10, atol=1e-11)
