// The CUDA side of nonlin as plain C++ (no CUDA headers): what the bindings and the C API call.
// Every entry takes device pointers and a cudaStream_t passed as void*; it returns nullptr on
// success or a message (a launch error, or "no CUDA device").
#pragma once

#include <cstddef>
#include <cstdint>

#include "../cpu/rational.h"

namespace nonlin::cuda {

// Element types of device arrays; float16 and bfloat16 compute in float32.
enum class DType : int { f16 = 0, bf16 = 1, f32 = 2, f64 = 3 };

// How input k of an elementwise op broadcasts over the n contiguous result elements: element i
// reads in[k][(i / div) % mod]. A full-size input has div = 1, mod = n; one value mod = 1; a
// per-channel parameter of shape (C, 1, 1) against (N, C, H, W) div = H W, mod = C (any input
// whose non-broadcast dimensions are one contiguous run of the result's).
struct Broadcast {
  std::ptrdiff_t div, mod;
};

// The Broadcast of a dense row-major input of shape dims[0..rank) against the result shape
// rdims[0..rrank) (shapes aligned on the right, NumPy-style); false if the input does not
// broadcast, or its non-1 dimensions are not one contiguous run of the result's.
inline bool broadcast_of(int rank, const std::int64_t* dims, int rrank, const std::int64_t* rdims,
                         Broadcast& b) {
  if (rank > rrank) return false;
  int first = -1, last = -1;
  for (int k = 0; k < rank; ++k) {
    const int r = rrank - rank + k;
    if (dims[k] == 1) continue;
    if (dims[k] != rdims[r]) return false;
    if (first < 0) first = r;
    else if (last != r - 1) return false;  // a broadcast (size-1) dimension inside the run
    last = r;
  }
  b = {1, 1};
  if (first < 0) return true;  // one value
  for (int r = last + 1; r < rrank; ++r) b.div *= rdims[r];
  for (int r = first; r <= last; ++r) b.mod *= rdims[r];
  return true;
}

// Elementwise op `op` (a row of the kernel table, ops.h for_each_op order) over n elements; the
// outputs are contiguous and may alias a full-size input exactly (in place). in_bcast must be
// valid (div >= 1, 1 <= mod <= n): the callers check it, this entry does not.
const char* run_elementwise(int op, DType dtype, std::ptrdiff_t n, const void* const* in,
                            const Broadcast* in_bcast, void* const* out, void* stream);

// The rational activation `p` (cpu/rational.h) on device arrays x, g (backward only) and out
// (float32 or float64); the coefficient tables num [groups][m + 1] and den [groups][den_count]
// on the host, prepared there as by the CPU driver. Backward writes grad_x to out and the
// coefficient gradients (float64, host arrays shaped like num and den), which synchronises
// the stream; forward and derivative only enqueue.
const char* run_rational(const rational::Problem& p, DType dtype, rational::Mode mode, const void* x,
                         const void* g, const void* num, const void* den, void* out, double* grad_num,
                         double* grad_den, void* stream);

int device_count();  // 0 without a driver or a device

}  // namespace nonlin::cuda
