"""CUDA tensors for nonlin.torch: the registry's elementwise ops, the gated units, the rational,
coefficient-vector (series), normalising and Mittag-Leffler gated activations run by nonlin's
CUDA kernels (src/cuda) on the tensors' device memory, on torch's current stream.

Operands broadcast NumPy-style without copies where the kernels can index them directly: full
size, one value, or (per-channel parameters, batched or not) non-broadcast dimensions forming
at most two contiguous runs of the result's (input k is read at (i / div) % mod +
((i / div2) % mod2) mod); any other operand is expanded on the device first. Builds without
CUDA kernels raise a RuntimeError saying so.
"""

import math

import numpy as np

from . import _adapters, _core
from .activation import _OP_INDEX

_DTYPE_CODE = {"torch.float16": 0, "torch.bfloat16": 1, "torch.float32": 2, "torch.float64": 3}


def check_device(name, tensors):
    """'cpu' or 'cuda' for the tensors of one call (numbers count as either); raises where they
    mix devices, sit on another kind of device, or are on CUDA in a build without CUDA kernels."""
    devices = {t.device for t in tensors if hasattr(t, "device")}
    kinds = {d.type for d in devices}
    if kinds <= {"cpu"}:
        return "cpu"
    if kinds != {"cuda"} or len(devices) > 1:
        raise RuntimeError(f"nonlin.torch.{name}: tensors on {sorted(map(str, devices))}; nonlin runs "
                           f"on one CPU or one CUDA device per call")
    if not _core._cuda_built:
        raise RuntimeError(f"nonlin.torch.{name}: got a tensor on '{devices.pop()}', but this build of "
                           f"nonlin has no CUDA kernels (build it with nvcc on the PATH)")
    return "cuda"


def run(torch, op, inputs, dtype, data=1, nout=1):
    """The nout outputs (tensors of `dtype`, of the broadcast shape) of the elementwise op named
    `op` (a ufunc name: 'gelu', 'gelu_backward', 'prelu_param_grad', ...) over the CUDA tensors or
    numbers `inputs` in the op's operand order: `data` data operands, then the parameters.
    float16/bfloat16 data with parameters computes in float32 (parameters keep float32
    precision, as on the CPU); without parameters the kernels read and write them directly."""
    if op not in _OP_INDEX:
        raise RuntimeError(f"nonlin.torch: no CUDA kernel for {op} (CPU tensors only)")
    device = next(t.device for t in inputs if isinstance(t, torch.Tensor))
    shape = torch.broadcast_shapes(*(t.shape for t in inputs if isinstance(t, torch.Tensor)))
    compute = torch.float32 if dtype in (torch.float16, torch.bfloat16) and len(inputs) > data else dtype
    operands, steps = [], []
    for t in inputs:
        t = t.to(compute) if isinstance(t, torch.Tensor) else torch.full((), t, dtype=compute, device=device)
        t, step = _indexable(t, shape)
        operands.append(t)
        steps.append(step)
    div, mod, div2, mod2 = (list(c) for c in zip(*steps))
    outs = [torch.empty(shape, dtype=compute, device=device) for _ in range(nout)]
    n = outs[0].numel()
    if n:
        _launch(torch, device, _core._cuda_elementwise, _OP_INDEX[op], _DTYPE_CODE[str(compute)], n,
                [t.data_ptr() for t in operands], div, mod, div2, mod2, [o.data_ptr() for o in outs])
    return [o.to(dtype) for o in outs]


def _indexable(t, shape):
    """(tensor, (div, mod, div2, mod2)): t as the kernels read it against the result shape
    (the rule of the JAX target, _core._cuda_broadcast), expanded first where they cannot."""
    step = _core._cuda_broadcast(list(t.shape), list(shape)) if t.is_contiguous() else None
    if step is None:
        return t.expand(shape).contiguous(), (1, math.prod(shape), 1, 1)
    return t, step


def reduce_to(torch, g, like):
    """A per-element parameter-gradient term summed to the parameter's shape (accumulated in
    float32 at least, in float64 for float64)."""
    acc = torch.float64 if g.dtype is torch.float64 else torch.float32
    return g.to(acc).sum_to_size(like.shape).to(like.dtype)


def _compute_operands(torch, x, grad):
    """(compute dtype, x, grad_out, out): contiguous device copies in float32 (float16/bfloat16
    data) or the data's dtype, grad_out broadcast to x (x itself when None), out uninitialised."""
    cdt = torch.float64 if x.dtype is torch.float64 else torch.float32
    xc = x.detach().to(cdt).contiguous()
    gc = xc if grad is None else grad.detach().to(cdt).expand(x.shape).contiguous()
    return cdt, xc, gc, torch.empty_like(xc)


def _host(a, cdt):
    """A parameter tensor's values rounded to the compute dtype, as a float64 host array."""
    return a.detach().to(cdt).cpu().double().numpy()


def _to_device(torch, g, like):
    """A float64 host gradient as a tensor on like's device in like's dtype and shape."""
    g = np.ascontiguousarray(g).reshape(like.shape)
    return torch.from_numpy(g).to(device=like.device, dtype=like.dtype)


def _launch(torch, device, entry, *args):
    """entry(*args, stream) with `device` current and torch's current stream on it."""
    with torch.cuda.device(device):
        return entry(*args, torch.cuda.current_stream(device).cuda_stream)


def rational(torch, act, x, arrays, static, grad=None):
    """nonlin.torch's rational on CUDA tensors: F(x) (grad None) or (grad_x, [grad_numerator,
    grad_denominator]) for grad = dLoss/dF. The coefficient tables go to the kernels through the
    host (prepared there as on the CPU); backward waits for the stream to return their
    gradients. float16/bfloat16 compute in float32."""
    from ._rational import Geometry, noise_options

    num, den = arrays
    opts = {**act.static, **static}
    L = Geometry(x.shape, num.shape, den.shape, opts["version"], opts["groups"], opts["axis"])
    training, seed = noise_options(opts["training"], opts["seed"])
    cdt, xc, gc, out = _compute_operands(torch, x, grad)

    def table(a):  # [groups][count] on the host
        a = _host(a, cdt)
        return np.ascontiguousarray(np.broadcast_to(a.reshape(-1, a.shape[-1]), (L.groups, a.shape[-1])))

    tnum, tden = table(num), table(den)
    gnum, gden = np.zeros(tnum.shape), np.zeros(tden.shape)
    _launch(torch, x.device, _core._cuda_rational, 0 if grad is None else 2, L.version, L.m, L.n, L.groups,
            L.run, training, seed, _DTYPE_CODE[str(cdt)], xc.numel(), xc.data_ptr(), gc.data_ptr(),
            out.data_ptr(), tnum.reshape(-1), tden.reshape(-1), gnum.reshape(-1), gden.reshape(-1))
    if grad is None:
        return out.to(x.dtype)
    # a shared (1-d) coefficient array gets the sum over the groups
    return out.to(x.dtype), [_to_device(torch, g.sum(axis=0) if like.dim() == 1 else g, like)
                             for g, like in ((gnum, num), (gden, den))]


def series(torch, act, x, arrays, static, grad=None):
    """nonlin.torch's coefficient-vector activations (nonlin.series) on CUDA tensors: f(x)
    (grad None) or (grad_x, [gradient of each array]). The flat parameter vector goes to the
    kernels through the host (prepared there as on the CPU); backward waits for the stream to
    return its gradient. float16/bfloat16 compute in float32."""
    degree = act.degree_of(arrays)
    cdt, xc, gc, out = _compute_operands(torch, x, grad)
    params = np.concatenate([_host(a, cdt).reshape(-1) for a in arrays])
    gp = np.zeros(params.size)
    _launch(torch, x.device, _core._cuda_series, 0 if grad is None else 2, act.family, degree,
            _DTYPE_CODE[str(cdt)], xc.numel(), xc.data_ptr(), gc.data_ptr(), out.data_ptr(), params, gp)
    if grad is None:
        return out.to(x.dtype)
    parts = np.split(gp, np.cumsum([a.numel() for a in arrays])[:-1])
    return out.to(x.dtype), [_to_device(torch, g, a) for g, a in zip(parts, arrays)]


def normalizing(torch, act, x, arrays, static, grad=None):
    """nonlin.torch's normalising activations (nonlin.normalizing) on CUDA tensors: y (grad
    None) or (grad_x, [gradient of each learnable parameter]). The axis is moved last and the
    rows made contiguous on the device; the few parameters go through the host, and backward
    waits for the stream to return their gradients (summed over the rows in float64, rounded
    to x's dtype first, as on the CPU). float16/bfloat16 compute in float32."""
    axis, params = act._split([_host(a, torch.float64) for a in arrays], {**act.static, **static})
    flat, shapes = act._values(params)
    if x.dim() == 0:
        raise ValueError(f"{act.name}: x must have at least one dimension")
    ax = _adapters.axis_index(act.name, x.dim(), axis)
    moved_grad = None if grad is None else grad.expand(x.shape).movedim(ax, -1)
    cdt, xm, gm, out = _compute_operands(torch, x.movedim(ax, -1), moved_grad)
    n = xm.shape[-1]
    rows = xm.numel() // n if n else 0
    slots = np.zeros(act._slots(flat) if grad is not None else 0)
    _launch(torch, x.device, _core._cuda_normalizing, act._op, _DTYPE_CODE[str(cdt)], grad is not None,
            rows, n, xm.data_ptr(), gm.data_ptr(), out.data_ptr(), flat, slots)
    y = out.movedim(-1, ax).to(x.dtype).contiguous()  # as the CPU path (and the fake kernel)
    if grad is None:
        return y
    grads = act._gradients(slots, shapes, np.float64)
    rounded = torch.float32 if x.dtype is torch.bfloat16 else x.dtype  # the CPU path's result dtype
    return y, [torch.from_numpy(grads[k]).to(rounded).to(device=a.device, dtype=a.dtype)
               for k, a in zip(act.learnable, arrays)]


_ML_MODES = {"forward": 0, "derivative": 1, "backward": 2, "params": 3}


def ml_gated(torch, act, kind, x, ps, grad=None):
    """nonlin.torch's Mittag-Leffler gated activations (nonlin.ml_activations) on CUDA tensors:
    kind 'forward', 'derivative' or 'backward' (grad = dLoss/dy) gives a tensor like x; 'params'
    the four parameter gradients (float64 sums, then tensors like the parameters; None for
    numbers). The fused kernel's case only: scalar parameters. Waits for the stream (the
    factors' plans are fitted on the host to x's range). float16/bfloat16 compute in float32."""
    from .ml_activations import _INNER_CODES, _MAP_CODES

    if not act.has_fused_kernel or any(isinstance(p, torch.Tensor) and p.numel() != 1 for p in ps):
        raise RuntimeError(f"nonlin.torch.{act.name}: CUDA tensors take scalar parameters (per-element "
                           f"parameters run on CPU tensors)")
    tensors = [p.detach().reshape(()).double() for p in ps if isinstance(p, torch.Tensor)]
    host = iter(torch.stack(tensors).cpu().tolist() if tensors else [])  # one copy, not one per value
    values = [next(host) if isinstance(p, torch.Tensor) else float(p) for p in ps]
    cdt, xc, gc, out = _compute_operands(torch, x, grad)
    if kind == "params":
        out = out.new_empty(0)
    sums = _launch(torch, x.device, _core._cuda_ml_gated, _ML_MODES[kind], act.gamma, _INNER_CODES[act.inner],
                   _MAP_CODES[act.f], _MAP_CODES[act.g], float(act.c), *values, 0xF, _DTYPE_CODE[str(cdt)],
                   xc.numel(), xc.data_ptr(), gc.data_ptr(), out.data_ptr())
    if kind != "params":
        return out.to(x.dtype)
    return [torch.tensor(s, dtype=torch.float64).to(device=p.device, dtype=p.dtype).reshape(p.shape)
            if isinstance(p, torch.Tensor) else None for s, p in zip(sums, ps)]


def protocol_kernel(act):
    """The CUDA implementation f(torch, act, kind, x, ps, grad=None) of an elementwise activation
    object outside the kernel table (ml_gated's signature), or None where it has none."""
    from .ml_activations import MittagLefflerActivation

    return ml_gated if isinstance(act, MittagLefflerActivation) else None


def array_kernel(act):
    """The CUDA implementation f(torch, act, x, arrays, static, grad=None) of an activation with
    learnable arrays, or None where it has none."""
    if act.name == "rational":
        return rational
    return {"series": series, "normalizing": normalizing}.get(getattr(act, "kind", None))
