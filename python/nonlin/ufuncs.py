"""The NumPy ufunc objects behind every activation: ``<name>``, ``<name>_derivative``,
``<name>_backward``, ``<name>_param_grad`` and the gated units. A real module, so the ufuncs
pickle by name."""

from ._core import _ops

globals().update({ufunc.__name__: ufunc for ufunc, _kind, _meta in _ops})
__all__ = sorted(ufunc.__name__ for ufunc, _kind, _meta in _ops)
del _ops
