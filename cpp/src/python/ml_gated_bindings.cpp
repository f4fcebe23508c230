// nonlin._core binding of the fused Mittag-Leffler gated activations (gated.h):
// _ml_gated(mode, gamma, inner, f, g, c, alpha1, beta1, alpha2, beta2, x, grad, out, sums).
// python/nonlin/ml_activations.py lays out the arrays (contiguous, one dtype); the kernel runs
// without the GIL.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cfenv>

#include "contiguous_arrays.h"
#include "nonlin/mittag_leffler/gated.h"

namespace nb = nanobind;
using namespace nonlin::ml;

namespace {

using nonlin::bindings::In;
using nonlin::bindings::Out;

template <class T>
void run(int mode, int gamma, int inner, int f, int g, double c, double alpha1, double beta1,
         double alpha2, double beta2, In<T> x, In<T> grad, Out<T> out, Out<double> sums) {
  const GatedForm form{gamma, GateInner(inner), GateMap(f), GateMap(g), c};
  const GatedParams p{alpha1, beta1, alpha2, beta2};
  if (mode < 0 || mode > 4)
    throw nb::value_error("mode: 0 value, 1 derivative, 2 backward, 3 params, 4 param parts");
  if (const char* err = gated_check(form, p)) throw nb::value_error(err);
  const auto m = GatedMode(mode);
  const bool needs_grad = m == GatedMode::backward || m == GatedMode::params;
  if (needs_grad && grad.size() != x.size()) throw nb::value_error("grad: size differs from x");
  const std::size_t out_size = m == GatedMode::param_parts ? 4 * x.size() : x.size();
  if (m != GatedMode::params && out.size() != out_size) throw nb::value_error("out: wrong size");
  if (m == GatedMode::params && sums.size() != 4) throw nb::value_error("sums: needs 4 entries");
  nb::gil_scoped_release unlocked;
  gated_run<T>(form, p, m, std::ptrdiff_t(x.size()), x.data(), needs_grad ? grad.data() : nullptr,
               out.data(), sums.data());
  std::feclearexcept(FE_ALL_EXCEPT);
}

template <class T>
void def_dtype(nb::module_& m) {
  m.def("_ml_gated", &run<T>, nb::arg("mode"), nb::arg("gamma"), nb::arg("inner"), nb::arg("f"),
        nb::arg("g"), nb::arg("c"), nb::arg("alpha1"), nb::arg("beta1"), nb::arg("alpha2"),
        nb::arg("beta2"), nb::arg("x").noconvert(), nb::arg("grad").noconvert(),
        nb::arg("out").noconvert(), nb::arg("sums").noconvert());
}

}  // namespace

void bind_ml_gated(nb::module_& m) {
  def_dtype<float>(m);
  def_dtype<double>(m);
}
