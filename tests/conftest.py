"""Shared fixtures for the nonlin test suite: SIMD-level parametrisation, reference tables,
the ULP error helper.

ULP rule (see tests/test_accuracy.py for the full statement):
    err = |y - ref| / ulp_dtype(max(|ref|, scale))
ulp_dtype(v) is the spacing of the dtype at v (above |v|), floored at the dtype's smallest
subnormal (2^-24 float16, 2^-149 float32, 2^-1074 float64).
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import reference_formulas as rf  # noqa: E402

try:
    import nonlin as nl  # noqa: F401
    _IMPORT_ERROR = None
except Exception as exc:  # pragma: no cover - the package may not be built yet
    nl = None
    _IMPORT_ERROR = exc

REF_DIR = os.path.join(HERE, "reference")
DTYPES = rf.DTYPES

# (precision p incl. the implicit bit, minimum normal exponent, maximum exponent)
_FMT = {"float16": (11, -14, 15), "float32": (24, -126, 127), "float64": (53, -1022, 1023)}
# forward bound, derivative/backward/param-grad bound, in ULPs
BOUNDS = {"float16": (1.0, 1.0), "float32": (2.0, 4.0), "float64": (2.0, 4.0)}


def require_nonlin():
    if nl is None:
        pytest.skip(f"nonlin not importable: {_IMPORT_ERROR!r}")
    return nl


_KIND_NAMES = {"fwd": "forward", "deriv": "derivative", "bwd": "backward"}


def documented_ulp(name, kind, dtype):
    """The max ULP the catalogue documents for this function and kind (python/nonlin/
    accuracy.json, shown by nl.<name>.accuracy and in the README; None if it has none). kind is
    fwd, deriv, bwd or a parameter-gradient kind (d_<param>, gd_<param>, param_grad)."""
    act = getattr(require_nonlin(), name)
    return (getattr(act, "accuracy", {}).get(dtype) or {}).get(_KIND_NAMES.get(kind, "param_grad"))


def documented_bound(name, kind, dtype, target):
    """The design target, or the larger documented max ULP: the documented numbers are claims,
    and the tests hold the library to them."""
    documented = documented_ulp(name, kind, dtype)
    return max(target, documented) if documented is not None else target


def simd_levels():
    if nl is None:
        return ["n/a"]
    try:
        return list(nl.simd_levels())
    except Exception:
        return ["n/a"]


@pytest.fixture(autouse=True)
def _seeded_framework_rngs():
    """Each test starts from the same torch RNG state (tests draw unseeded torch.randn inputs;
    under xdist the state otherwise depends on which tests a worker ran before)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)


@pytest.fixture(params=simd_levels())
def simd_level(request):
    """Runs the test once per SIMD level the CPU supports and restores the level after."""
    lib = require_nonlin()
    old = lib.simd_level()
    lib.set_simd_level(request.param)
    try:
        yield request.param
    finally:
        lib.set_simd_level(old)


# ----------------------------------------------------------------------------- reference tables

_TABLES: dict = {}


def load_table(dtype, table="standard"):
    """The stored reference table of one dtype (and table: "standard" or "literature", see
    reference_formulas.TABLES): dict with x, g, meta and the arrays."""
    if (dtype, table) not in _TABLES:
        path = os.path.join(REF_DIR, rf.table_file(dtype, table))
        if not os.path.exists(path):
            pytest.fail(f"{path} missing: run python tests/reference/generate.py")
        with np.load(path) as z:
            t = {k: z[k] for k in z.files}
        t["meta"] = json.loads(str(t["meta"]))
        _TABLES[(dtype, table)] = t
    return _TABLES[(dtype, table)]


def ref_arrays(table, sid, kind):
    """(hi, lo_units, scale) of one stored function."""
    return (table[f"{sid}/{kind}/hi"], table[f"{sid}/{kind}/lo"].astype(np.float64),
            table[f"{sid}/{kind}/scale"])


# ----------------------------------------------------------------------------- ULP helper

def ulp_exp(v, dtype, lo=None):
    """log2 of ulp_dtype(|v|) elementwise (v float64, may exceed the dtype's range).

    If ``lo`` (the residual of a double-double) is given and |v| is an exact power of two with
    the residual pointing down, the exact value lies in the binade below and that one is used."""
    p, emin, _ = _FMT[dtype]
    a = np.abs(np.asarray(v, dtype=np.float64))
    m, e = np.frexp(np.where(np.isfinite(a), a, 0.0))
    b = e - 1                                   # floor(log2 a)
    if lo is not None:
        down = (m == 0.5) & (np.asarray(lo) != 0) & (np.sign(lo) != np.sign(v))
        b = b - down.astype(b.dtype)
    b = np.where(a == 0, emin, np.maximum(b, emin))
    return b - (p - 1)


def overflow_threshold(dtype):
    """Smallest |value| that rounds to inf in the dtype (float64: represented by inf itself)."""
    p, _, emax = _FMT[dtype]
    if dtype == "float64":
        return np.inf
    return (2.0 - 2.0 ** -p) * 2.0 ** emax


def ulp_errors(y, hi, lo, scale, dtype):
    """Error of y against the reference hi + lo*2^ulp64_exp(hi), in ULPs of the dtype at
    max(|ref|, scale) (scale capped at the dtype's largest finite number). NaN outputs and wrong
    overflow behaviour give inf, so no error is NaN.

    * reference beyond the dtype's range (rounds to +-inf): y must be the same infinity
      (error 0) else inf.
    * reference finite: an infinite y counts as +-2^(emax+1) (one ulp past the largest finite),
      a NaN y as an infinite error.
    * reference NaN (no value, e.g. the sine of an angle beyond float64): y must be NaN."""
    p, emin, emax = _FMT[dtype]
    y = np.asarray(y).astype(np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    lo = np.asarray(lo, dtype=np.float64)
    # a term of the formula beyond float64 (x near the top of the range) counts at the top binade
    scale = np.minimum(np.asarray(scale, dtype=np.float64), np.finfo(dtype).max)
    ovf = np.abs(hi) >= overflow_threshold(dtype)
    hi_f = np.where(ovf, 0.0, hi)
    lo_f = np.where(ovf, 0.0, lo)
    use_scale = scale > np.abs(hi_f)
    k_dt = ulp_exp(np.where(use_scale, scale, hi_f), dtype, lo=np.where(use_scale, 0.0, lo_f))
    k_hi = rf.ulp64_exp(hi_f)
    yinf = np.isinf(y)
    with np.errstate(invalid="ignore", over="ignore"):
        # all terms scaled by 2^-k_dt (exact: powers of two); y - hi is then exact for y near hi
        d = (np.ldexp(np.where(yinf, 0.0, y), -k_dt)
             + np.where(yinf, np.sign(y) * np.ldexp(1.0, np.where(yinf, emax + 1 - k_dt, 0)), 0.0)
             - np.ldexp(hi_f, -k_dt)
             - np.ldexp(lo_f, k_hi - k_dt))
        err = np.abs(d)
    err = np.where(ovf, np.where(yinf & (np.sign(y) == np.sign(hi)), 0.0, np.inf), err)
    err = np.where(np.isnan(y), np.inf, err)
    # a NaN reference is the documented "no value" (sin(w x) where w x overflows float64)
    err = np.where(np.isnan(hi), np.where(np.isnan(y), 0.0, np.inf), err)
    return err


def ulp_report(record):
    """Append one measurement to $NONLIN_ULP_REPORT (JSON lines) when that variable is set."""
    path = os.environ.get("NONLIN_ULP_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(record) + "\n")
