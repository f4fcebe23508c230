"""Rational (Padé) activations: accuracy of forward, derivative and every gradient against an
mpmath evaluation of the same formula (tests/reference/rational_formulas.py, stored by
generate_rational.py), the sign(0) convention, large |x|, threads, groups, version D, bad
input and array semantics.

Error measures
--------------
* forward / derivative: ULPs of the dtype at max(|ref|, scale), scale = the error a backward-
  stable evaluation of the formula commits (Higham, Accuracy and Stability, eq. 5.3, Horner's
  bound is proportional to sum |a_j x^j|): for F, (sum |a_j x^j| + |F| sum |c_k z^k|) / |Q|; for
  F' = (P' - F Q') / Q, (sum |j a_j x^(j-1)| + |F| sum |k c_k z^(k-1)| + |Q'| scale_F +
  |F'| sum |c_k z^k|) / |Q| (first-order propagation; it grows near a pole of version N or a
  root of h in version C, where the value is ill-conditioned).
  Bounds: forward 2 ULP, derivative and grad_x 4 ULP (the library's targets) for degrees <= 5
  on FMA hardware. Horner's error bound grows with the degree and doubles without a fused
  multiply-add (the baseline x86-64 build rounds a*b and +c separately), so forward is held to
  3 ULP for degree 16 or on the baseline level and 4 ULP for both (measured: 2.9 and 3.8).
  grad_x in float64 gets +0.5: the reference g * F' is itself rounded once.
* coefficient gradients (sums over the elements): |got - ref| <= 4 u T, u the unit roundoff of
  the dtype, T = sum over the elements of |g dF/dcoef| times that term's relative condition
  (sum |c_k z^k| / |Q| for x^j / Q; sum |a_j x^j| / |P| + 2 sum |c_k z^k| / |Q| for P z^k / Q^2).
  Each term carries a few roundings (x^j by repeated products, 1/Q, the products); float32
  terms are summed 16 per lane before the float64 accumulation (measured <= 1 u T).
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from conftest import REF_DIR, require_nonlin, ulp_errors

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "reference"))
import rational_formulas as R  # noqa: E402

nl = require_nonlin()

_REF = {}


def ref():
    if not _REF:
        with np.load(os.path.join(REF_DIR, "ref_rational.npz")) as z:
            _REF.update({k: z[k] for k in z.files})
    return _REF


def coefficients(name, version, dtype):
    num, den = R.coefficient_sets()[name]
    if version == "C":
        num, den = R.c_version(num, den)
    return np.array(num, dtype), np.array(den, dtype)


CASES = [(s, v) for s in R.coefficient_sets() for v in "ABCN"]
UNIT = {"float32": 2.0**-24, "float64": 2.0**-53}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,version", CASES)
def test_accuracy(simd_level, name, version, dtype):
    t = ref()
    key = f"{name}/{version}/{dtype}"
    x, g = t[key + "/x"], t[key + "/g"]
    a, b = coefficients(name, version, dtype)
    y = nl.rational(x, a, b, version)
    d = nl.rational.derivative(x, a, b, version)
    mod = np.abs(x) <= 8
    gx, ga, gb = nl.rational.backward(g[mod], x[mod], a, b, version)
    fwd_bound = 2.0 + (name == "deg1616") + (simd_level == "baseline")
    for kind, got, bound in (("fwd", y, fwd_bound), ("deriv", d, 4.0)):
        hi, lo, sc = t[f"{key}/{kind}"]
        err = ulp_errors(got, hi, lo, sc, dtype)
        assert err.max() <= bound, (kind, float(err.max()), float(x[np.argmax(err)]))
    hi, lo, sc = t[f"{key}/deriv"]
    gref = hi[mod] * g[mod].astype(np.float64)
    err = ulp_errors(gx, gref, 0 * gref, np.abs(sc[mod] * g[mod]), dtype)
    assert err.max() <= (4.5 if dtype == "float64" else 4.0), float(err.max())
    for got, rows, T in ((ga, t[key + "/ga"], t[key + "/ta"]), (gb, t[key + "/gb"], t[key + "/tb"])):
        err = np.abs(got.astype(np.float64) - rows[0]) / (UNIT[dtype] * np.maximum(T, 1e-300))
        assert err.max() <= 4, err


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("version", "ABCN")
@pytest.mark.parametrize("m,n", [(7, 2), (11, 6), (20, 18)])
def test_degree_paths_live(m, n, version, dtype):
    """Degrees the stored tables do not cover, one per kernel path (bounded by 8, bounded by
    16, beyond 16: a plain loop), against mpmath: values, derivatives and the coefficient
    gradients summed over the points."""
    rng = np.random.default_rng(m * 100 + n)
    nb = n + (version == "C")
    a = (rng.uniform(-1, 1, m + 1) * 0.7 ** np.arange(m + 1)).astype(dtype)
    b = (rng.uniform(-1, 1, nb) * 0.7 ** np.arange(nb)).astype(dtype)
    if version == "N":
        b = np.abs(b) * (np.arange(nb) % 2 == 1)  # b_k x^k for even k >= 2 only: Q >= 1
    x = np.linspace(-2, 2, 37).astype(dtype)
    fa, fb = [float(v) for v in a], [float(v) for v in b]
    u = UNIT[dtype]
    y = nl.rational(x, a, b, version)
    d = nl.rational.derivative(x, a, b, version)
    gx, ga, gb = nl.rational.backward(np.ones_like(x), x, a, b, version)
    sums_a, sums_b = np.zeros(m + 1), np.zeros(nb)
    scale_a, scale_b = np.zeros(m + 1), np.zeros(nb)
    for i, xv in enumerate(x):
        r = R.evaluate(version, float(xv), fa, fb, float(np.dtype(dtype).type(0.1)))
        (F, sF), (dF, sdF) = r["fwd"], r["deriv"]
        assert abs(y[i] - float(F)) <= 4 * u * float(sF), (xv, y[i], float(F))
        assert abs(d[i] - float(dF)) <= 8 * u * float(sdF), (xv, d[i], float(dF))
        assert abs(gx[i] - float(dF)) <= 8 * u * float(sdF), (xv, gx[i], float(dF))
        sums_a += [float(v) for v in r["da"]]
        sums_b += [float(v) for v in r["db"]]
        scale_a += [abs(float(v)) * float(r["ca"]) for v in r["da"]]
        scale_b += [abs(float(v)) * float(r["cb"]) for v in r["db"]]
    assert np.all(np.abs(ga - sums_a) <= 16 * u * scale_a + 1e-300), (ga, sums_a)
    assert np.all(np.abs(gb - sums_b) <= 16 * u * scale_b + 1e-300), (gb, sums_b)


@pytest.mark.parametrize("version", "ABDN")
def test_polynomial_without_denominator(version):
    """n = 0 (an empty denominator, Q = 1): the plain polynomial, its derivative and gradients
    (were a reshape error in the NumPy and torch paths, a ZeroDivisionError in JAX)."""
    x = np.linspace(-2, 2, 9)
    a = np.array([0.25, 1.0, 0.5, -0.125])
    b = np.zeros(0)
    want = np.polynomial.polynomial.polyval(x, a)
    np.testing.assert_allclose(nl.rational(x, a, b, version), want, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(nl.rational.derivative(x, a, b, version),
                               np.polynomial.polynomial.polyval(x, [1.0, 1.0, -0.375]), rtol=1e-15, atol=1e-15)
    gx, ga, gb = nl.rational.backward(np.ones_like(x), x, a, b, version)
    np.testing.assert_allclose(ga, [np.sum(x**j) for j in range(4)], rtol=1e-14, atol=1e-14)
    assert gb.shape == (0,)
    fit = nl.fit_rational("gelu", degrees=(5, 0), interval=(-3, 3), version=version)
    t = np.linspace(-3, 3, 601)
    err = np.abs(nl.rational(t, fit.numerator, fit.denominator, version) - nl.gelu(t)).max()
    assert fit.denominator.shape == (0,) and err == pytest.approx(fit.max_error, rel=0.05)


def test_float16():
    t = ref()
    key = "mixed54/A/float32"
    x = t[key + "/x"]
    x = x[np.abs(x) <= 8].astype(np.float16)
    a, b = coefficients("mixed54", "A", "float32")
    y = nl.rational(x, a, b)
    assert y.dtype == np.float16
    exact = np.array([float(R.evaluate("A", float(v), [float(c) for c in a],
                                       [float(c) for c in b], 0.1)["fwd"][0]) for v in x])
    # float32 result rounded once more to float16: within 1 float16 ULP of the exact value
    assert np.all(np.abs(y.astype(np.float64) - exact) <= np.spacing(np.abs(exact).astype(np.float16)).astype(np.float64))
    gx, ga, gb = nl.rational.backward(np.ones_like(x), x, a, b)
    assert gx.dtype == np.float16 and ga.dtype == np.float32


# ----------------------------------------------------------------------------- convention

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sign_zero_convention(dtype):
    """x = 0 (A: |b_1| |x| kink; B: |b_1 x| kink) and b_k = 0 (A): d|v|/dv(0) = 0, which is
    the mean of the one-sided derivatives (checked with mpmath one-sided differences)."""
    import mpmath
    a = np.array([0.2, 0.7, 0.1, 0.05], dtype)
    b = np.array([0.6, 0.0, 0.3], dtype)
    for version in "AB":
        fa, fb = [float(v) for v in a], [float(v) for v in b]

        def F(t):
            return R.parts(version, t, fa, fb, 0.1)[1] / R.parts(version, t, fa, fb, 0.1)[3]
        right = mpmath.diff(F, 0, direction=1)
        left = mpmath.diff(F, 0, direction=-1)
        assert abs(right - left) > 0.01  # a real kink
        d = nl.rational.derivative(np.zeros(1, dtype), a, b, version)
        assert d[0] == pytest.approx(float((left + right) / 2), rel=1e-6)
        gx, ga, gb = nl.rational.backward(np.ones(3, dtype), np.array([0.0, 1.5, -2.0], dtype), a, b, version)
        assert gx[0] == d[0]
    # version A, b_2 = 0: F depends on |b_2|, even in b_2; its gradient is 0 (not -P/Q^2 x^2)
    x = np.linspace(-3, 3, 101).astype(dtype)
    _, _, gb = nl.rational.backward(np.ones_like(x), x, a, b, "A")
    assert gb[1] == 0.0 and gb[0] != 0 and gb[2] != 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_zero_coefficient_gradient_with_overflowing_power(dtype):
    """Version A, b_k = 0: no gradient even where its term |x|^k P/Q^2 overflows (was 0 * inf =
    NaN, e.g. the gelu preset's exact zeros with one x = 1e10 in float32); the others finite."""
    a, b = nl.rational.preset("gelu", version="A")
    a, b = a.astype(dtype), b.astype(dtype)
    assert np.any(b == 0)
    x = np.array([0.5, -1.0, 2.0, 1e10 if dtype == np.float32 else 1e70], dtype)  # |x|^5 overflows
    gx, ga, gb = nl.rational.backward(np.ones_like(x), x, a, b, "A")
    assert np.all(gb[b == 0] == 0) and np.all(np.isfinite(gb)) and np.all(np.isfinite(ga))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_denominator_zero_cases(dtype):
    """h = 0 in the denominator 1 + |h| (B) or 0.1 + |h| (C). B: h = x h1(x) underflows to 0
    at the smallest subnormal x while x != 0: the derivative and coefficient gradients there
    are the one-sided ones from x's side (|h| = sign(x) sign(h1) h). C: an exact root of h is
    a kink, whose dQ/dx is 0 by the convention (the mean of the one-sided derivatives)."""
    import mpmath
    a = np.array([0.2, 0.7, 0.1, 0.05], dtype)
    b = np.array([0.3, -0.4], dtype)  # B: h = 0.3 x - 0.4 x^2, h1(0) = 0.3 > 0
    fa, fb = [float(v) for v in a], [float(v) for v in b]
    tiny = float(np.finfo(dtype).smallest_subnormal)
    x = np.array([tiny, -tiny], dtype)
    assert np.all(dtype(0.3) * x == 0)  # h underflows
    d = nl.rational.derivative(x, a, b, "B")
    gx, ga, gb = nl.rational.backward(np.ones(1, dtype), x[:1], a, b, "B")
    for xv, dv, side in zip(x, d, (1, -1)):
        # one-sided at 0 (x is 0 to any precision that matters): P'(0) - P(0) Q'(0 side)
        want = fa[1] - fa[0] * side * fb[0]
        assert dv == pytest.approx(want, rel=1e-6), (xv, dv, want)
    assert gx[0] == d[0]
    assert gb[0] == pytest.approx(-fa[0] * 1 * tiny, abs=2 * tiny)  # -P s x, s = +1
    # C: h = b0 + b1 x + b2 x^2 with an exact root at x = 0.5 (b0 = -0.5 b1 - 0.25 b2)
    bc = np.array([-0.3125, 0.5, 0.25], dtype)
    fc = [float(v) for v in bc]
    r = 0.5
    assert fc[0] + fc[1] * r + fc[2] * r * r == 0

    def F(t):
        ps = R.parts("C", t, fa, fc, float(dtype(0.1)))
        return ps[1] / ps[3]
    right, left = mpmath.diff(F, r, direction=1), mpmath.diff(F, r, direction=-1)
    assert abs(right - left) > 0.01  # a real kink
    dc = nl.rational.derivative(np.array([r], dtype), a, bc, "C")
    assert dc[0] == pytest.approx(float((left + right) / 2), rel=1e-6)
    _, _, gbc = nl.rational.backward(np.ones(1, dtype), np.array([r], dtype), a, bc, "C")
    assert np.all(gbc == 0)  # s = sign0(h) = 0: no denominator-coefficient gradient
    # C with b_0 = 0: h = x h1(x) underflows at a tiny x != 0 as in B; the one-sided sign,
    # so b_0's gradient is -P/Q^2 = -a_0 / 0.1^2 (was 0, taken for the kink)
    tiny_x = np.array([1e-23 if dtype == np.float32 else 1e-170], dtype)
    b0 = np.array([0.0, 0.0, 1.0], dtype)  # h = x^2
    assert np.all(tiny_x * tiny_x == 0)
    _, _, gb0 = nl.rational.backward(np.ones(1, dtype), tiny_x, np.array([1.0, 0.0], dtype), b0, "C")
    assert gb0[0] == pytest.approx(-1 / float(dtype(0.1)) ** 2, rel=1e-6)


# ----------------------------------------------------------------------------- large |x|

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["gelu54", "low35", "deg1616"])
@pytest.mark.parametrize("version", "ABCN")
def test_large_x_gradients_live(name, version, dtype):
    """Per-element coefficient gradients at large |x| (the scaled path), recomputed live with
    mpmath: single-element backward calls. No NaN/overflow where the value is finite."""
    a, b = coefficients(name, version, dtype)
    fa, fb = [float(v) for v in a], [float(v) for v in b]
    top = 1e30 if dtype == np.float32 else 1e200
    xs = np.array([7e3, -2.5e6, 3e11, -top, top / 7], dtype)
    fmax = float(np.finfo(dtype).max)
    for xv in xs:
        r = R.evaluate(version, float(xv), fa, fb, float(dtype(0.1)))
        gx, ga, gb = nl.rational.backward(np.ones(1, dtype), np.array([xv]), a, b, version)
        got = np.concatenate([ga, gb]).astype(np.float64)
        want = [float(v) for v in r["da"] + r["db"]]
        for gv, w in zip(got, want):
            if abs(w) > fmax:
                assert np.isinf(gv) and np.sign(gv) == np.sign(w)
            else:
                # relative 64 u (the scaled path applies |x|^e one factor at a time: up to
                # m + n roundings), floored at the dtype's smallest subnormal (underflow)
                tiny = float(np.finfo(dtype).smallest_subnormal)
                assert abs(gv - w) <= 64 * UNIT[np.dtype(dtype).name] * abs(w) + tiny, (xv, gv, w)


@pytest.mark.parametrize("version", "ABCN")
def test_infinity_limits(version):
    a, b = coefficients("mixed54", version, "float64")  # m = n + 1: F ~ (a_5 / b_4) x
    x = np.array([np.inf, -np.inf, np.nan])
    y = nl.rational(x, a, b, version)
    d = nl.rational.derivative(x, a, b, version)
    lead = a[-1] / (b[-1] if version != "A" else abs(b[-1]))
    if version in "BC":
        lead = a[-1] / abs(b[-1])
    assert y[0] == np.sign(lead) * np.inf and y[1] == -np.sign(lead) * np.inf
    assert np.isnan(y[2]) and np.isnan(d[2])
    assert d[0] == pytest.approx(lead, rel=1e-14) and d[1] == pytest.approx(lead, rel=1e-14)
    # m < n: F -> 0; m = n: F -> a_m / b_n
    a2, b2 = coefficients("low35", version, "float64")
    assert np.all(nl.rational(x[:2], a2, b2, version) == 0)


# ----------------------------------------------------------------------------- threads, groups, D

def test_deterministic_across_threads():
    rng = np.random.default_rng(5)
    x = rng.normal(0, 2, 1_000_003).astype(np.float32)
    g = rng.normal(0, 1, x.size).astype(np.float32)
    a, b = coefficients("mixed54", "A", "float32")
    old = nl.get_num_threads()
    try:
        res = []
        for t in (1, 2, 3, 2):
            nl.set_num_threads(t)
            res.append(nl.rational.backward(g, x, a, b))
    finally:
        nl.set_num_threads(old)
    for r in res[1:]:
        for u, v in zip(res[0], r):
            assert np.array_equal(u, v)
    # and accurate: against a float64 numpy evaluation of the same sums (|err| << the sum's size)
    xd = x.astype(np.float64)
    q = 1 + sum(abs(float(bk)) * np.abs(xd) ** (k + 1) for k, bk in enumerate(b))
    ga = [np.sum(g * xd**j / q) for j in range(6)]
    ta = [np.sum(np.abs(g * xd**j / q)) for j in range(6)]
    assert np.all(np.abs(res[0][1] - ga) <= 8 * 2.0**-24 * np.array(ta))


def _numpy_ref(version, x, a, b):
    """float64 numpy formula (for the group and version D tests): F, dF/da, dF/db per element."""
    x = x.astype(np.float64)[..., None]
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    P = np.sum(a * x ** np.arange(len(a)), -1)
    k0 = 0 if version == "C" else 1
    ks = np.arange(k0, k0 + len(b))
    if version == "A":
        h = np.sum(np.abs(b) * np.abs(x) ** ks, -1)
        Q, s = 1 + h, 1
    else:
        h = np.sum(b * x**ks, -1)
        Q = 1 + h if version == "N" else (1 if version in "BD" else 0.1) + np.abs(h)
        s = 1 if version == "N" else np.sign(h)
    x = x[..., 0]
    da = x[..., None] ** np.arange(len(a)) / Q[..., None]
    zk = (np.abs(x)[..., None] ** ks * np.sign(b)) if version == "A" else x[..., None] ** ks * np.asarray(s)[..., None]
    db = -(P / Q**2)[..., None] * zk
    return P / Q, da, db


@pytest.mark.parametrize("shared_numerator", [False, True, "row"])
def test_group_rational(shared_numerator):
    """KAT layout: channels last, groups of consecutive channels; per-group gradients. A shared
    numerator is 1-D or one row (1, 6) (its backward failed to reshape the summed gradient)."""
    rng = np.random.default_rng(7)
    G, C = 4, 12
    x = rng.normal(0, 1.5, (3, 5, C))
    g = rng.normal(0, 1, x.shape)
    num = rng.normal(0, 0.5, (G, 6)) if not shared_numerator else rng.normal(0, 0.5, 6)
    den = rng.normal(0, 0.5, (G, 4))
    call = num.reshape(1, 6) if shared_numerator == "row" else num
    y = nl.rational(x, call, den, "A", groups=G)
    gx, gnum, gden = nl.rational.backward(g, x, call, den, "A", groups=G)
    gnum = gnum.reshape(num.shape) if shared_numerator == "row" and gnum.shape == (1, 6) else gnum
    assert gnum.shape == np.shape(num) and gden.shape == den.shape
    want_y = np.empty_like(x)
    want_num = np.zeros((G, 6))
    want_den = np.zeros((G, 4))
    per = C // G
    for k in range(G):
        sl = (..., slice(k * per, (k + 1) * per))
        nk = num[k] if not shared_numerator else num
        F, da, db = _numpy_ref("A", x[sl], nk, den[k])
        want_y[sl] = F
        want_num[k] = np.sum(g[sl][..., None] * da, axis=(0, 1, 2))
        want_den[k] = np.sum(g[sl][..., None] * db, axis=(0, 1, 2))
    np.testing.assert_allclose(y, want_y, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(gnum, want_num.sum(0) if shared_numerator else want_num, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(gden, want_den, rtol=1e-12, atol=1e-13)
    # channel axis in the middle (NCHW-like): axis=1
    xt = np.moveaxis(x, -1, 1).copy()
    np.testing.assert_allclose(nl.rational(xt, num, den, axis=1), np.moveaxis(want_y, -1, 1), rtol=1e-13, atol=1e-15)


def test_version_d_noise():
    a, b = coefficients("mixed54", "B", "float64")
    x = np.linspace(-4, 4, 1001)
    g = np.cos(x)
    fa, fb = nl.rational.noise(a[None], b[None], seed=11)
    assert np.all((fa >= 0.9) & (fa < 1.1)) and np.all((fb >= 0.9) & (fb < 1.1))
    assert not np.allclose(fa, nl.rational.noise(a[None], b[None], seed=12)[0])
    an, bn = a * fa[0], b * fb[0]
    F, da, db = _numpy_ref("B", x, an, bn)
    y = nl.rational(x, a, b, "D", training=True, seed=11)
    np.testing.assert_allclose(y, F, rtol=1e-13, atol=1e-15)
    assert np.array_equal(nl.rational(x, a, b, "D", training=True, seed=11), y)  # deterministic
    np.testing.assert_array_equal(nl.rational(x, a, b, "D"), nl.rational(x, a, b, "B"))  # eval
    _, ga, gb = nl.rational.backward(g, x, a, b, "D", training=True, seed=11)
    # d/da of F(a * f) = f * (dF/da)(a * f)
    np.testing.assert_allclose(ga, fa[0] * (g[:, None] * da).sum(0), rtol=1e-12)
    np.testing.assert_allclose(gb, fb[0] * (g[:, None] * db).sum(0), rtol=1e-12)


def test_version_d_noise_shared_coefficients_with_groups():
    """A 1-D coefficient array shared by G groups: every group draws its own factors, and
    noise(..., groups=G) returns them (was: no way to reproduce the noisy forward)."""
    a, b = coefficients("mixed54", "B", "float64")
    x = np.random.default_rng(4).standard_normal((5, 6, 3))
    y = nl.rational(x, a, b, "D", groups=3, axis=1, training=True, seed=5)
    fa, fb = nl.rational.noise(a, b, seed=5, groups=3)
    assert fa.shape == (3, a.size) and fb.shape == (3, b.size)
    assert not np.allclose(fa[0], fa[1])
    # the forward is version B with each group's noisy coefficients, computed group by group
    for grp in range(3):
        xs = x[:, 2 * grp:2 * grp + 2]
        F, _, _ = _numpy_ref("B", xs.ravel(), a * fa[grp], b * fb[grp])
        np.testing.assert_allclose(y[:, 2 * grp:2 * grp + 2].ravel(), F, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("version", "ABCN")
def test_finite_differences(version):
    """Gradients against central differences of the float64 forward (degrees (7, 6))."""
    rng = np.random.default_rng(3)
    a = rng.normal(0, 0.5, 8)
    b = np.abs(rng.normal(0, 0.5, 7 if version == "C" else 6)) * (1 if version == "N" else rng.choice([-1, 1], 7 if version == "C" else 6))
    if version == "N":
        b[1::2] = 0  # even powers only: Q = 1 + sum b_2k x^2k > 0
    x = rng.uniform(-2.5, 2.5, 64)
    g = rng.normal(0, 1, x.size)
    gx, ga, gb = nl.rational.backward(g, x, a, b, version)
    h = 1e-6
    np.testing.assert_allclose(gx, g * (nl.rational(x + h, a, b, version) - nl.rational(x - h, a, b, version)) / (2 * h), rtol=1e-6, atol=1e-8)
    for coef, grad in ((a, ga), (b, gb)):
        for j in range(coef.size):
            e = np.zeros(coef.size)
            e[j] = h
            args = lambda s: (a + s * e, b) if coef is a else (a, b + s * e)  # noqa: E731
            fd = np.sum(g * (nl.rational(x, *args(1), version) - nl.rational(x, *args(-1), version))) / (2 * h)
            assert grad[j] == pytest.approx(fd, rel=1e-6, abs=1e-8)


# ----------------------------------------------------------------------------- array semantics, bad input

def test_array_semantics():
    a, b = coefficients("mixed54", "A", "float64")
    x = np.linspace(-3, 3, 40).reshape(5, 8)
    want = nl.rational(x.copy(), a, b)
    np.testing.assert_array_equal(nl.rational(x[:, ::-2], a, b), want[:, ::-2])  # strides
    np.testing.assert_array_equal(nl.rational(x.T, a, b), want.T)
    r0 = nl.rational(np.float64(0.5), a, b)
    assert np.ndim(r0) == 0 and r0 == nl.rational(np.array([0.5]), a, b)[0]
    assert nl.rational(np.empty((0, 3)), a, b).shape == (0, 3)
    e = nl.rational.backward(np.empty(0), np.empty(0), a, b)
    assert e[0].shape == (0,) and np.all(e[1] == 0) and np.all(e[2] == 0)
    ro = x.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(nl.rational(ro, a, b), want)
    xi = x.copy()
    assert nl.rational(xi, a, b, out=xi) is xi  # in place
    np.testing.assert_array_equal(xi, want)
    out = np.empty((8, 5)).T  # non-contiguous out
    nl.rational(x, a, b, out=out)
    np.testing.assert_array_equal(out, want)
    xs = x.copy()  # out overlapping x with an offset goes through a temporary
    flat = xs.reshape(-1)
    nl.rational(flat[:-1], a, b, out=flat[1:])
    np.testing.assert_array_equal(flat[1:], want.reshape(-1)[:-1])
    assert nl.rational(np.arange(4), a, b).dtype == np.float64  # integers compute in float64
    gx, _, _ = nl.rational.backward(1.0, x, a, b)  # grad_out broadcasts
    np.testing.assert_allclose(gx, nl.rational.derivative(x, a, b), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("call,exc,word", [
    (lambda x, a, b: nl.rational(x, a, b, "E"), ValueError, "version"),
    (lambda x, a, b: nl.rational(x, a, b, 3), TypeError, "version"),
    (lambda x, a, b: nl.rational("x", a, b), TypeError, "x"),
    (lambda x, a, b: nl.rational(x, "abc", b), TypeError, "numerator"),
    (lambda x, a, b: nl.rational(x, a, np.zeros((2, 2, 2))), ValueError, "denominator"),
    (lambda x, a, b: nl.rational(x, np.zeros(40), b), ValueError, "degrees"),
    (lambda x, a, b: nl.rational(x, np.zeros((3, 6)), np.zeros((2, 4))), ValueError, "group"),
    (lambda x, a, b: nl.rational(x, np.zeros((3, 6)), b), ValueError, "divisible"),
    (lambda x, a, b: nl.rational(x, np.zeros((2, 6)), b, axis=5), ValueError, "axis"),
    (lambda x, a, b: nl.rational(x, a, b, out=np.empty(3)), ValueError, "out"),
    (lambda x, a, b: nl.rational(x, a, b, out=np.empty((4, 4), np.int32)), TypeError, "out"),
    (lambda x, a, b: nl.rational(x.astype(complex), a, b), TypeError, "x"),
    (lambda x, a, b: nl.rational.backward(np.ones(3), x, a, b), ValueError, "grad_out"),
    (lambda x, a, b: nl.rational(x, a, [], "C"), ValueError, "version C"),
    (lambda x, a, b: nl.rational(x, a, b, "D", seed=-1), ValueError, "seed"),
    (lambda x, a, b: nl.rational(x, a, b, "D", seed=1.5), TypeError, "seed"),
    (lambda x, a, b: nl.rational(x, np.zeros((2, 6)), b, groups=2.5), TypeError, "groups"),
    (lambda x, a, b: nl.rational(x, a, b, "D", training="no"), TypeError, "training"),
])
def test_bad_input(call, exc, word):
    x = np.zeros((4, 4))
    a, b = np.zeros(6), np.zeros(4)
    with pytest.raises(exc, match=word):
        call(x, a, b)


def test_read_only_out_rejected():
    out = np.empty(4)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        nl.rational(np.zeros(4), np.zeros(6), np.zeros(4), out=out)
