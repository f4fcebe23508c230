// Shared helpers for activation formulas: the registry row macros and small numerical tools.
#pragma once

#include <array>
#include <limits>

#include "nonlin/activations/meta.h"
#include "nonlin/simd/vmath.h"

namespace nonlin {
inline namespace NONLIN_ISA {

// v where finite, 0 where v is +-inf or NaN (a correction term that must not poison a limit).
template <class V>
NONLIN_HD inline V finite_or_zero(V v) {
  return select(abs(v) <= V(std::numeric_limits<typename V::Scalar>::max()), v, V(0));
}

// x == +-inf
template <class V>
NONLIN_HD inline auto is_inf(V x) {
  return abs(x) == V(std::numeric_limits<typename V::Scalar>::infinity());
}

// s * v, exactly 0 where s == 0 (also for an infinite or NaN v: a vanishing factor wins, as in
// the limits of x * gate(x) where the gate goes to 0).
template <class V>
NONLIN_HD inline V times_or_zero(V s, V v) {
  return select(s == 0, V(0), s * v);
}

// m (1 + lo) for a small relative correction lo, m itself where m is infinite.
template <class V>
NONLIN_HD inline V corrected_by(V m, V lo) {
  return m + finite_or_zero(m * lo);
}

// (a + a_lo) / (b + b_lo) = q + q_lo: one division and its exact residual (fms_exact), so the
// quotient of two hi + lo pairs is rounded once (q + q_lo to ~2^-100 relative).
// Without FMA the residual's split products underflow near the subnormal range (|q| below
// min / eps): there q alone, correctly rounded, is within an ulp (the low parts' 2^-p relative
// share is below the subnormal spacing).
template <class V>
NONLIN_HD inline void divide_pair(V a, V a_lo, V b, V b_lo, V& q, V& q_lo) {
  q = a / b;
  q_lo = finite_or_zero((fms_exact(q, b, a) + (a_lo - q * b_lo)) / b);
  if constexpr (!kHasFma) {
    using S = typename V::Scalar;
    q_lo = select(abs(q) < V(std::numeric_limits<S>::min() / std::numeric_limits<S>::epsilon()), V(0), q_lo);
  }
}
template <class V>
NONLIN_HD inline void divide_pair(V a, V a_lo, V b, V& q, V& q_lo) {
  divide_pair(a, a_lo, b, V(0), q, q_lo);
}
template <class V>
NONLIN_HD inline V divided(V a, V a_lo, V b, V b_lo) {
  V q, q_lo;
  divide_pair(a, a_lo, b, b_lo, q, q_lo);
  return q + q_lo;
}

// a*b = hi + lo exactly (two_prod); lo = 0 where the product is infinite and two_prod's lo
// would be NaN, so corrections vanish instead of poisoning the limits at +-inf.
template <class V>
NONLIN_HD inline void product_hi_lo(V a, V b, V& hi, V& lo) {
  two_prod(a, b, hi, lo);
  lo = finite_or_zero(lo);
}

// beta * x = hi + lo exactly, skipping the exact product for packets where beta == 1 (the
// default of SiLU and softplus).
template <class V>
NONLIN_HD inline void scaled_argument(V beta, V x, V& hi, V& lo) {
  if (!any(~(beta == V(1)))) {
    hi = x;
    lo = V(0);
    return;
  }
  product_hi_lo(beta, x, hi, lo);
}

// e^x as value * scale with `value` in the normal range even where e^x is subnormal
// (x < -80 in float, -700 in double): a product (y * value) * scale rounds only once into the
// subnormals, so x e^x style tails (SiLU, mish, GELU, softplus) keep their accuracy.
template <class V>
struct ScaledExp {
  V value, scale;
  bool scaled;  // some lane is in the tail; otherwise scale == 1 and value > 0 everywhere
  NONLIN_HD V unscaled() const { return scaled ? value * scale : value; }
  // y * e^x; 0 (with y's sign) where e^x is 0, even for an infinite y.
  NONLIN_HD V times(V y) const {
    if (!scaled) return y * value;
    return select(value == 0, copysign(V(0), y), (y * value) * scale);
  }
  // e^x / y, rounding once into the subnormals.
  NONLIN_HD V over(V y) const { return scaled ? (value / y) * scale : value / y; }
};

// `fast` on every lane but the `slow` ones, which take general() -- called only for packets that
// have such a lane (general is the out-of-line, rarely needed path). Decided per lane, so no
// result depends on its neighbours in the packet.
template <class V, class M, class F>
NONLIN_HD inline V fast_except(M slow, V fast, F general) {
  if (!any(slow)) return fast;
  return select(slow, general(), fast);
}

// Packets with no lane in the tail (the common case) skip the scaling altogether. In the tail,
// value = e^(x + n ln2) and scale = 2^-n exactly (n = 92 / 739), so a result y * value rounds
// once more only where it is itself subnormal: n ln2 = C_hi + C_lo with C_hi a multiple of ulp(x)
// (x + C_hi exact for x in (-2^7, 0) / (-2^10, 0)) and C_lo the argument's low part.
template <class S>
struct ExpTail {
  static constexpr bool f32 = sizeof(S) == 4;
  static constexpr S threshold = f32 ? S(-80) : S(-700);
  static constexpr S C_hi = f32 ? S(63.76953887939453) : S(512.2357664337995);
  static constexpr S C_lo = f32 ? S(1.7321204372163854e-06) : S(4.3450041637940365e-14);
  static constexpr S two_minus_n = f32 ? S(0x1p-92) : S(0x1p-739);
};
// Inline on purpose: as an out-of-line call it cost up to 1/3 of sigmoid's and softplus's
// time (a call in the loop clobbers every vector register holding the formulas' constants).
template <class V>
NONLIN_HD inline ScaledExp<V> exp_scaled_tail(V x) {
  using S = typename V::Scalar;
  using T = ExpTail<S>;
  const auto tail = x < T::threshold;
  using K = vm::detail::ExpK<S>;
  const V a = vmin(vmax(x + select(tail, V(T::C_hi), V(0)), V(K::lo)), V(K::hi));  // value 0 / inf
  const auto c = vm::detail::expcore(a, select(tail, V(T::C_lo), V(0)));
  const V value = scale2(S(1) + vm::detail::expm1_r_fast(c), c.k);
  // lanes outside the tail as in a packet without one: no result depends on its neighbours
  return {select(tail, value, vm::exp(x)), select(tail, V(T::two_minus_n), V(1)), true};
}
template <class V>
NONLIN_HD inline ScaledExp<V> exp_scaled(V x) {
  if (!any(x < ExpTail<typename V::Scalar>::threshold)) return {vm::exp(x), V(1), false};
  return exp_scaled_tail(x);
}

// y * e^x, accurate where e^x alone would underflow.
template <class V>
NONLIN_HD inline V mul_exp(V y, V x) {
  return exp_scaled(x).times(y);
}

// sigma(z) and sigma(z) sigma(-z) = e/(1 + e)^2 from one e = e^-|z| in plain arithmetic: for
// float32 results computed in float64 (the float32_formula rows), where neither the rounding
// of z nor subnormal tails need the compensated Logistic below.
template <class V>
struct PlainLogistic {
  V s, ss;
  NONLIN_HD explicit PlainLogistic(V z) {
    const V e = vm::exp(-abs(z)), r = 1 / (1 + e);
    s = select(z < V(0), e * r, r);
    ss = e * (r * r);
  }
};

// The logistic function's pieces for z: E = e^-|z| (scaled), d = 1 + e^-|z|.
// sigma(|z|) = 1/d and sigma(-|z|) = e/d, so every sigmoid product is a rational function of e
// times at most one factor e, taken through E. Each method divides once (the compiler shares
// 1/d between methods used together).
template <class V>
struct Logistic {
  ScaledExp<V> E;
  V e, d;
  Mask<typename V::Packet> neg;
  Logistic() = default;
  NONLIN_HD explicit Logistic(V z) : E(exp_scaled(-abs(z))), e(E.unscaled()), d(1 + e), neg(z < 0) {}
  NONLIN_HD V r() const { return 1 / d; }
  NONLIN_HD V sigma_pos() const { return select(neg, e * r(), r()); }  // sigma(z)
  NONLIN_HD V sigma_neg() const { return select(neg, r(), e * r()); }  // sigma(-z)
  // (n_hi + n_lo) / (1 + e) nearly correctly rounded, without a division on AVX-512:
  // q = n_hi * recip(d) (rcp14 + Newton), then the exact residual fma(-q, d, n_hi), n_lo and the
  // rounding d_lo = (1 - d) + e of d = 1 + e (exact: Fast2Sum, 1 >= e) go into one correction
  // (Markstein-style). A product and a quotient rounded separately cost up to ~2.4 ULP.
  NONLIN_HD V quotient(V n_hi, V n_lo) const {
    const V r = recip(d);
    const V q = n_hi * r;
    const V d_lo = (1 - d) + e;
    const V corr = (fma(-q, d, n_hi) + fma(-q, d_lo, n_lo)) * r;
    return q + select(corr == corr, corr, V(0));  // q = +-inf: no correction
  }
  // y * sigma(z + dz) = y/d or y e/d, accurate into the subnormals (the scale multiplies
  // last). The rounding dz of z enters the numerator's low part as n sigma(-z) dz, with
  // sigma(-z) ~ (z < 0 ? 1 : e)(1 - e/2): a correction of relative size 2^-p needs no more.
  NONLIN_HD V times_sigma(V y, V dz = V(0)) const {
    V p_hi, p_lo;
    two_prod(y, E.value, p_hi, p_lo);
    const V n_hi = select(neg, p_hi, y);
    V n_lo = select(neg, p_lo, V(0));
    if (any(~(dz == V(0))))
      n_lo = fma(n_hi * (select(neg, V(1), e) * fma(e, V(-0.5), V(1))), dz, n_lo);
    const V q = quotient(n_hi, n_lo);
    if (!E.scaled) return q;
    return select(neg, select(E.value == 0, copysign(V(0), y), q * E.scale), q);
  }
  // sigma(z) alone: 1/d or e/d, one rounded division (within ~1.8 ULP: the error of e is
  // damped by 1/(1 + e) in the quotient).
  NONLIN_HD V sigma_pos_fast() const {
    const V q = select(neg, E.value, V(1)) / d;
    return E.scaled ? q * select(neg, E.scale, V(1)) : q;
  }
  // sigma(z) (1 + a sigma(-z)): the shape of SiLU's and GELU-tanh's derivatives.
  // z < 0: e (d + a) / d^2;  z >= 0: (1 + (1 + a) e) / d^2 -- one division, one rounding of e.
  // (e alone is negligible beside 1 wherever it is in the scaled tail with z >= 0; where it
  // underflows to 0, 1 + (1 + a) e = 1 even for a = inf)
  NONLIN_HD V sigma_times_one_plus(V a) const {
    V pos = fma(1 + a, e, V(1));
    if (E.scaled) pos = select(e == V(0), V(1), pos);
    const V q = select(neg, d + a, pos) / d_squared();
    return select(neg, E.times(q), q);
  }
  // sigma(z) sigma(-z) = e / (1 + e)^2 for either sign of z
  NONLIN_HD V sigma_sigma_neg() const { return E.over(d_squared()); }
  // (k + k_lo) sigma(z + dz) sigma(-z - dz) = k e/(1 + e)^2 (1 + (sigma(-z) - sigma(z)) dz
  // + k_lo/k) for the rounding dz of z and the low part of a product k, rounded once into the
  // subnormals; 0 where e^-|z| is 0 (even for k = inf).
  NONLIN_HD V sigma_sigma_neg_times(V k, V dz = V(0), V k_lo = V(0)) const {
    if (any(~(dz == V(0)) | ~(k_lo == V(0))))
      k = fma(k, fma(sigma_neg() - sigma_pos(), dz, finite_or_zero(k_lo / k)), k);
    return select(E.value == 0, V(0), ((k * E.value) / d_squared()) * E.scale);
  }
  NONLIN_HD V d_squared() const { return fma(e, e + 2, V(1)); }  // (1 + e)^2, one rounding
  // d ln sigma(z)/dz = sigma(-z): sigma(z + dz) = sigma(z) (1 + sigma(-z) dz) for the rounding
  // dz of z. corrected(y, dz) = y + y sigma(-z) dz (the factor 1 + sigma(-z) dz is never
  // rounded to a float near 1); y unchanged, and skipped for whole packets, when z was exact.
  // sigma(-z) to ~2^-14 (recip_approx, no division) is plenty for a term of relative size 2^-p.
  NONLIN_HD V corrected(V y, V z_lo) const {
    if (!any(~(z_lo == V(0)))) return y;
    const V c = y * ((select(neg, V(1), e) * recip_approx(d)) * z_lo);
    return y + select(c == c, c, V(0));  // y = +-inf: no correction (inf * 0)
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin

// Helpers to write a registry row.
#define NONLIN_NO_PARAMS static constexpr std::array<::nonlin::Param, 0> params{};
