// nonlin.jax on GPUs: the XLA FFI target `nonlin_call` for the CUDA platform, the same contract
// as the CPU one (jax_ffi.cpp: attribute `op` = row of the kernel table, operands broadcasting
// against the result) run by nonlin's CUDA kernels on XLA's stream. An operand whose non-1
// dimensions form more than two contiguous runs of the result's (device.h broadcast_of) is
// refused with a message; nonlin.jax passes parameters as scalars or per-channel arrays, and
// jax.vmap adds the batch axis in front (the second run).
#include <nanobind/nanobind.h>

#include <cstdint>
#include <string>

#include "../cpu/run.h"
#include "ffi_broadcast.h"
#include "ffi_op.h"
#if defined(NONLIN_WITH_CUDA)
#include "../cuda/device.h"
#endif

namespace nb = nanobind;
namespace ffi = xla::ffi;

#if defined(NONLIN_WITH_CUDA)
namespace nonlin {
namespace {

ffi::Error call_cuda(void* stream, int64_t op_index, ffi::RemainingArgs args, ffi::RemainingRets rets) {
  ffi::Error error;
  const OpInfo* found = ffi_op(op_index, args.size(), rets.size(), error);
  if (!found) return error;
  const OpInfo& op = *found;
  const void* in[kMaxOpOperands];
  void* out[kMaxOpOperands];
  ffi_broadcast::Operand res{};
  for (int k = 0; k < op.nout; ++k) {
    auto r = rets.get<ffi::AnyBuffer>(k);
    if (!r) return r.error();
    const auto o = ffi_broadcast::operand(**r);
    if (k > 0 && (o.rank != res.rank || !std::equal(res.dims, res.dims + res.rank, o.dims)))
      return ffi::Error::InvalidArgument("nonlin: " + op.name + ": results must share one shape");
    res = o;
    out[k] = o.data;
  }
  cuda::DType dt;
  switch (res.dtype) {
    case ffi::DataType::F16: dt = cuda::DType::f16; break;
    case ffi::DataType::BF16: dt = cuda::DType::bf16; break;
    case ffi::DataType::F32: dt = cuda::DType::f32; break;
    case ffi::DataType::F64: dt = cuda::DType::f64; break;
    default: return ffi::Error::InvalidArgument("nonlin: " + op.name + " supports float16/bfloat16/float32/float64 only");
  }
  cuda::Broadcast bc[kMaxOpOperands];
  for (int k = 0; k < op.nin; ++k) {
    auto b = args.get<ffi::AnyBuffer>(k);
    if (!b) return b.error();
    const auto a = ffi_broadcast::operand(*b);
    if (a.dtype != res.dtype)
      return ffi::Error::InvalidArgument("nonlin: " + op.name + ": all operands must share one dtype");
    if (!cuda::broadcast_of(a.rank, a.dims, res.rank, res.dims, bc[k]))
      return ffi::Error::InvalidArgument(
          "nonlin: " + op.name + ": operand " + std::to_string(k) + " does not broadcast to the result "
          "as at most two runs of dimensions (the CUDA kernels read scalars, full arrays and "
          "per-channel arrays, batched or not)");
    in[k] = a.data;
  }
  if (ffi_broadcast::empty(res)) return ffi::Error::Success();
  std::int64_t n = 1;
  for (int d = 0; d < res.rank; ++d) n *= res.dims[d];
  if (const char* err = cuda::run_elementwise(int(op_index), dt, n, in, bc, out, stream))
    return ffi::Error::Internal(std::string("nonlin: ") + op.name + ": " + err);
  return ffi::Error::Success();
}

}  // namespace
}  // namespace nonlin

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_call_cuda, nonlin::call_cuda,
                              ffi::Ffi::Bind()
                                  .Ctx<ffi::PlatformStream<void*>>()
                                  .Attr<int64_t>("op")
                                  .RemainingArgs()
                                  .RemainingRets());
#endif

// _core._jax_ffi_cuda_targets(): {target name: capsule} for the CUDA platform (empty without
// CUDA kernels in the build), the rational, series, normalising and Mittag-Leffler gated targets
// included.
void jax_ffi_rational_cuda_targets(nb::dict& d);     // jax_ffi_rational.cpp
void jax_ffi_series_cuda_targets(nb::dict& d);       // jax_ffi_series.cpp
void jax_ffi_normalizing_cuda_targets(nb::dict& d);  // jax_ffi_normalizing.cpp
void jax_ffi_ml_gated_cuda_targets(nb::dict& d);     // jax_ffi_ml_gated.cpp

void register_jax_ffi_cuda(nb::module_& m) {
  m.def("_jax_ffi_cuda_targets", [] {
    nb::dict d;
#if defined(NONLIN_WITH_CUDA)
    d["nonlin_call"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_call_cuda));
#endif
    jax_ffi_rational_cuda_targets(d);
    jax_ffi_series_cuda_targets(d);
    jax_ffi_normalizing_cuda_targets(d);
    jax_ffi_ml_gated_cuda_targets(d);
    return d;
  }, "XLA FFI handler capsules for the CUDA platform (nonlin_call: every registry op; "
     "nonlin_rational[_vjp], nonlin_series[_vjp], nonlin_norm[_vjp], nonlin_ml_gated).");
}
