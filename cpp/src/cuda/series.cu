// CUDA kernels of the coefficient-vector activations (Hermite, Fourier, tropical, tropical
// rational, PolyReLU): the per-element step of nonlin/series/element.h (families.h on scalar
// Vec<C>, the same source as the CPU loops), one element per thread; parameter gradients
// reduced deterministically (block_sums.cuh). The parameters are prepared on the host as by the
// CPU driver (cpu/series_prepare.h), in the same arithmetic: float32 families that the CPU runs
// through float64 (series_prepare.h native_float) compute in double here too. Built with the
// CUDA kernels (a compile check here: the development machine has no GPU).
#include <algorithm>
#include <cstddef>
#include <vector>

// vec.h leaves Eigen out under nvcc but names its packet functions in (discarded) branches:
// include it first (Eigen 3.4 supports CUDA); only the scalar Vec<T> is used on the device.
#include <Eigen/Core>

#include "nonlin/series/element.h"

#include "../cpu/series_prepare.h"
#include "block_sums.cuh"
#include "device.h"

namespace nonlin::series::cuda {

using nonlin::cuda::kSumBlocks;
using nonlin::cuda::kSumThreads;

// Elements of x (storage St) computed in C; backward writes partial[block][count].
template <class Fam, Mode Md, class C, class St>
__global__ void series_kernel(Args<C> a, std::ptrdiff_t n, const St* x, const St* g, St* out,
                              double* partial) {
  double sums[Md == Mode::backward ? kMaxParams : 1] = {};
  const std::ptrdiff_t stride = std::ptrdiff_t(gridDim.x) * blockDim.x;
  for (std::ptrdiff_t i = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride)
    out[i] = St(element<Fam, Md>(a, C(x[i]), Md == Mode::backward ? C(g[i]) : C(0), sums));
  if constexpr (Md == Mode::backward) nonlin::cuda::block_partials(sums, a.count, partial);
}

template <class Fam, Mode Md, class C, class St>
void launch_mode(const Args<C>& a, std::ptrdiff_t n, const St* x, const St* g, St* out, double* partial,
                 cudaStream_t stream) {
  if constexpr (Md == Mode::backward) {  // the fixed shape of the deterministic reduction
    series_kernel<Fam, Md, C><<<kSumBlocks, kSumThreads, 0, stream>>>(a, n, x, g, out, partial);
  } else {
    const std::ptrdiff_t want = (n + kSumThreads - 1) / kSumThreads;
    series_kernel<Fam, Md, C><<<int(want < 65536 ? want : 65536), kSumThreads, 0, stream>>>(a, n, x, g, out,
                                                                                             partial);
  }
}

template <class Fam, class C, class St>
void launch_family(const Args<C>& a, Mode mode, std::ptrdiff_t n, const St* x, const St* g, St* out,
                   double* partial, cudaStream_t stream) {
  switch (mode) {
    case Mode::forward: return launch_mode<Fam, Mode::forward>(a, n, x, g, out, partial, stream);
    case Mode::derivative: return launch_mode<Fam, Mode::derivative>(a, n, x, g, out, partial, stream);
    case Mode::backward: return launch_mode<Fam, Mode::backward>(a, n, x, g, out, partial, stream);
  }
}

template <class C, class St>
void launch(const Args<C>& a, Mode mode, std::ptrdiff_t n, const St* x, const St* g, St* out, double* partial,
            cudaStream_t stream) {
  switch (a.family) {
    case Family::hermite: return launch_family<Hermite>(a, mode, n, x, g, out, partial, stream);
    case Family::fourier: return launch_family<Fourier>(a, mode, n, x, g, out, partial, stream);
    case Family::tropical: return launch_family<Tropical>(a, mode, n, x, g, out, partial, stream);
    case Family::tropical_rational: return launch_family<TropicalRational>(a, mode, n, x, g, out, partial, stream);
    case Family::polyrelu: return launch_family<Polyrelu>(a, mode, n, x, g, out, partial, stream);
  }
}

// One problem computed in C on storage St: the parameters (host, float64 holding St values)
// prepared on the host and copied to a device workspace with the reduction buffers; backward
// copies the sums to grad_params (host) and synchronises the stream.
template <class C, class St>
const char* run_in(const Problem& p, Mode mode, const St* x, const St* g, const double* params, St* out,
                   double* grad_params, cudaStream_t stream) {
  const int count = param_count(p.family, p.degree);
  const std::vector<C> pc(params, params + count);
  Args<C> a = prepare<C>(p, pc.data(), params);
  const std::size_t param_bytes = (sizeof(C) * std::size_t(count) + 7) / 8 * 8;
  const std::size_t sums_bytes = sizeof(double) * std::size_t(kSumBlocks + 1) * std::size_t(count);
  char* work = nullptr;
  cudaError_t e = cudaMallocAsync(reinterpret_cast<void**>(&work), param_bytes + sums_bytes, stream);
  if (e != cudaSuccess) return cudaGetErrorString(e);
  double* partial = reinterpret_cast<double*>(work + param_bytes);
  double* sums = partial + std::size_t(kSumBlocks) * std::size_t(count);
  // pageable host memory: the copy has read pc before cudaMemcpyAsync returns
  e = cudaMemcpyAsync(work, pc.data(), sizeof(C) * pc.size(), cudaMemcpyHostToDevice, stream);
  a.p = reinterpret_cast<const C*>(work);
  if (e == cudaSuccess) {
    launch(a, mode, p.size, x, g, out, partial, stream);
    e = cudaGetLastError();
  }
  const bool backward = mode == Mode::backward;
  if (e == cudaSuccess && backward) {
    nonlin::cuda::enqueue_reduce(partial, count, sums, stream);
    e = cudaGetLastError();
  }
  return nonlin::cuda::finish(e, work, sums, backward ? std::size_t(count) : 0, grad_params, stream);
}

template <class St>
const char* run(const Problem& p, Mode mode, const void* x, const void* g, const double* params, void* out,
                double* grad_params, cudaStream_t stream) {
  const auto* xs = static_cast<const St*>(x);
  const auto* gs = static_cast<const St*>(g);
  auto* os = static_cast<St*>(out);
  if (sizeof(St) == 4 && !native_float(p.family))
    return run_in<double>(p, mode, xs, gs, params, os, grad_params, stream);
  return run_in<St>(p, mode, xs, gs, params, os, grad_params, stream);
}

}  // namespace nonlin::series::cuda

namespace nonlin::cuda {

const char* run_series(const series::Problem& p, DType dtype, series::Mode mode, const void* x, const void* g,
                       const double* params, void* out, double* grad_params, void* stream) {
  if (const char* err = series::check(p)) return err;
  if (p.size == 0) {
    if (mode == series::Mode::backward) std::fill_n(grad_params, series::param_count(p.family, p.degree), 0.0);
    return nullptr;
  }
  const auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::f32) return series::cuda::run<float>(p, mode, x, g, params, out, grad_params, s);
  if (dtype == DType::f64) return series::cuda::run<double>(p, mode, x, g, params, out, grad_params, s);
  return "dtype: the series CUDA kernels take float32 or float64";
}

}  // namespace nonlin::cuda
