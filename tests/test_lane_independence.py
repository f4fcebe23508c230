"""An element's result never depends on its neighbours in the array.

The kernels branch per SIMD packet (rare tails, parameter values with exact shortcuts); every such
branch must give each lane the value it would get on its own. Each ufunc of every elementwise
activation is evaluated on an array that mixes extreme and ordinary values, and every element is
compared bit for bit with the same element evaluated alone (a 0-d call), under every SIMD level.
"""

import re

import numpy as np
import pytest

import nonlin as nl

EXTREMES = [-np.inf, -3e38, -1e30, -1e4, -750.0, -710.0, -200.0, -104.5, -100.0, -89.0, -88.5,
            -80.5, -80.0, -79.5, -50.0, -20.0, -1.0, -1e-30, -1e-40, -0.0, 0.0, 1e-40, 1e-30,
            0.5, 1.0, 20.0, 50.0, 80.0, 88.5, 89.0, 100.0, 710.0, 1e4, 1e30, 3e38, np.inf, np.nan]


def _ufuncs():
    out = []
    for entry in nl.catalog():
        if entry["kind"] != "elementwise":
            continue
        name, params = entry["name"], entry["params"]
        for suffix in ("", "_derivative", "_backward", "_vjp", "_param_grad", "_derivative2"):
            u = getattr(nl.ufuncs, name + suffix, None)
            if u is not None:
                out.append(pytest.param(u, {k: p["default"] for k, p in params.items()},
                                        id=name + suffix))
    return out


def _argument_names(u):
    m = re.search(r"\n\s*\w+\(([^)]*)\)", u.__doc__)
    return [a.strip() for a in m.group(1).split(",")]


def _inputs(u, defaults, x, dtype):
    g = np.random.default_rng(2).uniform(0.5, 2.0, x.shape).astype(dtype)
    args = []
    for a in _argument_names(u):
        if a == "x":
            args.append(x)
        elif a == "grad_out":
            args.append(g)
        else:
            v = defaults[a]
            args.append(np.full(x.shape, v[0] if isinstance(v, (list, tuple)) else v, dtype))
    return args


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("u, defaults", _ufuncs())
def test_element_does_not_depend_on_neighbours(u, defaults, dtype, simd_level):
    rng = np.random.default_rng(1)
    x = np.concatenate([np.array(EXTREMES), rng.normal(0, 3, 27)]).astype(dtype)
    x = x[rng.permutation(x.size)]
    args = _inputs(u, defaults, x, dtype)
    with np.errstate(all="ignore"):
        whole = u(*args)
        whole = whole if isinstance(whole, tuple) else (whole,)
        for i in range(x.size):
            alone = u(*(a[i] for a in args))
            alone = alone if isinstance(alone, tuple) else (alone,)
            for w, a in zip(whole, alone):
                np.testing.assert_array_equal(w[i], a, err_msg=f"x = {x[i]!r} at {i}")
