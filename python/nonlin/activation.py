"""Activation objects: keyword parameters, validation and parameter gradients around the ufuncs."""

from __future__ import annotations

import operator

import numpy as np

from . import _arrays, _core

__all__ = ["Activation", "GatedActivation"]


def _check(name, pname, value, constraint, previous):
    """Raise ValueError naming the parameter if `value` breaks its registry constraint."""
    if type(value) in (float, int) and (previous is None or type(previous[1]) in (float, int)):
        ok = (constraint == "any" or (constraint == "nonzero" and value != 0)
              or (constraint == "nonnegative" and value >= 0)
              or (constraint == "positive" and value > 0)
              or (constraint == "at_least_previous" and value >= previous[1]))
        if ok:
            return
    v = np.asarray(value)
    if v.dtype.kind not in "biuf":
        raise TypeError(f"{name}: parameter '{pname}' must be a real number or array, got {v.dtype}")
    if constraint == "nonzero" and np.any(v == 0):
        raise ValueError(f"{name}: parameter '{pname}' must be nonzero")
    if constraint == "nonnegative" and not np.all(v >= 0):
        raise ValueError(f"{name}: parameter '{pname}' must be >= 0 (got {value!r})")
    if constraint == "positive" and not np.all(v > 0):
        raise ValueError(f"{name}: parameter '{pname}' must be > 0 (got {value!r})")
    if constraint == "at_least_previous" and not np.all(v >= np.asarray(previous[1])):
        raise ValueError(f"{name}: parameter '{pname}' must be >= {previous[0]}")


def check_params(name, rows, params, checkable=None):
    """The values of the registry parameter `rows` (given or default), each checked against its
    constraint (ValueError / TypeError naming it) where it and the one before are checkable
    (all, without a `checkable` predicate)."""
    values, previous = [], None
    for pname, default, _learnable, _doc, constraint in rows:
        value = params.get(pname, default)
        if checkable is None or (checkable(value) and (previous is None or checkable(previous[1]))):
            _check(name, pname, value, constraint, previous)
        previous = (pname, value)
        values.append(value)
    return values


def _as_operand(x, argname, name):
    if type(x) is np.ndarray and x.dtype.kind in "fiub":
        return x
    if isinstance(x, (str, bytes)) or (isinstance(x, np.ndarray) and x.dtype.kind not in "biufc"):
        raise TypeError(f"{name}: '{argname}' must be a real numeric array, got {type(x).__name__}"
                        + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    return x


def _check_axis(axis, ndim, name, word="axis"):
    """`axis` (an int or NumPy integer, not a bool) as a non-negative integer below `ndim`;
    TypeError / ValueError naming it as `word` (torch says dim)."""
    try:
        if isinstance(axis, (bool, np.bool_)):
            raise TypeError
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{name}: {word} must be an integer, got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: {word} {axis} is out of range for an array of dimension {ndim}")
    return axis % ndim


def _axis_operand(x, axis, name):
    """x as an array of at least one dimension, and `axis` (an integer) checked against it."""
    x = np.asarray(_as_operand(x, "x", name))
    if x.ndim == 0:
        raise ValueError(f"{name}: x must have at least one dimension")
    return x, _check_axis(axis, x.ndim, name)


def _where(where):
    # NumPy's fast path skips the masked loop only when `where` is not passed at all.
    return {} if where is True else {"where": where}


def _reduce_to_shape(g, shape):
    """Sum an elementwise gradient over the axes a parameter of `shape` was broadcast along."""
    shape = tuple(shape)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    acc = np.float64 if g.dtype != np.float64 else None
    r = np.sum(g, axis=axes, dtype=acc, keepdims=True) if axes else g
    r = r.reshape(r.shape[lead:]) if lead else r
    return r.astype(g.dtype, copy=False).reshape(shape)


# op name -> its row in the kernel tables (the op attribute of _param_sums and the JAX FFI target)
_OP_INDEX = {ufunc.__name__: i for i, (ufunc, _kind, _meta) in enumerate(_core._ops)}
_FUSED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def describe(act, meta):
    """Set an activation object's registry metadata (name, formula, source, properties,
    parameters with defaults, learnable names): shared by every kind of activation."""
    act.name = meta["name"]
    act.formula = meta["formula"]
    act.derivative_formula = meta["derivative"]
    act.source = meta["source"]
    act.properties = dict(meta["properties"])
    act._param_rows = meta["params"]
    act.params = {p[0]: p[1] for p in act._param_rows}
    act.learnable = tuple(p[0] for p in act._param_rows if p[2])


class Activation:
    """An elementwise activation: ``f(x)``, ``.derivative(x)``, ``.backward(grad_out, x)``,
    ``.param_backward(grad_out, x)``; parameters are keywords with PyTorch's names/defaults."""

    def __init__(self, meta, ufuncs, accuracy=None):
        describe(self, meta)
        self.ufunc = ufuncs["forward"]
        self.derivative_ufunc = ufuncs["derivative"]
        self.backward_ufunc = ufuncs["backward"]
        self.derivative2_ufunc = ufuncs.get("derivative2")
        self.param_grad_ufunc = ufuncs.get("param_grad")
        self._defaults = tuple(p[1] for p in self._param_rows)
        self.accuracy = accuracy or {}
        self.__doc__ = (f"{self.name}(x, *, {', '.join(f'{k}={v!r}' for k, v in self.params.items())}"
                        f"{', ' if self.params else ''}out=None, where=True)\n\n{self.formula}\n\n"
                        f"Derivative: {self.derivative_formula}\nSource: {self.source}")

    def __repr__(self):
        ps = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"<nonlin activation {self.name}({ps})>"

    def _args(self, params):
        if not params:
            return self._defaults
        unknown = set(params) - set(self.params)
        if unknown:
            raise TypeError(f"{self.name}() got an unexpected keyword argument '{sorted(unknown)[0]}'"
                            f" (parameters: {', '.join(self.params) or 'none'})")
        return check_params(self.name, self._param_rows, params)

    def _named(self, error, lead, args):
        """`error`, or where operands do not broadcast a ValueError naming each one with its
        shape (NumPy's message names none). Only on the error path: the calls stay direct."""
        if "broadcast" not in str(error):
            return error
        shapes = [f"{k} {np.shape(v)}" for k, v in lead.items()]
        shapes += [f"{p} {np.shape(v)}" for p, v in zip(self.params, args) if np.ndim(v)]
        return ValueError(f"{self.name}: operands do not broadcast together: {', '.join(shapes)}")

    def __call__(self, x, *, out=None, where=True, **params):
        x, args = _as_operand(x, "x", self.name), self._args(params)
        try:
            return self.ufunc(x, *args, out=out, **_where(where))
        except ValueError as e:
            raise self._named(e, {"x": x}, args) from None

    def derivative(self, x, *, out=None, where=True, **params):
        """f'(x), elementwise."""
        x, args = _as_operand(x, "x", self.name), self._args(params)
        try:
            return self.derivative_ufunc(x, *args, out=out, **_where(where))
        except ValueError as e:
            raise self._named(e, {"x": x}, args) from None

    def derivative2(self, x, *, out=None, where=True, **params):
        """f''(x), elementwise (0 for piecewise-linear activations, also at their kinks)."""
        if self.derivative2_ufunc is None:
            raise NotImplementedError(f"{self.name} has no second derivative kernel")
        x, args = _as_operand(x, "x", self.name), self._args(params)
        try:
            return self.derivative2_ufunc(x, *args, out=out, **_where(where))
        except ValueError as e:
            raise self._named(e, {"x": x}, args) from None

    def backward(self, grad_out, x, *, out=None, where=True, **params):
        """grad_out * f'(x) in one fused pass."""
        x = _as_operand(x, "x", self.name)
        grad_out, args = _as_operand(grad_out, "grad_out", self.name), self._args(params)
        try:
            return self.backward_ufunc(grad_out, x, *args, out=out, **_where(where))
        except ValueError as e:
            raise self._named(e, {"grad_out": grad_out, "x": x}, args) from None

    def param_backward(self, grad_out, x, **params):
        """Gradients of the learnable parameters, each reduced to that parameter's shape."""
        if not self.learnable:
            return {}
        x = _as_operand(x, "x", self.name)
        args = self._args(params)
        fused = self._fused(grad_out, x, args, with_grad_x=False)
        if fused is not None:
            return fused[1]
        return self._reduced_param_grads(grad_out, x, args)

    def vjp(self, grad_out, x, **params):
        """``(grad_x, {parameter: gradient})``: backward and parameter gradients together, in
        one fused pass where every parameter is a scalar (the per-element terms are summed in
        float64 as they are computed, deterministically for any number of threads)."""
        x = _as_operand(x, "x", self.name)
        grad_out = _as_operand(grad_out, "grad_out", self.name)
        args = self._args(params)
        fused = self._fused(grad_out, x, args, with_grad_x=True) if self.learnable else None
        if fused is not None:
            return fused
        try:
            grad_x = self.backward_ufunc(grad_out, x, *args)
        except ValueError as e:
            raise self._named(e, {"grad_out": grad_out, "x": x}, args) from None
        return grad_x, (self._reduced_param_grads(grad_out, x, args) if self.learnable else {})

    def _fused(self, grad_out, x, args, with_grad_x):
        """The fused pass (_core._param_sums), or None where it does not apply: it needs
        contiguous float32/float64 grad_out and x of one shape and dtype, and parameters that
        are numbers or one-element arrays of that dtype (no broadcasting beyond x)."""
        if (type(x) is not np.ndarray or type(grad_out) is not np.ndarray
                or x.dtype not in _FUSED_DTYPES or grad_out.dtype != x.dtype
                or grad_out.shape != x.shape or not x.flags.c_contiguous
                or not grad_out.flags.c_contiguous):
            return None
        values = []
        for a in args:
            if type(a) in (float, int):
                values.append(a)
            elif (isinstance(a, (np.ndarray, np.generic)) and a.dtype == x.dtype and a.size == 1
                  and a.ndim <= x.ndim):
                values.append(a.reshape(()))
            else:
                return None
        grad_x = np.empty_like(x) if with_grad_x else None
        op = f"{self.name}_vjp" if with_grad_x else f"{self.name}_param_grad"
        sums = _core._param_sums(_OP_INDEX[op], grad_out, x, np.array(values, dtype=x.dtype), grad_x)
        shapes = {p[0]: np.shape(v) for p, v in zip(self._param_rows, args)}
        grads = {name: np.asarray(s, dtype=x.dtype).reshape(shapes[name])
                 for name, s in zip(self.learnable, sums)}
        return grad_x, grads

    def _reduced_param_grads(self, grad_out, x, args):
        try:
            grads = self.param_grad_ufunc(grad_out, x, *args)
        except ValueError as e:
            raise self._named(e, {"grad_out": grad_out, "x": x}, args) from None
        if not isinstance(grads, tuple):
            grads = (grads,)
        shapes = {pname: np.shape(v) for (pname, *_), v in zip(self._param_rows, args)}
        return {pname: _reduce_to_shape(np.asarray(g), shapes[pname])
                for pname, g in zip(self.learnable, grads)}


class GatedActivation:
    """A gated linear unit over the two halves of `axis`: a * act(b) (a = first half, like
    torch.nn.functional.glu)."""

    def __init__(self, name, gate_meta, forward, backward):
        self.name = name
        self.gate = gate_meta["name"]
        self.formula = f"a * {self.gate}(b), (a, b) = halves of x along axis"
        self.source = "Dauphin et al. 2016 (GLU), arXiv:1612.08083; Shazeer 2020, arXiv:2002.05202"
        self.ufunc = forward
        self.backward_ufunc = backward
        self.params = {}
        self.learnable = ()
        self.__doc__ = f"{name}(x, axis=-1, *, out=None)\n\n{self.formula}\nSource: {self.source}"

    def __repr__(self):
        return f"<nonlin gated activation {self.name} = a * {self.gate}(b)>"

    def _halves(self, x, axis):
        x, axis = _axis_operand(x, axis, self.name)
        n = x.shape[axis]
        if n % 2:
            raise ValueError(f"{self.name}: the length of axis {axis} must be even, got {n}")
        a, b = np.split(x, 2, axis=axis)
        return x, a, b, axis

    def __call__(self, x, axis=-1, *, out=None):
        _, a, b, _ = self._halves(x, axis)
        return self.ufunc(a, b, out=out)

    def backward(self, grad_out, x, axis=-1):
        """Gradient with respect to x (both halves), same shape as x."""
        x, a, b, axis = self._halves(x, axis)
        g = _arrays.real_array(grad_out, "grad_out", self.name)
        try:
            ok = np.broadcast_shapes(g.shape, a.shape) == a.shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{self.name}: grad_out of shape {g.shape} does not broadcast to the "
                             f"output's shape {a.shape} (x {x.shape} halved along axis {axis})")
        # the gradient in the dtype NumPy gives g * f'(x): a float64 grad_out is not rounded
        grad = np.empty(x.shape, dtype=np.result_type(x.dtype, g.dtype, np.float16))
        ga, gb = np.split(grad, 2, axis=axis)
        self.backward_ufunc(g, a, b, out=(ga, gb))
        return grad
