"""Bad input gives a clear Python exception, never a crash (see tests/API.md)."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nonlin as nl

NAMES = ["relu", "relu6", "leaky_relu", "prelu", "elu", "selu", "celu", "gelu", "gelu_tanh",
         "silu", "mish", "softplus", "softsign", "sigmoid", "tanh", "logsigmoid", "hardtanh",
         "hardsigmoid", "hardswish", "hardshrink", "softshrink", "tanhshrink", "squared_relu"]
GLU_NAMES = ["glu", "reglu", "geglu", "swiglu"]

X = np.linspace(-3, 3, 7)


def _methods(name):
    a = getattr(nl, name)
    yield "forward", lambda x, **kw: a(x, **kw)
    yield "derivative", lambda x, **kw: a.derivative(x, **kw)
    yield "backward", lambda x, **kw: a.backward(np.ones_like(np.asarray(x, dtype=float)), x, **kw)


# (activation, params, parameter that must be named in the message)
INVALID_PARAMS = [
    ("softplus", {"beta": 0.0}, "beta"),
    ("softplus", {"beta": -0.0}, "beta"),
    ("softplus", {"beta": np.array([1.0, 0.0, 2.0])}, "beta"),
    ("celu", {"alpha": 0.0}, "alpha"),
    ("celu", {"alpha": np.array([[1.0], [0.0]])}, "alpha"),
    ("hardtanh", {"min_val": 1.0, "max_val": -1.0}, ("min_val", "max_val")),
    ("hardtanh", {"min_val": 2.0}, ("min_val", "max_val")),  # default max_val=1
    ("hardtanh", {"min_val": np.array([-1.0, 3.0]), "max_val": np.array([1.0, 2.0])},
     ("min_val", "max_val")),
    ("hardshrink", {"lambd": -0.5}, "lambd"),
    ("hardshrink", {"lambd": np.array([0.5, -1e-3])}, "lambd"),
    ("softshrink", {"lambd": -0.5}, "lambd"),
    ("softshrink", {"lambd": -1e-30}, "lambd"),
]


def _names_param(msg, param):
    params = param if isinstance(param, tuple) else (param,)
    return any(p in msg for p in params)


@pytest.mark.parametrize("name,params,param", INVALID_PARAMS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(INVALID_PARAMS)])
def test_invalid_parameter_value(name, params, param):
    x = X
    if any(np.ndim(v) == 1 for v in params.values()):
        x = X[: len(next(v for v in params.values() if np.ndim(v) == 1))]
    for method, fn in _methods(name):
        with pytest.raises(ValueError) as exc:
            fn(x, **params)
        assert _names_param(str(exc.value), param), (method, str(exc.value))
    # float32 input and param_backward too
    with pytest.raises(ValueError) as exc:
        getattr(nl, name)(np.asarray(x, np.float32), **params)
    assert _names_param(str(exc.value), param)
    if getattr(nl, name).learnable:
        with pytest.raises(ValueError) as exc:
            getattr(nl, name).param_backward(np.ones_like(x), x, **params)
        assert _names_param(str(exc.value), param)


@pytest.mark.parametrize("name,params", [
    ("softplus", {"beta": 1e-3}),
    ("softplus", {"beta": -1.0}),  # negative beta is allowed by PyTorch's formula
    ("celu", {"alpha": -0.5}),
    ("hardtanh", {"min_val": 0.5, "max_val": 0.5}),
    ("hardshrink", {"lambd": 0.0}),
    ("softshrink", {"lambd": 0.0}),
    ("leaky_relu", {"negative_slope": -2.0}),
    ("elu", {"alpha": 0.0}),
])
def test_boundary_parameter_values_accepted(name, params):
    # values next to the invalid ones must not raise
    y = getattr(nl, name)(X, **params)
    assert y.shape == X.shape


@pytest.mark.parametrize("name", NAMES + GLU_NAMES)
def test_unknown_keyword(name):
    a = getattr(nl, name)
    with pytest.raises(TypeError, match="bogus_kw"):
        a(X, bogus_kw=1.0)
    if name in GLU_NAMES:
        with pytest.raises(TypeError, match="bogus_kw"):
            a.backward(X[:6], X, bogus_kw=1)
        return
    with pytest.raises(TypeError, match="bogus_kw"):
        a.derivative(X, bogus_kw=1.0)
    with pytest.raises(TypeError, match="bogus_kw"):
        a.backward(X, X, bogus_kw=1.0)


@pytest.mark.parametrize("name,wrong", [
    ("leaky_relu", "slope"), ("prelu", "alpha"), ("elu", "beta"), ("softplus", "thresh"),
    ("hardtanh", "min"), ("hardshrink", "lambda"), ("gelu", "approximate"), ("silu", "alpha"),
])
def test_misspelled_parameter(name, wrong):
    with pytest.raises(TypeError, match=wrong):
        getattr(nl, name)(X, **{wrong: 0.5})


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        nl.leaky_relu(X, 0.2)
    with pytest.raises(TypeError):
        nl.softplus.derivative(X, 2.0)


NON_NUMERIC = [
    ("str", "abc"),
    ("str_array", np.array(["a", "b"])),
    ("object_str_array", np.array(["a", "b"], dtype=object)),
    ("bytes_array", np.array([b"a", b"b"])),
    ("none", None),
    ("mixed_list", [1.0, "a"]),
    ("dict", {"a": 1}),
    ("complex", np.array([1 + 2j])),
    ("datetime", np.array(["2020-01-01"], dtype="datetime64[D]")),
]


@pytest.mark.parametrize("kind,x", NON_NUMERIC, ids=[k for k, _ in NON_NUMERIC])
@pytest.mark.parametrize("name", ["relu", "gelu", "leaky_relu", "softplus", "hardtanh"])
def test_non_numeric_input(name, kind, x):
    a = getattr(nl, name)
    with pytest.raises(TypeError):
        a(x)
    with pytest.raises(TypeError):
        a.derivative(x)
    with pytest.raises(TypeError):
        a.backward(x, x)
    with pytest.raises(TypeError):
        a.backward(np.ones(1), x)
    with pytest.raises(TypeError):
        getattr(nl.ufuncs, name)(x, *getattr(nl, name).params.values())


@pytest.mark.parametrize("name", ["leaky_relu", "softplus", "hardtanh"])
def test_non_numeric_parameter(name):
    pname = next(iter(getattr(nl, name).params))
    with pytest.raises(TypeError):
        getattr(nl, name)(X, **{pname: "0.5"})


@pytest.mark.parametrize("name", GLU_NAMES)
def test_glu_bad_input(name):
    f = getattr(nl, name)
    with pytest.raises(ValueError):
        f(np.ones((3, 5)))  # odd
    with pytest.raises(ValueError):
        f(np.ones((3, 5)), axis=-1)
    with pytest.raises(ValueError):
        f(np.ones(7))
    with pytest.raises((ValueError, IndexError)):  # numpy.exceptions.AxisError is both
        f(np.ones((4, 4)), axis=2)
    with pytest.raises(TypeError, match="axis"):
        f(np.ones((4, 4)), axis=1.5)  # not silently truncated to 1
    with pytest.raises(ValueError):
        f.backward(np.ones((4, 3)), np.ones((4, 4)))  # grad has the wrong shape
    with pytest.raises(TypeError):
        f(np.array(["a", "b"]))


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError):
        nl.gelu.backward(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        nl.ufuncs.gelu_backward(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError):
        nl.leaky_relu(np.ones(3), negative_slope=np.ones(4))
    with pytest.raises(ValueError):
        nl.softplus(np.ones((2, 3)), beta=np.ones((3, 1)))
    with pytest.raises(ValueError):
        nl.hardtanh.backward(np.ones(5), np.ones(5), min_val=-np.ones(2), max_val=1.0)
    with pytest.raises(ValueError):
        nl.gelu(np.ones(3), out=np.empty(4))
    with pytest.raises(ValueError):
        nl.gelu(np.ones((3, 4)), out=np.empty(4))  # out cannot be broadcast up
    with pytest.raises(ValueError):
        nl.gelu(np.ones(3), where=np.ones(4, bool), out=np.empty(3))
    with pytest.raises(ValueError):
        nl.prelu.param_backward(np.ones((2, 3)), np.ones((2, 3)), weight=np.ones(4))


@pytest.mark.parametrize("call,named", [
    (lambda: nl.leaky_relu(np.ones(3), negative_slope=np.ones(4)), ["x (3,)", "negative_slope (4,)"]),
    (lambda: nl.prelu.derivative(np.ones((2, 3)), weight=np.ones(4)), ["x (2, 3)", "weight (4,)"]),
    (lambda: nl.silu.backward(np.ones(4), np.ones(3), beta=1.5), ["grad_out (4,)", "x (3,)"]),
    (lambda: nl.prelu.param_backward(np.ones((2, 3)), np.ones((2, 2)), weight=np.ones(2)),
     ["grad_out (2, 3)", "x (2, 2)"]),
    (lambda: nl.softplus.derivative2(np.ones((2, 3)), beta=np.ones((3, 1))), ["beta (3, 1)"]),
])
def test_broadcast_errors_name_the_operands(call, named):
    """Activations with parameters name each operand and its shape (NumPy's message names
    none; the parameter-free ones are the raw ufuncs, whose message lists the shapes)."""
    with pytest.raises(ValueError, match="do not broadcast") as e:
        call()
    assert all(n in str(e.value) for n in named), str(e.value)


def test_read_only_out():
    out = np.empty(5)
    out.flags.writeable = False
    with pytest.raises(ValueError):
        nl.gelu(np.ones(5), out=out)
    with pytest.raises(ValueError):
        nl.gelu.backward(np.ones(5), np.ones(5), out=out)
    with pytest.raises(ValueError):
        nl.gelu.derivative(np.ones(5), out=out)
    x = np.ones(5)
    x.flags.writeable = False
    with pytest.raises(ValueError):
        nl.relu(x, out=x)
    # a read-only *input* is fine
    np.testing.assert_array_equal(nl.relu(x), x)


@pytest.mark.parametrize("out_dtype", [np.int32, np.int64, np.bool_, np.float16, np.float32])
def test_wrong_out_dtype(out_dtype):
    # float64 result cannot be cast to these with the default same_kind casting...
    x = np.ones(5, np.float64)
    out = np.zeros(5, out_dtype)
    if np.can_cast(np.float64, out_dtype, casting="same_kind"):
        # ...except float64 -> float16/32, which same_kind allows (as for np.exp)
        np.exp(x, out=np.zeros(5, out_dtype))
        nl.gelu(x, out=out)
        np.testing.assert_allclose(out, nl.gelu(x).astype(out_dtype))
        return
    with pytest.raises(TypeError):  # numpy's UFuncTypeError / casting error is a TypeError
        nl.gelu(x, out=out)
    with pytest.raises(TypeError):
        nl.gelu.backward(x, x, out=out)
    assert np.all(out == 0), "out must be untouched when the call is rejected"


def test_out_wrong_type():
    with pytest.raises(TypeError):
        nl.gelu(np.ones(3), out=[0.0, 0.0, 0.0])
    with pytest.raises((TypeError, ValueError)):
        nl.gelu(np.ones(3), out=(np.empty(3), np.empty(3)))


def test_set_simd_level_bad():
    before = nl.simd_level()
    for bad in ("bogus", "", "AVX2x", "sse9"):
        with pytest.raises(ValueError):
            nl.set_simd_level(bad)
    with pytest.raises((TypeError, ValueError)):
        nl.set_simd_level(None)
    with pytest.raises((TypeError, ValueError)):
        nl.set_simd_level(3)
    for level in ("baseline", "avx2", "avx512"):
        if level not in nl.simd_levels():
            with pytest.raises(ValueError):
                nl.set_simd_level(level)  # known but unsupported on this CPU
    assert nl.simd_level() == before


def test_set_num_threads_bad():
    before = nl.get_num_threads()
    for bad in (0, -1, -100):
        with pytest.raises(ValueError):
            nl.set_num_threads(bad)
    for bad in (1.5, "2", None):
        with pytest.raises((TypeError, ValueError)):
            nl.set_num_threads(bad)
    assert nl.get_num_threads() == before


CRASH_SCRIPT = textwrap.dedent(r"""
    import numpy as np, nonlin as nl
    calls = [
        lambda: nl.gelu("abc"),
        lambda: nl.gelu(np.array(["a"], dtype=object)),
        lambda: nl.gelu(np.array([object()], dtype=object)),
        lambda: nl.gelu(np.ones(3), out=np.empty(2)),
        lambda: nl.gelu(np.ones(3), out=np.empty(3, np.int8)),
        lambda: nl.gelu.backward(np.ones(3), np.ones(4)),
        lambda: nl.softplus(np.ones(3), beta=0.0),
        lambda: nl.softplus(np.ones(3), beta=np.array([1.0, 0.0, 1.0])),
        lambda: nl.celu(np.ones(3), alpha=np.zeros((2, 1))),
        lambda: nl.hardtanh(np.ones(3), min_val=np.nan, max_val=np.nan),
        lambda: nl.hardshrink(np.ones(3), lambd=np.nan),
        lambda: nl.softplus(np.ones(3), beta=np.nan, threshold=np.nan),
        lambda: nl.leaky_relu(np.ones(3), negative_slope=np.inf),
        lambda: nl.prelu.param_backward(np.ones(3), np.ones(3), weight=np.ones(5)),
        lambda: nl.prelu.param_backward(np.ones(3), np.ones(4)),
        lambda: nl.glu(np.ones(5)),
        lambda: nl.glu(np.ones((4, 4)), axis=5),
        lambda: nl.glu(np.ones(()), axis=0),
        lambda: nl.glu.backward(np.ones(1), np.ones(4)),
        lambda: nl.set_simd_level("bogus"),
        lambda: nl.set_simd_level(None),
        lambda: nl.set_num_threads(0),
        lambda: nl.set_num_threads(-5),
        lambda: nl.set_num_threads(100_000),  # beyond the pool's 1024: thread creation would fail
        lambda: nl.set_num_threads(10**12),
        lambda: nl.set_num_threads(2**70),
        lambda: nl.gelu(np.ones((2, 2))[:, :, None][:, :, ::-1], out=np.ones((2, 2, 1))[::-1]),
        lambda: nl.ufuncs.gelu(),
        lambda: nl.ufuncs.gelu_backward(np.ones(3)),
        lambda: nl.ufuncs.gelu.reduce(np.ones(4)),
        lambda: nl.ufuncs.gelu_backward.reduce(np.ones(4)),
        lambda: nl.ufuncs.gelu_backward.accumulate(np.ones(4)),
        lambda: nl.ufuncs.gelu_backward.outer(np.ones(4), np.ones(3)),
        lambda: nl.ufuncs.gelu.at(np.ones(4), [0, 2]),
        lambda: nl.gelu(np.ones(3), dtype=np.int32),
        lambda: nl.gelu(np.ones(3), casting="no", out=np.empty(3, np.float32)),
        lambda: nl.catalog.__call__(1),
        lambda: nl.gelu(np.ones(0), out=np.empty(0, np.float32)),
    ]
    for i, c in enumerate(calls):
        try:
            c()
        except Exception as e:
            pass
    nl.set_num_threads(2)
    nl.gelu(np.ones(3_000_000, np.float32))
    print("ok")
""")


def test_no_crash_on_bad_input():
    r = subprocess.run([sys.executable, "-c", CRASH_SCRIPT], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, (r.returncode, r.stderr[-3000:])
    assert r.stdout.strip().endswith("ok")
