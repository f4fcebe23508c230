// log(1 + e) for e in [0, 1] -- the softplus / log-sigmoid term with e = e^-|x| -- as
// e + e^2 R(2e - 1): one polynomial instead of a general log1p (no division, no reduction),
// with the leading term exact so R's rounding is damped by e/2.
// Coefficients: cpp/tools/fit_log1p_unit.py (Chebyshev interpolation at 120 digits).
#pragma once

#include "nonlin/simd/vec.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace vm {
namespace coef {
struct Log1pUnit {
  // degree 9, max relative error 9.56e-9
  static constexpr float kF32[] = {-3.781395709e-01f, 8.961246949e-02f, -2.330742723e-02f,
    6.385379816e-03f, -1.810250512e-03f, 5.250516097e-04f, -1.512790417e-04f, 4.521627687e-05f,
    -1.787842975e-05f, 5.471957017e-06f};
  // degree 21, max relative error 3.24e-18
  static constexpr double kF64[] = {-0.37813956756734246, 0.08961246846801828,
    -0.02330759159091604, 0.006385430763196963, -0.0018089489478340815, 0.0005246482024121479,
    -0.0001548421984843993, 4.632040673833343e-05, -1.4006511381725468e-05,
    4.272730849707335e-06, -1.312979850250323e-06, 4.0597736246597543e-07,
    -1.2621557663825822e-07, 3.941508891858519e-08, -1.23247162527636e-08,
    3.877903094203453e-09, -1.2644338392501607e-09, 4.0042334266603774e-10,
    -9.702361600260708e-11, 3.078944349560745e-11, -2.2468028666163728e-11,
    7.1899594317561195e-12};
};
}  // namespace coef

template <class P>
NONLIN_HD inline Vec<P> log1p_unit_r(Vec<P> e) {
  using S = typename Vec<P>::Scalar;
  const Vec<P> t = fma(e, Vec<P>(S(2)), Vec<P>(S(-1)));
  if constexpr (sizeof(S) == 4) return polyeval(t, NONLIN_TABLE(coef::Log1pUnit::kF32));
  else return polyeval(t, NONLIN_TABLE(coef::Log1pUnit::kF64));
}

// log1p(e) / e = 1 + e R for e in [0, 1] (1 at e = 0).
template <class P>
NONLIN_HD inline Vec<P> log1p_unit_over(Vec<P> e) {
  return fma(e, log1p_unit_r(e), Vec<P>(typename Vec<P>::Scalar(1)));
}

// log1p(e) = e + e^2 R for e in [0, 1].
template <class P>
NONLIN_HD inline Vec<P> log1p_unit(Vec<P> e) {
  return fma(e * e, log1p_unit_r(e), e);
}

}  // namespace vm
}  // namespace NONLIN_ISA
}  // namespace nonlin
