"""nonlin.torch: the custom ops against the NumPy path (bit for bit) and PyTorch's own activations,
gradcheck (inputs and learnable parameters, float64) against finite differences, opcheck,
torch.compile(fullgraph=True), modules and replace_activations, and a training loop whose loss
curve must match the one with torch's own activation."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import reference_formulas as rf
from adapter_points import points
from conftest import require_nonlin

torch = pytest.importorskip("torch")
nl = require_nonlin()
import nonlin.torch as nt  # noqa: E402
from nonlin import _adapters  # noqa: E402

torch.set_num_threads(1)  # small tensors: torch's OpenMP team only adds spin-waiting on 2 shared cores

F = torch.nn.functional
ACTS = _adapters.activations()
ELEMENTWISE = sorted(n for n, a in ACTS.items() if _adapters.is_elementwise(a))
GATED = sorted(n for n, a in ACTS.items() if _adapters.is_gated(a))
LEARNABLE = [n for n in ELEMENTWISE if ACTS[n].learnable]

# PyTorch's own functional for the activations torch has (same parameter names).
TORCH_FN = {
    "relu": F.relu, "relu6": F.relu6, "leaky_relu": F.leaky_relu, "elu": F.elu, "selu": F.selu,
    "celu": F.celu, "gelu": F.gelu, "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu, "mish": F.mish, "softplus": F.softplus, "softsign": F.softsign,
    "sigmoid": torch.sigmoid, "tanh": torch.tanh, "logsigmoid": F.logsigmoid,
    "hardtanh": F.hardtanh, "hardsigmoid": F.hardsigmoid, "hardswish": F.hardswish,
    "hardshrink": F.hardshrink, "softshrink": F.softshrink, "tanhshrink": F.tanhshrink,
    "prelu": lambda x, weight: F.prelu(x, weight.reshape(-1)),
}


def _points(name, n=64, seed=0, dtype=torch.float64):
    return torch.tensor(points(name, n, seed), dtype=dtype)


def _param_tensors(name, channels, dtype=torch.float64, requires_grad=False):
    """Learnable parameters as per-channel tensors just above their default (distinct values, on
    the valid side of constraints like alpha >= 0)."""
    act = ACTS[name]
    out = {}
    for k, p in enumerate(act.learnable):
        base = act.params[p]
        v = base + 0.1 * (k + 1) * torch.linspace(0.25, 1, channels, dtype=dtype) * max(1.0, abs(base))
        out[p] = v.requires_grad_(requires_grad)
    return out


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_matches_numpy_path(name, dtype):
    x = _points(name, 256, dtype=dtype)
    y = getattr(nt, name)(x)
    assert y.dtype == dtype and y.shape == x.shape
    np.testing.assert_array_equal(y.numpy(), getattr(nl, name)(x.numpy()))
    # non-contiguous input (every other element of a transposed 2-D view)
    x2 = x.reshape(16, 16).t()[:, ::2]
    np.testing.assert_array_equal(getattr(nt, name)(x2).numpy(), getattr(nl, name)(x2.numpy()))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_bfloat16_computed_in_float32(name):
    x = _points(name, 64, dtype=torch.float32).to(torch.bfloat16)
    y = getattr(nt, name)(x)
    expected = torch.from_numpy(getattr(nl, name)(x.float().numpy())).to(torch.bfloat16)
    assert y.dtype == torch.bfloat16
    assert torch.equal(y, expected)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", sorted(set(TORCH_FN) & set(ELEMENTWISE)))
def test_matches_torch_forward_and_grad(name, dtype):
    x = _points(name, 256, dtype=dtype).reshape(64, 4).requires_grad_()
    params = _param_tensors(name, 4, dtype) if name == "prelu" else {}  # torch: numbers only
    ours = getattr(nt, name)(x, **params)
    theirs = TORCH_FN[name](x, **params)
    # atol: torch's own errors (its float32 erf is off by 1.5e-7; its gelu tails cancel)
    tol = dict(rtol=2e-6, atol=2e-6) if dtype == torch.float32 else dict(rtol=1e-13, atol=1e-14)
    torch.testing.assert_close(ours, theirs, **tol)
    g = torch.randn(ours.shape, dtype=dtype, generator=torch.Generator().manual_seed(1))
    (ga,) = torch.autograd.grad(ours, x, g)
    (gb,) = torch.autograd.grad(theirs, x, g)
    if name == "hardsigmoid" and dtype == torch.float64:
        tol = dict(rtol=3e-8, atol=0)  # torch's float64 backward multiplies by float32(1/6)
    # torch's derivative errors are absolute (float32 gelu_tanh'(-5.13) is 0, not -6.5e-7):
    # scaled by grad_out's size (was an unseeded grad_out: an occasional failure)
    tol["atol"] = tol["atol"] * float(g.abs().max())
    torch.testing.assert_close(ga, gb, **tol)


def _surrogate_everywhere(name):
    """The gradient is a surrogate on the whole line (BiPer's square wave): no finite
    difference of the forward can check it."""
    ref = rf.BY_NAME.get(name)
    return ref is not None and (-math.inf, math.inf) in ref.surrogate(ref.params)


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if not _surrogate_everywhere(n)])
def test_gradcheck_input_and_params(name):
    x = _points(name, 24).reshape(6, 4).requires_grad_()
    params = _param_tensors(name, 4, requires_grad=True)
    fn = getattr(nt, name)
    keys = list(params)
    assert torch.autograd.gradcheck(lambda x, *ps: fn(x, **dict(zip(keys, ps))), (x, *params.values()))
    if keys:  # scalar (0-d) parameters reduce over every element
        p0 = {k: v.detach()[1].clone().requires_grad_() for k, v in params.items()}
        assert torch.autograd.gradcheck(lambda x, *ps: fn(x, **dict(zip(keys, ps))), (x, *p0.values()))


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if _surrogate_everywhere(n)])
def test_surrogate_gradient(name):
    """Autograd passes the surrogate derivative of the registry (nonlin's derivative kernel)."""
    x = _points(name, 24).reshape(6, 4).requires_grad_()
    g = torch.randn(6, 4, dtype=torch.float64)
    getattr(nt, name)(x).backward(g)
    np.testing.assert_allclose(x.grad.numpy(), g.numpy() * getattr(nl, name).derivative(
        x.detach().numpy()), rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", GATED)
def test_gated(name):
    x = torch.randn(6, 8, dtype=torch.float64, requires_grad=True)
    fn = getattr(nt, name)
    for dim in (-1, 0):
        y = fn(x, dim=dim)
        np.testing.assert_array_equal(y.detach().numpy(), getattr(nl, name)(x.detach().numpy(), axis=dim))
        assert torch.autograd.gradcheck(lambda t: fn(t, dim=dim), (x,))
    if name == "glu":
        torch.testing.assert_close(fn(x), F.glu(x), rtol=1e-14, atol=0)
    m = getattr(nt, _adapters.class_name(name))(dim=0)
    torch.testing.assert_close(m(x), fn(x, dim=0), rtol=0, atol=0)
    with pytest.raises(ValueError, match="even"):
        fn(torch.randn(3, 5), dim=-1)


@pytest.mark.parametrize("name", ELEMENTWISE + GATED)
def test_opcheck(name):
    getattr(nt, name)  # registers the ops (importing nonlin.torch does that for the registry)
    if name in GATED:
        torch.library.opcheck(getattr(torch.ops.nonlin, name), (torch.randn(4, 6), 1))
        torch.library.opcheck(getattr(torch.ops.nonlin, name + "_backward"),
                              (torch.randn(4, 3), torch.randn(4, 6), 1))
        return
    act = ACTS[name]
    x = _points(name, 32, dtype=torch.float32).reshape(8, 4)
    per_channel = _param_tensors(name, 4, torch.float32)
    ps = [per_channel.get(p, torch.tensor(float(d))) for p, d in act.params.items()]
    if act.learnable:
        ps = [p.requires_grad_() if p.ndim else p for p in ps]
    xg = x.clone().requires_grad_()
    torch.library.opcheck(getattr(torch.ops.nonlin, name), (xg, *ps))
    torch.library.opcheck(getattr(torch.ops.nonlin, name + "_backward"),
                          (torch.randn(8, 4), x, *[p.detach() for p in ps]))
    if act.learnable:
        torch.library.opcheck(getattr(torch.ops.nonlin, name + "_param_backward"),
                              (torch.randn(8, 4), x, *[p.detach() for p in ps]))


def test_compile_fullgraph_matches_eager():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), nt.GELU(), torch.nn.Linear(16, 16),
                                nt.PReLU(num_parameters=16), torch.nn.Linear(16, 16),
                                nt.LeakyReLU(0.2), nt.SwiGLU(), torch.nn.Linear(8, 1), nt.Softplus(beta=2.0))
    x = torch.randn(32, 8)
    compiled = torch.compile(model, fullgraph=True)
    ye = model(x)
    ye.sum().backward()
    ge = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    yc = compiled(x)
    yc.sum().backward()
    torch.testing.assert_close(yc, ye, rtol=0, atol=0)
    for a, p in zip(ge, model.parameters()):
        torch.testing.assert_close(p.grad, a, rtol=1e-6, atol=1e-7)


def test_modules_follow_torch_conventions():
    m = nt.PReLU(num_parameters=3, init=0.1)
    assert isinstance(m.weight, torch.nn.Parameter) and m.weight.shape == (3,)
    assert torch.all(m.weight == 0.1)
    assert torch.all(nt.PReLU().weight == 0.25)  # the paper's (and torch's) initialisation
    x = torch.randn(2, 3, 5, 5)
    torch.testing.assert_close(m(x), F.prelu(x, m.weight), rtol=0, atol=0)
    assert nt.LeakyReLU(0.2).negative_slope == 0.2
    assert nt.Hardtanh(-2.0, 3.0).max_val == 3.0
    assert nt.ELU(alpha=0.5, inplace=True).alpha == 0.5  # a number, as in torch.nn.ELU
    assert nt.ELU(alpha=0.5, learnable=True).alpha.item() == 0.5  # or learnable on request
    torch.testing.assert_close(nt.GELU("tanh")(x), F.gelu(x, approximate="tanh"), rtol=2e-6, atol=1e-7)
    with pytest.raises(TypeError):
        nt.LeakyReLU(slope=0.1)
    # torch's positional order (nonlin's num_parameters / init / learnable keyword-only there)
    assert nt.ELU(0.5).alpha == 0.5 and nt.CELU(0.7, True).alpha == 0.7
    sp = nt.Softplus(2.0, 10.0)
    assert (sp.beta, sp.threshold) == (2.0, 10.0)
    assert nt.LeakyReLU(0.2, True).negative_slope == 0.2 and nt.Hardtanh(-2.0, 2.0, True).max_val == 2.0
    assert nt.PReLU(3, 0.1).weight.shape == (3,)
    for name in ("ELU", "CELU", "Softplus", "LeakyReLU", "Hardtanh", "PReLU", "SiLU"):
        import inspect
        ours = [p for p in inspect.signature(getattr(nt, name)).parameters.values()
                if p.kind is p.POSITIONAL_OR_KEYWORD]
        theirs = [p for p in list(inspect.signature(getattr(torch.nn, name).__init__).parameters)[1:]]
        assert [p.name for p in ours] == [t for t in theirs if t in {p.name for p in ours}][:len(ours)], name


def test_replace_activations_keeps_parameters():
    torch.manual_seed(1)
    prelu = torch.nn.PReLU(4, init=0.3)
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.GELU(approximate="tanh"),
                                torch.nn.Linear(4, 4), prelu,
                                torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.LeakyReLU(0.2)),
                                torch.nn.GLU(), torch.nn.ReLU6(), torch.nn.Hardtanh(-2, 2))
    x = torch.randn(5, 4)
    expected = model(x)
    nt.replace_activations(model)
    kinds = [type(m).__name__ for m in model.modules()]
    assert type(model[1]).__module__ == "nonlin.torch" and model[1].approximate == "tanh"
    assert type(model[3]).__module__ == "nonlin.torch" and model[3].weight is prelu.weight
    assert type(model[4][1]).__module__ == "nonlin.torch" and model[4][1].negative_slope == 0.2
    assert all(type(m).__module__ == "nonlin.torch" for m in (model[5], model[6], model[7]))
    assert type(model[6]).__name__ == "ReLU6" and model[7].min_val == -2.0
    torch.testing.assert_close(model(x), expected, rtol=2e-6, atol=1e-7)
    assert type(nt.replace_activations(torch.nn.SiLU())).__module__ == "nonlin.torch"


def test_replace_activations_adds_no_parameters():
    """torch's ELU / SiLU / Softplus / CELU have fixed numbers where nonlin has learnable
    parameters: the swapped model has exactly the parameters it had (an optimizer built after
    the swap trains the same model)."""
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.SiLU(), torch.nn.ELU(0.5),
                                torch.nn.Softplus(2.0, 10.0), torch.nn.CELU(0.7), torch.nn.PReLU(4))
    before = [name for name, _ in model.named_parameters()]
    x = torch.randn(3, 4)
    expected = model(x)
    nt.replace_activations(model)
    assert all(type(m).__module__ == "nonlin.torch" for m in list(model)[1:])
    assert [name for name, _ in model.named_parameters()] == before
    assert model[2].alpha == 0.5 and model[3].threshold == 10.0
    torch.testing.assert_close(model(x), expected, rtol=2e-6, atol=1e-7)


def test_module_learnable_option():
    """torch.nn's classes learn what torch learns (PReLU's weight only); nonlin-only ones the
    paper's learnable parameters; learnable= True / False / names overrides, bad names raise."""
    assert [n for n, _ in nt.ELU().named_parameters()] == []
    assert [n for n, _ in nt.SiLU().named_parameters()] == []
    assert [n for n, _ in nt.PReLU(3).named_parameters()] == ["weight"]
    assert [n for n, _ in nt.Snake().named_parameters()] == ["a"]
    assert [n for n, _ in nt.Golu(learnable=("beta",)).named_parameters()] == ["beta"]
    assert [n for n, _ in nt.Golu(learnable=False).named_parameters()] == []
    m = nt.ELU(num_parameters=2, alpha=0.5, learnable=True)
    assert m.alpha.shape == (2,) and float(m.alpha[0]) == 0.5
    x = torch.randn(4, 2, requires_grad=True)
    m(x).sum().backward()
    assert m.alpha.grad is not None and m.alpha.grad.shape == (2,)
    with pytest.raises(ValueError, match="num_parameters"):
        nt.ELU(num_parameters=3)
    with pytest.raises(ValueError, match="'beta'"):
        nt.ELU(learnable="beta")


@pytest.mark.parametrize("act_name", ["GELU", "PReLU", "SiLU", "ELU", "Softplus"])
def test_training_loop_matches_torch(act_name):
    """An MLP on a synthetic regression task: the loss curve with nonlin's activation equals the
    one with torch's own to float64 rounding (same init, same data, SGD)."""
    def run(act_cls):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(3, 32), act_cls(), torch.nn.Linear(32, 32),
                                    act_cls(), torch.nn.Linear(32, 1)).double()
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        g = torch.Generator().manual_seed(1)
        x = torch.randn(256, 3, generator=g, dtype=torch.float64)
        y = torch.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]
        losses = []
        for _ in range(60):
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return np.array(losses)

    ours, theirs = run(getattr(nt, act_name)), run(getattr(torch.nn, act_name))
    assert ours[-1] < 0.7 * ours[0]  # it trains
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_bad_input():
    with pytest.raises(TypeError, match="'x'"):
        nt.gelu(torch.arange(4))
    with pytest.raises(TypeError, match="unexpected keyword"):
        nt.leaky_relu(torch.randn(3), slope=0.1)
    with pytest.raises(ValueError, match="'lambd'"):
        nt.softshrink(torch.randn(3), lambd=-1.0)
    with pytest.raises(RuntimeError, match="'negative_slope' is not learnable"):
        nt.leaky_relu(torch.randn(3), negative_slope=torch.tensor(0.1, requires_grad=True)).sum().backward()
    assert nt.gelu(torch.empty(0, 3)).shape == (0, 3)
    assert nt.gelu(torch.tensor(1.0)).shape == ()


class _Cubic:
    """A protocol-conforming activation that is not in the registry (f = x^3/3 + a x), written in
    NumPy here: nonlin.torch.wrap must make it a full torch op, including double backward
    through its derivative2."""
    name = "test_cubic"
    params = {"a": 0.5}
    learnable = ("a",)
    __doc__ = "x^3/3 + a x"

    def __call__(self, x, out=None, a=0.5):
        return np.add(x ** 3 / 3, a * x, out=out)

    def derivative(self, x, out=None, a=0.5):
        return np.add(x * x, a, out=out)

    def derivative2(self, x, out=None, a=0.5):
        return np.multiply(2, x, out=out)

    def backward(self, g, x, out=None, a=0.5):
        return np.multiply(g, x * x + a, out=out)

    def param_backward(self, g, x, a=0.5):
        return {"a": np.asarray(np.sum(g * x, axis=tuple(range(x.ndim - np.ndim(a))))).reshape(np.shape(a))}


def test_non_numeric_parameters_are_reported():
    class Versioned(_Cubic):
        name, params = "test_versioned", {"version": "A"}

    with pytest.raises(TypeError, match="non-numeric parameters"):
        nt.wrap(Versioned())
    assert nl.torch is nt


def test_wrap_any_protocol_object_with_double_backward():
    fn, cls = nt.wrap(_Cubic())
    assert cls.__name__ == "TestCubic"
    x = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    a = torch.tensor([0.2, 0.5, -0.3], dtype=torch.float64, requires_grad=True)
    torch.testing.assert_close(fn(x, a=a), x ** 3 / 3 + a * x, rtol=1e-15, atol=0)
    assert torch.autograd.gradcheck(lambda x, a: fn(x, a=a), (x, a))
    assert torch.autograd.gradgradcheck(lambda x: fn(x, a=a.detach()), (x,))


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE
                                  if getattr(ACTS[n], "derivative2_ufunc", None) is not None])
def test_gradgradcheck(name):
    """Double backward in x through the derivative2 kernel, against finite differences."""
    x = _points(name, 12).reshape(3, 4).requires_grad_()
    params = {k: v.detach() for k, v in _param_tensors(name, 4).items()}
    assert torch.autograd.gradgradcheck(lambda t: getattr(nt, name)(t, **params), (x,))


class _CubicWithoutD2(_Cubic):
    name = "test_cubic_no_d2"
    derivative2 = None


def test_missing_second_derivatives_are_reported():
    fn, _ = nt.wrap(_CubicWithoutD2())
    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    w = torch.full((4,), 0.3, dtype=torch.float64, requires_grad=True)
    cases = [lambda: fn(x), lambda: nt.glu(x), lambda: nt.prelu(x, weight=w)]
    for f in cases:
        (g,) = torch.autograd.grad(f().sum(), x, create_graph=True)
        with pytest.raises(RuntimeError, match="second derivative"):
            torch.autograd.grad(g.sum(), [x, w] if f is cases[2] else [x])


def test_import_nonlin_imports_neither_torch_nor_jax():
    code = ("import sys, nonlin, numpy; nonlin.gelu(numpy.ones(3));"
            "assert 'torch' not in sys.modules and 'jax' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_torch_names_the_version():
    code = ("import sys; sys.modules['torch'] = None\n"
            "try:\n import nonlin.torch\nexcept ImportError as e:\n print(e)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert "needs torch >= 2.4" in out


def test_gelu_module_is_a_class_that_pickles():
    """nt.GELU is a real class: isinstance holds and models holding it pickle / torch.save (was
    a factory returning a generated class of the same name: PicklingError)."""
    import io
    import pickle
    m = nt.GELU("tanh")
    assert isinstance(m, nt.GELU) and isinstance(nt.GELU(), nt.GELU)
    x = torch.randn(7)
    torch.testing.assert_close(pickle.loads(pickle.dumps(m))(x), F.gelu(x, approximate="tanh"))
    model = nt.replace_activations(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU()))
    buf = io.BytesIO()
    torch.save(model, buf)
    buf.seek(0)
    back = torch.load(buf, weights_only=False)
    torch.testing.assert_close(back(x[:2]), model(x[:2]))
    with pytest.raises(ValueError, match="approximate"):
        nt.GELU("fast")


def test_replace_activations_shared_modules():
    """A module used twice (in one container or two) is replaced everywhere by one module
    (was: the second slot kept torch's, or the sharing was lost)."""
    g = torch.nn.GELU()
    m = torch.nn.Sequential(torch.nn.Linear(4, 4), g, torch.nn.Linear(4, 4), g)
    nt.replace_activations(m)
    assert type(m[3]).__module__ == "nonlin.torch" and m[1] is m[3]
    p = torch.nn.PReLU()
    m2 = torch.nn.Module()
    m2.a, m2.b = torch.nn.Sequential(p), torch.nn.Sequential(p)
    nt.replace_activations(m2)
    assert m2.a[0] is m2.b[0] and m2.a[0].weight is p.weight


def test_per_channel_module_checks_the_channel_count():
    """num_parameters > 1 needs dim 1 of that size, as torch.nn.PReLU (was: broadcast into a
    different output shape)."""
    with pytest.raises(ValueError, match="num_parameters=3"):
        nt.PReLU(3)(torch.randn(2, 1, 4))
    with pytest.raises(ValueError, match="num_parameters=3"):
        nt.PReLU(3)(torch.tensor(-1.0))
    assert nt.PReLU(3)(torch.randn(2, 3, 4)).shape == (2, 3, 4)


def _swiglu_ref(v):
    a, b = v.chunk(2, -1)
    return a * F.silu(b)


@pytest.mark.parametrize("ours,theirs", [(nt.gelu, F.gelu), (nt.silu, F.silu), (nt.elu, F.elu),
                                         (nt.softplus, F.softplus), (nt.tanh, torch.tanh)])
def test_torch_func_transforms(ours, theirs):
    """torch.func: jvp, jacfwd, jacrev, hessian (= jacfwd(jacrev)), vmap of grad, and plain
    forward-mode AD agree with torch's own activation (were: torch's internal 'must override
    setup_context' error for reverse mode, zero tangents without an error for forward mode)."""
    x = torch.linspace(-3, 2.5, 7, dtype=torch.float64)
    t = torch.linspace(0.5, 1.5, 7, dtype=torch.float64)
    fn = torch.func
    torch.testing.assert_close(fn.jvp(ours, (x,), (t,))[1], fn.jvp(theirs, (x,), (t,))[1])
    torch.testing.assert_close(fn.jacfwd(ours)(x), fn.jacfwd(theirs)(x))
    torch.testing.assert_close(fn.jacrev(ours)(x), fn.jacrev(theirs)(x))
    torch.testing.assert_close(fn.hessian(lambda v: ours(v).sum())(x), fn.hessian(lambda v: theirs(v).sum())(x))
    torch.testing.assert_close(fn.vmap(fn.grad(lambda v: ours(v).sum()))(x.reshape(7, 1)),
                               fn.vmap(fn.grad(lambda v: theirs(v).sum()))(x.reshape(7, 1)))
    fa = torch.autograd.forward_ad
    with fa.dual_level():
        got = fa.unpack_dual(ours(fa.make_dual(x, t))).tangent
        want = fa.unpack_dual(theirs(fa.make_dual(x, t))).tangent
    torch.testing.assert_close(got, want)


def test_torch_func_parameters_gated_and_arrays():
    """Parameter gradients under torch.func (grad, per-sample with vmap), gated units (jvp,
    grad), rational modules (grad through functional_call); what is not available raises
    NotImplementedError instead of returning zeros."""
    fn = torch.func
    x = torch.linspace(-2, 2, 6, dtype=torch.float64)
    w = torch.tensor([0.25], dtype=torch.float64)
    torch.testing.assert_close(fn.grad(lambda w: nt.prelu(x, weight=w).sum())(w),
                               fn.grad(lambda w: F.prelu(x, w).sum())(w))
    per_sample = fn.vmap(fn.grad(lambda w, v: nt.prelu(v, weight=w).sum()), in_dims=(None, 0))
    per_sample_ref = fn.vmap(fn.grad(lambda w, v: F.prelu(v, w).sum()), in_dims=(None, 0))
    torch.testing.assert_close(per_sample(w, x.reshape(6, 1)), per_sample_ref(w, x.reshape(6, 1)))
    xx = torch.randn(3, 4, dtype=torch.float64)
    tt = torch.randn(3, 4, dtype=torch.float64)
    torch.testing.assert_close(fn.jvp(nt.swiglu, (xx,), (tt,))[1], fn.jvp(_swiglu_ref, (xx,), (tt,))[1])
    torch.testing.assert_close(fn.grad(lambda v: nt.swiglu(v).sum())(xx),
                               fn.grad(lambda v: _swiglu_ref(v).sum())(xx))
    m = nt.PAU().double()
    p = dict(m.named_parameters())

    def pau_ref(p, v):
        a, b = p["numerator"], p["denominator"]
        return (sum(a[j] * v ** j for j in range(a.numel()))
                / (1 + sum(b[k].abs() * v.abs() ** (k + 1) for k in range(b.numel()))))
    got = fn.grad(lambda p: fn.functional_call(m, p, (x,)).sum())(p)
    want = fn.grad(lambda p: pau_ref(p, x).sum())(p)
    for k in p:
        torch.testing.assert_close(got[k], want[k])
    with pytest.raises(NotImplementedError, match="parameters"):
        fn.jvp(lambda w: nt.prelu(x, weight=w), (w,), (torch.ones_like(w),))
    with pytest.raises(NotImplementedError, match="gated"):
        fn.hessian(lambda v: nt.swiglu(v).sum())(xx)
    with pytest.raises(NotImplementedError, match="forward-mode"):
        fn.jvp(m, (x,), (torch.ones_like(x),))
    with pytest.raises(NotImplementedError, match="second derivatives"):
        fn.hessian(lambda v: nt.biper(v).sum())(x)


def test_torch_func_vmap_rules():
    """vmap with batched parameters, gated units on a non-negative dim, vmap(grad) of gated
    units: equal to a loop over the samples, without torch's 'performance drop' fallback
    warning (batching rules are registered for every op)."""
    import warnings
    fn = torch.func
    g = torch.Generator().manual_seed(3)
    X = torch.randn(4, 5, dtype=torch.float64, generator=g)
    W = torch.rand(4, dtype=torch.float64, generator=g)
    Y = torch.randn(4, 3, 6, dtype=torch.float64, generator=g)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*performance drop.*")
        got = fn.vmap(lambda w, v: nt.prelu(v, weight=w))(W, X)
        torch.testing.assert_close(got, torch.stack([F.prelu(v, w.reshape(1)) for w, v in zip(W, X)]))
        got = fn.vmap(lambda v: nt.swiglu(v, dim=1))(Y)
        torch.testing.assert_close(got, torch.stack([nt.swiglu(v, dim=1) for v in Y]))
        got = fn.vmap(fn.grad(lambda v: nt.swiglu(v, dim=1).sum()))(Y)  # dim 1 = the last one
        torch.testing.assert_close(got, torch.stack([fn.grad(lambda v: _swiglu_ref(v).sum())(v) for v in Y]))
        got = fn.vmap(fn.grad(lambda w, v: nt.prelu(v, weight=w).sum()))(W, X)
        torch.testing.assert_close(got, torch.stack([fn.grad(lambda w: F.prelu(v, w.reshape(1)).sum())(w)
                                                     for w, v in zip(W, X)]))
        fn.hessian(lambda v: nt.gelu(v).sum())(X[0])


def test_batched_grads_empty_vmap_and_exact_number_parameters():
    """torch.autograd's batched grads (is_grads_batched, jacobian(vectorize=True)) work through
    the elementwise and gated ops and raise NotImplementedError where several tensors come back
    (were: 'Batching rule not implemented for aten::detach'); vmap over an empty batch gives an
    empty result (was IndexError); number parameters are not rounded to x's dtype on the op
    path (ml_gelu under vmap / compile equals eager); nn.PReLU's device= / dtype=."""
    D = torch.float64
    x = torch.randn(4, dtype=D, requires_grad=True)
    eye = torch.eye(4, dtype=D)
    torch.testing.assert_close(torch.autograd.grad(nt.gelu(x), x, eye, is_grads_batched=True)[0],
                               torch.autograd.grad(F.gelu(x), x, eye, is_grads_batched=True)[0])
    v = torch.randn(4, dtype=D)
    torch.testing.assert_close(torch.autograd.functional.jacobian(nt.swiglu, v, vectorize=True),
                               torch.autograd.functional.jacobian(_swiglu_ref, v, vectorize=True))
    with pytest.raises(NotImplementedError, match="batched grads"):
        torch.autograd.functional.jacobian(nt.Hermite().double(), v, vectorize=True)
    assert torch.func.vmap(nt.polynorm)(torch.empty(0, 4)).shape == (0, 4)
    assert torch.func.vmap(torch.func.grad(lambda w, t: nt.prelu(t, weight=w).sum()),
                           in_dims=(None, 0))(torch.tensor(0.3), torch.empty(0, 3)).shape == (0,)
    for dt in (torch.float16, torch.float32):
        xs = torch.linspace(-3, 3.7, 9, dtype=dt)
        eager = nt.ml_gelu(xs, alpha1=0.55)
        torch.testing.assert_close(torch.func.vmap(lambda t: nt.ml_gelu(t, alpha1=0.55))(xs), eager,
                                   rtol=0, atol=0)
    assert nt.PReLU(3, 0.1, device="cpu", dtype=torch.float64).weight.dtype == torch.float64
    with pytest.raises(TypeError, match="learnable"):
        nt.ELU(learnable=None)


def test_compiled_forward_mode_is_never_silently_zero():
    """torch.compile of jvp / jacfwd over nonlin ops: the tangents are right or an error says
    it is unsupported -- never the zeros torch gives a traced custom op (was: zeros)."""
    x = torch.tensor([0.5, -1.0, 2.0])
    t = torch.ones_like(x)
    want = torch.func.jvp(F.gelu, (x,), (t,))[1]
    for fullgraph in (False, True):
        try:
            got = torch.compile(lambda v: torch.func.jvp(nt.gelu, (v,), (t,))[1], fullgraph=fullgraph)(x)
        except Exception as e:  # unsupported: must say so
            assert "forward-mode AD" in str(e) or "not supported" in str(e), e
        else:
            torch.testing.assert_close(got, want)


def test_replace_activations_keeps_hooks_and_mode():
    """Forward hooks, pre-hooks and the training flag of the swapped module carry over (were
    dropped: a model's activation-statistics hooks stopped firing)."""
    seen = []
    act = torch.nn.GELU()
    act.register_forward_hook(lambda m, i, o: seen.append("post"))
    act.register_forward_pre_hook(lambda m, i: seen.append("pre"))
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), act).eval()
    nt.replace_activations(model)
    assert type(model[1]).__module__ == "nonlin.torch" and not model[1].training
    model(torch.randn(3, 2))
    assert seen == ["pre", "post"]
