"""Measure the normalising activations' max ULP errors (forward against mpmath, input and
parameter gradients against high-precision finite differences; every SIMD level, float16/32/64)
and write python/nonlin/accuracy_normalizing.json, which the catalogue shows and
tests/test_normalizing.py holds the library to. Uses tests/reference_normalizing.py.

    PYTHONPATH=python python tools/measure_normalizing_accuracy.py [--seeds 4]
"""

import argparse
import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import nonlin as nl  # noqa: E402
import reference_normalizing as rn  # noqa: E402

OUT = os.path.join(ROOT, "python", "nonlin", "accuracy_normalizing.json")
NAMES = ("polynorm", "ash", "hard_ash", "velu")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    a = ap.parse_args(argv)
    table = {}
    old = nl.simd_level()
    try:
        for name in NAMES:
            act = getattr(nl, name)
            for dtype in ("float16", "float32", "float64"):
                worst = {"forward": 0.0, "backward": 0.0}
                if act.learnable:
                    worst["param_grad"] = 0.0
                for level in nl.simd_levels():
                    nl.set_simd_level(level)
                    for seed in range(a.seeds):
                        worst["forward"] = max(worst["forward"],
                                               rn.forward_errors(act, dtype, 8, 48, 1000 + seed).max())
                        err, perr = rn.gradient_errors(act, dtype, 3, 10, 2000 + seed)
                        worst["backward"] = max(worst["backward"], err.max())
                        for e in perr.values():
                            worst["param_grad"] = max(worst["param_grad"], e.max())
                # rounded up to 0.01 ULP: the tests hold the library to these numbers
                table.setdefault(name, {})[dtype] = {k: math.ceil(v * 100) / 100
                                                     for k, v in worst.items()}
                print(name, dtype, table[name][dtype], flush=True)
    finally:
        nl.set_simd_level(old)
    with open(OUT, "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
