"""What the framework adapters (nonlin.torch, nonlin.jax) wrap, found by protocol rather than by
name, so every registry row -- and any later kind of activation exported by ``nonlin`` that
follows the same protocol -- is wrapped without touching the adapters.

Elementwise protocol: ``name``, ``params`` (name -> default), ``learnable`` (names),
``act(x, **params)``, ``derivative``, ``backward(grad_out, x, **params)`` (each optionally
with ``out=``, which makes the hand-off copy-free),
``param_backward(grad_out, x, **params)`` -> {learnable name: grad reduced to its shape};
optional ``derivative2(x, **params)`` (f'') enables second derivatives.
Gated protocol (GLU family): ``name``, ``gate``, ``act(x, axis, out=None)``,
``backward(grad_out, x, axis)``.
Array protocol (rational, the coefficient-vector families, the normalising activations: learnable
arrays whose shapes the activation defines): ``name``, ``arrays`` (names of the learnable
arrays, in order), ``static`` (name -> default of the other options: numbers, strings, bools,
None), ``apply(x, arrays, static)`` -> y (x's shape), ``vjp(grad_out, x, arrays, static)`` ->
(grad_x, [grad of each array, its shape]) and ``initial(**options)`` -> {array name: initial
value} (the paper's initialisation; what the module classes start from).
"""

from __future__ import annotations

import importlib
import inspect
import sys

import numpy as np

from .activation import _check_axis

_ELEMENTWISE = ("name", "params", "learnable", "derivative", "backward", "param_backward")
_GATED = ("name", "gate", "backward")
_ARRAY = ("name", "arrays", "static", "apply", "vjp", "initial")

# PyTorch's own class names where torch has the activation; others get a generated CamelCase.
TORCH_CLASS_NAMES = {
    "relu": "ReLU", "relu6": "ReLU6", "leaky_relu": "LeakyReLU", "prelu": "PReLU", "elu": "ELU",
    "selu": "SELU", "celu": "CELU", "gelu": "GELU", "silu": "SiLU", "mish": "Mish",
    "softplus": "Softplus", "softsign": "Softsign", "sigmoid": "Sigmoid", "tanh": "Tanh",
    "logsigmoid": "LogSigmoid", "hardtanh": "Hardtanh", "hardsigmoid": "Hardsigmoid",
    "hardswish": "Hardswish", "hardshrink": "Hardshrink", "softshrink": "Softshrink",
    "tanhshrink": "Tanhshrink", "glu": "GLU",
    # not in torch, but with an established spelling
    "gelu_tanh": "GELUTanh", "squared_relu": "SquaredReLU", "reglu": "ReGLU", "geglu": "GEGLU",
    "swiglu": "SwiGLU", "polyrelu": "PolyReLU", "polynorm": "PolyNorm", "ash": "ASH",
    "hard_ash": "HardASH", "velu": "VeLU",
}


def is_elementwise(obj) -> bool:
    return callable(obj) and all(hasattr(obj, a) for a in _ELEMENTWISE)


def is_gated(obj) -> bool:
    return callable(obj) and not hasattr(obj, "derivative") and all(hasattr(obj, a) for a in _GATED)


def is_array(obj) -> bool:
    return callable(obj) and all(hasattr(obj, a) for a in _ARRAY)


def activations() -> dict:
    """name -> activation object, for everything ``nonlin`` exports that follows a protocol."""
    nl = sys.modules["nonlin"]
    return {obj.name: obj for obj in vars(nl).values()
            if is_array(obj) or is_elementwise(obj) or is_gated(obj)}


def accepts_out(fn) -> bool:
    """True if fn writes its result into an `out=` array (ufuncs, Activation methods)."""
    if isinstance(fn, np.ufunc):
        return True
    try:
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def elementwise_in_x(act, static, arrays) -> bool:
    """True if an array-protocol activation maps each element of x on its own (the series
    families; the rational one without groups: 1-D coefficient arrays, groups unset or 1), so a
    batch of inputs is just more elements."""
    return getattr(act, "kind", None) == "series" or (
        act.name == "rational" and static.get("groups") in (None, 1)
        and all(a.ndim <= 1 for a in arrays))


def numeric_params(act) -> bool:
    """True if every parameter default is a real number (what the adapters pass as tensors)."""
    return all(isinstance(v, (int, float)) and not isinstance(v, bool)
               for v in getattr(act, "params", {}).values())


def class_name(name: str) -> str:
    return TORCH_CLASS_NAMES.get(name) or "".join(w[:1].upper() + w[1:] for w in name.split("_"))


def signature(act):
    """'leaky_relu(x, *, negative_slope=0.01)' / 'gelu(x)'."""
    kw = ", ".join(f"{k}={v!r}" for k, v in act.params.items())
    return f"{act.name}(x, *, {kw})" if kw else f"{act.name}(x)"


def gated_axis(where, shape, axis, word):
    """The split axis of a gated unit, normalised; TypeError/ValueError naming the problem."""
    if len(shape) == 0:
        raise ValueError(f"{where}: x must have at least one dimension")
    axis = axis_index(where, len(shape), axis, word)
    if shape[axis] % 2:
        raise ValueError(f"{where}: the length of {word} {axis} must be even, got {shape[axis]}")
    return axis


def axis_index(where, ndim, axis, word="axis"):
    """`axis` normalised for `ndim` dimensions; TypeError/ValueError naming it."""
    return _check_axis(axis, ndim, where, word)


def require(module: str, minimum: tuple, extra: str, probe):
    """Import `module`, or raise ImportError saying which version nonlin needs and how to get it."""
    need = ".".join(map(str, minimum))
    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"nonlin.{extra} needs {module} >= {need} (pip install 'nonlin[{extra}]'"
                          f" or pip install '{module}>={need}'): {e}") from e
    version = tuple(int(p) for p in mod.__version__.split("+")[0].split(".")[:2] if p.isdigit())
    if version < minimum[:2] or not probe(mod):
        raise ImportError(f"nonlin.{extra} needs {module} >= {need}, found {mod.__version__}")
    return mod
