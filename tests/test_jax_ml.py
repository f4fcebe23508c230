"""nonlin.jax for the Mittag-Leffler gated activations (nl.ml_*): the XLA FFI target nonlin_ml
composed with jax.numpy against the NumPy path (values, derivatives, every parameter
gradient, per-channel parameters), under jit / vmap (nested) / jvp / jacfwd / jacrev, float32,
and a training loop that learns the gate's shape."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from conftest import require_nonlin

jax = pytest.importorskip("jax")
nl = require_nonlin()
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import nonlin.jax as nj  # noqa: E402

NAMES = sorted(nl.ml_activations)
PNAMES = ("alpha1", "beta1", "alpha2", "beta2")
X = np.concatenate([-np.logspace(2, -3, 20), [0.0], np.logspace(-3, 2, 20)])
# non-default parameters (the gate's shape away from the classic function)
SHIFTED = {"alpha1": 0.1, "beta1": 0.05, "alpha2": -0.1, "beta2": 0.2}


def _params(name, shifted=False):
    p = dict(nl.ml_activations[name].params)
    if shifted:
        p = {k: v + SHIFTED[k] if v + SHIFTED[k] > 0 else v + abs(SHIFTED[k]) for k, v in p.items()}
    return p


def _close(a, b, rtol=1e-12):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(1.0, float(np.max(np.abs(b)))))


@pytest.mark.parametrize("shifted", [False, True])
@pytest.mark.parametrize("name", NAMES)
def test_values_and_derivative_match_numpy(name, shifted):
    act, f = nl.ml_activations[name], getattr(nj, name)
    p = _params(name, shifted)
    _close(f(X, **p), act(X, **p))
    d = jax.jit(jax.vmap(jax.grad(lambda t: f(t, **p))))(X)
    _close(d, act.derivative(X, **p))
    # forward mode gives the same derivative
    _, t = jax.jvp(lambda t: f(t, **p), (X,), (np.ones_like(X),))
    _close(t, act.derivative(X, **p))


@pytest.mark.parametrize("name", NAMES)
def test_parameter_gradients_match_numpy(name):
    act, f = nl.ml_activations[name], getattr(nj, name)
    p = _params(name, shifted=True)
    g = np.linspace(-1.5, 2.0, X.size)
    ref = act.param_backward(g, X, **p)
    got = jax.grad(lambda q: jnp.sum(g * f(X, **dict(zip(PNAMES, q)))))(tuple(p[k] for k in PNAMES))
    for k, v in zip(PNAMES, got):
        _close(v, ref[k], rtol=1e-11)
    # forward mode in a parameter: jvp = the same gradient contracted with g
    for k in PNAMES:
        _, t = jax.jvp(lambda v: jnp.sum(g * f(X, **{**p, k: v})), (p[k],), (1.0,))
        _close(t, ref[k], rtol=1e-11)


@pytest.mark.parametrize("k", PNAMES)
def test_gradient_in_x_and_one_parameter(k):
    """Only the asked-for parameter's part is evaluated (the kernel's need mask): the gradient in
    x and in that one parameter still match the NumPy path."""
    act, f = nl.ml_activations["ml_tanh_identity"], nj.ml_tanh_identity
    p = _params("ml_tanh_identity", shifted=True)
    g = np.linspace(-1.5, 2.0, 4099)
    x = np.linspace(-6.0, 6.0, 4099)
    gx, gk = jax.jit(jax.grad(lambda t, v: jnp.sum(g * f(t, **{**p, k: v})), argnums=(0, 1)))(x, p[k])
    _close(gx, act.backward(g, x, **p))
    _close(gk, act.param_backward(g, x, **p)[k], rtol=1e-11)


def test_per_channel_parameters_and_nested_vmap():
    act, f = nl.ml_silu, nj.ml_silu
    x = np.linspace(-3, 3, 24).reshape(6, 4)
    beta1 = np.array([0.9, 1.0, 1.1, 1.3])
    _close(f(x, beta1=beta1), act(x, beta1=beta1))
    grad = jax.grad(lambda b: f(x, beta1=b).sum())(beta1)
    _close(grad, act.param_backward(np.ones_like(x), x, beta1=beta1)["beta1"], rtol=1e-11)
    assert grad.shape == beta1.shape
    # nested vmap over rows and elements, and a batched parameter
    d = jax.vmap(jax.vmap(jax.grad(lambda t: f(t))))(x)
    _close(d, act.derivative(x))
    rows = jax.vmap(lambda b: f(x[0], beta1=b))(beta1)
    _close(rows, np.stack([act(x[0], beta1=b) for b in beta1]))
    jac_f, jac_r = jax.jacfwd(lambda t: f(t))(x[0]), jax.jacrev(lambda t: f(t))(x[0])
    _close(jac_f, np.diag(act.derivative(x[0])))
    _close(jac_r, np.diag(act.derivative(x[0])))


@pytest.mark.parametrize("name", NAMES)
def test_float32(name):
    f, act = getattr(nj, name), nl.ml_activations[name]
    x = np.linspace(-6, 6, 33).astype(np.float32)
    y = f(x)
    assert y.dtype == jnp.float32
    _close(y, act(x.astype(np.float64)), rtol=2e-6)
    _close(jax.grad(lambda t: f(t).sum())(x), act.derivative(x.astype(np.float64)), rtol=5e-6)


@pytest.mark.parametrize("name", NAMES)
def test_float32_per_channel_parameters(name):
    """float32 x with per-channel (array) parameters: evaluated in float64 like NumPy's path (was
    float32 arithmetic, whose cancelling ratios put ml_gelu 3.7% off at x = 1000)."""
    f, act = getattr(nj, name), nl.ml_activations[name]
    x = np.concatenate([np.linspace(-6, 6, 29), [-40.0, 40.0, 1e3, -1e3]]).astype(np.float32)
    k = "beta1" if name != "ml_gelu" else "alpha1"
    p = np.full(x.size, act.params[k], np.float32)
    y = f(x, **{k: p})
    assert y.dtype == jnp.float32
    want = act(x.astype(np.float64), **{k: p.astype(np.float64)})
    np.testing.assert_allclose(np.asarray(y, np.float64), want, rtol=2e-7, atol=1e-37)
    d = jax.grad(lambda t: f(t, **{k: p}).sum())(x)
    want_d = act.derivative(x.astype(np.float64), **{k: p.astype(np.float64)})
    np.testing.assert_allclose(np.asarray(d, np.float64), want_d, rtol=2e-7, atol=1e-37)


def test_float32_per_channel_parameters_need_x64():
    """Without jax_enable_x64 the float64 evaluation is not available: a ValueError saying so
    (a fresh interpreter: this module enables x64)."""
    code = ("import numpy as np, nonlin.jax as nj\n"
            "try:\n    nj.ml_silu(np.ones(4, np.float32), beta1=np.ones(4, np.float32))\n"
            "except ValueError as e:\n    print('ValueError', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.startswith("ValueError nonlin.jax.ml_silu") and "jax_enable_x64" in out


def test_second_derivative_and_bad_input_are_reported():
    with pytest.raises(NotImplementedError, match="second derivative"):
        jax.grad(lambda t: jax.grad(lambda u: nj.ml_tanh(u).sum())(t).sum())(np.ones(3))
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpha'"):
        nj.ml_tanh(np.ones(3), alpha=1.0)
    with pytest.raises(TypeError, match="'x'"):
        nj.ml_tanh(np.ones(3, np.int32))


def test_training_learns_the_gate():
    """Gradient descent on beta2 of the tanh -> identity family (beta2 = 1: tanh, 2: identity)
    towards data made with beta2 = 1.6: the loss falls and beta2 approaches 1.6."""
    x = np.linspace(-3, 3, 64)
    target = nl.ml_tanh_identity(x, beta2=1.6)

    @jax.jit
    def step(b):
        loss, g = jax.value_and_grad(lambda v: jnp.mean((nj.ml_tanh_identity(x, beta2=v) - target) ** 2))(b)
        return b - 0.5 * g, loss

    b, losses = 1.0, []
    for _ in range(200):
        b, loss = step(b)
        losses.append(float(loss))
    assert losses[-1] < 1e-3 * losses[0]
    assert abs(float(b) - 1.6) < 0.02
