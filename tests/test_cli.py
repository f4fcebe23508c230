"""python -m nonlin list / info / plot: what a researcher sees (catalogue rows, parameters,
properties, sources, accuracy) and the plots it writes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from conftest import require_nonlin



def run_main(args, capsys):
    from nonlin.__main__ import main
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_shows_every_activation_with_kind_and_learnable_flags(capsys):
    nl = require_nonlin()
    code, out, _ = run_main(["list"], capsys)
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip() and line[0] != "*"}
    for row in nl.catalog():
        assert row["name"] in lines and row["kind"] in lines[row["name"]]
    assert "negative_slope=0.01 " in lines["leaky_relu"] + " "
    assert "weight=0.25*" in lines["prelu"]
    assert "weight=(0.333, 0.333, 0.333)*" in lines["polynorm"] and "normalizing" in lines["polynorm"]


@pytest.mark.parametrize("name", ["gelu", "prelu", "polynorm", "ash", "velu"])
def test_info_shows_formula_params_properties_source_accuracy(name, capsys):
    nl = require_nonlin()
    code, out, _ = run_main(["info", name], capsys)
    assert code == 0
    row = {r["name"]: r for r in nl.catalog()}[name]
    assert out.startswith(f"{name} ({row['kind']})")
    assert row["formula"] in out and row["source"] in out
    for pname, p in row["params"].items():
        assert f"param {pname} = " in out
        assert ("(learnable)" in out.split(f"param {pname} = ")[1].splitlines()[0]) == p["learnable"]
    for prop in ("smooth", "monotonic", "bounded", "zero_centred", "self_gated", "range"):
        assert f"{prop}=" in out
    for dtype in ("float32", "float64"):
        assert f"max ULP {dtype}: " in out


@pytest.mark.parametrize("name", ["ml_tanh", "ml_gelu", "rational"])
def test_info_for_mittag_leffler_and_rational(name, capsys):
    """The Mittag-Leffler gated activations and the rational activation are in the catalogue
    too (were missing from list / info / plot)."""
    nl = require_nonlin()
    code, out, _ = run_main(["info", name], capsys)
    assert code == 0
    row = {r["name"]: r for r in nl.catalog()}[name]
    assert out.startswith(f"{name} ({row['kind']})") and row["formula"] in out
    for pname in row["params"]:
        assert f"param {pname} = " in out and "(learnable)" in out.split(f"param {pname} = ")[1].splitlines()[0]


def test_info_unknown_name(capsys):
    code, _, err = run_main(["info", "no_such_activation"], capsys)
    assert code == 2 and "unknown activation" in err


def _png_checks(path):
    import matplotlib.image as mpimg
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    img = mpimg.imread(path)
    assert img.shape[0] > 300 and img.shape[1] > 500
    rgb = img[..., :3].reshape(-1, 3)
    colours = np.unique(np.round(rgb * 255).astype(np.uint8), axis=0)
    assert len(colours) > 50                # curves, axes, legend: not a blank canvas
    assert (rgb.min(axis=1) < 0.5).mean() > 0.005   # enough drawn (dark or coloured) pixels


def test_plot_subprocess_writes_a_real_png(tmp_path):
    require_nonlin()
    out = tmp_path / "shapes.png"
    # The installed package, as a user runs it (no source-tree path: the extension lives in
    # site-packages for a non-editable install).
    r = subprocess.run([sys.executable, "-m", "nonlin", "plot", "gelu", "silu", "polynorm",
                        "--derivative", "--range", "-4", "4", "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stdout
    # No warnings or errors (an editable install's rebuild may log its cmake/ninja lines).
    assert not any(w in r.stderr for w in ("Warning", "Error", "Traceback")), r.stderr
    _png_checks(out)


def test_plot_every_catalogue_entry(tmp_path, capsys):
    nl = require_nonlin()
    names = [r["name"] for r in nl.catalog()]
    code, out, err = run_main(["plot", *names, "--derivative", "-o", str(tmp_path / "all.png")],
                              capsys)
    assert code == 0 and "skipping" not in err and "no derivative" not in err, err
    assert all(n in out for n in names)
    _png_checks(tmp_path / "all.png")


def test_plot_parameters(tmp_path, capsys):
    require_nonlin()
    from nonlin.plot import parse_params
    assert parse_params(["negative_slope=0.2", "weight=0.2,0.3,0.5", "w=1,"]) == {
        "negative_slope": 0.2, "weight": (0.2, 0.3, 0.5), "w": (1.0,)}
    code, _, err = run_main(["plot", "leaky_relu", "polynorm", "--param", "negative_slope=0.2",
                             "--param", "weight=0.2,0.3,0.5", "-o", str(tmp_path / "p.png")], capsys)
    assert code == 0, err
    for bad, word in [(["--param", "nosuch=1"], "nosuch"), (["--param", "beta"], "NAME=VALUE"),
                      (["--param", "negative_slope=abc"], "not a number"),
                      (["--range", "2", "1"], "LO must be below HI")]:
        code, _, err = run_main(["plot", "leaky_relu", *bad, "-o", str(tmp_path / "q.png")], capsys)
        assert code == 2 and word in err
    code, _, err = run_main(["plot", "nosuch", "-o", str(tmp_path / "q.png")], capsys)
    assert code == 2 and "unknown activation" in err


def test_plot_output_paths(tmp_path, capsys):
    """An unwritable path is a clean error (exit 2, no traceback); a name without suffix is
    written as PNG under exactly that name (the message names the file that exists)."""
    require_nonlin()
    code, _, err = run_main(["plot", "gelu", "-o", str(tmp_path / "no_such_dir" / "x.png")], capsys)
    assert code == 2 and "cannot write" in err and "Traceback" not in err
    out = tmp_path / "noext"
    code, text, err = run_main(["plot", "gelu", "-o", str(out)], capsys)
    assert code == 0 and f"wrote {out} " in text, err
    _png_checks(out)
    code, _, err = run_main(["plot", "gelu", "-o", str(tmp_path / "x.nosuchformat")], capsys)
    assert code == 2 and "nosuchformat" in err


def test_plot_names_added_later_and_missing_matplotlib(tmp_path, monkeypatch, capsys):
    require_nonlin()
    from nonlin import plot

    class Later:  # an activation kind this plotter does not know: callable, no derivative
        params = {"k": 2.0}

        def __call__(self, x, k=2.0):
            return np.tanh(k * x)

    class Broken:
        params = {}

        def __call__(self, x):
            raise RuntimeError("needs two operands")

    drawn = plot.plot(["later", "broken"], str(tmp_path / "l.png"), derivative=True,
                      params={"k": 3.0}, acts={"later": Later(), "broken": Broken()})
    err = capsys.readouterr().err
    assert drawn == ["later"] and "skipping broken" in err and "later has no derivative" in err
    _png_checks(tmp_path / "l.png")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    code = plot.main(["gelu", "-o", str(tmp_path / "m.png")])
    assert code == 2 and 'pip install "nonlin[plot]"' in capsys.readouterr().err
    assert not (tmp_path / "m.png").exists()
