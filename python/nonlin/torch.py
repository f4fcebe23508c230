"""nonlin activations for PyTorch: functional ops (``nonlin.torch.gelu(t)``,
``nonlin.torch.leaky_relu(t, negative_slope=0.2)``, ``nonlin.torch.swiglu(t, dim=-1)``), modules
with PyTorch's constructor conventions (``nonlin.torch.GELU()``, ``nonlin.torch.PReLU(
num_parameters=64, init=0.25)``, ``nonlin.torch.SwiGLU(dim=-1)``) and
``replace_activations(model)``.

Each activation is a ``torch.library.custom_op`` in the namespace ``nonlin`` (``torch.ops.nonlin.
gelu``, ``..._backward``, ``..._param_backward``) with fake (meta) kernels and an autograd formula,
so ``torch.compile(fullgraph=True)`` and ``torch.library.opcheck`` work. CPU tensors are handed
to nonlin's kernels without copies (NumPy views of the tensors, results written into the output
tensor); float16/float32/float64 natively, bfloat16 computed in float32. Parameters are tensors
or numbers broadcasting against x NumPy-style; learnable ones get gradients (reduced to their
shape). Double backward (``gradgradcheck``, Hessian-vector products) in x uses the activation's
``derivative2`` kernel; where that is missing, in the parameters, and for gated units it raises
a RuntimeError saying so. CUDA tensors run on nonlin's CUDA kernels (elementwise activations,
gated units, the rational activations such as ``PAU``, the coefficient-vector (series), the
normalising and the Mittag-Leffler gated ones (scalar parameters), on torch's current stream;
``nonlin._torch_cuda``) where nonlin was built with them, and raise a RuntimeError saying so
otherwise.

Everything is generated from the registry (see ``nonlin._adapters``): no per-activation code.
"""

from __future__ import annotations

import inspect
import json

import numpy as np

from . import _adapters, _torch_cuda
from ._arrays import real_array

torch = _adapters.require("torch", (2, 4), "torch",
                          lambda m: hasattr(m, "library") and hasattr(m.library, "custom_op"))
from torch import nn  # noqa: E402

_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


# --- the CPU hand-off -------------------------------------------------------------------------
def _check_input(name, x, argname="x"):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"nonlin.torch.{name}: '{argname}' must be a torch.Tensor, got {type(x).__name__}")
    if x.dtype not in _DTYPES:
        raise TypeError(f"nonlin.torch.{name}: '{argname}' must be float16, bfloat16, float32 or "
                        f"float64, got {x.dtype}")


def _param_value(name, pname, v, dtype, device):
    """A parameter as the kernels take it: tensors in the compute dtype, real scalars (also
    NumPy's, which would promote float32 results to float64) as Python floats, arrays and
    lists as tensors of the compute dtype; anything else is left to the activation's own
    validation."""
    if isinstance(v, torch.Tensor):
        _check_input(name, v, pname)
        return v.to(dtype)
    if isinstance(v, (np.floating, np.integer, np.bool_)):
        return float(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return torch.as_tensor(real_array(v, pname, f"nonlin.torch.{name}"), dtype=dtype, device=device)
    return v


def _on_cuda(name, *tensors):
    """False for CPU tensors, True for CUDA tensors with CUDA kernels built; raises otherwise."""
    return _torch_cuda.check_device(name, [t for t in tensors if isinstance(t, torch.Tensor)]) == "cuda"


def _np(t):
    """A NumPy view of a CPU tensor (bfloat16, which NumPy lacks, as a float32 copy)."""
    if t.requires_grad:
        t = t.detach()
    return t.float().numpy() if t.dtype is torch.bfloat16 else t.numpy()


def _scalar_or_np(t):
    # 0-d parameters go in as Python floats: NumPy's fastest path, no array validation.
    if not isinstance(t, torch.Tensor):
        return t
    return t.item() if t.ndim == 0 else _np(t)


def _into(out, compute):
    """Run compute(out_array) writing into `out` (zero-copy unless out is bfloat16)."""
    if out.dtype is torch.bfloat16:
        tmp = np.empty(out.shape, np.float32)
        compute(tmp)
        out.copy_(torch.from_numpy(tmp))
    else:
        compute(out.numpy())
    return out


def _writer(fn):
    """write(o, *arrays, **params): fn's result into the array o (directly when fn has out=)."""
    if _adapters.accepts_out(fn):
        return lambda o, *a, **kw: fn(*a, out=o, **kw)
    return lambda o, *a, **kw: np.copyto(o, fn(*a, **kw), casting="same_kind")


def _contiguous_like(t):
    return torch.empty(t.shape, dtype=t.dtype, device=t.device)


def _empty_result(x, *others):
    others = [t for t in others if isinstance(t, torch.Tensor)]
    if all(t.ndim == 0 or t.shape == x.shape for t in others):  # the common case, fast
        return torch.empty_like(x)
    shape = torch.broadcast_shapes(x.shape, *(t.shape for t in others))
    return torch.empty_like(x) if shape == x.shape else x.new_empty(shape)


_CPU_KERNELS = torch.library.Library("nonlin", "IMPL")


def _custom_op(name, impl, schema):
    """torch.library.custom_op nonlin::name running impl, which also goes in directly as the op's
    CPU kernel: CPU tensors then skip custom_op's Python wrapper around it (~7 us per call,
    what small tensors in compiled graphs pay)."""
    op = torch.library.custom_op(f"nonlin::{name}", impl, mutates_args=(), schema=schema)
    _CPU_KERNELS.impl(name, impl, "CPU")
    return op


_PLAIN = (torch.Tensor, nn.Parameter)


def _eager_context_check():
    """The check that no tracing, transform or mode is active, from torch's private C hooks; a
    torch without one of them gets a check that always says no (every call uses the ops)."""
    C = torch._C
    try:
        functorch, function_mode, stack = (C._are_functorch_transforms_active,
                                           C._is_torch_function_mode_enabled, C._len_torch_dispatch_stack)
        mode, fake, proxy = C._get_dispatch_mode, C._TorchDispatchModeKey.FAKE, C._TorchDispatchModeKey.PROXY
        tracing = C._get_tracing_state
    except AttributeError:
        return lambda: False
    return lambda: not (torch.compiler.is_compiling() or tracing() is not None or functorch()
                        or function_mode() or stack() > 0 or mode(fake) is not None
                        or mode(proxy) is not None)


_plain_eager_context = _eager_context_check()


def _eager(x, values):
    """True where a call can skip the custom-op dispatcher (~10 microseconds per call) and run
    the kernel directly: plain CPU tensors, eager mode, no tracing, no torch.func transform, no
    dispatch or function mode. Everything else (torch.compile, export, FakeTensor, meta,
    vmap/grad of torch.func, subclasses) goes through the registered custom ops."""
    if type(x) not in _PLAIN or not x.is_cpu:
        return False
    for v in values:
        if isinstance(v, torch.Tensor) and (type(v) not in _PLAIN or not v.is_cpu):
            return False
    return _plain_eager_context()


def _transform_path(*tensors):
    """True under a torch.func transform (grad, vjp, jacrev, jvp, jacfwd, vmap) or forward-mode
    AD with a tangent on an input, outside torch.compile: the ops then go through an
    autograd.Function with setup_context, a jvp rule and a generated vmap rule (torch's own
    autograd for custom ops supports neither functorch's grad nor forward mode)."""
    if torch.compiler.is_compiling():
        if torch.autograd.forward_ad._current_level >= 0:
            # traced, the op would be a plain custom op, whose tangents torch drops silently
            raise NotImplementedError(
                "nonlin.torch: forward-mode AD (jvp, jacfwd, forward_ad) inside torch.compile is "
                "not supported; apply the transform outside the compiled function")
        return False
    return torch._C._are_functorch_transforms_active() or _forward_ad(*tensors)


def _forward_ad(*tensors):
    """True if a forward-AD level is open and an input carries a tangent (one attribute read
    otherwise: the eager path's check, where no transform can be active)."""
    fa = torch.autograd.forward_ad
    return fa._current_level >= 0 and any(
        isinstance(t, torch.Tensor) and fa.unpack_dual(t).tangent is not None for t in tensors)


def _terminal_function(label, forward, message):
    """An autograd.Function for the torch.func path whose forward is `forward` and whose own
    derivatives raise NotImplementedError(message): the last link of a derivative chain."""
    def unavailable(*args):
        raise NotImplementedError(message)
    return type(label, (torch.autograd.Function,), {
        "generate_vmap_rule": True, "forward": staticmethod(forward),
        "setup_context": staticmethod(lambda ctx, inputs, output: None),
        "backward": staticmethod(unavailable), "jvp": staticmethod(unavailable)})


def _vmap_elementwise(op):
    """A vmap rule for an elementwise op whose tensor operands broadcast: every batched operand
    gets its batch first and ones for the dimensions it lacks against the others; the result
    is batched on dim 0."""
    def rule(info, in_dims, *args):
        ranks = [a.dim() - (d is not None) for a, d in zip(args, in_dims)]
        r = max(ranks)
        moved = []
        for a, d, k in zip(args, in_dims, ranks):
            if d is not None:
                a = a.movedim(d, 0)
                a = a.reshape(a.shape[0], *([1] * (r - k)), *a.shape[1:])
            moved.append(a)
        return op(*moved), 0
    return rule


def _vmap_loop(info, in_dims, op, args):
    """A vmap rule that runs op sample by sample (slices of the batched operands; lists of
    tensors sliced entry by entry) and stacks the results on dim 0."""
    def each(a, d, f):  # f(tensor, batch dim) on every batched tensor of an argument
        if isinstance(a, (list, tuple)):
            return [each(t, dt, f) for t, dt in zip(a, d)]
        return a if d is None else f(a, d)

    def call(f):
        return op(*(each(a, d, f) for a, d in zip(args, in_dims)))
    if info.batch_size == 0:  # shapes from one sample of zeros, then none of it
        one = call(lambda t, d: t.new_zeros(t.shape[:d] + t.shape[d + 1:]))
        if isinstance(one, (list, tuple)):
            return tuple(o[None][:0] for o in one), (0,) * len(one)
        return one[None][:0], 0
    outs = [call(lambda t, d: t.select(d, i)) for i in range(info.batch_size)]
    if isinstance(outs[0], (list, tuple)):
        res = tuple(torch.stack(o) for o in zip(*outs))
        return res, (0,) * len(res)
    return torch.stack(outs), 0


def _no_param_tangents(name, tangents):
    if any(t is not None for t in tangents):
        raise NotImplementedError(f"nonlin.torch.{name}: forward-mode derivatives in the "
                                  f"parameters are not available (in x they are)")


def _tensors(values, device):
    """Parameters as tensors, as the ops take them: numbers as 0-d float64 tensors (the kernels
    read them back as Python floats, so they are not rounded to x's dtype first)."""
    return [v if isinstance(v, torch.Tensor) else torch.tensor(v, dtype=torch.float64, device=device)
            for v in values]


def _no_legacy_batching(name, grad):
    """Batched grads of torch.autograd (is_grads_batched, jacobian(vectorize=True)) cannot batch
    ops that return several tensors (array activations, parameter gradients): say so."""
    if torch._C._functorch.is_legacy_batchedtensor(grad):
        raise NotImplementedError(
            f"nonlin.torch.{name}: batched grads (is_grads_batched=True, jacobian(vectorize="
            f"True)) are not available for gradients of learnable arrays or parameters; use "
            f"torch.func.jacrev / vmap(vjp) or vectorize=False")


def _through_ops(grad):
    """In a backward: the differentiable ops rather than the kernels directly (create_graph, a
    functorch transform, or batched grads: is_grads_batched, jacobian(vectorize=True))."""
    fc = torch._C._functorch
    return (torch.is_grad_enabled() or torch._C._are_functorch_transforms_active()
            or fc.is_batchedtensor(grad) or fc.is_legacy_batchedtensor(grad))


def _needs_grad(*tensors):
    return torch.is_grad_enabled() and any(
        isinstance(t, torch.Tensor) and t.requires_grad for t in tensors)


def _from_np(a, like):
    return torch.from_numpy(np.ascontiguousarray(a)).to(like.dtype).reshape(like.shape)


def _no_context(ctx, inputs, output):
    pass


# --- elementwise activations -------------------------------------------------------------------
class _Elementwise:
    """The custom ops, the functional and the module class of one elementwise activation."""

    def __init__(self, act):
        if not _adapters.numeric_params(act):
            raise TypeError(f"nonlin.torch: {act.name} has non-numeric parameters {act.params}; "
                            f"the adapter passes parameters as tensors")
        self.act = act
        self.name = name = act.name
        self.pnames = list(act.params)
        self.learn = [p in act.learnable for p in self.pnames]
        # f'' for double backward: a derivative2 method (Activation objects without the kernel
        # say so with derivative2_ufunc = None)
        self.has_d2 = (callable(getattr(act, "derivative2", None))
                       and getattr(act, "derivative2_ufunc", True) is not None)
        self._write = {"forward": _writer(act), "derivative": _writer(act.derivative),
                       "backward": _writer(act.backward)}
        if self.has_d2:
            self._write["derivative2"] = _writer(act.derivative2)
        sig = ", ".join(["Tensor x", *(f"Tensor {p}" for p in self.pnames)])
        gsig = ", ".join(["Tensor grad", "Tensor x", *(f"Tensor {p}" for p in self.pnames)])
        self.forward = _custom_op(name, self._forward_impl, f"({sig}) -> Tensor")
        self.backward = _custom_op(f"{name}_backward", self._backward_impl, f"({gsig}) -> Tensor")
        self.forward.register_fake(lambda x, *ps: _empty_result(x, *ps))
        self.backward.register_fake(lambda g, x, *ps: _empty_result(x, g, *ps))
        self.forward.register_autograd(self._grad, setup_context=self._save)
        if any(self.learn):
            self.param_backward = _custom_op(f"{name}_param_backward", self._param_backward_impl,
                                             f"({gsig}) -> Tensor[]")
            self.param_backward.register_fake(
                lambda g, x, *ps: [torch.empty_like(p) for p, lrn in zip(ps, self.learn) if lrn])
            self.param_backward.register_autograd(self._no_grad_of_grad, setup_context=_no_context)
        if self.has_d2:
            self.derivative = _custom_op(f"{name}_derivative", self._derivative_impl,
                                         f"({sig}) -> Tensor")
            self.derivative2 = _custom_op(f"{name}_derivative2", self._derivative2_impl,
                                          f"({sig}) -> Tensor")
            for op in (self.derivative, self.derivative2):
                op.register_fake(lambda x, *ps: _empty_result(x, *ps))
            self.backward.register_autograd(self._grad_of_grad, setup_context=self._save)
        else:
            self.backward.register_autograd(self._no_grad_of_grad, setup_context=_no_context)
        # torch.func.vmap: elementwise ops broadcast the batch like any other dimension; the
        # parameter gradients are reductions, sample by sample
        for op in (self.forward, self.backward, *((self.derivative, self.derivative2) if self.has_d2 else ())):
            op.register_vmap(_vmap_elementwise(op))
        if any(self.learn):
            self.param_backward.register_vmap(
                lambda info, dims, *args: _vmap_loop(info, dims, self.param_backward, args))

    # kernels (CPU, zero-copy through NumPy views)
    def _kw(self, ps):
        return {p: _scalar_or_np(t) for p, t in zip(self.pnames, ps)}

    def _forward_impl(self, x, *ps):
        return self._run("forward", "", x, ps)

    def _derivative_impl(self, x, *ps):
        return self._run("derivative", "_derivative", x, ps)

    def _derivative2_impl(self, x, *ps):
        return self._run("derivative2", "_derivative2", x, ps)

    def _backward_impl(self, g, x, *ps):
        return self._run("backward", "_backward", x, ps, g)

    def _run(self, kind, suffix, x, ps, *grad):
        if _on_cuda(self.name, x, *grad, *ps):
            if kernel := _torch_cuda.protocol_kernel(self.act):
                return kernel(torch, self.act, kind, x, ps, *grad)
            return _torch_cuda.run(torch, self.name + suffix, [*grad, x, *ps], x.dtype, data=1 + len(grad))[0]
        write = self._write[kind]
        return _into(_empty_result(x, *grad, *ps),
                     lambda o: write(o, *map(_np, grad), _np(x), **self._kw(ps)))

    def _eager_forward(self, x, ps):
        """The forward on plain CPU tensors in eager mode (_eager): NumPy allocates, torch adopts."""
        if x.ndim and x.dtype is not torch.bfloat16:
            return torch.from_numpy(self.act(_np(x), **self._kw(ps)))
        return self._forward_impl(x, *ps)

    def _param_backward_impl(self, g, x, *ps):
        if _on_cuda(self.name, g, x, *ps):
            if kernel := _torch_cuda.protocol_kernel(self.act):
                grads = kernel(torch, self.act, "params", x, ps, g)
                return [t for t, lrn in zip(grads, self.learn) if lrn]
            learnable = [p for p, lrn in zip(ps, self.learn) if lrn]
            terms = _torch_cuda.run(torch, f"{self.name}_param_grad", [g, x, *ps], x.dtype, data=2,
                                    nout=len(learnable))
            return [_torch_cuda.reduce_to(torch, t, p) if isinstance(p, torch.Tensor) else None
                    for t, p in zip(terms, learnable)]
        grads = self.act.param_backward(_np(g), _np(x), **self._kw(ps))
        return [_from_np(grads[p], t) if isinstance(t, torch.Tensor) else None
                for p, t, lrn in zip(self.pnames, ps, self.learn) if lrn]

    # autograd
    @staticmethod
    def _save(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    def _grad(self, ctx, grad):
        x, *ps = ctx.saved_tensors
        return self._grads(ctx.needs_input_grad, grad, x, ps, direct=False)

    def _check_learnable(self, need):
        for i, (p, lrn) in enumerate(zip(self.pnames, self.learn)):
            if need[1 + i] and not lrn:
                raise RuntimeError(f"nonlin.torch.{self.name}: parameter '{p}' is not learnable "
                                   f"(no gradient kernel); pass it as a number or detach it")

    def _grads(self, need, grad, x, ps, direct):
        """Gradients of (x, *ps) given grad = dL/dy. direct: call the kernels without the
        custom-op dispatcher (eager, no create_graph); else the ops (differentiable again)."""
        self._check_learnable(need)
        need_params = any(need[1 + i] for i, lrn in enumerate(self.learn) if lrn)
        if need_params:
            _no_legacy_batching(self.name, grad)
        vjp = getattr(self.act, "vjp", None)
        cpu = direct or not _on_cuda(self.name, grad, x, *ps)  # direct: plain CPU tensors
        if (direct and cpu and vjp is not None and need[0] and need_params and x.ndim
                and grad.dtype is x.dtype is not torch.bfloat16):
            # one fused pass: grad_x and the parameter gradients (summed in the kernel where
            # the parameters are scalars)
            gx, grads = vjp(_np(grad), _np(x), **self._kw(ps))
            gx = torch.from_numpy(gx)
            gx = gx if tuple(gx.shape) == tuple(x.shape) else gx.sum_to_size(x.shape)
            return (gx, *(_from_np(grads[p], t) if need[1 + i] and lrn else None
                          for i, (p, t, lrn) in enumerate(zip(self.pnames, ps, self.learn))))
        gx = None
        if need[0]:
            if not direct:
                gx = self.backward(grad, x, *ps)
            elif cpu and x.ndim and grad.dtype is x.dtype is not torch.bfloat16:
                gx = torch.from_numpy(self.act.backward(_np(grad), _np(x), **self._kw(ps)))
            else:
                gx = self._backward_impl(grad, x, *ps)
            gx = gx if tuple(gx.shape) == tuple(x.shape) else gx.sum_to_size(x.shape)
        gps = [None] * len(ps)
        if need_params:
            it = iter(self._param_backward_impl(grad, x, *ps) if direct
                      else self.param_backward(grad, x, *ps))
            gps = [next(it) if lrn else None for lrn in self.learn]
            gps = [g if need[1 + i] else None for i, g in enumerate(gps)]
        return (gx, *gps)

    def _function(self):
        """The eager autograd path: a torch.autograd.Function over the kernels (parameters may
        be numbers). Under create_graph it differentiates through the custom ops instead, so
        double backward is the same as on the registered path."""
        owner = self

        class Fn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x, *ps):
                tensors = [p for p in ps if isinstance(p, torch.Tensor)]
                ctx.save_for_backward(x, *tensors)
                ctx.numbers = [None if isinstance(p, torch.Tensor) else p for p in ps]
                return owner._eager_forward(x, ps)

            @staticmethod
            def backward(ctx, grad):
                x, *tensors = ctx.saved_tensors
                it = iter(tensors)
                ps = [next(it) if v is None else v for v in ctx.numbers]
                if _through_ops(grad):  # create_graph or batched grads: the differentiable ops
                    return owner._grads(ctx.needs_input_grad, grad, x, _tensors(ps, x.device), direct=False)
                return owner._grads(ctx.needs_input_grad, grad, x, ps, direct=True)

        Fn.__name__ = Fn.__qualname__ = f"{self.name}_function"
        return Fn

    def _transform_function(self):
        """The torch.func / forward-mode path: the registered ops inside autograd.Functions that
        functorch accepts (setup_context, generated vmap rules), every derivative again such a
        Function, so nested transforms (hessian = jacfwd(jacrev)) differentiate correctly:
            F(x) = f(x),  B(g, x) = g f'(x),  D2(h, x) = h f''(x)  (its derivatives raise).
        Forward mode in x; derivatives in the parameters in reverse mode, first order."""
        owner, name = self, self.name

        def prepare(ctx, inputs):
            ctx.save_for_backward(*inputs)
            ctx.save_for_forward(*inputs)
            ctx.set_materialize_grads(False)

        def second(h, x, *ps):
            if not owner.has_d2:
                raise NotImplementedError(f"nonlin.torch.{name}: second derivatives are not "
                                          f"available (no derivative2 kernel)")
            return h * owner.derivative2(x, *ps)
        D2 = _terminal_function(f"{name}_transform_D2", second,
                                f"nonlin.torch.{name}: third derivatives are not available")

        class B(torch.autograd.Function):
            generate_vmap_rule = True

            @staticmethod
            def forward(g, x, *ps):
                return owner.backward(g, x, *ps)

            @staticmethod
            def setup_context(ctx, inputs, output):
                prepare(ctx, inputs)

            @staticmethod
            def backward(ctx, gg):
                g, x, *ps = ctx.saved_tensors
                need = ctx.needs_input_grad
                if any(need[2:]):
                    raise NotImplementedError(f"nonlin.torch.{name}: second derivatives in the "
                                              f"parameters are not available")
                dg = B.apply(gg, x, *ps).sum_to_size(g.shape) if need[0] else None
                dx = D2.apply(gg * g, x, *ps).sum_to_size(x.shape) if need[1] else None
                return (dg, dx, *([None] * len(ps)))

            @staticmethod
            def jvp(ctx, g_t, x_t, *p_t):
                _no_param_tangents(name, p_t)
                g, x, *ps = ctx.saved_tensors
                out = B.apply(g_t, x, *ps) if g_t is not None else None
                if x_t is not None:
                    d = D2.apply(g * x_t, x, *ps)
                    out = d if out is None else out + d
                return out

        PG = _terminal_function(  # the learnable parameters' gradients, reduced
            f"{name}_transform_PG", lambda g, x, *ps: tuple(owner.param_backward(g, x, *ps)),
            f"nonlin.torch.{name}: second derivatives in the parameters are not available")

        class F(torch.autograd.Function):
            generate_vmap_rule = True

            @staticmethod
            def forward(x, *ps):
                return owner.forward(x, *ps)

            @staticmethod
            def setup_context(ctx, inputs, output):
                prepare(ctx, inputs)

            @staticmethod
            def backward(ctx, grad):
                x, *ps = ctx.saved_tensors
                need = ctx.needs_input_grad
                gx = B.apply(grad, x, *ps).sum_to_size(x.shape) if need[0] else None
                gps = [None] * len(ps)
                if any(need[1:]):
                    owner._check_learnable(need)
                    it = iter(PG.apply(grad, x, *ps))
                    gps = [next(it) if lrn else None for lrn in owner.learn]
                return (gx, *(gp if n else None for gp, n in zip(gps, need[1:])))

            @staticmethod
            def jvp(ctx, x_t, *p_t):
                _no_param_tangents(name, p_t)
                x, *ps = ctx.saved_tensors
                return B.apply(x_t, x, *ps)  # f'(x) x_t

        for fn in (B, F):
            fn.__name__ = fn.__qualname__ = f"{name}_transform_{fn.__name__}"
        return F

    def _no_grad_of_grad(self, ctx, *grads):
        raise RuntimeError(f"nonlin.torch.{self.name}: this second derivative is not available "
                           f"(nonlin has f'' kernels for x only, and only where derivative2 exists)")

    def _grad_of_grad(self, ctx, gg):
        # backward(g, x) = g f'(x): d/dg = f'(x), d/dx = g f''(x)
        g, x, *ps = ctx.saved_tensors
        need = ctx.needs_input_grad
        if any(need[2:]):
            self._no_grad_of_grad(ctx, gg)
        dg = (gg * self.derivative(x, *ps)).sum_to_size(g.shape) if need[0] else None
        dx = (gg * g * self.derivative2(x, *ps)).sum_to_size(x.shape) if need[1] else None
        return (dg, dx, *([None] * len(ps)))

    # the public functional
    def functional(self):
        name, act, pnames = self.name, self.act, self.pnames
        forward, function, eager_forward = self.forward, self._function(), self._eager_forward
        transform = self._transform_function()

        def fn(x, **params):
            _check_input(name, x)
            for k in params:
                if k not in act.params:
                    raise TypeError(f"nonlin.torch.{name}() got an unexpected keyword argument "
                                    f"'{k}' (parameters: {', '.join(pnames) or 'none'})")
            # parameters in the compute dtype (bfloat16 inputs are computed in float32)
            pdt = torch.float32 if x.dtype is torch.bfloat16 else x.dtype
            values = [_param_value(name, p, params.get(p, act.params[p]), pdt, x.device) for p in pnames]
            if _eager(x, values):  # numbers stay numbers: no tensor per parameter per call
                if _forward_ad(x, *values):  # forward-mode AD on plain tensors
                    return transform.apply(x, *_tensors(values, x.device))
                if _needs_grad(x, *values):
                    return function.apply(x, *values)
                return eager_forward(x, values)
            ps = _tensors(values, x.device)
            return transform.apply(x, *ps) if _transform_path(x, *ps) else forward(x, *ps)

        # own code object per activation: torch.compile keeps its caches per code object
        fn.__code__ = fn.__code__.replace(co_name=name)
        fn.__name__ = fn.__qualname__ = name
        fn.__doc__ = (f"{_adapters.signature(act)}\n\n"
                      f"PyTorch version of nonlin.{name} (custom op torch.ops.nonlin.{name}).\n\n"
                      f"{act.__doc__ or ''}")
        return fn

    def module(self, functional):
        act = self.act
        names = list(act.params)
        # PyTorch's conventions where torch.nn has the class: its parameters are fixed numbers
        # except those torch learns (PReLU's weight); nonlin-only activations learn the paper's
        # learnable parameters. learnable= overrides: True, False or the names to learn.
        cname = _adapters.class_name(self.name)
        torch_cls = getattr(nn, cname, None)
        default_learn = _torch_learnable(torch_cls, act.learnable)
        # PReLU(num_parameters=1, init=0.25); learnable parameters have num_parameters channels
        # (dim 1 of the input).
        defaults = {**({"num_parameters": 1, **({"init": None} if len(act.learnable) == 1 else {})}
                       if act.learnable else {}), **act.params, "inplace": False,
                    **({"device": None, "dtype": None} if act.learnable else {})}
        # positional order: torch's own where torch.nn has the class (ELU(alpha, inplace),
        # Softplus(beta, threshold), PReLU(num_parameters, init)), else num_parameters, init,
        # the parameters, inplace; the rest keyword-only
        order = (list(inspect.signature(torch_cls.__init__).parameters)[1:] if torch_cls is not None
                 else list(defaults))
        P = inspect.Parameter
        sig = [P(k, P.POSITIONAL_OR_KEYWORD, default=defaults[k]) for k in order if k in defaults]
        sig += [P(k, P.KEYWORD_ONLY, default=v) for k, v in defaults.items() if k not in order]
        if act.learnable:
            sig.append(P("learnable", P.KEYWORD_ONLY, default=default_learn))
        signature = inspect.Signature([P("self", P.POSITIONAL_ONLY), *sig])

        def __init__(self, *args, **kwargs):
            nn.Module.__init__(self)
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            a = bound.arguments
            if len(act.learnable) == 1 and a.get("init") is not None:
                a[act.learnable[0]] = a["init"]
            self.inplace = a["inplace"]  # accepted for compatibility; nonlin never writes into x
            learn = _learnable_names(cname, a.get("learnable", ()), act.learnable)
            n = a.get("num_parameters", 1)
            if n != 1 and not learn:
                raise ValueError(f"{cname}: num_parameters={n} needs a learnable parameter "
                                 f"(learnable= one of {', '.join(act.learnable)})")
            for p in names:
                if p in learn:  # torch's factory keywords device= and dtype= as in nn.PReLU
                    setattr(self, p, nn.Parameter(torch.full((n,), float(a[p]), device=a.get("device"),
                                                             dtype=a.get("dtype"))))
                else:
                    setattr(self, p, a[p])

        def forward(self, x):
            params = {}
            for p in names:
                v = getattr(self, p)
                if isinstance(v, torch.Tensor):
                    if v.numel() > 1:  # channels on dim 1, as torch.nn.PReLU (which checks too)
                        if x.ndim < 2 or x.shape[1] != v.numel():
                            raise ValueError(f"{type(self).__name__}: num_parameters={v.numel()} "
                                             f"does not match the input's channel count (dim 1 of "
                                             f"shape {tuple(x.shape)})")
                        v = v.view(-1, *([1] * (x.ndim - 2)))
                    elif v.numel() == 1:
                        v = v.view(())
                params[p] = v
            return functional(x, **params)

        def extra_repr(self):
            fixed = [f"{p}={getattr(self, p)!r}" for p in names if not isinstance(getattr(self, p), torch.Tensor)]
            learned = [p for p in names if isinstance(getattr(self, p), torch.Tensor)]
            if learned:
                fixed.insert(0, f"num_parameters={getattr(self, learned[0]).numel()}, "
                                f"learnable={tuple(learned)}")
            return ", ".join(fixed)

        __init__.__signature__ = signature
        return type(cname, (nn.Module,), {
            "__init__": __init__, "forward": forward, "extra_repr": extra_repr,
            "__doc__": (f"Module form of nonlin.torch.{self.name}; learnable by default: "
                        f"{', '.join(default_learn) or 'none'} (learnable= True, False or names)."
                        f"\n\n{act.__doc__ or ''}"),
            "__module__": __name__})


def _torch_learnable(torch_cls, learnable):
    """The parameters a module learns by default: where torch.nn has the class (torch_cls), those
    torch learns (its nn.Parameters; PReLU's weight); else all of nonlin's learnable ones."""
    if torch_cls is None:
        return tuple(learnable)
    learned = {name for name, _ in torch_cls().named_parameters()}
    return tuple(p for p in learnable if p in learned)


def _learnable_names(cname, value, learnable):
    """learnable= as a tuple of parameter names (True: all learnable ones, False: none)."""
    if isinstance(value, (bool, np.bool_)):
        return tuple(learnable) if value else ()
    try:
        names = (value,) if isinstance(value, str) else tuple(value)
    except TypeError:
        raise TypeError(f"{cname}: learnable must be True, False or parameter names, got "
                        f"{value!r}") from None
    for p in names:
        if p not in learnable:
            raise ValueError(f"{cname}: learnable names '{p}', which is not a learnable parameter "
                             f"(learnable ones: {', '.join(learnable) or 'none'})")
    return names


# --- gated linear units ------------------------------------------------------------------------
class _Gated:
    def __init__(self, act):
        self.act = act
        self.name = name = act.name
        self.forward = _custom_op(name, self._forward_impl, "(Tensor x, int dim) -> Tensor")
        self.backward = _custom_op(f"{name}_backward", self._backward_impl,
                                   "(Tensor grad, Tensor x, int dim) -> Tensor")
        self.forward.register_fake(self._half)
        self.backward.register_fake(lambda g, x, dim: torch.empty_like(x))
        self.forward.register_autograd(self._grad, setup_context=self._save)
        self.backward.register_autograd(self._no_grad_of_grad, setup_context=_no_context)
        self.forward.register_vmap(self._vmap_rule(self.forward))
        self.backward.register_vmap(self._vmap_rule(self.backward))

    @staticmethod
    def _vmap_rule(op):
        """torch.func.vmap of op(*tensors, dim): the batch first (an unbatched grad expanded to
        it), a non-negative dim moved past it."""
        def rule(info, in_dims, *args):
            *ts, dim = args
            ts = [t.unsqueeze(0).expand(info.batch_size, *t.shape) if d is None else t.movedim(d, 0)
                  for t, d in zip(ts, in_dims)]
            return op(*ts, dim + 1 if dim >= 0 else dim), 0
        return rule

    def _no_grad_of_grad(self, ctx, *grads):
        raise RuntimeError(f"nonlin.torch.{self.name}: second derivatives of gated units are not "
                           f"available")

    @staticmethod
    def _half(x, dim):
        shape = list(x.shape)
        shape[dim] //= 2
        return x.new_empty(shape)

    def _forward_impl(self, x, dim):
        if _on_cuda(self.name, x):
            return _torch_cuda.run(torch, self.name, list(x.chunk(2, dim)), x.dtype)[0]
        return _into(self._half(x, dim), lambda o: self.act(_np(x), dim, out=o))

    def _backward_impl(self, g, x, dim):
        if _on_cuda(self.name, g, x):
            a, b = x.chunk(2, dim)
            return torch.cat(_torch_cuda.run(torch, f"{self.name}_backward", [g, a, b], x.dtype,
                                             data=3, nout=2), dim)
        return _from_np(self.act.backward(_np(g), _np(x), dim), x)

    @staticmethod
    def _save(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        ctx.dim = inputs[1]

    def _grad(self, ctx, grad):
        (x,) = ctx.saved_tensors
        return self.backward(grad, x, ctx.dim), None

    def _function(self):
        """The eager autograd path (see _Elementwise._function)."""
        owner = self

        class Fn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x, dim):
                ctx.save_for_backward(x)
                ctx.dim = dim
                return owner._forward_impl(x, dim)

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                if _through_ops(grad):  # create_graph: the op says what is not available
                    return owner.backward(grad, x, ctx.dim), None
                return owner._backward_impl(grad, x, ctx.dim), None

        Fn.__name__ = Fn.__qualname__ = f"{self.name}_function"
        return Fn

    def _transform_function(self):
        """The torch.func / forward-mode path (see _Elementwise._transform_function); jvp:
        d(a g(b)) = g(b) da + a g'(b) db, both factors from the backward at grad 1. The
        backward is a Function too, whose own derivatives raise (none for gated units)."""
        owner, name = self, self.name

        B = _terminal_function(f"{name}_transform_B", lambda g, x, dim: owner.backward(g, x, dim),
                               f"nonlin.torch.{name}: second derivatives of gated units are not "
                               f"available")

        class F(torch.autograd.Function):
            generate_vmap_rule = True

            @staticmethod
            def forward(x, dim):
                return owner.forward(x, dim)

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])
                ctx.save_for_forward(inputs[0])
                ctx.dim = inputs[1]

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return B.apply(grad, x, ctx.dim), None

            @staticmethod
            def jvp(ctx, x_t, _):
                (x,) = ctx.saved_tensors
                ones = x.new_ones(owner._half(x, ctx.dim).shape)
                da, db = (B.apply(ones, x, ctx.dim) * x_t).chunk(2, ctx.dim)
                return da + db

        F.__name__ = F.__qualname__ = f"{name}_transform_F"
        return F

    def functional(self):
        name, forward, act = self.name, self.forward, self.act
        function, forward_impl = self._function(), self._forward_impl
        transform = self._transform_function()

        def fn(x, dim=-1):
            _check_input(name, x)
            dim = _adapters.gated_axis(f"nonlin.torch.{name}", x.shape, dim, "dim")
            if _eager(x, ()):  # no custom-op dispatch in plain eager mode
                if _forward_ad(x):
                    return transform.apply(x, dim)
                if _needs_grad(x):
                    return function.apply(x, dim)
                if x.dtype is not torch.bfloat16:
                    return torch.from_numpy(act(_np(x), dim))
                return forward_impl(x, dim)
            return transform.apply(x, dim) if _transform_path(x) else forward(x, dim)

        fn.__code__ = fn.__code__.replace(co_name=name)
        fn.__name__ = fn.__qualname__ = name
        fn.__doc__ = f"{name}(x, dim=-1)\n\nPyTorch version of nonlin.{name}.\n\n{self.act.__doc__ or ''}"
        return fn

    def module(self, functional):
        def __init__(self, dim=-1):
            nn.Module.__init__(self)
            self.dim = dim

        return type(_adapters.class_name(self.name), (nn.Module,), {
            "__init__": __init__, "forward": lambda self, x: functional(x, self.dim),
            "extra_repr": lambda self: f"dim={self.dim}", "__module__": __name__,
            "__doc__": f"Module form of nonlin.torch.{self.name}: a * {self.act.gate}(b)."})


# --- activations with learnable arrays (rational, series, normalising) ------------------------
@torch.compiler.assume_constant_result
def _options_json(items):
    # the static options of one call as the op's str argument (a constant under torch.compile)
    return json.dumps(dict(items), sort_keys=True)


class _Arrays:
    """Custom ops, functional and module class of an array-protocol activation: the learnable
    arrays travel as a Tensor[] and the static options as one JSON string (a compile-time
    constant for torch.compile)."""

    def __init__(self, act):
        self.act = act
        self.name = name = act.name
        self.forward = _custom_op(name, self._forward_impl,
                                  "(Tensor x, Tensor[] arrays, str static) -> Tensor")
        self.backward = _custom_op(f"{name}_vjp", self._vjp_impl,
                                   "(Tensor grad, Tensor x, Tensor[] arrays, str static) -> Tensor[]")
        # the kernels return contiguous tensors whatever the layout of x (a permuted x included)
        self.forward.register_fake(lambda x, arrays, static: _contiguous_like(x))
        self.backward.register_fake(
            lambda g, x, arrays, static: [_contiguous_like(x), *(_contiguous_like(a) for a in arrays)])
        self.forward.register_autograd(self._grad, setup_context=self._save)
        self.backward.register_autograd(self._no_grad_of_grad, setup_context=_no_context)
        self.forward.register_vmap(self._vmap_forward)
        self.backward.register_vmap(lambda info, dims, *args: _vmap_loop(info, dims, self.backward, args))

    def _vmap_forward(self, info, in_dims, x, arrays, static):
        """torch.func.vmap: where the activation is elementwise in x with shared arrays (series,
        ungrouped rational) the batch is just more elements; else sample by sample."""
        shared = all(d is None for d in in_dims[1])
        if (in_dims[0] is not None and shared
                and _adapters.elementwise_in_x(self.act, json.loads(static), arrays)):
            return self.forward(x, arrays, static), in_dims[0]
        return _vmap_loop(info, in_dims, self.forward, (x, arrays, static))

    def _cuda_kernel(self, *tensors):
        """The CUDA implementation for CUDA tensors (None for CPU ones); raises where none."""
        if not _on_cuda(self.name, *tensors):
            return None
        if kernel := _torch_cuda.array_kernel(self.act):
            return kernel
        raise RuntimeError(f"nonlin.torch.{self.name}: no CUDA kernel for this activation (CPU tensors only)")

    def _forward_impl(self, x, arrays, static):
        if kernel := self._cuda_kernel(x, *arrays):
            return kernel(torch, self.act, x, arrays, json.loads(static))
        y = self.act.apply(_np(x), [_np(a) for a in arrays], json.loads(static))
        return _from_np(y, x)

    def _vjp_impl(self, g, x, arrays, static):
        if kernel := self._cuda_kernel(g, x, *arrays):
            gx, grads = kernel(torch, self.act, x, arrays, json.loads(static), grad=g)
            return [gx, *grads]
        gx, grads = self.act.vjp(_np(g), _np(x), [_np(a) for a in arrays], json.loads(static))
        return [_from_np(gx, x), *(_from_np(ga, a) for ga, a in zip(grads, arrays))]

    @staticmethod
    def _save(ctx, inputs, output):
        x, arrays, static = inputs
        ctx.save_for_backward(x, *arrays)
        ctx.static = static

    def _grad(self, ctx, grad):
        x, *arrays = ctx.saved_tensors
        gx, *grads = self.backward(grad.contiguous(), x, arrays, ctx.static)
        return gx, grads, None

    def _no_grad_of_grad(self, ctx, *grads):
        raise RuntimeError(f"nonlin.torch.{self.name}: second derivatives are not available")

    def _function(self):
        """The eager autograd path (see _Elementwise._function); the arrays travel as varargs."""
        owner = self

        class Fn(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x, static, *arrays):
                ctx.save_for_backward(x, *arrays)
                ctx.static = static
                return owner._forward_impl(x, list(arrays), static)

            @staticmethod
            def backward(ctx, grad):
                x, *arrays = ctx.saved_tensors
                # create_graph: through the op, which says that second derivatives are missing
                _no_legacy_batching(owner.name, grad)
                vjp = owner.backward if _through_ops(grad) else owner._vjp_impl
                gx, *grads = vjp(grad.contiguous(), x, arrays, ctx.static)
                return (gx, None, *grads)

        Fn.__name__ = Fn.__qualname__ = f"{self.name}_function"
        return Fn

    def _static(self, given):
        for k in given:
            if k not in self.act.static:
                raise TypeError(f"nonlin.torch.{self.name}() got an unexpected keyword argument "
                                f"'{k}' (arrays: {', '.join(self.act.arrays)}; options: "
                                f"{', '.join(self.act.static) or 'none'})")
        # sorted by name only: under torch.compile(dynamic=True) integer options are symbolic
        return _options_json(tuple(sorted({**self.act.static, **given}.items(), key=lambda kv: kv[0])))

    def _transform_function(self):
        """The torch.func path (see _Elementwise._transform_function): grad, vjp, jacrev; no
        forward mode and no second derivatives (they raise), vmap only where torch can batch
        the op."""
        owner, name = self, self.name

        message = (f"nonlin.torch.{name}: forward-mode and second derivatives are not "
                   f"available (use reverse mode, first order)")
        B = _terminal_function(f"{name}_transform_B",
                               lambda g, x, static, *arrays: tuple(owner.backward(g, x, list(arrays), static)),
                               message)

        class F(torch.autograd.Function):
            generate_vmap_rule = True

            @staticmethod
            def jvp(ctx, *tangents):
                raise NotImplementedError(message)

            @staticmethod
            def forward(x, static, *arrays):
                return owner.forward(x, list(arrays), static)

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, static, *arrays = inputs
                ctx.save_for_backward(x, *arrays)
                ctx.static = static

            @staticmethod
            def backward(ctx, grad):
                x, *arrays = ctx.saved_tensors
                gx, *grads = B.apply(grad.contiguous(), x, ctx.static, *arrays)
                return (gx, None, *grads)

        F.__name__ = F.__qualname__ = f"{name}_transform_F"
        return F

    def functional(self):
        name, act, forward = self.name, self.act, self.forward
        function, forward_impl = self._function(), self._forward_impl
        transform = self._transform_function()

        def fn(x, *arrays, **options):
            named = {k: options.pop(k) for k in act.arrays if k in options}
            if len(arrays) + len(named) not in (0, len(act.arrays)) or len(arrays) > len(act.arrays):
                raise TypeError(f"nonlin.torch.{name}: pass all of {', '.join(act.arrays)} or none "
                                f"(none: the initial values)")
            values = dict(zip(act.arrays, arrays)) | named
            return run(x, values or act.initial(), self._static(options))

        def run(x, values, static):
            """fn with the arrays by name and the options as their JSON string (modules build
            it once: under torch.compile(dynamic=True) their integer options are symbolic)."""
            _check_input(name, x)
            # the arrays in the compute dtype (float16 / bfloat16 inputs are computed in float32
            # with float32 coefficients, as in the NumPy and JAX paths)
            pdt = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
            ts = []
            for k in act.arrays:
                v = values[k]
                if isinstance(v, torch.Tensor):
                    _check_input(name, v, k)
                    ts.append(v.to(pdt))
                else:
                    ts.append(torch.as_tensor(np.asarray(v, np.float64), dtype=pdt, device=x.device))
            if _eager(x, ts):  # no custom-op dispatch in plain eager mode
                if _forward_ad(x, *ts):
                    return transform.apply(x, static, *ts)
                if _needs_grad(x, *ts):
                    return function.apply(x, static, *ts)
                return forward_impl(x, ts, static)
            return transform.apply(x, static, *ts) if _transform_path(x, *ts) else forward(x, ts, static)

        fn.__code__ = fn.__code__.replace(co_name=name)
        fn.__name__ = fn.__qualname__ = name
        fn.__doc__ = (f"{name}(x, {', '.join(act.arrays)}, **options)\n\nPyTorch version of "
                      f"nonlin.{name} (custom op torch.ops.nonlin.{name}); options: "
                      f"{act.static}.\n\n{act.__doc__ or ''}")
        fn.run = run
        return fn

    def module(self, functional):
        act, owner = self.act, self
        init_options = [p for p in inspect.signature(act.initial).parameters]

        def __init__(self, **kwargs):
            nn.Module.__init__(self)
            init_kw = {k: kwargs.pop(k) for k in list(kwargs) if k in init_options and k not in act.static}
            self.options = {k: kwargs.pop(k) for k in list(kwargs) if k in act.static}
            if kwargs:
                raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument "
                                f"'{next(iter(kwargs))}' (initialisation: {', '.join(init_options) or 'none'}; "
                                f"options: {', '.join(act.static) or 'none'})")
            self._static = owner._static(self.options)  # validated here, once
            noisy = self.options.get("version") == "D"
            self._noise = _ModuleNoise(type(self).__name__, self.options) if noisy else None
            init_kw.update({k: v for k, v in self.options.items() if k in init_options})
            for k, v in act.initial(**init_kw).items():
                setattr(self, k, nn.Parameter(torch.as_tensor(np.asarray(v, np.float64),
                                                              dtype=torch.get_default_dtype())))

        def forward(self, x):
            noise = self._noise is not None and self.training
            static = self._noise.next_static(owner) if noise else self._static
            return functional.run(x, {k: getattr(self, k) for k in act.arrays}, static)

        def extra_repr(self):
            shapes = ", ".join(f"{k}={tuple(getattr(self, k).shape)}" for k in act.arrays)
            opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
            return ", ".join(p for p in (shapes, opts) if p)

        return type(_adapters.class_name(self.name), (nn.Module,), {
            "__init__": __init__, "forward": forward, "extra_repr": extra_repr,
            "__doc__": (f"Module form of nonlin.torch.{self.name}: learnable {', '.join(act.arrays)}"
                        f" (nn.Parameters from nonlin.{self.name}.initial({', '.join(init_options)}))"
                        f"; options {act.static}.\n\n{act.__doc__ or ''}"),
            "__module__": __name__})


class _ModuleNoise:
    """Rational version D as a module: coefficient noise while the module trains (train() /
    eval(), as dropout), a fresh draw per training call (seeds seed, seed + 1, ...; the backward
    of a call uses that call's). The seed is a constant of the op call, so torch.compile
    recompiles per training call (right noise, then torch's recompile limit sends it to eager)."""

    def __init__(self, cname, options):
        if "training" in options:
            raise TypeError(f"{cname}: version D modules add noise in train() mode and none in "
                            f"eval() mode; 'training' is not a module option")
        self.given, self.draws = dict(options), 0
        self.seed = int(options.get("seed", 0))

    def next_static(self, owner):
        """The options JSON of the next training call."""
        seed = (self.seed + self.draws) % 2**64
        self.draws += 1
        return owner._static({**self.given, "training": True, "seed": seed})


# --- generation, lazily on first access --------------------------------------------------------
_wrapped = {}  # activation name -> (functional, module class)


def wrap(act):
    """(functional, module class) for any nonlin activation object (elementwise or gated protocol);
    registers its custom ops once."""
    if act.name not in _wrapped:
        w = (_Arrays(act) if _adapters.is_array(act) else
             _Gated(act) if _adapters.is_gated(act) else _Elementwise(act))
        fn = w.functional()
        _wrapped[act.name] = (fn, w.module(fn))
    return _wrapped[act.name]


class GELU(nn.Module):
    """torch.nn.GELU's interface: approximate='none' (nonlin.gelu) or 'tanh' (nonlin.gelu_tanh).
    A class of its own (pickles, isinstance) rather than a factory of the generated ones."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        name = "gelu_tanh" if self.approximate == "tanh" else "gelu"
        fn = _wrapped[name][0] if name in _wrapped else wrap(_adapters.activations()[name])[0]
        return fn(x)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


def _module_class(name):
    return wrap(_adapters.activations()[name])[1]


# module classes also known by another name: the Padé Activation Unit is nonlin.rational
_ALIASES = {"PAU": "rational"}


def _public_names():
    return {n: n for n in _adapters.activations()} | {
        _adapters.class_name(n): n for n in _adapters.activations()} | _ALIASES


def __getattr__(attr):
    acts = _adapters.activations()
    name = _public_names().get(attr)
    if name is None:
        raise AttributeError(f"module 'nonlin.torch' has no attribute '{attr}'")
    fn, cls = wrap(acts[name])
    globals().setdefault(name, fn)
    globals().setdefault(_adapters.class_name(name), cls)  # keeps the GELU class above
    globals().setdefault(attr, cls)  # an alias
    return globals()[attr]


def __dir__():
    return sorted([*globals(), *_public_names()])


# Register every activation's ops now (~3 ms each) so torch.ops.nonlin.* always resolve, e.g. in
# graphs loaded by torch.export; later protocol objects are wrapped on first access.
for _name, _act in _adapters.activations().items():
    if _adapters.is_array(_act) or _adapters.numeric_params(_act):  # others raise when accessed
        __getattr__(_name)


# --- swapping the activations of an existing model ---------------------------------------------
def _replacement(module):
    """nonlin's module for one of torch's activation modules (same configuration and the same
    Parameter objects), or None."""
    tname = type(module).__name__
    if type(module).__module__.split(".")[0] != "torch":
        return None
    if tname == "GELU":
        return GELU(module.approximate)
    names = {v: k for k, v in _adapters.TORCH_CLASS_NAMES.items()}
    name = names.get(tname)
    acts = _adapters.activations()
    if name not in acts:
        return None
    act = acts[name]
    cls = _module_class(name)
    if _adapters.is_gated(act):
        return cls(module.dim)
    # torch's attribute of the same name (nonlin uses torch's parameter names), else the default
    values = {p: getattr(module, p, d) for p, d in act.params.items()}
    learned = tuple(p for p, v in values.items() if isinstance(v, nn.Parameter))
    new = cls(**{p: v for p, v in values.items() if not isinstance(v, nn.Parameter)},
              **({"learnable": learned} if act.learnable else {}))
    for p, v in values.items():
        if isinstance(v, nn.Parameter):
            setattr(new, p, v)  # the very same nn.Parameter (optimizer state kept)
    return new


def _with_hooks(new, old):
    """new carrying old's forward (pre-)hooks and training flag (a swap keeps what was attached)."""
    if new is not None:
        new._forward_pre_hooks.update(old._forward_pre_hooks)
        new._forward_hooks.update(old._forward_hooks)
        new.train(old.training)
    return new


def replace_activations(model):
    """Swap torch's own activation modules (nn.GELU, nn.PReLU, nn.GLU, ...) inside `model` for
    nonlin's, in place, keeping their configuration and parameters. Returns the model (a bare
    activation module is returned replaced)."""
    top = _with_hooks(_replacement(model), model)
    if top is not None:
        return top
    done = {}  # id(torch's module) -> nonlin's: a module used in several places stays one module
    for parent in list(model.modules()):
        for child_name, child in list(parent._modules.items()):  # every slot, shared ones too
            if child is None:
                continue
            if id(child) not in done:
                done[id(child)] = (child, _with_hooks(_replacement(child), child))
            new = done[id(child)][1]
            if new is not None:
                setattr(parent, child_name, new)
    return model
