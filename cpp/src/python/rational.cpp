// nonlin._core bindings of the rational activations (python/nonlin/rational.py validates and
// lays out the arrays; these check sizes again and run the driver without the GIL).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <nanobind/stl/string.h>

#include <cfenv>
#include <string>

#include "contiguous_arrays.h"
#include "../cpu/rational.h"

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

}  // namespace

void bind_rational(nb::module_& m) {
  def_dtype<float>(m);
  def_dtype<double>(m);
  m.def("_rational_noise", &noise_factor, nb::arg("seed"), nb::arg("index"),
        "Version D's multiplicative noise factor for one coefficient index.");
}
