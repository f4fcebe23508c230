"""Operand handling shared by the activations whose parameters are coefficient arrays:
validation with errors naming the argument, the compute dtype (float16 computes in float32,
integers in float64), and `out=` semantics (direct writes only where that is safe)."""

from __future__ import annotations

import numpy as np


def real_array(value, argname, where):
    """np.asarray(value) for real numeric data; TypeError naming `argname` otherwise."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{where}: '{argname}' must be a real numeric array, got {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{where}: '{argname}' must be a real numeric array ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: '{argname}' must be a real numeric array, got dtype {arr.dtype}")
    return arr


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)
_COMPUTE = {np.dtype(np.float16): (_F32, np.dtype(np.float16)), _F32: (_F32, _F32)}


def compute_dtype(dtype):
    """(compute dtype, result dtype) for input of `dtype`."""
    return _COMPUTE.get(dtype, (_F64, _F64))


def output(out, shape, rdtype, cdtype, sources, where):
    """(buffer the kernel writes, the array returned or None). The kernel writes straight into
    `out` only when it is contiguous, of the compute dtype, and either disjoint from or exactly
    aliasing every source; otherwise into a temporary that finish() copies into `out`."""
    if out is None:
        return np.empty(shape, cdtype), None
    if not isinstance(out, np.ndarray):
        raise TypeError(f"{where}: out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{where}: out has shape {out.shape}, expected {shape}")
    if not out.flags.writeable:
        raise ValueError(f"{where}: out is read-only")
    if not np.can_cast(rdtype, out.dtype, casting="same_kind"):
        raise TypeError(f"{where}: cannot write {rdtype} results into out of dtype {out.dtype}")
    direct = out.dtype == cdtype and out.flags.c_contiguous and all(
        not np.may_share_memory(out, s) or (s.ctypes.data == out.ctypes.data and s.strides == out.strides)
        for s in sources)
    return (out if direct else np.empty(shape, cdtype)), out


def finish(buf, out, rdtype):
    """The result: `buf` in the result dtype (a scalar for 0-d input), or `out` filled."""
    if out is None:
        return buf.astype(rdtype, copy=False) if buf.ndim else buf.astype(rdtype)[()]
    if buf is not out:
        np.copyto(out, buf, casting="unsafe")
    return out
