"""python -m nonlin list | info NAME | plot NAME... -o FILE.png | bench [options]"""

import argparse
import sys

import nonlin as nl


def _fmt(value):
    """A parameter default: 0.25, or (0.333, 0.333, 0.333) for a vector."""
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(f"{v:.3g}" for v in value) + ")"
    return f"{value:g}"


def _list(_args):
    rows = nl.catalog()
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        params = ", ".join(f"{k}={_fmt(v['default'])}{'*' if v['learnable'] else ''}"
                           for k, v in r["params"].items())
        print(f"{r['name']:<{width}}  {r['kind']:<14}  {params:<32}  {r['formula']}")
    print("\n* learnable parameter")


def _info(args):
    rows = {r["name"]: r for r in nl.catalog()}
    if args.name not in rows:
        print(f"unknown activation '{args.name}'; see `python -m nonlin list`", file=sys.stderr)
        return 2
    r = rows[args.name]
    print(f"{r['name']} ({r['kind']})")
    print(f"  formula:    {r['formula']}")
    if r["derivative"]:
        print(f"  derivative: {r['derivative']}")
    print(f"  source:     {r['source']}")
    for k, v in r["params"].items():
        print(f"  param {k} = {_fmt(v['default'])}{' (learnable)' if v['learnable'] else ''}: "
              f"{v['doc']}")
    if r["properties"]:
        print("  properties: " + ", ".join(f"{k}={v}" for k, v in r["properties"].items()))
    for dtype, ops in (r["accuracy"] or {}).items():
        print(f"  max ULP {dtype}: " + ", ".join(f"{op} {u:.2f}" for op, u in ops.items()))
    return 0


def _bench_main(argv):
    from . import bench
    return bench.main(argv)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # bench has its own options parser
        return _bench_main(argv[1:])
    if argv[:1] == ["plot"]:  # so does plot
        from . import plot
        return plot.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m nonlin", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list every activation").set_defaults(fn=_list)
    p = sub.add_parser("info", help="formula, parameters, properties and accuracy of one activation")
    p.add_argument("name")
    p.set_defaults(fn=_info)
    sub.add_parser("plot", help="draw activations and derivatives into a PNG "
                                "(python -m nonlin plot --help)")
    sub.add_parser("bench", help="speed and accuracy vs NumPy, PyTorch and JAX "
                                 "(python -m nonlin bench --help)")
    args = parser.parse_args(argv)
    return args.fn(args) or 0


if __name__ == "__main__":
    sys.exit(main())
