// CUDA kernels of the rational activations: the per-element math of formula.h (the same
// source as the CPU kernels, on scalar Vec<T>), one element per thread; coefficient gradients
// reduced deterministically: per-thread float64 sums over a fixed grid-stride assignment, a
// fixed-order tree in shared memory per block, then one pass over the block partials in block
// order (no atomics; the launch shape depends on n only). Built with the CUDA kernels
// (a compile check here: the development machine has no GPU).
#include <cstddef>

// vec.h leaves Eigen out under nvcc but names its packet functions in (discarded) branches:
// include it first (Eigen 3.4 supports CUDA); only the scalar Vec<T> is used on the device.
#include <Eigen/Core>

#include "nonlin/rational/formula.h"

namespace nonlin::rational::cuda {

using nonlin::Vec;

constexpr int kThreads = 256;
constexpr int kBlocks = 1024;  // fixed: the reduction order must not depend on the device

template <class T>
struct DeviceArgs {
  Version version;  // A, B, C or N (D: B with noisy coefficients, prepared on the host)
  int m, n, m_eff, n_eff;
  const T* a;       // one group (the host launches one grid per group run layout)
  const T* c;
  T thr;
};

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

// Forward / derivative / backward over n elements; backward writes block partial sums
// partial[block][m + 1 + n + 1].
template <Version Vn, class T>
__global__ void rational_kernel(DeviceArgs<T> p, Mode mode, std::ptrdiff_t n, const T* x,
                                const T* g, T* out, double* partial) {
  double sa[kMaxDegree + 1] = {}, sc[kMaxDegree + 1] = {};
  const std::ptrdiff_t stride = std::ptrdiff_t(gridDim.x) * blockDim.x;
  for (std::ptrdiff_t i = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    out[i] = element<Vn>(p, mode, x[i], mode == Mode::backward ? g[i] : T(0), sa, sc);
  if (mode != Mode::backward) return;
  __shared__ double tile[kThreads];
  const int nc = p.m + p.n + 2;
  for (int q = 0; q < nc; ++q) {  // fixed-order tree per coefficient; every thread takes part
    tile[threadIdx.x] = q <= p.m ? sa[q] : sc[q - p.m - 1];
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w /= 2) {
      if (threadIdx.x < w) tile[threadIdx.x] += tile[threadIdx.x + w];
      __syncthreads();
    }
    if (threadIdx.x == 0) partial[std::ptrdiff_t(blockIdx.x) * nc + q] = tile[0];
    __syncthreads();
  }
}

// sums[q] = sum over blocks, in block order, of partial[block][q].
__global__ void reduce_partials(const double* partial, int blocks, int nc, double* sums) {
  const int q = blockIdx.x * blockDim.x + threadIdx.x;
  if (q >= nc) return;
  double s = 0;
  for (int b = 0; b < blocks; ++b) s += partial[std::ptrdiff_t(b) * nc + q];
  sums[q] = s;
}

// Host entry (device pointers): launches with the fixed shape; `partial` holds
// kBlocks * (m + n + 2) doubles, `sums` m + n + 2 (a-terms, then c_0..c_n terms).
template <class T>
cudaError_t launch(const DeviceArgs<T>& p, Mode mode, std::ptrdiff_t n, const T* x, const T* g,
                   T* out, double* partial, double* sums, cudaStream_t stream) {
  switch (p.version) {
    case Version::A: rational_kernel<Version::A><<<kBlocks, kThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
    case Version::C: rational_kernel<Version::C><<<kBlocks, kThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
    case Version::N: rational_kernel<Version::N><<<kBlocks, kThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
    default: rational_kernel<Version::B><<<kBlocks, kThreads, 0, stream>>>(p, mode, n, x, g, out, partial); break;
  }
  if (mode == Mode::backward) {
    const int nc = p.m + p.n + 2;
    reduce_partials<<<(nc + 63) / 64, 64, 0, stream>>>(partial, kBlocks, nc, sums);
  }
  return cudaGetLastError();
}

template cudaError_t launch<float>(const DeviceArgs<float>&, Mode, std::ptrdiff_t, const float*,
                                   const float*, float*, double*, double*, cudaStream_t);
template cudaError_t launch<double>(const DeviceArgs<double>&, Mode, std::ptrdiff_t, const double*,
                                    const double*, double*, double*, double*, cudaStream_t);

}  // namespace nonlin::rational::cuda
