"""python -m nonlin plot NAME... [--derivative] [--range LO HI] [--param k=v] -o FILE.png

Draws activations (and their derivatives) on one grid so their shapes compare at a glance.
Elementwise activations are drawn as f(x) and f'(x); a gated unit a * gate(b) as its gate with
a = 1; a normalising activation (statistics over an axis) takes the whole grid as one row and
its derivative is drawn as the gradient of sum(f(x)) (the backward pass of ones), since each
output depends on every input. Anything else callable as f(x, **params) is drawn as is, with
its `derivative` (or `backward`) if it has one. Needs matplotlib (pip install "nonlin[plot]").
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np


def _value(text):
    """'0.5' -> 0.5; '0.3,0.4,0.3' -> (0.3, 0.4, 0.3)."""
    parts = [float(t) for t in text.split(",") if t.strip()]
    if not parts:
        raise ValueError(f"no number in {text!r}")
    return parts[0] if len(parts) == 1 and "," not in text else tuple(parts)


def parse_params(items):
    params = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--param {item!r}: expected NAME=VALUE (e.g. --param beta=2)")
        try:
            params[key.strip()] = _value(value)
        except ValueError:
            raise ValueError(f"--param {item!r}: {value!r} is not a number or a comma-separated "
                             "list of numbers") from None
    return params


def curves(act, x, params):
    """(label suffix, f(x), derivative or None, derivative label) of one activation."""
    kind = getattr(act, "kind", None)
    if hasattr(act, "arrays") and hasattr(act, "initial"):  # learnable arrays: their initial values
        params = {**act.initial(), **params}
    if kind == "normalizing":
        return (" (grid as one row)", act(x, **params),
                act.backward(np.ones_like(x), x, **params), "d sum f / dx")
    if hasattr(act, "gate"):  # gated linear unit a * gate(b): the gate, a = 1
        ab = np.concatenate([np.ones_like(x), x])
        return (f" = 1 * {act.gate}(x)", act(ab, **params),
                act.backward(np.ones_like(x), ab, **params)[x.size:], "f'(x)")
    y = np.asarray(act(x, **params), dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"returns shape {y.shape} for a grid of shape {x.shape}")
    if hasattr(act, "derivative"):
        return "", y, act.derivative(x, **params), "f'(x)"
    if hasattr(act, "backward"):
        return "", y, act.backward(np.ones_like(x), x, **params), "f'(x)"
    return "", y, None, ""


def plot(names, out, derivative=False, lo=-5.0, hi=5.0, params=None, points=801, acts=None):
    """Draw `names` into the PNG `out`; returns the names drawn. `params` go to every
    activation that has them (each must fit at least one)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RuntimeError('python -m nonlin plot needs matplotlib: pip install "nonlin[plot]" '
                           "(or pip install matplotlib)") from None
    if acts is None:
        from ._registry import every_activation
        acts = every_activation()
    params = dict(params or {})
    unknown = [n for n in names if n not in acts]
    if unknown:
        raise ValueError(f"unknown activation(s) {', '.join(unknown)}; see python -m nonlin list")
    if not lo < hi:
        raise ValueError(f"--range: LO must be below HI (got {lo} {hi})")
    unused = set(params) - {k for n in names for k in getattr(acts[n], "params", {})}
    if unused:
        raise ValueError(f"--param {sorted(unused)[0]}: none of {', '.join(names)} has this "
                         "parameter")
    x = np.linspace(lo, hi, points)
    many = len(names) > 8  # then one shared legend below the panels, in columns
    ncol = 5 if derivative else 3
    legend_rows = -(-len(names) // ncol) if many else 0
    fig, axes = plt.subplots(1, 2 if derivative else 1, squeeze=False,
                             figsize=(12 if derivative else 7, 4.8 + 0.22 * legend_rows))
    colours = plt.get_cmap("tab10" if len(names) <= 10 else "tab20").colors
    drawn, dlabel = [], "f'(x)"
    for name in names:
        act = acts[name]
        own = {k: v for k, v in params.items() if k in getattr(act, "params", {})}
        label = name + "".join(f", {k}={v}" for k, v in own.items())
        try:
            suffix, y, dy, dl = curves(act, x, own)
        except Exception as exc:  # an activation this plotter cannot call: say so, go on
            print(f"nonlin plot: skipping {name}: {exc}", file=sys.stderr)
            continue
        style = {"color": colours[len(drawn) % len(colours)],
                 "linestyle": ("-", "--", ":", "-.")[len(drawn) // len(colours) % 4]}
        axes[0][0].plot(x, y, label=label + suffix, **style)
        if derivative:
            if dy is None:
                print(f"nonlin plot: {name} has no derivative to draw", file=sys.stderr)
            else:
                axes[0][1].plot(x, dy, label=f"{label} ({dl})", **style)
                dlabel = dl if len(names) == 1 else "derivative"
        drawn.append(name)
    if not drawn:
        plt.close(fig)
        raise ValueError("nothing to draw")
    titles = ["f(x)", dlabel]
    for ax, title in zip(axes[0], titles):
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.grid(alpha=0.3)
        ax.set_xlabel("x")
        ax.set_title(title)
        if not many and ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    if many:
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=7, frameon=False)
    fig.suptitle("nonlin: " + (", ".join(drawn) if len(drawn) <= 6 else f"{len(drawn)} activations"))
    legend_height = (0.16 * legend_rows + 0.1) / (4.8 + 0.22 * legend_rows) if many else 0.0
    fig.tight_layout(rect=(0, legend_height, 1, 1))
    try:  # exactly the file asked for (matplotlib would append .png to a name without suffix)
        fig.savefig(out, dpi=110, format=os.path.splitext(str(out))[1][1:].lower() or "png")
    finally:
        plt.close(fig)
    return drawn


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m nonlin plot", description=__doc__.split("\n\n")[1])
    ap.add_argument("names", nargs="+", metavar="NAME", help="activations (python -m nonlin list)")
    ap.add_argument("--derivative", action="store_true", help="also draw the derivatives")
    ap.add_argument("--range", nargs=2, type=float, default=(-5.0, 5.0), metavar=("LO", "HI"))
    ap.add_argument("--param", action="append", metavar="NAME=VALUE",
                    help="parameter value (a list as 0.3,0.4,0.3); repeatable")
    ap.add_argument("--points", type=int, default=801)
    ap.add_argument("-o", "--output", required=True, metavar="FILE.png")
    a = ap.parse_args(argv)
    try:
        drawn = plot(a.names, a.output, a.derivative, a.range[0], a.range[1],
                     parse_params(a.param), max(a.points, 2))
    except (ValueError, TypeError, RuntimeError) as exc:
        print(f"nonlin plot: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"nonlin plot: cannot write {a.output}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {a.output} ({', '.join(drawn)})")
    return 0
