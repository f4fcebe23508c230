"""nonlin.jax for the activations with coefficient arrays (XLA FFI targets nonlin_series[_vjp],
nonlin_rational[_vjp]): values and gradients (x and every array) equal to the NumPy path, under
jit, grad, vmap (batched x, and per-example array gradients); rational versions, D's noise and
KAT groups; the normalising activations over any axis; float32."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import require_nonlin

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

nl = require_nonlin()
import nonlin.jax as nj  # noqa: E402

SERIES = ["hermite", "fourier", "tropical", "tropical_rational", "polyrelu"]


def _case(name):
    act = getattr(nl, name)
    rng = np.random.default_rng(len(name))
    arrays = [v + 0.1 * rng.standard_normal(v.shape) for v in act.initial().values()]
    return act, rng.standard_normal((3, 7)) * 1.5, arrays


@pytest.mark.parametrize("name", SERIES)
def test_values_grad_vmap(name):
    act, x, arrays = _case(name)
    f = getattr(nj, name)
    np.testing.assert_array_equal(f(jnp.asarray(x), *arrays), act(x, *arrays))

    def loss(x, *a):
        return jnp.sum(jnp.sin(f(x, *a)))

    grads = jax.jit(jax.grad(loss, argnums=tuple(range(len(arrays) + 1))))(
        jnp.asarray(x), *map(jnp.asarray, arrays))
    gx, *ga = act.backward(np.cos(act(x, *arrays)), x, *arrays)
    np.testing.assert_allclose(grads[0], gx, rtol=1e-14, atol=1e-15)
    for got, ref in zip(grads[1:], ga):
        np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(jax.vmap(lambda r: f(r, *arrays))(jnp.asarray(x)), act(x, *arrays))
    per_row = jax.vmap(jax.grad(lambda a0, r: jnp.sum(f(r, a0, *arrays[1:]))), in_axes=(None, 0))(
        jnp.asarray(arrays[0]), jnp.asarray(x))
    ref = np.stack([act.backward(np.ones(7), row, *arrays)[1] for row in x])
    np.testing.assert_allclose(per_row, ref, rtol=1e-13, atol=1e-14)


def test_float32_initial_arrays_and_errors():
    x = np.linspace(-3, 3, 11, dtype=np.float32)
    y = nj.hermite(jnp.asarray(x))
    assert y.dtype == jnp.float32
    np.testing.assert_array_equal(y, nl.hermite(x))
    with pytest.raises(ValueError, match="coefficients"):
        nj.hermite(jnp.asarray(x), jnp.ones((2, 2)))


RATIONAL_CASES = [{}, {"version": "B"}, {"version": "C"}, {"version": "N"},
                  {"version": "D", "training": True, "seed": 7}, {"groups": 4, "axis": 1}]


@pytest.mark.parametrize("kw", RATIONAL_CASES, ids=lambda kw: "-".join(map(str, kw.values())) or "A")
def test_rational(kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 8, 3)) * 2
    version = kw.get("version", "A")
    num, den = nl.rational.preset("gelu", "B" if version in "DN" else version)
    if "groups" in kw:
        num = np.tile(num, (4, 1)) + 0.01 * rng.standard_normal((4, num.size))
    y = nj.rational(jnp.asarray(x), num, den, **kw)
    ref = nl.rational(x, num, den, **kw)
    np.testing.assert_array_equal(y, ref)
    grads = jax.grad(lambda x, a, b: jnp.sum(jnp.sin(nj.rational(x, a, b, **kw))), argnums=(0, 1, 2))(
        jnp.asarray(x), jnp.asarray(num), jnp.asarray(den))
    for got, want in zip(grads, nl.rational.backward(np.cos(ref), x, num, den, **kw)):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)
    batched = jax.vmap(lambda r: nj.rational(r, num, den, **{k: v for k, v in kw.items() if k != "axis"}
                                             | ({"axis": 0} if "axis" in kw else {})))(jnp.asarray(x))
    np.testing.assert_array_equal(batched, ref)
    with pytest.raises(ValueError, match="version"):
        nj.rational(jnp.asarray(x), num, den, version="Z")


@pytest.mark.parametrize("name", ["polynorm", "ash", "hard_ash", "velu"])
@pytest.mark.parametrize("axis", [-1, 1])
def test_normalizing(name, axis):
    act = getattr(nl, name)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 16, 5)) * 1.5
    arrays = [np.asarray(v) + 0.1 * rng.standard_normal(np.shape(v)) for v in act.initial().values()]
    params = dict(zip(act.arrays, arrays))
    fn = getattr(nj, name)
    np.testing.assert_allclose(fn(jnp.asarray(x), *arrays, axis=axis), act(x, axis, **params),
                               rtol=0, atol=0)
    argnums = tuple(range(len(arrays) + 1))
    grads = jax.grad(lambda x, *a: jnp.sum(jnp.sin(fn(x, *a, axis=axis))), argnums=argnums)(
        jnp.asarray(x), *map(jnp.asarray, arrays))
    gx, pg = act.grads(np.cos(act(x, axis, **params)), x, axis, **params)
    np.testing.assert_allclose(grads[0], gx, rtol=1e-13, atol=1e-14)
    for k, got in zip(act.arrays, grads[1:]):
        assert got.shape == np.shape(params[k])
        np.testing.assert_allclose(got, pg[k], rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(jax.vmap(lambda r: fn(r, *arrays, axis=axis if axis < 0 else axis - 1))(jnp.asarray(x)),
                                  act(x, axis, **params))
    with pytest.raises(TypeError, match="unexpected keyword argument 'epsilon'"):
        fn(jnp.asarray(x), epsilon=1.0)


def test_rational_polynomial_without_denominator():
    """n = 0 (empty denominator): equal to the NumPy path, with coefficient gradients."""
    x = np.linspace(-2, 2, 9)
    a, b = np.array([0.25, 1.0, 0.5, -0.125]), np.zeros(0)
    np.testing.assert_array_equal(nj.rational(jnp.asarray(x), a, b), nl.rational(x, a, b))
    ga = jax.grad(lambda c: nj.rational(jnp.asarray(x), c, b).sum())(jnp.asarray(a))
    np.testing.assert_allclose(ga, nl.rational.backward(np.ones_like(x), x, a, b)[1], rtol=1e-15)
