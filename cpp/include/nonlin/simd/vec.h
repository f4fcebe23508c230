// Vec<P>: a value type over one SIMD register (an Eigen packet) or over a plain float/double.
//
// Every formula in nonlin (vector math in simd/, activations in scalar/) is written once as a
// template over Vec<P>; the same source then compiles to AVX-512, AVX2, SSE2/NEON packets and to
// scalar code (tails of strided data, CUDA device code, the C API). Comparisons return Mask<P>;
// `select(mask, a, b)` is the only branch. NaN handling is explicit in the formulas: an ordered
// comparison with a NaN operand is false, so formulas put the NaN-propagating value in the
// "false" arm of select.
#pragma once

#include <cmath>
#include <cstdint>
#include <bit>
#include <cstring>
#include <type_traits>

#include "nonlin/simd/isa.h"

#if !defined(__CUDACC__)
#include <Eigen/Core>
#endif

namespace nonlin {
inline namespace NONLIN_ISA {

template <class P>
struct Vec;
template <class P>
struct Mask;

namespace detail {
template <class P>
inline constexpr bool is_scalar_v = std::is_same_v<P, float> || std::is_same_v<P, double>;
template <class P, bool = is_scalar_v<P>>
struct packet_info {
  using scalar = P;
  static constexpr int size = 1;
};
#if !defined(__CUDACC__)
template <class P>
struct packet_info<P, false> {
  using scalar = typename Eigen::internal::unpacket_traits<P>::type;
  static constexpr int size = Eigen::internal::unpacket_traits<P>::size;
};
#endif
}  // namespace detail

// A lane mask: all-ones/all-zeros bit patterns in a packet, or a bool for scalars.
template <class P>
struct Mask {
  static constexpr bool scalar = detail::is_scalar_v<P>;
  using Raw = std::conditional_t<scalar, bool, P>;
  Raw m;
  NONLIN_HD friend Mask operator&(Mask a, Mask b) {
    if constexpr (scalar) return {a.m && b.m};
    else return {Eigen::internal::pand(a.m, b.m)};
  }
  NONLIN_HD friend Mask operator|(Mask a, Mask b) {
    if constexpr (scalar) return {a.m || b.m};
    else return {Eigen::internal::por(a.m, b.m)};
  }
  NONLIN_HD friend Mask operator~(Mask a) {
    if constexpr (scalar) return {!a.m};
    else return {Eigen::internal::pandnot(Eigen::internal::ptrue(a.m), a.m)};
  }
};

template <class P>
struct Vec {
  static constexpr bool scalar = detail::is_scalar_v<P>;
  using Scalar = typename detail::packet_info<P>::scalar;
  static constexpr int size = detail::packet_info<P>::size;
  using Packet = P;
  P v;

  Vec() = default;
  NONLIN_HD Vec(P p) : v(p) {}
  template <class S, std::enable_if_t<!scalar && std::is_arithmetic_v<S>, int> = 0>
  NONLIN_HD Vec(S s) : v(Eigen::internal::pset1<P>(Scalar(s))) {}

  NONLIN_HD friend Vec operator+(Vec a, Vec b) {
    if constexpr (scalar) return a.v + b.v;
    else return Eigen::internal::padd(a.v, b.v);
  }
  NONLIN_HD friend Vec operator-(Vec a, Vec b) {
    if constexpr (scalar) return a.v - b.v;
    else return Eigen::internal::psub(a.v, b.v);
  }
  NONLIN_HD friend Vec operator*(Vec a, Vec b) {
    if constexpr (scalar) return a.v * b.v;
    else return Eigen::internal::pmul(a.v, b.v);
  }
  NONLIN_HD friend Vec operator/(Vec a, Vec b) {
    if constexpr (scalar) return a.v / b.v;
    else return Eigen::internal::pdiv(a.v, b.v);
  }
  NONLIN_HD friend Vec operator-(Vec a) {
    if constexpr (scalar) return -a.v;
    else return Eigen::internal::pnegate(a.v);
  }
  NONLIN_HD Vec& operator+=(Vec b) { return *this = *this + b; }
  NONLIN_HD Vec& operator-=(Vec b) { return *this = *this - b; }
  NONLIN_HD Vec& operator*=(Vec b) { return *this = *this * b; }

  NONLIN_HD friend Mask<P> operator<(Vec a, Vec b) {
    if constexpr (scalar) return {a.v < b.v};
    else return {Eigen::internal::pcmp_lt(a.v, b.v)};
  }
  NONLIN_HD friend Mask<P> operator<=(Vec a, Vec b) {
    if constexpr (scalar) return {a.v <= b.v};
    else return {Eigen::internal::pcmp_le(a.v, b.v)};
  }
  NONLIN_HD friend Mask<P> operator>(Vec a, Vec b) { return b < a; }
  NONLIN_HD friend Mask<P> operator>=(Vec a, Vec b) { return b <= a; }
  NONLIN_HD friend Mask<P> operator==(Vec a, Vec b) {
    if constexpr (scalar) return {a.v == b.v};
    else return {Eigen::internal::pcmp_eq(a.v, b.v)};
  }
};

// Mixed scalar/Vec arithmetic and comparisons: `x * 0.5f`, `x < 0` read like the math.
#define NONLIN_VEC_MIXED(op)                                                           \
  template <class P, class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>      \
  NONLIN_HD inline auto operator op(Vec<P> a, S b) {                                          \
    return a op Vec<P>(typename Vec<P>::Scalar(b));                                    \
  }                                                                                    \
  template <class P, class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>      \
  NONLIN_HD inline auto operator op(S a, Vec<P> b) {                                          \
    return Vec<P>(typename Vec<P>::Scalar(a)) op b;                                    \
  }
NONLIN_VEC_MIXED(+)
NONLIN_VEC_MIXED(-)
NONLIN_VEC_MIXED(*)
NONLIN_VEC_MIXED(/)
NONLIN_VEC_MIXED(<)
NONLIN_VEC_MIXED(<=)
NONLIN_VEC_MIXED(>)
NONLIN_VEC_MIXED(>=)
NONLIN_VEC_MIXED(==)
#undef NONLIN_VEC_MIXED

// True if any lane is set: lets a formula skip a rare path (a far tail) for whole packets.
// Eigen 3.4 has no predux_any for double packets: its generic one is a horizontal sum (several
// shuffles and adds on the critical path), so masks of doubles test their sign bits directly.
template <class P>
NONLIN_HD inline bool any(Mask<P> m) {
  if constexpr (Vec<P>::scalar) return m.m;
#if !defined(__CUDACC__)
#if defined(__AVX512F__)
  else if constexpr (std::is_same_v<P, Eigen::internal::Packet8d>)
    return _mm512_test_epi64_mask(_mm512_castpd_si512(m.m), _mm512_castpd_si512(m.m)) != 0;
#endif
#if defined(__AVX__)
  else if constexpr (std::is_same_v<P, Eigen::internal::Packet4d>)
    return _mm256_movemask_pd(m.m) != 0;
#endif
#if defined(__SSE2__)
  else if constexpr (std::is_same_v<P, Eigen::internal::Packet2d>)
    return _mm_movemask_pd(m.m) != 0;
#endif
#if defined(__aarch64__) && defined(__ARM_NEON)
  else if constexpr (std::is_same_v<P, Eigen::internal::Packet2d>)
    return vmaxvq_u32(vreinterpretq_u32_f64(m.m)) != 0;
#endif
#endif
  else return Eigen::internal::predux_any(m.m);
}

// select(m, a, b): a where m is set, b elsewhere.
template <class P>
NONLIN_HD inline Vec<P> select(Mask<P> m, Vec<P> a, Vec<P> b) {
  if constexpr (Vec<P>::scalar) return m.m ? a.v : b.v;
  else return Eigen::internal::pselect(m.m, a.v, b.v);
}
template <class P, class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>
NONLIN_HD inline Vec<P> select(Mask<P> m, Vec<P> a, S b) {
  return select(m, a, Vec<P>(typename Vec<P>::Scalar(b)));
}
template <class P, class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>
NONLIN_HD inline Vec<P> select(Mask<P> m, S a, Vec<P> b) {
  return select(m, Vec<P>(typename Vec<P>::Scalar(a)), b);
}

// Fused multiply-add a*b + c (one rounding on FMA hardware; two roundings on SSE2).
template <class P>
NONLIN_HD inline Vec<P> fma(Vec<P> a, Vec<P> b, Vec<P> c) {
  if constexpr (Vec<P>::scalar) {
#if defined(__CUDACC__) || defined(__FMA__) || defined(__aarch64__)
    return std::fma(a.v, b.v, c.v);
#else
    return a.v * b.v + c.v;
#endif
  } else {
    return Eigen::internal::pmadd(a.v, b.v, c.v);
  }
}
template <class P, class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>
NONLIN_HD inline Vec<P> fma(Vec<P> a, Vec<P> b, S c) {
  return fma(a, b, Vec<P>(typename Vec<P>::Scalar(c)));
}
template <class P, class S, std::enable_if_t<std::is_arithmetic_v<S>, int> = 0>
NONLIN_HD inline Vec<P> fma(Vec<P> a, S b, Vec<P> c) {
  return fma(a, Vec<P>(typename Vec<P>::Scalar(b)), c);
}
template <class P, class S, class T,
          std::enable_if_t<std::is_arithmetic_v<S> && std::is_arithmetic_v<T>, int> = 0>
NONLIN_HD inline Vec<P> fma(Vec<P> a, S b, T c) {
  using Sc = typename Vec<P>::Scalar;
  return fma(a, Vec<P>(Sc(b)), Vec<P>(Sc(c)));
}

// NONLIN_TABLE(C::kTab): a class's constant table (an array) as the formulas read it. Device
// code cannot read a class's static constexpr arrays (they live in host memory), so under nvcc
// the table is copied at compile time into a constant of its own function; the host reads the
// class's table itself.
#if defined(__CUDACC__)
namespace detail {
template <class T>
struct TableCopy {
  T v;
};
}  // namespace detail
#define NONLIN_TABLE(...)                                                                        \
  ([]() -> const auto& {                                                                         \
    using T_ = std::remove_cvref_t<decltype(__VA_ARGS__)>;                                        \
    alignas(64) static constexpr auto c = std::bit_cast<::nonlin::detail::TableCopy<T_>>(__VA_ARGS__);        \
    return c.v;                                                                                  \
  }())
#else
#define NONLIN_TABLE(...) (__VA_ARGS__)
#endif

// Horner evaluation c[0] + x*(c[1] + x*(c[2] + ...)) with coefficients as scalars.
template <class P, class S, std::size_t N>
NONLIN_HD inline Vec<P> polyeval(Vec<P> x, const S (&c)[N]) {
  Vec<P> r{typename Vec<P>::Scalar(c[N - 1])};
  for (std::size_t i = N - 1; i-- > 0;) r = fma(r, x, c[i]);
  return r;
}

template <class P>
NONLIN_HD inline Vec<P> abs(Vec<P> a) {
  if constexpr (Vec<P>::scalar) return std::fabs(a.v);
  else return Eigen::internal::pabs(a.v);
}
template <class P>
NONLIN_HD inline Vec<P> sqrt(Vec<P> a) {
  if constexpr (Vec<P>::scalar) return std::sqrt(a.v);
  else return Eigen::internal::psqrt(a.v);
}
// Round to nearest integer (ties to even), as a floating value.
template <class P>
NONLIN_HD inline Vec<P> rint(Vec<P> a) {
  if constexpr (Vec<P>::scalar) return std::rint(a.v);
  else return Eigen::internal::print(a.v);
}
template <class P>
NONLIN_HD inline Vec<P> floor(Vec<P> a) {
  if constexpr (Vec<P>::scalar) return std::floor(a.v);
  else return Eigen::internal::pfloor(a.v);
}
// a * 2^e for integral-valued e (any range; Eigen splits the scale to reach subnormals).
template <class P>
NONLIN_HD inline Vec<P> ldexp(Vec<P> a, Vec<P> e) {
  if constexpr (Vec<P>::scalar) return std::ldexp(a.v, int(e.v));
  else return Eigen::internal::pldexp(a.v, e.v);
}
// The sign bit of s on the magnitude of a.
template <class P>
NONLIN_HD inline Vec<P> copysign(Vec<P> a, Vec<P> s) {
  if constexpr (Vec<P>::scalar) return std::copysign(a.v, s.v);
  else {
    const P sign = Eigen::internal::pset1<P>(typename Vec<P>::Scalar(-0.0));
    return Eigen::internal::por(Eigen::internal::pandnot(a.v, sign), Eigen::internal::pand(s.v, sign));
  }
}
template <class P>
NONLIN_HD inline Mask<P> isnan(Vec<P> a) {
  return ~(a == a);
}
}  // namespace NONLIN_ISA
}  // namespace nonlin
