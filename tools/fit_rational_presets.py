#!/usr/bin/env python
"""Fit the rational-activation presets shipped in python/nonlin/rational_presets.json.

    PYTHONPATH=python python tools/fit_rational_presets.py [--markdown]

Every classic activation (nonlin's own float64 implementation as the target) is fitted by
nl.fit_rational with degrees (5, 4), method "minimax", on [-3, 3] -- the range the
rational_activations presets use -- in each version's own form (A, B, C, N; D uses B's
coefficients). A version N fit whose denominator has a real root anywhere is not shipped
(it would be a pole for some input). --markdown prints the README table.
"""

import argparse
import json
import os
import sys
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import nonlin as nl  # noqa: E402

NAMES = ["gelu", "gelu_tanh", "silu", "mish", "tanh", "sigmoid", "softplus", "elu", "relu",
         "leaky_relu"]
DEGREES = (5, 4)
INTERVAL = (-3.0, 3.0)
OUT = os.path.join(ROOT, "python", "nonlin", "rational_presets.json")


def fit_all():
    table = {}
    for name in NAMES:
        table[name] = {}
        for version in "ABCN":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    r = nl.fit_rational(name, DEGREES, INTERVAL, version, "minimax")
                except ValueError as exc:  # a pole inside the interval (version N)
                    print(f"{name} {version}: not shipped ({exc})", file=sys.stderr)
                    continue
            if version == "N" and r.real_poles.size:
                print(f"{name} N: not shipped (real poles at {r.real_poles})", file=sys.stderr)
                continue
            table[name][version] = {
                "numerator": [float(v) for v in r.numerator],
                "denominator": [float(v) for v in r.denominator],
                "degrees": list(DEGREES), "interval": list(INTERVAL),
                "max_error": r.max_error, "rms_error": r.rms_error,
                "fit_seconds": round(r.seconds, 3),
            }
            print(f"{name} {version}: max {r.max_error:.3g} rms {r.rms_error:.3g} "
                  f"({r.seconds * 1e3:.0f} ms)", file=sys.stderr)
            del caught
        if "B" in table[name]:
            table[name]["D"] = dict(table[name]["B"])
    return table


def markdown(table):
    lines = ["| activation | A | B (= D) | C | N |", "|---|---|---|---|---|"]
    for name, rows in table.items():
        cells = [f"{rows[v]['max_error']:.2g}" if v in rows else "pole" for v in "ABCN"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--markdown", action="store_true", help="print the README table only")
    args = ap.parse_args()
    if args.markdown:
        with open(OUT) as f:
            print(markdown(json.load(f)))
        return
    table = fit_all()
    with open(OUT, "w") as f:
        json.dump(table, f, indent=1)
        f.write("\n")
    print(markdown(table))


if __name__ == "__main__":
    main()
