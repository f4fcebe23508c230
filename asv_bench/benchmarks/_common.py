"""Shared helpers: implementations of forward/backward for nonlin, NumPy/SciPy, torch, jax."""

import math
import os

import numpy as np

SIZES = [1_000, 100_000, 1_000_000, 10_000_000]
THREADS = [1, 2]
DTYPES = ["float32", "float64"]
NAMES = ["relu", "sigmoid", "tanh", "gelu", "gelu_tanh", "silu", "mish", "softplus", "elu"]


def make_inputs(n, dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 3.0, n).astype(dtype)
    g = rng.normal(0.0, 1.0, n).astype(dtype)
    return x, g


def _bench():
    """nonlin.bench (the composites are shared with `python -m nonlin bench`)."""
    try:
        from nonlin import bench
    except ImportError:  # an older install without bench.py: load it from the source tree
        import importlib.util
        path = os.path.join(os.path.dirname(__file__), "..", "..", "python", "nonlin", "bench.py")
        spec = importlib.util.spec_from_file_location("_nonlin_bench", path)
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
    return bench


def numpy_impls():
    return _bench()._numpy_impls()


def torch_impls():
    try:
        import torch
    except ImportError:
        raise NotImplementedError("torch not installed")
    return torch, _bench()._torch_impls(torch)


def jax_module(dtype):
    try:
        os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                           "intra_op_parallelism_threads=1")
        import jax
    except ImportError:
        raise NotImplementedError("jax not installed")
    if dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    return jax, _bench()._jax_forward(jax)
