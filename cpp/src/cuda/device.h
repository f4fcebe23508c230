// The CUDA side of nonlin as plain C++ (no CUDA headers): what the bindings and the C API call.
// Every entry takes device pointers and a cudaStream_t passed as void*; it returns nullptr on
// success or a message (a launch error, or "no CUDA device").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../cpu/rational.h"
#include "../cpu/series.h"
#include "nonlin/mittag_leffler/gated.h"
#include "nonlin/normalizing/kernels.h"

namespace nonlin::cuda {

// Element types of device arrays; float16 and bfloat16 compute in float32.
enum class DType : int { f16 = 0, bf16 = 1, f32 = 2, f64 = 3 };

// How input k of an elementwise op broadcasts over the n contiguous result elements: element i
// reads in[k][index(i)], the input's non-broadcast dimensions forming at most two contiguous
// runs of the result's. The inner run is read at (i / div) % mod, the outer at
// ((i / div2) % mod2) * mod. A full-size input has div = 1, mod = n; one value mod = 1; a
// per-channel parameter of shape (C, 1, 1) against (N, C, H, W) div = H W, mod = C; under
// jax.vmap the same parameter batched, (B, 1, C, 1, 1) against (B, N, C, H, W), adds the outer
// run div2 = N C H W, mod2 = B.
struct Broadcast {
  std::ptrdiff_t div, mod;
  std::ptrdiff_t div2 = 1, mod2 = 1;
#if defined(__CUDACC__)
  __host__ __device__
#endif
  std::ptrdiff_t index(std::ptrdiff_t i) const {
    const std::ptrdiff_t inner = (i / div) % mod;
    return mod2 == 1 ? inner : inner + ((i / div2) % mod2) * mod;
  }
};

// The Broadcast of a dense row-major input of shape dims[0..rank) against the result shape
// rdims[0..rrank) (shapes aligned on the right, NumPy-style); false if the input does not
// broadcast, or its non-1 dimensions form more than two contiguous runs of the result's.
inline bool broadcast_of(int rank, const std::int64_t* dims, int rrank, const std::int64_t* rdims,
                         Broadcast& b) {
  if (rank > rrank) return false;
  int first[2] = {-1, -1}, last[2] = {-1, -1}, runs = 0;  // in result coordinates, outer first
  for (int k = 0; k < rank; ++k) {
    const int r = rrank - rank + k;
    if (dims[k] == 1) continue;
    if (dims[k] != rdims[r]) return false;
    if (runs == 0 || last[runs - 1] != r - 1) {  // a new run
      if (runs == 2) return false;
      first[runs++] = r;
    }
    last[runs - 1] = r;
  }
  auto extent = [&](int from, int to) {  // product of rdims[from..to]
    std::ptrdiff_t p = 1;
    for (int r = from; r <= to; ++r) p *= rdims[r];
    return p;
  };
  b = {1, 1};
  if (runs == 0) return true;  // one value
  const int inner = runs - 1;
  b.div = extent(last[inner] + 1, rrank - 1);
  b.mod = extent(first[inner], last[inner]);
  if (runs == 2) {
    b.div2 = extent(last[0] + 1, rrank - 1);
    b.mod2 = extent(first[0], last[0]);
  }
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

// The same with the coefficient tables and their gradients in device memory, in the compute
// dtype (nonlin.jax's XLA buffers): the tables are copied to the host (synchronising the
// stream) and prepared there; backward copies the gradients back. grad_num / grad_den are
// used only by backward.
const char* run_rational_device_tables(const rational::Problem& p, DType dtype, rational::Mode mode,
                                       const void* x, const void* g, const void* num, const void* den,
                                       void* out, void* grad_num, void* grad_den, void* stream);

// The coefficient-vector activation `p` (cpu/series.h) on device arrays x, g (backward only)
// and out (float32 or float64, contiguous; out may alias x or g); the flat parameter array on
// the host (float64 holding values of the data's dtype), prepared there as by the CPU driver.
// Backward writes grad_x to out and the parameter gradients (float64, host), which
// synchronises the stream; forward and derivative only enqueue.
const char* run_series(const series::Problem& p, DType dtype, series::Mode mode, const void* x, const void* g,
                       const double* params, void* out, double* grad_params, void* stream);

// The normalising activation `op` over `rows` contiguous rows of n elements on device arrays x,
// g (backward only) and out (float32 or float64; out may alias x or g); its np parameters on the
// host (registry order). Backward writes grad_x to out and the learnable parameters' gradient
// slots summed over the rows (float64, host; normalizing::param_grad_count of them), which
// synchronises the stream; forward only enqueues.
const char* run_normalizing(normalizing::Op op, DType dtype, bool backward, std::ptrdiff_t rows, std::ptrdiff_t n,
                            const void* x, const void* g, void* out, const double* params, int np,
                            double* grad_params, void* stream);

// The fused Mittag-Leffler gated activation (nonlin/mittag_leffler/gated.h, scalar parameters)
// on n contiguous elements of device arrays x, g (backward and params) and out (n elements;
// 4 n for param_parts; unused for params) of float32 or float64; out may alias x or g exactly.
// params writes the four sums to `sums` (host). Synchronises the stream (the factors' plans are
// fitted on the host to x's range; elements no plan covers are computed by the CPU driver).
const char* run_ml_gated(const ml::GatedForm& form, const ml::GatedParams& p, ml::GatedMode mode, unsigned need,
                         DType dtype, std::ptrdiff_t n, const void* x, const void* g, void* out, double* sums,
                         void* stream);

// Parameters in device memory (nonlin.jax's XLA buffers of float32 or float64): `count` values
// at src as host doubles (synchronising the stream), and host doubles rounded to dtype and
// copied to dst (enqueued).
const char* device_values(const void* src, DType dtype, std::size_t count, std::vector<double>& out,
                          void* stream);
const char* to_device_values(const std::vector<double>& v, DType dtype, void* dst, void* stream);

int device_count();  // 0 without a driver or a device

}  // namespace nonlin::cuda
