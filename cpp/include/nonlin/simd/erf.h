// erf, erfc on Vec<P>.
//
// |x| < 0.75:  erf(x) = x + x*Y(x^2);  erfc(x) = (1 - x) - x*Y(x^2) for |x| < 0.5, with 1 - x
//              kept as an exact hi+lo pair (Fast2Sum).
// |x| >= 0.5:  erfc(|x|) = e^(-x^2) * t * H(t), t = 1/(1 + |x|/2), H a polynomial in t - tmid; e^(-x^2)
//              is evaluated from the exact split x^2 = h + l (as in exp_mx2), and the three
//              factors are multiplied as hi+lo pairs so only the final addition (and the
//              scaling by 2^k, for subnormal results) rounds. erf = 1 - erfc there, and
//              erfc(-|x|) = 2 - erfc(|x|).
#pragma once

#include "nonlin/simd/exp.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace vm {
namespace detail {

inline constexpr double kErfSplit = 0.75;   // must match X_ERF in cpp/tools/fit_vmath.py
inline constexpr double kErfcSplit = 0.5;   // must match X_ERFC

// erfc(y) for y >= 0.5 (any y up to inf; NaN propagates).
template <class P>
NONLIN_HD inline Vec<P> erfc_tail(Vec<P> y) {
  using S = typename Vec<P>::Scalar;
  using K = ExpK<S>;
  const auto& Hc = NONLIN_TABLE(coef::C<S>::kErfcH);
  constexpr int NH = sizeof(Hc) / sizeof(Hc[0]);
  y = vmin(y, Vec<P>(coef::C<S>::kErfcXmax));  // erfc == 0 beyond
  // e^(-y^2) = 2^k (ph + pl)
  Vec<P> h, l;
  two_prod(y, y, h, l);
  auto c = expcore(vmax(-h, Vec<P>(K::lo)), -l);
  Vec<P> ph, pl;
  detail::exp_r(c, ph, pl);
  // t = 2/(2+y) = tH + tL
  Vec<P> Dh = y + S(2);
  Vec<P> bb = Dh - y;
  Vec<P> Dl = (y - (Dh - bb)) + (S(2) - bb);
  Vec<P> tH = S(2) / Dh;
  Vec<P> tL = (fms_exact(tH, Dh, Vec<P>(S(2))) - tH * Dl) * (S(0.5) * tH);
  // H(t) = c0 + u*acc(u) = Hh + Hl, u = t - kErfcTmid = uh + ul
  Vec<P> uh = tH - S(coef::C<S>::kErfcTmid);
  Vec<P> ul = (tH - (uh + S(coef::C<S>::kErfcTmid))) + tL;
  Vec<P> acc(Hc[NH - 1]);
  for (int i = NH - 2; i >= 1; --i) acc = fma(acc, uh, Vec<P>(Hc[i]));
  Vec<P> mh, ml;
  two_prod(uh, acc, mh, ml);
  // first-order effect of ul: d(u*acc)/du = acc + u*acc' ~ 2*acc - c1; plus the low parts of c0 and c1
  ml = fma(ul, fma(acc, Vec<P>(S(2)), Vec<P>(-Hc[1])), fma(uh, Vec<P>(coef::C<S>::kErfcH1lo), ml + S(coef::C<S>::kErfcH0lo)));
  Vec<P> Hh = mh + S(Hc[0]);
  Vec<P> hb = Hh - mh;
  Vec<P> Hl = ((mh - (Hh - hb)) + (S(Hc[0]) - hb)) + ml;
  // (ph + pl) * (tH + tL) * (Hh + Hl)
  Vec<P> p1h, p1l, p2h, p2l;
  two_prod(ph, tH, p1h, p1l);
  Vec<P> low1 = fma(ph, tL, fma(pl, tH, p1l));
  two_prod(p1h, Hh, p2h, p2l);
  Vec<P> low = fma(p1h, Hl, fma(low1, Hh, p2l));
  return scale2(p2h + low, c.k);
}

}  // namespace detail

template <class P>
NONLIN_HD inline Vec<P> erf(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  Vec<P> y = abs(x);
  Vec<P> small = fma(x, polyeval(x * x, NONLIN_TABLE(coef::C<S>::kErfY)), x);
  Vec<P> big = copysign(S(1) - detail::erfc_tail(y), x);
  return select(y < S(detail::kErfSplit), small, big);
}

template <class P>
NONLIN_HD inline Vec<P> erfc(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  Vec<P> y = abs(x);
  Vec<P> ch = S(1) - x;
  Vec<P> cl = fma(-x, Vec<P>(coef::C<S>::kErfY0lo), (S(1) - ch) - x);
  Vec<P> small = ch + fma(-x, polyeval(x * x, NONLIN_TABLE(coef::C<S>::kErfY)), cl);
  Vec<P> t = detail::erfc_tail(y);
  Vec<P> big = select(x < S(0), S(2) - t, t);
  return select(y < S(detail::kErfcSplit), small, big);
}

}  // namespace vm
}  // namespace NONLIN_ISA
}  // namespace nonlin
