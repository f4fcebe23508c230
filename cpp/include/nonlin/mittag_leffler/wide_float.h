// The widest floating type the Prabhakar power series can be summed in (and the phases of its
// large-argument expansion computed in), and the functions they need for it: __float128 (113-bit significand, GCC's libquadmath) in builds that define
// NONLIN_HAVE_QUADMATH (x86-64 with GCC or Clang; CMake checks), else long double (IEEE quad
// on aarch64 Linux, 64 bits on x86-64). The templates forward float / double / long double to
// <cmath>; the __float128 overloads (preferred over the templates) to <quadmath.h>.
#pragma once

#include <cfloat>
#include <cmath>
#include <numbers>

#if defined(NONLIN_HAVE_QUADMATH)
#include <quadmath.h>
#endif

#include "gamma.h"

namespace nonlin::ml::wide {

template <class T> T tgamma(T x) { return std::tgamma(x); }
template <class T> T fabs(T x) { return std::fabs(x); }
template <class T> T exp(T x) { return std::exp(x); }
template <class T> T log(T x) { return std::log(x); }
template <class T> T nearbyint(T x) { return std::nearbyint(x); }
template <class T> T copysign(T x, T y) { return std::copysign(x, y); }
template <class T> T ldexp(T x, int e) { return std::ldexp(x, e); }
template <class T> T frexp(T x, int* e) { return std::frexp(x, e); }
template <class T> T tan(T x) { return std::tan(x); }
template <class T> T sin(T x) { return std::sin(x); }
template <class T> T cos(T x) { return std::cos(x); }
template <class T> T atan2(T y, T x) { return std::atan2(y, x); }
template <class T> T hypot(T x, T y) { return std::hypot(x, y); }
template <class T> T pi() { return std::numbers::pi_v<T>; }

#if defined(NONLIN_HAVE_QUADMATH)
using Float = __float128;
constexpr int float_digits = FLT128_MANT_DIG;
inline __float128 tgamma(__float128 x) { return tgammaq(x); }
inline __float128 fabs(__float128 x) { return fabsq(x); }
inline __float128 exp(__float128 x) { return expq(x); }
inline __float128 log(__float128 x) { return logq(x); }
inline __float128 nearbyint(__float128 x) { return nearbyintq(x); }
inline __float128 copysign(__float128 x, __float128 y) { return copysignq(x, y); }
inline __float128 ldexp(__float128 x, int e) { return ldexpq(x, e); }
inline __float128 frexp(__float128 x, int* e) { return frexpq(x, e); }
inline __float128 tan(__float128 x) { return tanq(x); }
inline __float128 sin(__float128 x) { return sinq(x); }
inline __float128 cos(__float128 x) { return cosq(x); }
inline __float128 atan2(__float128 y, __float128 x) { return atan2q(y, x); }
inline __float128 hypot(__float128 x, __float128 y) { return hypotq(x, y); }
template <> inline __float128 pi<__float128>() { return M_PIq; }
#else
using Float = long double;
constexpr int float_digits = LDBL_MANT_DIG;
#endif

// psi(x) = Gamma'(x) / Gamma(x) in T: the recurrence up to x >= 40, then the asymptotic series
// with B_2 .. B_24 (its remainder below 1e-35 there); reflection psi(1 - x) - pi cot(pi x) for
// x < 1/2, with pi x reduced exactly by the nearest integer. NaN at the poles.
template <class T>
T digamma(T x) {
  if (x < T(0.5)) {
    const T r = x - nearbyint(x);  // exact
    if (r == 0) return T(NAN);
    return digamma(T(1) - x) - pi<T>() / tan(pi<T>() * r);
  }
  T acc = 0;
  for (int n = 0; n < 64 && x < T(40); ++n) {
    acc -= T(1) / x;
    x += T(1);
  }
  return acc + log(x) - T(0.5) / x - digamma_stirling_tail(T(1) / (x * x), 12);
}

// d/dx 1/Gamma(x) = -psi(x) / Gamma(x) in T; (-1)^n n! at x = -n
template <class T>
T rgamma_deriv(T x) {
  if (x <= 0 && x == nearbyint(x)) {
    T f = 1;
    for (int k = 2; k <= int(-x); ++k) f *= k;
    return int(-x) % 2 == 0 ? f : -f;
  }
  return -digamma(x) / tgamma(x);
}

}  // namespace nonlin::ml::wide
