// Periodic and arctangent activations from the literature: Snake, SnakeBeta, SIREN's sine,
// BiPer's square wave, xATLU. float32 runs in float32 arithmetic, lanes with |x| or |w x| >=
// 1e30 in float64 (float_native_below); every sine takes its argument as the exact product
// hi + lo (vm::sincos), so sin(w x) is right for large w x too. Where w x overflows float64
// (float64 |x| > DBL_MAX / |w|) there is no angle: NaN (Snake's forward, whose periodic term is
// far below ulp(x) there, gives x).
#pragma once

#include "nonlin/activations/common.h"
#include "nonlin/simd/trig.h"

namespace nonlin {
inline namespace NONLIN_ISA {

// w x = z + z_lo exactly (two_prod; lo = 0 where the product is infinite). Without FMA,
// Dekker's splitting overflows for factors near the top of the range: such a factor is split
// scaled down by 2^200 (2^40 in float32; exact) and both parts scaled back.
template <class V>
NONLIN_HD inline void exact_product(V w, V x, V& z, V& z_lo) {
  product_hi_lo(w, x, z, z_lo);
  if constexpr (!kHasFma) {
    constexpr bool f32 = sizeof(typename V::Scalar) == 4;
    const V big(f32 ? 0x1p100f : 0x1p960), down(f32 ? 0x1p-40f : 0x1p-200), up(f32 ? 0x1p40f : 0x1p200);
    const auto bw = abs(w) > big, bx = abs(x) > big;
    if (any(bw | bx)) {
      V h, l;
      product_hi_lo(select(bw, w * down, w), select(bx, x * down, x), h, l);
      const V f = select(bw, up, V(1)) * select(bx, up, V(1));
      z = select(bw | bx, h * f, z);
      z_lo = select(bw | bx, l * f, z_lo);
    }
  }
}

// sin and cos of w x, w x = hi + lo exactly
template <class V>
NONLIN_HD inline void sincos_of_exact_product(V w, V x, V& s, V& c) {
  V z, z_lo;
  exact_product(w, x, z, z_lo);
  vm::sincos(z, z_lo, s, c);
}

// sin and cos of w x; float32 with FMA: in double, where the product is exact, for lanes with
// |w x| <= 2^20 (decided per lane: no result depends on its neighbours)
template <class V>
NONLIN_HD inline void sincos_of_product(V w, V x, V& s, V& c) {
  if constexpr (sizeof(typename V::Scalar) == 4 && kHasFma) {
    vm::sincos_product_in_double(w, x, s, c);
    const V z = w * x;
    if (any_abs_gt(z, 0x1p20f)) {
      V sb, cb;
      sincos_of_exact_product(w, x, sb, cb);
      const auto big = abs(z) > V(0x1p20f);
      s = select(big, sb, s);
      c = select(big, cb, c);
    }
  } else {
    sincos_of_exact_product(w, x, s, c);
  }
}

// sin(w x) and cos(w x) as the shared parts of a derivative and its parameter gradients (ops.h)
template <class V>
struct SinCos {
  V s, c;
};
template <class V>
NONLIN_HD inline SinCos<V> sincos_parts(V w, V x) {
  SinCos<V> p;
  sincos_of_product(w, x, p.s, p.c);
  return p;
}

// Snake (Liu, Hartwig, Ueda 2020, arXiv:2006.08195): x + sin^2(a x) / a.
struct Snake {
  static constexpr std::array<Param, 1> params{
      {{"a", 1.0, true, "frequency, != 0", Constraint::nonzero}}};
  static constexpr Meta meta{
      "snake", "x + sin(a x)^2 / a", "1 + sin(2 a x)",
      "Liu Ziyin, Hartwig, Ueda 2020, Neural Networks Fail to Learn Periodic Functions and How "
      "to Fix It, arXiv:2006.08195 (BigVGAN's Snake adds 1e-9 to a in the division)",
      {true, true, false, true, false, "(-inf, inf)"}, params.data(), 1, 2.0};
  static constexpr float float_native_below = 1e30f;
  template <class V> NONLIN_DEVICE static V forward(V x, V a) {
    V s, c;
    sincos_of_product(a, x, s, c);
    return select(is_inf(a * x), x, x + (s * s) / a);  // beyond the angle's range: x
  }
  template <class V> NONLIN_DEVICE static SinCos<V> parts(V x, V a) { return sincos_parts(a, x); }
  template <class V> NONLIN_DEVICE static V derivative_of(const SinCos<V>& p, V, V) { return fma(2 * p.s, p.c, V(1)); }
  // 2 a cos(2 a x) = 2 a (1 - 2 s^2)
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a) {
    V s, c;
    sincos_of_product(a, x, s, c);
    return (2 * a) * fma(-2 * s, s, V(1));
  }
  // x sin(2ax)/a - sin^2(ax)/a^2
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad_of(const SinCos<V>& p, V x, V a) {
    return {(x * (2 * p.s * p.c)) / a - (p.s / a) * (p.s / a)};
  }
};

// SnakeBeta (BigVGAN, Lee et al. 2022, arXiv:2206.04658): x + sin^2(alpha x) / beta.
struct SnakeBeta {
  static constexpr std::array<Param, 2> params{
      {{"alpha", 1.0, true, "frequency"},
       {"beta", 1.0, true, "magnitude divisor, != 0", Constraint::nonzero}}};
  static constexpr Meta meta{
      "snake_beta", "x + sin(alpha x)^2 / beta", "1 + alpha sin(2 alpha x) / beta",
      "Lee, Ping, Ginsburg, Catanzaro, Yoon 2022, BigVGAN, arXiv:2206.04658; code "
      "NVIDIA/BigVGAN activations.py (1/(beta + 1e-9) there; log-scale parameters optional)",
      {true, false, false, true, false, "(-inf, inf)"}, params.data(), 2, 2.0};
  static constexpr float float_native_below = 1e30f;
  template <class V> NONLIN_DEVICE static V forward(V x, V al, V be) {
    V s, c;
    sincos_of_product(al, x, s, c);
    return select(is_inf(al * x), x, x + (s * s) / be);
  }
  template <class V> NONLIN_DEVICE static SinCos<V> parts(V x, V al, V) { return sincos_parts(al, x); }
  // 1 + (alpha / beta) 2 s c with 2 s c = t + t_lo, alpha / beta = q + q_lo and q t exact:
  // one final rounding besides the sine's and cosine's own errors
  template <class V> NONLIN_DEVICE static V derivative_of(const SinCos<V>& p, V, V al, V be) {
    V t, t_lo, q, q_lo, m, m_lo, r, r_lo;
    two_prod(2 * p.s, p.c, t, t_lo);
    divide_pair(al, V(0), be, q, q_lo);
    two_prod(q, t, m, m_lo);
    two_sum(V(1), m, r, r_lo);
    return r + (r_lo + (m_lo + fma(q, t_lo, q_lo * t)));
  }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V al, V be) {
    V s, c;
    sincos_of_product(al, x, s, c);
    return ((2 * al) * al) * (fma(-2 * s, s, V(1)) / be);
  }
  // d/dalpha = 2 x s c / beta, d/dbeta = -s^2 / beta^2
  template <class V> NONLIN_DEVICE static std::array<V, 2> param_grad_of(const SinCos<V>& p, V x, V, V be) {
    return {x * ((2 * p.s * p.c) / be), -(p.s * p.s) / (be * be)};
  }
};

// SIREN's periodic activation (Sitzmann et al. 2020, arXiv:2006.09661): sin(w0 x).
struct Sine {
  static constexpr std::array<Param, 1> params{{{"w0", 30.0, false, "frequency (30 in SIREN)"}}};
  static constexpr Meta meta{
      "sine", "sin(w0 x)", "w0 cos(w0 x)",
      "Sitzmann, Martel, Bergman, Lindell, Wetzstein 2020, Implicit Neural Representations with "
      "Periodic Activation Functions (SIREN), arXiv:2006.09661; code vsitzmann/siren",
      {true, false, true, true, false, "[-1, 1]"}, params.data(), 1, 1.0};
  static constexpr float float_native_below = 1e30f;
  template <class V> NONLIN_DEVICE static V forward(V x, V w) {
    V s, c;
    sincos_of_product(w, x, s, c);
    return s;
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V w) {
    V s, c;
    sincos_of_product(w, x, s, c);
    return w * c;
  }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V w) {
    V s, c;
    sincos_of_product(w, x, s, c);
    return -(w * w) * s;
  }
};

// BiPer (Vargas et al. 2024, arXiv:2404.01278): the square wave sign(sin(omega0 x)) forward and
// the sine's derivative omega0 cos(omega0 x) as its surrogate gradient (the paper binarises
// weights with it; here it is available elementwise for weights or activations).
struct Biper {
  static constexpr std::array<Param, 1> params{{{"omega0", 30.0, false, "frequency"}}};
  static constexpr Meta meta{
      "biper", "sign(sin(omega0 x))", "omega0 cos(omega0 x) (sine surrogate of the square wave)",
      "Vargas, Correa, Hinojosa, Arguello 2024, BiPer: Binary Neural Networks using a Periodic "
      "Function, arXiv:2404.01278 (CVPR 2024); code edmav4/BiPer (omega0 = 30 there, 20 in its "
      "scripts)",
      {false, false, true, true, false, "{-1, 0, 1}"}, params.data(), 1, 1.0};
  static constexpr float float_native_below = 1e30f;
  template <class V> NONLIN_DEVICE static V forward(V x, V w) {
    V s, c;
    sincos_of_product(w, x, s, c);
    return select(s > 0, V(1), select(s < 0, V(-1), s));  // sign(0) = 0, NaN stays NaN
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V w) {
    V s, c;
    sincos_of_product(w, x, s, c);
    return w * c;
  }
};

// xATLU (Huang 2024, arXiv:2405.20768): x ((1 + 2 alpha) g(x) - alpha) with the arctangent gate
// g = atan(x)/pi + 1/2, taken as atan(-1/x)/pi for x < 0 (no cancellation in the left tail,
// where x g -> -1/pi).
struct Xatlu {
  static constexpr std::array<Param, 1> params{{{"alpha", 0.0, true, "expansion of the gate range"}}};
  static constexpr Meta meta{
      "xatlu", "x ((1 + 2 alpha) (atan(x)/pi + 1/2) - alpha)",
      "(1 + 2 alpha) (g + x / (pi (1 + x^2))) - alpha, g = atan(x)/pi + 1/2",
      "Huang 2024, Expanded Gating Ranges Improve Activation Functions, arXiv:2405.20768",
      {true, false, false, false, true, "(-inf, inf) for alpha > 0"}, params.data(), 1, 1.5};
  static constexpr double inv_pi = 0.3183098861837907;
  // atan(x)/pi + 1/2, for x < 0 as atan(-1/x)/pi (no cancellation): one atan either way
  template <class V> NONLIN_DEVICE static V gate(V x) {
    const V t = vm::atan(select(x < 0, -1 / x, x));
    return select(x < 0, t * inv_pi, fma(t, V(inv_pi), V(0.5)));
  }
  // x / (pi (1 + x^2)), 0 at +-inf
  template <class V> NONLIN_DEVICE static V slope(V x) {
    return V(inv_pi) / (x + 1 / x);  // 0 at x = 0 and +-inf, no x^2 to overflow
  }
  // x >= -1: x (1/2 + (1 + 2a) atan(x)/pi) (the expanded gate without a difference of terms);
  // x < -1: (1 + 2a) x g - a x with x g = -(atan(r)/r)/pi, r = -1/x (-> -1/pi in the left
  // tail, where r is subnormal and x atan(r) would lose its bits; the rounding of r hardly
  // moves atan(r)/r)
  template <class V> NONLIN_DEVICE static V forward(V x, V a) {
    const auto neg = x < -1;
    const V r = select(neg, -1 / x, x);
    const V t = vm::atan(r);
    const V k = (1 + 2 * a) * inv_pi;
    V ax, ax_lo;  // a x exactly
    product_hi_lo(a, x, ax, ax_lo);
    const V y = select(neg, fma(k, select(r == 0, V(-1), -(t / r)), -ax) - ax_lo,
                       x * fma(t, k, V(0.5)));
    // limits: (1 + a) x at +inf; at -inf -a x, or -(1 + 2a)/pi for a = 0
    const V lim = select(x > 0, times_or_zero(1 + a, x),
                         select(a == 0, V(-inv_pi), times_or_zero(-a, x)));
    return select(is_inf(x), lim, y);
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V a) {
    return fma(1 + 2 * a, gate(x) + slope(x), -a);
  }
  // (1 + 2a) 2 / (pi (1 + x^2)^2)
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a) {
    const V d = fma(x, x, V(1));
    return (1 + 2 * a) * ((2 * inv_pi) / d / d);
  }
  // d/dalpha = x (2 g - 1) = 2 x atan(x) / pi
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V) {
    return {x * ((2 * inv_pi) * vm::atan(x))};
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
