// sin, cos, sincos, atan on Vec<P> (float/double packets and scalars).
//
// sincos(x, x_lo, s, c): s = sin(x + x_lo), c = cos(x + x_lo) for |x_lo| <= ulp(x) (e.g. the low
// part of two_prod(w, x), so sin(w*x) of the exact product is right for large w*x too).
// Reduction x + x_lo = k pi/2 + r, |r| <= pi/4, with pi/2 = C1 + C2 + C3 + C4 (Cody-Waite):
//   k = rint(x 2/pi) (shifter), s1 = x - k C1 exact (one FMA; without FMA k C1 = ph + pl by
//   Dekker and x - ph is exact by Sterbenz), then x_lo and k C2 (an exact product hi + lo) enter
//   by 2Sum, so only terms of size <= ~|k| ulp(C2) round; r = rh + rl, |rl| <= ulp(rh)/2.
//   sincos(x, s, c) (no x_lo) uses a shorter reduction (verified on every float).
// Kernel on [-pi/4, pi/4], z = rh^2 and rh^3 split exactly (zh + zl, vh + vl):
//   sin r = rh + (rh^3 S(zh) + rl (1 - zh/2)),
//   cos r = w + (((1 - w) - zh/2) + (zh^2 C(zh) - zl/2 - rl sin rh)), w = 1 - zh/2,
// so the leading term rounds once (fdlibm's __kernel_sin/__kernel_cos arrangement).
// Fast path for |x| <= 2^19 (float) / 2^30 (double). A packet with a larger (or infinite) lane
// takes a cold, out-of-line per-lane path for those lanes:
//   float:  std::sin/std::cos in double of double(x) + double(x_lo),
//   double: Payne-Hanek reduction of x and of x_lo (1536 bits of 2/pi, 128-bit fixed point
//           quadrant count), then the same kernel.
// The cold path costs ~30 ns (float) / ~70 ns (double) per such lane.
//
// atan: |x| = a, three ranges (Cephes atan): a <= tan(pi/8): t = a; a <= tan(3pi/8):
// t = (a-1)/(a+1), + pi/4; else t = -1/a, + pi/2. t is formed as th + tl exactly enough (the
// errors of a-1, a+1 and of the quotient by FMA residuals), atan t = th + (tl (1 - th^2) +
// th^3 P(th^2)), and pi/4, pi/2 are hi + lo pairs added with Fast2Sum: one final rounding.
#pragma once

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "nonlin/simd/bits.h"

#if defined(__CUDACC__)
#define NONLIN_TRIG_COLD __host__ __device__ __noinline__
#else
#define NONLIN_TRIG_COLD __attribute__((noinline, cold))
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

namespace nonlin {
inline namespace NONLIN_ISA {
namespace vm {
namespace detail {

template <class S>
struct TrigK;
template <>
struct TrigK<float> {
  static constexpr float fast_lim = 0x1p19f;
  static constexpr float two_over_pi = 0x1.45f306p-1f;
  static constexpr float c1 = 0x1.921fb6p0f, c2 = -0x1.777a5cp-25f, c3 = -0x1.ee59dap-50f, c4 = 0x1.98a2ep-77f;
  // sin r = r + r^3 (S1 + r^2 Q(r^2)): minimax on |r| <= pi/4 (fitted with mpmath, relative
  // error 4.7e-10)
  static constexpr float kS1 = -1.666666716e-01f;
  static constexpr float kSinQ[] = {8.333405480e-03f, -1.986426651e-04f, 2.947625262e-06f};
  // cos r = 1 - r^2/2 + r^4 C(r^2): Cephes sinf.c coscof (relative error 1.2e-10)
  static constexpr float kCos[] = {4.166664568298827e-2f, -1.388731625493765e-3f, 2.443315711809948e-5f};
  // atan t = t + t^3 (A1 + t^2 Q(t^2)): minimax on |t| <= tan(pi/8) (mpmath, relative error 1.1e-9)
  static constexpr float kA1 = -3.333333135e-01f;
  static constexpr float kAtanQ[] = {1.999924183e-01f, -1.425567269e-01f, 1.067172810e-01f, -6.254067272e-02f};
  static constexpr float tan3pi8 = 0x1.3504f4p1f, tanpi8 = 0x1.a8279ap-2f;
  static constexpr float pio2_hi = 0x1.921fb6p0f, pio2_lo = -0x1.777a5cp-25f;
  static constexpr float pio4_hi = 0x1.921fb6p-1f, pio4_lo = -0x1.777a5cp-26f;
  static constexpr float atan_clamp = 0x1p40f;  // atan rounds to pio2_hi above 2^26
};
template <>
struct TrigK<double> {
  static constexpr double fast_lim = 0x1p30;
  static constexpr double two_over_pi = 0x1.45f306dc9c883p-1;
  static constexpr double c1 = 0x1.921fb54442d18p0, c2 = 0x1.1a62633145c07p-54, c3 = -0x1.f1976b7ed8fbcp-110,
                          c4 = 0x1.4cf98e804177dp-164;
  // fdlibm k_sin.c S1..S6 and k_cos.c C1..C6 (|r| <= pi/4; relative errors 3.8e-18, 1.4e-18)
  static constexpr double kS1 = -1.66666666666666324348e-01;
  static constexpr double kSinQ[] = {8.33333333332248946124e-03, -1.98412698298579493134e-04,
                                     2.75573137070700676789e-06, -2.50507602534068634195e-08,
                                     1.58969099521155010221e-10};
  static constexpr double kCos[] = {4.16666666666666019037e-02, -1.38888888888741095749e-03,
                                    2.48015872894767294178e-05, -2.75573143513906633035e-07,
                                    2.08757232129817482790e-09, -1.13596475577881948265e-11};
  // fdlibm s_atan.c aT[0..10], negated (valid on |t| <= 7/16; relative error 4.5e-18)
  static constexpr double kA1 = -3.33333333333329318027e-01;
  static constexpr double kAtanQ[] = {1.99999999998764832476e-01, -1.42857142725034663711e-01, 1.11111104054623557880e-01,
                                     -9.09088713343650656196e-02, 7.69187620504482999495e-02,
                                     -6.66107313738753120669e-02, 5.83357013379057348645e-02,
                                     -4.97687799461593236017e-02, 3.65315727442169155270e-02,
                                     -1.62858201153657823623e-02};
  static constexpr double tan3pi8 = 0x1.3504f333f9de6p1, tanpi8 = 0x1.a827999fcef32p-2;
  static constexpr double pio2_hi = 0x1.921fb54442d18p0, pio2_lo = 0x1.1a62633145c07p-54;
  static constexpr double pio4_hi = 0x1.921fb54442d18p-1, pio4_lo = 0x1.1a62633145c07p-55;
  static constexpr double atan_clamp = 0x1p100;  // atan rounds to pio2_hi above 2^55
};

template <class P>
NONLIN_HD inline Vec<P> bxor(Vec<P> a, Vec<P> b) {
  if constexpr (Vec<P>::scalar) {
    using S = typename Vec<P>::Scalar;
    return bits::from_u<S>(bits::to_u(a.v) ^ bits::to_u(b.v));
  } else {
    return Eigen::internal::pxor(a.v, b.v);
  }
}

// x (+ xl if HasLo) = k pi/2 + rh + rl for |x| <= fast_lim; t = k + shifter (its low bits
// hold k mod 4). Terms are added by 2Sum from the largest down, so that when r is small (the
// large terms cancel) everything that cancels does so exactly and only terms near the last
// bits of r round. With xl, r can be far smaller than for any single float/double x: the
// terms of size ~k ulp(C2) (the errors of s1 + xl, k C2, and k C3 itself) are summed exactly.
template <bool HasLo, class P>
NONLIN_HD inline void trig_reduce(Vec<P> x, Vec<P> xl, Vec<P>& t, Vec<P>& rh, Vec<P>& rl) {
  using S = typename Vec<P>::Scalar;
  using K = TrigK<S>;
  constexpr S sh = fconst<S>::shifter;
  t = fma(x, Vec<P>(K::two_over_pi), Vec<P>(sh));
  Vec<P> k = t - sh;
  Vec<P> s1, e1(S(0));
  if constexpr (kHasFma) {
    s1 = fma(-k, Vec<P>(K::c1), x);  // exact: x and k C1 are multiples of ulp(C1)/2, |s1| < 1
  } else {
    Vec<P> ph, pl;
    two_prod(k, Vec<P>(K::c1), ph, pl);
    two_sum(x - ph, -pl, s1, e1);  // x - ph exact (Sterbenz)
  }
  Vec<P> qh, ql, b, eb;
  two_prod(k, Vec<P>(K::c2), qh, ql);
  if constexpr (!HasLo) {
    two_sum(s1, -qh, b, eb);
    Vec<P> low = fma(-k, Vec<P>(K::c3), fma(-k, Vec<P>(K::c4), (eb + e1) - ql));
    two_sum(b, low, rh, rl);
  } else {
    Vec<P> q3h, q3l, a, ea, c, ec, d, ed, f, ef;
    two_prod(k, Vec<P>(K::c3), q3h, q3l);
    two_sum(s1, xl, a, ea);
    two_sum(a, -qh, b, eb);
    two_sum(b, ea, c, ec);
    two_sum(c, -ql, d, ed);
    two_sum(d, -q3h, f, ef);
    if constexpr (!kHasFma) two_sum(f, e1, f, e1);
    Vec<P> low = fma(-k, Vec<P>(K::c4), ((((eb + ec) + ed) + ef) + e1) - q3l);
    two_sum(f, low, rh, rl);
  }
}

// sin and cos of rh + rl, |rh| <= ~pi/4, |rl| <= ulp(rh)/2.
template <class P>
NONLIN_HD inline void sincos_kernel(Vec<P> rh, Vec<P> rl, Vec<P>& sr, Vec<P>& cr) {
  using S = typename Vec<P>::Scalar;
  using K = TrigK<S>;
  Vec<P> zh, zl, vh, vl;
  two_prod(rh, rh, zh, zl);
  two_prod(zh, rh, vh, vl);
  vl = fma(zl, rh, vl);  // rh^3 = vh + vl
  // sin: the correction rh^3 S(z) + rl (1 - z/2) rounds once (its leading term vh S1 last)
  Vec<P> corr = fma(vh * zh, polyeval(zh, NONLIN_TABLE(K::kSinQ)), fma(vl, Vec<P>(K::kS1), fma(zh * S(-0.5), rl, rl)));
  sr = rh + fma(vh, Vec<P>(K::kS1), corr);
  Vec<P> hz = S(0.5) * zh;
  Vec<P> w = S(1) - hz;
  Vec<P> we = (S(1) - w) - hz;  // exact
  Vec<P> cs = fma(zh * zh, polyeval(zh, NONLIN_TABLE(K::kCos)), fma(Vec<P>(S(-0.5)), zl, -(rl * sr)));
  cr = w + (we + cs);
}

// (sin, cos)(k pi/2 + r) from (sin r, cos r) and t = k + shifter.
template <class P>
NONLIN_HD inline void trig_quadrant(Vec<P> t, Vec<P> sr, Vec<P> cr, Vec<P>& s, Vec<P>& c) {
  using S = typename Vec<P>::Scalar;
  using U = bits::uint_of<S>;
  constexpr int NB = 8 * sizeof(S);
  const Vec<P> sign = bits::konst<P>(U(1) << (NB - 1));
  const Vec<P> two = bits::konst<P>(U(1) << (NB - 2));  // the bit pattern of 2.0
  Vec<P> tq = bits::shl<NB - 2>(t);                     // k's bits 1, 0 at the top
  const Mask<P> odd = bits::band(tq, two) == two;
  Vec<P> ssgn = bits::band(tq, sign);
  Vec<P> csgn = bits::band(bits::shl<NB - 2>(bits::add(t, bits::konst<P>(U(1)))), sign);
  s = bxor(select(odd, cr, sr), ssgn);
  c = bxor(select(odd, sr, cr), csgn);
}

// ---- cold path: |x| > fast_lim, inf, per lane -------------------------------------------------

// (|v| 2/pi) mod 4 as a 128-bit fixed-point number (126 fraction bits, truncated), negated
// (mod 4) for v < 0: Payne-Hanek with the 2/pi bits that matter for v's exponent.
NONLIN_TRIG_COLD inline void frac_2opi(double v, std::uint64_t& hi, std::uint64_t& lo) {
  // 2/pi = 0.a2f9836e 4e441529 ... (1536 bits)
  constexpr std::uint64_t T[24] = {
      0xa2f9836e4e441529ull, 0xfc2757d1f534ddc0ull, 0xdb6295993c439041ull, 0xfe5163abdebbc561ull,
      0xb7246e3a424dd2e0ull, 0x06492eea09d1921cull, 0xfe1deb1cb129a73eull, 0xe88235f52ebb4484ull,
      0xe99c7026b45f7e41ull, 0x3991d639835339f4ull, 0x9c845f8bbdf9283bull, 0x1ff897ffde05980full,
      0xef2f118b5a0a6d1full, 0x6d367ecf27cb09b7ull, 0x4f463f669e5fea2dull, 0x7527bac7ebe5f17bull,
      0x3d0739f78a5292eaull, 0x6bfb5fb11f8d5d08ull, 0x56033046fc7b6babull, 0xf0cfbc209af4361dull,
      0xa9e391615ee61b08ull, 0x6599855f14a06840ull, 0x8dffd8804d732731ull, 0x06061556ca73a8c9ull};
  using U = std::uint64_t;
  hi = lo = 0;
  const U u = bits::to_u(v);
  const int be = int((u >> 52) & 0x7ff);
  U m = u & ((U(1) << 52) - 1);
  if (be == 0) {
    if (m == 0) return;
  } else {
    m |= U(1) << 52;
  }
  const int e = (be == 0 ? 1 : be) - 1075;  // |v| = m 2^e
  // F = floor(m 2^(e+126) 2/pi) mod 2^128: bits b_j (2^-j) with j <= e-2 only add multiples of
  // 2^128; take the 192 bits from jlo, i.e. F = (m W) >> sh with sh = jlo + 65 - e >= 64.
  const int jlo = e - 1 > 1 ? e - 1 : 1;
  const int sh = jlo + 65 - e;
  if (sh >= 256) return;  // |v| < 2^-138: below the resolution
  auto bits64 = [&](int j) -> U {  // b_j .. b_(j+63)
    const int p = j - 1, wi = p >> 6, off = p & 63;
    const U a = wi < 24 ? T[wi] : 0, b = wi + 1 < 24 ? T[wi + 1] : 0;
    return off ? (a << off) | (b >> (64 - off)) : a;
  };
  const U W[3] = {bits64(jlo + 128), bits64(jlo + 64), bits64(jlo)};  // little-endian
  std::uint32_t w32[6], r32[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    w32[2 * i] = std::uint32_t(W[i]);
    w32[2 * i + 1] = std::uint32_t(W[i] >> 32);
  }
  const std::uint32_t m32[2] = {std::uint32_t(m), std::uint32_t(m >> 32)};
  for (int i = 0; i < 2; ++i) {
    U carry = 0;
    for (int j = 0; j < 6; ++j) {
      const U cur = U(m32[i]) * w32[j] + r32[i + j] + carry;
      r32[i + j] = std::uint32_t(cur);
      carry = cur >> 32;
    }
    r32[i + 6] = std::uint32_t(carry);
  }
  U R[4];
  for (int i = 0; i < 4; ++i) R[i] = U(r32[2 * i]) | (U(r32[2 * i + 1]) << 32);
  auto window = [&](int b) -> U {  // bits b .. b+63 of R
    const int wi = b >> 6, off = b & 63;
    const U a = wi < 4 ? R[wi] : 0, c = wi + 1 < 4 ? R[wi + 1] : 0;
    return off ? (a >> off) | (c << (64 - off)) : a;
  };
  lo = window(sh);
  hi = window(sh + 64);
  if (v < 0) {
    lo = ~lo + 1;
    hi = ~hi + (lo == 0);
  }
}

NONLIN_TRIG_COLD inline int clz64(std::uint64_t v) {
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDA_ARCH__)
  return __builtin_clzll(v);
#else
  int n = 0;
  for (; !(v >> 63); v <<= 1) ++n;
  return n;
#endif
}

// sin, cos of x + xl for one lane outside the fast path.
NONLIN_TRIG_COLD inline void sincos_big(float x, float xl, float& s, float& c) {
  const double d = double(x) + double(xl);
  s = float(std::sin(d));
  c = float(std::cos(d));
}
NONLIN_TRIG_COLD inline void sincos_big(double x, double xl, double& s, double& c) {
  using U = std::uint64_t;
  if (!(std::fabs(x) <= DBL_MAX)) {
    s = c = x - x;
    return;
  }
  U h0, l0, h1, l1;
  frac_2opi(x, h0, l0);
  frac_2opi(xl, h1, l1);
  U lo = l0 + l1;
  U hi = h0 + h1 + (lo < l0);
  hi += U(1) << 61;  // + half a quadrant: q = round(F)
  const int q = int(hi >> 62);
  // f = F - q in [-1/2, 1/2) quadrants, as a signed 128-bit number (mh:lo) times 2^-126
  U mh = U(std::int64_t(hi & ((U(1) << 62) - 1)) - (std::int64_t(1) << 61));
  const bool neg = std::int64_t(mh) < 0;
  if (neg) {
    lo = ~lo + 1;
    mh = ~mh + (lo == 0);
  }
  double fh = 0, fl = 0;
  if (mh | lo) {
    const int lz = mh ? clz64(mh) : 64 + clz64(lo);
    U H, L;
    if (lz >= 64) H = lo << (lz - 64), L = 0;
    else if (lz == 0) H = mh, L = lo;
    else H = (mh << lz) | (lo >> (64 - lz)), L = lo << lz;
    // top 106 bits: f = a 2^(-51-lz) + b 2^(-104-lz), both exact doubles
    fh = std::ldexp(double(H >> 11), -51 - lz);
    fl = std::ldexp(double(((H & 0x7ff) << 42) | (L >> 22)), -104 - lz);
    if (neg) fh = -fh, fl = -fl;
  }
  // r = f pi/2 as rh + rl
  using K = TrigK<double>;
  Vec<double> ph, pl;
  two_prod(Vec<double>(fh), Vec<double>(K::c1), ph, pl);
  Vec<double> rl0 = pl + (fh * K::c2 + fl * K::c1);
  Vec<double> rh = ph + rl0;
  Vec<double> rl = (ph - rh) + rl0;
  Vec<double> sr, cr, sv, cv;
  sincos_kernel(rh, rl, sr, cr);
  trig_quadrant(Vec<double>(fconst<double>::shifter + double(q)), sr, cr, sv, cv);
  s = sv.v;
  c = cv.v;
}

// Lanes of x with |x| > fast_lim (others: unspecified).
template <class P>
NONLIN_TRIG_COLD void sincos_cold(const Vec<P>& x, const Vec<P>& xl, Vec<P>& s, Vec<P>& c) {
  using S = typename Vec<P>::Scalar;
  if constexpr (Vec<P>::scalar) {
    sincos_big(x.v, xl.v, s.v, c.v);
  } else {
    constexpr int W = Vec<P>::size;
    alignas(64) S xa[W], la[W], sa[W], ca[W];
    Eigen::internal::pstoreu(xa, x.v);
    Eigen::internal::pstoreu(la, xl.v);
    for (int i = 0; i < W; ++i) {
      sa[i] = ca[i] = S(0);
      if (std::fabs(xa[i]) > TrigK<S>::fast_lim) sincos_big(xa[i], la[i], sa[i], ca[i]);
    }
    s = Eigen::internal::ploadu<P>(sa);
    c = Eigen::internal::ploadu<P>(ca);
  }
}

}  // namespace detail

namespace detail {
template <bool HasLo, class P>
NONLIN_HD inline void sincos_impl(Vec<P> x, Vec<P> x_lo, Vec<P>& s, Vec<P>& c) {
  using S = typename Vec<P>::Scalar;
  using K = TrigK<S>;
  Vec<P> t, rh, rl, sr, cr;
  trig_reduce<HasLo>(x, x_lo, t, rh, rl);
  sincos_kernel(rh, rl, sr, cr);
  trig_quadrant(t, sr, cr, s, c);
  s = select(x == S(0), x, s);
  if (any_abs_gt(x, K::fast_lim)) {
    Vec<P> sb, cb;
    sincos_cold(x, x_lo, sb, cb);
    const Mask<P> big = abs(x) > K::fast_lim;
    s = select(big, sb, s);
    c = select(big, cb, c);
  }
}
}  // namespace detail

// s = sin(x + x_lo), c = cos(x + x_lo), |x_lo| <= ulp(x); s = x (signed zero) when x == 0.
template <class P>
NONLIN_HD inline void sincos(Vec<P> x, Vec<P> x_lo, Vec<P>& s, Vec<P>& c) {
  detail::sincos_impl<true>(x, x_lo, s, c);
}
// s = sin x, c = cos x (a shorter reduction than with x_lo).
template <class P>
NONLIN_HD inline void sincos(Vec<P> x, Vec<P>& s, Vec<P>& c) {
  detail::sincos_impl<false>(x, Vec<P>(typename Vec<P>::Scalar(0)), s, c);
}
template <class P>
NONLIN_HD inline Vec<P> sin(Vec<P> x) {
  Vec<P> s, c;
  sincos(x, s, c);
  return s;
}
template <class P>
NONLIN_HD inline Vec<P> cos(Vec<P> x) {
  Vec<P> s, c;
  sincos(x, s, c);
  return c;
}

// sincos_product_in_double: sin and cos of w x for float w, x (with FMA), in double: the product
// z is exact there (24 + 24 bits). k = rint(z 2/pi) and r = z - k (C1 + C2 + C3) by FMAs: the
// first difference is exact for |k| < 2^20 (a multiple of 2^-52 below 1) and each later one
// rounds once relative to its own result, so r is right to ~2^-52 relative even where z lies
// extremely close to a multiple of pi/2 (the remainder of pi/2 is ~2^-160 k). On |r| <= pi/4
// the float kernel's minimax polynomials (relative 4.7e-10 / 1.2e-10) evaluated in double;
// the quadrant is applied to the rounded floats (exact sign flips and swaps): results within
// 0.51 ULP on lanes with |w x| <= 2^20 (the others: unspecified). Scalars (the C API, CUDA)
// take the same arithmetic, so every path gives the same floats.
namespace detail {
// sin and cos of r, k for the double z (|z| <= 2^20, exact): the double part of
// sincos_product_in_double, one packet or scalar of doubles
template <class D>
NONLIN_HD inline void sincos_double_part(Vec<D> z, Vec<D>& k, Vec<D>& s, Vec<D>& c) {
  using KD = TrigK<double>;
  using KF = TrigK<float>;
  k = fma(z, Vec<D>(KD::two_over_pi), Vec<D>(fconst<double>::shifter)) - fconst<double>::shifter;
  const Vec<D> r = fma(-k, Vec<D>(KD::c3), fma(-k, Vec<D>(KD::c2), fma(-k, Vec<D>(KD::c1), z)));
  const Vec<D> r2 = r * r;
  const Vec<D> sp = fma(r2, polyeval(r2, NONLIN_TABLE(KF::kSinQ)), Vec<D>(double(KF::kS1)));
  s = fma(r * r2, sp, r);
  c = fma(r2 * r2, polyeval(r2, NONLIN_TABLE(KF::kCos)), fma(r2, Vec<D>(-0.5), Vec<D>(1.0)));
}
}  // namespace detail

template <class P>
NONLIN_HD inline void sincos_product_in_double(Vec<P> w, Vec<P> x, Vec<P>& s, Vec<P>& c) {
  static_assert(std::is_same_v<typename Vec<P>::Scalar, float> && kHasFma);
  Vec<P> t, sf, cf;
  if constexpr (Vec<P>::scalar) {
    Vec<double> k, sd, cd;
    detail::sincos_double_part(Vec<double>(double(w.v) * double(x.v)), k, sd, cd);
    t = Vec<P>(float(k.v)), sf = Vec<P>(float(sd.v)), cf = Vec<P>(float(cd.v));
  } else {
#if !defined(__CUDACC__)
    using VD = Vec<HalfDouble<P>>;
    static_assert(Vec<P>::size == 2 * VD::size);
    VD wd[2], xd[2], k[2], sd[2], cd[2];
    widen(w, wd[0], wd[1]);
    widen(x, xd[0], xd[1]);
    for (int h = 0; h < 2; ++h) detail::sincos_double_part(wd[h] * xd[h], k[h], sd[h], cd[h]);
    t = narrow<P>(k[0], k[1]), sf = narrow<P>(sd[0], sd[1]), cf = narrow<P>(cd[0], cd[1]);
#endif
  }
  detail::trig_quadrant(t + fconst<float>::shifter, sf, cf, s, c);  // k exact in float
  const Vec<P> zf = w * x;
  s = select(zf == 0.0f, zf, s);  // sin(+-0) = +-0
}

template <class P>
NONLIN_HD inline Vec<P> atan(Vec<P> x) {
  using S = typename Vec<P>::Scalar;
  using K = detail::TrigK<S>;
  const Vec<P> zero(S(0)), one(S(1));
  Vec<P> a = vmin(abs(x), Vec<P>(K::atan_clamp));  // keeps NaN; inf -> pi/2
  const Mask<P> big = a > K::tan3pi8, mid = a > K::tanpi8;
  // mid: t = (a - 1 + nl)/(a + 1 + dl) with the exact errors nl, dl; big: t = -1/a
  Vec<P> am1 = a - S(1);
  Vec<P> nl = a - (am1 + S(1));  // Fast2Sum(-1, a) error; 0 for a >= 1 (a - 1 exact there)
  Vec<P> ap1, dl;
  two_sum(a, one, ap1, dl);
  Vec<P> num = select(big, Vec<P>(S(-1)), am1);
  Vec<P> den = select(big, a, ap1);
  nl = select(big, zero, nl);
  dl = select(big, zero, dl);
  Vec<P> y = recip(den);
  Vec<P> q = num * y;
  Vec<P> res = fms_exact(q, den, num);  // num - q den, exact
  Vec<P> ql = (res + fma(-q, dl, nl)) * y;
  Vec<P> th = select(mid, q, a);
  Vec<P> tl = select(mid, ql, zero);
  Vec<P> yh = select(big, Vec<P>(K::pio2_hi), select(mid, Vec<P>(K::pio4_hi), zero));
  Vec<P> yl = select(big, Vec<P>(K::pio2_lo), select(mid, Vec<P>(K::pio4_lo), zero));
  Vec<P> zh, zl, vh, vl;  // th^2 = zh + zl, th^3 = vh + vl: the t^3/3 term rounds once
  two_prod(th, th, zh, zl);
  two_prod(zh, th, vh, vl);
  vl = fma(zl, th, vl);
  Vec<P> small = fma(vh * zh, polyeval(zh, NONLIN_TABLE(K::kAtanQ)), fma(vl, Vec<P>(K::kA1), fma(-tl, zh, tl)));
  small = fma(vh, Vec<P>(K::kA1), small);
  Vec<P> sh = yh + th;  // Fast2Sum: |yh| >= |th| or yh == 0
  Vec<P> e = th - (sh - yh);
  return copysign(sh + (e + (yl + small)), x);
}

}  // namespace vm
}  // namespace NONLIN_ISA
}  // namespace nonlin

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
