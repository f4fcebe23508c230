"""The Mittag-Leffler function E_{alpha,beta}(z) = sum_k z^k / Gamma(alpha k + beta).

``nonlin.mittag_leffler(z, alpha, beta=1.0)`` is computed per element by the C++ evaluator
(cpp/include/nonlin/mittag_leffler/): exact branches (alpha = 0, z = 0, alpha = 1 with
beta = 1, 2), the power series for small |z|^{1/alpha}, the asymptotic expansion with its
exponential residues for large |z|^{1/alpha}, Garrappa's Laplace inversion in between.
Real float32/float64 z (float32 computed in float64) and complex128 z (the value and the
derivatives in z, alpha and beta, and the Prabhakar form; not the scaled form); broadcasting
over alpha and beta.
alpha < 0 raises ValueError; NaN anywhere gives NaN; alpha = 0 is E_{0,beta}(z) =
1/(Gamma(beta)(1 - z)). E(+inf) = +inf; E(-inf) = 0 for alpha < 2 and NaN for alpha >= 2
(no limit).

With ``gamma=`` the three-parameter (Prabhakar) function
E^gamma_{alpha,beta}(z) = sum_k (gamma)_k z^k / (k! Gamma(alpha k + beta)), gamma >= 0, real or
complex z (cpp/include/nonlin/mittag_leffler/prabhakar.h, prabhakar_complex.h): each element by
the first path whose error bound is within ~1e-14 of the result (series, large-argument
expansion, contour integrals), near a zero of E within 1e-14 absolute; NaN only where no path
reaches 1e-12 (documented in the README).
"""

from __future__ import annotations

import numpy as np

from . import _core

__all__ = ["MittagLeffler", "mittag_leffler"]

ufuncs = _core._mittag_leffler_ufuncs
prabhakar_ufuncs = _core._prabhakar_ufuncs


def _real(name, value):
    if isinstance(value, (str, bytes)):
        raise TypeError(f"mittag_leffler: '{name}' must be a real number or array, got {type(value).__name__}")
    v = value if type(value) in (float, int) else np.asarray(value)
    if not isinstance(v, (float, int)) and v.dtype.kind not in "biuf":
        raise TypeError(f"mittag_leffler: '{name}' must be real (got dtype {v.dtype})")
    return value


def _real_or_complex(name, value):
    v = np.asarray(value)
    if v.dtype.kind == "c":
        return v.astype(np.complex128, copy=False)
    return _real(name, value)


def _check_alpha(alpha):
    _real("alpha", alpha)
    if np.any(np.asarray(alpha) < 0):
        raise ValueError(f"mittag_leffler: parameter 'alpha' must be >= 0 (got {alpha!r})")
    return alpha


def _check_gamma(gamma):
    _real("gamma", gamma)
    if np.any(np.asarray(gamma) < 0):
        raise ValueError(f"mittag_leffler: parameter 'gamma' must be >= 0 (got {gamma!r})")
    return gamma


def growth(z, alpha, xp=np):
    """z^{1/alpha} for z > 0 (E_{alpha,beta}(z) grows like its exponential), 0 elsewhere;
    `xp` the array namespace (numpy, or jax.numpy for nonlin.jax)."""
    if xp is np:
        z, alpha = np.asarray(z, dtype=np.float64), np.asarray(alpha, dtype=np.float64)
    with np.errstate(all="ignore"):
        return xp.where((z > 0) & (alpha > 0), xp.abs(z) ** (1 / xp.where(alpha > 0, alpha, 1.0)), 0.0)


class MittagLeffler:
    """E_{alpha,beta}(z) and its derivatives in z, alpha and beta, as NumPy ufuncs."""

    ufuncs = ufuncs  # the numpy.ufunc objects (mittag_leffler, ..._dz, ..._shifted, ...)

    def __call__(self, z, alpha, beta=1.0, gamma=None, *, out=None):
        """E_{alpha,beta}(z); z real or complex (complex128), alpha and beta real. With gamma:
        the Prabhakar function E^gamma_{alpha,beta}(z) (gamma >= 0)."""
        if gamma is not None:
            return prabhakar_ufuncs["prabhakar"](_real_or_complex("z", z), _check_alpha(alpha), _real("beta", beta),
                                                 _check_gamma(gamma), out=out)
        return ufuncs["mittag_leffler"](_real_or_complex("z", z), _check_alpha(alpha), _real("beta", beta), out=out)

    def derivative(self, z, alpha, beta=1.0, order=1, gamma=None, *, out=None):
        """d^order/dz^order E_{alpha,beta}(z), order 0..12, z real or complex (complex128): the
        first derivative is evaluated
        directly, higher orders by recurrences in beta that do not cancel
        (a z E' = E_{a,b-1} - (b-1) E for |z| >= 1, D E_{a,b} = [E_{a,a+b-1} + (1-b) E_{a,a+b}]/a
        below). With gamma (Prabhakar): (gamma)_k E^{gamma+k}_{alpha,beta+k alpha}(z)."""
        order = np.asarray(order)
        if order.dtype.kind not in "iu" or np.any(order < 0) or np.any(order > 12):
            raise ValueError("mittag_leffler.derivative: 'order' must be an integer in 0..12")
        z, alpha, beta = _real_or_complex("z", z), _check_alpha(alpha), _real("beta", beta)
        if gamma is not None:
            return prabhakar_ufuncs["prabhakar_derivative"](z, alpha, beta, _check_gamma(gamma),
                                                            order.astype(np.int64), out=out)
        if order.ndim == 0 and int(order) == 1:
            return ufuncs["mittag_leffler_dz"](z, alpha, beta, out=out)
        return ufuncs["mittag_leffler_derivative"](z, alpha, beta, order.astype(np.int64), out=out)

    def d_alpha(self, z, alpha, beta=1.0, gamma=None, *, out=None):
        """dE_{alpha,beta}(z)/dalpha, z real or complex (with gamma: of the Prabhakar function)."""
        return self._part("dalpha", z, alpha, beta, gamma, out)

    def d_beta(self, z, alpha, beta=1.0, gamma=None, *, out=None):
        """dE_{alpha,beta}(z)/dbeta, z real or complex (with gamma: of the Prabhakar function)."""
        return self._part("dbeta", z, alpha, beta, gamma, out)

    def d_gamma(self, z, alpha, beta=1.0, gamma=1.0, *, out=None):
        """dE^gamma_{alpha,beta}(z)/dgamma of the Prabhakar function, z real or complex."""
        return self._part("dgamma", z, alpha, beta, gamma, out)

    def _part(self, part, z, alpha, beta, gamma, out):
        z, alpha, beta = _real_or_complex("z", z), _check_alpha(alpha), _real("beta", beta)
        if gamma is None:
            return ufuncs[f"mittag_leffler_{part}"](z, alpha, beta, out=out)
        return prabhakar_ufuncs[f"prabhakar_{part}"](z, alpha, beta, _check_gamma(gamma), out=out)

    def scaled(self, z, alpha, beta=1.0, part="value", shift=None, *, out=None):
        """The part ("value", "d_z", "d_alpha", "d_beta") times exp(-shift), combined before
        anything overflows. The default shift is z^{1/alpha} for z > 0 (the growth of E),
        0 for z <= 0; two factors given the same shift form ratios without overflow."""
        names = {"value": "mittag_leffler_shifted", "d_z": "mittag_leffler_dz_shifted",
                 "d_alpha": "mittag_leffler_dalpha_shifted", "d_beta": "mittag_leffler_dbeta_shifted"}
        if part not in names:
            raise ValueError(f"mittag_leffler.scaled: unknown part {part!r} (expected one of {sorted(names)})")
        z, alpha, beta = _real("z", z), _check_alpha(alpha), _real("beta", beta)
        if shift is None:
            shift = growth(z, alpha)
        return ufuncs[names[part]](z, alpha, beta, _real("shift", shift), out=out)

    def __repr__(self):
        return "<nonlin mittag_leffler E_{alpha,beta}(z)>"


MittagLeffler.__doc__ += "\n" + __doc__
mittag_leffler = MittagLeffler()
