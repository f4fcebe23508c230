"""The three-parameter (Prabhakar) Mittag-Leffler function nl.mittag_leffler(z, a, b, gamma=g)
against mpmath (its power series at a working precision that covers the cancellation), closed
forms, the two-parameter function at g = 1, and its z-derivatives (g)_k E^{g+k}_{a,b+ka}."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import require_nonlin

pytest.importorskip("mpmath")
from prabhakar_formulas import parameter_derivative, series  # noqa: E402

nl = require_nonlin()
ml = nl.mittag_leffler


def reference(z, a, b, g, order=0):
    return float(series(z, a, b, g, order))


ALPHAS = (0.3, 0.6, 1.0, 1.4, 2.5)
BETAS = (-0.5, 0.5, 1.7, 3.0)
GAMMAS = (0.5, 1.5, 2.0, 3.3)
GROWTH = (0.2, 1.0, 3.0, 8.0, 20.0, 60.0, 120.0)  # x = |z|^(1/a): the scale of the behaviour


@pytest.mark.parametrize("a", ALPHAS)
def test_against_mpmath(a):
    zs = [s * x ** a for x in GROWTH for s in (-1.0, 1.0)]
    b, g, z = (np.array(v, dtype=np.float64) for v in np.meshgrid(BETAS, GAMMAS, zs, indexing="ij"))
    y = ml(z, a, b, gamma=g)
    for yi, bi, gi, zi in zip(y.ravel(), b.ravel(), g.ravel(), z.ravel()):
        assert not np.isnan(yi), (zi, a, bi, gi)
        ref = reference(zi, a, bi, gi)
        x = abs(zi) ** (1 / a)
        # relative, with the conditioning eps z^(1/a) of the growing cases; absolute near the
        # zeros of the oscillating ones (a > 1, z < 0), and there (a >= 2: E ~ e^(x cos(pi/a))
        # oscillates with a growing envelope) the error a relative perturbation of z by 4e-15
        # makes, |z E'(z)| 4e-15
        oscillating = a > 1 and zi < 0
        scale = max(abs(ref), 1e-3) if oscillating else abs(ref)
        tol = 2e-14 * (10 + x) * scale
        if oscillating and abs(yi - ref) > tol:
            tol += 4e-15 * abs(zi * float(series(zi, a, bi, gi, 1)))
        assert abs(yi - ref) <= tol, (zi, a, bi, gi, yi, ref, abs(yi - ref) / scale)


@pytest.mark.parametrize("a", [1.3, 1.7, 1.9])
def test_oscillating_band(a):
    """1 < a < 2, z < 0 with z^(1/a) from 8 to 40: the series cancels beyond double, the
    singularities' part e^(z^(1/a) cos(pi/a)) is too large for the algebraic expansion and
    too strong for a contour right of it (non-integer g: no residues) -- the Mellin-Barnes
    integral's range. Within 2e-13 relative (the integral's rounding bound is 1e-13, but for a
    near 2 its integrand decays slowly and grows large), or 1e-14 absolute near the zeros."""
    for x in (8.0, 15.0, 25.0, 40.0):
        z = -x ** a
        for b in (-0.5, 1.0, 2.5):
            for g in (0.3, 1.5, 3.3):
                got = float(ml(z, a, b, gamma=g))
                ref = reference(z, a, b, g)
                assert abs(got - ref) <= max(2e-13 * abs(ref), 1e-14), (z, a, b, g, got, ref)


@pytest.mark.parametrize("a", [2.2, 2.5, 3.0])
def test_beyond_alpha_2(a):
    """a >= 2, z < 0, z^(1/a) from 12 to 30, non-integer g: E ~ e^(x cos(pi/a)) oscillates
    while the series' terms reach e^x and the contour right of the singularities loses as much;
    the series summed in 113 bits (__float128 where long double has 64) within 1e-14, and its
    derivatives in a, b, g."""
    for x in (12.0, 20.0, 30.0):
        z = -x ** a
        for b in (-0.5, 1.0, 4.5):
            for g in (0.3, 2.5):
                got = float(ml(z, a, b, gamma=g))
                ref = reference(z, a, b, g)
                assert abs(got - ref) <= 1e-14 * abs(ref), (z, a, b, g, got, ref)
    # the parameter derivatives on the same path (1/Gamma and (1/Gamma)' in 113 bits), against
    # mpmath's numerical derivative of the series
    z, b, g = -(20.0 ** a), 1.0, 0.7
    for part in ("d_alpha", "d_beta", "d_gamma"):
        got = float(getattr(ml, part)(z, a, b, gamma=g))
        ref = float(parameter_derivative(part, z, a, b, g, dps=60))
        assert abs(got - ref) <= 1e-14 * abs(ref), (part, got, ref)


@pytest.mark.parametrize("a", [2.0, 2.2, 2.5, 3.0])
def test_beyond_alpha_2_large_argument(a):
    """a >= 2, z < 0, z^(1/a) from 40 to 300, where even 113 bits cancel away (terms ~ e^x,
    E ~ e^(x cos(pi/a))): the large-argument expansion -- the algebraic part plus each branch
    point's, summed to their smallest terms (a = 3: the branch point on the negative axis is
    e^-x small). Within 2e-14 (10 + x) relative, or near E's zeros within the error a relative
    perturbation of z by 4e-15 makes; every parameter derivative at one point too."""
    for x in (40.0, 75.0, 150.0, 300.0):
        z = -x ** a
        for b in (-0.5, 1.0, 4.5):
            for g in (0.3, 2.5):
                got = float(ml(z, a, b, gamma=g))
                ref = reference(z, a, b, g)
                tol = 2e-14 * (10 + x) * abs(ref)
                if abs(got - ref) > tol:
                    tol += 4e-15 * abs(z * float(series(z, a, b, g, 1)))
                assert abs(got - ref) <= tol, (z, a, b, g, got, ref)
    z, b, g = -(75.0 ** a), 0.4, 1.7
    for part in ("d_alpha", "d_beta", "d_gamma"):
        got = float(getattr(ml, part)(z, a, b, gamma=g))
        ref = float(parameter_derivative(part, z, a, b, g, dps=100))
        assert abs(got - ref) <= 2e-14 * 85 * abs(ref), (part, got, ref)


def test_small_value_from_cancelling_terms():
    """E = 5.2e-5 from terms of size ~50 (a ~ 1, g ~ 4, z ~ -1.26): the Laplace inversion's
    tolerance is relative to its integrand (~1), so it was 1.3e-13 off (2.5e-9 relative); the
    result must agree with the series summed in extended precision instead."""
    z, a, b, g = -1.2572136678455075, 0.9826850351174891, 0.27328672971763845, 3.9345615695712395
    ref = reference(z, a, b, g)
    got = float(ml(z, a, b, gamma=g))
    assert abs(got - ref) <= 1e-12 * abs(ref), (got, ref)


def test_random_parameters():
    """Random a in (0.05, 2), b in (-2, 5), g in (0.01, 5), z < 0 with z^(1/a) in (1, 70):
    within 1e-12 relative, or 1e-14 absolute (near zeros)."""
    rng = np.random.default_rng(7)
    for _ in range(60):
        a, b, g = rng.uniform(0.05, 1.99), rng.uniform(-2, 5), rng.uniform(0.01, 5)
        z = -np.exp(rng.uniform(0, np.log(70))) ** a
        got = float(ml(z, a, b, gamma=g))
        ref = reference(z, a, b, g)
        assert abs(got - ref) <= max(1e-12 * abs(ref), 1e-14), (z, a, b, g, got, ref)


def test_closed_forms_and_special_values():
    z = np.linspace(-5, 30, 71)
    for g in (0.5, 1.5, 2.5):
        np.testing.assert_allclose(ml(z, 1.0, g, gamma=g), np.exp(z) / math.gamma(g), rtol=3e-14,
                                   atol=1e-16)
    # alpha = 0: sum_k (g)_k z^k / k! = (1 - z)^-g
    zz = np.array([-3.0, -0.5, 0.0, 0.5, 0.9])
    np.testing.assert_allclose(ml(zz, 0.0, 2.0, gamma=1.5), (1 - zz) ** -1.5, rtol=1e-15)
    assert np.isnan(ml(2.0, 0.0, 1.0, gamma=1.5))
    # gamma = 1 is the two-parameter function, gamma = 0 and z = 0 give 1/Gamma(beta)
    zs = np.linspace(-30, 10, 41)
    np.testing.assert_array_equal(ml(zs, 0.7, 1.3, gamma=1.0), ml(zs, 0.7, 1.3))
    np.testing.assert_allclose(ml(zs, 0.7, 1.3, gamma=0.0), 1 / math.gamma(1.3), rtol=1e-15)
    assert ml(0.0, 0.7, 2.5, gamma=3.0) == pytest.approx(1 / math.gamma(2.5), rel=1e-15)
    # limits and NaN
    assert ml(np.inf, 0.5, 1.0, gamma=2.0) == np.inf
    assert ml(-np.inf, 0.5, 1.0, gamma=2.0) == 0.0
    assert np.isnan(ml(np.nan, 0.5, 1.0, gamma=2.0))
    # float32: computed in float64, rounded once
    z32 = np.linspace(-10, 5, 16, dtype=np.float32)
    y32 = ml(z32, np.float32(0.5), np.float32(1.0), gamma=np.float32(2.0))
    assert y32.dtype == np.float32
    np.testing.assert_array_equal(y32, ml(z32.astype(np.float64), 0.5, 1.0, gamma=2.0).astype(np.float32))


@pytest.mark.parametrize("order", [1, 2, 3])
def test_derivatives(order):
    for a, b, g in ((0.5, 1.0, 1.5), (0.9, 0.7, 2.0), (1.3, 2.0, 0.5)):
        for z in (-6.0, -0.7, 0.4, 3.0):
            got = ml.derivative(z, a, b, order, gamma=g)
            ref = reference(z, a, b, g, order)
            assert abs(got - ref) <= 5e-14 * max(abs(ref), 1e-2), (a, b, g, z, order, got, ref)


def test_bad_parameters():
    with pytest.raises(ValueError, match="gamma"):
        ml(1.0, 0.5, 1.0, gamma=-0.5)
    with pytest.raises(ValueError, match="alpha"):
        ml(1.0, -0.5, 1.0, gamma=2.0)
    with pytest.raises(TypeError, match="gamma"):
        ml(1.0, 0.5, 1.0, gamma="x")
    with pytest.raises(ValueError, match="order"):
        ml.derivative(1.0, 0.5, 1.0, 13, gamma=2.0)


@pytest.mark.parametrize("part", ["d_alpha", "d_beta", "d_gamma"])
def test_parameter_derivatives(part):
    """d/dalpha, d/dbeta, d/dgamma against mpmath's numerical derivative of the series (at 40+
    digits, its step error is far below double), relative; absolute (1e-3 scale) for the
    oscillating a > 1, z < 0 cases; the growing z > 0 ones with their conditioning."""
    for a, b, g in ((0.4, 0.7, 0.5), (0.8, 2.0, 2.3), (1.0, -0.5, 1.5), (1.5, 0.7, 2.3), (0.6, 1.2, 0.0),
                    (1.7, -0.5, 0.6)):
        for z in (-60.0, -12.0, -1.5, -0.2, 0.5, 3.0, 15.0):
            x = abs(z) ** (1 / a)
            if x > 60:
                continue
            got = getattr(ml, part)(z, a, b, gamma=g)
            ref = float(parameter_derivative(part, z, a, b, g))
            scale = max(abs(ref), 1e-3) if a > 1 and z < 0 else max(abs(ref), 1e-12)
            assert abs(got - ref) <= 2e-14 * (10 + x) * scale, (part, z, a, b, g, got, ref)
