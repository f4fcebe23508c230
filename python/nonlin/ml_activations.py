"""Unified Mittag-Leffler gated activations (arXiv 2302.11007):

    act(x) = x * u^{gamma-1} * E_{alpha1,beta1}(f(u)) / E_{alpha2,beta2}(g(u)),   u = h(x)

with presets reproducing sigmoid, SiLU/swish, tanh, mish, softsign, GELU, ELU and the
tanh -> identity interpolation (beta2 from 1 to 2). The Mittag-Leffler factors are evaluated
scaled, E(z) e^{-z^{1/alpha}} for z > 0, so the ratio never overflows (cosh(x) overflows near
x = 710, the tanh gate does not). alpha1, beta1, alpha2, beta2 are learnable: their gradients
are dE/dalpha, dE/dbeta of the factors (the same C++ evaluator). Each object follows the
activation protocol: name, params, learnable, __call__, derivative, backward, param_backward.
"""

from __future__ import annotations

import math

import numpy as np

from .activation import _reduce_to_shape
from .mittag_leffler import growth as _growth
from .mittag_leffler import ufuncs as _u

__all__ = ["MittagLefflerActivation", "ml_activations"]

_SQRT1_2 = math.sqrt(0.5)
_LN2 = math.log(2.0)

# Argument maps z = f(u) and their derivatives df/du; `c` is the preset's shape constant and
# `xp` the array namespace (numpy, or jax.numpy for nonlin.jax).
_MAPS = {
    "zero": (lambda u, c, xp: xp.zeros_like(u), lambda u, c, xp: xp.zeros_like(u)),
    "square": (lambda u, c, xp: u * u, lambda u, c, xp: 2 * u),
    "neg_exp": (lambda u, c, xp: -xp.exp(-c * u), lambda u, c, xp: c * xp.exp(-c * u)),
    "neg_abs": (lambda u, c, xp: -xp.abs(u), lambda u, c, xp: -xp.sign(u)),
    "scaled": (lambda u, c, xp: u * _SQRT1_2, lambda u, c, xp: xp.full_like(u, _SQRT1_2)),
    "half_square_ln2": (lambda u, c, xp: 0.5 * u * u + _LN2, lambda u, c, xp: u),
    "min0": (lambda u, c, xp: xp.minimum(u, 0.0), lambda u, c, xp: (u < 0).astype(u.dtype)),
}

# u = h(x) and h'(x)
_INNER = {
    "identity": (lambda x, xp: x, lambda x, xp: xp.ones_like(x)),
    "softplus": (lambda x, xp: xp.logaddexp(0.0, x), lambda x, xp: 0.5 * (1 + xp.tanh(0.5 * x))),
}


class _NumPy:
    """The array backend of the NumPy path: numpy and the Mittag-Leffler ufuncs (float64)."""
    xp = np

    @staticmethod
    def asarray(v):
        return np.asarray(v, dtype=np.float64)

    @staticmethod
    def ml(name, z, a, b, shift):
        return _u[f"mittag_leffler{name}_shifted"](z, a, b, shift)

    @staticmethod
    def quiet():
        return np.errstate(all="ignore")


def _prod(a, b, xp):
    """a * b with 0 * inf = 0 (a factor that vanishes kills an overflowing chain-rule factor)."""
    return xp.where((a == 0) | (b == 0), 0.0, a * b)


class MittagLefflerActivation:
    """act(x) = x u^{gamma-1} E_{alpha1,beta1}(f(u)) / E_{alpha2,beta2}(g(u)), u = h(x)."""

    def __init__(self, name, classic, gamma, alpha1, beta1, f, alpha2, beta2, g,
                 inner="identity", c=1.0):
        self.name = name
        self.classic = classic
        self.params = {"alpha1": alpha1, "beta1": beta1, "alpha2": alpha2, "beta2": beta2}
        self.learnable = ("alpha1", "beta1", "alpha2", "beta2")
        self.gamma, self.c, self.f, self.g, self.inner = gamma, c, f, g, inner
        self.formula = (f"x * u^{gamma - 1} * E_(alpha1,beta1)({f}(u)) / E_(alpha2,beta2)({g}(u)), "
                        f"u = {inner}(x)   [{classic} at the defaults]")
        self.source = "arXiv:2302.11007 (unification of activations through Mittag-Leffler functions)"
        self.__doc__ = f"{name}(x, *, {', '.join(f'{k}={v!r}' for k, v in self.params.items())})\n\n{self.formula}"

    def __repr__(self):
        return f"<nonlin Mittag-Leffler activation {self.name} ({self.classic} at the defaults)>"

    def _params(self, params):
        unknown = set(params) - set(self.params)
        if unknown:
            raise TypeError(f"{self.name}() got an unexpected keyword argument '{sorted(unknown)[0]}'")
        p = {k: params.get(k, v) for k, v in self.params.items()}
        for k in ("alpha1", "alpha2"):
            if np.any(np.asarray(p[k]) < 0):
                raise ValueError(f"{self.name}: parameter '{k}' must be >= 0 (got {p[k]!r})")
        return p

    def _parts(self, x, p, need_derivative, need_params, be=_NumPy):
        """The pieces of act and its derivatives as arrays of backend `be` (_NumPy: float64)."""
        xp = be.xp
        x = be.asarray(x)
        h, dh = _INNER[self.inner]
        (f, df), (g, dg) = _MAPS[self.f], _MAPS[self.g]
        a1, b1, a2, b2 = (be.asarray(p[k]) for k in ("alpha1", "beta1", "alpha2", "beta2"))
        with be.quiet():
            u = h(x, xp)
            fz, gz = f(u, self.c, xp), g(u, self.c, xp)
            # both factors scaled by the same e^{-shift}: their ratios are exact and never overflow
            shift = xp.maximum(_growth(fz, a1, xp), _growth(gz, a2, xp))
            sa, sb = be.ml("", fz, a1, b1, shift), be.ml("", gz, a2, b2, shift)
            ratio = sa / sb                                     # E_A / E_B
            # prefactor x u^{gamma-1} (= x^gamma for u = x, so 0 * 0^{-1} never occurs)
            if self.inner == "identity":
                pre = x ** self.gamma if self.gamma != 1 else x
                dpre = (xp.zeros_like(x) if self.gamma == 0 else xp.ones_like(x) if self.gamma == 1
                        else self.gamma * x ** (self.gamma - 1))
            else:
                pre = x * u ** (self.gamma - 1)
                dpre = u ** (self.gamma - 1) + (self.gamma - 1) * x * u ** (self.gamma - 2) * dh(x, xp)
            out = {"x": x, "value": pre * ratio}
            if need_derivative:
                dA = _prod(df(u, self.c, xp), be.ml("_dz", fz, a1, b1, shift), xp)
                dB = _prod(dg(u, self.c, xp), be.ml("_dz", gz, a2, b2, shift), xp)
                dratio = dA / sb - ratio * dB / sb                   # dR/du
                out["derivative"] = dpre * ratio + _prod(pre * dh(x, xp), dratio, xp)
            if need_params:
                out["alpha1"] = pre * be.ml("_dalpha", fz, a1, b1, shift) / sb
                out["beta1"] = pre * be.ml("_dbeta", fz, a1, b1, shift) / sb
                out["alpha2"] = -pre * ratio * be.ml("_dalpha", gz, a2, b2, shift) / sb
                out["beta2"] = -pre * ratio * be.ml("_dbeta", gz, a2, b2, shift) / sb
        return out

    @staticmethod
    def _cast(r, x):
        dt = np.result_type(np.asarray(x).dtype, np.float16)
        return r.astype(dt if dt.kind == "f" else np.float64, copy=False)

    def __call__(self, x, **params):
        return self._cast(self._parts(x, self._params(params), False, False)["value"], x)

    def derivative(self, x, **params):
        """d act / dx."""
        return self._cast(self._parts(x, self._params(params), True, False)["derivative"], x)

    def backward(self, grad_out, x, **params):
        """grad_out * d act / dx."""
        return self._cast(np.asarray(grad_out) * self._parts(x, self._params(params), True, False)["derivative"], x)

    def param_backward(self, grad_out, x, **params):
        """{alpha1, beta1, alpha2, beta2: gradient reduced to the parameter's shape}."""
        p = self._params(params)
        parts = self._parts(x, p, False, True)
        g = np.asarray(grad_out, dtype=np.float64)
        return {k: _reduce_to_shape(np.broadcast_to(g * parts[k], np.broadcast_shapes(g.shape, parts[k].shape)),
                                    np.shape(p[k])) for k in self.learnable}


# name, classic function reproduced at the defaults, gamma, (alpha1, beta1, f), (alpha2, beta2, g)
ml_activations = {a.name: a for a in [
    MittagLefflerActivation("ml_sigmoid", "sigmoid", 0, 0.0, 1.0, "neg_exp", 1.0, 1.0, "zero"),
    MittagLefflerActivation("ml_silu", "silu", 1, 0.0, 1.0, "neg_exp", 1.0, 1.0, "zero"),
    MittagLefflerActivation("ml_tanh", "tanh", 1, 2.0, 2.0, "square", 2.0, 1.0, "square"),
    MittagLefflerActivation("ml_tanh_identity", "tanh (beta2 = 1) to identity (beta2 = 2)", 1,
                            2.0, 2.0, "square", 2.0, 1.0, "square"),
    MittagLefflerActivation("ml_mish", "mish", 2, 2.0, 2.0, "square", 2.0, 1.0, "square", inner="softplus"),
    MittagLefflerActivation("ml_softsign", "softsign", 1, 0.0, 1.0, "neg_abs", 1.0, 1.0, "zero"),
    MittagLefflerActivation("ml_gelu", "gelu", 1, 0.5, 1.0, "scaled", 1.0, 1.0, "half_square_ln2"),
    MittagLefflerActivation("ml_elu", "elu", 1, 1.0, 2.0, "min0", 1.0, 1.0, "zero"),
]}
