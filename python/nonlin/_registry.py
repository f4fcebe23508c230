"""Builds the public objects (activations, the ufunc namespace, the catalogue) from the C++
registry exported by ``_core``: one registry row there is everything an activation needs."""

from . import _accuracy, _core, ufuncs
from .activation import Activation, GatedActivation
from .normalizing import build as _build_normalizing
from .series import build as _build_series


def _make_activation(meta, ufuncs, accuracy):
    """An Activation; one without parameters calls its ufuncs directly (no Python layer in
    between: per-call overhead is NumPy's own)."""
    if meta["params"]:
        return Activation(meta, ufuncs, accuracy)
    cls = type(f"Activation_{meta['name']}", (Activation,),
               {"__call__": staticmethod(ufuncs["forward"]), "__slots__": ()})
    act = cls(meta, ufuncs, accuracy)
    act.derivative = ufuncs["derivative"]
    act.backward = ufuncs["backward"]
    if "derivative2" in ufuncs:
        act.derivative2 = ufuncs["derivative2"]
    return act


def _build():
    accuracy = _accuracy.load("accuracy.json")
    groups = {}  # activation name -> {kind: ufunc}
    metas = {}
    gated = {}
    for ufunc, kind, meta in _core._ops:
        if kind in ("gated", "gated_backward"):
            base = ufunc.__name__[: -len("_backward")] if kind == "gated_backward" else ufunc.__name__
            gated.setdefault(base, {"meta": meta})[kind] = ufunc
        else:
            groups.setdefault(meta["name"], {})[kind] = ufunc
            metas[meta["name"]] = meta
    acts = {name: _make_activation(metas[name], g, accuracy.get(name)) for name, g in groups.items()}
    for name, g in gated.items():
        acts[name] = GatedActivation(name, g["meta"], g["gated"], g["gated_backward"])
    return acts


activations = _build()
activations.update(_build_normalizing())
activations.update(_build_series())


def every_activation():
    """name -> activation: the registry's, the Mittag-Leffler gated ones and the rational one."""
    from ._rational import rational
    from .ml_activations import ml_activations
    return {**activations, **ml_activations, "rational": rational}


def catalog():
    """Every activation: name, kind, parameters (default, learnable), formula, derivative,
    properties, source and measured accuracy (max ULP per dtype and op)."""
    rows = []
    for name, act in every_activation().items():
        if hasattr(act, "catalog_row"):
            rows.append(act.catalog_row())
            continue
        if isinstance(act, GatedActivation):
            rows.append({"name": name, "kind": "gated", "params": {}, "learnable": (),
                         "formula": act.formula, "derivative": "", "properties": {},
                         "source": act.source, "accuracy": {}})
            continue
        rows.append({
            "name": name, "kind": "elementwise",
            "params": {p[0]: {"default": p[1], "learnable": p[2], "doc": p[3], "constraint": p[4]}
                       for p in act._param_rows},
            "learnable": act.learnable, "formula": act.formula,
            "derivative": act.derivative_formula, "properties": act.properties,
            "source": act.source, "accuracy": act.accuracy,
        })
    return rows
