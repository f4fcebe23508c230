"""nonlin.jax: the XLA FFI path against the NumPy path (bit for bit) and jax.nn, grad / jvp /
vmap (nested) / jacfwd / jacrev against the NumPy derivatives and jax.nn's autodiff, parameter
gradients, and a training loop whose loss curve must match the one with jax.nn's activation."""

from __future__ import annotations

import numpy as np
import pytest

from adapter_points import points
from conftest import require_nonlin

jax = pytest.importorskip("jax")
nl = require_nonlin()
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import nonlin.jax as nj  # noqa: E402
from nonlin import _adapters  # noqa: E402

ACTS = _adapters.activations()
KERNELS = {ufunc.__name__ for ufunc, _, _ in nl._core._ops}  # what the XLA FFI target can run
ELEMENTWISE = sorted(n for n, a in ACTS.items() if _adapters.is_elementwise(a) and n in KERNELS)
GATED = sorted(n for n, a in ACTS.items() if _adapters.is_gated(a))
LEARNABLE = [n for n in ELEMENTWISE if ACTS[n].learnable]

JAX_FN = {
    "relu": jax.nn.relu, "relu6": jax.nn.relu6, "elu": jax.nn.elu, "selu": jax.nn.selu,
    "celu": jax.nn.celu, "gelu": lambda x: jax.nn.gelu(x, approximate=False),
    "gelu_tanh": lambda x: jax.nn.gelu(x, approximate=True), "silu": jax.nn.silu,
    "mish": jax.nn.mish, "softplus": jax.nn.softplus, "softsign": jax.nn.soft_sign,
    "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "logsigmoid": jax.nn.log_sigmoid,
    "hardtanh": jax.nn.hard_tanh, "hardswish": jax.nn.hard_swish, "hardsigmoid": jax.nn.hard_sigmoid,
    "leaky_relu": jax.nn.leaky_relu,
}


def _points(name, n=64, seed=0, dtype=np.float64):
    return points(name, n, seed).astype(dtype)


def _channels(name, c, dtype=np.float64):
    act = ACTS[name]
    return {p: (act.params[p] + 0.1 * (k + 1) * np.linspace(0.25, 1, c) * max(1.0, abs(act.params[p]))).astype(dtype)
            for k, p in enumerate(act.learnable)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_matches_numpy_path_and_derivatives(name, dtype):
    x = _points(name, 64, dtype=dtype).reshape(16, 4)
    f = getattr(nj, name)

    @jax.jit  # everything in one compilation (the suite's time is mostly XLA compiling)
    def run(x):
        return (f(x), jax.grad(lambda t: f(t).sum())(x), jax.jvp(f, (x,), (jnp.ones_like(x),))[1],
                jax.vmap(jax.vmap(f))(x), jax.vmap(jax.grad(f))(x[:, 0]))

    y, grad, tangent, nested, vgrad = run(x)
    # subnormal results too (XLA's threads flush them; the handlers run in IEEE mode)
    np.testing.assert_array_equal(np.asarray(y), getattr(nl, name)(x))
    # grad/jvp use the derivative kernel: equal to the NumPy path's derivative
    ref = getattr(nl, name).derivative(x)
    np.testing.assert_array_equal(np.asarray(grad), ref)
    np.testing.assert_array_equal(np.asarray(tangent), ref)
    np.testing.assert_array_equal(np.asarray(nested), getattr(nl, name)(x))
    np.testing.assert_array_equal(np.asarray(vgrad), ref[:, 0])


@pytest.mark.parametrize("name", LEARNABLE)
def test_parameter_gradients(name):
    x = _points(name, 64).reshape(16, 4)
    ps = _channels(name, 4)
    f = getattr(nj, name)
    g = np.random.default_rng(2).uniform(-1, 1, x.shape)
    expected = getattr(nl, name).param_backward(g, x, **ps)
    for p in ps:
        grad = jax.jit(jax.grad(lambda v: (f(x, **dict(ps, **{p: v})) * g).sum()))(ps[p])
        np.testing.assert_allclose(np.asarray(grad), expected[p], rtol=1e-13, atol=1e-14)
        # a scalar parameter, and the batched gradient under vmap (one parameter per row)
        s = jax.grad(lambda v: (f(x, **dict(ps, **{p: v})) * g).sum())(ps[p][1])
        np.testing.assert_allclose(float(s), getattr(nl, name).param_backward(
            g, x, **dict(ps, **{p: ps[p][1]}))[p], rtol=1e-12)
        rows = jax.vmap(lambda xr, gr, v: jax.grad(lambda v: (f(xr, **dict(ps, **{p: v})) * gr).sum())(v),
                        in_axes=(0, 0, None))(x, g, ps[p])
        np.testing.assert_allclose(np.asarray(rows).sum(0), expected[p], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(set(JAX_FN) & set(ELEMENTWISE)))
def test_matches_jax_nn(name):
    x = _points(name, 128)
    ours, theirs = getattr(nj, name), JAX_FN[name]

    @jax.jit
    def run(x, x32):
        return [(f(x), jax.vmap(jax.grad(f))(x), f(x32)) for f in (ours, theirs)]

    (y, g, y32), (ty, tg, ty32) = run(x, x.astype(np.float32))
    np.testing.assert_allclose(y, ty, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(y32, ty32, rtol=2e-6, atol=2e-6)


def test_jacobians_and_low_precision():
    x = _points("elu", 5)
    J = np.diag(nl.elu.derivative(x))
    np.testing.assert_array_equal(jax.jacfwd(nj.elu)(x), J)
    np.testing.assert_array_equal(jax.jacrev(nj.elu)(x), J)
    for dt in (jnp.float16, jnp.bfloat16):
        y = nj.gelu(jnp.asarray(x, dt))
        assert y.dtype == dt
        np.testing.assert_array_equal(np.asarray(y, np.float32),
                                      np.asarray(jnp.asarray(nl.gelu(np.asarray(jnp.asarray(x, dt), np.float32)), dt), np.float32))


@pytest.mark.parametrize("name", GATED)
def test_gated(name):
    x = np.random.default_rng(3).standard_normal((6, 8))
    f = getattr(nj, name)
    for axis in (-1, 0):
        np.testing.assert_array_equal(jax.jit(f, static_argnums=1)(x, axis), getattr(nl, name)(x, axis=axis))
        g = np.random.default_rng(4).standard_normal(getattr(nl, name)(x, axis=axis).shape)
        np.testing.assert_allclose(jax.grad(lambda t: (f(t, axis) * g).sum())(x),
                                   getattr(nl, name).backward(g, x, axis=axis), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(jax.vmap(f)(x), getattr(nl, name)(x))
    if name == "glu":
        np.testing.assert_allclose(f(x), jax.nn.glu(x), rtol=1e-15)
    with pytest.raises(ValueError, match="even"):
        f(np.ones((3, 5)))
    # a NumPy integer axis is an axis (was a TypeError); a bool is not
    np.testing.assert_array_equal(f(x, np.int64(0)), getattr(nl, name)(x, axis=0))
    with pytest.raises(TypeError, match="axis must be an integer"):
        f(x, True)


def test_per_channel_params_broadcast_and_vmap():
    x = np.random.default_rng(5).standard_normal((3, 5, 4))
    w = np.array([0.1, 0.2, 0.3, 0.4])
    np.testing.assert_array_equal(nj.prelu(x, weight=w), nl.prelu(x, weight=w))
    # vmap over the parameter only (x unbatched): expand_dims batching, no tiling
    ws = np.stack([w, 2 * w])
    np.testing.assert_array_equal(jax.vmap(lambda v: nj.prelu(x, weight=v))(ws),
                                  np.stack([nl.prelu(x, weight=w), nl.prelu(x, weight=2 * w)]))


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if n + "_derivative2" in KERNELS])
def test_grad_of_grad(name):
    x = _points(name, 32)
    ps = _channels(name, 32)
    f = getattr(nj, name)
    ref = getattr(nl, name).derivative2(x, **ps)

    @jax.jit
    def run(x, ps):
        d2 = jax.vmap(jax.grad(jax.grad(lambda t, p: f(t, **p))))(x, ps)
        return d2, jax.hessian(lambda t: f(t, **ps).sum())(x)

    d2, hessian = run(x, ps)
    np.testing.assert_array_equal(np.asarray(d2), ref)
    np.testing.assert_array_equal(np.asarray(hessian), np.diag(ref))


def test_every_activation_is_available():
    """Every activation of the catalogue has its JAX function (the Mittag-Leffler gated ones,
    which have no registry op, through the nonlin_ml target: tests/test_jax_ml.py)."""
    for name in ACTS:
        assert callable(getattr(nj, name)), name


def test_second_derivative_and_bad_input_are_reported():
    with pytest.raises(NotImplementedError, match="second derivative of a gated unit"):
        jax.grad(lambda t: jax.grad(lambda u: nj.glu(u).sum())(t).sum())(np.ones(4))
    with pytest.raises(NotImplementedError, match="second derivative in a parameter"):
        jax.grad(lambda w: jax.grad(lambda u: nj.prelu(u, weight=w).sum())(np.ones(3)).sum())(0.2)
    # third derivatives and second derivatives of the array activations: NotImplementedError
    # naming what (were JAX's "The FFI call to nonlin_call cannot be differentiated")
    with pytest.raises(NotImplementedError, match="gelu: the third derivative"):
        jax.grad(jax.grad(jax.grad(nj.gelu)))(0.3)
    with pytest.raises(NotImplementedError, match="series: the second derivative"):
        jax.grad(lambda c: jax.grad(lambda t: nj.hermite(t, c).sum())(np.ones(3)).sum())(np.full(4, 0.1))
    with pytest.raises(TypeError, match="'negative_slope' is not learnable"):
        jax.grad(lambda s: nj.leaky_relu(np.ones(3), negative_slope=s).sum())(0.1)
    with pytest.raises(TypeError, match="'x'"):
        nj.gelu(np.arange(3))
    with pytest.raises(TypeError, match="unexpected keyword"):
        nj.elu(np.ones(3), beta=1.0)
    assert nj.gelu(np.zeros((0, 3))).shape == (0, 3)
    assert nj.gelu(1.0).shape == ()


@pytest.mark.parametrize("call,exc,word", [
    (lambda x: nj.softplus(x, beta=0.0), ValueError, "'beta' must be nonzero"),
    (lambda x: nj.softplus(x, beta=jnp.zeros(3)), ValueError, "'beta' must be nonzero"),
    (lambda x: nj.hardtanh(x, min_val=1.0, max_val=-1.0), ValueError, "'max_val'"),
    (lambda x: nj.celu(x, alpha=np.float32(0)), ValueError, "'alpha'"),
    (lambda x: nj.apa(x, lambd=-1.0), ValueError, "'lambd'"),
    (lambda x: nj.ml_tanh(x, alpha1=-1.0), ValueError, "'alpha1'"),
    (lambda x: nj.prelu(x, weight=np.array(["a"])), TypeError, "'weight'"),
])
def test_concrete_parameters_are_checked_as_in_numpy(call, exc, word):
    """Concrete parameter values break the same registry constraints as in the NumPy path;
    traced ones (inside the caller's jit or grad) pass unchecked."""
    x = jnp.linspace(-2, 2, 3)
    with pytest.raises(exc, match=word):
        call(x)
    assert bool(jnp.all(jnp.isinf(jax.jit(lambda b: nj.softplus(x, beta=b))(0.0))))
    assert float(jax.grad(lambda b: nj.softplus(x, beta=b).sum())(2.0)) < 0


def test_training_loop_matches_jax_nn():
    """An MLP on a synthetic regression task, plain SGD in float64: the loss curve with
    nonlin.jax.gelu equals the one with jax.nn.gelu to rounding."""
    k = jax.random.split(jax.random.PRNGKey(0), 5)
    x = jax.random.normal(k[0], (256, 3), jnp.float64)
    y = jnp.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:3]
    init = [jax.random.normal(k[1], (3, 32), jnp.float64) * 0.5, jnp.zeros(32),
            jax.random.normal(k[2], (32, 32), jnp.float64) * 0.2, jnp.zeros(32),
            jax.random.normal(k[3], (32, 1), jnp.float64) * 0.2, jnp.zeros(1)]

    def run(act):
        def loss(params):
            w1, b1, w2, b2, w3, b3 = params
            h = act(act(x @ w1 + b1) @ w2 + b2)
            return jnp.mean((h @ w3 + b3 - y) ** 2)

        @jax.jit
        def step(params):
            val, grads = jax.value_and_grad(loss)(params)
            return [p - 0.05 * g for p, g in zip(params, grads)], val

        params, losses = init, []
        for _ in range(40):
            params, val = step(params)
            losses.append(float(val))
        return np.array(losses)

    ours, theirs = run(nj.gelu), run(lambda t: jax.nn.gelu(t, approximate=False))
    assert ours[-1] < 0.5 * ours[0]
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_cuda_targets_cover_the_array_targets():
    """A build with CUDA kernels registers the XLA targets nonlin.jax calls for the CUDA
    platform too (the elementwise ops, the rational, series, normalising and Mittag-Leffler gated
    activations; the device code is compile-checked here, there is no GPU); a build without them
    registers none."""
    from nonlin import _core
    cuda = set(_core._jax_ffi_cuda_targets())
    if _core._cuda_built:
        assert cuda == {"nonlin_call", "nonlin_rational", "nonlin_rational_vjp", "nonlin_series",
                        "nonlin_series_vjp", "nonlin_norm", "nonlin_norm_vjp", "nonlin_ml_gated"}
        assert cuda <= set(_core._jax_ffi_targets())
    else:
        assert cuda == set()


def test_bfloat16_parameters():
    """bfloat16 parameters (mixed precision) are accepted like float16 / float32 ones (NumPy's
    dtype kind of bfloat16 is 'V'), checked, and give the float32 parameters' results."""
    x = jnp.linspace(-2, 2, 5)
    for xs in (x.astype(jnp.bfloat16), x):
        for name, kw in (("prelu", {"weight": 0.25}), ("snake", {"a": 0.5}), ("ml_gelu", {"alpha1": 0.5})):
            f = getattr(nj, name)
            got = f(xs, **{k: jnp.asarray(v, jnp.bfloat16) for k, v in kw.items()})
            want = f(xs, **{k: jnp.asarray(v, jnp.float32) for k, v in kw.items()})
            np.testing.assert_array_equal(np.asarray(got, np.float32), np.asarray(want, np.float32))
    with pytest.raises(ValueError, match="'lambd'"):
        nj.apa(x, lambd=jnp.asarray(-1.0, jnp.bfloat16))


def test_subnormals_are_not_flushed():
    """XLA's CPU threads flush subnormals to zero (MXCSR FTZ/DAZ); the FFI handlers run the
    kernels in IEEE mode, so subnormal inputs and tails give NumPy's results (were: selu'(1e-38)
    = 1.758, leaky_relu'(1e-38) = 0.01, biper(-1e-38) = -0, gelu_tanh 26 ulp off at -9.6056)."""
    for dt in (np.float32, np.float64):
        tiny = np.array([1e-38 if dt == np.float32 else 1e-310], dt)
        for name in ("selu", "leaky_relu", "relu6"):
            np.testing.assert_array_equal(jax.jit(jax.vmap(jax.grad(getattr(nj, name))))(tiny),
                                          getattr(nl, name).derivative(tiny))
        np.testing.assert_array_equal(jax.jit(nj.biper)(-tiny), nl.biper(-tiny))
        tail = np.array([-9.6056, -9.95] if dt == np.float32 else [-21.04], dt)
        np.testing.assert_array_equal(jax.jit(nj.gelu_tanh)(tail), nl.gelu_tanh(tail))
        np.testing.assert_array_equal(jax.jit(jax.vmap(jax.grad(nj.gelu_tanh)))(tail),
                                      nl.gelu_tanh.derivative(tail))
