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
  return fma(r * r, polyeval(r, NONLIN_TABLE(coef::C<S>::kExpQ)), r);
}

// e^r - 1 = q + qe exactly-ish (|qe| <= ulp(q)/2), from the core (Fast2Sum, |ql| <= |rh|).
// e^r - 1 = rh + rl + r^2/2 + r^3 Q3(r): rh^2 is split exactly, so only terms ~r^3/6 round.
template <class P>
NONLIN_HD inline void expm1_r(const ExpCore<P>& c, Vec<P>& q, Vec<P>& qe) {
  using S = typename Vec<P>::Scalar;
  const auto& Q = NONLIN_TABLE(coef::C<S>::kExpQ);
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


// Table size of exp for packet P: what one register permute covers (bits::lookup).
template <class P>
constexpr int exp_n() {
  using S = typename Vec<P>::Scalar;
#if defined(__AVX2__) && !defined(__AVX512F__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet8f>) return 8;
#endif
  return sizeof(S) == 4 ? 32 : 16;
}
template <class P>
using ExpTabP = coef::ExpTab<typename Vec<P>::Scalar, exp_n<P>()>;

// The table-driven core of exp, for |a| within the clamp of exp (ExpK lo/hi):
//   m = n/N, n = round(a N/ln2), exactly; t = m + shifter/N (its low bits hold n);
//   e^a = 2^floor(m) * (th + s), th = Th[n mod N], s = th p + Tl, p = e^r - 1, r = a - m ln2,
// returning v = th + s rounded (th and s too, for the exact error of v).
template <class P>
NONLIN_HD inline Vec<P> exp_table(Vec<P> a, Vec<P>& t, Vec<P>& m, Vec<P>& th, Vec<P>& s) {
  using S = typename Vec<P>::Scalar;
  using C = ExpTabP<P>;
  constexpr S sh = fconst<S>::shifter / C::kExpN;  // ulp(sh) = 1/N: a + sh rounds to n/N
  constexpr S ln2n = S(C::kExpN);                  // ln2 = N * (ln2/N) exactly for each part
  t = fma(a, Vec<P>(ExpK<S>::log2e), Vec<P>(sh));
  m = t - sh;
  Vec<P> rh;  // r = a - m ln2 = rh + rl, rh exact, rl = m ln2_lo tiny
  const S clo = kHasFma ? -C::kExpClo * ln2n : -C::kExpC3 * ln2n;
  if constexpr (kHasFma) {
    rh = fma(m, Vec<P>(-C::kExpChi * ln2n), a);
  } else {
    rh = fma(m, Vec<P>(-C::kExpC2 * ln2n), fma(m, Vec<P>(-C::kExpC1 * ln2n), a));
  }
  th = lookup(t, NONLIN_TABLE(C::kExpTabHi));
  if constexpr (C::kExpN >= 16) {
    Vec<P> r = fma(m, Vec<P>(clo), rh);  // its rounding (<= 2^-mant |r|/2) is < 0.01 ulp here
    Vec<P> p = fma(r * r, polyeval(r, NONLIN_TABLE(C::kExpT)), r);
    s = fma(th, p, lookup(t, NONLIN_TABLE(C::kExpTabLo)));
  } else {
    // |r| up to ln2/16: keep rh exact and round th (rh + small) once
    Vec<P> rl = m * clo;
    Vec<P> r = rh + rl;
    Vec<P> pl = fma(r * r, polyeval(r, NONLIN_TABLE(C::kExpT)), rl);
    s = fma(th, rh, fma(th, pl, lookup(t, NONLIN_TABLE(C::kExpTabLo))));
  }
  return th + s;
}
}  // namespace detail

// e^(a + a_lo) = hi + lo with |lo| <= ulp(hi), relative error ~2^-70, for a in [-700, 700]:
// for arguments whose exponential must carry more than working precision (doubly exponential
// gates, where e^-w with w up to ~745 needs w to ~2^-64 relative). The table reduction of exp
// (a = (n/N) ln2 + r, |r| <= ln2/(2N)) with the exact split r = rh + rl of expcore (n/N has
// few bits, so n/N ln2_hi is exact): the rounding of e^r - 1 = q + qe is then ~2^-53 r^3/6,
// and 2^(j/N) = Th + Tl is exact to ~2^-106.
template <class P>
NONLIN_HD inline void exp_hi_lo(Vec<P> a, Vec<P> a_lo, Vec<P>& hi, Vec<P>& lo) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  using C = detail::ExpTabP<P>;
  constexpr S sh = fconst<S>::shifter / C::kExpN;  // ulp(sh) = 1/N: a log2e + sh rounds to n/N
  detail::ExpCore<P> c;
  c.t = fma(a, Vec<P>(K::log2e), Vec<P>(sh));
  const Vec<P> m = c.t - sh;  // n/N
  c.k = floor(m);
  c.rh = fma(-m, Vec<P>(K::ln2_hi), a);
  c.rl = fma(-m, Vec<P>(K::ln2_lo), a_lo);
  Vec<P> q, qe;
  detail::expm1_r(c, q, qe);
  const Vec<P> th = lookup(c.t, NONLIN_TABLE(C::kExpTabHi)), tl = lookup(c.t, NONLIN_TABLE(C::kExpTabLo));
  // (Th + Tl)(1 + q + qe) = Th + Th q + (Tl (1 + q) + Th qe), Th q split exactly
  Vec<P> p, pe;
  two_prod(th, q, p, pe);
  const Vec<P> s = th + p;  // Fast2Sum: |Th| >= 1 > |p|
  const Vec<P> l = (((th - s) + p) + pe) + fma(th, qe, fma(tl, q, tl));
  const Vec<P> h = s + l;
  hi = scale2(h, c.k);
  lo = scale2(l - (h - s), c.k);
}

// Table-driven e^x: x = n ln2/N + r with n = N k + j (N = 32 float, 16 double; 8 float on AVX2),
//   e^x = 2^k * 2^(j/N) * e^r,  2^(j/N) = Th + Tl (table, Th rounded, Tl its error),
//   e^r - 1 = p = r + r^2 T(r) on |r| <= ln2/(2N) (minimax, error << ulp),
//   e^x = 2^k * (Th + (Th p + Tl)),
// so only the last addition rounds noticeably (<= 0.5 ulp + ~0.02). n/N comes from the
// shifter 1.5*2^mant/N (ulp 1/N): the low bits of t = n/N + shifter index the table, and
// 2^floor(n/N) = 2^k is one vscalef on AVX-512 (bit arithmetic on t elsewhere). r = x - n ln2/N
// is exact up to the tiny n*ln2_lo term (FMA: ln2/N = Chi + Clo; without FMA three parts whose
// first two products are exact). Packets with |x| > ~87 (f32) / 707 (f64) in some lane take
// a second path: clamping, overflow, and subnormal results rounded once (the rounding of the
// final sum is undone exactly and re-applied on the subnormal grid).
template <class P>
NONLIN_HD inline Vec<P> exp(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  using F = fconst<S>;
  constexpr int N = detail::ExpTabP<P>::kExpN;
  constexpr int L = N == 8 ? 3 : N == 16 ? 4 : N == 32 ? 5 : -1;
  static_assert(L > 0);
  constexpr S fast_lim = sizeof(S) == 4 ? S(87.0) : S(707.5);  // e^x normal, 2^k finite
  Vec<P> t, m, th, s;
  if (!any_abs_gt(x, fast_lim)) {
    Vec<P> v = detail::exp_table(x, t, m, th, s);
    if constexpr (kScalef<P>) {
      return scale2_floor(v, m);
    } else {
      return v * bits::shl<F::mant>(bits::add(bits::shr<L>(t), bits::konst<P>(F::bias)));
    }
  }
  Vec<P> a = vmin(vmax(x, Vec<P>(K::lo)), Vec<P>(K::hi));
  Vec<P> v = detail::exp_table(a, t, m, th, s);
  Vec<P> k = floor(m);
  Vec<P> w = scale2(v, k);
  // w rounds v 2^k onto the subnormal grid, v rounded th + s: redo it as one rounding
  Vec<P> e = (th - v) + s;                  // exact error of v
  constexpr int H = F::bias / 2;           // w 2^-k in two exact steps (-k up to ~bias+mant)
  Vec<P> d = v - (w * pow2i(-k - S(H))) * std::ldexp(S(1), H);  // exact (Sterbenz)
  Vec<P> wc = w + scale2(d + e, k);         // rounds to w or a neighbour
  // valid where w's grid is the subnormal one (below 2 * min normal)
  return select(w < S(2) * std::numeric_limits<S>::min(), wc, w);
}

// expm1(x) = 2 (A + B + th q), th = 2^(k-1): A = th - 1/2 and B = th rh are exact, A + B is
// summed exactly (Fast2Sum, |A| >= |B|), q = e^r - 1 - rh = rl + r^2 Q(r) is small, so only
// the last addition and terms ~r^3 round (<= ~0.6 ulp). No division, no hi+lo polynomial.
template <class P>
NONLIN_HD inline Vec<P> expm1(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> a = vmin(vmax(x, Vec<P>(K::m1_lo)), Vec<P>(K::hi));
  auto c = detail::expcore(a);
  const auto& Q = NONLIN_TABLE(coef::C<S>::kExpQ);  // Q[0] = 1/2 exactly
  constexpr int NQ = sizeof(Q) / sizeof(Q[0]);
  Vec<P> r = c.rh + c.rl;
  Vec<P> r2 = r * r;
  Vec<P> q1(Q[NQ - 1]);
  for (int i = NQ - 2; i >= 1; --i) q1 = fma(q1, r, Vec<P>(Q[i]));
  // q = rl + r^2/2 + r^3 Q1(r), with r^2/2 = rh^2/2 + rl (rh + rl/2) so the rounding of r
  // does not reach the r^2/2 term, which is rounded once; the rest is much smaller
  Vec<P> q = fma(c.rh * S(0.5), c.rh, fma(fma(c.rl, Vec<P>(S(0.5)), c.rh), c.rl, fma(r2 * r, q1, c.rl)));
  Vec<P> th = pow2i_shifted(c.t, -1);  // 2^(k-1)
  Vec<P> A = th - S(0.5);
  Vec<P> Alo = (th - A) - S(0.5);      // exact; nonzero once th >= 2^mant
  Vec<P> B = th * c.rh;
  Vec<P> s = A + B;
  Vec<P> e = (A - s) + B;
  Vec<P> res = S(2) * (s + fma(th, q, e + Alo));
  return select(abs(x) < K::tiny, x, res);
}

// The accurate-by-construction version kept for reference/comparison (hi+lo throughout).
template <class P>
NONLIN_HD inline Vec<P> expm1_ref(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> a = vmin(vmax(x, Vec<P>(K::m1_lo)), Vec<P>(K::hi));
  auto c = detail::expcore(a);
  Vec<P> s, low;
  detail::expm1_parts(c, s, low);
  Vec<P> r = S(2) * (s + low);
  return select(abs(x) < K::tiny, x, r);
}

// exp(-c x^2) for c = 1 or 1/2 (exact scalings of x^2), with x^2 split exactly into hi + lo:
// full relative accuracy for large |x|.
template <class P>
NONLIN_HD inline Vec<P> exp_neg_scaled_square(Vec<P> x, typename Vec<P>::Scalar c) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> ax = vmin(abs(x), Vec<P>(sizeof(S) == 4 ? S(16) : S(40)));  // e^-(lim^2 / 2) == 0
  Vec<P> h, l;
  two_prod(ax, ax, h, l);
  Vec<P> a = vmax(-c * h, Vec<P>(K::lo));
  auto e = detail::expcore(a, -c * l);
  return scale2(S(1) + detail::expm1_r_fast(e), e.k);
}
template <class P>
NONLIN_HD inline Vec<P> exp_mx2(Vec<P> x) {
  return exp_neg_scaled_square(x, typename Vec<P>::Scalar(1));
}
// exp(-x^2 / 2), the unnormalised Gaussian
template <class P>
NONLIN_HD inline Vec<P> exp_mhalf_x2(Vec<P> x) {
  return exp_neg_scaled_square(x, typename Vec<P>::Scalar(0.5));
}

namespace detail {
// n/(dh + dl) for n = nh + nl, with y ~ 1/dh (recip): q0 = nh*y, its exact residual by FMA,
// and one correction step; the result has the error of the final FMA plus O(2^-2mant).
template <class P>
NONLIN_HD inline Vec<P> div_corr(Vec<P> nh, Vec<P> nl, Vec<P> dh, Vec<P> dl) {
  Vec<P> y = recip(dh);
  Vec<P> q0 = nh * y;
  Vec<P> res = fma(-q0, dh, nh);
  res = fma(-q0, dl, res + nl);
  return fma(res, y, q0);
}
// e^a for a <= 0 as 2^k (ph + pl): ph = 1 + p rounded, pl its exact error (p = e^r - 1 itself
// rounded once, relative error ~2^-(mant+2) of the sum).
template <class P>
NONLIN_HD inline void exp_pair(const ExpCore<P>& c, Vec<P>& ph, Vec<P>& pl) {
  using S = typename Vec<P>::Scalar;
  Vec<P> r = c.rh + c.rl;
  Vec<P> p = fma(r * r, polyeval(r, NONLIN_TABLE(coef::C<S>::kExpQ)), r);
  ph = S(1) + p;
  pl = (S(1) - ph) + p;
}
}  // namespace detail

// The previous implementation (exact-quotient arithmetic that needs no FMA), kept as sigmoid_ref;
// sigmoid() uses it on builds without hardware FMA.
template <class P>
NONLIN_HD inline Vec<P> sigmoid_ref(Vec<P> x) {
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

// Logistic 1/(1+e^-x). E = e^-|x| = 2^k (ph + pl), d = 1 + E as an exact pair dh + dl:
//   x >= 0: 1/d;   x < 0: E/d = 2^k (ph + pl)/d,
// each by detail::div_corr (reciprocal + FMA residual), so only the last FMA rounds.
template <class P>
NONLIN_HD inline Vec<P> sigmoid(Vec<P> x) {
  if constexpr (!kHasFma) return sigmoid_ref(x);  // div_corr's residual needs one rounding
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  Vec<P> a = vmax(-abs(x), Vec<P>(K::lo));
  auto c = detail::expcore(a);
  Vec<P> ph, pl;
  detail::exp_pair(c, ph, pl);
  Vec<P> e2k = pow2i_shifted(vmax(c.t, Vec<P>(S(fconst<S>::shifter + (1 - fconst<S>::bias)))));
  Vec<P> eh = e2k * ph;
  Vec<P> dh = S(1) + eh;
  Vec<P> dl = fma(e2k, pl, (S(1) - dh) + eh);
  const Mask<P> neg = x < S(0);
  Vec<P> nh = select(neg, ph, Vec<P>(S(1)));
  Vec<P> nl = select(neg, pl, Vec<P>(S(0)));
  Vec<P> r = detail::div_corr(nh, nl, dh, dl);
  return select(neg, scale2_lowk(r, c.k, e2k), r);
}


// The previous implementation (exact-quotient arithmetic that needs no FMA), kept as tanh_ref;
// tanh() uses it on builds without hardware FMA.
template <class P>
NONLIN_HD inline Vec<P> tanh_ref(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  const S lim = sizeof(S) == 4 ? S(-18.5) : S(-40);
  Vec<P> ax = abs(x);
  Vec<P> a = vmax(S(-2) * ax, Vec<P>(lim));
  auto c = detail::expcore(a);
  Vec<P> s, low;
  detail::expm1_parts(c, s, low);
  Vec<P> dh = S(1) + s;
  Vec<P> dl = ((S(1) - dh) + s) + low;
  Vec<P> nh = -s;
  Vec<P> v = nh / dh;
  Vec<P> res = fms_exact(v, dh, nh);
  Vec<P> w = S(1) + v;
  Vec<P> r = v + (res - fma(v, dl, low)) * w;
  const S tiny = sizeof(S) == 4 ? S(0x1p-12) : S(0x1p-27);
  return select(ax < tiny, x, copysign(r, x));
}

inline constexpr double kTanhSplit = 0.55;  // must match X_TANH in cpp/tools/fit_vmath.py

// tanh|x| = |x| + |x|^3 T(x^2) below kTanhSplit; above, 1 - g with g = 2E/(1+E), E = e^-2|x|
// as the pair 2^k (ph + pl) and the quotient by detail::div_corr: 1 - g is formed as h + hl
// exactly, so the result rounds essentially once. Sign restored at the end.
template <class P>
NONLIN_HD inline Vec<P> tanh(Vec<P> x) {
  if constexpr (!kHasFma) return tanh_ref(x);  // div_corr's residual needs one rounding
  using S = typename Vec<P>::Scalar;
  const S lim = sizeof(S) == 4 ? S(-18.5) : S(-40);
  Vec<P> ax = abs(x);
  Vec<P> x2 = ax * ax;
  Vec<P> small = fma(ax * x2, polyeval(x2, NONLIN_TABLE(coef::C<S>::kTanhT)), ax);
  Vec<P> a = vmax(S(-2) * ax, Vec<P>(lim));
  auto c = detail::expcore(a);
  Vec<P> ph, pl;
  detail::exp_pair(c, ph, pl);
  Vec<P> e2k = pow2i_shifted(c.t);
  Vec<P> eh = e2k * ph, el = e2k * pl;
  Vec<P> dh = S(1) + eh;
  Vec<P> dl = ((S(1) - dh) + eh) + el;
  // g = 2E/(1+E) = g0 + gc (reciprocal + FMA residual); 1 - g0 = h + hl exactly (Fast2Sum),
  // so only the last addition rounds (tanhshrink's x - tanh x near 0.55 amplifies any more)
  Vec<P> nh = S(2) * eh;
  Vec<P> y = recip(dh);
  Vec<P> g0 = nh * y;
  Vec<P> res = fma(-g0, dh, nh);
  res = fma(-g0, dl, res + S(2) * el);
  Vec<P> h = S(1) - g0;
  Vec<P> hl = (S(1) - h) - g0;
  Vec<P> r = select(ax < S(kTanhSplit), small, h + fma(-res, y, hl));
  return copysign(r, x);
}


}  // namespace vm
}  // namespace NONLIN_ISA
}  // namespace nonlin
