// CUDA kernels of the normalising activations (PolyNorm, ASH, Hard ASH, VeLU): the row formulas
// of nonlin/normalizing/row_math.h (the same source as the CPU kernels) run by one thread block
// per row (DeviceRow: the threads stride over the row in double, each keeps compensated partial
// sums, a fixed-order tree in shared memory combines them), rows in a grid-stride loop. The
// per-row parameter-gradient slots are summed over the rows deterministically (block_sums.cuh).
// Built with the CUDA kernels (a compile check here: the development machine has no GPU).
#include <algorithm>
#include <cstddef>

// vec.h leaves Eigen out under nvcc but names its packet functions in (discarded) branches:
// include it first (Eigen 3.4 supports CUDA); only the scalar Vec<T> is used on the device.
#include <Eigen/Core>

#include "nonlin/normalizing/row_math.h"
#include "nonlin/normalizing/row_sums.h"

#include "block_sums.cuh"
#include "device.h"

namespace nonlin::norm_rows {

constexpr int kMaxRowBlocks = 1024;
constexpr int kMaxSlots = kMaxOrder + 1;  // PolyNorm: its weights and the bias

// The execution policy of row_math.h on a thread block that holds one row (row_sums.h).
struct DeviceRow {
  template <class T>
  struct Sum {
    double s = 0, c = 0;  // this thread's compensated partial sum
    __device__ void add(Vec<double> x) { compensated_add(s, c, x.v); }
    // The row's sum, the same in every thread. Every thread of the block must call it.
    __device__ double value() const {
      __shared__ double hi[kRowThreads], lo[kRowThreads];
      const int t = threadIdx.x;
      hi[t] = s;
      lo[t] = c;
      __syncthreads();
      for (int w = kRowThreads / 2; w > 0; w /= 2) {
        if (t < w) tree_step(hi, lo, t, w);
        __syncthreads();
      }
      const double r = hi[0] + lo[0];
      __syncthreads();  // hi, lo are reused by the next call
      return r;
    }
  };

  template <int NI, class T, class F>
  __device__ static void stream(std::ptrdiff_t n, const T* const (&in)[NI], T* out, F&& f) {
    for (std::ptrdiff_t i = threadIdx.x; i < n; i += kRowThreads) {
      Vec<double> a[NI];
      for (int k = 0; k < NI; ++k) a[k] = Vec<double>(double(in[k][i]));
      const Vec<double> r = call(f, static_cast<const Vec<double>*>(a), i);
      if (out) out[i] = T(r.v);  // the same thread reads element i in every pass: in place is safe
    }
  }
  template <class V>
  __device__ static V load(const double* s, std::ptrdiff_t i) { return V(s[i]); }
  template <class V>
  __device__ static void store(double* s, std::ptrdiff_t i, V v) { s[i] = v.v; }

  // max |x[i]| over the row (NaN ignored, as the CPU's), the same in every thread
  template <class T>
  __device__ static double max_abs(std::ptrdiff_t n, const T* x) {
    __shared__ double m[kRowThreads];
    double v = 0;
    for (std::ptrdiff_t i = threadIdx.x; i < n; i += kRowThreads) v = fmax(v, fabs(double(x[i])));
    m[threadIdx.x] = v;
    __syncthreads();
    for (int w = kRowThreads / 2; w > 0; w /= 2) {
      if (int(threadIdx.x) < w) m[threadIdx.x] = fmax(m[threadIdx.x], m[threadIdx.x + w]);
      __syncthreads();
    }
    const double r = m[0];
    __syncthreads();
    return r;
  }
};

template <class Row, class T>
__global__ void forward_rows(std::ptrdiff_t rows, std::ptrdiff_t n, const T* x, T* y, Params p) {
  for (std::ptrdiff_t r = blockIdx.x; r < rows; r += gridDim.x)
    Row::template forward<DeviceRow>(n, x + r * n, y + r * n, p);
}

// Row r's parameter-gradient slots to pg[r k ..] (written by thread 0; every thread computes
// them); scratch holds n doubles per block.
template <class Row, class T>
__global__ void backward_rows(std::ptrdiff_t rows, std::ptrdiff_t n, const T* g, const T* x, T* gx,
                              double* pg, int k, double* scratch, Params p) {
  double unused[kMaxSlots];
  for (std::ptrdiff_t r = blockIdx.x; r < rows; r += gridDim.x)
    Row::template backward<DeviceRow>(n, g + r * n, x + r * n, gx + r * n, threadIdx.x == 0 ? pg + r * k : unused,
                                      p, scratch + std::ptrdiff_t(blockIdx.x) * n);
}

// Block partials (block_sums.cuh) of the k slots summed over the rows.
__global__ void slot_partials(const double* pg, std::ptrdiff_t rows, int k, double* partial) {
  double s[kMaxSlots] = {};
  const std::ptrdiff_t stride = std::ptrdiff_t(gridDim.x) * blockDim.x;
  for (std::ptrdiff_t r = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x; r < rows; r += stride)
    for (int q = 0; q < k; ++q) s[q] += pg[r * k + q];
  nonlin::cuda::block_partials(s, k, partial);
}

template <class Row, class T>
const char* run_row(bool backward, std::ptrdiff_t rows, std::ptrdiff_t n, const T* x, const T* g, T* out,
                    const double* params, int np, double* grad_params, cudaStream_t stream) {
  const Params host{params, np};
  const int k = backward ? Row::grads(host) : 0;
  const int blocks = int(std::min<std::ptrdiff_t>(rows, kMaxRowBlocks));
  const std::size_t pbytes = sizeof(double) * std::size_t(np);
  const std::size_t wbytes = backward ? sizeof(double) * (std::size_t(rows) * std::size_t(k) +
                                                          std::size_t(blocks) * std::size_t(n) +
                                                          std::size_t(nonlin::cuda::kSumBlocks + 1) * std::size_t(k))
                                      : 0;
  char* work = nullptr;
  cudaError_t e = cudaMallocAsync(reinterpret_cast<void**>(&work), pbytes + wbytes, stream);
  if (e != cudaSuccess) return cudaGetErrorString(e);
  auto* dp = reinterpret_cast<double*>(work);
  double* pg = dp + np;
  double* scratch = pg + rows * k;
  double* partial = scratch + std::ptrdiff_t(blocks) * n;
  double* sums = partial + std::ptrdiff_t(nonlin::cuda::kSumBlocks) * k;
  // pageable host memory: the copy has read params before cudaMemcpyAsync returns
  e = cudaMemcpyAsync(dp, params, pbytes, cudaMemcpyHostToDevice, stream);
  const Params p{dp, np};
  if (e == cudaSuccess) {
    if (!backward) {
      forward_rows<Row><<<blocks, kRowThreads, 0, stream>>>(rows, n, x, out, p);
    } else {
      backward_rows<Row><<<blocks, kRowThreads, 0, stream>>>(rows, n, g, x, out, pg, k, scratch, p);
      if (k > 0) {
        slot_partials<<<nonlin::cuda::kSumBlocks, nonlin::cuda::kSumThreads, 0, stream>>>(pg, rows, k, partial);
        nonlin::cuda::enqueue_reduce(partial, k, sums, stream);
      }
    }
    e = cudaGetLastError();
  }
  return nonlin::cuda::finish(e, work, sums, std::size_t(k), grad_params, stream);
}

template <class T>
const char* run(normalizing::Op op, bool backward, std::ptrdiff_t rows, std::ptrdiff_t n, const void* x,
                const void* g, void* out, const double* params, int np, double* grad_params, cudaStream_t s) {
  const auto* xs = static_cast<const T*>(x);
  const auto* gs = static_cast<const T*>(g);
  auto* os = static_cast<T*>(out);
  switch (op) {
    case normalizing::Op::polynorm: return run_row<PolyNorm>(backward, rows, n, xs, gs, os, params, np, grad_params, s);
    case normalizing::Op::ash: return run_row<Ash>(backward, rows, n, xs, gs, os, params, np, grad_params, s);
    case normalizing::Op::hard_ash: return run_row<HardAsh>(backward, rows, n, xs, gs, os, params, np, grad_params, s);
    case normalizing::Op::velu: return run_row<Velu>(backward, rows, n, xs, gs, os, params, np, grad_params, s);
    default: return "op: unknown normalising op";
  }
}

}  // namespace nonlin::norm_rows

namespace nonlin::cuda {

const char* run_normalizing(normalizing::Op op, DType dtype, bool backward, std::ptrdiff_t rows, std::ptrdiff_t n,
                            const void* x, const void* g, void* out, const double* params, int np,
                            double* grad_params, void* stream) {
  if (int(op) < 0 || int(op) >= normalizing::kOps) return "op: unknown normalising op";
  if (rows < 0 || n < 0) return "x: negative size";
  const int k = backward ? normalizing::param_grad_count(op, {params, np}) : 0;
  if (rows == 0 || n == 0) {
    std::fill_n(grad_params, k, 0.0);
    return nullptr;
  }
  const auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::f32) return norm_rows::run<float>(op, backward, rows, n, x, g, out, params, np, grad_params, s);
  if (dtype == DType::f64) return norm_rows::run<double>(op, backward, rows, n, x, g, out, params, np, grad_params, s);
  return "dtype: the normalising CUDA kernels take float32 or float64";
}

}  // namespace nonlin::cuda
