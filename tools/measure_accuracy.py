"""Measure every activation's max ULP error against the mpmath tables (all SIMD levels,
float16/32/64, forward / derivative / backward / parameter gradients) and write the result to
python/nonlin/accuracy.json, which the catalogue shows (`nl.gelu.accuracy`,
`python -m nonlin info gelu`) and tests/test_accuracy.py holds the library to.

    python tools/measure_accuracy.py              # measure and rewrite the table
    python tools/measure_accuracy.py golu aptx    # re-measure these rows only (others kept)
    python tools/measure_accuracy.py --markdown   # print it for the README
"""

import collections
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "python", "nonlin", "accuracy.json")
KINDS = {"fwd": "forward", "deriv": "derivative", "bwd": "backward", "param_grad": "param_grad"}


def markdown():
    """The accuracy table as Markdown (for the README)."""
    table = json.load(open(OUT))
    kinds = ["forward", "derivative", "backward", "param_grad"]
    print("| activation | " + " | ".join(f"{d} fwd / d / bwd / param" for d in
                                         ("float16", "float32", "float64")) + " |")
    print("|---|---|---|---|")
    for name, by_dtype in sorted(table.items()):
        cells = []
        for dtype in ("float16", "float32", "float64"):
            v = by_dtype.get(dtype, {})
            cells.append(" / ".join("-" if v.get(k) is None else f"{v[k]:.2g}" for k in kinds
                                    if k != "param_grad" or "param_grad" in v))
        print(f"| {name} | " + " | ".join(cells) + " |")


def main():
    if sys.argv[1:] == ["--markdown"]:
        return markdown()
    only = set(sys.argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "ulp.jsonl")
        env = dict(os.environ, NONLIN_ULP_REPORT=report)
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider",
                        os.path.join(ROOT, "tests", "test_accuracy.py"), "-k", "test_ulp"],
                       env=env, cwd=ROOT, check=False)
        rows = [json.loads(line) for line in open(report)]
    worst = collections.defaultdict(float)
    for r in rows:
        name = r["set"].split("#")[0]
        if only and name not in only:
            continue
        key = (name, r["dtype"], KINDS[r["kind"]])
        worst[key] = max(worst[key], r["max_ulp"])
    table = collections.defaultdict(lambda: collections.defaultdict(dict))
    if only:  # keep the rows not re-measured
        for name, by_dtype in json.load(open(OUT)).items():
            if name not in only:
                table[name].update(by_dtype)
    for (name, dtype, kind), ulp in sorted(worst.items()):
        # rounded up to 0.01 ULP: the tests hold the library to these numbers
        table[name][dtype][kind] = math.ceil(ulp * 100) / 100 if math.isfinite(ulp) else None
    with open(OUT, "w") as f:
        json.dump(table, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT} ({len(table)} activations)")


if __name__ == "__main__":
    main()
