// NumPy ufuncs for the three-parameter (Prabhakar) Mittag-Leffler function E^gamma_{alpha,beta}(z)
// and its z-derivatives (cpp/include/nonlin/mittag_leffler/prabhakar.h), real float32/float64 z
// (float32 computed in float64), element by element over the thread pool.
#include <nanobind/nanobind.h>

#include "numpy_ufunc_api.h"

#include <cfenv>
#include <cstdint>

#include "../cpu/thread_pool.h"
#include "nonlin/mittag_leffler/prabhakar.h"

namespace nb = nanobind;

namespace {

// inputs z, alpha, beta, gamma[, order (int64)]; data: non-null for the derivative ufunc
template <class T>
void loop(char** args, const npy_intp* dims, const npy_intp* steps, void* data) {
  const bool with_order = data != nullptr;
  const int nin = with_order ? 5 : 4;
  auto body = [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
    for (std::ptrdiff_t i = begin; i < end; ++i) {
      auto in = [&](int j) { return double(*reinterpret_cast<const T*>(args[j] + i * steps[j])); };
      double r;
      if (with_order) {
        const auto order = *reinterpret_cast<const std::int64_t*>(args[4] + i * steps[4]);
        r = order < 0 || order > 12
                ? NAN
                : nonlin::ml::prabhakar_derivative(in(0), in(1), in(2), in(3), int(order));
      } else {
        r = nonlin::ml::prabhakar(in(0), in(1), in(2), in(3));
      }
      *reinterpret_cast<T*>(args[nin] + i * steps[nin]) = T(r);
    }
  };
  if (dims[0] >= 16) nonlin::parallel_for(dims[0], 8, body);
  else body(0, dims[0]);
  std::feclearexcept(FE_ALL_EXCEPT);
}

nb::object make_ufunc(bool with_order, const char* name, const char* doc) {
  static PyUFuncGenericFunction funcs[2] = {&loop<float>, &loop<double>};
  static int flag;  // any non-null pointer marks the derivative ufunc
  static void* plain[2] = {nullptr, nullptr};
  static void* ordered[2] = {&flag, &flag};
  static const char value_types[] = {NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT,
                                     NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE};
  static const char order_types[] = {NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_INT64, NPY_FLOAT,
                                     NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_INT64, NPY_DOUBLE};
  PyObject* f = PyUFunc_FromFuncAndData(funcs, with_order ? ordered : plain,
                                        with_order ? order_types : value_types, 2,
                                        with_order ? 5 : 4, 1, PyUFunc_None, name, doc, 0);
  if (!f) throw nb::python_error();
  return nb::steal(f);
}

}  // namespace

void register_prabhakar(nb::module_& m) {
  nb::dict ufuncs;
  ufuncs["prabhakar"] = make_ufunc(
      false, "prabhakar",
      "prabhakar(z, alpha, beta, gamma)\n\nE^gamma_{alpha,beta}(z) = sum_k (gamma)_k z^k / "
      "(k! Gamma(alpha k + beta))");
  ufuncs["prabhakar_derivative"] = make_ufunc(
      true, "prabhakar_derivative",
      "prabhakar_derivative(z, alpha, beta, gamma, order)\n\nd^order/dz^order "
      "E^gamma_{alpha,beta}(z) = (gamma)_order E^{gamma+order}_{alpha,beta+order alpha}(z)");
  m.attr("_prabhakar_ufuncs") = ufuncs;
}
