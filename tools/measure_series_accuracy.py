"""Measure the coefficient-vector activations' max ULP errors (forward and derivative against
mpmath, every parameter set of tests/series_formulas.py, every SIMD level, float32/float64)
and write python/nonlin/accuracy_series.json, which the catalogue shows and
tests/test_series.py holds the library to.

    PYTHONPATH=python python tools/measure_series_accuracy.py
"""

import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

import nonlin as nl  # noqa: E402
import series_formulas as S  # noqa: E402

OUT = os.path.join(ROOT, "python", "nonlin", "accuracy_series.json")


def main():
    table = {}
    old = nl.simd_level()
    try:
        for name in S.FAMILIES:
            act = getattr(nl, name)
            for dtype in ("float32", "float64"):
                worst = {"forward": 0.0, "derivative": 0.0}
                for level in nl.simd_levels():
                    nl.set_simd_level(level)
                    for k in range(len(S.param_sets(act))):
                        ef, ed, _ = S.ulp_errors_of(act, k, dtype)
                        worst["forward"] = max(worst["forward"], ef.max())
                        worst["derivative"] = max(worst["derivative"], ed.max())
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
