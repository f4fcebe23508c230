"""nonlin.torch's eager fast path: plain CPU tensors in eager mode skip the custom-op dispatcher
(kernel called directly, an autograd.Function for gradients); every other context (torch.compile,
FakeTensor, torch.func transforms, dispatch modes, tracing) must still go through the registered
ops. Both paths must give the NumPy path's values and gradients exactly."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import require_nonlin

torch = pytest.importorskip("torch")
nl = require_nonlin()
import nonlin.torch as nt  # noqa: E402

torch.set_num_threads(1)


def dispatched(fn):
    """Run fn; return (its result, the nonlin:: ops the dispatcher saw, from the profiler)."""
    with torch.profiler.profile() as prof:
        result = fn()
    return result, {e.name for e in prof.events() if e.name.startswith("nonlin::")}


def test_eager_forward_matches_numpy_without_the_dispatcher():
    rng = np.random.default_rng(0)
    for dtype in (torch.float16, torch.float32, torch.float64):
        x = torch.from_numpy(rng.standard_normal((3, 5, 7))).to(dtype)
        for t in (x, x.transpose(0, 2), x[:, ::2]):  # contiguous, transposed, strided
            y, ops = dispatched(lambda: nt.gelu(t))
            assert ops == set()  # never through the custom op in plain eager mode
            assert y.dtype == dtype and y.shape == t.shape
            np.testing.assert_array_equal(y.numpy(), nl.gelu(t.numpy()))
    y, ops = dispatched(lambda: nt.elu(x.double(), alpha=0.7))
    assert ops == set()
    np.testing.assert_array_equal(y.numpy(), nl.elu(x.double().numpy(), alpha=0.7))
    # in place on the result works (torch owns a writable buffer)
    y.add_(1)
    np.testing.assert_array_equal(y.numpy(), nl.elu(x.double().numpy(), alpha=0.7) + 1)


def test_eager_special_inputs():
    # 0-d, empty, bfloat16, requires_grad under no_grad, inference mode: all values exact
    x0 = torch.tensor(0.5, dtype=torch.float64)
    assert nt.gelu(x0).shape == () and nt.gelu(x0).item() == float(nl.gelu(0.5))
    assert nt.gelu(torch.empty(0, 3)).shape == (0, 3)
    xb = torch.randn(17).to(torch.bfloat16)
    yb = nt.gelu(xb)
    assert yb.dtype == torch.bfloat16
    np.testing.assert_array_equal(yb.float().numpy(),
                                  torch.from_numpy(nl.gelu(xb.float().numpy())).bfloat16().float().numpy())
    xr = torch.randn(9, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        y = nt.gelu(xr)
    assert not y.requires_grad
    np.testing.assert_array_equal(y.numpy(), nl.gelu(xr.detach().numpy()))
    with torch.inference_mode():
        xi = torch.randn(9, dtype=torch.float64)
        np.testing.assert_array_equal(nt.gelu(xi).numpy(), nl.gelu(xi.numpy()))
    # bad parameters are still reported by the NumPy layer, naming the parameter
    with pytest.raises(ValueError, match="lambd"):
        nt.softshrink(torch.randn(4), lambd=-1.0)


def test_eager_gradients_match_numpy_and_parameter_numbers():
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.standard_normal((4, 3, 5))).requires_grad_(True)
    g = torch.from_numpy(rng.standard_normal((4, 3, 5)))
    w = torch.full((3, 1), 0.3, dtype=torch.float64, requires_grad=True)
    y, ops = dispatched(lambda: nt.prelu(x, weight=w))
    _, ops_bwd = dispatched(lambda: y.backward(g))
    assert ops == ops_bwd == set()
    xn, gn, wn = x.detach().numpy(), g.numpy(), w.detach().numpy()
    np.testing.assert_array_equal(x.grad.numpy(), nl.prelu.backward(gn, xn, weight=wn))
    np.testing.assert_allclose(w.grad.numpy(), nl.prelu.param_backward(gn, xn, weight=wn)["weight"],
                               rtol=1e-15)
    # a learnable parameter given as a number: no gradient for it, x's gradient still right
    x.grad = None
    nt.elu(x, alpha=0.7).backward(g)
    np.testing.assert_array_equal(x.grad.numpy(), nl.elu.backward(gn, xn, alpha=0.7))
    # x and scalar parameters together: the fused pass (nl.<name>.vjp)
    x.grad = None
    ps = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
          for k, v in (("alpha", 1.2), ("beta", 0.8), ("gamma", 1.5))}
    nt.golu(x, **ps).backward(g)
    gx_ref, pg_ref = nl.golu.vjp(gn, xn, alpha=1.2, beta=0.8, gamma=1.5)
    np.testing.assert_array_equal(x.grad.numpy(), gx_ref)
    np.testing.assert_array_equal(x.grad.numpy(), nl.golu.backward(gn, xn, alpha=1.2, beta=0.8, gamma=1.5))
    sep = nl.golu.param_backward(gn, xn, alpha=1.2, beta=0.8, gamma=1.5)
    for k, t in ps.items():
        assert t.grad.shape == () and t.grad.item() == float(pg_ref[k])
        np.testing.assert_allclose(t.grad.item(), sep[k], rtol=1e-13)
    # only the parameter needs a gradient
    xd = x.detach()
    a = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    (ga,) = torch.autograd.grad(nt.elu(xd, alpha=a), a, g)
    np.testing.assert_allclose(ga.item(), nl.elu.param_backward(gn, xn, alpha=0.7)["alpha"], rtol=1e-14)


def test_eager_double_backward_goes_through_the_ops():
    x = torch.linspace(-3, 3, 41, dtype=torch.float64, requires_grad=True)
    (d,) = torch.autograd.grad(nt.gelu(x).sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d.sum(), x)
    xn = x.detach().numpy()
    np.testing.assert_array_equal(d.detach().numpy(), nl.gelu.derivative(xn))
    np.testing.assert_array_equal(d2.numpy(), nl.gelu.derivative2(xn))
    assert torch.autograd.gradgradcheck(lambda t: nt.silu(t, beta=1.3), (x[:7].detach().requires_grad_(),))


@pytest.mark.filterwarnings("ignore:There is a performance drop")
def test_other_contexts_use_the_registered_ops():
    x = torch.randn(6, 4, dtype=torch.float64)
    expected = nl.gelu(x.numpy())
    # torch.func transforms (torch.func.grad of a custom op is not supported by torch itself)
    y, ops = dispatched(lambda: torch.func.vmap(nt.gelu)(x))
    assert "nonlin::gelu" in ops
    np.testing.assert_array_equal(y.numpy(), expected)
    # FakeTensor (shape propagation) and meta tensors: no kernel runs, shapes come out
    from torch._subclasses.fake_tensor import FakeTensorMode
    with FakeTensorMode() as mode:
        fx = mode.from_tensor(x)
        assert nt.gelu(fx).shape == x.shape
    assert nt.gelu(torch.empty(3, 2, device="meta")).shape == (3, 2)
    # torch.compile(fullgraph=True) traces the op (a graph break would raise) and runs it
    f = torch.compile(lambda t: nt.prelu(t, weight=torch.tensor(0.2, dtype=t.dtype)), fullgraph=True)
    y, ops = dispatched(lambda: f(x))
    assert "nonlin::prelu" in ops
    np.testing.assert_array_equal(y.numpy(), nl.prelu(x.numpy(), weight=0.2))


def test_gated_units_eager_and_registered_paths_agree():
    rng = np.random.default_rng(5)
    x = torch.from_numpy(rng.standard_normal((6, 8))).requires_grad_(True)
    g = torch.from_numpy(rng.standard_normal((6, 4)))
    y, ops = dispatched(lambda: nt.swiglu(x, dim=-1))
    _, ops_bwd = dispatched(lambda: y.backward(g))
    assert ops == ops_bwd == set()
    xn = x.detach().numpy()
    np.testing.assert_array_equal(y.detach().numpy(), nl.swiglu(xn, axis=-1))
    np.testing.assert_array_equal(x.grad.numpy(), nl.swiglu.backward(g.numpy(), xn, axis=-1))
    with torch.no_grad():
        np.testing.assert_array_equal(nt.swiglu(x, dim=0).numpy(), nl.swiglu(xn, axis=0))
    # compiled: through the op, same values
    f = torch.compile(lambda t: nt.swiglu(t, dim=-1), fullgraph=True)
    y2, ops = dispatched(lambda: f(x.detach()))
    assert "nonlin::swiglu" in ops
    np.testing.assert_array_equal(y2.numpy(), nl.swiglu(xn, axis=-1))
    # double backward of a gated unit is still reported, not silently zero
    (d,) = torch.autograd.grad(nt.swiglu(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="second derivatives"):
        d.sum().backward()


def test_array_activations_eager_and_registered_paths_agree():
    rng = np.random.default_rng(6)
    pau = nt.PAU(degrees=(5, 4), init="gelu").double()
    x = torch.from_numpy(rng.standard_normal((4, 7))).requires_grad_(True)
    g = torch.from_numpy(rng.standard_normal((4, 7)))
    y, ops = dispatched(lambda: pau(x))
    _, ops_bwd = dispatched(lambda: y.backward(g))
    assert ops == ops_bwd == set()
    num, den = pau.numerator.detach().numpy(), pau.denominator.detach().numpy()
    xn = x.detach().numpy()
    np.testing.assert_array_equal(y.detach().numpy(), nl.rational(xn, num, den))
    gx, gnum, gden = nl.rational.backward(g.numpy(), xn, num, den)
    np.testing.assert_array_equal(x.grad.numpy(), gx)
    np.testing.assert_allclose(pau.numerator.grad.numpy(), gnum, rtol=1e-14)
    np.testing.assert_allclose(pau.denominator.grad.numpy(), gden, rtol=1e-14)
    # compiled: through the op, same values
    f = torch.compile(lambda t: pau(t), fullgraph=True)
    y2, ops = dispatched(lambda: f(x.detach()))
    assert "nonlin::rational" in ops
    np.testing.assert_array_equal(y2.detach().numpy(), nl.rational(xn, num, den))
    # double backward is reported, not silently zero
    (d,) = torch.autograd.grad(pau(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="second derivatives"):
        d.sum().backward()


def test_numpy_and_list_parameters_keep_the_input_dtype():
    """NumPy scalars (np.float64 is a float subclass NumPy does not treat as a weak scalar),
    lists and arrays as parameters: float32 in, float32 out, with and without autograd, equal
    to torch's own op (a model mixing them with torch layers must not see float64)."""
    x = torch.from_numpy(np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32))
    m = torch.nn.Sequential(nt.LeakyReLU(np.float64(0.2)), torch.nn.Linear(3, 2))
    assert m(x).dtype == torch.float32
    w = [0.1, 0.2, 0.3]
    want = torch.nn.functional.prelu(x, torch.tensor(w))
    for weight in (w, np.array(w), np.array(w, np.float64)):
        for grad in (False, True):
            y = nt.prelu(x.clone().requires_grad_(grad), weight=weight)
            assert y.dtype == torch.float32
            torch.testing.assert_close(y.detach(), want)
    y = nt.leaky_relu(x, negative_slope=np.float64(0.2))
    assert y.dtype == torch.float32
    torch.testing.assert_close(y, torch.nn.functional.leaky_relu(x, 0.2))
    with pytest.raises(TypeError, match="weight"):
        nt.prelu(x, weight=["a", "b", "c"])
