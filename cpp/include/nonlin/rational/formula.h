// Per-element math of the rational activations (kernels.h has the formulas), written once over
// Vec<P> (SIMD packets and plain float/double).
//
// Convention at the kinks of |.|: d|v|/dv = sign0(v) with sign0(0) = 0. At x = 0 (versions A,
// B) and at b_k = 0 (version A) F is not differentiable; 0 is the mean of the one-sided
// derivatives (what a central difference converges to), and what autograd of the formula
// (torch.abs, jax.numpy.abs) gives. The CUDA kernels of rational_activations and KAT take
// sign(0) = +1 instead (the right derivative).
#pragma once

#include <cmath>

#include "nonlin/rational/kernels.h"
#include "nonlin/simd/bits.h"
#include "nonlin/simd/vec.h"

namespace nonlin {
namespace rational {
inline namespace NONLIN_ISA {

template <class V>
NONLIN_HD inline V sign0(V v) {
  return select(v > 0, V(1), select(v < 0, V(-1), V(0)));
}

// Degrees known at compile time (fully unrolled, accumulators in registers), bounded at
// compile time (unrolled to the bound, the steps beyond the degrees skipped by branches that
// predict perfectly: the accumulators stay in registers too), or known only at run time.
template <int M, int N>
struct FixedDegrees {
  static constexpr int m() { return M; }
  static constexpr int n() { return N; }
  static constexpr int max_m = M, max_n = N;
};
template <int B>
struct BoundedDegrees {
  int m_, n_;
  int m() const { return m_; }
  int n() const { return n_; }
  static constexpr int max_m = B, max_n = B;
};
struct RuntimeDegrees {
  int m_, n_;
  int m() const { return m_; }
  int n() const { return n_; }
  static constexpr int max_m = kMaxDegree, max_n = kMaxDegree;
};

// f(k) for k from lo up to top (Up) or from top down to lo: a plain loop, or with Max (a
// compile-time bound on top) unrolled over lo..Max, skipping k > top.
template <int Max, bool Up, class F>
NONLIN_HD inline void degree_loop(int lo, int top, F&& f) {
  auto k = [&](int i, int last) { return Up ? lo + i : last - i; };
  if constexpr (Max < kMaxDegree) {
#if !defined(__CUDACC__)
#pragma GCC unroll 32
#endif
    for (int i = 0; i <= Max - lo; ++i)
      if (k(i, Max) <= top) f(k(i, Max));
  } else {
    for (int i = 0; i <= top - lo; ++i) f(k(i, top));
  }
}
template <int Max, class F>
NONLIN_HD inline void descending(int top, int lo, F&& f) { degree_loop<Max, false>(lo, top, f); }
template <int Max, class F>
NONLIN_HD inline void ascending(int lo, int top, F&& f) { degree_loop<Max, true>(lo, top, f); }

// sum_{k=0..n} c_k z^k by Horner (Max: a compile-time bound on n); with its derivative in the
// same pass.
template <int Max = kMaxDegree, class V, class T>
NONLIN_HD inline V horner(V z, const T* c, int n) {
  V h(c[n]);
  descending<Max>(n - 1, 0, [&](int k) { h = fma(h, z, V(c[k])); });
  return h;
}
template <int Max = kMaxDegree, class V, class T>
NONLIN_HD inline V horner_d(V z, const T* c, int n, V& dh) {
  if (n == 0) {
    dh = V(0);
    return V(c[0]);
  }
  // The first step of the usual loop (dh = 0 z + c_n) done exactly: one fma less.
  dh = V(c[n]);
  V h = fma(dh, z, V(c[n - 1]));
  descending<Max>(n - 2, 0, [&](int k) {
    dh = fma(dh, z, h);
    h = fma(h, z, V(c[k]));
  });
  return h;
}

template <Version Vn, class V>
NONLIN_HD inline V den_base(V x) {
  if constexpr (Vn == Version::A) return abs(x);
  else return x;
}

// Q from h = h(z).
template <Version Vn, class V>
NONLIN_HD inline V den_value(V h) {
  if constexpr (Vn == Version::B) return 1 + abs(h);
  else if constexpr (Vn == Version::C) return V(typename V::Scalar(0.1)) + abs(h);
  else return h;
}
// dQ/dx from h and dh/dz, and the sign s with dQ/dc_k = s z^k (A: the sign of b_k is applied
// to the reduced sum by the driver).
template <Version Vn, class V>
NONLIN_HD inline V den_slope(V x, V h, V dh, V& s) {
  if constexpr (Vn == Version::A) {
    s = V(1);
    return select(x == 0, V(0), copysign(dh, x));  // sign0(x) dh, dh >= 0
  } else if constexpr (Vn == Version::N) {
    s = V(1);
    return dh;
  } else {
    s = copysign(V(1), h);  // sign0(h) where h != 0 (bit operations, no compares)
    const auto zero = h == 0;
    if (any(zero)) {
      // h = x h1(x) (B; C with b_0 = 0) may underflow to 0 for x != 0: its sign is then
      // sign(x) sign(h1), and h1(x) ~ dh there. C otherwise (x dh not 0 too): the kink of |h|, 0.
      const V under = sign0(x) * sign0(dh);
      s = select(zero, Vn == Version::B ? under : select(x * dh == 0, under, V(0)), s);
    }
    return s * dh;
  }
}

template <Version Vn, int Max = kMaxDegree, class V, class T>
NONLIN_HD inline V forward(V x, const T* a, int m, const T* c, int n) {
  const V p = horner<Max>(x, a, m);
  return p / den_value<Vn>(horner<Max>(den_base<Vn>(x), c, n));
}

template <Version Vn, int Max = kMaxDegree, class V, class T>
NONLIN_HD inline V derivative(V x, const T* a, int m, const T* c, int n) {
  V dp, dh, s;
  const V p = horner_d<Max>(x, a, m, dp);
  const V h = horner_d<Max>(den_base<Vn>(x), c, n, dh);
  const V q = den_value<Vn>(h), dq = den_slope<Vn>(x, h, dh, s);
  const V y = p / q;
  return fma(-y, dq, dp) / q;  // (P' - (P/Q) Q') / Q
}

// grad_x = g F'(x); wa = g / Q (g dF/da_j = wa x^j); wb = -g P s / Q^2 (the c_k term is wb z^k).
template <Version Vn, int Max = kMaxDegree, class V, class T>
NONLIN_HD inline V backward(V g, V x, const T* a, int m, const T* c, int n, V& wa, V& wb) {
  V dp, dh, s;
  const V p = horner_d<Max>(x, a, m, dp);
  const V h = horner_d<Max>(den_base<Vn>(x), c, n, dh);
  const V q = den_value<Vn>(h), dq = den_slope<Vn>(x, h, dh, s);
  const V r = recip(q);  // rcp14 + Newton on AVX-512 (~2^-26 relative), else a division
  const V y = p * r;
  wa = g * r;
  wb = -(wa * y) * s;
  return g * (fma(-y, dq, dp) * r);
}

// ---- large |x| (scalar, per lane; rare) -------------------------------------------------
// With t = 1/x, u = |t| and the effective degrees me, ne (leading coefficients nonzero):
//   P = x^me Pt(t),  P' = x^(me-1) P1(t),  Q = |x|^ne Qs(t),  dQ/dx = |x|^(ne-1) D1(t),
// where Pt, P1, Qs, D1 are reversed Horner polynomials in t (or u) of bounded size, so
//   F = |x|^(me-ne) sg^me Pt/Qs,   F' = |x|^(me-ne-1) (sg^(me-1) P1 - sg^me (Pt/Qs) D1) / Qs,
// and the powers of |x| are applied last, one factor at a time: nothing overflows unless the
// result does, and x = +-inf gives the limits.
template <class T>
NONLIN_HD inline T times_pow(T v, T ax, T u, int e) {
  for (; e > 0; --e) v *= ax;
  for (; e < 0; ++e) v *= u;
  return v;
}

template <class T>
struct LargeX {
  T y, d;                                    // F, F'
  T ta[kMaxDegree + 1], tb[kMaxDegree + 1];  // g dF/da_j and the c_k terms (backward)
};

template <class T>
NONLIN_HD inline void large_x(Version ver, bool grads, T x, T g, const T* a, int m, int me,
                              const T* c, int n, int ne, LargeX<T>& r) {
  using std::fabs;
  using std::fma;
  const T t = T(1) / x, ax = fabs(x), u = fabs(t), sg = x > 0 ? T(1) : T(-1);
  auto sgp = [&](int k) { return (k & 1) ? sg : T(1); };
  T pt = a[0], p1 = 0;
  for (int j = 1; j <= me; ++j) {
    p1 = fma(p1, t, T(j) * a[j]);
    pt = fma(pt, t, a[j]);
  }
  const T zt = ver == Version::A ? u : t;
  T ht = c[0], h1 = 0;
  for (int k = 1; k <= ne; ++k) {
    h1 = fma(h1, zt, T(k) * c[k]);
    ht = fma(ht, zt, c[k]);
  }
  T qs, d1, s = 1;
  if (ver == Version::A) {
    qs = ht;
    d1 = sg * h1;
  } else if (ver == Version::N) {
    qs = sgp(ne) * ht;
    d1 = sgp(ne - 1) * h1;
  } else {
    const T un = times_pow(T(1), ax, u, -ne);
    qs = (ver == Version::C ? T(0.1) * un : un) + fabs(ht);
    s = sign0(Vec<T>(sgp(ne) * ht)).v;
    d1 = s * sgp(ne - 1) * h1;
  }
  const T ratio = sgp(me) * pt / qs;
  r.y = times_pow(ratio, ax, u, me - ne);
  r.d = times_pow((sgp(me - 1) * p1 - ratio * d1) / qs, ax, u, me - ne - 1);
  if (!grads) return;
  const T base = g / qs, wb = -g * ratio * s / qs;
  for (int j = 0; j <= m; ++j) r.ta[j] = times_pow(sgp(j) * base, ax, u, j - ne);
  for (int k = 0; k <= n; ++k)
    r.tb[k] = times_pow(ver == Version::A ? wb : sgp(k) * wb, ax, u, me - 2 * ne + k);
}

}  // namespace NONLIN_ISA
}  // namespace rational
}  // namespace nonlin
