// CUDA kernels of the registry's elementwise ops: the per-element math of activations/ (the same
// source as the CPU kernels, on scalar Vec<T>), one element per thread in a grid-stride loop.
// Each op runs in the arithmetic the CPU kernels use (ops.h KernelOf); float16 and bfloat16
// load and store around the float32 kernel.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <vector>

// vec.h leaves Eigen out under nvcc but names its packet functions in (discarded) branches:
// include it first (Eigen 3.4 supports CUDA); only the scalar Vec<T> is used on the device.
#include <Eigen/Core>

#include "device.h"
#include "nonlin/ops.h"

namespace nonlin::cuda {

template <class Op, class St>
struct Operands {
  const St* in[Op::nin];
  Broadcast bcast[Op::nin];
  St* out[Op::nout];
};

template <class T, class St>
__device__ T load(const St* p) {
  if constexpr (std::is_same_v<St, __half>) return T(__half2float(*p));
  else if constexpr (std::is_same_v<St, __nv_bfloat16>) return T(__bfloat162float(*p));
  else return T(*p);
}
template <class St, class T>
__device__ void store(St* p, T v) {
  if constexpr (std::is_same_v<St, __half>) *p = __float2half_rn(float(v));
  else if constexpr (std::is_same_v<St, __nv_bfloat16>) *p = __float2bfloat16_rn(float(v));
  else *p = St(v);
}

// Op computed in T on data of type St (T = double for float32 data of float_via_double ops).
template <class Op, class T, class St>
__global__ void elementwise_kernel(std::ptrdiff_t n, Operands<Op, St> a) {
  const std::ptrdiff_t stride = std::ptrdiff_t(gridDim.x) * blockDim.x;
  for (std::ptrdiff_t i = std::ptrdiff_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    Vec<T> x[Op::nin], r[Op::nout];
    for (int k = 0; k < Op::nin; ++k) {
      const Broadcast b = a.bcast[k];
      x[k] = load<T>(a.in[k] + (b.mod == n ? i : b.mod == 1 && b.mod2 == 1 ? 0 : b.index(i)));
    }
    eval_element<Op, T>(x, r);
    for (int k = 0; k < Op::nout; ++k) store(a.out[k] + i, r[k].v);
  }
}

template <class Op, class St>
cudaError_t launch(std::ptrdiff_t n, const void* const* in, const Broadcast* in_bcast,
                   void* const* out, cudaStream_t stream) {
  using K = KernelOf<Op, std::conditional_t<std::is_same_v<St, double>, double, float>>;
  using KOp = typename K::op;
  Operands<KOp, St> a;
  for (int k = 0; k < Op::nin; ++k) {
    a.in[k] = static_cast<const St*>(in[k]);
    a.bcast[k] = in_bcast[k];
  }
  for (int k = 0; k < Op::nout; ++k) a.out[k] = static_cast<St*>(out[k]);
  constexpr int threads = 256;
  const std::ptrdiff_t want = (n + threads - 1) / threads;
  const int blocks = int(want < 65536 ? want : 65536);
  elementwise_kernel<KOp, typename K::compute, St><<<blocks, threads, 0, stream>>>(n, a);
  return cudaGetLastError();
}

using Launch = cudaError_t (*)(std::ptrdiff_t, const void* const*, const Broadcast*,
                               void* const*, cudaStream_t);
struct LaunchRow {
  Launch by_dtype[4];  // DType order
};

// The launchers of one part of the registry (ops.h for_each_op_in), in table order.
template <int Part>
std::vector<LaunchRow> launch_table() {
  std::vector<LaunchRow> t;
  for_each_op_in<Part>([&]<class Op>(const char*) {
    t.push_back({{&launch<Op, __half>, &launch<Op, __nv_bfloat16>, &launch<Op, float>,
                  &launch<Op, double>}});
  });
  return t;
}

}  // namespace nonlin::cuda
