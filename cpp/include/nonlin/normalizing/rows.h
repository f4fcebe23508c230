// The CPU execution of the normalising activations' row formulas (row_math.h): one row = the
// elements sharing their statistics. Included only by the per-ISA source: Vec<P> is the ISA's
// double packet or a plain double.
//
// Every row is streamed in double blocks (float32 is widened on load and rounded once on
// store), statistics use lane-wise compensated (TwoSum) sums, so the float32 results are
// correctly computed double values rounded once, and float64 loses only the few roundings of
// the per-element formula.
#pragma once

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "nonlin/normalizing/row_math.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace norm_rows {

namespace ei = Eigen::internal;
using normalizing::Table;
using Pd = typename ei::packet_traits<double>::type;
inline constexpr int kLanes = ei::unpacket_traits<Pd>::size;
inline constexpr std::ptrdiff_t kBlock = 256;

// Lane-wise sum, compensated for float64 data (Knuth's TwoSum keeps the rounding error of
// every addition); float32 data summed in double lanes is already exact to far below its ULP.
template <class P, bool Comp>
struct Acc {
  Vec<P> s{0.0}, c{0.0};
  void add(Vec<P> x) {
    if constexpr (Comp) {
      const Vec<P> t = s + x, bp = t - s;
      c += (s - (t - bp)) + (x - bp);
      s = t;
    } else {
      s += x;
    }
  }
};

// A sum fed by packets (row body) and scalars (row tail), compensated for rows of T = double.
template <class T>
struct Sum {
  static constexpr bool comp = std::is_same_v<T, double>;
  Acc<Pd, comp> vec;
  Acc<double, true> tail;
  void add(Vec<Pd> x) { vec.add(x); }
  void add(Vec<double> x) { tail.add(x); }
  double value() const {
    alignas(64) double s[kLanes], c[kLanes];
    ei::pstoreu(s, vec.s.v);
    ei::pstoreu(c, vec.c.v);
    Acc<double, true> t = tail;
    double corr = 0;
    for (int l = 0; l < kLanes; ++l) {
      t.add(s[l]);
      corr += c[l];
    }
    return t.s.v + (t.c.v + corr);
  }
};

// Per-row scratch of doubles: V-sized loads and stores at element i.
template <class V>
V load(const double* s, std::ptrdiff_t i) {
  if constexpr (V::scalar) return V(s[i]);
  else return V(ei::ploadu<typename V::Packet>(s + i));
}
template <class V>
void store(double* s, std::ptrdiff_t i, V v) {
  if constexpr (V::scalar) s[i] = v.v;
  else ei::pstoreu(s + i, v.v);
}

// Streams NI same-length rows of T as double blocks through f(const V* a) -> V, or
// f(const V* a, i) with i the index of a's first element, where V is Vec<Pd> on the body and
// Vec<double> on the tail; stores f's results into out unless null.
template <int NI, class T, class F>
void stream(std::ptrdiff_t n, const T* const (&in)[NI], T* out, F&& f) {
  constexpr bool wide = std::is_same_v<T, double>;
  alignas(64) double buf[wide ? 1 : NI][wide ? 1 : kBlock];
  alignas(64) double obuf[wide ? 1 : kBlock];
  for (std::ptrdiff_t b = 0; b < n; b += kBlock) {
    const std::ptrdiff_t m = std::min(kBlock, n - b);
    const double* src[NI];
    double* dst = nullptr;
    if constexpr (wide) {
      for (int k = 0; k < NI; ++k) src[k] = in[k] + b;
      if (out) dst = out + b;
    } else {
      for (int k = 0; k < NI; ++k) {
        for (std::ptrdiff_t j = 0; j < m; ++j) buf[k][j] = double(in[k][b + j]);
        src[k] = buf[k];
      }
      dst = obuf;
    }
    std::ptrdiff_t i = 0;
    for (; i + kLanes <= m; i += kLanes) {
      Vec<Pd> a[NI];
      for (int k = 0; k < NI; ++k) a[k] = Vec<Pd>(ei::ploadu<Pd>(src[k] + i));
      const Vec<Pd> r = call(f, static_cast<const Vec<Pd>*>(a), b + i);
      if (out) ei::pstoreu(dst + i, r.v);
    }
    for (; i < m; ++i) {
      Vec<double> a[NI];
      for (int k = 0; k < NI; ++k) a[k] = Vec<double>(src[k][i]);
      const Vec<double> r = call(f, static_cast<const Vec<double>*>(a), b + i);
      if (out) dst[i] = r.v;
    }
    if constexpr (!wide)
      if (out)
        for (std::ptrdiff_t j = 0; j < m; ++j) out[b + j] = T(obuf[j]);
  }
}

// The execution policy of row_math.h on the CPU.
struct CpuRow {
  template <class T>
  using Sum = norm_rows::Sum<T>;
  template <int NI, class T, class F>
  static void stream(std::ptrdiff_t n, const T* const (&in)[NI], T* out, F&& f) {
    norm_rows::stream<NI>(n, in, out, f);
  }
  template <class V>
  static V load(const double* s, std::ptrdiff_t i) { return norm_rows::load<V>(s, i); }
  template <class V>
  static void store(double* s, std::ptrdiff_t i, V v) { norm_rows::store(s, i, v); }
  template <class T>
  static double max_abs(std::ptrdiff_t n, const T* x) {
    double m = 0;
    for (std::ptrdiff_t i = 0; i < n; ++i) m = std::max(m, std::fabs(double(x[i])));
    return m;
  }
};

}  // namespace norm_rows
}  // namespace NONLIN_ISA
}  // namespace nonlin
