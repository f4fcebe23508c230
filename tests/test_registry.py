"""The registry drives everything: every row has its ufuncs, metadata and catalogue entry."""

import numpy as np
import pytest

import nonlin as nl

STANDARD = ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "gelu_tanh",
            "silu", "mish", "softplus", "softsign", "sigmoid", "tanh", "logsigmoid", "hardtanh",
            "hardsigmoid", "hardswish", "hardshrink", "softshrink", "tanhshrink", "squared_relu"]
GATED = ["glu", "reglu", "geglu", "swiglu"]


def test_every_standard_activation_is_registered():
    names = {row["name"] for row in nl.catalog()}
    assert set(STANDARD + GATED) <= names


@pytest.mark.parametrize("name", STANDARD)
def test_ufuncs_exist_with_the_right_arity(name):
    act = getattr(nl, name)
    p = len(act.params)
    for suffix, nin in (("", 1 + p), ("_derivative", 1 + p), ("_backward", 2 + p)):
        u = getattr(nl.ufuncs, name + suffix)
        assert isinstance(u, np.ufunc)
        assert (u.nin, u.nout) == (nin, 1)
        assert u.types[1:] == ["f" * nin + "->f", "d" * nin + "->d"]
    if act.learnable:
        u = getattr(nl.ufuncs, name + "_param_grad")
        assert (u.nin, u.nout) == (2 + p, len(act.learnable))
    else:
        assert not hasattr(nl.ufuncs, name + "_param_grad")


@pytest.mark.parametrize("name", GATED)
def test_gated_ufuncs(name):
    assert (getattr(nl.ufuncs, name).nin, getattr(nl.ufuncs, name).nout) == (2, 1)
    assert (getattr(nl.ufuncs, name + "_backward").nin, getattr(nl.ufuncs, name + "_backward").nout) == (3, 2)


def test_pytorch_parameter_names_and_defaults():
    assert nl.leaky_relu.params == {"negative_slope": 0.01}
    assert nl.prelu.params == {"weight": 0.25} and nl.prelu.learnable == ("weight",)
    assert nl.softplus.params == {"beta": 1.0, "threshold": 20.0}
    assert nl.hardtanh.params == {"min_val": -1.0, "max_val": 1.0}
    assert nl.hardshrink.params == {"lambd": 0.5} and nl.softshrink.params == {"lambd": 0.5}
    assert nl.elu.params == {"alpha": 1.0} and nl.celu.params == {"alpha": 1.0}
    assert nl.silu.params == {"beta": 1.0}


def test_catalog_lists_every_exported_activation():
    """Every object nonlin exports that follows an activation protocol has a catalogue row."""
    from nonlin import _adapters
    names = {r["name"] for r in nl.catalog()}
    assert set(_adapters.activations()) <= names
    assert {"rational", "ml_tanh", "ml_gelu", "ml_elu"} <= names


def test_catalog_rows_are_complete():
    keys = {"smooth", "monotonic", "bounded", "range", "self_gated", "zero_centred"}
    for row in nl.catalog():
        assert row["formula"] and row["source"]
        # one vocabulary of property names across kinds (series used output_range / zero_centered)
        assert set(row["properties"]) <= keys, (row["name"], set(row["properties"]) - keys)
        if row["kind"] == "elementwise":
            assert row["derivative"]
            assert set(row["properties"]) >= {"smooth", "monotonic", "bounded", "range"}
            for p in row["params"].values():
                assert {"default", "learnable", "doc", "constraint"} <= set(p)


def test_closed_forms_at_simple_points():
    # Independent closed forms at exactly representable points.
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(nl.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(nl.tanh(x), np.tanh(x), rtol=1e-15)
    np.testing.assert_allclose(nl.relu6(np.array([-1.0, 3.0, 7.0])), [0, 3, 6])
    np.testing.assert_allclose(nl.hardswish(np.array([-4.0, 0.0, 1.5, 4.0])), [0, 0, 1.125, 4])
    np.testing.assert_allclose(nl.softsign(x), x / (1 + abs(x)), rtol=1e-15)
