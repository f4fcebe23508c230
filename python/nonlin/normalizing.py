"""Normalising activations over an axis: PolyNorm, ASH, Hard ASH, VeLU.

Not elementwise: each output depends on statistics (mean, variance, mean squares) of the whole
slice along ``axis``. ``act(x, axis=-1, **params)``, ``act.backward(grad_out, x, axis=-1,
**params)`` (the exact vector-Jacobian product, including the path through the statistics),
``act.param_backward(...)`` (learnable parameters' gradients, reduced to their shapes) and
``act.grads(...)`` (both from one pass). The C++ row kernels compute in double and round once.
"""

from __future__ import annotations


import numpy as np

from . import _accuracy, _core
from .activation import _as_operand, _axis_operand, _check, describe

__all__ = ["NormalizingActivation"]

_VECTOR_DEFAULTS = {("polynorm", "weight"): (1 / 3, 1 / 3, 1 / 3)}
_MAX_ORDER = 8


def _scalar(name, pname, value):
    v = np.asarray(value)
    if v.dtype.kind not in "biuf":
        raise TypeError(f"{name}: parameter '{pname}' must be a real number, got {v.dtype}")
    if v.ndim != 0:
        raise ValueError(f"{name}: parameter '{pname}' must be a scalar, got shape {v.shape}")
    v = float(v)
    if not np.isfinite(v):
        raise ValueError(f"{name}: parameter '{pname}' must be finite (got {v!r})")
    return v


def _vector(name, pname, value):
    v = np.asarray(value)
    if v.dtype.kind not in "biuf":
        raise TypeError(f"{name}: parameter '{pname}' must be real numbers, got {v.dtype}")
    if v.ndim != 1 or not 1 <= v.size <= _MAX_ORDER:
        raise ValueError(f"{name}: parameter '{pname}' must be a 1-d sequence of 1 to "
                         f"{_MAX_ORDER} coefficients, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name}: parameter '{pname}' must be finite")
    return [float(e) for e in v]


class NormalizingActivation:
    """An activation normalised over `axis`: ``f(x, axis=-1, **params)``, ``.backward``,
    ``.param_backward``, ``.grads``; parameters are keywords (see ``.params``)."""

    kind = "normalizing"

    def __init__(self, meta, accuracy=None):
        describe(self, meta)
        self._op = meta["op"]
        self.params.update((p, v) for (n, p), v in _VECTOR_DEFAULTS.items() if n == self.name)
        self.accuracy = accuracy or {}
        ps = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        self.__doc__ = (f"{self.name}(x, axis=-1, *, {ps})\n\n{self.formula}\n\n"
                        f"Gradient: {self.derivative_formula}\nSource: {self.source}")

    def __repr__(self):
        return f"<nonlin normalizing activation {self.name}(axis=-1, " + \
            ", ".join(f"{k}={v!r}" for k, v in self.params.items()) + ")>"

    # -- arguments -------------------------------------------------------------------------
    def _values(self, params):
        """Flat parameter list for the kernels and each parameter's shape."""
        unknown = set(params) - set(self.params)
        if unknown:
            raise TypeError(f"{self.name}() got an unexpected keyword argument "
                            f"'{sorted(unknown)[0]}' (parameters: {', '.join(self.params)})")
        flat, shapes = [], {}
        for pname, _default, _learnable, _doc, constraint in self._param_rows:
            value = params.get(pname, self.params[pname])
            if (self.name, pname) in _VECTOR_DEFAULTS:
                vals = _vector(self.name, pname, value)
                shapes[pname] = (len(vals),)
            else:
                vals = [_scalar(self.name, pname, value)]
                _check(self.name, pname, vals[0], constraint, None)
                shapes[pname] = np.shape(value)
            flat += vals
        return flat, shapes

    def _rows(self, x, axis):
        """x as C-contiguous (rows, n) in the compute dtype, and how to undo it."""
        x, axis = _axis_operand(x, axis, self.name)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"{self.name}: 'x' must be a real numeric array, got {x.dtype}")
        out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        work = np.float64 if out_dtype == np.float16 else out_dtype  # float16: rounded once
        moved = np.moveaxis(x, axis, -1)
        n = moved.shape[-1]
        rows = int(np.prod(moved.shape[:-1], dtype=np.int64))
        r2 = np.ascontiguousarray(moved, dtype=work).reshape(rows, n)
        return r2, (moved.shape, axis, out_dtype)

    @staticmethod
    def _restore(r2, how):
        shape, axis, dtype = how
        return np.moveaxis(r2.reshape(shape), -1, axis).astype(dtype, copy=False)

    # -- API -------------------------------------------------------------------------------
    def __call__(self, x, axis=-1, **params):
        flat, _ = self._values(params)
        x2, how = self._rows(x, axis)
        y2 = np.empty_like(x2)
        _core._norm_forward(self._op, x2, y2, flat)  # (rows of length 0 return at once)
        return self._restore(y2, how)

    def grads(self, grad_out, x, axis=-1, **params):
        """(grad_x, {learnable parameter: gradient reduced to its shape}) in one pass."""
        flat, shapes = self._values(params)
        x2, how = self._rows(x, axis)
        g = np.asarray(_as_operand(grad_out, "grad_out", self.name))
        if g.dtype.kind not in "biuf":
            raise TypeError(f"{self.name}: 'grad_out' must be a real numeric array, got {g.dtype}")
        try:
            g = np.broadcast_to(g, np.shape(x))
        except ValueError:
            raise ValueError(f"{self.name}: grad_out of shape {np.shape(grad_out)} does not "
                             f"broadcast to x's shape {np.shape(x)}") from None
        g2 = np.ascontiguousarray(np.moveaxis(g, how[1], -1), dtype=x2.dtype).reshape(x2.shape)
        gx2 = np.empty_like(x2)
        pg = np.zeros((x2.shape[0] if x2.size else 0, self._slots(flat)))
        if x2.size:  # no per-row sums to allocate for empty rows, however many
            _core._norm_backward(self._op, g2, x2, gx2, pg, flat)
        pgrads = self._gradients(pg.sum(axis=0), shapes, how[2])  # float64, fixed order
        return self._restore(gx2, how), pgrads

    def _slots(self, flat):
        """The kernels' learnable-parameter gradient slots for the flat parameter list."""
        return len(flat) - 1 if self.name == "polynorm" else len(self.learnable)

    def _gradients(self, totals, shapes, dtype):
        """{learnable parameter: its slots of `totals` in its shape, in `dtype`}."""
        pgrads, i = {}, 0
        for pname in self.learnable:
            size = int(np.prod(shapes[pname], dtype=np.int64))
            pgrads[pname] = totals[i:i + size].reshape(shapes[pname]).astype(dtype)
            i += size
        return pgrads

    def backward(self, grad_out, x, axis=-1, **params):
        """The gradient with respect to x (same shape as x), through the statistics too."""
        return self.grads(grad_out, x, axis, **params)[0]

    def param_backward(self, grad_out, x, axis=-1, **params):
        """{learnable parameter: gradient}, each reduced to that parameter's shape."""
        return self.grads(grad_out, x, axis, **params)[1]

    # the adapters' array protocol (nonlin._adapters): the learnable parameters are the
    # arrays; axis and the other parameters are static
    @property
    def arrays(self):
        return self.learnable

    @property
    def static(self):
        return {"axis": -1, **{k: v for k, v in self.params.items() if k not in self.learnable}}

    def _split(self, arrays, static):
        static = dict(static)
        return static.pop("axis", -1), {**dict(zip(self.learnable, arrays)), **static}

    def apply(self, x, arrays, static):
        axis, params = self._split(arrays, static)
        return self(x, axis, **params)

    def vjp(self, grad_out, x, arrays, static):
        axis, params = self._split(arrays, static)
        gx, pg = self.grads(grad_out, x, axis, **params)
        return gx, [pg[k] for k in self.learnable]

    def initial(self):
        return {k: np.asarray(self.params[k], np.float64) for k in self.learnable}

    def catalog_row(self):
        return {"name": self.name, "kind": self.kind,
                "params": {p[0]: {"default": self.params[p[0]], "learnable": p[2], "doc": p[3],
                                  "constraint": p[4]} for p in self._param_rows},
                "learnable": self.learnable, "formula": self.formula,
                "derivative": self.derivative_formula, "properties": self.properties,
                "source": self.source, "accuracy": self.accuracy}


def build():
    """name -> NormalizingActivation for every row of the C++ registry."""
    accuracy = _accuracy.load("accuracy_normalizing.json")
    return {m["name"]: NormalizingActivation(m, accuracy.get(m["name"])) for m in _core._normalizing}
