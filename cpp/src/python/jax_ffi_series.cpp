// XLA FFI custom-call targets for the coefficient-vector activations (nonlin.jax): XLA's
// buffers are dense row-major, so x, grad_out and the flat parameter array go straight to the
// series driver (CPU) or the CUDA kernels (CUDA platform, builds with CUDA kernels). Attributes: family, degree, mode (0 forward, 1 derivative).
//   nonlin_series(x, params) -> y
//   nonlin_series_vjp(g, x, params) -> (grad_x, grad_params)   (grad_params in x's dtype)
#include <nanobind/nanobind.h>

#include <string>
#include <vector>

#include "ieee_mode.h"
#include "../cpu/series.h"
#include "xla/ffi/api/ffi.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace nonlin::series {
namespace {

ffi::Error problem(int64_t family, int64_t degree, const ffi::AnyBuffer& x,
                   const ffi::AnyBuffer& params, Problem& p) {
  p.family = Family(family);
  p.degree = int(degree);
  p.size = std::ptrdiff_t(x.element_count());
  if (const char* err = check(p)) return ffi::Error::InvalidArgument(std::string("nonlin: ") + err);
  if (std::ptrdiff_t(params.element_count()) != param_count(p.family, p.degree))
    return ffi::Error::InvalidArgument("nonlin: wrong number of parameters for this family");
  const auto dt = x.element_type();
  if (dt != ffi::DataType::F32 && dt != ffi::DataType::F64)
    return ffi::Error::InvalidArgument("nonlin: series activations take float32 or float64");
  if (params.element_type() != dt) return ffi::Error::InvalidArgument("nonlin: params dtype differs from x");
  return ffi::Error::Success();
}

template <class T>
T* data(const ffi::AnyBuffer& b) { return static_cast<T*>(b.untyped_data()); }

ffi::Error call(int64_t family, int64_t degree, int64_t mode, ffi::AnyBuffer x,
                ffi::AnyBuffer params, ffi::Result<ffi::AnyBuffer> y) {
  Problem p;
  if (auto e = problem(family, degree, x, params, p); e.failure()) return e;
  auto run = [&]<class T>(T*) {
    if (mode == 0) forward(p, data<T>(x), data<T>(params), data<T>(*y));
    else derivative(p, data<T>(x), data<T>(params), data<T>(*y));
  };
  if (x.element_type() == ffi::DataType::F32) run(static_cast<float*>(nullptr));
  else run(static_cast<double*>(nullptr));
  return ffi::Error::Success();
}

ffi::Error call_vjp(int64_t family, int64_t degree, ffi::AnyBuffer g, ffi::AnyBuffer x,
                    ffi::AnyBuffer params, ffi::Result<ffi::AnyBuffer> gx,
                    ffi::Result<ffi::AnyBuffer> gp) {
  Problem p;
  if (auto e = problem(family, degree, x, params, p); e.failure()) return e;
  std::vector<double> sums(params.element_count());
  auto run = [&]<class T>(T*) {
    backward(p, data<T>(g), data<T>(x), data<T>(params), data<T>(*gx), sums.data());
    for (std::size_t q = 0; q < sums.size(); ++q) data<T>(*gp)[q] = T(sums[q]);
  };
  if (x.element_type() == ffi::DataType::F32) run(static_cast<float*>(nullptr));
  else run(static_cast<double*>(nullptr));
  return ffi::Error::Success();
}

#if defined(NONLIN_WITH_CUDA)
// The CUDA platform's targets: the same contract on device buffers; the parameters go through
// the host (copied out on XLA's stream, which that synchronises), as for nonlin.torch.
ffi::Error on_device(void* stream, int64_t family, int64_t degree, Mode mode, const ffi::AnyBuffer& x,
                     const ffi::AnyBuffer& params, const void* g, void* out, void* gp) {
  Problem p;
  if (auto e = problem(family, degree, x, params, p); e.failure()) return e;
  const auto dt = x.element_type() == ffi::DataType::F32 ? nonlin::cuda::DType::f32 : nonlin::cuda::DType::f64;
  std::vector<double> p64, grads(params.element_count());
  const char* err = nonlin::cuda::device_values(params.untyped_data(), dt, params.element_count(), p64, stream);
  if (!err) err = nonlin::cuda::run_series(p, dt, mode, x.untyped_data(), g, p64.data(), out, grads.data(), stream);
  if (!err && mode == Mode::backward) err = nonlin::cuda::to_device_values(grads, dt, gp, stream);
  return err ? ffi::Error::Internal(std::string("nonlin: series: ") + err) : ffi::Error::Success();
}

ffi::Error call_cuda(void* stream, int64_t family, int64_t degree, int64_t mode, ffi::AnyBuffer x,
                     ffi::AnyBuffer params, ffi::Result<ffi::AnyBuffer> y) {
  return on_device(stream, family, degree, mode == 0 ? Mode::forward : Mode::derivative, x, params, nullptr,
                   y->untyped_data(), nullptr);
}

ffi::Error call_vjp_cuda(void* stream, int64_t family, int64_t degree, ffi::AnyBuffer g, ffi::AnyBuffer x,
                         ffi::AnyBuffer params, ffi::Result<ffi::AnyBuffer> gx, ffi::Result<ffi::AnyBuffer> gp) {
  return on_device(stream, family, degree, Mode::backward, x, params, g.untyped_data(), gx->untyped_data(),
                   gp->untyped_data());
}
#endif

}  // namespace
}  // namespace nonlin::series

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_series, nonlin::InIeeeMode<&nonlin::series::call>::run,
                              ffi::Ffi::Bind()
                                  .Attr<int64_t>("family").Attr<int64_t>("degree").Attr<int64_t>("mode")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_series_vjp, nonlin::InIeeeMode<&nonlin::series::call_vjp>::run,
                              ffi::Ffi::Bind()
                                  .Attr<int64_t>("family").Attr<int64_t>("degree")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());

#if defined(NONLIN_WITH_CUDA)
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_series_cuda, nonlin::series::call_cuda,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::PlatformStream<void*>>()
                                  .Attr<int64_t>("family").Attr<int64_t>("degree").Attr<int64_t>("mode")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_series_vjp_cuda, nonlin::series::call_vjp_cuda,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::PlatformStream<void*>>()
                                  .Attr<int64_t>("family").Attr<int64_t>("degree")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
#endif

// the same target names for the CUDA platform (nothing without CUDA kernels in the build)
void jax_ffi_series_cuda_targets(nb::dict& d) {
#if defined(NONLIN_WITH_CUDA)
  d["nonlin_series"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_series_cuda));
  d["nonlin_series_vjp"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_series_vjp_cuda));
#else
  (void)d;
#endif
}

void jax_ffi_series_targets(nb::dict& d) {
  d["nonlin_series"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_series));
  d["nonlin_series_vjp"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_series_vjp));
}
