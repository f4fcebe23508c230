// CUDA kernels of the fused Mittag-Leffler gated activations (nonlin/mittag_leffler/gated.h),
// one element per thread through the CPU kernels' own per-element code on scalar Vec<double>:
// the maps and the shift (gated_element.h), each factor part by its closed form or its plan's
// pieces (plan_eval.h), the combination. The host chooses the routes as the CPU driver does
// (cpu/ml_gated_routes.h: plans fitted to the factors' argument range, found by a device pass
// over x) and copies the plans' arrays to the device. Elements a plan does not cover (special
// values, unfitted pieces, parts without a plan) are flagged by the kernel and computed on the
// host by the CPU driver, then scattered back; the parameter gradients' sums add the host's
// share to the device's deterministic reduction (block_sums.cuh). Built with the CUDA kernels
// (a compile check here: the development machine has no GPU).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

// vec.h leaves Eigen out under nvcc but names its packet functions in (discarded) branches:
// include it first (Eigen 3.4 supports CUDA); only the scalar Vec<double> is used on the device.
#include <Eigen/Core>

#include "block_sums.cuh"
#include "device.h"
#include "ml_gated_launch.h"

namespace nonlin::ml::cuda {

using nonlin::cuda::kSumBlocks;
using nonlin::cuda::kSumThreads;
using ml_device::DevicePart;
using ml_device::Launch;

// Elements of x (storage St); flags[i] = 1 (and count incremented) where the host must compute
// the element, whose output is then left alone; params writes partial[block][4].
template <class St>
__global__ void gated_kernel(Launch L, std::ptrdiff_t n, const St* x, const St* g, St* out,
                             unsigned char* flags, unsigned long long* count, double* partial) {
  double sums[4] = {0, 0, 0, 0};
  const bool with_g = L.mode == GatedMode::backward || L.mode == GatedMode::params;
  const std::ptrdiff_t stride = std::ptrdiff_t(gridDim.x) * blockDim.x;
  for (std::ptrdiff_t i = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    double r[4];
    const double gi = with_g ? double(g[i]) : 0.0;
    const bool covered = ml_device::element(L, double(x[i]), gi, r);
    flags[i] = covered ? 0 : 1;
    if (!covered) {
      atomicAdd(count, 1ull);  // a count: the same total in any order
    } else if (L.mode == GatedMode::params) {
      for (int k = 0; k < 4; ++k) sums[k] = ::fma(gi, r[k], sums[k]);
    } else if (L.mode == GatedMode::param_parts) {
      for (int k = 0; k < 4; ++k) out[k * n + i] = St(r[k]);
    } else {
      out[i] = St(r[0]);
    }
  }
  if (L.mode == GatedMode::params) nonlin::cuda::block_partials(sums, 4, partial);
}

// partial[block] = {smallest, largest} number of the block's elements (NaNs fail the comparisons)
template <class St>
__global__ void range_kernel(std::ptrdiff_t n, const St* x, double* partial) {
  __shared__ double lo[kSumThreads], hi[kSumThreads];
  double l = INFINITY, h = -INFINITY;
  const std::ptrdiff_t stride = std::ptrdiff_t(gridDim.x) * blockDim.x;
  for (std::ptrdiff_t i = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const double v = double(x[i]);
    l = v < l ? v : l;
    h = v > h ? v : h;
  }
  lo[threadIdx.x] = l;
  hi[threadIdx.x] = h;
  __syncthreads();
  for (int w = kSumThreads / 2; w > 0; w /= 2) {
    if (threadIdx.x < w) {
      lo[threadIdx.x] = fmin(lo[threadIdx.x], lo[threadIdx.x + w]);
      hi[threadIdx.x] = fmax(hi[threadIdx.x], hi[threadIdx.x + w]);
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    partial[2 * blockIdx.x] = lo[0];
    partial[2 * blockIdx.x + 1] = hi[0];
  }
}

// the flagged elements: xs[j] = x[idx[j]], gs[j] = g[idx[j]] (g may be null)
template <class St>
__global__ void gather_kernel(std::ptrdiff_t m, const std::int64_t* idx, const St* x, const St* g, St* xs, St* gs) {
  const std::ptrdiff_t j = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= m) return;
  xs[j] = x[idx[j]];
  if (g) gs[j] = g[idx[j]];
}

// their outputs back: out[q n + idx[j]] = vals[q m + j] for q < rows
template <class St>
__global__ void scatter_kernel(std::ptrdiff_t m, int rows, std::ptrdiff_t n, const std::int64_t* idx,
                               const St* vals, St* out) {
  const std::ptrdiff_t j = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= m) return;
  for (int q = 0; q < rows; ++q) out[q * n + idx[j]] = vals[q * m + j];
}

int blocks_for(std::ptrdiff_t n) {
  const std::ptrdiff_t want = (n + kSumThreads - 1) / kSumThreads;
  return int(std::clamp<std::ptrdiff_t>(want, 1, 65536));
}

// The work of one call: device allocations freed on every path, the first error kept.
struct Work {
  cudaStream_t stream;
  cudaError_t e = cudaSuccess;
  std::vector<void*> blocks;
  explicit Work(cudaStream_t s) : stream(s) {}
  ~Work() {
    for (void* b : blocks) cudaFreeAsync(b, stream);
  }
  template <class T>
  T* alloc(std::size_t count) {
    void* p = nullptr;
    if (e == cudaSuccess) e = cudaMallocAsync(&p, std::max<std::size_t>(1, count * sizeof(T)), stream);
    if (e != cudaSuccess) return nullptr;
    blocks.push_back(p);
    return static_cast<T*>(p);
  }
  // pageable host memory: the copy has read `from` before cudaMemcpyAsync returns
  void to_device(void* to, const void* from, std::size_t bytes) {
    if (e == cudaSuccess && bytes) e = cudaMemcpyAsync(to, from, bytes, cudaMemcpyHostToDevice, stream);
  }
  void to_host(void* to, const void* from, std::size_t bytes) {  // waits for the stream
    if (e == cudaSuccess && bytes) e = cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToHost, stream);
    if (e == cudaSuccess) e = cudaStreamSynchronize(stream);
  }
  void launched() {
    if (e == cudaSuccess) e = cudaGetLastError();
  }
};

// smallest and largest number in x (lo > hi if none)
template <class St>
std::pair<double, double> x_range(Work& w, std::ptrdiff_t n, const St* x) {
  const int blocks = std::min(kSumBlocks, blocks_for(n));
  double* partial = w.alloc<double>(2 * std::size_t(blocks));
  std::vector<double> h(2 * std::size_t(blocks), NAN);
  if (partial) {
    range_kernel<St><<<blocks, kSumThreads, 0, w.stream>>>(n, x, partial);
    w.launched();
    w.to_host(h.data(), partial, sizeof(double) * h.size());
  }
  double lo = INFINITY, hi = -INFINITY;
  for (int b = 0; b < blocks; ++b) {
    lo = std::fmin(lo, h[2 * b]);
    hi = std::fmax(hi, h[2 * b + 1]);
  }
  return {lo, hi};
}

// The plans' arrays in one buffer for the device: add() records where each view's pointer
// field lives and its array's offset in buf; place() points them into the device copy.
struct PlanCopy {
  std::vector<double> buf;
  struct Fix {
    const double** field;
    std::size_t offset;
  };
  std::vector<Fix> fixes;
  void add(const double*& field, std::size_t count) {
    if (!field || !count) {
      field = nullptr;
      return;
    }
    fixes.push_back({&field, buf.size()});
    buf.insert(buf.end(), field, field + count);
  }
  void add(PlanView& v) {
    add(v.hi, std::size_t(v.pieces));
    add(v.bucket_first, std::size_t(v.pieces ? v.buckets : 0));
    add(v.data, std::size_t(v.pieces) * std::size_t(v.stride));
    add(v.series, std::size_t(v.series_terms));
    const int tail = std::max(v.tail_terms, v.tail_pos_terms);
    add(v.tail, tail > 0 ? std::size_t(tail) + 1 : 0);
  }
  void place(const double* device) {
    for (const Fix& f : fixes) *f.field = device + f.offset;
  }
};

template <class St>
const char* run(const GatedForm& form, const GatedParams& p, GatedMode mode, unsigned need, std::ptrdiff_t n,
                const St* x, const St* g, St* out, double* sums, cudaStream_t stream) {
  Work w(stream);
  const Routes r = gated_routes(form, p, mode, need, n, sizeof(St) == 4, [&] { return x_range(w, n, x); });
  if (w.e != cudaSuccess) return cudaGetErrorString(w.e);
  // the launch, with the plans' arrays in one device block: PlanCopy::add records the addresses
  // of the views' fields inside L, place() points them into the copy
  PlanCopy copy;
  Launch L;
  device_launch(form, p, mode, r, sizeof(St) == 4, L, [&](PlanView& v) { copy.add(v); });
  double* plans = w.alloc<double>(copy.buf.size());
  copy.place(plans);
  w.to_device(plans, copy.buf.data(), sizeof(double) * copy.buf.size());
  double* partial = w.alloc<double>(std::size_t(kSumBlocks) * 4 + 4);
  auto* count = w.alloc<unsigned long long>(1);
  auto* flags = w.alloc<unsigned char>(std::size_t(n));
  if (w.e == cudaSuccess) w.e = cudaMemsetAsync(count, 0, sizeof(unsigned long long), stream);
  if (w.e != cudaSuccess) return cudaGetErrorString(w.e);
  const bool reduce = mode == GatedMode::params;
  gated_kernel<St><<<reduce ? kSumBlocks : blocks_for(n), kSumThreads, 0, stream>>>(L, n, x, g, out, flags, count,
                                                                                     partial);
  w.launched();
  double dev_sums[4] = {0, 0, 0, 0};
  unsigned long long flagged = 0;
  if (reduce) {
    nonlin::cuda::enqueue_reduce(partial, 4, partial + std::size_t(kSumBlocks) * 4, stream);
    w.launched();
    w.to_host(dev_sums, partial + std::size_t(kSumBlocks) * 4, sizeof dev_sums);
  }
  w.to_host(&flagged, count, sizeof flagged);
  if (w.e != cudaSuccess) return cudaGetErrorString(w.e);
  if (flagged > 0) {  // the host's elements, in index order
    std::vector<unsigned char> f(static_cast<std::size_t>(n));
    w.to_host(f.data(), flags, f.size());
    std::vector<std::int64_t> idx;
    idx.reserve(flagged);
    for (std::ptrdiff_t i = 0; i < n; ++i)
      if (f[i]) idx.push_back(i);
    const auto m = std::ptrdiff_t(idx.size());
    const bool with_g = mode == GatedMode::backward || mode == GatedMode::params;
    auto* didx = w.alloc<std::int64_t>(idx.size());
    St* dx = w.alloc<St>(idx.size());
    St* dg = w.alloc<St>(idx.size());
    w.to_device(didx, idx.data(), sizeof(std::int64_t) * idx.size());
    if (w.e != cudaSuccess) return cudaGetErrorString(w.e);
    const int gb = int((m + 255) / 256);
    gather_kernel<St><<<gb, 256, 0, stream>>>(m, didx, x, with_g ? g : nullptr, dx, dg);
    w.launched();
    std::vector<St> hx(idx.size()), hg(with_g ? idx.size() : 0);
    w.to_host(hx.data(), dx, sizeof(St) * hx.size());
    w.to_host(hg.data(), dg, sizeof(St) * hg.size());
    if (w.e != cudaSuccess) return cudaGetErrorString(w.e);
    const int rows = mode == GatedMode::param_parts ? 4 : reduce ? 0 : 1;
    std::vector<St> ho(std::size_t(rows) * idx.size());
    double host_sums[4] = {0, 0, 0, 0};
    gated_run<St>(form, p, mode, m, hx.data(), with_g ? hg.data() : nullptr, ho.data(), host_sums, need);
    for (int k = 0; k < 4; ++k) dev_sums[k] += host_sums[k];
    if (rows > 0) {
      St* dvals = w.alloc<St>(ho.size());
      w.to_device(dvals, ho.data(), sizeof(St) * ho.size());
      if (w.e != cudaSuccess) return cudaGetErrorString(w.e);
      scatter_kernel<St><<<gb, 256, 0, stream>>>(m, rows, n, didx, dvals, out);
      w.launched();
    }
  }
  if (reduce) std::copy(dev_sums, dev_sums + 4, sums);
  return w.e == cudaSuccess ? nullptr : cudaGetErrorString(w.e);
}

}  // namespace nonlin::ml::cuda

namespace nonlin::cuda {

const char* run_ml_gated(const ml::GatedForm& form, const ml::GatedParams& p, ml::GatedMode mode, unsigned need,
                         DType dtype, std::ptrdiff_t n, const void* x, const void* g, void* out, double* sums,
                         void* stream) {
  if (const char* err = ml::gated_check(form, p)) return err;
  if (mode == ml::GatedMode::params) std::fill_n(sums, 4, 0.0);
  if (n == 0) return nullptr;
  const auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::f32)
    return ml::cuda::run<float>(form, p, mode, need, n, static_cast<const float*>(x), static_cast<const float*>(g),
                                static_cast<float*>(out), sums, s);
  if (dtype == DType::f64)
    return ml::cuda::run<double>(form, p, mode, need, n, static_cast<const double*>(x),
                                 static_cast<const double*>(g), static_cast<double*>(out), sums, s);
  return "dtype: the Mittag-Leffler gated CUDA kernels take float32 or float64";
}

}  // namespace nonlin::cuda
