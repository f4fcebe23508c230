// The XLA FFI custom-call target behind nonlin.jax: ONE typed handler for every op of the
// registry, selected by the integer attribute `op` (its index in op_infos(), i.e. its position
// in _core._ops). Operands broadcast against the result (ffi_broadcast.h). Runs on XLA's CPU
// thread without the GIL; large calls use nonlin's pool.
#include <nanobind/nanobind.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ieee_mode.h"
#include "../cpu/run.h"
#include "ffi_broadcast.h"
#include "ffi_op.h"

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace nonlin {
namespace {

using namespace ffi_broadcast;

ffi::Error call(int64_t op_index, ffi::RemainingArgs args, ffi::RemainingRets rets) {
  ffi::Error error;
  const OpInfo* found = ffi_op(op_index, args.size(), rets.size(), error);
  if (!found) return error;
  const OpInfo& op = *found;
  Operand ops[kMaxOperands];
  for (int k = 0; k < op.nin; ++k) {
    auto b = args.get<ffi::AnyBuffer>(k);
    if (!b) return b.error();
    ops[k] = operand(*b);
  }
  for (int k = 0; k < op.nout; ++k) {
    auto r = rets.get<ffi::AnyBuffer>(k);
    if (!r) return r.error();
    ops[op.nin + k] = operand(**r);
  }
  const int nops = op.nin + op.nout;
  const Operand& res = ops[op.nin];
  const ffi::DataType dt = res.dtype;
  if (dt != ffi::DataType::F16 && dt != ffi::DataType::F32 && dt != ffi::DataType::F64)
    return ffi::Error::InvalidArgument("nonlin: " + op.name + " supports float16/32/64 only");
  int64_t strides[kMaxOperands][kMaxRank];
  char* base[kMaxOperands];
  if (auto e = prepare(op.name, ops, op.nin, op.nout, strides, base); e.failure()) return e;
  if (empty(res)) return ffi::Error::Success();
  auto run = [&]<class T>(T*) {
    run_nd(nops, base, res.rank, res.dims, strides,
           [&](std::ptrdiff_t n, char** ptr, const std::ptrdiff_t* st) { run_strided<T>(op, n, ptr, st); });
  };
  if (dt == ffi::DataType::F32) run(static_cast<float*>(nullptr));
  else if (dt == ffi::DataType::F64) run(static_cast<double*>(nullptr));
  else run(static_cast<Half*>(nullptr));
  return ffi::Error::Success();
}

}  // namespace
}  // namespace nonlin

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_call, nonlin::InIeeeMode<&nonlin::call>::run,
                              ffi::Ffi::Bind().Attr<int64_t>("op").RemainingArgs().RemainingRets());

void jax_ffi_series_targets(nb::dict& d);    // jax_ffi_series.cpp
void jax_ffi_rational_targets(nb::dict& d);  // jax_ffi_rational.cpp
void jax_ffi_normalizing_targets(nb::dict& d);  // jax_ffi_normalizing.cpp
void jax_ffi_mittag_leffler_targets(nb::dict& d);  // jax_ffi_mittag_leffler.cpp
void jax_ffi_ml_gated_targets(nb::dict& d);  // jax_ffi_ml_gated.cpp

// _core._jax_ffi_targets(): {target name: capsule} for jax.ffi.register_ffi_target.
void register_jax_ffi(nb::module_& m) {
  m.def("_jax_ffi_targets", [] {
    nb::dict d;
    d["nonlin_call"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_call));
    jax_ffi_series_targets(d);
    jax_ffi_rational_targets(d);
    jax_ffi_normalizing_targets(d);
    jax_ffi_mittag_leffler_targets(d);
    jax_ffi_ml_gated_targets(d);
    return d;
  }, "XLA FFI handler capsules for nonlin.jax (nonlin_call: every registry op, keyed by index; "
     "nonlin_series[_vjp], nonlin_rational[_vjp], nonlin_norm[_vjp]: the activations with learnable arrays; nonlin_ml: the Mittag-Leffler functions; nonlin_ml_gated: their gated activations).");
}
