// NumPy's C API (arrays and ufuncs) for the extension's translation units other than
// module.cpp, which imports it once (PY_ARRAY_UNIQUE_SYMBOL / PY_UFUNC_UNIQUE_SYMBOL).
#pragma once

#define PY_ARRAY_UNIQUE_SYMBOL nonlin_ARRAY_API
#define PY_UFUNC_UNIQUE_SYMBOL nonlin_UFUNC_API
#define NO_IMPORT_ARRAY
#define NO_IMPORT_UFUNC
#define NPY_NO_DEPRECATED_API NPY_1_23_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>
