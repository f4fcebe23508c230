// NumPy-style broadcasting of XLA FFI buffers against a result shape, and the odometer that
// runs an elementwise loop over them (used by the FFI targets of nonlin.jax: jax_ffi.cpp for
// the registry ops, jax_ffi_mittag_leffler.cpp for the Mittag-Leffler functions). Operands
// broadcast right-aligned with size-1 dimensions repeating, so per-channel parameters and
// JAX's vmap "expand_dims" batching never materialise.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "nonlin/ops.h"
#include "xla/ffi/api/ffi.h"

namespace nonlin::ffi_broadcast {

namespace ffi = xla::ffi;

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
inline bool broadcast_strides(const Operand& a, int rank, const int64_t* dims, int64_t elem,
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

inline Operand operand(ffi::AnyBuffer b) {
  return {static_cast<char*>(b.untyped_data()), b.element_type(), int(b.dimensions().size()),
          b.dimensions().begin()};
}

inline bool empty(const Operand& a) { return std::find(a.dims, a.dims + a.rank, 0) != a.dims + a.rank; }

// Checks ops[0..nin) (inputs) and ops[nin..nin+nout) (results, the first one giving the shape
// and dtype): one dtype, results of one shape, inputs broadcasting to it; fills their byte
// strides along the result's dimensions and their base pointers.
inline ffi::Error prepare(const std::string& name, const Operand* ops, int nin, int nout,
                          int64_t (*strides)[kMaxRank], char** base) {
  const Operand& res = ops[nin];
  if (res.rank > kMaxRank) return ffi::Error::InvalidArgument("nonlin: rank above 16 is not supported");
  const int64_t elem = ffi::ByteWidth(res.dtype);
  for (int k = 0; k < nin + nout; ++k) {
    if (ops[k].dtype != res.dtype)
      return ffi::Error::InvalidArgument("nonlin: " + name + ": all operands must share one dtype");
    if (k > nin && (ops[k].rank != res.rank || !std::equal(res.dims, res.dims + res.rank, ops[k].dims)))
      return ffi::Error::InvalidArgument("nonlin: " + name + ": results must share one shape");
    if (!broadcast_strides(ops[k], res.rank, res.dims, elem, strides[k]))
      return ffi::Error::InvalidArgument("nonlin: " + name + ": operand " + std::to_string(k) +
                                         " does not broadcast to the result shape");
    base[k] = ops[k].data;
  }
  return ffi::Error::Success();
}

// Calls run(n, ptr, byte_strides) for every innermost run of the result. Dimension d merges
// into d+1 when every operand steps through both as one: the innermost run is then as long as
// possible (usually the whole array, one call).
template <class Run>
void run_nd(int nops, char** base, int rank, const int64_t* dims, int64_t (*strides)[kMaxRank],
            Run&& run) {
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
    run(std::ptrdiff_t(cd[inner]), ptr, inner_strides);
    int d = inner - 1;
    while (d >= 0 && ++idx[d] == cd[d]) idx[d--] = 0;
    if (d < 0) break;
  }
}

}  // namespace nonlin::ffi_broadcast
