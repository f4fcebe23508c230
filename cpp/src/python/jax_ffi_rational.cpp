// XLA FFI custom-call targets for the rational activations (nonlin.jax): XLA's buffers are
// dense row-major, so x, grad_out and the coefficient tables [groups][count] go straight to the
// rational driver. Attributes: version (0..4 = A B C D N), m, n, groups, run, training, seed,
// mode (0 forward, 1 derivative).
//   nonlin_rational(x, num, den) -> y
//   nonlin_rational_vjp(g, x, num, den) -> (grad_x, grad_num, grad_den)   (in x's dtype)
// registered for the CPU and, in builds with CUDA kernels, the CUDA platform.
#include <nanobind/nanobind.h>

#include <string>
#include <vector>

#include "ieee_mode.h"
#include "../cpu/rational.h"
#include "xla/ffi/api/ffi.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace nonlin::rational {
namespace {

struct Attrs {
  int64_t version, m, n, groups, run, training, seed;
};

ffi::Error problem(const Attrs& a, const ffi::AnyBuffer& x, const ffi::AnyBuffer& num,
                   const ffi::AnyBuffer& den, Problem& p) {
  if (a.version < 0 || a.version > 4) return ffi::Error::InvalidArgument("nonlin: bad rational version");
  p.version = Version(a.version);
  p.m = int(a.m);
  p.n = int(a.n);
  p.size = std::ptrdiff_t(x.element_count());
  p.groups = a.groups;
  p.run = a.run;
  p.training = a.training != 0;
  p.seed = std::uint64_t(a.seed);
  if (const char* err = check(p)) return ffi::Error::InvalidArgument(std::string("nonlin: ") + err);
  if (std::ptrdiff_t(num.element_count()) != p.groups * (p.m + 1) ||
      std::ptrdiff_t(den.element_count()) != p.groups * den_count(p))
    return ffi::Error::InvalidArgument("nonlin: rational coefficient tables of the wrong size");
  const auto dt = x.element_type();
  if (dt != ffi::DataType::F32 && dt != ffi::DataType::F64)
    return ffi::Error::InvalidArgument("nonlin: rational takes float32 or float64");
  if (num.element_type() != dt || den.element_type() != dt)
    return ffi::Error::InvalidArgument("nonlin: coefficient dtype differs from x");
  return ffi::Error::Success();
}

template <class T>
T* data(const ffi::AnyBuffer& b) { return static_cast<T*>(b.untyped_data()); }

ffi::Error call(int64_t version, int64_t m, int64_t n, int64_t groups, int64_t run,
                int64_t training, int64_t seed, int64_t mode, ffi::AnyBuffer x, ffi::AnyBuffer num,
                ffi::AnyBuffer den, ffi::Result<ffi::AnyBuffer> y) {
  Problem p;
  if (auto e = problem({version, m, n, groups, run, training, seed}, x, num, den, p); e.failure())
    return e;
  auto go = [&]<class T>(T*) {
    if (mode == 0) forward(p, data<T>(x), data<T>(num), data<T>(den), data<T>(*y));
    else derivative(p, data<T>(x), data<T>(num), data<T>(den), data<T>(*y));
  };
  if (x.element_type() == ffi::DataType::F32) go(static_cast<float*>(nullptr));
  else go(static_cast<double*>(nullptr));
  return ffi::Error::Success();
}

ffi::Error call_vjp(int64_t version, int64_t m, int64_t n, int64_t groups, int64_t run,
                    int64_t training, int64_t seed, ffi::AnyBuffer g, ffi::AnyBuffer x,
                    ffi::AnyBuffer num, ffi::AnyBuffer den, ffi::Result<ffi::AnyBuffer> gx,
                    ffi::Result<ffi::AnyBuffer> gnum, ffi::Result<ffi::AnyBuffer> gden) {
  Problem p;
  if (auto e = problem({version, m, n, groups, run, training, seed}, x, num, den, p); e.failure())
    return e;
  std::vector<double> sn(num.element_count()), sd(den.element_count());
  auto go = [&]<class T>(T*) {
    backward(p, data<T>(g), data<T>(x), data<T>(num), data<T>(den), data<T>(*gx), sn.data(), sd.data());
    for (std::size_t q = 0; q < sn.size(); ++q) data<T>(*gnum)[q] = T(sn[q]);
    for (std::size_t q = 0; q < sd.size(); ++q) data<T>(*gden)[q] = T(sd[q]);
  };
  if (x.element_type() == ffi::DataType::F32) go(static_cast<float*>(nullptr));
  else go(static_cast<double*>(nullptr));
  return ffi::Error::Success();
}

#if defined(NONLIN_WITH_CUDA)
// The CUDA platform's targets: the same contract on device buffers (cuda/device.h
// run_rational_device_tables: the tables go through the host, as for nonlin.torch).
ffi::Error on_device(void* stream, const Attrs& a, Mode mode, const ffi::AnyBuffer& x, const ffi::AnyBuffer& num,
                     const ffi::AnyBuffer& den, const void* g, void* out, void* gnum, void* gden) {
  Problem p;
  if (auto e = problem(a, x, num, den, p); e.failure()) return e;
  const auto dt = x.element_type() == ffi::DataType::F32 ? nonlin::cuda::DType::f32 : nonlin::cuda::DType::f64;
  if (const char* err = nonlin::cuda::run_rational_device_tables(p, dt, mode, x.untyped_data(), g, num.untyped_data(),
                                                                 den.untyped_data(), out, gnum, gden, stream))
    return ffi::Error::Internal(std::string("nonlin: rational: ") + err);
  return ffi::Error::Success();
}

ffi::Error call_cuda(void* stream, int64_t version, int64_t m, int64_t n, int64_t groups, int64_t run,
                     int64_t training, int64_t seed, int64_t mode, ffi::AnyBuffer x, ffi::AnyBuffer num,
                     ffi::AnyBuffer den, ffi::Result<ffi::AnyBuffer> y) {
  return on_device(stream, {version, m, n, groups, run, training, seed}, mode == 0 ? Mode::forward : Mode::derivative,
                   x, num, den, nullptr, y->untyped_data(), nullptr, nullptr);
}

// (g, x, num, den) -> (grad_x, grad_num, grad_den)
ffi::Error call_vjp_cuda(void* stream, int64_t version, int64_t m, int64_t n, int64_t groups, int64_t run,
                         int64_t training, int64_t seed, ffi::AnyBuffer g, ffi::AnyBuffer x, ffi::AnyBuffer num,
                         ffi::AnyBuffer den, ffi::Result<ffi::AnyBuffer> gx, ffi::Result<ffi::AnyBuffer> gnum,
                         ffi::Result<ffi::AnyBuffer> gden) {
  return on_device(stream, {version, m, n, groups, run, training, seed}, Mode::backward, x, num, den,
                   g.untyped_data(), gx->untyped_data(), gnum->untyped_data(), gden->untyped_data());
}
#endif

}  // namespace
}  // namespace nonlin::rational

#define NONLIN_RATIONAL_ATTRS                                                               \
  .Attr<int64_t>("version").Attr<int64_t>("m").Attr<int64_t>("n").Attr<int64_t>("groups")  \
      .Attr<int64_t>("run").Attr<int64_t>("training").Attr<int64_t>("seed")

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_rational, nonlin::InIeeeMode<&nonlin::rational::call>::run,
                              ffi::Ffi::Bind() NONLIN_RATIONAL_ATTRS.Attr<int64_t>("mode")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_rational_vjp, nonlin::InIeeeMode<&nonlin::rational::call_vjp>::run,
                              ffi::Ffi::Bind() NONLIN_RATIONAL_ATTRS
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>());
#if defined(NONLIN_WITH_CUDA)
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_rational_cuda, nonlin::rational::call_cuda,
                              ffi::Ffi::Bind().Ctx<ffi::PlatformStream<void*>>() NONLIN_RATIONAL_ATTRS
                                  .Attr<int64_t>("mode")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>());
XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_rational_vjp_cuda, nonlin::rational::call_vjp_cuda,
                              ffi::Ffi::Bind().Ctx<ffi::PlatformStream<void*>>() NONLIN_RATIONAL_ATTRS
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>()
                                  .Ret<ffi::AnyBuffer>());
#endif
#undef NONLIN_RATIONAL_ATTRS

void jax_ffi_rational_targets(nb::dict& d) {
  d["nonlin_rational"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_rational));
  d["nonlin_rational_vjp"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_rational_vjp));
}

// the same target names for the CUDA platform (nothing without CUDA kernels in the build)
void jax_ffi_rational_cuda_targets(nb::dict& d) {
#if defined(NONLIN_WITH_CUDA)
  d["nonlin_rational"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_rational_cuda));
  d["nonlin_rational_vjp"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_rational_vjp_cuda));
#else
  (void)d;
#endif
}
