"""nonlin activations for JAX: ``nonlin.jax.gelu(x)``, ``nonlin.jax.prelu(x, weight=w)``,
``nonlin.jax.swiglu(x, axis=-1)``.

Every activation runs nonlin's C++ kernels through one XLA FFI custom-call target (no Python
callback: it works under ``jit`` and inside compiled XLA programs on CPU, and on CUDA GPUs where
nonlin was built with its CUDA kernels: the elementwise activations, gated units, rational,
coefficient-vector (series), normalising and Mittag-Leffler gated activations, the latter with
scalar parameters). Differentiation is a
``custom_jvp`` calling the derivative kernel, so ``grad``, ``jvp``, ``vmap`` (nested),
``jacfwd``/``jacrev`` all work; learnable parameters are ordinary arguments and get gradients
(e.g. ``jax.grad(lambda w: nonlin.jax.prelu(x, weight=w).sum())(w)``). Parameters broadcast
against x NumPy-style (per-channel arrays without copies). float32/float64 natively, float16 and
bfloat16 computed in float32. Second derivatives in x (grad of grad, ``jax.hessian``) use the
registry's ``<name>_derivative2`` kernel; where that is missing, in the parameters, and for gated
units they raise NotImplementedError.

Everything here is generated from the registry (see ``nonlin._adapters``).
"""

from __future__ import annotations

import contextlib
from functools import cache, partial, wraps

import numpy as np

from . import _adapters, _core

jax = _adapters.require("jax", (0, 5), "jax", lambda m: hasattr(m, "ffi") and hasattr(m.ffi, "ffi_call"))
import jax.numpy as jnp  # noqa: E402
from jax.custom_derivatives import SymbolicZero  # noqa: E402

_TARGET = "nonlin_call"
for _target, _capsule in _core._jax_ffi_targets().items():
    jax.ffi.register_ffi_target(_target, _capsule, platform="cpu")
for _target, _capsule in _core._jax_ffi_cuda_targets().items():  # builds with CUDA kernels
    jax.ffi.register_ffi_target(_target, _capsule, platform="CUDA")
from .activation import _OP_INDEX, check_params  # noqa: E402  (_OP_INDEX: op name -> kernel table row)
from .ml_activations import _INNER_CODES, _MAP_CODES, MittagLefflerActivation  # noqa: E402


def _ffi(op, shape, dtype, *operands, nout=1):
    """Run registry op `op` (a name) on operands that broadcast to `shape`."""
    out = jax.ShapeDtypeStruct(shape, dtype)
    call = jax.ffi.ffi_call(_TARGET, [out] * nout, vmap_method="expand_dims")
    res = call(*operands, op=np.int64(_OP_INDEX[op]))
    return res if nout > 1 else res[0]


def _is_zero(t):
    return t is None or isinstance(t, SymbolicZero)


def _compute_dtype(x, name, argname="x"):
    dt = jnp.result_type(x)
    if not jnp.issubdtype(dt, jnp.floating):
        raise TypeError(f"nonlin.jax.{name}: '{argname}' must be a floating-point array, got {dt}")
    return dt, (jnp.float32 if dt in (jnp.float16, jnp.bfloat16) else dt)


def _not_available(name, what):
    def rule(primals, tangents):
        raise NotImplementedError(f"nonlin.jax.{name}: {what} is not available")
    return rule


def _operands(act, x, params):
    """(x's dtype, x, [parameter values]) in the compute dtype, parameters from the keywords or
    their defaults, all reshaped to one rank (leading 1s: vmap then adds its batch axis in front
    of each operand alike)."""
    name, pnames = act.name, list(act.params)
    unknown = set(params) - set(pnames)
    if unknown:
        raise TypeError(f"nonlin.jax.{name}() got an unexpected keyword argument "
                        f"'{sorted(unknown)[0]}' (parameters: {', '.join(pnames) or 'none'})")
    x = jnp.asarray(x)
    orig, dt = _compute_dtype(x, name)
    ps = []
    for p in pnames:
        v = jnp.asarray(params.get(p, act.params[p]))
        if not (v.dtype.kind in "biu" or jnp.issubdtype(v.dtype, jnp.floating)):  # (bfloat16's kind is V)
            raise TypeError(f"nonlin.jax.{name}: parameter '{p}' must be a real number or array")
        ps.append(v.astype(dt))
    rank = max([x.ndim, *(p.ndim for p in ps)])
    x = x.astype(dt).reshape((1,) * (rank - x.ndim) + x.shape)
    return orig, x, [p.reshape((1,) * (rank - p.ndim) + p.shape) for p in ps]


def _elementwise(act):
    name = act.name
    if not _adapters.numeric_params(act):
        raise TypeError(f"nonlin.jax: {name} has non-numeric parameters {act.params}")
    pnames = list(act.params)
    learn = [p in act.learnable for p in pnames]
    missing = [op for op in (name, f"{name}_derivative") if op not in _OP_INDEX]
    if missing or (any(learn) and f"{name}_param_grad" not in _OP_INDEX):
        raise TypeError(f"nonlin.jax: {name} has no XLA kernel (ops {missing} are not in the registry)")
    has_d2 = f"{name}_derivative2" in _OP_INDEX

    def shape_of(x, ps):
        return jnp.broadcast_shapes(x.shape, *(p.shape for p in ps))

    @jax.custom_jvp
    def derivative(x, *ps):
        return _ffi(f"{name}_derivative", shape_of(x, ps), x.dtype, x, *ps)

    @jax.custom_jvp
    def derivative2(x, *ps):
        return _ffi(f"{name}_derivative2", shape_of(x, ps), x.dtype, x, *ps)
    derivative2.defjvp(_not_available(name, "the third derivative"))

    if has_d2:
        def derivative_jvp(primals, tangents):
            x, *ps = primals
            if not all(_is_zero(t) for t in tangents[1:]):
                _not_available(name, "the second derivative in a parameter")(primals, tangents)
            d = derivative(x, *ps)
            if _is_zero(tangents[0]):
                return d, jnp.zeros_like(d)
            return d, derivative2(x, *ps) * tangents[0]

        derivative.defjvp(derivative_jvp, symbolic_zeros=True)
    else:
        derivative.defjvp(_not_available(name, f"the second derivative (no op '{name}_derivative2')"))

    @jax.custom_jvp
    def forward(x, *ps):
        return _ffi(name, shape_of(x, ps), x.dtype, x, *ps)

    def forward_jvp(primals, tangents):
        x, *ps = primals
        tx, *tps = tangents
        y = forward(x, *ps)
        ty = None if _is_zero(tx) else derivative(x, *ps) * tx
        for pname, lrn, tp in zip(pnames, learn, tps):
            if not _is_zero(tp) and not lrn:
                raise TypeError(f"nonlin.jax.{name}: parameter '{pname}' is not learnable (no "
                                f"gradient kernel); pass it as a constant")
        if any(lrn and not _is_zero(tp) for lrn, tp in zip(learn, tps)):
            one = jnp.ones((1,) * x.ndim, x.dtype)
            grads = param_grads(one, x, *ps)
            for g, tp in zip(grads, [tp for lrn, tp in zip(learn, tps) if lrn]):
                if not _is_zero(tp):
                    ty = g * tp if ty is None else ty + g * tp
        return y, jnp.zeros_like(y) if ty is None else jnp.broadcast_to(ty, y.shape)

    forward.defjvp(forward_jvp, symbolic_zeros=True)

    nlearn = sum(learn)

    @jax.custom_jvp
    def param_grads(g, x, *ps):  # g * df/dp for each learnable p, elementwise
        res = _ffi(f"{name}_param_grad", shape_of(x, ps), x.dtype, g, x, *ps, nout=nlearn)
        return tuple(res) if nlearn > 1 else (res,)

    param_grads.defjvp(_not_available(name, "the derivative of a parameter gradient"))

    def fn(x, **params):
        orig, x, ps = _operands(act, x, params)
        return forward(x, *ps).astype(orig)

    return _checked(act, _describe(fn, act, _adapters.signature(act), ()))


def _checked(act, jitted):
    """jitted(x, **params) after the activation's parameter constraints are checked on the
    values that are concrete (numbers, NumPy or JAX arrays): a ValueError naming the parameter,
    as in the NumPy and torch paths. Traced values (inside the caller's jit or grad) cannot be
    checked and pass as they are."""
    name = f"nonlin.jax.{act.name}"
    rows = getattr(act, "_param_rows", None)

    def concrete(v):
        return not isinstance(v, jax.core.Tracer)

    def host(v):  # a concrete value as NumPy checks it (bfloat16, unknown to NumPy, widened)
        a = np.asarray(v)
        return a.astype(np.float32) if jnp.issubdtype(a.dtype, jnp.floating) and a.dtype.kind == "V" else a

    def check(params):
        if rows is None:  # Mittag-Leffler gated: the activation's own check, all values concrete
            if all(concrete(v) for v in params.values()):
                act._params({k: host(v) for k, v in params.items()})
            return
        check_params(name, rows, {k: host(v) if isinstance(v, jax.Array) and concrete(v) else v
                                  for k, v in params.items()}, checkable=concrete)

    @wraps(jitted)
    def call(x, **params):
        check(params)
        return jitted(x, **params)

    return call


def _gated(act):
    name = act.name
    if name not in _OP_INDEX or f"{name}_backward" not in _OP_INDEX:
        raise TypeError(f"nonlin.jax: {name} has no XLA kernel")

    @jax.custom_jvp
    def unit(a, b):
        return _ffi(name, a.shape, a.dtype, a, b)

    def unit_jvp(primals, tangents):
        a, b = primals
        ta, tb = tangents
        one = jnp.ones((1,) * a.ndim, a.dtype)
        gate, slope = _partials(one, a, b)  # act(b) and a * act'(b)
        return unit(a, b), gate * ta + slope * tb

    @jax.custom_jvp
    def _partials(one, a, b):
        return tuple(_ffi(f"{name}_backward", a.shape, a.dtype, one, a, b, nout=2))

    _partials.defjvp(_not_available(name, "the second derivative of a gated unit"))
    unit.defjvp(unit_jvp)

    def fn(x, axis=-1):
        x = jnp.asarray(x)
        orig, dt = _compute_dtype(x, name)
        axis = _adapters.gated_axis(f"nonlin.jax.{name}", x.shape, axis, "axis")
        a, b = jnp.split(x.astype(dt), 2, axis=axis)
        return unit(a, b).astype(orig)

    return _describe(fn, act, f"{name}(x, axis=-1)", ("axis",))


# --- activations with coefficient arrays: one FFI target pair each ----------------------------
def _target_call(target, attrs, shapes, *operands):
    calls = jax.ffi.ffi_call(target, [jax.ShapeDtypeStruct(s.shape, s.dtype) for s in shapes],
                             vmap_method="sequential")

    def run(*ops):
        return calls(*ops, **{k: np.int64(v) for k, v in attrs})
    if target.endswith("_vjp"):  # gradients: differentiating them again says what is missing
        run = jax.custom_jvp(run)
        run.defjvp(_not_available(target.removeprefix("nonlin_").removesuffix("_vjp"),
                                  "the second derivative"))
    return run(*operands)


@partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def _array_call(target, attrs, x, *operands):
    """target(x, *operands; attrs, mode=0) -> y of x's shape; reverse mode by target_vjp, which
    returns grad_x and each operand's gradient (reduced over the elements by the kernel).
    Operands are dense: vmap runs the call per example (the kernels treat x as flat)."""
    return _target_call(target, attrs + (("mode", 0),), [x], x, *operands)[0]


def _array_call_fwd(target, attrs, x, *operands):
    return _array_call(target, attrs, x, *operands), (x, operands)


def _array_call_bwd(target, attrs, res, g):
    x, operands = res
    return tuple(_target_call(f"{target}_vjp", attrs, [x, *operands], g.astype(x.dtype), x, *operands))


_array_call.defvjp(_array_call_fwd, _array_call_bwd)


def _arrays_in(act, name, arrays, dt):
    if not arrays:
        arrays = tuple(act.initial()[k] for k in act.arrays)
    if len(arrays) != len(act.arrays):
        raise TypeError(f"nonlin.jax.{name}: pass all of {', '.join(act.arrays)} or none")
    return [jnp.asarray(a, dt) for a in arrays]


def _series(act):
    """A coefficient-vector activation (nonlin.series): targets nonlin_series[_vjp]."""
    name = act.name

    def fn(x, *arrays):
        x = jnp.asarray(x)
        orig, dt = _compute_dtype(x, name)
        arrays = _arrays_in(act, name, arrays, dt)
        attrs = (("family", act.family), ("degree", act.degree_of(arrays)))
        params = jnp.concatenate([a.reshape(-1) for a in arrays])
        return _array_call("nonlin_series", attrs, x.astype(dt), params).astype(orig)

    return _describe(fn, act, f"{name}(x, {', '.join(act.arrays)})", ())


def _rational(act):
    """nl.rational (versions A-D, N; KAT groups along `axis`): targets nonlin_rational[_vjp].
    A shared 1-D numerator/denominator is broadcast to the group table (its gradient summed
    over the groups by JAX)."""
    from ._rational import Geometry, noise_options

    def fn(x, numerator, denominator, version="A", groups=None, axis=-1, training=False, seed=0):
        x = jnp.asarray(x)
        orig, dt = _compute_dtype(x, "rational")
        num, den = _arrays_in(act, "rational", (numerator, denominator), dt)
        geo = Geometry(x.shape, num.shape, den.shape, version, groups, axis)
        training, seed = noise_options(training, seed)
        if seed >= 2**63:
            seed -= 2**64  # the int64 attribute carries the same 64 bits
        attrs = (("version", "ABCDN".index(geo.version)), ("m", geo.m), ("n", geo.n),
                 ("groups", geo.groups), ("run", geo.run), ("training", int(training)), ("seed", seed))
        G = geo.groups
        num_t = jnp.broadcast_to(num.reshape(-1, num.shape[-1]), (G, num.shape[-1])).reshape(-1)
        rows = den.shape[0] if den.ndim == 2 else 1  # (n = 0: no coefficients, Q = 1)
        den_t = jnp.broadcast_to(den.reshape(rows, den.shape[-1]), (G, den.shape[-1])).reshape(-1)
        return _array_call("nonlin_rational", attrs, x.astype(dt), num_t, den_t).astype(orig)

    fn.__name__ = fn.__qualname__ = "rational"
    fn.__doc__ = ("rational(x, numerator, denominator, version='A', groups=None, axis=-1, "
                  "training=False, seed=0)\n\nJAX version of nonlin.rational (XLA FFI, custom_vjp)."
                  f"\n\n{act.__doc__ or ''}")
    return jax.jit(fn, static_argnames=("version", "groups", "axis", "training", "seed"))


@partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def _norm_call(op, learn_idx, x, params):
    """A normalising activation over the last axis of x; params flat in registry order, the
    learnable entries at learn_idx (the kernel's gradient slots, in that order)."""
    return _target_call("nonlin_norm", (("op", op),), [x], x, params)[0]


def _norm_call_fwd(op, learn_idx, x, params):
    return _norm_call(op, learn_idx, x, params), (x, params)


def _norm_call_bwd(op, learn_idx, res, g):
    x, params = res
    slots = jax.ShapeDtypeStruct((len(learn_idx),), x.dtype)
    gx, gs = _target_call("nonlin_norm_vjp", (("op", op),), [x, slots], g.astype(x.dtype), x, params)
    gp = jnp.zeros(params.shape, params.dtype)
    if learn_idx:
        gp = gp.at[np.array(learn_idx)].set(gs.astype(params.dtype))
    return gx, gp


_norm_call.defvjp(_norm_call_fwd, _norm_call_bwd)


_ML_PARTS = {"": 0, "_dz": 1, "_dalpha": 2, "_dbeta": 3}  # the `part` of target nonlin_ml


class _JaxBackend:
    """The array backend of the Mittag-Leffler gated activations (ml_activations._parts) in
    JAX: jax.numpy in the compute dtype and the XLA FFI target nonlin_ml for the E factors."""

    xp = jnp

    def __init__(self, dtype):
        self.dtype = dtype

    def asarray(self, v):
        return jnp.asarray(v, self.dtype)

    def ml(self, name, z, a, b, shift):
        shape = jnp.broadcast_shapes(z.shape, a.shape, b.shape, shift.shape)
        call = jax.ffi.ffi_call("nonlin_ml", jax.ShapeDtypeStruct(shape, self.dtype),
                                vmap_method="expand_dims")
        return call(z, a, b, shift, part=np.int64(_ML_PARTS[name]))

    @staticmethod
    def quiet():
        return contextlib.nullcontext()


def _ml_gated(act):
    """A Mittag-Leffler gated activation (nonlin.ml_activations): the NumPy path's formulas on
    jax.numpy, the E factors and their derivatives through nonlin_ml, custom_jvp for x and the
    four learnable parameters."""
    name, pnames = act.name, list(act.params)
    form = dict(gamma=np.int64(act.gamma), inner=np.int64(_INNER_CODES[act.inner]),
                f=np.int64(_MAP_CODES[act.f]), g=np.int64(_MAP_CODES[act.g]), c=np.float64(act.c))

    def fused(mode, x, ps, need=0xF):
        """Target nonlin_ml_gated (one fused pass) when every parameter is a scalar, else None;
        mode 4 evaluates only the parameters whose bit is set in need (the other rows are 0)."""
        if not act.has_fused_kernel or any(jnp.size(p) != 1 for p in ps):
            return None
        shape = (4, *x.shape) if mode == 4 else x.shape
        call = jax.ffi.ffi_call("nonlin_ml_gated", jax.ShapeDtypeStruct(shape, x.dtype),
                                vmap_method="sequential")
        return call(x, jnp.stack([jnp.asarray(p, x.dtype).reshape(()) for p in ps]), mode=np.int64(mode),
                    need=np.int64(need), **form)

    def parts(x, ps, need_derivative, need_params):
        """The formulas with per-element parameters, in float64 (like NumPy's path): ratios of
        factors scaled by a common shift, which float32 cannot carry (ml_gelu was 3.7% off at
        x = 1000, inf at 1e5); results in x's dtype."""
        if x.dtype != jnp.float64 and not jax.config.jax_enable_x64:
            raise ValueError(f"nonlin.jax.{name}: parameters given as arrays are evaluated in "
                             f"float64, which needs jax.config.update('jax_enable_x64', True) "
                             f"(results keep x's dtype {x.dtype}); or pass scalar parameters")
        f64 = [jnp.asarray(v, jnp.float64) for v in (x, *ps)]
        o = act._parts(f64[0], dict(zip(pnames, f64[1:])), need_derivative, need_params,
                       _JaxBackend(jnp.float64))
        return {k: v.astype(x.dtype) for k, v in o.items()}

    @cache
    def coefficients(need):  # (df/dx, then df/dp for each parameter; bit k of need: p_k asked)
        @jax.custom_jvp
        def c(x, *ps):
            d = fused(1, x, ps)
            if d is not None:
                return (d, *(fused(4, x, ps, need) if need else ()))
            o = parts(x, ps, True, bool(need))
            return (o["derivative"], *(o[k] for k in pnames if need))

        c.defjvp(_not_available(name, "the second derivative"))
        return c

    @jax.custom_jvp
    def forward(x, *ps):
        y = fused(0, x, ps)
        return y if y is not None else parts(x, ps, False, False)["value"]

    def forward_jvp(primals, tangents):
        x, *ps = primals
        y = forward(x, *ps)
        need = sum(1 << k for k, t in enumerate(tangents[1:]) if not _is_zero(t))
        cs = coefficients(need)(x, *ps)
        ty = jnp.zeros_like(y)
        for c, t in zip(cs, tangents):
            if not _is_zero(t):
                ty = ty + c * t
        return y, ty

    forward.defjvp(forward_jvp, symbolic_zeros=True)

    def fn(x, **params):
        orig, x, ps = _operands(act, x, params)
        return forward(x, *ps).astype(orig)

    return _checked(act, _describe(fn, act, _adapters.signature(act), ()))


def _normalizing(act):
    """A normalising activation (nonlin.normalizing) over `axis`: targets nonlin_norm[_vjp];
    the learnable parameters are the arrays, the others static keywords."""
    name = act.name
    options = [k for k in act.static if k != "axis"]

    def fn(x, *arrays, axis=-1, **opts):
        x = jnp.asarray(x)
        orig, dt = _compute_dtype(x, name)
        if x.ndim == 0:
            raise ValueError(f"nonlin.jax.{name}: x needs an axis")
        arrays = dict(zip(act.arrays, _arrays_in(act, name, arrays, dt)))
        unknown = set(opts) - set(options)
        if unknown:
            raise TypeError(f"nonlin.jax.{name}() got an unexpected keyword argument "
                            f"'{sorted(unknown)[0]}' (options: {', '.join(options)})")
        # validate the static values with placeholders of the learnable arrays' shapes
        act._values({**opts, **{k: np.resize(np.asarray(act.params[k], np.float64), a.shape)
                                for k, a in arrays.items()}})
        flat, learn_idx, at = [], [], 0
        for pname, default, *_ in act._param_rows:
            v = arrays[pname] if pname in arrays else jnp.asarray(opts.get(pname, default), dt)
            v = v.reshape(-1)
            if pname in arrays:
                learn_idx += range(at, at + v.size)
            flat.append(v)
            at += v.size
        ax = _adapters.axis_index(f"nonlin.jax.{name}", x.ndim, axis)
        xm = jnp.moveaxis(x.astype(dt), ax, -1)
        y = _norm_call(act._op, tuple(learn_idx), xm, jnp.concatenate(flat))
        return jnp.moveaxis(y, -1, ax).astype(orig)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{name}(x, {', '.join(act.arrays)}, axis=-1, {', '.join(options)})\n\nJAX "
                  f"version of nonlin.{name} (XLA FFI, custom_vjp).\n\n{act.__doc__ or ''}")
    return jax.jit(fn, static_argnames=("axis", *options))


def _describe(fn, act, signature, static):
    """Name and document `fn`, and jit it: called eagerly, a cached jit dispatch costs ~10 us
    where op-by-op evaluation of the custom_jvp + FFI call costs ~1 ms."""
    fn.__name__ = fn.__qualname__ = act.name
    fn.__doc__ = f"{signature}\n\nJAX version of nonlin.{act.name} (XLA FFI, custom_jvp).\n\n{act.__doc__ or ''}"
    return jax.jit(fn, static_argnames=static)


def wrap(act):
    """The JAX function for a nonlin activation object (elementwise, gated or array protocol)."""
    if _adapters.is_array(act):
        if act.name == "rational":
            return _rational(act)
        return _normalizing(act) if getattr(act, "kind", None) == "normalizing" else _series(act)
    if isinstance(act, MittagLefflerActivation):
        return _ml_gated(act)
    return _gated(act) if _adapters.is_gated(act) else _elementwise(act)


def __getattr__(name):
    acts = _adapters.activations()
    if name not in acts:
        raise AttributeError(f"module 'nonlin.jax' has no attribute '{name}'")
    fn = globals()[name] = wrap(acts[name])
    return fn


def __dir__():
    return sorted([*globals(), *_adapters.activations()])
