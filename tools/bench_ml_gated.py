"""Speed of the Mittag-Leffler gated activations, side by side in one run: the fused pass
(scalar parameters) against the composed NumPy path it replaced (still used for per-channel
parameters), and nl.gelu as the yardstick. ns per element, fastest of --repeat runs, one
thread, float32 input of N(0, 9) values (shuffled: no locality), plans already cached.

    PYTHONPATH=tools python tools/bench_ml_gated.py [--n 1000000] [--repeat 7] [names...]
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import best_times

import nonlin as nl

# parameters moved off the closed forms (plans), per preset
MOVED = {"ml_sigmoid": dict(alpha1=0.15), "ml_silu": dict(alpha1=0.2), "ml_tanh": dict(alpha1=1.9),
         "ml_mish": dict(alpha1=1.9), "ml_softsign": dict(alpha1=0.3), "ml_gelu": dict(alpha1=0.6),
         "ml_elu": dict(alpha1=0.9), "ml_tanh_identity": dict(beta2=1.5)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("names", nargs="*", default=list(MOVED))
    a = ap.parse_args()
    nl.set_num_threads(1)
    x = (np.random.default_rng(0).standard_normal(a.n) * 3).astype(np.float32)
    g = np.ones_like(x)
    ns = 1e9 / a.n
    gelu = best_times([lambda: nl.gelu(x)], a.repeat)[0] * ns
    print(f"nl.gelu float32: {gelu:.2f} ns/element\n")
    print("| activation | parameters | fused fwd | fused bwd | fused param grads | fwd / gelu "
          "| composed fwd | composed bwd | composed param grads |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in a.names:
        act = nl.ml_activations[name]
        for label, moved in (("defaults", {}), (", ".join(f"{k}={v}" for k, v in MOVED[name].items()), MOVED[name])):
            p = act._params(moved)
            times = best_times([
                lambda: act(x, **moved), lambda: act.backward(g, x, **moved),
                lambda: act.param_backward(g, x, **moved),
                lambda: act._parts(x, p, False, False)["value"].astype(np.float32),
                lambda: (g * act._parts(x, p, True, False)["derivative"]).astype(np.float32),
                lambda: [np.sum(g * v) for k, v in act._parts(x, p, False, True).items() if k in act.learnable],
            ], a.repeat)
            fused, composed = [t * ns for t in times[:3]], [t * ns for t in times[3:]]
            print(f"| {name} | {label} | {fused[0]:.1f} | {fused[1]:.1f} | {fused[2]:.1f} | {fused[0] / gelu:.0f}x "
                  f"| {composed[0]:.1f} | {composed[1]:.1f} | {composed[2]:.1f} |")


if __name__ == "__main__":
    main()
