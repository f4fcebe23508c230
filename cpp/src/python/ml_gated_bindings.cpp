// nonlin._core bindings of the fused Mittag-Leffler gated activations (gated.h):
// _ml_gated(mode, gamma, inner, f, g, c, alpha1, beta1, alpha2, beta2, x, grad, out, sums) and
// _cuda_ml_gated(..., need, dtype, size, x, grad, out, stream) -> sums on device addresses.
// python/nonlin/ml_activations.py lays out the arrays (contiguous, one dtype); the kernels run
// without the GIL.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/vector.h>

#include <cfenv>

#include <cstdint>
#include <vector>

#include "../cuda/device.h"
#include "contiguous_arrays.h"
#include "cuda_errors.h"
#include "nonlin/mittag_leffler/gated.h"

namespace nb = nanobind;
using namespace nonlin::ml;

namespace {

using nonlin::bindings::In;
using nonlin::bindings::Out;

// the checked mode
GatedMode mode_of(int mode, const GatedForm& form, const GatedParams& p) {
  if (mode < 0 || mode > 4)
    throw nb::value_error("mode: 0 value, 1 derivative, 2 backward, 3 params, 4 param parts");
  if (const char* err = gated_check(form, p)) throw nb::value_error(err);
  return GatedMode(mode);
}

template <class T>
void run(int mode, int gamma, int inner, int f, int g, double c, double alpha1, double beta1,
         double alpha2, double beta2, In<T> x, In<T> grad, Out<T> out, Out<double> sums) {
  const GatedForm form{gamma, GateInner(inner), GateMap(f), GateMap(g), c};
  const GatedParams p{alpha1, beta1, alpha2, beta2};
  const GatedMode m = mode_of(mode, form, p);
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

// CUDA tensors (nonlin.torch): x, grad, out are device addresses of `size` elements (4 size for
// param parts) of dtype 2 (float32) or 3 (float64); need: the parameters asked (bit k). Returns
// the four parameter-gradient sums (mode 3; zeros otherwise).
std::vector<double> run_cuda(int mode, int gamma, int inner, int f, int g, double c, double alpha1, double beta1,
                             double alpha2, double beta2, unsigned need, int dtype, std::size_t size,
                             std::uintptr_t x, std::uintptr_t grad, std::uintptr_t out, std::uintptr_t stream) {
  const GatedForm form{gamma, GateInner(inner), GateMap(f), GateMap(g), c};
  const GatedParams p{alpha1, beta1, alpha2, beta2};
  const GatedMode m = mode_of(mode, form, p);
  if (dtype != 2 && dtype != 3) throw nb::value_error("dtype: 2 (float32) or 3 (float64)");
  std::vector<double> sums(4, 0.0);
#if defined(NONLIN_WITH_CUDA)
  const char* err;
  {
    nb::gil_scoped_release unlocked;  // waits for the stream
    err = nonlin::cuda::run_ml_gated(form, p, m, need, nonlin::cuda::DType(dtype), std::ptrdiff_t(size),
                                     reinterpret_cast<const void*>(x), reinterpret_cast<const void*>(grad),
                                     reinterpret_cast<void*>(out), sums.data(), reinterpret_cast<void*>(stream));
  }
  nonlin::bindings::check_cuda(err, "ml_gated");
#else
  (void)m, (void)need, (void)size, (void)x, (void)grad, (void)out, (void)stream;
  nonlin::bindings::no_cuda_kernels();
#endif
  return sums;
}

}  // namespace

void bind_ml_gated(nb::module_& m) {
  def_dtype<float>(m);
  def_dtype<double>(m);
  m.def("_cuda_ml_gated", &run_cuda, nb::arg("mode"), nb::arg("gamma"), nb::arg("inner"), nb::arg("f"),
        nb::arg("g"), nb::arg("c"), nb::arg("alpha1"), nb::arg("beta1"), nb::arg("alpha2"), nb::arg("beta2"),
        nb::arg("need"), nb::arg("dtype"), nb::arg("size"), nb::arg("x"), nb::arg("grad"), nb::arg("out"),
        nb::arg("stream"));
}
