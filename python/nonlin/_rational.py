"""Rational (Padé) activations F(x) = P(x) / Q(x) with learnable coefficients.

    P(x) = a_0 + a_1 x + ... + a_m x^m                     (numerator: m + 1 coefficients)
    version A  Q = 1 + |b_1| |x| + ... + |b_n| |x|^n       (PAU "safe", KAT; the default)
    version B  Q = 1 + |b_1 x + ... + b_n x^n|
    version C  Q = 0.1 + |b_0 + b_1 x + ... + b_n x^n|     (denominator: n + 1 coefficients)
    version D  B with multiplicative U[0.9, 1.1] noise on every coefficient when training=True
               (the noise is a fixed function of `seed`: pass the same seed to backward)
    version N  Q = 1 + b_1 x + ... + b_n x^n               (unsafe: Q may vanish)

Group-rational (KAT): coefficient arrays of shape (groups, m + 1) / (groups, n) give every
group of consecutive channels along `axis` its own coefficients (a 1-D array is shared by all
groups); gradients come back shaped like the coefficient arrays.

Convention: d|v|/dv at v = 0 is taken as 0 (the mean of the one-sided derivatives, as autograd
of the formula gives); this matters at x = 0 (versions A, B) and at b_k = 0 (version A, where
a coefficient at exactly 0 then receives no gradient). The CUDA kernels of
rational_activations and KAT take sign(0) = +1 instead.
"""

from __future__ import annotations

import json
import operator
from importlib import resources

import numpy as np

from . import _arrays, _core
from .activation import _check_axis

__all__ = ["rational", "Rational", "RationalPreset"]

_VERSIONS = "ABCDN"


def _version(version):
    if not isinstance(version, str):
        raise TypeError(f"rational: version must be a string, got {type(version).__name__}")
    v = version.upper()
    if v not in _VERSIONS or len(v) != 1:
        raise ValueError(f"rational: version must be one of 'A', 'B', 'C', 'D', 'N', got {version!r}")
    return v


def _integer(value, argname):
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"rational: {argname} must be an integer, got {value!r}") from None


def noise_options(training, seed):
    """Version D's options, validated: (training as bool, seed as int in [0, 2**64))."""
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"rational: training must be a bool, got {training!r}")
    seed = _integer(seed, "seed")
    if not 0 <= seed < 2**64:
        raise ValueError("rational: seed must be in [0, 2**64)")
    return bool(training), seed


class Geometry:
    """What the kernels need to know of the shapes (x, numerator, denominator) and options, all
    validated: the version letter, degrees m and n, the group count and the run length of one
    group along the flattened x (0: one group). Shapes only, so tracers (JAX) work too."""

    def __init__(self, shape, num_shape, den_shape, version, groups, axis):
        self.version = _version(version)
        self.shape = tuple(shape)
        if len(num_shape) not in (1, 2) or num_shape[-1] < 1:
            raise ValueError("rational: numerator must have shape (m + 1,) or (groups, m + 1)")
        if len(den_shape) not in (1, 2):
            raise ValueError("rational: denominator must have shape (n,) or (groups, n)")
        if self.version == "C" and den_shape[-1] < 1:
            raise ValueError("rational: version C needs at least one denominator coefficient (b_0)")
        self.m = num_shape[-1] - 1
        self.n = den_shape[-1] - (1 if self.version == "C" else 0)
        if self.m > 32 or self.n > 32:
            raise ValueError("rational: numerator and denominator degrees must be <= 32")
        g = {s[0] for s in (num_shape, den_shape) if len(s) == 2 and s[0] != 1}  # one row: shared
        if len(g) > 1:
            raise ValueError(f"rational: numerator and denominator have different group counts {sorted(g)}")
        G = g.pop() if g else 1
        if groups is not None:
            groups = _integer(groups, "groups")
            if groups < 1 or (G != 1 and groups != G):
                raise ValueError(f"rational: groups={groups} does not match the coefficient shapes")
            G = groups
        if G < 1:
            raise ValueError("rational: groups must be >= 1")
        self.num_shape, self.den_shape = tuple(num_shape), tuple(den_shape)
        self.groups = G
        self.run = 0
        if G > 1:
            if len(shape) == 0:
                raise ValueError("rational: x needs a channel axis when groups > 1")
            ax = _check_axis(axis, len(shape), "rational")
            C = shape[ax]
            if C % G:
                raise ValueError(f"rational: the channel axis length {C} is not divisible by groups={G}")
            self.run = max(1, C // G * int(np.prod(shape[ax + 1:], dtype=np.int64)))


class _Layout(Geometry):
    """Validated operands: contiguous x and coefficient tables [groups][count] in the compute
    dtype, the run length of one group along the flattened x."""

    def __init__(self, x, numerator, denominator, version, groups, axis, training, seed):
        x = _arrays.real_array(x, "x", "rational")
        self.cdtype, self.rdtype = _arrays.compute_dtype(x.dtype)
        num = _arrays.real_array(numerator, "numerator", "rational")
        den = _arrays.real_array(denominator, "denominator", "rational")
        super().__init__(x.shape, num.shape, den.shape, version, groups, axis)
        # the gradients' dtypes: the coefficients' own (float64 for integer coefficients)
        self.num_dtype, self.den_dtype = (a.dtype if a.dtype.kind == "f" else _arrays._F64 for a in (num, den))
        self.num = self._table(num)
        self.den = self._table(den)  # [G][0]: a polynomial (n = 0, Q = 1)
        self.x = np.ascontiguousarray(x, dtype=self.cdtype)
        self.training, self.seed = noise_options(training, seed)

    def _table(self, coef):
        """The coefficients as a contiguous [groups][count] table in the compute dtype (a 1-D
        array repeated per group)."""
        rows = coef.shape[0] if coef.ndim == 2 else 1
        table = np.ascontiguousarray(coef, dtype=self.cdtype).reshape(rows, coef.shape[-1])
        if table.shape[0] != self.groups:
            table = np.repeat(table, self.groups, axis=0)
        return table

    def args(self):
        return (self.version, self.m, self.n, self.groups, self.run, self.training, self.seed)

    def grad_shape(self, g, shape, dtype):
        """The per-group gradient table g in the coefficient array's shape and dtype (summed
        over groups where one array was shared)."""
        shared = self.groups > 1 and (len(shape) < 2 or shape[0] == 1)  # one row for every group
        g = g.sum(axis=0) if shared else g
        return g.reshape(shape).astype(dtype, copy=False)


_PRESETS = None


def _presets():
    global _PRESETS
    if _PRESETS is None:
        _PRESETS = json.loads(resources.files(__package__).joinpath("rational_presets.json").read_text())
    return _PRESETS


class RationalPreset:
    """Coefficients of a rational approximation fitted by nonlin (tools/fit_rational_presets.py)."""

    def __init__(self, name, version, row):
        self.name = name
        self.version = version
        self.numerator = np.array(row["numerator"], dtype=np.float64)
        self.denominator = np.array(row["denominator"], dtype=np.float64)
        self.degrees = tuple(row["degrees"])
        self.interval = tuple(row["interval"])
        self.max_error = row["max_error"]
        self.rms_error = row["rms_error"]

    def __iter__(self):  # numerator, denominator = nl.rational.preset("gelu")
        return iter((self.numerator, self.denominator))

    def __repr__(self):
        return (f"<rational preset {self.name} version {self.version} degrees {self.degrees} on "
                f"{self.interval}: max error {self.max_error:.3g}>")


class Rational:
    __doc__ = __doc__

    name = "rational"
    arrays = ("numerator", "denominator")
    static = {"version": "A", "groups": None, "axis": -1, "training": False, "seed": 0}

    def __repr__(self):
        return "<nonlin rational activation P(x)/Q(x), versions A B C D N>"

    def catalog_row(self):
        init = self.initial()
        docs = {"numerator": "a_0 .. a_m (default: the (5, 4) GELU preset, version A)",
                "denominator": "b_1 .. b_n (version C: b_0 .. b_n)"}
        return {"name": self.name, "kind": "rational",
                "params": {k: {"default": init[k].tolist(), "learnable": True, "doc": docs[k],
                               "constraint": "1-d or (groups, count)"} for k in self.arrays},
                "learnable": self.arrays,
                "formula": "P(x) / Q(x); A: Q = 1 + sum |b_k| |x|^k, B: 1 + |sum b_k x^k|, "
                           "C: 0.1 + |sum b_k x^k|, D: B with noise, N: 1 + sum b_k x^k",
                "derivative": "(P' Q - P Q') / Q^2", "properties": {"smooth": False},
                "source": "Molina, Schramowski, Kersting 2020, Pade Activation Units, "
                          "arXiv:1907.06732; Yang, Wang 2024, Kolmogorov-Arnold Transformer, "
                          "arXiv:2409.10594", "accuracy": {}}

    def __call__(self, x, numerator, denominator, version="A", *, groups=None, axis=-1,
                 training=False, seed=0, out=None):
        """F(x) = P(x) / Q(x), elementwise; same shape as x."""
        return self._elementwise(0, x, numerator, denominator, version, groups, axis, training, seed, out)

    def derivative(self, x, numerator, denominator, version="A", *, groups=None, axis=-1,
                   training=False, seed=0, out=None):
        """dF/dx, elementwise."""
        return self._elementwise(1, x, numerator, denominator, version, groups, axis, training, seed, out)

    def _elementwise(self, mode, x, numerator, denominator, version, groups, axis, training, seed, out):
        L = _Layout(x, numerator, denominator, version, groups, axis, training, seed)
        buf, out = _arrays.output(out, L.shape, L.rdtype, L.cdtype, [L.x], "rational")
        _core._rational(mode, *L.args(), L.x.reshape(-1), L.num.reshape(-1), L.den.reshape(-1),
                        buf.reshape(-1))
        return _arrays.finish(buf, out, L.rdtype)

    def backward(self, grad_out, x, numerator, denominator, version="A", *, groups=None, axis=-1,
                 training=False, seed=0, out=None):
        """(grad_x, grad_numerator, grad_denominator) for grad_out = dLoss/dF, in one pass.

        grad_x has x's shape; the coefficient gradients have the shapes of `numerator` and
        `denominator` (summed over the elements, and over groups for a shared 1-D array),
        accumulated in float64, identical for any number of threads."""
        L = _Layout(x, numerator, denominator, version, groups, axis, training, seed)
        g = _arrays.real_array(grad_out, "grad_out", "rational")
        if g.shape != L.shape:
            try:
                g = np.broadcast_to(g, L.shape)
            except ValueError:
                raise ValueError(f"rational: grad_out of shape {g.shape} does not broadcast to x's shape {L.shape}") from None
        g = np.ascontiguousarray(g, dtype=L.cdtype)
        buf, out = _arrays.output(out, L.shape, L.rdtype, L.cdtype, [L.x, g], "rational")
        gnum = np.empty(L.num.shape, np.float64)
        gden = np.empty(L.den.shape, np.float64)
        _core._rational_backward(*L.args(), g.reshape(-1), L.x.reshape(-1), L.num.reshape(-1),
                                 L.den.reshape(-1), buf.reshape(-1), gnum.reshape(-1), gden.reshape(-1))

        grad_num = L.grad_shape(gnum, L.num_shape, L.num_dtype)
        grad_den = L.grad_shape(gden, L.den_shape, L.den_dtype)
        return _arrays.finish(buf, out, L.rdtype), grad_num, grad_den

    # the adapters' array protocol (nonlin._adapters)
    def apply(self, x, arrays, static):
        return self(x, *arrays, **static)

    def vjp(self, grad_out, x, arrays, static):
        gx, gn, gd = self.backward(grad_out, x, *arrays, **static)
        return gx, [gn, gd]

    def initial(self, init="gelu", degrees=(5, 4), version="A", groups=None):
        """{numerator, denominator} approximating `init` (a catalogue name or a callable) in
        `version`'s form: the shipped preset where its degrees match, else fitted now
        (fit_rational, minimax on [-3, 3]); `groups` repeats them per group (KAT). In version A
        exact-zero denominator coefficients start at 1e-8 so that they receive gradients."""
        from ._rational_fit import fit_rational
        m, n = (operator.index(d) for d in degrees)
        fit = None
        name = {"swish": "silu"}.get(init, init) if isinstance(init, str) else None
        if name in _presets() and _version(version) in _presets()[name]:
            fit = self.preset(name, version)
        if fit is None or fit.degrees != (m, n):
            fit = fit_rational(init, degrees=(m, n), version=version)
        num, den = np.asarray(fit.numerator, np.float64), np.asarray(fit.denominator, np.float64)
        if _version(version) == "A":
            # Q = 1 + sum |b_k| |x|^k: with d|b|/db = 0 at b = 0 an exact zero would never
            # train; 1e-8 moves F by < 1e-8 |x|^k |P/Q| (far below the fit error on [-3, 3])
            den = np.where(den == 0, 1e-8, den)
        if groups is not None:
            num, den = np.tile(num, (groups, 1)), np.tile(den, (groups, 1))
        return {"numerator": num, "denominator": den}

    def noise(self, numerator, denominator, seed=0, groups=None):
        """Version D's multiplicative factors (numerator, denominator) for `seed`, shaped like
        the coefficient arrays; with `groups=` G, shaped (G, m + 1) and (G, n): every group
        draws its own factors, also where one 1-D array is shared by all groups (pass the
        same `groups` as to the call)."""
        num, den = np.asarray(numerator), np.asarray(denominator)
        if groups is not None:
            G = _integer(groups, "groups")
            num = np.broadcast_to(num.reshape(-1, num.shape[-1]), (G, num.shape[-1]))
            den = np.broadcast_to(den.reshape(-1, den.shape[-1]), (G, den.shape[-1]))
        f = np.array([_core._rational_noise(operator.index(seed), i) for i in range(num.size + den.size)])
        return f[:num.size].reshape(num.shape), f[num.size:].reshape(den.shape)

    @staticmethod
    def presets():
        """{name: [versions]} of the shipped presets."""
        return {name: sorted(rows) for name, rows in _presets().items()}

    @staticmethod
    def preset(name, version="A"):
        """Coefficients of `name` (gelu, tanh, sigmoid, silu/swish, relu, leaky_relu, ...) fitted
        by nonlin in `version`'s own form: a RationalPreset (iterates as numerator, denominator)
        with its degrees, interval and measured max/RMS error."""
        version = _version(version)
        table = _presets()
        key = {"swish": "silu"}.get(name, name)
        if key not in table:
            raise ValueError(f"rational.preset: unknown name {name!r} (available: {', '.join(sorted(table))})")
        if version not in table[key]:
            raise ValueError(f"rational.preset: no version {version} preset for {name!r}")
        return RationalPreset(key, version, table[key][version])


rational = Rational()
