// The XLA FFI custom-call target behind nonlin.jax: ONE typed handler for every op of the
// registry, selected by the integer attribute `op` (its index in op_infos(), i.e. its position
// in _core._ops). Operands broadcast against the result (NumPy rules, right-aligned, size-1
// dimensions repeat), so per-channel parameters and JAX's vmap "expand_dims" batching never
// materialise. Runs on XLA's CPU thread without the GIL; large calls use nonlin's pool.
#include <nanobind/nanobind.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "../cpu/run.h"
#include "xla/ffi/api/ffi.h"

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace nonlin {
namespace {

constexpr int kMaxOperands = kMaxOpOperands;
constexpr int kMaxRank = 16;

struct Operand {
  char* data;
  ffi::DataType dtype;
  int rank;
  const int64_t* dims;
};

// Byte strides of `a` along the result's dimensions (0 where `a` is broadcast); false if `a`
// does not broadcast to the result.
bool broadcast_strides(const Operand& a, int rank, const int64_t* dims, int64_t elem,
                       int64_t* strides) {
  if (a.rank > rank) return false;
  int64_t s = elem;
  for (int d = rank - 1; d >= 0; --d) {
    const int k = d - (rank - a.rank);
    const int64_t n = k >= 0 ? a.dims[k] : 1;
    if (n != dims[d] && n != 1) return false;
    strides[d] = n == 1 ? 0 : s;
    s *= n;
  }
  return true;
}

template <class T>
void run_nd(const OpInfo& op, int nops, char** base, int rank, const int64_t* dims,
            int64_t (*strides)[kMaxRank]) {
  // Merge dimension d into d+1 when every operand steps through both as one: the innermost
  // run is then as long as possible (usually the whole array, one run_strided call).
  int64_t cd[kMaxRank], cs[kMaxOperands][kMaxRank];
  int cr = 0;
  for (int d = 0; d < rank; ++d) {
    if (dims[d] == 1) continue;
    bool merge = cr > 0;
    for (int k = 0; k < nops && merge; ++k) merge = cs[k][cr - 1] == strides[k][d] * dims[d];
    if (merge) {
      cd[cr - 1] *= dims[d];
      for (int k = 0; k < nops; ++k) cs[k][cr - 1] = strides[k][d];
    } else {
      cd[cr] = dims[d];
      for (int k = 0; k < nops; ++k) cs[k][cr] = strides[k][d];
      ++cr;
    }
  }
  if (cr == 0) {  // a scalar result
    cd[0] = 1;
    for (int k = 0; k < nops; ++k) cs[k][0] = 0;
    cr = 1;
  }
  const int inner = cr - 1;
  std::ptrdiff_t inner_strides[kMaxOperands];
  for (int k = 0; k < nops; ++k) inner_strides[k] = cs[k][inner];
  // Odometer over the outer dimensions: prod(cd[0..inner)) runs.
  int64_t idx[kMaxRank] = {};
  char* ptr[kMaxOperands];
  for (;;) {
    for (int k = 0; k < nops; ++k) {
      ptr[k] = base[k];
      for (int d = 0; d < inner; ++d) ptr[k] += idx[d] * cs[k][d];
    }
    run_strided<T>(op, cd[inner], ptr, inner_strides);
    int d = inner - 1;
    while (d >= 0 && ++idx[d] == cd[d]) idx[d--] = 0;
    if (d < 0) break;
  }
}

ffi::Error call(int64_t op_index, ffi::RemainingArgs args, ffi::RemainingRets rets) {
  const auto& infos = op_infos();
  if (op_index < 0 || op_index >= int64_t(infos.size()))
    return ffi::Error::InvalidArgument("nonlin: unknown op index " + std::to_string(op_index));
  const OpInfo& op = infos[op_index];
  if (int(args.size()) != op.nin || int(rets.size()) != op.nout)
    return ffi::Error::InvalidArgument("nonlin: " + op.name + " takes " + std::to_string(op.nin) +
                                       " operands and gives " + std::to_string(op.nout));
  Operand ops[kMaxOperands];
  for (int k = 0; k < op.nin; ++k) {
    auto b = args.get<ffi::AnyBuffer>(k);
    if (!b) return b.error();
    ops[k] = {static_cast<char*>(b->untyped_data()), b->element_type(),
              int(b->dimensions().size()), b->dimensions().begin()};
  }
  for (int k = 0; k < op.nout; ++k) {
    auto r = rets.get<ffi::AnyBuffer>(k);
    if (!r) return r.error();
    ffi::AnyBuffer b = **r;
    ops[op.nin + k] = {static_cast<char*>(b.untyped_data()), b.element_type(),
                       int(b.dimensions().size()), b.dimensions().begin()};
  }
  const int nops = op.nin + op.nout;
  const Operand& res = ops[op.nin];
  const ffi::DataType dt = res.dtype;
  if (dt != ffi::DataType::F16 && dt != ffi::DataType::F32 && dt != ffi::DataType::F64)
    return ffi::Error::InvalidArgument("nonlin: " + op.name + " supports float16/32/64 only");
  if (res.rank > kMaxRank)
    return ffi::Error::InvalidArgument("nonlin: rank above 16 is not supported");
  const int64_t elem = ffi::ByteWidth(dt);
  int64_t strides[kMaxOperands][kMaxRank];
  char* base[kMaxOperands];
  for (int k = 0; k < nops; ++k) {
    if (ops[k].dtype != dt)
      return ffi::Error::InvalidArgument("nonlin: " + op.name + ": all operands must share one dtype");
    if (k > op.nin && (ops[k].rank != res.rank || !std::equal(res.dims, res.dims + res.rank, ops[k].dims)))
      return ffi::Error::InvalidArgument("nonlin: " + op.name + ": results must share one shape");
    if (!broadcast_strides(ops[k], res.rank, res.dims, elem, strides[k]))
      return ffi::Error::InvalidArgument("nonlin: " + op.name + ": operand " + std::to_string(k) +
                                         " does not broadcast to the result shape");
    base[k] = ops[k].data;
  }
  for (int d = 0; d < res.rank; ++d)
    if (res.dims[d] == 0) return ffi::Error::Success();
  if (dt == ffi::DataType::F32) run_nd<float>(op, nops, base, res.rank, res.dims, strides);
  else if (dt == ffi::DataType::F64) run_nd<double>(op, nops, base, res.rank, res.dims, strides);
  else run_nd<Half>(op, nops, base, res.rank, res.dims, strides);
  return ffi::Error::Success();
}

}  // namespace
}  // namespace nonlin

XLA_FFI_DEFINE_HANDLER_SYMBOL(nonlin_xla_call, nonlin::call,
                              ffi::Ffi::Bind().Attr<int64_t>("op").RemainingArgs().RemainingRets());

void jax_ffi_series_targets(nb::dict& d);    // jax_ffi_series.cpp
void jax_ffi_rational_targets(nb::dict& d);  // jax_ffi_rational.cpp
void jax_ffi_normalizing_targets(nb::dict& d);  // jax_ffi_normalizing.cpp

// _core._jax_ffi_targets(): {target name: capsule} for jax.ffi.register_ffi_target.
void register_jax_ffi(nb::module_& m) {
  m.def("_jax_ffi_targets", [] {
    nb::dict d;
    d["nonlin_call"] = nb::capsule(reinterpret_cast<void*>(&nonlin_xla_call));
    jax_ffi_series_targets(d);
    jax_ffi_rational_targets(d);
    jax_ffi_normalizing_targets(d);
    return d;
  }, "XLA FFI handler capsules for nonlin.jax (nonlin_call: every registry op, keyed by index; "
     "nonlin_series[_vjp], nonlin_rational[_vjp], nonlin_norm[_vjp]: the activations with learnable arrays).");
}
