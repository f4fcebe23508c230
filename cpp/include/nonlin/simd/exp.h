// exp, expm1, exp_mx2, sigmoid, tanh on Vec<P> (float/double packets and scalars).
//
// All of them share one reduction, expcore(a, a_lo): e^(a + a_lo) = 2^k * (1 + rh + ql) with
//   k  = round(a / ln2)                      (via the 1.5*2^mant shifter; t = k + shifter),
//   rh = a - k*ln2_hi                        (exact: ln2_hi has few bits, Sterbenz),
//   ql = rl + r^2*Q(r),  rl = a_lo - k*ln2_lo, r = rh + rl, |r| <= ln2/2,
// so the leading part rh is exact and only small terms carry rounding errors. Functions that
// would otherwise lose accuracy to cancellation (expm1, sigmoid, tanh) keep hi+lo pairs and
// finish with a residual-corrected division; none of the error bounds needs a fused FMA
// (fms_exact/two_prod fall back to Dekker's algorithm on the baseline build).
#pragma once

#include "nonlin/simd/bits.h"
#include "nonlin/simd/coeffs.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace vm {
namespace detail {

template <class S>
struct ExpK;
template <>
struct ExpK<float> {
  static constexpr float log2e = 1.44269504088896341f;
  static constexpr float ln2_hi = 0.693145751953125f;       // 16 significant bits
  static constexpr float ln2_lo = 1.428606765330187045e-06f;
  static constexpr float lo = -104.0f;   // e^lo < min subnormal / 2
  static constexpr float hi = 89.0f;     // e^hi > max float
  static constexpr float m1_lo = -80.0f; // expm1 == -1 below; keeps 2^(k-1) normal
  static constexpr float tiny = 0x1p-25f;
};
template <>
struct ExpK<double> {
  static constexpr double log2e = 1.44269504088896338700e+00;
  static constexpr double ln2_hi = 6.93147180369123816490e-01;  // 32 significant bits
  static constexpr double ln2_lo = 1.90821492927058770002e-10;
  static constexpr double lo = -746.0;
  static constexpr double hi = 710.0;
  static constexpr double m1_lo = -700.0;
  static constexpr double tiny = 0x1p-54;
};

template <class P>
struct ExpCore {
  Vec<P> t, k, rh, rl;  // e^a = 2^k e^(rh + rl), t = k + shifter, rh exact, |rl| tiny
};

template <class P>
NONLIN_HD inline ExpCore<P> expcore(Vec<P> a, Vec<P> a_lo) {
  using S = typename Vec<P>::Scalar;
  using K = ExpK<S>;
  ExpCore<P> c;
  c.t = fma(a, Vec<P>(K::log2e), Vec<P>(fconst<S>::shifter));
  c.k = c.t - fconst<S>::shifter;
  c.rh = fma(-c.k, Vec<P>(K::ln2_hi), a);
  c.rl = fma(-c.k, Vec<P>(K::ln2_lo), a_lo);
  return c;
}
template <class P>
NONLIN_HD inline ExpCore<P> expcore(Vec<P> a) {
  return expcore(a, Vec<P>(typename Vec<P>::Scalar(0)));
}
// e^r - 1, rounded (r = rh + rl); relative error ~1 ulp of the small part.
template <class P>
NONLIN_HD inline Vec<P> expm1_r_fast(const ExpCore<P>& c) {
  using S = typename Vec<P>::Scalar;
  Vec<P> r = c.rh + c.rl;
  return fma(r * r, polyeval(r, coef::C<S>::kExpQ), r);
}

// e^r - 1 = q + qe exactly-ish (|qe| <= ulp(q)/2), from the core (Fast2Sum, |ql| <= |rh|).
// e^r - 1 = rh + rl + r^2/2 + r^3 Q3(r): rh^2 is split exactly, so only terms ~r^3/6 round.
template <class P>
NONLIN_HD inline void expm1_r(const ExpCore<P>& c, Vec<P>& q, Vec<P>& qe) {
  using S = typename Vec<P>::Scalar;
  const auto& Q = coef::C<S>::kExpQ;
  constexpr int NQ = sizeof(Q) / sizeof(Q[0]);
  Vec<P> r = c.rh + c.rl;
  Vec<P> q3(Q[NQ - 1]);
  for (int i = NQ - 2; i >= 1; --i) q3 = fma(q3, r, Vec<P>(Q[i]));
  Vec<P> r2h, r2l;
  two_prod(c.rh, c.rh, r2h, r2l);
  Vec<P> hh = S(0.5) * r2h;  // exact
  // everything else: rl + rl*(rh + rl/2) + r2l/2 + r^3 Q3(r)
  Vec<P> lo = fma((r * r) * r, q3, fma(c.rl, c.rh + S(0.5) * c.rl, fma(Vec<P>(S(0.5)), r2l, c.rl)));
  Vec<P> q1 = c.rh + hh;
  Vec<P> e1 = (c.rh - q1) + hh;
  q = q1 + lo;
  qe = ((q1 - q) + lo) + e1;
}
// e^r = ph + pl with ph in [0.7, 1.5] and |pl| <= ulp(ph)/2.
template <class P>
NONLIN_HD inline void exp_r(const ExpCore<P>& c, Vec<P>& ph, Vec<P>& pl) {
  using S = typename Vec<P>::Scalar;
  Vec<P> q, qe;
  expm1_r(c, q, qe);
  ph = S(1) + q;
  pl = ((S(1) - ph) + q) + qe;
}

// expm1(a) = 2*(s + low) from the core, for a in [m1_lo, hi]; |low| <= ulp(s).
template <class P>
NONLIN_HD inline void expm1_parts(const ExpCore<P>& c, Vec<P>& s, Vec<P>& low) {
  using S = typename Vec<P>::Scalar;
  Vec<P> q, qe;
  expm1_r(c, q, qe);
  Vec<P> th = pow2i_shifted(c.t, -1);       // 2^(k-1)
  // A + Alo = th - 1/2 exactly (Fast2Sum with the larger magnitude first)
  const Mask<P> kpos = th >= S(0.5);
  Vec<P> fa = select(kpos, th, Vec<P>(S(-0.5)));
  Vec<P> fb = select(kpos, Vec<P>(S(-0.5)), th);
  Vec<P> A = fa + fb;
  Vec<P> Alo = fb - (A - fa);
  Vec<P> B = th * q;                        // exact
  s = A + B;                                // Fast2Sum: |A| >= |B| or A == 0
  Vec<P> err = B - (s - A);
  low = err + fma(th, qe, Alo);
}

}  // namespace detail

template <class P>
NONLIN_HD inline Vec<P> exp(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> a = vmin(vmax(x, Vec<P>(K::lo)), Vec<P>(K::hi));
  auto c = detail::expcore(a);
  return scale2(S(1) + detail::expm1_r_fast(c), c.k);
}

template <class P>
NONLIN_HD inline Vec<P> expm1(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> a = vmin(vmax(x, Vec<P>(K::m1_lo)), Vec<P>(K::hi));
  auto c = detail::expcore(a);
  Vec<P> s, low;
  detail::expm1_parts(c, s, low);
  Vec<P> r = S(2) * (s + low);
  return select(abs(x) < K::tiny, x, r);
}

// exp(-x*x) with x*x split exactly into hi + lo: full relative accuracy for large |x|.
template <class P>
NONLIN_HD inline Vec<P> exp_mx2(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> ax = vmin(abs(x), Vec<P>(sizeof(S) == 4 ? S(11) : S(28)));  // e^-(lim^2) == 0
  Vec<P> h, l;
  two_prod(ax, ax, h, l);
  Vec<P> a = vmax(-h, Vec<P>(K::lo));
  auto c = detail::expcore(a, -l);
  return scale2(S(1) + detail::expm1_r_fast(c), c.k);
}

// Logistic 1/(1+e^-x). With E = e^-|x| = 2^k (ph + pl) and d = 1 + E = dh + dl:
//   x >= 0: 1/d;   x < 0: E/d = 2^k (ph + pl)/d,
// each as v = n/dh corrected by the exact residual n - v*dh, so only the last addition rounds.
template <class P>
NONLIN_HD inline Vec<P> sigmoid(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> a = vmax(-abs(x), Vec<P>(K::lo));
  auto c = detail::expcore(a);
  Vec<P> ph, pl;
  detail::exp_r(c, ph, pl);
  Vec<P> e2k = pow2i(vmax(c.k, Vec<P>(S(1 - fconst<S>::bias))));
  Vec<P> eh = e2k * ph, el = e2k * pl;
  Vec<P> dh = S(1) + eh;
  Vec<P> dl = ((S(1) - dh) + eh) + el;
  const Mask<P> neg = x < S(0);
  Vec<P> nh = select(neg, ph, Vec<P>(S(1)));
  Vec<P> nl = select(neg, pl, Vec<P>(S(0)));
  Vec<P> v = nh / dh;
  Vec<P> res = fms_exact(v, dh, nh);
  Vec<P> w = select(neg, S(1) - e2k * v, v);  // ~ 1/dh
  Vec<P> r = v + (res + fma(-v, dl, nl)) * w;
  return select(neg, scale2(r, c.k), r);
}

// tanh(x) = -u/(2+u), u = expm1(-2|x|) = 2(s + low), sign restored at the end.
template <class P>
NONLIN_HD inline Vec<P> tanh(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  const S lim = sizeof(S) == 4 ? S(-18.5) : S(-40);
  Vec<P> ax = abs(x);
  Vec<P> a = vmax(S(-2) * ax, Vec<P>(lim));
  auto c = detail::expcore(a);
  Vec<P> s, low;
  detail::expm1_parts(c, s, low);
  // -u/(2+u) = (-s - low) / (1 + s + low)
  Vec<P> dh = S(1) + s;
  Vec<P> dl = ((S(1) - dh) + s) + low;
  Vec<P> nh = -s;
  Vec<P> v = nh / dh;
  Vec<P> res = fms_exact(v, dh, nh);
  Vec<P> w = S(1) + v;  // 1/(1+s+low) = 2/(2+u) = 1 + tanh
  Vec<P> r = v + (res - fma(v, dl, low)) * w;
  const S tiny = sizeof(S) == 4 ? S(0x1p-12) : S(0x1p-27);
  return select(ax < tiny, x, copysign(r, x));
}

}  // namespace vm
}  // namespace NONLIN_ISA
}  // namespace nonlin
