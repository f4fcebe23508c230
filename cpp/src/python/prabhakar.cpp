// NumPy ufuncs for the three-parameter (Prabhakar) Mittag-Leffler function E^gamma_{alpha,beta}(z)
// and its derivatives (cpp/include/nonlin/mittag_leffler/prabhakar_complex.h) for float32,
// float64 (float32 computed in float64) and complex128 z, real alpha, beta, gamma, element by
// element over the thread pool.
#include <nanobind/nanobind.h>

#include "numpy_ufunc_api.h"

#include <cfenv>
#include <complex>
#include <cstdint>
#include <deque>
#include <string>
#include <type_traits>

#include "../cpu/thread_pool.h"
#include "nonlin/mittag_leffler/prabhakar_complex.h"

namespace nb = nanobind;

namespace {

using nonlin::ml::PPart;

// What one ufunc computes from (z, alpha, beta, gamma[, order (int64)]).
struct Kernel {
  PPart part;
  bool with_order;  // d^order/dz^order of the value
};

// T: the array type of z and of the result; the parameters are of z's real type
template <class T>
void loop(char** args, const npy_intp* dims, const npy_intp* steps, void* data) {
  using Z = std::conditional_t<std::is_same_v<T, std::complex<double>>, std::complex<double>, double>;
  using R = std::conditional_t<std::is_same_v<T, float>, float, double>;
  const Kernel& k = *static_cast<const Kernel*>(data);
  const int nin = k.with_order ? 5 : 4;
  auto body = [&](std::ptrdiff_t begin, std::ptrdiff_t end) {
    for (std::ptrdiff_t i = begin; i < end; ++i) {
      const Z z(*reinterpret_cast<const T*>(args[0] + i * steps[0]));
      auto in = [&](int j) { return double(*reinterpret_cast<const R*>(args[j] + i * steps[j])); };
      Z r;
      if (k.with_order) {
        const auto order = *reinterpret_cast<const std::int64_t*>(args[4] + i * steps[4]);
        r = order < 0 || order > 12 ? Z(NAN)
                                    : nonlin::ml::prabhakar_derivative(z, in(1), in(2), in(3), int(order));
      } else {
        r = nonlin::ml::prabhakar_part(z, in(1), in(2), in(3), k.part);
      }
      *reinterpret_cast<T*>(args[nin] + i * steps[nin]) = T(r);
    }
  };
  if (dims[0] >= 16) nonlin::parallel_for(dims[0], 8, body);
  else body(0, dims[0]);
  std::feclearexcept(FE_ALL_EXCEPT);
}

struct Ufunc {
  Kernel kernel;
  void* data[3];
  std::string name, doc;
};

nb::object make_ufunc(Kernel kernel, const char* name, const char* doc) {
  static PyUFuncGenericFunction funcs[3] = {&loop<float>, &loop<double>, &loop<std::complex<double>>};
  static const char value_types[] = {NPY_FLOAT,   NPY_FLOAT,  NPY_FLOAT,  NPY_FLOAT,  NPY_FLOAT,
                                     NPY_DOUBLE,  NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE,
                                     NPY_CDOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_CDOUBLE};
  static const char order_types[] = {NPY_FLOAT,   NPY_FLOAT,  NPY_FLOAT,  NPY_FLOAT,  NPY_INT64, NPY_FLOAT,
                                     NPY_DOUBLE,  NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_INT64, NPY_DOUBLE,
                                     NPY_CDOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_INT64, NPY_CDOUBLE};
  static std::deque<Ufunc> storage;  // lives as long as the process (ufuncs point into it)
  Ufunc& u = storage.emplace_back();
  u.kernel = kernel;
  u.data[0] = u.data[1] = u.data[2] = &u.kernel;
  u.name = name;
  u.doc = doc;
  PyObject* f = PyUFunc_FromFuncAndData(funcs, u.data, kernel.with_order ? order_types : value_types,
                                        3, kernel.with_order ? 5 : 4, 1, PyUFunc_None,
                                        u.name.c_str(), u.doc.c_str(), 0);
  if (!f) throw nb::python_error();
  return nb::steal(f);
}

}  // namespace

void register_prabhakar(nb::module_& m) {
  struct Row { Kernel k; const char* name; const char* doc; };
  const Row rows[] = {
      {{PPart::value, false}, "prabhakar",
       "prabhakar(z, alpha, beta, gamma)\n\nE^gamma_{alpha,beta}(z) = sum_k (gamma)_k z^k / "
       "(k! Gamma(alpha k + beta))"},
      {{PPart::d_alpha, false}, "prabhakar_dalpha",
       "prabhakar_dalpha(z, alpha, beta, gamma)\n\nd/dalpha E^gamma_{alpha,beta}(z)"},
      {{PPart::d_beta, false}, "prabhakar_dbeta",
       "prabhakar_dbeta(z, alpha, beta, gamma)\n\nd/dbeta E^gamma_{alpha,beta}(z)"},
      {{PPart::d_gamma, false}, "prabhakar_dgamma",
       "prabhakar_dgamma(z, alpha, beta, gamma)\n\nd/dgamma E^gamma_{alpha,beta}(z)"},
      {{PPart::value, true}, "prabhakar_derivative",
       "prabhakar_derivative(z, alpha, beta, gamma, order)\n\nd^order/dz^order "
       "E^gamma_{alpha,beta}(z) = (gamma)_order E^{gamma+order}_{alpha,beta+order alpha}(z)"},
  };
  nb::dict ufuncs;
  for (const Row& r : rows) ufuncs[r.name] = make_ufunc(r.k, r.name, r.doc);
  m.attr("_prabhakar_ufuncs") = ufuncs;
}
