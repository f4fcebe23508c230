// CUDA kernels of the rational activations: the per-element math of formula.h (the same
// source as the CPU kernels, on scalar Vec<T>), one element per thread; coefficient gradients
// reduced deterministically: per-thread float64 sums over a fixed grid-stride assignment, a
// fixed-order tree in shared memory per block, then one pass over the block partials in block
// order (no atomics; the launch shape depends on n only). Built with the CUDA kernels
// (a compile check here: the development machine has no GPU).
#include <algorithm>
#include <cstddef>
#include <vector>

// vec.h leaves Eigen out under nvcc but names its packet functions in (discarded) branches:
// include it first (Eigen 3.4 supports CUDA); only the scalar Vec<T> is used on the device.
#include <Eigen/Core>

#include "nonlin/rational/formula.h"

#include "../cpu/rational_prepare.h"
#include "block_sums.cuh"
#include "device.h"

namespace nonlin::rational::cuda {

using nonlin::Vec;

using nonlin::cuda::kSumBlocks;
using nonlin::cuda::kSumThreads;

template <class T>
struct DeviceArgs {
  Version version;  // A, B, C or N (D: B with noisy coefficients, prepared on the host)
  int m, n, m_eff, n_eff;
  const T* a;       // one group's coefficients (the host launches one grid per group)
  const T* c;
  T thr;
  std::ptrdiff_t groups, run, group;  // element i belongs to group (i / run) % groups
};

// The index of the t-th element of the launch's group.
template <class T>
__device__ std::ptrdiff_t element_index(const DeviceArgs<T>& p, std::ptrdiff_t t) {
  return p.groups == 1 ? t : ((t / p.run) * p.groups + p.group) * p.run + t % p.run;
}

template <Version Vn, class T>
__device__ T element(const DeviceArgs<T>& p, Mode mode, T x, T g, double* sa, double* sc) {
  using V = Vec<T>;
  if (fabs(x) > p.thr) {  // large |x|: the scaled form (formula.h)
    LargeX<T> e;
    large_x(Vn, mode == Mode::backward, x, g, p.a, p.m, p.m_eff, p.c, p.n, p.n_eff, e);
    if (mode == Mode::backward) {
      for (int j = 0; j <= p.m; ++j) sa[j] += double(e.ta[j]);
      for (int k = 0; k <= p.n; ++k) sc[k] += double(e.tb[k]);
    }
    return mode == Mode::forward ? e.y : mode == Mode::derivative ? e.d : g * e.d;
  }
  if (mode == Mode::forward) return forward<Vn>(V(x), p.a, p.m, p.c, p.n).v;
  if (mode == Mode::derivative) return derivative<Vn>(V(x), p.a, p.m, p.c, p.n).v;
  V wa, wb;
  const T gx = backward<Vn>(V(g), V(x), p.a, p.m, p.c, p.n, wa, wb).v;
  double t = double(wa.v);
  for (int j = 0; j <= p.m; ++j, t *= double(x)) sa[j] += t;
  const double z = double(den_base<Vn>(V(x)).v);
  t = double(wb.v);
  for (int k = 0; k <= p.n; ++k, t *= z) sc[k] += Vn == Version::C || k > 0 ? t : 0.0;
  return gx;
}

// Forward / derivative / backward over the n elements of one group; backward writes block
// partial sums partial[block][m + 1 + n + 1].
template <Version Vn, class T>
__global__ void rational_kernel(DeviceArgs<T> p, Mode mode, std::ptrdiff_t n, const T* x,
                                const T* g, T* out, double* partial) {
  double sums[2 * kMaxDegree + 2] = {};  // a-terms, then c-terms
  const std::ptrdiff_t stride = std::ptrdiff_t(gridDim.x) * blockDim.x;
  for (std::ptrdiff_t t = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x; t < n; t += stride) {
    const std::ptrdiff_t i = element_index(p, t);
    out[i] = element<Vn>(p, mode, x[i], mode == Mode::backward ? g[i] : T(0), sums, sums + p.m + 1);
  }
  if (mode == Mode::backward) nonlin::cuda::block_partials(sums, p.m + p.n + 2, partial);
}

// Host entry (device pointers): launches with the fixed shape; `partial` holds
// kSumBlocks * (m + n + 2) doubles, `sums` m + n + 2 (a-terms, then c_0..c_n terms).
template <class T>
cudaError_t launch(const DeviceArgs<T>& p, Mode mode, std::ptrdiff_t n, const T* x, const T* g,
                   T* out, double* partial, double* sums, cudaStream_t stream) {
  switch (p.version) {
    case Version::A: rational_kernel<Version::A><<<kSumBlocks, kSumThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
    case Version::C: rational_kernel<Version::C><<<kSumBlocks, kSumThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
    case Version::N: rational_kernel<Version::N><<<kSumBlocks, kSumThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
    default: rational_kernel<Version::B><<<kSumBlocks, kSumThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
  }
  if (mode == Mode::backward) nonlin::cuda::enqueue_reduce(partial, p.m + p.n + 2, sums, stream);
  return cudaGetLastError();
}

// One problem on device arrays (device.h run_rational): the coefficients prepared on the host
// as on the CPU (rational_prepare.h), copied to a device workspace, one launch per group in
// stream order (the groups share the partials buffer); backward copies the per-group sums back
// and synchronises the stream.
template <class T>
const char* run(const Problem& p, Mode mode, const T* x, const T* g, const T* num, const T* den,
                T* out, double* grad_num, double* grad_den, cudaStream_t stream) {
  const int na = p.m + 1, nc = p.n + 1, per = na + nc;
  const std::ptrdiff_t G = p.groups, run = p.run > 0 ? p.run : p.size;
  if (G > 1 && p.size % (G * run)) return "x: size is not a whole number of group runs";
  const std::ptrdiff_t per_group = G > 1 ? p.size / G : p.size;
  const Prepared<T> prep(p, num, den);
  const std::size_t coef_bytes = sizeof(T) * std::size_t(G * per);
  const std::size_t sums_bytes = sizeof(double) * std::size_t((kSumBlocks + G) * per);
  char* work = nullptr;
  cudaError_t e = cudaMallocAsync(reinterpret_cast<void**>(&work), coef_bytes + sums_bytes, stream);
  if (e != cudaSuccess) return cudaGetErrorString(e);
  T* a = reinterpret_cast<T*>(work);
  T* c = a + G * na;
  double* partial = reinterpret_cast<double*>(work + (coef_bytes + 7) / 8 * 8);
  double* sums = partial + std::size_t(kSumBlocks) * per;
  std::vector<double> host_sums(mode == Mode::backward ? std::size_t(G * per) : 0);
  // pageable host memory: the copies complete before cudaMemcpyAsync returns
  e = cudaMemcpyAsync(a, prep.a.data(), sizeof(T) * prep.a.size(), cudaMemcpyHostToDevice, stream);
  if (e == cudaSuccess)
    e = cudaMemcpyAsync(c, prep.c.data(), sizeof(T) * prep.c.size(), cudaMemcpyHostToDevice, stream);
  for (std::ptrdiff_t grp = 0; grp < G && e == cudaSuccess; ++grp) {
    const DeviceArgs<T> d{p.version, p.m, p.n, prep.m_eff[grp], prep.n_eff[grp], a + grp * na,
                          c + grp * nc, prep.args.thr, G, run, grp};
    e = launch(d, mode, per_group, x, g, out, partial, sums + grp * per, stream);
  }
  if (const char* err = nonlin::cuda::finish(e, work, sums, host_sums.size(), host_sums.data(), stream)) return err;
  if (mode == Mode::backward) coefficient_gradients(p, prep, den, host_sums.data(), grad_num, grad_den);
  return nullptr;
}

}  // namespace nonlin::rational::cuda

namespace nonlin::cuda {

const char* run_rational(const rational::Problem& p, DType dtype, rational::Mode mode, const void* x,
                         const void* g, const void* num, const void* den, void* out, double* grad_num,
                         double* grad_den, void* stream) {
  if (const char* err = rational::check(p)) return err;
  if (p.size == 0) {
    if (mode == rational::Mode::backward) {
      std::fill_n(grad_num, p.groups * (p.m + 1), 0.0);
      std::fill_n(grad_den, p.groups * rational::den_count(p), 0.0);
    }
    return nullptr;
  }
  const auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::f32)
    return rational::cuda::run(p, mode, static_cast<const float*>(x), static_cast<const float*>(g),
                               static_cast<const float*>(num), static_cast<const float*>(den),
                               static_cast<float*>(out), grad_num, grad_den, s);
  if (dtype == DType::f64)
    return rational::cuda::run(p, mode, static_cast<const double*>(x), static_cast<const double*>(g),
                               static_cast<const double*>(num), static_cast<const double*>(den),
                               static_cast<double*>(out), grad_num, grad_den, s);
  return "dtype: the rational CUDA kernels take float32 or float64";
}

namespace {

template <class T>
const char* with_device_tables(const rational::Problem& p, DType dtype, rational::Mode mode, const void* x,
                               const void* g, const void* num, const void* den, void* out, void* grad_num,
                               void* grad_den, cudaStream_t stream) {
  const std::size_t na = std::size_t(p.groups * (p.m + 1)), nc = std::size_t(p.groups * rational::den_count(p));
  std::vector<T> hnum(na), hden(nc);
  cudaError_t e = cudaMemcpyAsync(hnum.data(), num, sizeof(T) * na, cudaMemcpyDeviceToHost, stream);
  if (e == cudaSuccess) e = cudaMemcpyAsync(hden.data(), den, sizeof(T) * nc, cudaMemcpyDeviceToHost, stream);
  if (e == cudaSuccess) e = cudaStreamSynchronize(stream);
  if (e != cudaSuccess) return cudaGetErrorString(e);
  const bool backward = mode == rational::Mode::backward;
  std::vector<double> gnum(backward ? na : 0), gden(backward ? nc : 0);
  if (const char* err = run_rational(p, dtype, mode, x, g, hnum.data(), hden.data(), out, gnum.data(),
                                     gden.data(), stream))
    return err;
  if (!backward) return nullptr;
  // pageable host memory: each copy has read its source before cudaMemcpyAsync returns
  const std::vector<T> tnum(gnum.begin(), gnum.end()), tden(gden.begin(), gden.end());
  e = cudaMemcpyAsync(grad_num, tnum.data(), sizeof(T) * na, cudaMemcpyHostToDevice, stream);
  if (e == cudaSuccess) e = cudaMemcpyAsync(grad_den, tden.data(), sizeof(T) * nc, cudaMemcpyHostToDevice, stream);
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace

const char* run_rational_device_tables(const rational::Problem& p, DType dtype, rational::Mode mode,
                                       const void* x, const void* g, const void* num, const void* den,
                                       void* out, void* grad_num, void* grad_den, void* stream) {
  if (const char* err = rational::check(p)) return err;
  const auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::f32) return with_device_tables<float>(p, dtype, mode, x, g, num, den, out, grad_num, grad_den, s);
  if (dtype == DType::f64) return with_device_tables<double>(p, dtype, mode, x, g, num, den, out, grad_num, grad_den, s);
  return "dtype: the rational CUDA kernels take float32 or float64";
}

}  // namespace nonlin::cuda
