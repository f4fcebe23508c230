// Kernel loops, compiled once per ISA (see CMakeLists.txt): -DNONLIN_ISA=<isa> and
// -DEigen=Eigen_<isa> keep every instantiation in its own namespace. NONLIN_KERNEL_PART selects
// the part of the registry (ops.h for_each_op_in) this translation unit instantiates.
#ifndef NONLIN_KERNEL_PART
#define NONLIN_KERNEL_PART 0
#endif
#include <algorithm>
#include <vector>

#include "nonlin/kernels.h"
#include "nonlin/ops.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace {

namespace ei = Eigen::internal;

template <class Op, class T>
void contiguous_kernel(std::ptrdiff_t n, const T* const* in, const std::ptrdiff_t* in_step,
                       T* const* out);

template <class Op>
void float_through_double(std::ptrdiff_t n, const float* const* in, const std::ptrdiff_t* in_step,
                          float* const* out) {
  constexpr std::ptrdiff_t B = 256;
  constexpr int NI = Op::nin, NO = Op::nout;
  alignas(64) double xin[NI][B], xout[NO][B];
  const double* pin[NI];
  double* pout[NO];
  for (int k = 0; k < NO; ++k) pout[k] = xout[k];
  for (std::ptrdiff_t i = 0; i < n; i += B) {
    const std::ptrdiff_t m = std::min(B, n - i);
    for (int k = 0; k < NI; ++k) {
      if (in_step[k]) {  // in_step is 1 or 0 (a broadcast scalar): a loop that vectorises
        const float* src = in[k] + i;
        for (std::ptrdiff_t j = 0; j < m; ++j) xin[k][j] = src[j];
      } else {
        xin[k][0] = in[k][0];
      }
      pin[k] = xin[k];
    }
    contiguous_kernel<Op, double>(m, pin, in_step, pout);
    for (int k = 0; k < NO; ++k) {
      float* dst = out[k] + i;
      const double* src = xout[k];
      for (std::ptrdiff_t j = 0; j < m; ++j) dst[j] = float(src[j]);
    }
  }
}

// float_native_below (ops.h): the lanes of a float32 packet whose x or parameters reach it,
// recomputed one at a time with the float64 formula (such inputs are rare).
template <class Op, class V>
void redo_wide_lanes(const V* a, V* r) {
  const auto wide = wide_lanes<Op>(a);
  if (!any(wide)) return;
  constexpr int W = V::size, NI = Op::nin, NO = Op::nout;
  alignas(64) float in[NI][W], res[NO][W], flag[W];
  for (int k = 0; k < NI; ++k) ei::pstoreu(in[k], a[k].v);
  for (int k = 0; k < NO; ++k) ei::pstoreu(res[k], r[k].v);
  ei::pstoreu(flag, select(wide, V(1.0f), V(0.0f)).v);
  for (int i = 0; i < W; ++i) {
    if (flag[i] == 0) continue;
    Vec<float> x[NI], y[NO];
    for (int k = 0; k < NI; ++k) x[k] = Vec<float>(in[k][i]);
    eval_in_float64<Op>(x, y);
    for (int k = 0; k < NO; ++k) res[k][i] = y[k].v;
  }
  for (int k = 0; k < NO; ++k) r[k] = ei::ploadu<typename V::Packet>(res[k]);
}

template <class Op, class T>
void contiguous_kernel(std::ptrdiff_t n, const T* const* in, const std::ptrdiff_t* in_step,
                       T* const* out) {
  using K = KernelOf<Op, T>;
  if constexpr (!std::is_same_v<typename K::op, Op>) {
    contiguous_kernel<typename K::op, T>(n, in, in_step, out);
    return;
  } else if constexpr (!std::is_same_v<typename K::compute, T>) {
    float_through_double<Op>(n, in, in_step, out);
    return;
  }
  using P = typename ei::packet_traits<T>::type;
  using V = Vec<P>;
  constexpr int W = V::size;
  constexpr int NI = Op::nin, NO = Op::nout;
  // Broadcast inputs are read from a splatted packet: the loop below has no branches.
  alignas(64) T splat[NI][W];
  const T* src[NI];
  std::ptrdiff_t step[NI];
  for (int k = 0; k < NI; ++k) {
    if (in_step[k] == 0) {
      std::fill_n(splat[k], W, in[k][0]);
      src[k] = splat[k];
      step[k] = 0;
    } else {
      src[k] = in[k];
      step[k] = W;
    }
  }
  V a[NI], r[NO > 0 ? NO : 1];
  constexpr bool redo = std::is_same_v<T, float> && float_native_below<Op>() > 0;
  std::ptrdiff_t i = 0;
  for (; i + W <= n; i += W) {
    for (int k = 0; k < NI; ++k) a[k] = ei::ploadu<P>(src[k]);
    Op::eval(a, r);
    if constexpr (redo) redo_wide_lanes<Op>(a, r);
    for (int k = 0; k < NO; ++k) ei::pstoreu(out[k] + i, r[k].v);
    for (int k = 0; k < NI; ++k) src[k] += step[k];
  }
  if (i < n) {  // tail: one padded packet through the same code
    const std::ptrdiff_t m = n - i;
    alignas(64) T buf[NI][W];
    alignas(64) T res[NO > 0 ? NO : 1][W];
    for (int k = 0; k < NI; ++k) {
      std::fill_n(buf[k], W, T(0));
      std::copy_n(src[k], step[k] ? m : W, buf[k]);
      a[k] = ei::ploadu<P>(buf[k]);
    }
    Op::eval(a, r);
    if constexpr (redo) redo_wide_lanes<Op>(a, r);
    for (int k = 0; k < NO; ++k) {
      ei::pstoreu(res[k], r[k].v);
      std::copy_n(res[k], m, out[k] + i);
    }
  }
}

std::vector<KernelPair> build_table() {
  std::vector<KernelPair> table;
  for_each_op_in<NONLIN_KERNEL_PART>([&]<class Op>(const char*) {
    table.push_back({&contiguous_kernel<Op, float>, &contiguous_kernel<Op, double>});
  });
  return table;
}

}  // namespace
}  // namespace NONLIN_ISA

std::vector<KernelPair> NONLIN_CAT(NONLIN_CAT(kernel_table_, NONLIN_ISA), NONLIN_CAT(_part, NONLIN_KERNEL_PART))() {
  return build_table();
}

}  // namespace nonlin
