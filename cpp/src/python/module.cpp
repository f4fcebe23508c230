// nonlin._core: real NumPy ufuncs for every op in the registry, the registry's metadata for the
// Python layer, and the runtime controls (SIMD level, threads). NumPy releases the GIL around
// the loops (they never touch Python objects).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#define PY_ARRAY_UNIQUE_SYMBOL nonlin_ARRAY_API
#define PY_UFUNC_UNIQUE_SYMBOL nonlin_UFUNC_API
#define NPY_NO_DEPRECATED_API NPY_1_23_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include <cfenv>
#include <deque>

#include "../cpu/dispatch.h"
#include "../cpu/run.h"
#include "../cpu/thread_pool.h"
#include "normalizing_bindings.h"

namespace nb = nanobind;
using namespace nonlin;

void register_mittag_leffler(nb::module_& m);  // mittag_leffler.cpp
void register_prabhakar(nb::module_& m);  // prabhakar.cpp
void register_jax_ffi(nb::module_& m);  // jax_ffi.cpp
void bind_rational(nb::module_& m);  // rational.cpp
void bind_series(nb::module_& m);  // series_bindings.cpp
void bind_cuda(nb::module_& m);  // cuda_bindings.cpp
void register_jax_ffi_cuda(nb::module_& m);  // jax_ffi_cuda.cpp
void bind_ml_gated(nb::module_& m);  // ml_gated_bindings.cpp
void bind_param_sums(nb::module_& m);  // param_sums_bindings.cpp

namespace {

template <class T>
void ufunc_loop(char** args, const npy_intp* dims, const npy_intp* steps, void* data) {
  run_strided<T>(*static_cast<const OpInfo*>(data), dims[0], args, steps);
  // Intermediate overflows and inf*0 inside the formulas are expected and handled; results
  // follow IEEE semantics, so NumPy should not turn those internal flags into warnings.
  std::feclearexcept(FE_ALL_EXCEPT);
}

// Storage the ufunc objects point into for the life of the process.
struct UfuncStorage {
  PyUFuncGenericFunction funcs[3] = {&ufunc_loop<Half>, &ufunc_loop<float>, &ufunc_loop<double>};
  void* data[3];
  std::vector<char> types;
  std::string doc;
};

std::string op_doc(const OpInfo& op) {
  const Meta& m = *op.meta;
  std::string params;
  for (std::size_t i = 0; i < m.nparams; ++i) params += std::string(", ") + m.params[i].name;
  switch (op.kind) {
    case OpKind::forward:
      return op.name + "(x" + params + ")\n\n" + m.formula + "\n\nSource: " + m.source;
    case OpKind::derivative:
      return op.name + "(x" + params + ")\n\nd/dx " + m.name + ": " + m.derivative;
    case OpKind::backward:
      return op.name + "(grad_out, x" + params + ")\n\ngrad_out * (" + m.derivative + ")";
    case OpKind::derivative2:
      return op.name + "(x" + params + ")\n\nsecond derivative d^2/dx^2 " + m.name;
    case OpKind::param_grad:
      return op.name + "(grad_out, x" + params +
             ")\n\ngrad_out * d" + m.name + "/dp for each learnable parameter p, elementwise";
    case OpKind::vjp:
      return op.name + "(grad_out, x" + params + ")\n\n(grad_out * d" + m.name +
             "/dx, grad_out * d" + m.name + "/dp for each learnable parameter p), elementwise, "
             "in one pass";
    case OpKind::gated:
      return op.name + "(a, b)\n\na * " + m.name + "(b)";
    case OpKind::gated_backward:
      return op.name + "(grad_out, a, b)\n\n(grad_out * " + m.name + "(b), grad_out * a * " +
             m.name + "'(b))";
  }
  return op.name;
}

nb::object make_ufunc(const OpInfo& op) {
  static std::deque<UfuncStorage> storage;
  UfuncStorage& s = storage.emplace_back();
  const int nargs = op.nin + op.nout;
  for (int t = 0; t < 3; ++t) {
    s.data[t] = const_cast<OpInfo*>(&op);
    const char code = t == 0 ? NPY_HALF : t == 1 ? NPY_FLOAT : NPY_DOUBLE;
    for (int k = 0; k < nargs; ++k) s.types.push_back(code);
  }
  s.doc = op_doc(op);
  PyObject* u = PyUFunc_FromFuncAndData(s.funcs, s.data, s.types.data(), 3, op.nin, op.nout,
                                        PyUFunc_None, op.name.c_str(), s.doc.c_str(), 0);
  if (!u) throw nb::python_error();
  return nb::steal(u);
}

const char* constraint_name(Constraint c) {
  static const char* const names[] = {"any", "nonzero", "nonnegative", "positive",
                                      "at_least_previous"};
  return names[int(c)];
}

nb::dict meta_dict(const Meta& m) {
  nb::dict d;
  d["name"] = m.name;
  d["formula"] = m.formula;
  d["derivative"] = m.derivative;
  d["source"] = m.source;
  nb::list params;
  for (std::size_t i = 0; i < m.nparams; ++i)
    params.append(nb::make_tuple(m.params[i].name, m.params[i].default_value,
                                 m.params[i].learnable, m.params[i].doc,
                                 constraint_name(m.params[i].constraint)));
  d["params"] = params;
  nb::dict props;
  props["smooth"] = m.props.smooth;
  props["monotonic"] = m.props.monotonic;
  props["bounded"] = m.props.bounded;
  props["zero_centred"] = m.props.zero_centred;
  props["self_gated"] = m.props.self_gated;
  props["range"] = m.props.range;
  d["properties"] = props;
  return d;
}

const char* kind_name(OpKind k) {
  static const char* const names[] = {"forward",        "derivative",  "backward",
                                      "param_grad",     "gated",       "gated_backward",
                                      "derivative2",    "vjp"};
  return names[int(k)];
}

}  // namespace

NB_MODULE(_core, m) {
  if (PyArray_ImportNumPyAPI() < 0 || PyUFunc_ImportUFuncAPI() < 0) throw nb::python_error();

  // ops(): [(ufunc, kind, activation metadata dict)] in registry order.
  nb::list ops;
  for (const OpInfo& op : op_infos())
    ops.append(nb::make_tuple(make_ufunc(op), kind_name(op.kind), meta_dict(*op.meta)));
  m.attr("_ops") = ops;
  register_mittag_leffler(m);
  register_prabhakar(m);

  register_jax_ffi(m);
  register_normalizing(m, &meta_dict);

  m.def("simd_level", [] { return std::string(simd_level_name(simd_level())); },
        "The instruction set the kernels currently run on.");
  m.def("simd_levels", [] {
    nb::list out;
    for (int l = 0; l < simd_count; ++l)
      if (simd_level_supported(l)) out.append(simd_level_name(l));
    return nb::tuple(out);
  }, "Instruction sets this CPU and this build support, slowest first.");
  m.def("set_simd_level", [](const std::string& name) {
    const int l = simd_level_from_name(name.c_str());
    if (l < 0)
      throw nb::value_error(("level: unknown SIMD level '" + name +
                             "' (expected baseline, avx2 or avx512)").c_str());
    if (!set_simd_level(l))
      throw nb::value_error(("level: SIMD level '" + name +
                             "' is not supported by this CPU or build").c_str());
  }, nb::arg("level"), "Force the kernels onto one instruction set (for testing).");
  m.def("get_num_threads", &get_num_threads, "Threads used for one large call.");
  m.def("set_num_threads", [](int n) {
    if (n < 1 || n > kMaxThreads)
      throw nb::value_error(("n: the number of threads must be in [1, " + std::to_string(kMaxThreads) + "]").c_str());
    set_num_threads(n);
  }, nb::arg("n"), "Set the threads used for one large call (1 = single-threaded).");
  bind_rational(m);
  bind_series(m);
  bind_ml_gated(m);
  bind_param_sums(m);
  bind_cuda(m);
  register_jax_ffi_cuda(m);
}
