// log, log1p, softplus, log_sigmoid on Vec<P>.
//
// x = 2^e * m with m in [sqrt(1/2), sqrt(2)) (integer bit tricks, no table), f = m - 1 exactly,
// log(1+f) = f - hfsq + s*(hfsq + z*U(z)), s = f/(2+f), z = s^2, hfsq = f^2/2 (the fdlibm
// arrangement: the large term f is added last, exactly as computed). log1p adds the rounding
// error of 1+x (TwoSum) divided by 1+x as a correction; softplus feeds e^-|x| as a hi+lo pair.
#pragma once

#include "nonlin/simd/exp.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace vm {
namespace detail {

template <class S>
struct LogK;
template <>
struct LogK<float> {
  static constexpr float ln2_hi = 6.9313812256e-01f;  // 0x3f317180
  static constexpr float ln2_lo = 9.0580006145e-06f;
  static constexpr std::uint32_t sqrt_half_bits = 0x3f3504f3u;
  static constexpr std::uint32_t mant_mask = 0x007fffffu;
  static constexpr std::uint32_t exp_mask = 0x7f800000u;
  static constexpr float int_magic = 8388608.0f;  // 2^23
  static constexpr float min_normal = 1.17549435e-38f;
  static constexpr float sub_scale = 16777216.0f;  // 2^24
  static constexpr int sub_exp = 24;
  static constexpr float tiny = 0x1p-25f;
};
template <>
struct LogK<double> {
  static constexpr double ln2_hi = 6.93147180369123816490e-01;
  static constexpr double ln2_lo = 1.90821492927058770002e-10;
  static constexpr std::uint64_t sqrt_half_bits = 0x3fe6a09e667f3bcdull;
  static constexpr std::uint64_t mant_mask = 0x000fffffffffffffull;
  static constexpr std::uint64_t exp_mask = 0x7ff0000000000000ull;
  static constexpr double int_magic = 4503599627370496.0;  // 2^52
  static constexpr double min_normal = 2.2250738585072014e-308;
  static constexpr double sub_scale = 18014398509481984.0;  // 2^54
  static constexpr int sub_exp = 54;
  static constexpr double tiny = 0x1p-54;
};

// For positive normal finite y: y = 2^e * m, m in [sqrt(.5), sqrt(2)). Returns f = m - 1 (exact)
// and e as a floating value; inv2e = 2^-e (0 when e > bias - 1).
template <class P>
NONLIN_HD inline void log_reduce(Vec<P> y, Vec<P>& f, Vec<P>& e, Vec<P>* inv2e = nullptr) {
  using S = typename Vec<P>::Scalar;
  using L = LogK<S>;
  using C = fconst<S>;
  using U = bits::uint_of<S>;
  const U off = C::one_bits - L::sqrt_half_bits;
  Vec<P> u = bits::add(y, bits::konst<P>(off));
  Vec<P> eb = bits::shr<C::mant>(u);  // biased exponent, as a small integer
  e = bits::bor(eb, Vec<P>(L::int_magic)) - S(L::int_magic + C::bias);
  Vec<P> m = bits::add(bits::band(u, bits::konst<P>(L::mant_mask)), bits::konst<P>(L::sqrt_half_bits));
  f = m - S(1);
  if (inv2e) {
    // bits(2^-e) = (2*bias - eb) << mant
    Vec<P> r = bits::sub(bits::konst<P>(U(2 * C::bias) << C::mant), bits::band(u, bits::konst<P>(L::exp_mask)));
    *inv2e = select(e < S(C::bias), r, Vec<P>(S(0)));
  }
}

// log(2^e * (1+f)) + c, with c a small correction (|c| < ulp of the result's low part).
template <class P>
NONLIN_HD inline Vec<P> log_finish(Vec<P> f, Vec<P> e, Vec<P> c) {
  using S = typename Vec<P>::Scalar;
  using L = LogK<S>;
  Vec<P> s = f / (S(2) + f);
  Vec<P> z = s * s;
  Vec<P> R = z * polyeval(z, NONLIN_TABLE(coef::C<S>::kLogU));
  Vec<P> hfsq = S(0.5) * f * f;
  return fma(e, Vec<P>(L::ln2_hi), -((hfsq - fma(s, hfsq + R, fma(e, Vec<P>(L::ln2_lo), c))) - f));
}

// log1p(xh + xl) for xh >= -1, |xl| <= ulp(xh); no special-value handling.
template <class P>
NONLIN_HD inline Vec<P> log1p_core(Vec<P> xh, Vec<P> xl) {
  using S = typename Vec<P>::Scalar;
  Vec<P> u = S(1) + xh;  // TwoSum(1, xh)
  Vec<P> bb = u - S(1);
  Vec<P> err = ((S(1) - (u - bb)) + (xh - bb)) + xl;
  Vec<P> f, e, inv2e;
  log_reduce(u, f, e, &inv2e);
  // err/u = err * 2^-e / (1+f); 1/(1+f) to ~1e-2 relative is plenty for this tiny term
  Vec<P> c = err * inv2e * (S(1) - f + f * f);
  return log_finish(f, e, c);
}

}  // namespace detail

// log y = hi + lo for positive finite y (|lo| <= ulp(hi)/2): e ln2 (ln2 as hi + lo, e ln2_hi exact)
// plus log(1 + f) from log_finish, summed without rounding error (Fast2Sum).
template <class P>
NONLIN_HD inline void log_hi_lo(Vec<P> y, Vec<P>& hi, Vec<P>& lo) {
  using K = detail::LogK<typename Vec<P>::Scalar>;
  const auto sub = y < K::min_normal;
  Vec<P> f, e;
  detail::log_reduce(select(sub, y * K::sub_scale, y), f, e);
  e = select(sub, e - K::sub_exp, e);
  const Vec<P> lp = detail::log_finish(f, Vec<P>(0), Vec<P>(0));
  const Vec<P> a = e * K::ln2_hi;
  const Vec<P> h = a + lp;
  const Vec<P> l = select(abs(a) >= abs(lp), (a - h) + lp, (lp - h) + a) + e * K::ln2_lo;
  hi = h + l;  // renormalised (Fast2Sum): e ln2_lo alone is far above ulp(h)
  lo = l - (hi - h);
}

// log(h + l) = hi + lo to ~2^-70 absolute (plus 2^-53 |log|), for positive normal finite h
// and |l| <= ulp(h): h = 2^e m, log m = y0 + r with y0 = log_finish (~1 ulp) and one Newton
// step r = m e^-y0 - 1 from exp_hi_lo (~2^-70 relative; r ~ 2^-53, so r^2/2 is below it), plus
// l/h; e ln2 as ln2_hi (exact product) + ln2_lo.
template <class P>
NONLIN_HD inline void log_hi_lo(Vec<P> h, Vec<P> l, Vec<P>& hi, Vec<P>& lo) {
  using K = detail::LogK<typename Vec<P>::Scalar>;
  Vec<P> f, e, inv2e;
  detail::log_reduce(h, f, e, &inv2e);
  const Vec<P> m = f + 1;  // exact: m in [sqrt(1/2), sqrt(2))
  const Vec<P> y0 = detail::log_finish(f, Vec<P>(0), Vec<P>(0));
  Vec<P> eh, el;
  exp_hi_lo(-y0, Vec<P>(0), eh, el);
  const Vec<P> r = fma(m, el, (l * inv2e) * eh) - fms_exact(m, eh, Vec<P>(1));
  const Vec<P> a = e * K::ln2_hi;
  Vec<P> s, se;
  two_sum(a, y0, s, se);
  const Vec<P> t = se + (r + e * K::ln2_lo);
  hi = s + t;
  lo = t - (hi - s);
}

template <class P>
NONLIN_HD inline Vec<P> log(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using L = detail::LogK<S>;
  const Mask<P> sub = x < L::min_normal;
  Vec<P> y = select(sub, x * L::sub_scale, x);
  Vec<P> f, e;
  detail::log_reduce(y, f, e);
  e = e - select(sub, Vec<P>(S(L::sub_exp)), Vec<P>(S(0)));
  Vec<P> r = detail::log_finish(f, e, Vec<P>(S(0)));
  const S inf = std::numeric_limits<S>::infinity();
  r = select(x < inf, r, x);  // +inf, NaN
  return select(x > S(0), r, select(x == S(0), Vec<P>(-inf), Vec<P>(std::numeric_limits<S>::quiet_NaN())));
}

template <class P>
NONLIN_HD inline Vec<P> log1p(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using L = detail::LogK<S>;
  Vec<P> r = detail::log1p_core(x, Vec<P>(S(0)));
  const S inf = std::numeric_limits<S>::infinity();
  r = select(x < inf, r, x);
  r = select(abs(x) < L::tiny, x, r);
  return select(x > S(-1), r, select(x == S(-1), Vec<P>(-inf), Vec<P>(std::numeric_limits<S>::quiet_NaN())));
}

// softplus(x) = log(1 + e^x): log1p of e^x given as an exact-ish hi+lo pair (one rounding at
// the end) for -9 <= x <= 20 (-19..40 in double); x above that; e^x (1 - e^x/2) below.
template <class P>
NONLIN_HD inline Vec<P> softplus(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::ExpK<S>;
  const S lim = sizeof(S) == 4 ? S(20) : S(40);
  const S tail = sizeof(S) == 4 ? S(-9) : S(-19);  // e^(2x)/3 < 2^-(mant+3) below
  Vec<P> a = vmin(vmax(x, Vec<P>(K::lo)), Vec<P>(lim));
  auto c = detail::expcore(a);
  Vec<P> ph, pl;
  detail::exp_r(c, ph, pl);
  Vec<P> e2k = pow2i(vmax(c.k, Vec<P>(S(1 - fconst<S>::bias))));
  Vec<P> eh = e2k * ph, el = e2k * pl;
  Vec<P> mid = detail::log1p_core(eh, el);
  // tail: e^x (1 - e^x/2) = 2^k (ph + (pl - ph*eh/2))
  Vec<P> small = scale2(ph + fma(ph * eh, Vec<P>(S(-0.5)), pl), c.k);
  return select(x < tail, small, select(x > lim, x, mid));
}

template <class P>
NONLIN_HD inline Vec<P> log_sigmoid(Vec<P> x) {
  return -softplus(-x);
}

}  // namespace vm
}  // namespace NONLIN_ISA
}  // namespace nonlin
