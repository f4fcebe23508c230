// NumPy ufuncs for the Mittag-Leffler function E_{alpha,beta}(z) and its derivatives
// (cpp/include/nonlin/mittag_leffler/): real z through the strided loop of ml_loop.h (plan-
// cached SIMD kernel for one (alpha, beta), else element by element), complex128 z (value,
// derivatives in z, alpha, beta, order-th derivative) element by element (ml_loop.h
// ml_element). Calls with more than a few dozen elements are split over the pool.
#include <nanobind/nanobind.h>

#include "numpy_ufunc_api.h"

#include <cfenv>
#include <complex>
#include <cstdint>
#include <deque>
#include <string>

#include "../cpu/thread_pool.h"
#include "../cpu/ml_loop.h"

namespace nb = nanobind;

namespace {

using nonlin::ml::Fourth;
using nonlin::ml::MlKernel;
using nonlin::ml::Part;

template <class T>
void ml_loop(char** args, const npy_intp* dims, const npy_intp* steps, void* data) {
  const MlKernel& k = *static_cast<const MlKernel*>(data);
  std::ptrdiff_t st[5] = {};
  const int nargs = k.fourth == Fourth::none ? 4 : 5;  // NumPy passes one step per operand
  for (int j = 0; j < nargs; ++j) st[j] = std::ptrdiff_t(steps[j]);
  nonlin::ml::ml_run<T>(k, std::ptrdiff_t(dims[0]), args, st);
}

// complex128 z: the complex evaluator, element by element (the part, or the order-th
// derivative with an int64 fourth input)
void ml_complex_loop(char** args, const npy_intp* dims, const npy_intp* steps, void* data) {
  using C = std::complex<double>;
  const MlKernel& k = *static_cast<const MlKernel*>(data);
  const bool ordered = k.fourth == Fourth::order;
  const int out = ordered ? 4 : 3;
  auto body = [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
    for (std::ptrdiff_t i = begin; i < end; ++i) {
      const C z = *reinterpret_cast<const C*>(args[0] + i * steps[0]);
      const double a = *reinterpret_cast<const double*>(args[1] + i * steps[1]);
      const double b = *reinterpret_cast<const double*>(args[2] + i * steps[2]);
      const std::int64_t order = ordered ? *reinterpret_cast<const std::int64_t*>(args[3] + i * steps[3]) : 0;
      *reinterpret_cast<C*>(args[out] + i * steps[out]) = nonlin::ml::ml_element(k, z, a, b, order, 0.0);
    }
  };
  if (dims[0] >= 32) nonlin::parallel_for(dims[0], 8, body);
  else body(0, dims[0]);
  std::feclearexcept(FE_ALL_EXCEPT);
}

struct MlUfunc {
  MlKernel kernel;
  PyUFuncGenericFunction funcs[3] = {&ml_loop<float>, &ml_loop<double>, &ml_complex_loop};
  void* data[3];
  char types[15];
  std::string name, doc;
};

nb::object make_ml_ufunc(MlKernel kernel, const char* name, const char* doc) {
  static std::deque<MlUfunc> storage;  // lives as long as the process (ufuncs point into it)
  MlUfunc& u = storage.emplace_back();
  u.kernel = kernel;
  u.name = name;
  u.doc = doc;
  const int nin = kernel.fourth == Fourth::none ? 3 : 4;
  int t = 0;
  for (char code : {char(NPY_FLOAT), char(NPY_DOUBLE)}) {
    for (int j = 0; j < 3; ++j) u.types[t++] = code;
    if (kernel.fourth != Fourth::none) u.types[t++] = kernel.fourth == Fourth::order ? NPY_INT64 : code;
    u.types[t++] = code;
  }
  // complex128 z with real alpha, beta (and an int64 order): every part and order, not shifted
  const int ntypes = kernel.fourth == Fourth::shift ? 2 : 3;
  if (ntypes == 3) {
    for (char code : {char(NPY_CDOUBLE), char(NPY_DOUBLE), char(NPY_DOUBLE)}) u.types[t++] = code;
    if (kernel.fourth == Fourth::order) u.types[t++] = NPY_INT64;
    u.types[t++] = NPY_CDOUBLE;
  }
  u.data[0] = u.data[1] = u.data[2] = &u.kernel;
  PyObject* f = PyUFunc_FromFuncAndData(u.funcs, u.data, u.types, ntypes, nin, 1, PyUFunc_None,
                                        u.name.c_str(), u.doc.c_str(), 0);
  if (!f) throw nb::python_error();
  return nb::steal(f);
}

}  // namespace

void register_mittag_leffler(nb::module_& m) {
  struct Row { MlKernel k; const char* name; const char* doc; };
  const Row rows[] = {
      {{Part::value, Fourth::none}, "mittag_leffler",
       "mittag_leffler(z, alpha, beta)\n\nE_{alpha,beta}(z) = sum_k z^k / Gamma(alpha k + beta)"},
      {{Part::d_z, Fourth::none}, "mittag_leffler_dz",
       "mittag_leffler_dz(z, alpha, beta)\n\nd/dz E_{alpha,beta}(z)"},
      {{Part::d_alpha, Fourth::none}, "mittag_leffler_dalpha",
       "mittag_leffler_dalpha(z, alpha, beta)\n\nd/dalpha E_{alpha,beta}(z)"},
      {{Part::d_beta, Fourth::none}, "mittag_leffler_dbeta",
       "mittag_leffler_dbeta(z, alpha, beta)\n\nd/dbeta E_{alpha,beta}(z)"},
      {{Part::value, Fourth::order}, "mittag_leffler_derivative",
       "mittag_leffler_derivative(z, alpha, beta, order)\n\nd^order/dz^order E_{alpha,beta}(z)"},
      {{Part::value, Fourth::shift}, "mittag_leffler_shifted",
       "mittag_leffler_shifted(z, alpha, beta, shift)\n\nE_{alpha,beta}(z) exp(-shift), combined "
       "before overflow"},
      {{Part::d_z, Fourth::shift}, "mittag_leffler_dz_shifted", "d/dz E_{alpha,beta}(z) exp(-shift)"},
      {{Part::d_alpha, Fourth::shift}, "mittag_leffler_dalpha_shifted",
       "d/dalpha E_{alpha,beta}(z) exp(-shift)"},
      {{Part::d_beta, Fourth::shift}, "mittag_leffler_dbeta_shifted",
       "d/dbeta E_{alpha,beta}(z) exp(-shift)"},
  };
  nb::dict ufuncs;
  for (const Row& r : rows) ufuncs[r.name] = make_ml_ufunc(r.k, r.name, r.doc);
  m.attr("_mittag_leffler_ufuncs") = ufuncs;
}
