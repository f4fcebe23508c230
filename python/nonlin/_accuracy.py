"""The measured accuracy tables shipped with the package (written by tools/measure_*.py)."""

import json
from importlib import resources


def load(filename):
    """{activation name: {dtype: {op: max ULP}}} from the package's `filename`, {} if absent."""
    try:
        return json.loads(resources.files(__package__).joinpath(filename).read_text())
    except FileNotFoundError:
        return {}
