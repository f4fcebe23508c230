// The widest floating type the Prabhakar power series can be summed in, and the functions the
// series needs for it: __float128 (113-bit significand, GCC's libquadmath) in builds that define
// NONLIN_HAVE_QUADMATH (x86-64 with GCC or Clang; CMake checks), else long double (IEEE quad
// on aarch64 Linux, 64 bits on x86-64). The templates forward float / double / long double to
// <cmath>; the __float128 overloads (preferred over the templates) to <quadmath.h>.
#pragma once

#include <cfloat>
#include <cmath>

#if defined(NONLIN_HAVE_QUADMATH)
#include <quadmath.h>
#endif

namespace nonlin::ml::wide {

template <class T> T tgamma(T x) { return std::tgamma(x); }
template <class T> T fabs(T x) { return std::fabs(x); }
template <class T> T exp(T x) { return std::exp(x); }
template <class T> T log(T x) { return std::log(x); }
template <class T> T nearbyint(T x) { return std::nearbyint(x); }
template <class T> T copysign(T x, T y) { return std::copysign(x, y); }
template <class T> T ldexp(T x, int e) { return std::ldexp(x, e); }
template <class T> T frexp(T x, int* e) { return std::frexp(x, e); }

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
#else
using Float = long double;
constexpr int float_digits = LDBL_MANT_DIG;
#endif

}  // namespace nonlin::ml::wide
