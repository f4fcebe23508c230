// XLA FFI target of nonlin.jax's Mittag-Leffler gated activations with scalar parameters, on
// the fused kernel (nonlin/mittag_leffler/gated.h):
//   nonlin_ml_gated(x, params) -> y,   params = [alpha1, beta1, alpha2, beta2] in x's dtype
// attributes: mode (0: act, 1: d act / dx, 4: the four d act / d param, y of shape (4, *x)),
// gamma, inner, f, g (the preset's form, gated.h codes), c, and need (mode 4: bit k = parameter
// k wanted; the others' rows are 0). The CUDA platform's target (builds with CUDA kernels) takes
// the parameters through the host and runs cuda/ml_gated.cu.
#include <nanobind/nanobind.h>

#include <cfenv>
#include <cstdint>
#include <string>

#include <vector>

#include "ieee_mode.h"
#include "nonlin/mittag_leffler/gated.h"
#include "xla/ffi/api/ffi.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace nonlin::ml {
namespace {

// the buffers and the mode, for either platform
ffi::Error check(int64_t mode, const ffi::AnyBuffer& x, const ffi::AnyBuffer& params, const ffi::AnyBuffer& y) {
  const auto dt = x.element_type();
  if (dt != ffi::DataType::F32 && dt != ffi::DataType::F64)
    return ffi::Error::InvalidArgument("nonlin_ml_gated: float32 or float64 only");
  if (params.element_type() != dt || params.element_count() != 4)
    return ffi::Error::InvalidArgument("nonlin_ml_gated: params must be 4 values of x's dtype");
  if (mode != 0 && mode != 1 && mode != 4)
    return ffi::Error::InvalidArgument("nonlin_ml_gated: mode must be 0, 1 or 4");
  const std::size_t n = x.element_count();
  if (y.element_count() != (mode == 4 ? 4 * n : n) || y.element_type() != dt)
    return ffi::Error::InvalidArgument("nonlin_ml_gated: wrong result shape");
  return ffi::Error::Success();
}

ffi::Error call(int64_t mode, int64_t gamma, int64_t inner, int64_t f, int64_t g, double c,
                int64_t need, ffi::AnyBuffer x, ffi::AnyBuffer params, ffi::Result<ffi::AnyBuffer> y) {
  if (auto e = check(mode, x, params, *y); e.failure()) return e;
  const auto dt = x.element_type();
  const std::size_t n = x.element_count();
  const GatedForm form{int(gamma), GateInner(inner), GateMap(f), GateMap(g), c};
  auto run = [&]<class T>(T*) -> ffi::Error {
    const T* p = static_cast<const T*>(params.untyped_data());
    const GatedParams gp{double(p[0]), double(p[1]), double(p[2]), double(p[3])};
    if (const char* err = gated_check(form, gp))
      return ffi::Error::InvalidArgument(std::string("nonlin_ml_gated: ") + err);
    gated_run<T>(form, gp, GatedMode(mode), std::ptrdiff_t(n), static_cast<const T*>(x.untyped_data()),
                 nullptr, static_cast<T*>(y->untyped_data()), nullptr, unsigned(need & 0xF));
    return ffi::Error::Success();
  };
  const ffi::Error e = dt == ffi::DataType::F32 ? run(static_cast<float*>(nullptr)) : run(static_cast<double*>(nullptr));
  std::feclearexcept(FE_ALL_EXCEPT);
  return e;
}

#if defined(NONLIN_WITH_CUDA)
ffi::Error call_cuda(void* stream, int64_t mode, int64_t gamma, int64_t inner, int64_t f, int64_t g, double c,
                     int64_t need, ffi::AnyBuffer x, ffi::AnyBuffer params, ffi::Result<ffi::AnyBuffer> y) {
  if (auto e = check(mode, x, params, *y); e.failure()) return e;
  const auto dt = x.element_type() == ffi::DataType::F32 ? nonlin::cuda::DType::f32 : nonlin::cuda::DType::f64;
  std::vector<double> p;  // copied out on XLA's stream (which that synchronises)
  if (const char* err = nonlin::cuda::device_values(params.untyped_data(), dt, 4, p, stream))
    return ffi::Error::Internal(std::string("nonlin_ml_gated: ") + err);
  const GatedForm form{int(gamma), GateInner(inner), GateMap(f), GateMap(g), c};
  const GatedParams gp{p[0], p[1], p[2], p[3]};
  if (const char* err = gated_check(form, gp))
    return ffi::Error::InvalidArgument(std::string("nonlin_ml_gated: ") + err);
  const char* err = nonlin::cuda::run_ml_gated(form, gp, GatedMode(mode), unsigned(need & 0xF), dt,
                                               std::ptrdiff_t(x.element_count()), x.untyped_data(), nullptr,
                                               y->untyped_data(), nullptr, stream);
  return err ? ffi::Error::Internal(std::string("nonlin_ml_gated: ") + err) : ffi::Error::Success();
}
#endif

}  // namespace
}  // namespace nonlin::ml

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_ml_gated, nonlin::InIeeeMode<&nonlin::ml::call>::run,
                              ffi::Ffi::Bind()
                                  .Attr<int64_t>("mode").Attr<int64_t>("gamma").Attr<int64_t>("inner")
                                  .Attr<int64_t>("f").Attr<int64_t>("g").Attr<double>("c")
                                  .Attr<int64_t>("need")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());

#if defined(NONLIN_WITH_CUDA)
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_ml_gated_cuda, nonlin::ml::call_cuda,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::PlatformStream<void*>>()
                                  .Attr<int64_t>("mode").Attr<int64_t>("gamma").Attr<int64_t>("inner")
                                  .Attr<int64_t>("f").Attr<int64_t>("g").Attr<double>("c")
                                  .Attr<int64_t>("need")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
#endif

void jax_ffi_ml_gated_targets(nb::dict& d) {
  d["nonlin_ml_gated"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_ml_gated));
}

// the same target name for the CUDA platform (nothing without CUDA kernels in the build)
void jax_ffi_ml_gated_cuda_targets(nb::dict& d) {
#if defined(NONLIN_WITH_CUDA)
  d["nonlin_ml_gated"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_ml_gated_cuda));
#else
  (void)d;
#endif
}
