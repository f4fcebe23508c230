// Deterministic sums of per-thread float64 partials over a fixed launch shape (no atomics):
// each thread sums its elements of a fixed grid-stride assignment, a fixed-order tree in shared
// memory reduces them per block, then one pass adds the block partials in block order. The
// order depends on n only, never on the device or on scheduling.
#pragma once

#include <cstddef>

namespace nonlin::cuda {

constexpr int kSumThreads = 256;
constexpr int kSumBlocks = 1024;  // fixed: the reduction order must not depend on the device

// partial[blockIdx.x][q] = sum over the block's threads of sums[q], q < count. Every thread of
// the block must call it.
__device__ inline void block_partials(const double* sums, int count, double* partial) {
  __shared__ double tile[kSumThreads];
  for (int q = 0; q < count; ++q) {
    tile[threadIdx.x] = sums[q];
    __syncthreads();
    for (int w = kSumThreads / 2; w > 0; w /= 2) {
      if (threadIdx.x < w) tile[threadIdx.x] += tile[threadIdx.x + w];
      __syncthreads();
    }
    if (threadIdx.x == 0) partial[std::ptrdiff_t(blockIdx.x) * count + q] = tile[0];
    __syncthreads();
  }
}

// out[q] = sum over blocks, in block order, of partial[block][q].
static __global__ void reduce_block_partials(const double* partial, int count, double* out) {
  const int q = blockIdx.x * blockDim.x + threadIdx.x;
  if (q >= count) return;
  double s = 0;
  for (int b = 0; b < kSumBlocks; ++b) s += partial[std::ptrdiff_t(b) * count + q];
  out[q] = s;
}

inline void enqueue_reduce(const double* partial, int count, double* out, cudaStream_t stream) {
  reduce_block_partials<<<(count + 63) / 64, 64, 0, stream>>>(partial, count, out);
}

// The end of a launch sequence that owns `work` (from cudaMallocAsync) and may have failed with
// e: unless it failed, copies `count` float64 sums from the device to `host` (none for count
// 0) and synchronises the stream; frees work. The first error's message, or nullptr.
inline const char* finish(cudaError_t e, void* work, const double* sums, std::size_t count, double* host,
                          cudaStream_t stream) {
  if (e == cudaSuccess && count > 0) {
    e = cudaMemcpyAsync(host, sums, sizeof(double) * count, cudaMemcpyDeviceToHost, stream);
    if (e == cudaSuccess) e = cudaStreamSynchronize(stream);
  }
  const cudaError_t f = cudaFreeAsync(work, stream);
  if (e == cudaSuccess) e = f;
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace nonlin::cuda
