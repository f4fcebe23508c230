// GELU, x Phi(x) with Phi the standard normal CDF (exact form, PyTorch's default), and its
// derivative Phi(x) + x phi(x), accurate from the far left tail (subnormal results) to +inf.
#pragma once

#include "nonlin/activations/common.h"
#include "nonlin/simd/normal.h"

namespace nonlin {
inline namespace NONLIN_ISA {

// e^(-x^2/2) (scaled, see ScaledExp), with x^2 split exactly so the exponent is right even
// where x^2/2 is ~700.
template <class V>
NONLIN_HD inline ScaledExp<V> exp_neg_half_square(V x) {
  V hi, lo;
  product_hi_lo(x, x, hi, lo);
  ScaledExp<V> E = exp_scaled(-0.5 * hi);
  E.value = fma(E.value, -0.5 * lo, E.value);
  return E;
}

// Phi(x) = erfc(-x/sqrt2)/2, with t = -x/sqrt2 carried as hi + lo:
// erfc(t_hi + t_lo) = erfc(t_hi) - t_lo * 2/sqrt(pi) e^(-t_hi^2) + O(t_lo^2).
template <class V>
NONLIN_HD inline V normal_cdf(V x, const ScaledExp<V>& gauss) {
  using S = typename V::Scalar;
  constexpr S c_hi = sizeof(S) == 4 ? S(0.70710677f) : S(0.7071067811865476);
  constexpr S c_lo = sizeof(S) == 4 ? S(1.21016175e-08f) : S(-4.833646656726457e-17);
  V t_hi, t_lo;
  product_hi_lo(x, V(-c_hi), t_hi, t_lo);
  t_lo = finite_or_zero(t_lo - x * c_lo);
  return 0.5 * (vm::erfc(t_hi) - gauss.times(t_lo * S(1.1283791670955126)));
}

// Far left tail of GELU, where Phi(x) leaves the normal range: Phi(x) = phi(x)/|x| S(1/x^2),
// S(u) = sum_k (-1)^k (2k-1)!! u^k (Abramowitz & Stegun 26.2.12; 10 terms reach double
// precision for x < -12). Returns x Phi(x) (derivative = false) or Phi(x) + x phi(x), each as
// c * e^(-x^2/2) with one final rounding via mul_exp.
template <class V>
NONLIN_HD inline V gelu_left_tail(V x, bool derivative) {
  static constexpr double c[] = {1, -1, 3, -15, 105, -945, 10395, -135135, 2027025, -34459425};
  V hi, lo;
  product_hi_lo(x, x, hi, lo);
  const V u = 1 / hi;
  const V series = polyeval(u, c);
  const V factor = (derivative ? x * fma(-u, series, V(1)) : -series) * 0.3989422804014327;
  return mul_exp(fma(factor, -0.5 * lo, factor), -0.5 * hi);
}

template <class V>
NONLIN_HD inline Mask<typename V::Packet> gelu_in_left_tail(V x) {
  return x < V(sizeof(typename V::Scalar) == 4 ? -12.0 : -36.0);
}

struct Gelu {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"gelu", "x Phi(x), Phi = standard normal CDF", "Phi(x) + x phi(x)",
                             "Hendrycks & Gimpel 2016, arXiv:1606.08415; PyTorch torch.nn.GELU",
                             {true, false, false, false, true, "[-0.17, inf)"}, params.data(), 0};
  template <class V> static V forward(V x) {
    if constexpr (true) {
      // x >= 0: x - a Phi(-a);  x < 0: -a Phi(-a)   (a = |x|, gelu(x) = x + gelu(-x))
      const V a = vmin(abs(x), V(vm::NormalTail<V>::kAmax));
      const auto N = vm::normal_tail(a);
      return vmax(x, V(0)) - N.times(a * N.q);
    }
    V y = x * normal_cdf(x, exp_neg_half_square(x));
    const auto tail = gelu_in_left_tail(x);
    if (any(tail)) y = select(tail, gelu_left_tail(x, false), y);
    return y;
  }
  template <class V> static V derivative(V x) {
    if constexpr (true) {
      // D = Phi(-a) - a phi(a) = e^(-a^2/2) (Q(a) - a/sqrt(2 pi));  x < 0: D,  x >= 0: 1 - D
      const V a = vmin(abs(x), V(vm::NormalTail<V>::kAmax));
      const auto N = vm::normal_tail(a);
      using S = typename V::Scalar;
      constexpr S c_hi = sizeof(S) == 4 ? S(0.3989423f) : S(0.3989422804014327);
      constexpr S c_lo = sizeof(S) == 4 ? S(-1.13351701e-08f) : S(-2.4923272022777433e-17);
      const V D = N.times(fma(-a, V(c_lo), fma(-a, V(c_hi), N.q)));
      return select(x < 0, D, 1 - D);
    }
    const ScaledExp<V> gauss = exp_neg_half_square(x);
    V d = normal_cdf(x, gauss) + gauss.times(x * 0.3989422804014327);
    const auto tail = gelu_in_left_tail(x);
    if (any(tail)) d = select(tail, gelu_left_tail(x, true), d);
    return d;
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
