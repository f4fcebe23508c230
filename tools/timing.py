"""Side-by-side timing shared by the tools/bench_*.py scripts."""

import time

import numpy as np


def best_times(fns, repeat):
    """Best time of each function over `repeat` interleaved rounds (on a shared, noisy machine
    the minimum is the least disturbed run; interleaving exposes all alike to the load)."""
    for fn in fns:
        fn()
    ts = [[] for _ in fns]
    for _ in range(repeat):
        for t, fn in zip(ts, fns):
            t0 = time.perf_counter()
            fn()
            t.append(time.perf_counter() - t0)
    return [float(np.min(t)) for t in ts]
