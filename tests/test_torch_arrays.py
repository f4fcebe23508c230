"""nonlin.torch for the activations with learnable arrays (rational / PAU, the
coefficient-vector families, the normalising activations): values equal to the NumPy path,
gradcheck in float64 for x and every array against finite differences, opcheck,
torch.compile(fullgraph=True), modules with the papers' initialisations, bad options."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import require_nonlin

torch = pytest.importorskip("torch")
nl = require_nonlin()
import nonlin.torch as nt  # noqa: E402
from nonlin import _adapters  # noqa: E402

torch.set_num_threads(1)
ARRAY = sorted(n for n, a in _adapters.activations().items() if _adapters.is_array(a))


def _case(name, seed=0):
    """x (float64, 4 x 6), the arrays near their initial values (random offsets break the
    ties of the tropical maxima, where finite differences would split a tie) and the options."""
    act = getattr(nl, name)
    rng = np.random.default_rng(seed)
    arrays = [np.asarray(v, np.float64) + 0.1 * rng.standard_normal(np.shape(v))
              for v in act.initial().values()]
    x = rng.standard_normal((4, 6)) * 1.5
    return act, x, arrays


def test_every_array_activation_is_wrapped():
    assert set(ARRAY) >= {"rational", "hermite", "fourier", "tropical", "tropical_rational",
                          "polyrelu", "polynorm", "ash", "hard_ash", "velu"}


@pytest.mark.parametrize("name", ARRAY)
def test_values_and_gradients_equal_the_numpy_path(name):
    act, x, arrays = _case(name)
    g = np.random.default_rng(5).standard_normal(x.shape)
    xt = torch.tensor(x, requires_grad=True)
    ats = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = getattr(nt, name)(xt, *ats)
    y.backward(torch.tensor(g))
    np.testing.assert_array_equal(y.detach().numpy(), act.apply(x, arrays, act.static))
    gx, grads = act.vjp(g, x, arrays, act.static)
    np.testing.assert_array_equal(xt.grad.numpy(), gx)
    for t, ref in zip(ats, grads):
        np.testing.assert_array_equal(t.grad.numpy(), ref)


@pytest.mark.parametrize("name", [n for n in ARRAY if n != "hard_ash"])
def test_gradcheck(name):
    _, x, arrays = _case(name, seed=1)
    fn = getattr(nt, name)
    inputs = (torch.tensor(x, requires_grad=True), *(torch.tensor(a, requires_grad=True) for a in arrays))
    assert torch.autograd.gradcheck(lambda *t: fn(*t), inputs)


@pytest.mark.parametrize("name", ARRAY)
def test_opcheck_and_compile(name):
    act, x, arrays = _case(name, seed=2)
    fn = getattr(nt, name)
    xt, ats = torch.tensor(x), [torch.tensor(a) for a in arrays]
    static = nt._options_json(tuple(sorted(act.static.items())))
    torch.library.opcheck(getattr(torch.ops.nonlin, name).default, (xt, ats, static))
    torch._dynamo.reset()
    compiled = torch.compile(fn, fullgraph=True)
    torch.testing.assert_close(compiled(xt, *ats), fn(xt, *ats), rtol=0, atol=0)


@pytest.mark.parametrize("name", ARRAY)
def test_opcheck_and_compile_on_a_permuted_input(name):
    """A transposed x: the kernels return contiguous outputs and the fake kernels say so (their
    empty_like(x) promised x's permuted strides: torch.compile's stride assertion failed);
    the defaults (hermite's initial coefficients) compile too."""
    act, x, arrays = _case(name, seed=3)
    fn = getattr(nt, name)
    xt = torch.tensor(np.ascontiguousarray(x.T)).t()  # x's values, strides (1, 4)
    assert not xt.is_contiguous()
    ats = [torch.tensor(a) for a in arrays]
    static = nt._options_json(tuple(sorted(act.static.items())))
    torch.library.opcheck(getattr(torch.ops.nonlin, name).default, (xt, ats, static))
    torch._dynamo.reset()
    torch.testing.assert_close(torch.compile(fn, fullgraph=True)(xt, *ats), fn(xt, *ats), rtol=0, atol=0)
    if name != "rational":
        torch._dynamo.reset()
        torch.testing.assert_close(torch.compile(fn, fullgraph=True)(xt), fn(xt), rtol=0, atol=0)


@pytest.mark.parametrize("name", ARRAY)
def test_float16_keeps_float32_coefficients(name):
    """float16 x: computed in float32 with float32 coefficients, as the NumPy path (the
    coefficients were rounded to float16 first)."""
    act, x, arrays = _case(name, seed=4)
    x16 = np.asarray(x, np.float16)
    a32 = [np.asarray(a, np.float32) for a in arrays]
    y = getattr(nt, name)(torch.from_numpy(x16), *(torch.from_numpy(a) for a in a32))
    assert y.dtype == torch.float16
    np.testing.assert_array_equal(y.numpy(), act.apply(x16, a32, act.static))


def test_pau_module_starts_at_the_preset_and_learns():
    m = nt.PAU(degrees=(5, 4), init="gelu")
    assert isinstance(m.numerator, torch.nn.Parameter) and m.numerator.shape == (6,)
    x = torch.linspace(-3, 3, 601)
    err = (m(x) - torch.nn.functional.gelu(x)).abs().max().item()
    preset = nl.rational.preset("gelu", "A")
    assert err <= preset.max_error * 1.01 + 1e-6
    # version A's exact-zero b_k start at 1e-8: every coefficient receives a gradient
    assert np.all(m.denominator.detach().numpy() != 0) and np.any(preset.denominator == 0)
    (m(x) - torch.tanh(x)).pow(2).mean().backward()
    assert torch.all(m.denominator.grad != 0)
    m.zero_grad()
    # other degrees are fitted on construction: a (3, 2) GELU still approximates it
    small = nt.Rational(degrees=(3, 2), init="gelu", version="B")
    assert small.numerator.shape == (4,) and small.options["version"] == "B"
    assert (small(x) - torch.nn.functional.gelu(x)).abs().max().item() < 0.05
    # a few steps of fitting tanh from the GELU start reduce the error
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    losses = []
    for _ in range(50):
        opt.zero_grad()
        loss = ((m(x) - torch.tanh(x)) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_modules_and_options():
    h = nt.Hermite(degree=5)
    assert h.coefficients.shape == (6,)
    np.testing.assert_allclose(h.coefficients.detach().numpy(), nl.hermite.initial(5)["coefficients"])
    p = nt.PolyNorm(axis=1)
    x = torch.randn(3, 8, 2)
    np.testing.assert_allclose(p(x).detach().numpy(), nl.polynorm(x.numpy(), axis=1), rtol=1e-6)
    k = nt.Rational(groups=4, axis=1, init="silu")
    assert k.numerator.shape[0] == 4
    assert nt.Rational(groups=4, axis=1)(torch.randn(2, 8)).shape == (2, 8)
    with pytest.raises(TypeError, match="unexpected keyword argument 'degre'"):
        nt.Hermite(degre=3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'axes'"):
        nt.polynorm(torch.randn(3, 4), axes=0)
    with pytest.raises(TypeError, match="pass all of"):
        nt.rational(torch.randn(3), torch.ones(6))
    with pytest.raises(ValueError, match="version"):
        nt.rational(torch.randn(3), torch.ones(6), torch.ones(4), version="Z")


def test_float32_bfloat16_and_no_grad_of_grad():
    x = torch.randn(5, 3)
    np.testing.assert_allclose(nt.hermite(x).numpy(), nl.hermite(x.numpy()), rtol=0, atol=0)
    assert nt.polyrelu(x.bfloat16()).dtype is torch.bfloat16
    xt = torch.randn(4, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(nt.hermite(xt).sum(), xt, create_graph=True)
    with pytest.raises(RuntimeError, match="second derivatives"):
        g.sum().backward()


def test_rational_polynomial_without_denominator():
    """n = 0 (empty denominator): equal to the NumPy path, with coefficient gradients."""
    x = np.linspace(-2, 2, 9)
    a, b = np.array([0.25, 1.0, 0.5, -0.125]), np.zeros(0)
    at = torch.tensor(a, requires_grad=True)
    y = nt.rational(torch.from_numpy(x), at, torch.from_numpy(b))
    np.testing.assert_array_equal(y.detach().numpy(), nl.rational(x, a, b))
    y.sum().backward()
    np.testing.assert_allclose(at.grad.numpy(), nl.rational.backward(np.ones_like(x), x, a, b)[1], rtol=1e-15)


def test_modules_compile_with_dynamic_shapes():
    """torch.compile(fullgraph=True, dynamic=True): the modules' integer options are symbolic
    there; they pass their options as a string built at construction (was: 'sort with
    non-constant keys' / 'assume_constant_result argument conversion failed')."""
    for m in (nt.PolyNorm(), nt.PAU(), nt.PAU(groups=2, axis=1), nt.Hermite()):
        c = torch.compile(m, fullgraph=True, dynamic=True)
        for n in (8, 12):
            x = torch.randn(2, n)
            torch.testing.assert_close(c(x), m(x))


@pytest.mark.parametrize("make", [lambda: nt.Hermite(), lambda: nt.PAU(), lambda: nt.PAU(groups=2, axis=0),
                                  lambda: nt.PolyNorm(axis=0), lambda: nt.Tropical()])
def test_torch_func_vmap_and_per_sample_gradients(make):
    """torch.func.vmap of the array modules (was: 'Batching rule not implemented') and per-sample
    coefficient gradients with vmap(grad): equal to running each sample on its own."""
    m = make().double()
    x = torch.randn(5, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(torch.func.vmap(m)(x), torch.stack([m(r) for r in x]))
    p = dict(m.named_parameters())

    def loss(p, v):
        return torch.func.functional_call(m, p, (v,)).sum()
    per_sample = torch.func.vmap(torch.func.grad(loss), in_dims=(None, 0))(p, x)
    for k in p:
        want = torch.stack([torch.autograd.grad(loss(p, r), p[k])[0] for r in x])
        torch.testing.assert_close(per_sample[k], want)


def test_torch_func_vmap_rational_groups_from_coefficient_rows():
    """vmap of nt.rational with 2-D (per-group) coefficients and no groups= (the groups come
    from the arrays' rows): sample by sample, the channel axis being the sample's (was: one call
    on the whole batch, the axis pointing at the wrong dimension: off by 1.8)."""
    gen = torch.Generator().manual_seed(4)
    a = torch.randn(4, 6, dtype=torch.float64, generator=gen)
    b = torch.randn(4, 4, dtype=torch.float64, generator=gen)
    # samples (8, 2) with channels on axis 0, batch first; samples (2, 8), channels on axis -1,
    # batch last
    for shape, axis, dim in (((3, 8, 2), 0, 0), ((2, 8, 3), -1, 2)):
        x = torch.randn(*shape, dtype=torch.float64, generator=gen)

        def f(t):
            return nt.rational(t, a, b, version="A", axis=axis)
        got = torch.func.vmap(f, in_dims=dim, out_dims=dim)(x)
        want = torch.stack([f(x.select(dim, i)) for i in range(3)], dim=dim)
        torch.testing.assert_close(got, want)


def test_pau_version_d_follows_train_and_eval():
    """nt.PAU(version="D"): coefficient noise in train() mode only, a fresh draw per call (seeds
    seed, seed + 1, ...) and none in eval() mode, like dropout; the noise and the gradients of a
    call are NumPy's version D with that call's seed (were: train()/eval() ignored, no noise
    unless training=True was passed, then the same noise every call)."""
    m = nt.PAU(version="D", seed=3).double()
    x = torch.linspace(-2, 2, 7, dtype=torch.float64)
    a, b = (p.detach().numpy() for p in (m.numerator, m.denominator))
    for i in range(3):
        xr = x.clone().requires_grad_(True)
        y = m(xr)
        want = nl.rational(x.numpy(), a, b, version="D", training=True, seed=3 + i)
        np.testing.assert_allclose(y.detach().numpy(), want, rtol=1e-14)
        y.backward(torch.ones_like(y))
        gx, ga, gb = nl.rational.backward(np.ones(7), x.numpy(), a, b, version="D", training=True, seed=3 + i)
        np.testing.assert_allclose(xr.grad.numpy(), gx, rtol=1e-13)
        np.testing.assert_allclose(m.numerator.grad.numpy(), ga, rtol=1e-13)
        m.zero_grad()
    m.eval()
    np.testing.assert_allclose(m(x).detach().numpy(), nl.rational(x.numpy(), a, b, version="B"), rtol=1e-14)
    with pytest.raises(TypeError, match="'training' is not a module option"):
        nt.PAU(version="D", training=True)
