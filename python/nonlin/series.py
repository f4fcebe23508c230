"""Activations with coefficient-vector parameters: Hermite, Fourier, tropical, tropical rational
(Khalfaoui-Hassani & Kesselheim 2025, arXiv:2502.01247, torchortho) and PolyReLU (Zhuo et al.
2024, arXiv:2411.03884).

    hermite(x, coefficients)            sum_k c_k He_k(x) / k!          (probabilists' He_k)
    fourier(x, fundamental, coefficients, frequencies, phases)
                                        a_0 + sum_k a_k cos(w_k x - phi_k) / k!,  k = 1..d
    tropical(x, coefficients)           sqrt(2)/d max_k (k x + c_k),  k = 0..d
    tropical_rational(x, num_slopes, num_intercepts, den_slopes, den_intercepts)
                                        max_k (p_k x + a_k) - max_k (q_k x + b_k)
    polyrelu(x, weight, bias)           sum_i w_i relu(x)^(r - i) + b   (w_0: highest power)

Every array is learnable; the degree follows from the array lengths, and arrays left out take
the paper's initialisation at the default degree (``act.initial(degree)``). ``act.backward``
returns (grad_x, *grad_arrays) from one pass, the array gradients summed over x in float64,
identical for any number of threads. Tropical maxima give their gradient to the first
maximiser; relu'(0) = 0.
"""

from __future__ import annotations

import math

import numpy as np

from . import _accuracy, _arrays, _core

__all__ = ["SeriesActivation", "build"]


def _factorial(k):
    return float(math.factorial(k))


# name, C++ family id, arrays (name, length for degree d), degree range and default, the
# paper's initialisation, formula, derivative, properties, source
_ROWS = [
    dict(name="hermite", family=0, arrays=(("coefficients", lambda d: d + 1),),
         degrees=(0, 32), default_degree=3,
         init=lambda d: {"coefficients": np.concatenate([[math.sqrt(1 - 1 / _factorial(d))], np.ones(d)])
                         / math.sqrt(math.e)},
         formula="sum_k c_k He_k(x) / k!", derivative="sum_{k>=1} c_k He_{k-1}(x) / (k-1)!",
         properties={"smooth": True, "monotonic": False, "bounded": False,
                     "range": "(-inf, inf)", "self_gated": False, "zero_centred": False},
         source="Khalfaoui-Hassani & Kesselheim 2025, Learnable Polynomial, Trigonometric, and "
                "Tropical Activations, arXiv:2502.01247 (torchortho HermiteActivation; its "
                "init-fitting loop matches the derivative with a sqrt(k) factor, which is the "
                "derivative of He_k/sqrt(k!), not of the He_k/k! basis its forward uses)"),
    dict(name="fourier", family=1,
         arrays=(("fundamental", lambda d: 1), ("coefficients", lambda d: d),
                 ("frequencies", lambda d: d), ("phases", lambda d: d)),
         degrees=(1, 16), default_degree=3,
         init=lambda d: {"fundamental": np.array([0.66232645879 * math.sqrt(1 - 1 / _factorial(d) ** 2)]),
                         "coefficients": np.full(d, 0.66232645879),
                         "frequencies": np.arange(1.0, d + 1), "phases": np.full(d, math.pi / 4)},
         formula="a_0 + sum_k a_k cos(w_k x - phi_k) / k!",
         derivative="-sum_k a_k w_k sin(w_k x - phi_k) / k!",
         properties={"smooth": True, "monotonic": False, "bounded": True,
                     "range": "bounded", "self_gated": False, "zero_centred": False},
         source="Khalfaoui-Hassani & Kesselheim 2025, arXiv:2502.01247 (torchortho "
                "FourierActivation: learnable fundamental, amplitudes, frequencies ('grid') and "
                "phases; the 1/k! weights are its normalization_term)"),
    dict(name="tropical", family=2, arrays=(("coefficients", lambda d: d + 1),),
         degrees=(1, 32), default_degree=3, init=lambda d: {"coefficients": np.ones(d + 1)},
         formula="sqrt(2)/d max_k (k x + c_k)", derivative="sqrt(2)/d argmax_k (k x + c_k)",
         properties={"smooth": False, "monotonic": True, "bounded": False,
                     "range": "[sqrt(2) c_0 / d, inf)", "self_gated": False,
                     "zero_centred": False},
         source="Khalfaoui-Hassani & Kesselheim 2025, arXiv:2502.01247 (torchortho "
                "TropicalActivation)"),
    dict(name="tropical_rational", family=3,
         arrays=(("num_slopes", lambda d: d + 1), ("num_intercepts", lambda d: d + 1),
                 ("den_slopes", lambda d: d + 1), ("den_intercepts", lambda d: d + 1)),
         degrees=(0, 15), default_degree=3,
         init=lambda d: {"num_slopes": np.linspace(0.0, 1.0, d + 1), "num_intercepts": np.zeros(d + 1),
                         "den_slopes": np.zeros(d + 1), "den_intercepts": np.zeros(d + 1)},
         formula="max_k (p_k x + a_k) - max_k (q_k x + b_k)",
         derivative="p_argmax - q_argmax",
         properties={"smooth": False, "monotonic": False, "bounded": False,
                     "range": "(-inf, inf)", "self_gated": False, "zero_centred": False},
         source="Khalfaoui-Hassani & Kesselheim 2025, arXiv:2502.01247 (torchortho "
                "TropicalRationalActivation draws every array from randn; nonlin's initial "
                "arrays give relu(x) exactly)"),
    dict(name="polyrelu", family=4, arrays=(("weight", lambda d: d), ("bias", lambda d: 1)),
         degrees=(1, 8), default_degree=3,
         init=lambda d: {"weight": np.full(d, 1.0 / d), "bias": np.zeros(1)},
         formula="sum_i w_i relu(x)^(r-i) + b", derivative="sum_i (r-i) w_i relu(x)^(r-i-1) [x > 0]",
         properties={"smooth": False, "monotonic": False, "bounded": False,
                     "range": "[b, inf) for w >= 0", "self_gated": False,
                     "zero_centred": False},
         source="Zhuo et al. 2024, Polynomial Composition Activations, arXiv:2411.03884 "
                "(PolyReLU; weight[0] multiplies the highest power, as in the official code)"),
]


class SeriesActivation:
    """An activation with coefficient-vector parameters: ``f(x, *arrays)``, ``.derivative``,
    ``.backward`` -> (grad_x, *grad_arrays), ``.param_backward`` -> {array: grad},
    ``.initial(degree)``; see ``.arrays`` for the argument names."""

    kind = "series"
    static = {}

    def __init__(self, row, accuracy=None):
        self._row = row
        self.name = row["name"]
        self.arrays = tuple(a for a, _ in row["arrays"])
        self.formula, self.derivative_formula = row["formula"], row["derivative"]
        self.properties, self.source = row["properties"], row["source"]
        self.default_degree = row["default_degree"]
        self.degrees = row["degrees"]
        self.accuracy = accuracy or {}
        self.__doc__ = f"{self.name}(x, {', '.join(self.arrays)}): {self.formula}\n\n{__doc__}"

    def __repr__(self):
        return f"<nonlin series activation {self.name}({', '.join(self.arrays)}): {self.formula}>"

    def initial(self, degree=None):
        """The paper's initial arrays at `degree` (default: the family's default degree)."""
        d = self.default_degree if degree is None else self._check_degree(degree)
        return {k: np.asarray(v, dtype=np.float64) for k, v in self._row["init"](d).items()}

    def _check_degree(self, degree):
        if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)):
            raise TypeError(f"{self.name}: degree must be an integer, got {degree!r}")
        lo, hi = self.degrees
        if not lo <= degree <= hi:
            raise ValueError(f"{self.name}: degree must be in [{lo}, {hi}], got {degree}")
        return int(degree)

    def _bind(self, arrays, named):
        """{array name: 1-d array}, the degree, and the flat parameter vector's parts."""
        if len(arrays) > len(self.arrays):
            raise TypeError(f"{self.name}() takes x and at most {len(self.arrays)} arrays "
                            f"({', '.join(self.arrays)}), got {len(arrays)}")
        given = dict(zip(self.arrays, arrays))
        for k, v in named.items():
            if k not in self.arrays:
                raise TypeError(f"{self.name}() got an unexpected keyword argument '{k}' "
                                f"(arrays: {', '.join(self.arrays)})")
            if k in given:
                raise TypeError(f"{self.name}() got multiple values for '{k}'")
            given[k] = v
        if len(given) < len(self.arrays):
            if given:
                missing = [a for a in self.arrays if a not in given]
                raise TypeError(f"{self.name}: pass all of {', '.join(self.arrays)} or none "
                                f"(missing {', '.join(missing)})")
            given = self.initial()
        vals = {k: _arrays.real_array(given[k], k, self.name) for k in self.arrays}
        return vals, self.degree_of([vals[k] for k in self.arrays])

    def _degree_from(self, shapes):
        # the degree that the first array of length > 1 implies (its length rule is d + c or d)
        for k, size in self._row["arrays"]:
            n = math.prod(shapes[k])
            if size(5) != size(6):  # this array's length depends on the degree
                d = n - size(0)
                lo, hi = self.degrees
                if not lo <= d <= hi:
                    raise ValueError(f"{self.name}: '{k}' has {n} values: degree {d} is outside "
                                     f"[{lo}, {hi}]")
                return d
        raise AssertionError("every family has a degree-dependent array")

    def _operands(self, x, arrays, named):
        x = _arrays.real_array(x, "x", self.name)
        cdt, rdt = _arrays.compute_dtype(x.dtype)
        vals, degree = self._bind(arrays, named)
        params = np.concatenate([vals[k].reshape(-1) for k in self.arrays]).astype(cdt)
        return np.asarray(x, dtype=cdt, order="C"), cdt, rdt, vals, degree, params

    def _elementwise(self, mode, x, arrays, named, out):
        x, cdt, rdt, _, degree, params = self._operands(x, arrays, named)
        buf, out = _arrays.output(out, x.shape, rdt, cdt, [x], self.name)
        _core._series(mode, self._row["family"], degree, x.reshape(-1), params, buf.reshape(-1))
        return _arrays.finish(buf, out, rdt)

    def __call__(self, x, *arrays, out=None, **named):
        return self._elementwise(0, x, arrays, named, out)

    def derivative(self, x, *arrays, out=None, **named):
        """df/dx, elementwise."""
        return self._elementwise(1, x, arrays, named, out)

    def backward(self, grad_out, x, *arrays, out=None, **named):
        """(grad_x, *grad_arrays) for grad_out = dLoss/df; the array gradients have the arrays'
        shapes and are summed over every element of x in float64."""
        xc, cdt, rdt, vals, degree, params = self._operands(x, arrays, named)
        g = _arrays.real_array(grad_out, "grad_out", self.name)
        try:
            g = np.broadcast_to(g, xc.shape)
        except ValueError:
            raise ValueError(f"{self.name}: grad_out of shape {g.shape} does not broadcast to "
                             f"x's shape {xc.shape}") from None
        g = np.asarray(g, dtype=cdt, order="C")
        buf, out = _arrays.output(out, xc.shape, rdt, cdt, [xc, g], self.name)
        gp = np.empty(params.size, np.float64)
        _core._series_backward(self._row["family"], degree, g.reshape(-1), xc.reshape(-1), params,
                               buf.reshape(-1), gp)
        grads, at = [], 0
        for k in self.arrays:
            v = vals[k]
            dt = v.dtype if v.dtype.kind == "f" else np.dtype(np.float64)
            grads.append(gp[at:at + v.size].reshape(v.shape).astype(dt))
            at += v.size
        return (_arrays.finish(buf, out, rdt), *grads)

    @property
    def family(self):
        """The kernel family index (nonlin._core._series)."""
        return self._row["family"]

    def degree_of(self, arrays):
        """The degree that arrays imply, checked: from their shapes only (NumPy and JAX arrays,
        JAX tracers, torch tensors on any device)."""
        shapes = {k: tuple(np.shape(a)) for k, a in zip(self.arrays, arrays)}
        degree = self._degree_from(shapes)
        for k, size in self._row["arrays"]:
            if len(shapes[k]) > 1 or math.prod(shapes[k]) != size(degree):
                raise ValueError(f"{self.name}: '{k}' must be a 1-d array of {size(degree)} "
                                 f"values for degree {degree}, got shape {shapes[k]}")
        return degree

    # the adapters' array protocol (nonlin._adapters)
    def apply(self, x, arrays, static):
        return self(x, *arrays)

    def vjp(self, grad_out, x, arrays, static):
        gx, *grads = self.backward(grad_out, x, *arrays)
        return gx, grads

    def param_backward(self, grad_out, x, *arrays, **named):
        """{array name: gradient} (backward without grad_x's name)."""
        _, *grads = self.backward(grad_out, x, *arrays, **named)
        return dict(zip(self.arrays, grads))

    def catalog_row(self):
        init = self.initial()
        return {"name": self.name, "kind": self.kind,
                "params": {k: {"default": init[k].tolist(), "learnable": True,
                               "doc": f"coefficient array ({self.name}, degree "
                                      f"{self.default_degree} by default)", "constraint": "1-d"}
                           for k in self.arrays},
                "learnable": self.arrays, "formula": self.formula,
                "derivative": self.derivative_formula, "properties": self.properties,
                "source": self.source, "accuracy": self.accuracy}


def build():
    """name -> SeriesActivation for every family."""
    accuracy = _accuracy.load("accuracy_series.json")
    return {r["name"]: SeriesActivation(r, accuracy.get(r["name"])) for r in _ROWS}
