// nonlin._core bindings of the rational activations (python/nonlin/rational.py validates and
// lays out the arrays; these check sizes again and run the driver without the GIL).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <nanobind/stl/string.h>

#include <cfenv>
#include <cstdint>
#include <string>
#include <vector>

#include "contiguous_arrays.h"
#include "../cpu/rational.h"
#include "cuda_errors.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;
using namespace nonlin::rational;

namespace {

using nonlin::bindings::In;
using nonlin::bindings::Out;

Problem problem(const std::string& version, int m, int n, std::ptrdiff_t size, std::ptrdiff_t groups,
                std::ptrdiff_t run, bool training, std::uint64_t seed) {
  Problem p;
  static const char names[] = "ABCDN";
  const auto pos = version.size() == 1 ? std::string(names).find(version[0]) : std::string::npos;
  if (pos == std::string::npos)
    throw nb::value_error("version: must be one of 'A', 'B', 'C', 'D', 'N'");
  p.version = Version(pos);
  p.m = m;
  p.n = n;
  p.size = size;
  p.groups = groups;
  p.run = run;
  p.training = training;
  p.seed = seed;
  if (const char* err = check(p)) throw nb::value_error(err);
  return p;
}

void need(bool ok, const char* what) {
  if (!ok) throw nb::value_error(what);
}

template <class T>
void run_elementwise(int mode, const std::string& version, int m, int n, std::ptrdiff_t groups,
                     std::ptrdiff_t run, bool training, std::uint64_t seed, In<T> x, In<T> num,
                     In<T> den, Out<T> out) {
  const Problem p = problem(version, m, n, std::ptrdiff_t(x.size()), groups, run, training, seed);
  need(out.size() == x.size(), "out: size differs from x");
  need(std::ptrdiff_t(num.size()) == groups * (m + 1), "numerator: wrong size");
  need(std::ptrdiff_t(den.size()) == groups * den_count(p), "denominator: wrong size");
  {
    nb::gil_scoped_release unlocked;
    if (mode == 0) forward(p, x.data(), num.data(), den.data(), out.data());
    else derivative(p, x.data(), num.data(), den.data(), out.data());
    std::feclearexcept(FE_ALL_EXCEPT);
  }
}

template <class T>
void run_backward(const std::string& version, int m, int n, std::ptrdiff_t groups,
                  std::ptrdiff_t run, bool training, std::uint64_t seed, In<T> g, In<T> x,
                  In<T> num, In<T> den, Out<T> grad_x, Out<double> grad_num,
                  Out<double> grad_den) {
  const Problem p = problem(version, m, n, std::ptrdiff_t(x.size()), groups, run, training, seed);
  need(g.size() == x.size() && grad_x.size() == x.size(), "grad_out: size differs from x");
  need(std::ptrdiff_t(num.size()) == groups * (m + 1) && grad_num.size() == num.size(),
       "numerator: wrong size");
  need(std::ptrdiff_t(den.size()) == groups * den_count(p) && grad_den.size() == den.size(),
       "denominator: wrong size");
  {
    nb::gil_scoped_release unlocked;
    backward(p, g.data(), x.data(), num.data(), den.data(), grad_x.data(), grad_num.data(),
             grad_den.data());
    std::feclearexcept(FE_ALL_EXCEPT);
  }
}

template <class T>
void def_dtype(nb::module_& m) {
  m.def("_rational", &run_elementwise<T>, nb::arg("mode"), nb::arg("version"), nb::arg("m"),
        nb::arg("n"), nb::arg("groups"), nb::arg("run"), nb::arg("training"), nb::arg("seed"),
        nb::arg("x").noconvert(), nb::arg("num").noconvert(), nb::arg("den").noconvert(),
        nb::arg("out").noconvert());
  m.def("_rational_backward", &run_backward<T>, nb::arg("version"), nb::arg("m"), nb::arg("n"),
        nb::arg("groups"), nb::arg("run"), nb::arg("training"), nb::arg("seed"),
        nb::arg("g").noconvert(), nb::arg("x").noconvert(), nb::arg("num").noconvert(),
        nb::arg("den").noconvert(), nb::arg("grad_x").noconvert(),
        nb::arg("grad_num").noconvert(), nb::arg("grad_den").noconvert());
}

// CUDA tensors (nonlin.torch): x, g, out are device addresses of `size` elements of dtype 2
// (float32) or 3 (float64); the coefficient tables and the gradients are host arrays.
void run_cuda(int mode, const std::string& version, int m, int n, std::ptrdiff_t groups,
              std::ptrdiff_t run, bool training, std::uint64_t seed, int dtype, std::ptrdiff_t size,
              std::uintptr_t x, std::uintptr_t g, std::uintptr_t out, In<double> num, In<double> den,
              Out<double> grad_num, Out<double> grad_den, std::uintptr_t stream) {
  const Problem p = problem(version, m, n, size, groups, run, training, seed);
  need(mode >= 0 && mode <= 2, "mode: 0 forward, 1 derivative, 2 backward");
  need(dtype == 2 || dtype == 3, "dtype: 2 (float32) or 3 (float64)");
  need(std::ptrdiff_t(num.size()) == groups * (m + 1), "numerator: wrong size");
  need(std::ptrdiff_t(den.size()) == groups * den_count(p), "denominator: wrong size");
  need(mode != 2 || (grad_num.size() == num.size() && grad_den.size() == den.size()),
       "grad_num / grad_den: wrong size");
#if defined(NONLIN_WITH_CUDA)
  const char* err;
  {
    nb::gil_scoped_release unlocked;  // backward waits for the stream
    auto call = [&]<class T>(T) {
      const std::vector<T> a(num.data(), num.data() + num.size()), b(den.data(), den.data() + den.size());
      return nonlin::cuda::run_rational(
          p, nonlin::cuda::DType(dtype), Mode(mode), reinterpret_cast<const void*>(x),
          reinterpret_cast<const void*>(g), a.data(), b.data(), reinterpret_cast<void*>(out),
          grad_num.data(), grad_den.data(), reinterpret_cast<void*>(stream));
    };
    err = dtype == 2 ? call(0.0f) : call(0.0);
  }
  nonlin::bindings::check_cuda(err, "rational");
#else
  (void)x, (void)g, (void)out, (void)stream;
  nonlin::bindings::no_cuda_kernels();
#endif
}

}  // namespace

void bind_rational(nb::module_& m) {
  m.def("_cuda_rational", &run_cuda, nb::arg("mode"), nb::arg("version"), nb::arg("m"), nb::arg("n"),
        nb::arg("groups"), nb::arg("run"), nb::arg("training"), nb::arg("seed"), nb::arg("dtype"),
        nb::arg("size"), nb::arg("x"), nb::arg("g"), nb::arg("out"), nb::arg("num").noconvert(),
        nb::arg("den").noconvert(), nb::arg("grad_num").noconvert(), nb::arg("grad_den").noconvert(),
        nb::arg("stream"));
  def_dtype<float>(m);
  def_dtype<double>(m);
  m.def("_rational_noise", &noise_factor, nb::arg("seed"), nb::arg("index"),
        "Version D's multiplicative noise factor for one coefficient index.");
}
