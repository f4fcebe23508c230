// XLA FFI custom-call targets for the normalising activations (nonlin.jax; CPU, and CUDA in
// builds with CUDA kernels): x arrives as
// dense rows (the axis moved last by XLA), the parameters as one flat array in registry order
// (any float dtype; the kernels take them in double). Attribute: op.
//   nonlin_norm(x[rows, n], params) -> y
//   nonlin_norm_vjp(g, x, params) -> (grad_x, grads of the learnable slots, summed over rows
//                                     in a fixed order, in x's dtype)
#include <nanobind/nanobind.h>

#include <string>
#include <vector>

#include "ieee_mode.h"
#include "nonlin/normalizing/kernels.h"
#include "xla/ffi/api/ffi.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace nonlin::normalizing {
namespace {

template <class T>
T* data(const ffi::AnyBuffer& b) { return static_cast<T*>(b.untyped_data()); }

// The parameters as doubles; rows and n from x's shape (rank >= 1: rows = the leading dims).
ffi::Error operands(int64_t op, const ffi::AnyBuffer& x, const ffi::AnyBuffer& params,
                    std::vector<double>& p, std::ptrdiff_t& rows, std::ptrdiff_t& n) {
  if (op < 0 || op >= kOps) return ffi::Error::InvalidArgument("nonlin: unknown normalising op");
  const auto dims = x.dimensions();
  if (dims.size() < 1) return ffi::Error::InvalidArgument("nonlin: x needs an axis");
  n = std::ptrdiff_t(dims.back());
  rows = n ? std::ptrdiff_t(x.element_count()) / n : 0;
  p.resize(params.element_count());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (params.element_type() == ffi::DataType::F32) p[i] = data<float>(params)[i];
    else if (params.element_type() == ffi::DataType::F64) p[i] = data<double>(params)[i];
    else return ffi::Error::InvalidArgument("nonlin: parameters must be float32 or float64");
  }
  const auto dt = x.element_type();
  if (dt != ffi::DataType::F32 && dt != ffi::DataType::F64)
    return ffi::Error::InvalidArgument("nonlin: normalising activations take float32 or float64");
  return ffi::Error::Success();
}

ffi::Error call(int64_t op, ffi::AnyBuffer x, ffi::AnyBuffer params, ffi::Result<ffi::AnyBuffer> y) {
  std::vector<double> p;
  std::ptrdiff_t rows, n;
  if (auto e = operands(op, x, params, p, rows, n); e.failure()) return e;
  const Params pr{p.data(), int(p.size())};
  if (x.element_type() == ffi::DataType::F32) forward<float>(Op(op), rows, n, data<float>(x), data<float>(*y), pr);
  else forward<double>(Op(op), rows, n, data<double>(x), data<double>(*y), pr);
  return ffi::Error::Success();
}

ffi::Error call_vjp(int64_t op, ffi::AnyBuffer g, ffi::AnyBuffer x, ffi::AnyBuffer params,
                    ffi::Result<ffi::AnyBuffer> gx, ffi::Result<ffi::AnyBuffer> gp) {
  std::vector<double> p;
  std::ptrdiff_t rows, n;
  if (auto e = operands(op, x, params, p, rows, n); e.failure()) return e;
  const Params pr{p.data(), int(p.size())};
  const int k = param_grad_count(Op(op), pr);
  if (std::ptrdiff_t(gp->element_count()) != k)
    return ffi::Error::InvalidArgument("nonlin: wrong number of parameter-gradient slots");
  std::vector<double> per_row(std::size_t(rows) * std::size_t(k)), sums(std::size_t(k), 0.0);
  auto go = [&]<class T>(T*) {
    backward<T>(Op(op), rows, n, data<T>(g), data<T>(x), data<T>(*gx), per_row.data(), pr);
    for (std::ptrdiff_t r = 0; r < rows; ++r)
      for (int q = 0; q < k; ++q) sums[q] += per_row[std::size_t(r) * k + q];
    for (int q = 0; q < k; ++q) data<T>(*gp)[q] = T(sums[q]);
  };
  if (x.element_type() == ffi::DataType::F32) go(static_cast<float*>(nullptr));
  else go(static_cast<double*>(nullptr));
  return ffi::Error::Success();
}

#if defined(NONLIN_WITH_CUDA)
// The CUDA platform's targets: the same contract on device buffers; the parameters go through
// the host (copied out on XLA's stream, which that synchronises), as for nonlin.torch.
ffi::Error on_device(void* stream, int64_t op, const ffi::AnyBuffer& x, const ffi::AnyBuffer& params,
                     const void* g, void* out, void* gp, std::ptrdiff_t gp_count) {
  const auto dims = x.dimensions();
  if (op < 0 || op >= kOps) return ffi::Error::InvalidArgument("nonlin: unknown normalising op");
  if (dims.size() < 1) return ffi::Error::InvalidArgument("nonlin: x needs an axis");
  const auto dt = x.element_type(), pt = params.element_type();
  if ((dt != ffi::DataType::F32 && dt != ffi::DataType::F64) || (pt != ffi::DataType::F32 && pt != ffi::DataType::F64))
    return ffi::Error::InvalidArgument("nonlin: normalising activations take float32 or float64");
  const auto code = [](ffi::DataType t) { return t == ffi::DataType::F32 ? cuda::DType::f32 : cuda::DType::f64; };
  const std::ptrdiff_t n = std::ptrdiff_t(dims.back()), rows = n ? std::ptrdiff_t(x.element_count()) / n : 0;
  std::vector<double> p;
  if (const char* err = cuda::device_values(params.untyped_data(), code(pt), params.element_count(), p, stream))
    return ffi::Error::Internal(std::string("nonlin: ") + err);
  const int k = param_grad_count(Op(op), {p.data(), int(p.size())});
  if (gp && gp_count != k)
    return ffi::Error::InvalidArgument("nonlin: wrong number of parameter-gradient slots");
  std::vector<double> slots(std::size_t(gp ? k : 0));
  const char* err = cuda::run_normalizing(Op(op), code(dt), gp != nullptr, rows, n, x.untyped_data(), g, out,
                                          p.data(), int(p.size()), slots.data(), stream);
  if (!err && gp) err = cuda::to_device_values(slots, code(dt), gp, stream);
  return err ? ffi::Error::Internal(std::string("nonlin: ") + err) : ffi::Error::Success();
}

ffi::Error call_cuda(void* stream, int64_t op, ffi::AnyBuffer x, ffi::AnyBuffer params,
                     ffi::Result<ffi::AnyBuffer> y) {
  return on_device(stream, op, x, params, nullptr, y->untyped_data(), nullptr, 0);
}

ffi::Error call_vjp_cuda(void* stream, int64_t op, ffi::AnyBuffer g, ffi::AnyBuffer x, ffi::AnyBuffer params,
                         ffi::Result<ffi::AnyBuffer> gx, ffi::Result<ffi::AnyBuffer> gp) {
  return on_device(stream, op, x, params, g.untyped_data(), gx->untyped_data(), gp->untyped_data(),
                   std::ptrdiff_t(gp->element_count()));
}
#endif

}  // namespace
}  // namespace nonlin::normalizing

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_norm, nonlin::InIeeeMode<&nonlin::normalizing::call>::run,
                              ffi::Ffi::Bind().Attr<int64_t>("op").Arg<ffi::AnyBuffer>()
                                  .Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_norm_vjp, nonlin::InIeeeMode<&nonlin::normalizing::call_vjp>::run,
                              ffi::Ffi::Bind().Attr<int64_t>("op").Arg<ffi::AnyBuffer>()
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());

#if defined(NONLIN_WITH_CUDA)
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_norm_cuda, nonlin::normalizing::call_cuda,
                              ffi::Ffi::Bind().Ctx<ffi::PlatformStream<void*>>().Attr<int64_t>("op")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_norm_vjp_cuda, nonlin::normalizing::call_vjp_cuda,
                              ffi::Ffi::Bind().Ctx<ffi::PlatformStream<void*>>().Attr<int64_t>("op")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());
#endif

// the same target names for the CUDA platform (nothing without CUDA kernels in the build)
void jax_ffi_normalizing_cuda_targets(nb::dict& d) {
#if defined(NONLIN_WITH_CUDA)
  d["nonlin_norm"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_norm_cuda));
  d["nonlin_norm_vjp"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_norm_vjp_cuda));
#else
  (void)d;
#endif
}

void jax_ffi_normalizing_targets(nb::dict& d) {
  d["nonlin_norm"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_norm));
  d["nonlin_norm_vjp"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_norm_vjp));
}
