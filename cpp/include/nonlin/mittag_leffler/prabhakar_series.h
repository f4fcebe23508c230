// The power series of the three-parameter (Prabhakar) Mittag-Leffler function,
//   E^g_{a,b}(z) = sum_k (g)_k z^k / (k! Gamma(a k + b)),
// for real or complex z in a chosen precision (double, long double or wide::Float), with the
// bound of its rounding, differentiated termwise in a, b or g (PPart); and, for a = 1 and
// z < 0, Kummer's transformation of it.
#pragma once

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <type_traits>

#include "gamma.h"
#include "part.h"
#include "series.h"
#include "wide_float.h"

namespace nonlin::ml::prabhakar_detail {

using cplx = std::complex<double>;

template <class Z>
using SumT = SeriesSumT<Z>;  // series.h
using Sum = SeriesSumT<double>;

// log|Gamma(x)| and its sign, reentrant (std::lgamma writes the global signgam)
inline double log_abs_gamma(double x, int& sign) {
  sign = 1;
  return ::lgamma_r(x, &sign);
}

// log|1/Gamma(x)|, with its sign in `sign` (0 at the poles of Gamma, where 1/Gamma is 0)
inline double log_abs_rgamma(double x, double& sign) {
  if (is_nonpositive_integer(x)) {
    sign = 0.0;
    return -INFINITY;
  }
  int s;
  const double lg = log_abs_gamma(x, s);
  sign = s;
  return -lg;
}

// log|d/dx 1/Gamma(x)| = log|psi(x) / Gamma(x)|, with its sign; (-1)^n n! at x = -n
inline double log_abs_rgamma_deriv(double x, double& sign) {
  if (is_nonpositive_integer(x)) {
    const double n = -x;
    sign = std::fmod(n, 2.0) == 0 ? 1.0 : -1.0;
    int s;
    return log_abs_gamma(n + 1, s);
  }
  const double psi = digamma(x);
  const double lr = log_abs_rgamma(x, sign);
  sign = psi > 0 ? -sign : psi < 0 ? sign : 0.0;
  return lr + std::log(std::fabs(psi));
}

// |x|, or |Re x| + |Im x| (within sqrt 2 of the modulus) in any precision
template <class T> T norm1(T x) { return wide::fabs(x); }
template <class T> T norm1(const std::complex<T>& x) { return wide::fabs(x.real()) + wide::fabs(x.imag()); }

// The series' working type in precision T for an argument of type Z (double or complex)
template <class T, class Z>
using Working = std::conditional_t<std::is_same_v<Z, double>, T, std::complex<T>>;

template <class Z>
Z narrow(const Z& v) { return v; }
template <class T>
cplx narrow(const std::complex<T>& v) { return cplx(double(v.real()), double(v.imag())); }

// The real factor a term of the series carries for each part, on top of (g)_k z^k / k! 2^-e2
// (or, for d/dg, its g-derivative): 1/Gamma(x), d/dx 1/Gamma(x), k d/dx 1/Gamma(x) at
// x = a k + b, times 2^e2.
template <class T>
inline T series_factor(PPart part, T x, int k, int e2) {
  const bool deriv = part == PPart::d_alpha || part == PPart::d_beta;
  const T mult = part == PPart::d_alpha ? T(k) : T(1);
  if (x < 170) {
    if (!deriv) {
      if (is_nonpositive_integer(double(x)) && x == wide::nearbyint(x)) return 0;
      return wide::ldexp(T(1) / wide::tgamma(x), e2);
    }
    // (1/Gamma)' in T where T is wider than double (wide_float.h), else glibc-based (~4 ulp)
    T d;
    if constexpr (std::is_same_v<T, double>) d = rgamma_deriv(x);
    else d = wide::rgamma_deriv(x);
    return wide::ldexp(mult * d, e2);
  }
  double sign;
  const double l = deriv ? log_abs_rgamma_deriv(double(x), sign) : log_abs_rgamma(double(x), sign);
  return T(sign) * mult * wide::exp(e2 * T(std::numbers::ln2) + T(l));
}

template <class T>
constexpr int digits_of() {
  if constexpr (std::is_same_v<T, wide::Float>) return wide::float_digits;
  else return std::numeric_limits<T>::digits;
}

// The power series in precision T (double, or wider where the alternating sum cancels more
// than double can carry). (g)_k / k! and z^k are running products (a few roundings per term,
// like the two-parameter series), renormalised by powers of two so neither overflows;
// 1/Gamma(a k + b) is direct below 170 and joins the log form beyond (where E itself is
// ~ e^170 or more and its conditioning eps z^(1/a) dominates anyway).
template <class T, class Z>
inline SumT<Z> series(Z z, double a, double b, double g, PPart part, int max_terms) {
  using W = Working<T, Z>;
  // past the peak the terms fall factorially: stop once one is below the rounding of |terms|
  // in T (the alternating sums keep only digits_of<T> - log2(sum |t| / |sum|) bits)
  const T tiny = wide::ldexp(T(1), -digits_of<T>() - 4);
  const W zw(z);
  W sum(0);
  T abs_sum = 0;
  SumT<Z> r;
  const double peak = std::pow(std::abs(z), 1.0 / a);  // terms fall once a k + b >> |z|^{1/a}
  // (g)_k / k! z^k = pz 2^e2 and its g-derivative qz 2^e2 (for d/dg; exact at g = 0 too)
  W pz(1), qz(0);
  int e2 = 0;
  for (int k = 0; k < max_terms; ++k) {
    const T arg = T(a) * k + T(b);
    const W t = (part == PPart::d_gamma ? qz : pz) * series_factor<T>(part, arg, k, e2);
    sum += t;
    abs_sum += norm1(t);
    r.terms = k + 1;
    if (arg > 2 && arg > peak && k > g && norm1(t) <= tiny * abs_sum) {
      r.converged = true;
      break;
    }
    qz = (qz * (T(g) + k) + pz) / (k + T(1)) * zw;
    pz *= (T(g) + k) / (k + T(1)) * zw;
    if (pz == W(0) && qz == W(0)) {  // (g)_k = 0: a polynomial
      r.converged = true;
      break;
    }
    int e;
    wide::frexp(std::max(norm1(pz), norm1(qz)), &e);
    pz *= wide::ldexp(T(1), -e);
    qz *= wide::ldexp(T(1), -e);
    e2 += e;
  }
  r.sum = narrow(sum);
  r.abs_sum = double(abs_sum);
  return r;
}

// The series in T (up to 4000 terms) with the bound of its rounding in `error`: each term
// carries ~k roundings in T (running products), the d/da, d/db terms' (1/Gamma)' a few more
// (4 ulp); INFINITY where it did not converge.
template <class T, class Z>
inline SumT<Z> bounded_series(Z z, double a, double b, double g, PPart part) {
  SumT<Z> s = series<T>(z, a, b, g, part, 4000);
  const bool psi = part == PPart::d_alpha || part == PPart::d_beta;
  s.error = s.converged ? s.abs_sum * s.terms * std::ldexp(1.0, -digits_of<T>()) * (psi ? 4 : 1) : INFINITY;
  return s;
}

// The same in long double (64-bit or wider significand; double where that is all there is)
template <class Z>
inline SumT<Z> extended_series(Z z, double a, double b, double g, PPart part) {
  if constexpr (std::numeric_limits<long double>::digits >= 64) return bounded_series<long double>(z, a, b, g, part);
  else return bounded_series<double>(z, a, b, g, part);
}

// The same in wide::Float (113 bits where available; else it is long double again: none)
template <class Z>
inline SumT<Z> wide_series(Z z, double a, double b, double g, PPart part) {
  if constexpr (wide::float_digits > std::numeric_limits<long double>::digits)
    return bounded_series<wide::Float>(z, a, b, g, part);
  else return SumT<Z>{};
}

// a = 1: E^g_{1,b}(z) = 1F1(g; b; z) / Gamma(b) = e^z sum_k (b - g)_k (-z)^k / (k! Gamma(b + k))
// (Kummer's transformation): for z < 0 the terms keep one sign from k > g - b on, so the sum is
// accurate even where E is exponentially small (b - g a non-positive integer: E = e^z poly(z)).
inline Sum kummer(double z, double b, double g, int max_terms) {
  Sum r;
  const double c = b - g, w = -z;
  double t = rgamma(b);  // (c)_k w^k / (k! Gamma(b + k)) by its term ratio
  for (int k = 0; k < max_terms; ++k) {
    r.sum += t;
    r.abs_sum += std::fabs(t);
    if (k > w && k > -c && std::fabs(t) <= 0x1p-56 * r.abs_sum) {
      r.converged = true;
      break;
    }
    t *= (c + k) * w / ((k + 1.0) * (b + k));
    if (t == 0.0 && c + k == 0.0) {  // the series terminates
      r.converged = true;
      break;
    }
  }
  const double e = std::exp(z);
  r.sum *= e;
  r.abs_sum *= e;
  return r;
}

}  // namespace nonlin::ml::prabhakar_detail
