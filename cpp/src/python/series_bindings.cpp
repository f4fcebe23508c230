// nonlin._core bindings of the coefficient-vector activations (python/nonlin/series.py
// validates and lays out the arrays; these check sizes again and run the driver without the
// GIL).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cfenv>
#include <cstdint>
#include <string>

#include "contiguous_arrays.h"
#include "../cpu/series.h"
#include "cuda_errors.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;
using namespace nonlin::series;

namespace {

using nonlin::bindings::In;
using nonlin::bindings::Out;

Problem problem(int family, int degree, std::size_t size, std::size_t nparams) {
  Problem p;
  p.family = Family(family);
  p.degree = degree;
  p.size = std::ptrdiff_t(size);
  if (const char* err = check(p)) throw nb::value_error(err);
  if (std::ptrdiff_t(nparams) != param_count(p.family, degree))
    throw nb::value_error("params: wrong number of parameters for this family and degree");
  return p;
}

template <class T>
void run_elementwise(int mode, int family, int degree, In<T> x, In<T> params, Out<T> out) {
  const Problem p = problem(family, degree, x.size(), params.size());
  if (out.size() != x.size()) throw nb::value_error("out: size differs from x");
  nb::gil_scoped_release unlocked;
  if (mode == 0) forward(p, x.data(), params.data(), out.data());
  else derivative(p, x.data(), params.data(), out.data());
  std::feclearexcept(FE_ALL_EXCEPT);
}

template <class T>
void run_backward(int family, int degree, In<T> g, In<T> x, In<T> params, Out<T> grad_x,
                  Out<double> grad_params) {
  const Problem p = problem(family, degree, x.size(), params.size());
  if (g.size() != x.size() || grad_x.size() != x.size())
    throw nb::value_error("grad_out: size differs from x");
  if (grad_params.size() != params.size()) throw nb::value_error("grad_params: wrong size");
  nb::gil_scoped_release unlocked;
  backward(p, g.data(), x.data(), params.data(), grad_x.data(), grad_params.data());
  std::feclearexcept(FE_ALL_EXCEPT);
}

template <class T>
void def_dtype(nb::module_& m) {
  m.def("_series", &run_elementwise<T>, nb::arg("mode"), nb::arg("family"), nb::arg("degree"),
        nb::arg("x").noconvert(), nb::arg("params").noconvert(), nb::arg("out").noconvert());
  m.def("_series_backward", &run_backward<T>, nb::arg("family"), nb::arg("degree"),
        nb::arg("g").noconvert(), nb::arg("x").noconvert(), nb::arg("params").noconvert(),
        nb::arg("grad_x").noconvert(), nb::arg("grad_params").noconvert());
}

// CUDA tensors (nonlin.torch): x, g, out are device addresses of `size` elements of dtype 2
// (float32) or 3 (float64); the parameters and their gradients are host arrays.
void run_cuda(int mode, int family, int degree, int dtype, std::size_t size, std::uintptr_t x,
              std::uintptr_t g, std::uintptr_t out, In<double> params, Out<double> grad_params,
              std::uintptr_t stream) {
  const Problem p = problem(family, degree, size, params.size());
  if (mode < 0 || mode > 2) throw nb::value_error("mode: 0 forward, 1 derivative, 2 backward");
  if (dtype != 2 && dtype != 3) throw nb::value_error("dtype: 2 (float32) or 3 (float64)");
  if (mode == 2 && grad_params.size() != params.size()) throw nb::value_error("grad_params: wrong size");
#if defined(NONLIN_WITH_CUDA)
  const char* err;
  {
    nb::gil_scoped_release unlocked;  // backward waits for the stream
    err = nonlin::cuda::run_series(p, nonlin::cuda::DType(dtype), Mode(mode), reinterpret_cast<const void*>(x),
                                   reinterpret_cast<const void*>(g), params.data(),
                                   reinterpret_cast<void*>(out), grad_params.data(),
                                   reinterpret_cast<void*>(stream));
  }
  nonlin::bindings::check_cuda(err, "series");
#else
  (void)x, (void)g, (void)out, (void)stream;
  nonlin::bindings::no_cuda_kernels();
#endif
}

}  // namespace

void bind_series(nb::module_& m) {
  def_dtype<float>(m);
  def_dtype<double>(m);
  m.def("_cuda_series", &run_cuda, nb::arg("mode"), nb::arg("family"), nb::arg("degree"), nb::arg("dtype"),
        nb::arg("size"), nb::arg("x"), nb::arg("g"), nb::arg("out"), nb::arg("params").noconvert(),
        nb::arg("grad_params").noconvert(), nb::arg("stream"));
}
