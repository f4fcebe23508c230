"""nonlin: exact, fast neural-network activation functions and their derivatives.

Every activation is a real NumPy ufunc (``nonlin.ufuncs.<name>``) wrapped by an object with
keyword parameters (``nonlin.gelu``, ``nonlin.leaky_relu(x, negative_slope=0.2)``), its
derivative, fused backward and parameter gradients. See ``nonlin.catalog()``.
"""

import os as _os

from . import _core
from ._registry import activations as _activations, catalog, ufuncs
from ._rational import rational
from ._rational_fit import fit_rational
from ._core import get_num_threads, set_num_threads, set_simd_level, simd_level, simd_levels
from .mittag_leffler import mittag_leffler
from .ml_activations import ml_activations

__version__ = "0.1.0"

if _os.environ.get("NONLIN_SIMD"):
    set_simd_level(_os.environ["NONLIN_SIMD"])

globals().update(_activations)
globals().update(ml_activations)


def __getattr__(name):
    # nl.torch / nl.jax: the framework adapters, imported on first use (never by `import nonlin`)
    if name in ("torch", "jax"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'nonlin' has no attribute '{name}'")

__all__ = ["catalog", "ufuncs", "simd_level", "simd_levels", "set_simd_level",
           "get_num_threads", "set_num_threads", "mittag_leffler", "ml_activations",
           "rational", "fit_rational", *sorted(_activations), *sorted(ml_activations)]
