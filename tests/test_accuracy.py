"""Accuracy of every nonlin activation against mpmath, in ULPs.

What is measured
----------------
For every activation and parameter set (tests/reference_formulas.py: the defaults plus at least
one non-default set), every dtype (float16, float32, float64) and every SIMD level in
``nl.simd_levels()``:

* ``fwd``        ``nl.<name>(x, **params)``                      bound 2 ULP
* ``deriv``      ``nl.<name>.derivative(x, **params)``           bound 4 ULP
* ``bwd``        ``nl.<name>.backward(g, x, **params)``          bound 4 ULP (reference g*f'(x))
* ``param_grad`` ``nl.ufuncs.<name>_param_grad(g, x, *params)``  bound 4 ULP (g*df/dparam)

float16 (computed in float32 and rounded): every kind within 1 ULP of float16.

The inputs are the stored grids of tests/reference/ref_<dtype>.npz (dense on [-12, 12], a
medium grid over the exp/erfc over- and underflow region, log-spaced magnitudes from the
smallest subnormal to the largest finite value, all kinks and thresholds with their nextafter
neighbours, derivative zero crossings, +-0); ``g`` is a fixed-seed random gradient in
[-2, -0.25] U [0.25, 2]. Parameters are the values the dtype holds (float32(1.7) ...).

ULP rule
--------
    err = |y - ref| / ulp_dtype(max(|ref|, scale))

``ulp_dtype(v)`` is the spacing of the dtype at v (the gap above |v|; for an exact power of two
approached from below, the gap of the binade below), floored at the dtype's smallest subnormal
(2^-24 float16, 2^-149 float32, 2^-1074 float64). ``ref`` is the mpmath value held as a
double-double, so float64 errors are resolved far below 1 ULP (also for subnormal results).

``scale`` is |ref| at ordinary points. Where a function is a sum of terms that cancel -- it
crosses zero or is a difference of large terms -- *and the catalogue gives no stable
rewrite*, ``scale`` is the magnitude of the largest term of the formula as written in
``activation_catalog.md``; the error is then counted in ULPs of that term:

* ``silu'  = sigma(bx) + bx sigma(bx) sigma(-bx)``            (zero at bx ~ -1.2785)
* ``mish'  = tanh(sp(x)) + x sigma(x) sech^2(sp(x))``         (zero at x ~ -1.1918)
* ``gelu'  = Phi(x) + x phi(x)``                              (zero at x ~ -0.7518)
* ``gelu_tanh' = 0.5(1+t) + 0.5 x (1-t^2) sqrt(2/pi)(1+0.134145 x^2)``
* ``hardswish' = x/3 + 1/2`` on [-3, 3]                        (zero at x = -1.5)
* ``softplus d/dbeta = x sigma(bx)/b - sp(bx)/b^2``
* ``celu d/dalpha = (e^{x/a} - 1) - (x/a) e^{x/a}``           (zero at x = 0)
* backward / param-grad: |g| times the scale of the derivative.

Functions with a stable formula are held to |ref| everywhere, including near their zeros or
where the naive formula cancels: gelu (erfc tail), tanhshrink near 0 (series), softplus,
logsigmoid, mish/silu tails, sigmoid, tanh' (sech^2), hardsigmoid/hardswish near -3, softshrink
near +-lambd.

Overflow and underflow: a reference beyond the dtype's range must give inf of the right sign
(a finite y there is an infinite error); a finite reference with y = +-inf counts y as
+-2^(emax+1); results in the subnormal range are measured on the subnormal grid (ULP floor
above); NaN where the reference is a number is an infinite error.

Set NONLIN_ULP_REPORT=/path/file.jsonl to have every measurement appended there (used for the
accuracy table in the report).
"""

from __future__ import annotations

import numpy as np
import pytest

import reference_formulas as rf
import series_formulas
from conftest import (BOUNDS, DTYPES, documented_bound, documented_ulp, load_table, ref_arrays, require_nonlin,
                      ulp_errors, ulp_report)

# --------------------------------------------------------------------------------- cases

CASES = []
for _act, _i, _p in rf.all_param_sets():
    for _kind in ("fwd", "deriv", "bwd") + (("param_grad",) if _act.learnable else ()):
        CASES.append(pytest.param(rf.set_id(_act, _i), _kind, id=f"{rf.set_id(_act, _i)}-{_kind}"))

LEARNABLE_SETS = [rf.set_id(a, i) for a, i, _ in rf.all_param_sets() if a.learnable]


def _act_params(sid, dtype):
    name, idx = sid.split("#")
    act = rf.BY_NAME[name]
    params = rf.dtype_params(act.param_sets[int(idx)], dtype)
    return act, int(idx), params


def _call_kwargs(idx, params):
    # default set: call without keywords (tests the defaults); else the dtype-held values as
    # python floats (weak scalars: the loop stays in the input's dtype)
    return {} if idx == 0 else dict(params)


def _positional_params(lib_act, params, dtype):
    order = list(getattr(lib_act, "params", params).keys())
    return [np.dtype(dtype).type(params[k]) for k in order]


def _worst(err, x, y, hi, n=5):
    order = np.argsort(-np.where(np.isnan(err), np.inf, err), kind="stable")[:n]
    return "\n".join(f"    x={x[i]!r:>26} y={y[i]!r:>26} ref={hi[i]!r:>26} err={err[i]:.3g} ULP"
                     for i in order)


def _bound(sid, kind, dtype, target):
    """The design target, or the larger documented max ULP (conftest.documented_bound)."""
    return documented_bound(sid.split("#")[0], kind, dtype, target)


def _check(sid, kind, dtype, level, x, y, refkey, table, bound):
    bound = _bound(sid, kind, dtype, bound)
    hi, lo, scale = ref_arrays(table, sid, refkey)
    y = np.asarray(y)
    err = ulp_errors(y, hi, lo, scale, dtype)
    i = int(np.argmax(np.where(np.isnan(err), -np.inf, err)))  # NaN errors are not compared
    ulp_report({"set": sid, "kind": kind, "ref": refkey, "dtype": dtype, "simd": level,
                "max_ulp": float(err[i]), "x": float(x[i]), "y": float(y.astype(np.float64)[i]),
                "ref_hi": float(hi[i]), "n_fail": int(np.sum(err > bound)), "n": int(err.size)})
    bad = err > bound
    assert not bad.any(), (
        f"{sid} {kind} ({refkey}) {dtype} simd={level}: {int(bad.sum())}/{err.size} points above "
        f"{bound} ULP, max {err[i]:.4g} ULP at x={x[i]!r}\n" + _worst(err, x, y, hi))
    # the documented maximum was measured on these very points (tools/measure_accuracy.py,
    # rounded up): a larger error here means the catalogue's claim is stale
    documented = documented_ulp(sid.split("#")[0], kind, dtype)
    assert documented is None or not err[i] > documented, (
        f"{sid} {kind} {dtype} simd={level}: max {err[i]:.4g} ULP exceeds the documented "
        f"{documented} (python/nonlin/accuracy.json): re-measure with tools/measure_accuracy.py")
    assert y.dtype == np.dtype(dtype), f"{sid} {kind}: output dtype {y.dtype}, expected {dtype}"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sid,kind", CASES)
def test_ulp(sid, kind, dtype, simd_level):
    lib = require_nonlin()
    act, idx, params = _act_params(sid, dtype)
    table = load_table(dtype, act.table)
    lib_act = getattr(lib, act.name)
    x, g = table["x"], table["g"]
    kw = _call_kwargs(idx, params)
    fwd_bound, der_bound = BOUNDS[dtype]
    with np.errstate(all="ignore"):
        if kind == "fwd":
            _check(sid, kind, dtype, simd_level, x, lib_act(x, **kw), "fwd", table, fwd_bound)
        elif kind == "deriv":
            _check(sid, kind, dtype, simd_level, x, lib_act.derivative(x, **kw), "deriv", table,
                   der_bound)
        elif kind == "bwd":
            _check(sid, kind, dtype, simd_level, x, lib_act.backward(g, x, **kw), "bwd", table,
                   der_bound)
        else:
            uf = getattr(lib.ufuncs, f"{act.name}_param_grad")
            out = uf(g, x, *_positional_params(lib_act, params, dtype))
            outs = out if isinstance(out, tuple) else (out,)
            assert len(outs) == len(act.learnable)
            for pname, y in zip(act.learnable, outs):
                _check(sid, kind, dtype, simd_level, x, y, f"gd_{pname}", table, der_bound)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sid", LEARNABLE_SETS)
def test_param_backward_reduction(sid, dtype, simd_level):
    """param_backward with scalar parameters = sum over all points of g*df/dparam."""
    lib = require_nonlin()
    act, idx, params = _act_params(sid, dtype)
    table = load_table(dtype, act.table)
    lib_act = getattr(lib, act.name)
    x, g = table["x"], table["g"]
    fi = np.finfo(dtype)
    for pname in act.learnable:
        hi, lo, _ = ref_arrays(table, sid, f"gd_{pname}")
        # points whose terms stay well inside the dtype's range (the sum must not overflow)
        keep = np.isfinite(hi) & (np.abs(hi) < float(fi.max) / 1e6) & (np.abs(x) < 1e4)
        xs, gs = x[keep], g[keep]
        exact = float(np.sum(hi[keep].astype(np.longdouble)))
        with np.errstate(all="ignore"):
            got = lib_act.param_backward(gs, xs, **dict(params))
        assert set(got) == set(act.learnable)
        val = np.asarray(got[pname])
        assert val.shape == (), f"{sid}: grad of a scalar parameter has shape {val.shape}"
        n = int(keep.sum())
        tol = n * float(fi.eps) * float(np.sum(np.abs(hi[keep]))) + 4 * float(np.spacing(
            np.asarray(abs(exact), dtype=dtype)))
        assert abs(float(val) - exact) <= tol, (
            f"{sid} d/d{pname} {dtype} simd={simd_level}: param_backward {float(val)!r}, "
            f"exact sum {exact!r}, tolerance {tol:.3g}")


# ------------------------------------------------------------------ tables vs generator (live)

@pytest.mark.parametrize("table_name", rf.TABLES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tables_match_generator_inputs(dtype, table_name):
    """The stored grid, gradients and parameter sets are what the generator produces now."""
    table = load_table(dtype, table_name)
    x = rf.make_grid(dtype, table_name)
    assert table["x"].dtype == np.dtype(dtype)
    assert np.array_equal(table["x"].view(np.uint8), x.view(np.uint8)), \
        "stored grid differs from make_grid(): rerun python tests/reference/generate.py"
    assert np.array_equal(table["g"], rf.grad_out(dtype, len(x)))
    meta = table["meta"]
    assert meta["grid_version"] == rf.GRID_VERSION
    expected = {rf.set_id(a, i): rf.dtype_params(p, dtype)
                for a, i, p in rf.all_param_sets(table_name)}
    assert meta["sets"] == expected


@pytest.mark.parametrize("table_name", rf.TABLES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tables_match_formulas_live(dtype, table_name):
    """Recompute a random handful of stored points with mpmath on every run."""
    table = load_table(dtype, table_name)
    seed = int(np.random.SeedSequence().entropy % (2**32))
    rng = np.random.default_rng(seed)
    x, g = table["x"], table["g"]
    mism = []
    for act, idx, p in rf.all_param_sets(table_name):
        sid = rf.set_id(act, idx)
        params = rf.dtype_params(p, dtype)
        for i in rng.choice(len(x), size=4, replace=False):
            r = rf.evaluate(act, float(x[i]), params)
            d = r["deriv"][0]
            r["bwd"] = (rf.mpmath.fmul(rf.mpf(float(g[i])), d, exact=True), None)
            for k, (v, s) in r.items():
                hi, lo, sc = (table[f"{sid}/{k}/{c}"][i] for c in ("hi", "lo", "scale"))
                h2, l2 = rf.to_dd(v)
                if np.isnan(hi) or np.isnan(h2):      # "no value" (NaN) on both sides
                    ok = bool(np.isnan(hi) and np.isnan(h2))
                    if not ok:
                        mism.append(f"{sid} {k} x={x[i]!r}: stored {hi!r}, live {h2!r}")
                    continue
                ok = hi == h2 and np.float32(l2) == lo
                if s is not None and not rf.same_magnitude(s, v):
                    fs = rf.to_float(s)  # (equal also where both are inf: x = max float)
                    ok = ok and (fs == sc or abs(fs - sc) <= 1e-12 * abs(sc))
                if not ok:
                    mism.append(f"{sid} {k} x={x[i]!r}: stored ({hi!r}, {lo!r}, {sc!r}) "
                                f"live ({h2!r}, {l2!r})")
    assert not mism, f"seed {seed}: stored tables drifted from the formulas:\n" + "\n".join(mism)


# ------------------------------------------------------------------ registry coverage

GLU_AND_OTHERS = {"glu", "reglu", "geglu", "swiglu", "rational", "mittag_leffler"}
# normalising over an axis: own mpmath references in tests/reference_normalizing.py
GLU_AND_OTHERS |= {"polynorm", "ash", "hard_ash", "velu"}
# coefficient-vector families: own mpmath references in tests/series_formulas.py
GLU_AND_OTHERS |= set(series_formulas.FAMILIES)
# Mittag-Leffler gated activations: tested against mpmath in tests/test_ml_activations.py
GLU_AND_OTHERS |= {"ml_sigmoid", "ml_silu", "ml_tanh", "ml_tanh_identity", "ml_mish", "ml_softsign",
                   "ml_gelu", "ml_elu"}


def test_registry_covered():
    """Every elementwise activation of nonlin has reference formulas here, with the same
    parameters, defaults and learnable flags (so the accuracy suite cannot silently skip one)."""
    lib = require_nonlin()
    problems = []
    for act in rf.ACTS:
        la = getattr(lib, act.name, None)
        if la is None:
            problems.append(f"nl.{act.name} missing")
            continue
        if dict(la.params) != act.params:
            problems.append(f"{act.name}: params {dict(la.params)} != {act.params}")
        if tuple(la.learnable) != act.learnable:
            problems.append(f"{act.name}: learnable {tuple(la.learnable)} != {act.learnable}")
    names = {row["name"] for row in lib.catalog()}
    extra = names - set(rf.BY_NAME) - GLU_AND_OTHERS
    if extra:
        problems.append(f"catalogue entries without reference formulas: {sorted(extra)}")
    assert not problems, "\n".join(problems)
