// XLA FFI custom-call target for the Mittag-Leffler functions (nonlin.jax's gated
// Mittag-Leffler activations compose it with jax.numpy):
//   nonlin_ml(z, alpha, beta, shift) -> E_{alpha,beta}(z) e^{-shift}, or its d/dz, d/dalpha,
//   d/dbeta (attribute `part`: 0, 1, 2, 3)
// float32 or float64, operands broadcasting against the result (ffi_broadcast.h); a scalar
// (alpha, beta) takes the cached plan and its SIMD kernel, like the ufuncs.
#include <nanobind/nanobind.h>

#include <cstdint>

#include "ieee_mode.h"
#include "ffi_broadcast.h"
#include "../cpu/ml_loop.h"

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace nonlin::ml {
namespace {

using namespace ffi_broadcast;

ffi::Error call(int64_t part, ffi::AnyBuffer z, ffi::AnyBuffer alpha, ffi::AnyBuffer beta,
                ffi::AnyBuffer shift, ffi::Result<ffi::AnyBuffer> out) {
  if (part < 0 || part > 3) return ffi::Error::InvalidArgument("nonlin_ml: part must be 0..3");
  Operand ops[5] = {operand(z), operand(alpha), operand(beta), operand(shift), operand(*out)};
  const ffi::DataType dt = ops[4].dtype;
  if (dt != ffi::DataType::F32 && dt != ffi::DataType::F64)
    return ffi::Error::InvalidArgument("nonlin_ml: float32 or float64 only");
  int64_t strides[kMaxOperands][kMaxRank];
  char* base[kMaxOperands];
  if (auto e = prepare("mittag_leffler", ops, 4, 1, strides, base); e.failure()) return e;
  if (empty(ops[4])) return ffi::Error::Success();
  const MlKernel k{Part(part), Fourth::shift};
  auto run = [&]<class T>(T*) {
    run_nd(5, base, ops[4].rank, ops[4].dims, strides,
           [&](std::ptrdiff_t n, char** ptr, const std::ptrdiff_t* st) { ml_run<T>(k, n, ptr, st); });
  };
  if (dt == ffi::DataType::F32) run(static_cast<float*>(nullptr));
  else run(static_cast<double*>(nullptr));
  return ffi::Error::Success();
}

}  // namespace
}  // namespace nonlin::ml

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_ml, nonlin::InIeeeMode<&nonlin::ml::call>::run,
                              ffi::Ffi::Bind()
                                  .Attr<int64_t>("part")
                                  .Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>().Arg<ffi::AnyBuffer>()
                                  .Arg<ffi::AnyBuffer>().Ret<ffi::AnyBuffer>());

void jax_ffi_mittag_leffler_targets(nb::dict& d) {
  d["nonlin_ml"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_ml));
}
