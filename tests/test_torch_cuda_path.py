"""nonlin.torch's CUDA path without a GPU: CPU tensors stand in for device tensors and a fake
`_core._cuda_elementwise` runs nonlin's CPU kernels (the same per-element math as the CUDA
kernels: cpp/tests/test_scalar_ops.cpp) on the raw pointers it is handed. This checks what the
adapter does on a device: broadcasting and expanding parameters, the operand steps, dtype codes
and float32 compute for half types with parameters, parameter-gradient reduction, the gated
units' halves; the results must equal the CPU path's. The real entry point's errors (no device,
no CUDA in the build, mixed devices) are checked too."""

from __future__ import annotations

import contextlib
import ctypes
import types

import numpy as np
import pytest

from adapter_points import points
from conftest import require_nonlin

torch = pytest.importorskip("torch")
nl = require_nonlin()
import nonlin.torch as nt  # noqa: E402
from nonlin import _adapters, _core, _torch_cuda  # noqa: E402
from nonlin.activation import _OP_INDEX  # noqa: E402
from nonlin.ml_activations import _INNER_CODES as _ML_INNER, _MAP_CODES as _ML_MAP  # noqa: E402

ACTS = _adapters.activations()
ELEMENTWISE = sorted(n for n, a in ACTS.items() if _adapters.is_elementwise(a))
WITH_KERNELS = [n for n in ELEMENTWISE if n in _OP_INDEX]  # the registry's (not Mittag-Leffler)
GATED = sorted(n for n, a in ACTS.items() if _adapters.is_gated(a))
_CTYPE = {0: ctypes.c_uint16, 1: ctypes.c_uint16, 2: ctypes.c_float, 3: ctypes.c_double}


def _view(ptr, count, code):
    a = np.ctypeslib.as_array((_CTYPE[code] * count).from_address(ptr))
    return a.view(np.float16) if code == 0 else a


def _bf16_to_f32(u):
    return (u.astype(np.uint32) << 16).view(np.float32)


def _f32_to_bf16(f):  # round to nearest even
    b = np.ascontiguousarray(f, np.float32).view(np.uint32)
    return ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint16)


calls = []


def fake_elementwise(op, dtype, n, inputs, div, mod, div2, mod2, outputs, stream):
    """The device entry point's contract, on host memory: op row, dtype code, n elements, input
    k read at (i / div[k]) % mod[k] + ((i / div2[k]) % mod2[k]) mod[k] from mod[k] mod2[k]
    values, contiguous outputs."""
    ufunc = _core._ops[op][0]
    assert len(inputs) == len(div) == len(mod) == len(div2) == len(mod2) == ufunc.nin
    assert len(outputs) == ufunc.nout
    calls.append((ufunc.__name__, dtype, tuple((d, m) if m2 == 1 else (d, m, d2, m2)
                                               for d, m, d2, m2 in zip(div, mod, div2, mod2))))
    i = np.arange(n)
    ins = [_view(p, m * m2, dtype)[(i // d) % m + ((i // d2) % m2) * m]
           for p, d, m, d2, m2 in zip(inputs, div, mod, div2, mod2)]
    outs = [_view(p, n, dtype) for p in outputs]
    if dtype == 1:
        res = ufunc(*(_bf16_to_f32(a) for a in ins))
        for o, r in zip(outs, res if ufunc.nout > 1 else (res,)):
            o[...] = _f32_to_bf16(r)
    else:
        res = ufunc(*ins)
        for o, r in zip(outs, res if ufunc.nout > 1 else (res,)):
            o[...] = r


def fake_rational(mode, version, m, n, groups, run, training, seed, dtype, size, x, g, out, num, den,
                  grad_num, grad_den, stream):
    """The rational entry point's contract: device x, g, out of `size` elements; host coefficient
    tables (float64 holding compute-dtype values) and gradients."""
    assert dtype in (2, 3) and mode in (0, 2)
    calls.append(("rational", dtype, (groups, run)))
    t = np.float32 if dtype == 2 else np.float64
    xv, gv, ov = (_view(p, size, dtype) for p in (x, g, out))
    args = (version, m, n, groups, run, training, seed)
    if mode == 0:
        _core._rational(0, *args, xv, num.astype(t), den.astype(t), ov)
    else:
        _core._rational_backward(*args, gv, xv, num.astype(t), den.astype(t), ov, grad_num, grad_den)


def fake_series(mode, family, degree, dtype, size, x, g, out, params, grad_params, stream):
    """The series entry point's contract: device x, g, out of `size` elements; the flat
    parameter vector (float64 holding compute-dtype values) and its gradient on the host."""
    assert dtype in (2, 3) and mode in (0, 2) and params.dtype == np.float64
    calls.append(("series", dtype, (family, degree)))
    t = np.float32 if dtype == 2 else np.float64
    xv, gv, ov = (_view(p, size, dtype) for p in (x, g, out))
    if mode == 0:
        _core._series(0, family, degree, xv, params.astype(t), ov)
    else:
        _core._series_backward(family, degree, gv, xv, params.astype(t), ov, grad_params)


def fake_normalizing(op, dtype, backward, rows, n, x, g, out, params, grad_params, stream):
    """The normalising entry point's contract: device x, g, out of rows x n contiguous
    elements; the parameters (a list) and the gradient slots, summed over the rows, on the host."""
    assert dtype in (2, 3) and isinstance(params, list)
    calls.append(("normalizing", dtype, (op, rows, n, backward)))
    xv, gv, ov = (_view(p, rows * n, dtype).reshape(rows, n) for p in (x, g, out))
    if not backward:
        _core._norm_forward(op, xv, ov, params)
    else:
        per_row = np.zeros((rows, grad_params.size))
        _core._norm_backward(op, gv, xv, ov, per_row, params)
        grad_params[...] = per_row.sum(axis=0)


def fake_ml_gated(mode, gamma, inner, f, g, c, a1, b1, a2, b2, need, dtype, size, x, grad, out, stream):
    """The Mittag-Leffler gated entry point's contract: device x, grad, out of `size` elements
    (out unused for mode 3), scalar parameters; returns the four parameter sums (mode 3)."""
    assert dtype in (2, 3) and mode in (0, 1, 2, 3) and need == 0xF
    calls.append(("ml_gated", dtype, (mode, gamma, inner, f, g)))
    xv, gv = _view(x, size, dtype), _view(grad, size, dtype)
    ov = _view(out, size, dtype) if mode != 3 else np.empty(0, xv.dtype)
    sums = np.zeros(4)
    _core._ml_gated(mode, gamma, inner, f, g, c, a1, b1, a2, b2, xv, gv, ov, sums)
    return list(sums)


@pytest.fixture
def fake_cuda(monkeypatch):
    monkeypatch.setattr(_torch_cuda, "check_device", lambda name, tensors: "cuda")
    monkeypatch.setattr(nt, "_eager", lambda x, values: False)  # device tensors take the ops
    monkeypatch.setattr(_core, "_cuda_elementwise", fake_elementwise)
    monkeypatch.setattr(_core, "_cuda_rational", fake_rational)
    monkeypatch.setattr(_core, "_cuda_series", fake_series)
    monkeypatch.setattr(_core, "_cuda_normalizing", fake_normalizing)
    monkeypatch.setattr(_core, "_cuda_ml_gated", fake_ml_gated)
    monkeypatch.setattr(torch.cuda, "device", lambda d: contextlib.nullcontext())
    monkeypatch.setattr(torch.cuda, "current_stream", lambda d=None: types.SimpleNamespace(cuda_stream=0))
    calls.clear()
    yield calls


def _inputs(name, dtype=torch.float64, channels=3):
    x = torch.tensor(points(name, 8 * channels, 1), dtype=dtype).reshape(8, channels)
    act = ACTS[name]
    params = {p: act.params[p] + 0.1 * (k + 1) * torch.linspace(0.25, 1, channels, dtype=dtype)
              * max(1.0, abs(act.params[p])) for k, p in enumerate(act.learnable)}
    return x, params


def _forward_and_grads(name, x, params):
    x = x.clone().requires_grad_(True)
    ps = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    y = getattr(nt, name)(x, **ps)
    g = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)
    grads = torch.autograd.grad(y, [x, *ps.values()], g)
    return y.detach(), grads


@pytest.mark.parametrize("name", WITH_KERNELS)
def test_elementwise_forward_and_gradients_match_cpu_path(name, fake_cuda):
    x, params = _inputs(name)
    with pytest.MonkeyPatch.context() as mp:  # the CPU path, for the reference
        mp.setattr(_torch_cuda, "check_device", lambda n, t: "cpu")
        y_ref, g_ref = _forward_and_grads(name, x, params)
    y, g = _forward_and_grads(name, x, params)
    assert fake_cuda, "the device path was not taken"
    assert {c[0] for c in fake_cuda} >= {name, f"{name}_backward"}
    torch.testing.assert_close(y, y_ref, rtol=0, atol=0)
    for a, b in zip(g, g_ref):  # parameter gradients: sums of 8 terms of size ~1, in another order
        torch.testing.assert_close(a, b, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
@pytest.mark.parametrize("name", ["gelu", "leaky_relu", "silu", "softplus"])
def test_reduced_precision_dtypes(name, dtype, fake_cuda):
    x = torch.tensor(points(name, 64, 2), dtype=torch.float64).to(dtype)
    ps = [torch.tensor(v, dtype=torch.float32 if dtype is torch.bfloat16 else dtype)
          for v in ACTS[name].params.values()]  # as nonlin.torch's functionals pass them
    op = getattr(torch.ops.nonlin, name)
    y = op(x, *ps)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_torch_cuda, "check_device", lambda n, t: "cpu")
        y_ref = op(x, *ps)
    assert y.dtype is dtype
    torch.testing.assert_close(y, y_ref, rtol=0, atol=0)
    # parameters (leaky_relu's slope, silu's beta ...) keep float32: half data computes in float32
    has_params = bool(ACTS[name].params)
    assert fake_cuda[-1][1] == (2 if has_params and dtype is not torch.float32 else
                                {torch.float16: 0, torch.bfloat16: 1, torch.float32: 2}[dtype])


@pytest.mark.parametrize("name", GATED)
def test_gated_units_match_cpu_path(name, fake_cuda):
    x = torch.randn(4, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_torch_cuda, "check_device", lambda n, t: "cpu")
        y_ref, (g_ref,) = _forward_and_grads_gated(name, x)
    y, (g,) = _forward_and_grads_gated(name, x)
    assert {c[0] for c in fake_cuda} == {name, f"{name}_backward"}
    torch.testing.assert_close(y, y_ref, rtol=0, atol=0)
    torch.testing.assert_close(g, g_ref, rtol=0, atol=0)


def _forward_and_grads_gated(name, x):
    x = x.clone().requires_grad_(True)
    y = getattr(nt, name)(x, dim=0)
    return y.detach(), torch.autograd.grad(y, [x], torch.ones_like(y) * 0.5)


def test_registered_ops_and_second_derivative(fake_cuda):
    x = torch.tensor(points("gelu", 16, 4), dtype=torch.float64)
    w = torch.tensor([0.3], dtype=torch.float64)
    torch.testing.assert_close(torch.ops.nonlin.gelu_derivative2(x),
                               torch.from_numpy(nl.gelu.derivative2(x.numpy())), rtol=0, atol=0)
    torch.testing.assert_close(torch.ops.nonlin.prelu(x, w),
                               torch.from_numpy(nl.prelu(x.numpy(), weight=0.3)), rtol=0, atol=0)
    assert [c[0] for c in fake_cuda] == ["gelu_derivative2", "prelu"]
    (gw,) = torch.ops.nonlin.prelu_param_backward(torch.ones_like(x), x, w)
    torch.testing.assert_close(gw, torch.minimum(x, torch.zeros(())).sum().reshape(1))


def test_empty_tensor_launches_nothing(fake_cuda):
    y = nt.gelu(torch.empty(0, 3, dtype=torch.float32))
    assert y.shape == (0, 3) and not fake_cuda


def test_empty_arrays_need_no_device():
    """The real series and normalising entry points return before touching the device for an
    empty array (no GPU here): backward's parameter gradients are zeros. Builds without CUDA
    kernels raise instead."""
    grads, slots = np.full(4, np.nan), np.full(3, np.nan)  # hermite of degree 3; polynorm of order 2
    ml_sums = []
    calls = [lambda: _core._cuda_series(2, 0, 3, 2, 0, 0, 0, 0, np.ones(4), grads, 0),
             lambda: ml_sums.append(_core._cuda_ml_gated(3, 1, 0, 1, 1, 1.0, 1.5, 1, 2, 1, 0xF, 3, 0, 0, 0, 0, 0)),
             lambda: _core._cuda_normalizing(0, 3, True, 0, 5, 0, 0, 0, [0.5, 0.5, 0.0, 1e-6], slots, 0),
             lambda: _core._cuda_normalizing(0, 3, False, 4, 0, 0, 0, 0, [0.5, 0.5, 0.0, 1e-6], np.zeros(0), 0)]
    for call in calls:
        if _core._cuda_built:
            call()
        else:
            with pytest.raises(RuntimeError, match="without CUDA"):
                call()
    if _core._cuda_built:
        np.testing.assert_array_equal(grads, 0)
        np.testing.assert_array_equal(slots, 0)
        assert ml_sums == [[0.0] * 4]


def test_entry_point_errors():
    # The real entry point: with CUDA built and no device (this machine), or without CUDA in the
    # build, a launch raises a RuntimeError; bad operands raise ValueError first.
    with pytest.raises(RuntimeError, match="CUDA"):
        _core._cuda_elementwise(0, 2, 4, [0], [1], [4], [1], [1], [0], 0)
    with pytest.raises(ValueError, match="in/out"):
        _core._cuda_elementwise(0, 2, 4, [0, 0], [1, 1], [4, 4], [1, 1], [1, 1], [0], 0)
    with pytest.raises(ValueError, match="div/mod"):
        _core._cuda_elementwise(0, 2, 4, [0], [0], [4], [1], [1], [0], 0)
    with pytest.raises(ValueError, match="div/mod"):
        _core._cuda_elementwise(0, 2, 4, [0], [1], [5], [1], [1], [0], 0)
    with pytest.raises(ValueError, match="div/mod"):
        _core._cuda_elementwise(0, 2, 4, [0], [1], [2], [4], [3], [0], 0)
    with pytest.raises(ValueError, match="dtype"):
        _core._cuda_elementwise(0, 7, 4, [0], [1], [4], [1], [1], [0], 0)
    params, grads = np.ones(4), np.zeros(4)  # hermite degree 3
    with pytest.raises(RuntimeError, match="CUDA"):
        _core._cuda_series(2, 0, 3, 2, 8, 0, 0, 0, params, grads, 0)
    with pytest.raises(ValueError, match="params"):
        _core._cuda_series(0, 0, 4, 2, 8, 0, 0, 0, params, grads, 0)
    with pytest.raises(ValueError, match="degree"):
        _core._cuda_series(0, 0, 99, 2, 8, 0, 0, 0, params, grads, 0)
    with pytest.raises(ValueError, match="dtype"):
        _core._cuda_series(0, 0, 3, 0, 8, 0, 0, 0, params, grads, 0)
    with pytest.raises(ValueError, match="grad_params"):
        _core._cuda_series(2, 0, 3, 2, 8, 0, 0, 0, params, np.zeros(3), 0)
    ml = (1, 0, 1, 1, 1.0, 1.5, 1.0, 2.0, 1.0, 0xF)  # gamma, inner, f, g, c, alpha1..beta2, need
    with pytest.raises(RuntimeError, match="CUDA"):
        _core._cuda_ml_gated(0, *ml, 2, 8, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="mode"):
        _core._cuda_ml_gated(5, *ml, 2, 8, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="dtype"):
        _core._cuda_ml_gated(0, *ml, 1, 8, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="alpha2"):
        _core._cuda_ml_gated(0, *ml[:7], -1.0, *ml[8:], 2, 8, 0, 0, 0, 0)
    ash = [0.0, 1.0, 1e-5]  # z, alpha, eps: one learnable slot (z)
    with pytest.raises(RuntimeError, match="CUDA"):
        _core._cuda_normalizing(1, 2, True, 2, 4, 0, 0, 0, ash, np.zeros(1), 0)
    with pytest.raises(ValueError, match="params"):
        _core._cuda_normalizing(1, 2, False, 2, 4, 0, 0, 0, ash[:2], np.zeros(0), 0)
    with pytest.raises(ValueError, match="op"):
        _core._cuda_normalizing(9, 2, False, 2, 4, 0, 0, 0, ash, np.zeros(0), 0)
    with pytest.raises(ValueError, match="grad_params"):
        _core._cuda_normalizing(1, 2, True, 2, 4, 0, 0, 0, ash, np.zeros(2), 0)


def test_device_check():
    cpu = torch.zeros(2)
    assert _torch_cuda.check_device("gelu", [cpu]) == "cpu"
    with pytest.raises(RuntimeError, match="meta"):
        _torch_cuda.check_device("gelu", [torch.zeros(2, device="meta")])
    with pytest.raises(RuntimeError, match="one CPU or one CUDA device"):
        _torch_cuda.check_device("gelu", [cpu, torch.zeros(2, device="meta")])
    if not _core._cuda_built:
        with pytest.raises(RuntimeError, match="no CUDA kernels"):
            _torch_cuda.check_device("gelu", [types.SimpleNamespace(device=torch.device("cuda:0"))])


ML = sorted(n for n in ACTS if n.startswith("ml_"))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("name", ML)
def test_ml_gated_match_cpu_path(name, dtype, fake_cuda):
    act = ACTS[name]
    x = torch.linspace(-4, 3, 21, dtype=torch.float64).to(dtype)
    pdt = torch.float32 if dtype is torch.float16 else dtype
    # scalar parameters near the defaults (0-d tensors: learnable)
    arrays = [torch.tensor(v * 1.05 + 0.02, dtype=pdt) for v in act.params.values()]

    _assert_same_on_device_and_cpu(lambda xs, *ps: getattr(nt, name)(xs, **dict(zip(act.params, ps))), x, arrays)
    code = 3 if dtype is torch.float64 else 2  # float16 computes in float32
    form = (act.gamma, *(c[k] for c, k in ((_ML_INNER, act.inner), (_ML_MAP, act.f), (_ML_MAP, act.g))))
    assert fake_cuda == [("ml_gated", code, (0, *form)), ("ml_gated", code, (2, *form)),
                         ("ml_gated", code, (3, *form))]


def test_ml_gated_per_element_parameters_say_so(fake_cuda):
    x = torch.linspace(-2, 2, 8, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar parameters"):
        nt.ml_tanh(x, beta2=torch.full((8,), 1.5, dtype=torch.float64))


@pytest.mark.parametrize("xshape, wshape, bcast", [
    ((2, 3, 4, 5), (3, 1, 1), (20, 3)),   # per-channel (NCHW): read at (i / 20) % 3, no copy
    ((6, 5), (5,), (1, 5)),               # last axis
    ((2, 3, 5), (2, 1, 5), (1, 5, 15, 2)),  # two runs: (i % 5) + ((i / 15) % 2) 5, no copy
    ((2, 4, 3, 2, 2), (2, 1, 3, 1, 1), (4, 3, 48, 2)),  # per-channel, batched (jax.vmap-like)
    ((2, 3, 4, 5), (2, 1, 4, 1), (5, 4, 60, 2)),  # two runs with trailing broadcast
    ((3, 2, 2, 3), (3, 1, 2, 1), (3, 2, 12, 3)),
    ((2, 2, 2, 2, 2), (2, 1, 2, 1, 2), (1, 32)),  # three runs: expanded on the device first
    ((4, 5), (), (1, 1)),                 # one value
])
def test_parameter_broadcast_forms(xshape, wshape, bcast, fake_cuda):
    g = torch.Generator().manual_seed(5)
    x = torch.randn(xshape, dtype=torch.float64, generator=g, requires_grad=True)
    w = (0.1 + torch.rand(wshape, dtype=torch.float64, generator=g)).requires_grad_(True)
    y = nt.prelu(x, weight=w)
    gx, gw = torch.autograd.grad(y, [x, w], torch.ones_like(y))
    assert fake_cuda[0][0] == "prelu" and fake_cuda[0][2] == ((1, y.numel()), bcast)
    xd, wd = x.detach(), w.detach()
    torch.testing.assert_close(y, torch.where(xd >= 0, xd, wd * xd), rtol=0, atol=0)
    torch.testing.assert_close(gx, torch.where(xd >= 0, 1.0, wd.expand(xshape)), rtol=0, atol=0)
    torch.testing.assert_close(gw, torch.minimum(xd, torch.zeros(())).sum_to_size(wshape),
                               rtol=1e-14, atol=1e-14)


def _assert_same_on_device_and_cpu(fn, x, arrays):
    """y = fn(x, *arrays) and its gradients for grad_out = cos(y), through the fake device and
    through the CPU path: the same dtypes, shapes and values."""
    def run():
        xs, *ps = (t.clone().requires_grad_(True) for t in (x, *arrays))
        y = fn(xs, *ps)
        return (y.detach(), *torch.autograd.grad(y, [xs, *ps], torch.cos(y.detach().float()).to(y.dtype)))

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_torch_cuda, "check_device", lambda n, t: "cpu")
        ref = run()
    got = run()
    for a, b in zip(got, ref, strict=True):
        assert a.dtype is b.dtype and a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("version, groups", [("A", None), ("B", None), ("C", None), ("N", None),
                                             ("D", None), ("A", 2)])
def test_rational_matches_cpu_path(version, groups, dtype, fake_cuda):
    g = torch.Generator().manual_seed(11)
    x = (2 * torch.randn(3, 4, 5, dtype=torch.float64, generator=g)).to(dtype)
    nd = 5 if version == "C" else 4
    shape = (groups,) if groups else ()
    num = (0.5 * torch.randn(*shape, 6, dtype=torch.float64, generator=g)).to(x.dtype if dtype is not torch.bfloat16 else torch.float32)
    den = (0.5 * torch.randn(*shape, nd, dtype=torch.float64, generator=g)).to(num.dtype)
    opts = dict(version=version, groups=groups, axis=1, training=version == "D", seed=3)

    _assert_same_on_device_and_cpu(lambda xs, ns, ds: nt.rational(xs, ns, ds, **opts), x, [num, den])
    assert [c[0] for c in fake_cuda] == ["rational", "rational"]
    assert fake_cuda[0][2] == ((groups, 10) if groups else (1, 0))


SERIES = sorted(n for n, a in ACTS.items() if getattr(a, "kind", None) == "series")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("name", SERIES)
def test_series_match_cpu_path(name, dtype, fake_cuda):
    gen = torch.Generator().manual_seed(13)
    act = ACTS[name]
    x = (2 * torch.randn(3, 7, dtype=torch.float64, generator=gen)).to(dtype)
    pdt = torch.float32 if dtype is torch.float16 else dtype
    arrays = [(torch.from_numpy(v) * (1 + 0.2 * torch.rand(v.shape, dtype=torch.float64, generator=gen))).to(pdt)
              for v in act.initial().values()]

    _assert_same_on_device_and_cpu(getattr(nt, name), x, arrays)
    code = 3 if dtype is torch.float64 else 2  # float16 computes in float32
    assert fake_cuda == [("series", code, (act.family, act.default_degree))] * 2


NORMALIZING = sorted(n for n, a in ACTS.items() if getattr(a, "kind", None) == "normalizing")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
@pytest.mark.parametrize("name", NORMALIZING)
def test_normalizing_match_cpu_path(name, dtype, fake_cuda):
    gen = torch.Generator().manual_seed(17)
    act = ACTS[name]
    x = torch.randn(3, 5, 4, dtype=torch.float64, generator=gen).to(dtype)
    pdt = torch.float32 if dtype is torch.bfloat16 else dtype
    arrays = [(torch.as_tensor(v, dtype=torch.float64) + 0.1).to(pdt) for v in act.initial().values()]

    _assert_same_on_device_and_cpu(lambda xs, *ps: getattr(nt, name)(xs, *ps, axis=1), x, arrays)
    code = 3 if dtype is torch.float64 else 2  # bfloat16 computes in float32
    assert fake_cuda == [("normalizing", code, (act._op, 12, 5, False)),
                         ("normalizing", code, (act._op, 12, 5, True))]
