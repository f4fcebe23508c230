"""The three-parameter (Prabhakar) Mittag-Leffler function for complex z,
nl.mittag_leffler(z, a, b, gamma=g) and its derivatives in z, a, b, g, against mpmath: its power
series at a working precision that covers the cancellation, Kummer's function for a = 1, and
numerical parameter derivatives of the series; and against the real evaluator on either side
of the real axis."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import require_nonlin

mp = pytest.importorskip("mpmath")
from prabhakar_formulas import parameter_derivative, series  # noqa: E402

nl = require_nonlin()
ml = nl.mittag_leffler


def random_points(seed, n, x_max=100.0):
    """a in (0.05, 3), b in (-2, 5), g in (0.01, 5), |z|^(1/a) log-uniform in (0.1, x_max),
    arg z uniform."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        a, b, g = rng.uniform(0.05, 3.0), rng.uniform(-2, 5), rng.uniform(0.01, 5)
        x = math.exp(rng.uniform(math.log(0.1), math.log(x_max)))
        yield a, b, g, x, x ** a * complex(math.cos(p := rng.uniform(-math.pi, math.pi)), math.sin(p))


def tolerance(x, ref):
    """relative 2e-14 (10 + x): the conditioning eps |z|^(1/a) of e^(z^(1/a)) and its kin"""
    return 2e-14 * (10 + x) * abs(ref)


@pytest.mark.parametrize("seed", range(3))
def test_value_against_mpmath(seed):
    """Every region of (a, b, g, z): the series, the large-argument expansion (algebraic part and
    branch points, near the Stokes lines too), the contour integrals. Never NaN."""
    points = list(random_points(seed, 60))
    z = np.array([p[4] for p in points])
    a, b, g = (np.array([p[i] for p in points]) for i in range(3))
    y = ml(z, a, b, gamma=g)
    assert y.dtype == np.complex128
    for (ai, bi, gi, x, zi), yi in zip(points, y):
        ref = complex(series(zi, ai, bi, gi))
        assert abs(yi - ref) <= tolerance(x, ref), (zi, ai, bi, gi, yi, ref, abs(yi - ref) / abs(ref))


@pytest.mark.parametrize("part", ["d_alpha", "d_beta", "d_gamma"])
def test_parameter_derivatives(part):
    """d/da, d/db, d/dg against mpmath's numerical derivative of the series."""
    for a, b, g, x, z in random_points(10 + len(part), 14, x_max=80.0):
        got = complex(getattr(ml, part)(z, a, b, gamma=g))
        ref = complex(parameter_derivative(part, z, a, b, g))
        assert abs(got - ref) <= tolerance(x, ref), (part, z, a, b, g, got, ref)


@pytest.mark.parametrize("order", [1, 2, 3])
def test_z_derivatives(order):
    """D^k E^g_{a,b} = (g)_k E^{g+k}_{a,b+ka} against the series differentiated termwise."""
    for a, b, g, x, z in random_points(20 + order, 12, x_max=60.0):
        got = complex(ml.derivative(z, a, b, order, gamma=g))
        ref = complex(series(z, a, b, g, order))
        assert abs(got - ref) <= tolerance(x, ref), (order, z, a, b, g, got, ref)


def test_kummer_closed_form():
    """a = 1: E^g_{1,b}(z) = 1F1(g; b; z) / Gamma(b), mpmath's hyp1f1, |z| up to 300 in every
    direction (on the negative axis the branch point s = z lies on the cut of s^-b)."""
    for r in (0.5, 5.0, 40.0, 300.0):
        for phase in np.linspace(-math.pi, math.pi, 13)[1:]:
            z = r * complex(math.cos(phase), math.sin(phase))
            for b, g in ((0.7, 2.5), (2.0, 0.4), (-1.3, 3.1)):
                got = complex(ml(z, 1.0, b, gamma=g))
                with mp.workdps(40):
                    ref = complex(mp.hyp1f1(g, b, z) * mp.rgamma(b))
                assert abs(got - ref) <= tolerance(r, ref), (z, b, g, got, ref)


@pytest.mark.parametrize("a", [0.5, 1.0, 1.5, 2.5, 3.0])
def test_continuous_across_the_real_axis(a):
    """z = r e^(+-i (pi - 1e-9)) next to the negative axis and r e^(+-1e-9 i) next to the
    positive one, against the real evaluator at -r, r: E is entire in z, so the complex paths'
    branch choices (branch points near the cut of s^-b, Stokes lines, windings) must meet the
    real ones within the tolerance plus |E'| |dz|."""
    for x in (3.0, 20.0, 50.0, 120.0):
        r = x ** a
        for b, g in ((0.6, 1.7), (2.3, 0.4)):
            for base, phase in ((-r, math.pi - 1e-9), (r, 1e-9)):
                if base > 0 and x > 100:
                    continue  # beyond float64 near the positive axis: e^x
                real = float(ml(base, a, b, gamma=g))
                slope = abs(float(ml.derivative(base, a, b, 1, gamma=g))) * r * 1e-9
                for sign in (1, -1):
                    z = r * complex(math.cos(phase), sign * math.sin(phase))
                    got = complex(ml(z, a, b, gamma=g))
                    assert abs(got - real) <= tolerance(x, real) + 2 * slope + 1e-14, (a, x, b, g, z, got, real)


def test_arrays_broadcasting_and_special_values():
    z = np.array([[0.5 + 0.5j], [-2.0 + 1.0j]])
    alpha = np.array([0.5, 1.2, 2.0])
    y = ml(z, alpha, 1.3, gamma=0.8)
    assert y.shape == (2, 3) and y.dtype == np.complex128
    for i in range(2):
        for j in range(3):
            ref = complex(series(complex(z[i, 0]), alpha[j], 1.3, 0.8))
            assert abs(y[i, j] - ref) <= 1e-14 * abs(ref)
    out = np.empty((2, 3), dtype=np.complex128)
    assert ml(z, alpha, 1.3, gamma=0.8, out=out) is out
    np.testing.assert_array_equal(out, y)
    # gamma = 0: 1/Gamma(b); a = 0: (1 - z)^-g / Gamma(b); NaN in, NaN out
    np.testing.assert_allclose(ml(2 + 3j, 0.7, 1.3, gamma=0.0), 1 / math.gamma(1.3), rtol=1e-15)
    np.testing.assert_allclose(ml(0.3 + 2j, 0.0, 2.0, gamma=1.5), (1 - (0.3 + 2j)) ** -1.5, rtol=1e-14)
    assert np.isnan(ml(complex(np.nan, 1.0), 0.7, 1.0, gamma=2.0))
    assert np.isnan(ml(1j, np.nan, 1.0, gamma=2.0))
