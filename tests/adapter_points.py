"""Shared by the framework adapter tests (test_torch.py, test_jax.py)."""

from __future__ import annotations

import numpy as np

import reference_formulas as rf


def points(name, n=64, seed=0):
    """n random float64 points in [-6, 6], at least 0.05 away from the activation's kinks and
    thresholds (reference_formulas' kinks, plus the usual ones of the piecewise activations), so
    finite differences and other libraries' branch choices do not matter."""
    ref = rf.BY_NAME.get(name)
    kinks = set(ref.kinks(ref.params) if ref else [0.0]) | {0.0, 3.0, -3.0, 6.0, 1.0, -1.0}
    x = np.random.default_rng(seed).uniform(-6, 6, 4 * n)
    for k in kinks:
        x = x[np.abs(x - k) > 0.05]
    return x[:n]
