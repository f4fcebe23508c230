// GELU, x Phi(x) with Phi the standard normal CDF (exact form, PyTorch's default), and its
// derivative Phi(x) + x phi(x), accurate from the far left tail (subnormal results) to +inf.
// Both are written in a = |x| through Phi(-a) = e^(-a^2/2) Q(a) (simd/normal.h): no rounding of
// x/sqrt2, no erfc, one shared exponential, and no branch for the far tail.
#pragma once

#include "nonlin/activations/common.h"
#include "nonlin/simd/normal.h"

namespace nonlin {
inline namespace NONLIN_ISA {

struct Gelu {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"gelu", "x Phi(x), Phi = standard normal CDF", "Phi(x) + x phi(x)",
                             "Hendrycks & Gimpel 2016, arXiv:1606.08415; PyTorch torch.nn.GELU",
                             {true, false, false, false, true, "[-0.17, inf)"}, params.data(), 0};
  // With a = |x| and T = a Phi(-a) = -gelu(-a) >= 0 (gelu(x) = x + gelu(-x)):
  //   x < 0: -T;   x >= 0: x - T   (one rounding each; T rounds once, also into the subnormals).
  template <class V> NONLIN_DEVICE static V forward(V x) {
    const V a = vmin(abs(x), V(vm::NormalTail<V>::kAmax));  // NaN stays NaN
    const auto N = vm::normal_tail<vm::coef::NormalQ>(a);
    if constexpr (kHasFma) {
      return vmax(x, V(0)) - N.times(a * N.q);
    } else {  // two roundings per fma(): keep a q exact as hi + lo instead
      V v, vl;
      two_prod(a, N.q, v, vl);
      return vmax(x, V(0)) - N.times(v, vl);
    }
  }
  // D = Phi(-a) - a phi(a) = e^(-a^2/2) D(a):  x < 0: D;  x >= 0: 1 - D.
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    const V a = vmin(abs(x), V(vm::NormalTail<V>::kAmax));
    const auto N = vm::normal_tail<vm::coef::NormalD>(a);
    const V D = N.times(N.q);
    return select(x < 0, D, 1 - D);
  }
  // phi(x) (2 - x^2), with 2 - x^2 from the exact square (no rounding error near sqrt 2)
  template <class V> NONLIN_DEVICE static V derivative2(V x) {
    const V a = vmin(abs(x), V(vm::NormalTail<V>::kAmax));
    const auto N = vm::normal_tail<vm::coef::NormalQ>(a);
    V h, l;
    vm::square_hi_lo(a, h, l);
    return select(abs(x) < vm::NormalTail<V>::kAmax, N.times(((2 - h) - l) * V(0.3989422804014327)), V(0));
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
