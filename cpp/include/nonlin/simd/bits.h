// Bit-level and error-free-transformation primitives for the vector math in vmath.h.
//
// Everything here works on Vec<P> for every packet type and for scalar float/double:
//   bits::add/sub/shl/shr  integer arithmetic on the IEEE bit patterns of the lanes
//   bits::band/bor         bitwise and/or;   bits::konst<S>(u) a constant from its bit pattern
//   vmax/vmin              max/min that propagate a NaN in the FIRST operand (one instruction)
//   pow2i(k)               2^k for integral-valued k in the normal exponent range
//   scale2(p, k)           p * 2^k with a single rounding, for |k| up to ~2*bias (subnormal and
//                          overflow results correct); one vscalef instruction on AVX-512
//   two_prod / fms_exact   exact products (FMA, or Dekker/Veltkamp splitting without FMA)
//
// The only raw intrinsics in nonlin's vector math live in the small `lane_int` helper below
// (x86 SSE2/AVX2/AVX-512 and NEON), each with a portable memcpy fallback.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "nonlin/simd/vec.h"

#if !defined(__CUDACC__) && (defined(__SSE2__) || defined(__AVX2__) || defined(__AVX512F__))
#include <immintrin.h>
#define NONLIN_BITS_X86 1
#endif
#if !defined(__CUDACC__) && defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>
#define NONLIN_BITS_NEON 1
#endif

// Eigen packet types carry vector attributes that GCC warns about as template arguments.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

namespace nonlin {
inline namespace NONLIN_ISA {

// True when fma() rounds once (hardware FMA); the baseline x86-64 build emulates it.
#if defined(__CUDACC__) || defined(__FMA__) || defined(__aarch64__)
inline constexpr bool kHasFma = true;
#else
inline constexpr bool kHasFma = false;
#endif

namespace bits {

template <class S>
using uint_of = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;

template <class S>
NONLIN_HD inline S from_u(uint_of<S> u) {
  S s;
  std::memcpy(&s, &u, sizeof s);
  return s;
}
template <class S>
NONLIN_HD inline uint_of<S> to_u(S s) {
  uint_of<S> u;
  std::memcpy(&u, &s, sizeof s);
  return u;
}
template <class P>
NONLIN_HD inline Vec<P> konst(uint_of<typename Vec<P>::Scalar> u) {
  return Vec<P>(from_u<typename Vec<P>::Scalar>(u));
}

// ---- lane-wise integer ops on bit patterns ---------------------------------------------------
// Generic fallback: through memory (scalar types and any packet without a specialisation).
template <class P, class = void>
struct lane_int {
  using S = typename Vec<P>::Scalar;
  using U = uint_of<S>;
  static constexpr int N = Vec<P>::size;
  template <class F>
  NONLIN_HD static Vec<P> map2(Vec<P> a, Vec<P> b, F f) {
    if constexpr (Vec<P>::scalar) {
      return from_u<S>(f(to_u(a.v), to_u(b.v)));
    } else {
      alignas(64) S x[N], y[N];
      Eigen::internal::pstoreu(x, a.v);
      Eigen::internal::pstoreu(y, b.v);
      for (int i = 0; i < N; ++i) x[i] = from_u<S>(f(to_u(x[i]), to_u(y[i])));
      return Eigen::internal::ploadu<P>(x);
    }
  }
  NONLIN_HD static Vec<P> add(Vec<P> a, Vec<P> b) { return map2(a, b, [](U x, U y) { return U(x + y); }); }
  NONLIN_HD static Vec<P> sub(Vec<P> a, Vec<P> b) { return map2(a, b, [](U x, U y) { return U(x - y); }); }
  template <int K>
  NONLIN_HD static Vec<P> shl(Vec<P> a) { return map2(a, a, [](U x, U) { return U(x << K); }); }
  template <int K>
  NONLIN_HD static Vec<P> shr(Vec<P> a) { return map2(a, a, [](U x, U) { return U(x >> K); }); }
};

#define NONLIN_LANE_INT(PT, VI, CASTI, CASTF, ADD, SUB, SLL, SRL)                                 \
  template <>                                                                                     \
  struct lane_int<PT> {                                                                           \
    static Vec<PT> add(Vec<PT> a, Vec<PT> b) { return CASTF(ADD(CASTI(a.v), CASTI(b.v))); }       \
    static Vec<PT> sub(Vec<PT> a, Vec<PT> b) { return CASTF(SUB(CASTI(a.v), CASTI(b.v))); }       \
    template <int K>                                                                              \
    static Vec<PT> shl(Vec<PT> a) { return CASTF(SLL(CASTI(a.v), K)); }                           \
    template <int K>                                                                              \
    static Vec<PT> shr(Vec<PT> a) { return CASTF(SRL(CASTI(a.v), K)); }                           \
  };
#if defined(NONLIN_BITS_X86)
#if defined(__SSE2__)
NONLIN_LANE_INT(Eigen::internal::Packet4f, , _mm_castps_si128, _mm_castsi128_ps, _mm_add_epi32, _mm_sub_epi32,
                _mm_slli_epi32, _mm_srli_epi32)
NONLIN_LANE_INT(Eigen::internal::Packet2d, , _mm_castpd_si128, _mm_castsi128_pd, _mm_add_epi64, _mm_sub_epi64,
                _mm_slli_epi64, _mm_srli_epi64)
#endif
#if defined(__AVX2__)
NONLIN_LANE_INT(Eigen::internal::Packet8f, , _mm256_castps_si256, _mm256_castsi256_ps, _mm256_add_epi32,
                _mm256_sub_epi32, _mm256_slli_epi32, _mm256_srli_epi32)
NONLIN_LANE_INT(Eigen::internal::Packet4d, , _mm256_castpd_si256, _mm256_castsi256_pd, _mm256_add_epi64,
                _mm256_sub_epi64, _mm256_slli_epi64, _mm256_srli_epi64)
#endif
#if defined(__AVX512F__)
NONLIN_LANE_INT(Eigen::internal::Packet16f, , _mm512_castps_si512, _mm512_castsi512_ps, _mm512_add_epi32,
                _mm512_sub_epi32, _mm512_slli_epi32, _mm512_srli_epi32)
NONLIN_LANE_INT(Eigen::internal::Packet8d, , _mm512_castpd_si512, _mm512_castsi512_pd, _mm512_add_epi64,
                _mm512_sub_epi64, _mm512_slli_epi64, _mm512_srli_epi64)
#endif
#elif defined(NONLIN_BITS_NEON)
#define NONLIN_NEON_SLL32(a, k) vshlq_n_u32(a, k)
#define NONLIN_NEON_SRL32(a, k) vshrq_n_u32(a, k)
#define NONLIN_NEON_SLL64(a, k) vshlq_n_u64(a, k)
#define NONLIN_NEON_SRL64(a, k) vshrq_n_u64(a, k)
NONLIN_LANE_INT(Eigen::internal::Packet4f, , vreinterpretq_u32_f32, vreinterpretq_f32_u32, vaddq_u32, vsubq_u32,
                NONLIN_NEON_SLL32, NONLIN_NEON_SRL32)
NONLIN_LANE_INT(Eigen::internal::Packet2d, , vreinterpretq_u64_f64, vreinterpretq_f64_u64, vaddq_u64, vsubq_u64,
                NONLIN_NEON_SLL64, NONLIN_NEON_SRL64)
#endif
#undef NONLIN_LANE_INT

template <class P>
NONLIN_HD inline Vec<P> add(Vec<P> a, Vec<P> b) { return lane_int<P>::add(a, b); }
template <class P>
NONLIN_HD inline Vec<P> sub(Vec<P> a, Vec<P> b) { return lane_int<P>::sub(a, b); }
template <int K, class P>
NONLIN_HD inline Vec<P> shl(Vec<P> a) { return lane_int<P>::template shl<K>(a); }
template <int K, class P>
NONLIN_HD inline Vec<P> shr(Vec<P> a) { return lane_int<P>::template shr<K>(a); }
template <class P>
NONLIN_HD inline Vec<P> band(Vec<P> a, Vec<P> b) {
  if constexpr (Vec<P>::scalar) {
    using S = typename Vec<P>::Scalar;
    return from_u<S>(to_u(a.v) & to_u(b.v));
  } else {
    return Eigen::internal::pand(a.v, b.v);
  }
}
template <class P>
NONLIN_HD inline Vec<P> bor(Vec<P> a, Vec<P> b) {
  if constexpr (Vec<P>::scalar) {
    using S = typename Vec<P>::Scalar;
    return from_u<S>(to_u(a.v) | to_u(b.v));
  } else {
    return Eigen::internal::por(a.v, b.v);
  }
}

}  // namespace bits

// ---- small-table lookup ------------------------------------------------------------------
// tab[i & (N-1)] per lane, where i is the integer in the low bits of the lane's bit pattern
// (e.g. n for t = n + shifter). N = 16 or 32 floats, 16 doubles: one vpermi2/vpermt2 (or
// vpermps) from a register-resident table on AVX-512, a gather on AVX2, memory otherwise.
template <class P, class S, int N>
NONLIN_HD inline Vec<P> lookup(Vec<P> t, const S (&tab)[N]) {
  static_assert((N & (N - 1)) == 0, "table size must be a power of two");
  using U = bits::uint_of<S>;
#if defined(__AVX512F__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet16f> && N == 16) {
    return _mm512_permutexvar_ps(_mm512_castps_si512(t.v), _mm512_load_ps(tab));
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet16f> && N == 32) {
    return _mm512_permutex2var_ps(_mm512_load_ps(tab), _mm512_castps_si512(t.v), _mm512_load_ps(tab + 16));
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d> && N == 8) {
    return _mm512_permutexvar_pd(_mm512_castpd_si512(t.v), _mm512_load_pd(tab));
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d> && N == 16) {
    return _mm512_permutex2var_pd(_mm512_load_pd(tab), _mm512_castpd_si512(t.v), _mm512_load_pd(tab + 8));
  } else
#endif
#if defined(__AVX2__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet8f> && N == 8) {
    return _mm256_permutevar8x32_ps(_mm256_load_ps(tab), _mm256_castps_si256(t.v));
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet8f> && N == 16) {
    __m256i i = _mm256_castps_si256(t.v);
    __m256 lo = _mm256_permutevar8x32_ps(_mm256_load_ps(tab), i);
    __m256 hi = _mm256_permutevar8x32_ps(_mm256_load_ps(tab + 8), i);
    return _mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_slli_epi32(i, 28)));  // bit 3
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet8f>) {
    __m256i i = _mm256_and_si256(_mm256_castps_si256(t.v), _mm256_set1_epi32(N - 1));
    return _mm256_i32gather_ps(tab, i, 4);
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet4d>) {
    __m256i i = _mm256_and_si256(_mm256_castpd_si256(t.v), _mm256_set1_epi64x(N - 1));
    return _mm256_i64gather_pd(tab, i, 8);
  } else
#endif
  {
    if constexpr (Vec<P>::scalar) {
      return tab[bits::to_u(S(t.v)) & U(N - 1)];
    } else {
      constexpr int W = Vec<P>::size;
      alignas(64) S x[W];
      Eigen::internal::pstoreu(x, t.v);
      for (int i = 0; i < W; ++i) x[i] = tab[bits::to_u(x[i]) & U(N - 1)];
      return Eigen::internal::ploadu<P>(x);
    }
  }
}

// Per-precision constants shared by the kernels.
template <class S>
struct fconst;
template <>
struct fconst<float> {
  static constexpr int mant = 23, bias = 127;
  static constexpr float shifter = 12582912.0f;  // 1.5 * 2^23: x + shifter rounds x to an integer
  static constexpr std::uint32_t shifter_bits = 0x4b400000u;
  static constexpr std::uint32_t one_bits = 0x3f800000u;
};
template <>
struct fconst<double> {
  static constexpr int mant = 52, bias = 1023;
  static constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52
  static constexpr std::uint64_t shifter_bits = 0x4338000000000000ull;
  static constexpr std::uint64_t one_bits = 0x3ff0000000000000ull;
};

// max/min returning the first operand when it is NaN (Eigen's pmax/pmin follow std::max/min).
template <class P>
NONLIN_HD inline Vec<P> vmax(Vec<P> a, Vec<P> b) {
  if constexpr (Vec<P>::scalar) return (a.v < b.v) ? b.v : a.v;
  else return Eigen::internal::pmax(a.v, b.v);
}
template <class P>
NONLIN_HD inline Vec<P> vmin(Vec<P> a, Vec<P> b) {
  if constexpr (Vec<P>::scalar) return (b.v < a.v) ? b.v : a.v;
  else return Eigen::internal::pmin(a.v, b.v);
}

// 2^k for an integral-valued k with k + bias in [1, 2*bias] (normal range).
template <class P>
NONLIN_HD inline Vec<P> pow2i(Vec<P> k) {
  using S = typename Vec<P>::Scalar;
  using C = fconst<S>;
  Vec<P> t = k + C::shifter;  // integer k now sits in the low mantissa bits
  return bits::shl<C::mant>(bits::add(t, bits::konst<P>(C::bias)));
}
// Same, given t = k + shifter already (saves the add when the caller rounded with the shifter).
template <class P>
NONLIN_HD inline Vec<P> pow2i_shifted(Vec<P> t, int extra = 0) {
  using S = typename Vec<P>::Scalar;
  using C = fconst<S>;
  return bits::shl<C::mant>(bits::add(t, bits::konst<P>(bits::uint_of<S>(C::bias + extra))));
}

// p * 2^k with one rounding for integral-valued k in [-2*bias-mant, 2*bias+1] and
// |p| in [0.5, 4): the result may be subnormal or overflow to inf.
template <class P>
NONLIN_HD inline Vec<P> scale2(Vec<P> p, Vec<P> k) {
#if defined(__AVX512F__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet16f>) return _mm512_scalef_ps(p.v, k.v);
  else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d>) return _mm512_scalef_pd(p.v, k.v);
  else
#endif
  {
    using S = typename Vec<P>::Scalar;
    using C = fconst<S>;
    // k = k1 + k2 with both 2^k1 and 2^k2 normal; p*2^k1 is exact, the second product rounds.
    const Mask<P> neg = k < S(0);
    Vec<P> k2 = select(neg, Vec<P>(S(-(C::bias / 2))), Vec<P>(S(1)));
    Vec<P> s2 = select(neg, Vec<P>(std::ldexp(S(1), -(C::bias / 2))), Vec<P>(S(2)));
    return (p * pow2i(k - k2)) * s2;
  }
}

// True if any lane has |a| > b (NaN lanes count as not): one compare into a mask register and
// a kortest on AVX-512 (Eigen's packet masks would need two more instructions).
template <class P>
NONLIN_HD inline bool any_abs_gt(Vec<P> a, typename Vec<P>::Scalar b) {
#if defined(__AVX512F__) && defined(__AVX512DQ__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet16f>)
    return _mm512_cmp_ps_mask(_mm512_abs_ps(a.v), _mm512_set1_ps(b), _CMP_GT_OQ) != 0;
  else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d>)
    return _mm512_cmp_pd_mask(_mm512_abs_pd(a.v), _mm512_set1_pd(b), _CMP_GT_OQ) != 0;
  else
#endif
    return any(abs(a) > b);
}

#if !defined(__CUDACC__)
// A float packet as two double packets of half its lanes (lo: lanes 0 .. W/2-1) and back
// (each double rounded once): one conversion instruction per half on AVX-512, AVX2, SSE2 and
// NEON; through memory elsewhere.
template <class P>
using HalfDouble = typename Eigen::internal::packet_traits<double>::type;
template <class P>
inline void widen(Vec<P> x, Vec<HalfDouble<P>>& lo, Vec<HalfDouble<P>>& hi) {
  namespace ei = Eigen::internal;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  if constexpr (std::is_same_v<P, ei::Packet16f>) {
    lo = _mm512_cvtps_pd(_mm512_castps512_ps256(x.v));
    hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(x.v, 1));
    return;
  }
#endif
#if defined(__AVX2__)
  if constexpr (std::is_same_v<P, ei::Packet8f>) {
    lo = _mm256_cvtps_pd(_mm256_castps256_ps128(x.v));
    hi = _mm256_cvtps_pd(_mm256_extractf128_ps(x.v, 1));
    return;
  }
#endif
#if defined(NONLIN_BITS_X86)
  if constexpr (std::is_same_v<P, ei::Packet4f> && std::is_same_v<HalfDouble<P>, ei::Packet2d>) {
    lo = _mm_cvtps_pd(x.v);
    hi = _mm_cvtps_pd(_mm_movehl_ps(x.v, x.v));
    return;
  }
#endif
#if defined(NONLIN_BITS_NEON)
  if constexpr (std::is_same_v<P, ei::Packet4f>) {
    lo = vcvt_f64_f32(vget_low_f32(x.v));
    hi = vcvt_high_f64_f32(x.v);
    return;
  }
#endif
  constexpr int W = Vec<P>::size, H = W / 2;
  alignas(64) float f[W];
  alignas(64) double d[W];
  ei::pstoreu(f, x.v);
  for (int i = 0; i < W; ++i) d[i] = f[i];
  lo = ei::ploadu<HalfDouble<P>>(d);
  hi = ei::ploadu<HalfDouble<P>>(d + H);
}
template <class P>
inline Vec<P> narrow(Vec<HalfDouble<P>> lo, Vec<HalfDouble<P>> hi) {
  namespace ei = Eigen::internal;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  if constexpr (std::is_same_v<P, ei::Packet16f>)
    return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo.v)), _mm512_cvtpd_ps(hi.v), 1);
#endif
#if defined(__AVX2__)
  if constexpr (std::is_same_v<P, ei::Packet8f>)
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo.v)), _mm256_cvtpd_ps(hi.v), 1);
#endif
#if defined(NONLIN_BITS_X86)
  if constexpr (std::is_same_v<P, ei::Packet4f> && std::is_same_v<HalfDouble<P>, ei::Packet2d>)
    return _mm_movelh_ps(_mm_cvtpd_ps(lo.v), _mm_cvtpd_ps(hi.v));
#endif
#if defined(NONLIN_BITS_NEON)
  if constexpr (std::is_same_v<P, ei::Packet4f>) return vcvt_high_f32_f64(vcvt_f32_f64(lo.v), hi.v);
#endif
  constexpr int W = Vec<P>::size, H = W / 2;
  alignas(64) double d[W];
  alignas(64) float f[W];
  ei::pstoreu(d, lo.v);
  ei::pstoreu(d + H, hi.v);
  for (int i = 0; i < W; ++i) f[i] = float(d[i]);
  return ei::ploadu<P>(f);
}
#endif

// True when scale2 is one instruction (AVX-512 vscalef), which also floors a fractional k.
template <class P>
inline constexpr bool kScalef =
#if defined(__AVX512F__) && !defined(__CUDACC__)
    std::is_same_v<P, Eigen::internal::Packet16f> || std::is_same_v<P, Eigen::internal::Packet8d>;
#else
    false;
#endif
// p * 2^floor(y), one rounding (same range as scale2): vscalef floors by itself.
template <class P>
NONLIN_HD inline Vec<P> scale2_floor(Vec<P> p, Vec<P> y) {
  if constexpr (kScalef<P>) return scale2(p, y);
  else return scale2(p, floor(y));
}

// Reciprocal 1/d to ~2^-(mant+2) relative (NOT correctly rounded): rcp14 plus Newton steps on
// AVX-512, a division elsewhere. Kernels use it for quotients whose rounding error they then
// remove with an exact FMA residual, so the last bit of the reciprocal does not matter.
template <class P>
NONLIN_HD inline Vec<P> recip(Vec<P> d) {
#if defined(__AVX512F__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet16f>) {
    Vec<P> y = _mm512_rcp14_ps(d.v);
    return fma(fma(-d, y, Vec<P>(1.0f)), y, y);
  } else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d>) {
    Vec<P> y = _mm512_rcp14_pd(d.v);
    y = fma(fma(-d, y, Vec<P>(1.0)), y, y);
    Vec<P> e = fma(-d, y, Vec<P>(1.0));
    return fma(fma(e, e, e), y, y);  // third-order step: 2^-14 -> 2^-28 -> ~2^-84
  } else
#endif
  {
    using S = typename Vec<P>::Scalar;
    return S(1) / d;
  }
}

// 1/d to ~2^-14 relative (rcp14 on AVX-512, a division elsewhere): for correction terms that
// are themselves ~2^-mant of the result.
template <class P>
NONLIN_HD inline Vec<P> recip_approx(Vec<P> d) {
#if defined(__AVX512F__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet16f>) return _mm512_rcp14_ps(d.v);
  else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d>) return _mm512_rcp14_pd(d.v);
  else
#endif
  {
    using S = typename Vec<P>::Scalar;
    return S(1) / d;
  }
}

// p * 2^k for |p| in [0.5, 4) and integral k >= kmin - 1 where t2k = 2^max(k, 1 - bias) is
// already at hand: one vscalef on AVX-512; elsewhere p * t2k (one rounding) unless a lane
// needs the subnormal range, which takes scale2.
template <class P>
NONLIN_HD inline Vec<P> scale2_lowk(Vec<P> p, Vec<P> k, Vec<P> t2k) {
#if defined(__AVX512F__) && !defined(__CUDACC__)
  if constexpr (std::is_same_v<P, Eigen::internal::Packet16f> || std::is_same_v<P, Eigen::internal::Packet8d>)
    return scale2(p, k);
  else
#endif
  {
    using S = typename Vec<P>::Scalar;
    if (any(k < S(1 - fconst<S>::bias))) return scale2(p, k);
    return p * t2k;
  }
}

// Optimisation barrier: the value is used exactly as rounded. GCC contracts a*b + c into an FMA
// by default in C++ (-ffp-contract=fast), which would silently break error-free transformations
// that reuse a rounded product (two_prod's hi followed by a TwoSum).
template <class P>
NONLIN_HD inline Vec<P> opaque(Vec<P> v) {
#if defined(__CUDACC__)
  return v;
#elif (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
  if constexpr (Vec<P>::scalar || Vec<P>::size * sizeof(typename Vec<P>::Scalar) <= 16) __asm__("" : "+x"(v.v));
  else __asm__("" : "+v"(v.v));
  return v;
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
  __asm__("" : "+w"(v.v));
  return v;
#else
  volatile auto t = v.v;  // portable fallback (slow, but correct)
  return Vec<P>(t);
#endif
}

// Exact product: a*b = hi + lo.
template <class P>
NONLIN_HD inline void two_prod(Vec<P> a, Vec<P> b, Vec<P>& hi, Vec<P>& lo) {
  hi = opaque(a * b);
  if constexpr (kHasFma) {
    lo = fma(a, b, -hi);
  } else {
    using S = typename Vec<P>::Scalar;
    const S split = sizeof(S) == 4 ? S(4097) : S(134217729);
    Vec<P> ca = a * split, cb = b * split;
    Vec<P> ah = ca - (ca - a), bh = cb - (cb - b);
    Vec<P> al = a - ah, bl = b - bh;
    lo = ((ah * bh - hi) + ah * bl + al * bh) + al * bl;
  }
}
// a + b = s + err exactly (Knuth's 2Sum: no ordering of |a|, |b| needed).
template <class P>
NONLIN_HD inline void two_sum(Vec<P> a, Vec<P> b, Vec<P>& s, Vec<P>& err) {
  s = a + b;
  const Vec<P> bb = s - a;
  err = (a - (s - bb)) + (b - bb);
}
// c - a*b computed exactly, for c close to a*b (the residual of a quotient or a square root).
template <class P>
NONLIN_HD inline Vec<P> fms_exact(Vec<P> a, Vec<P> b, Vec<P> c) {
  if constexpr (kHasFma) {
    return fma(-a, b, c);
  } else {
    Vec<P> hi, lo;
    two_prod(a, b, hi, lo);
    return (c - hi) - lo;
  }
}

}  // namespace NONLIN_ISA
}  // namespace nonlin

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
