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

from . import _core
from ._arrays import real_array
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

# the fused kernel's codes (cpp/include/nonlin/mittag_leffler/gated.h: GateMap, GateInner)
_MAP_CODES = {name: i for i, name in enumerate(_MAPS)}
_INNER_CODES = {"identity": 0, "softplus": 1}
_FUSED_MODES = {"value": 0, "derivative": 1, "backward": 2, "params": 3}

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

    def catalog_row(self):
        docs = {"alpha1": "order of the numerator's E (>= 0)", "beta1": "its second parameter",
                "alpha2": "order of the denominator's E (>= 0)", "beta2": "its second parameter"}
        return {"name": self.name, "kind": "mittag-leffler",
                "params": {k: {"default": v, "learnable": True, "doc": docs[k],
                               "constraint": "nonnegative" if k.startswith("alpha") else "real"}
                           for k, v in self.params.items()},
                "learnable": self.learnable, "formula": self.formula, "derivative": "",
                "properties": {"smooth": True}, "source": self.source, "accuracy": {}}

    def _params(self, params):
        unknown = set(params) - set(self.params)
        if unknown:
            raise TypeError(f"{self.name}() got an unexpected keyword argument '{sorted(unknown)[0]}'")
        # complex, strings, objects: TypeError naming them (NumPy would drop an imaginary part)
        p = {k: real_array(params.get(k, v), k, self.name) for k, v in self.params.items()}
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

    @property
    def has_fused_kernel(self):
        """True when the fused C++ pass serves this form (gamma 0, 1 or 2) for scalar parameters."""
        return self.gamma in (0, 1, 2)

    def _fused(self, mode, x, p, grad_out=None):
        """The fused C++ kernel (one pass, float32 or float64, threads, no GIL) when the
        parameters are scalars and grad_out has x's shape; None where only _parts serves."""
        vals = [np.asarray(p[k]) for k in ("alpha1", "beta1", "alpha2", "beta2")]
        x = np.asarray(x)
        if (not self.has_fused_kernel or any(v.ndim or v.dtype.kind not in "biuf" for v in vals)
                or x.dtype.kind not in "biuf"):
            return None
        cdt = np.float32 if x.dtype in (np.float16, np.float32) else np.float64
        xc = np.ascontiguousarray(x, dtype=cdt)
        g = xc
        if grad_out is not None:
            g = np.asarray(grad_out)
            if g.dtype.kind not in "biuf" or np.broadcast_shapes(g.shape, x.shape) != x.shape:
                return None
            g = np.ascontiguousarray(np.broadcast_to(g, x.shape), dtype=cdt)
        out = np.empty(x.shape if mode != "params" else 0, cdt)
        sums = np.zeros(4)
        _core._ml_gated(_FUSED_MODES[mode], self.gamma, _INNER_CODES[self.inner], _MAP_CODES[self.f],
                        _MAP_CODES[self.g], float(self.c), *(float(v) for v in vals),
                        xc.reshape(-1), g.reshape(-1), out.reshape(-1), sums)
        if mode == "params":
            return dict(zip(self.learnable, (np.float64(s) for s in sums)))
        return self._cast(out, x)

    @staticmethod
    def _cast(r, x):
        dt = np.result_type(np.asarray(x).dtype, np.float16)
        return r.astype(dt if dt.kind == "f" else np.float64, copy=False)

    def __call__(self, x, **params):
        x, p = real_array(x, "x", self.name), self._params(params)
        r = self._fused("value", x, p)
        return r if r is not None else self._cast(self._parts(x, p, False, False)["value"], x)

    def derivative(self, x, **params):
        """d act / dx."""
        x, p = real_array(x, "x", self.name), self._params(params)
        r = self._fused("derivative", x, p)
        return r if r is not None else self._cast(self._parts(x, p, True, False)["derivative"], x)

    def backward(self, grad_out, x, **params):
        """grad_out * d act / dx."""
        x, p = real_array(x, "x", self.name), self._params(params)
        grad_out = real_array(grad_out, "grad_out", self.name)
        r = self._fused("backward", x, p, grad_out)
        return r if r is not None else self._cast(np.asarray(grad_out) * self._parts(x, p, True, False)["derivative"], x)

    def param_backward(self, grad_out, x, **params):
        """{alpha1, beta1, alpha2, beta2: gradient reduced to the parameter's shape}."""
        x, p = real_array(x, "x", self.name), self._params(params)
        grad_out = real_array(grad_out, "grad_out", self.name)
        r = self._fused("params", x, p, grad_out)
        if r is not None:
            return r
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
