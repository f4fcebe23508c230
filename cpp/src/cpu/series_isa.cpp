// Coefficient-vector activation loops (families.h), compiled once per ISA
// (NONLIN_KERNEL_SOURCES). NaN in x gives NaN outputs and NaN gradient terms.
//
// Reduction (backward): per lane, g * df/dp_q is summed over blocks of kBlock packets in the
// working precision, then into float64 lane sums, which end in acc lane by lane in order:
// the order depends only on [begin, end) and the ISA, never on threads (the driver fixes the
// chunks).
#include <algorithm>

#include "nonlin/series/families.h"

namespace nonlin {
namespace series {
inline namespace NONLIN_ISA {
namespace {

namespace ei = Eigen::internal;

constexpr int kBlock = 16;

template <class Fam, Mode Md, class T>
struct Loop {
  using P = typename ei::packet_traits<T>::type;
  using V = Vec<P>;
  static constexpr int W = V::size;

  const Args<T>& a;

  V packet(V x, V g, V* sums) const {
    const auto nan = isnan(x);
    if constexpr (Md == Mode::forward) return select(nan, x, Fam::value(x, a));
    else if constexpr (Md == Mode::derivative) return select(nan, x, Fam::derivative(x, a));
    else {
      V t[kMaxParams];
      const V d = select(nan, x, Fam::gradients(x, a, t));
      for (int q = 0; q < a.count; ++q) sums[q] = fma(g, select(nan, x, t[q]), sums[q]);
      return g * d;
    }
  }

  void flush(V* sums, double (*lanes)[W]) const {
    alignas(64) T buf[W];
    for (int q = 0; q < a.count; ++q) {
      ei::pstoreu(buf, sums[q].v);
      for (int l = 0; l < W; ++l) lanes[q][l] += double(buf[l]);
      sums[q] = V(0);
    }
  }

  void run(std::ptrdiff_t i, std::ptrdiff_t end, double* acc) const {
    constexpr bool grads = Md == Mode::backward;
    V sums[grads ? kMaxParams : 1];
    double lanes[grads ? kMaxParams : 1][W] = {};
    for (int q = 0; grads && q < a.count; ++q) sums[q] = V(0);
    int in_block = 0;
    for (; i + W <= end; i += W) {
      const V x = ei::ploadu<P>(a.x + i);
      const V g = grads ? V(ei::ploadu<P>(a.g + i)) : V(0);
      ei::pstoreu(a.out + i, packet(x, g, sums).v);
      if (grads && ++in_block == kBlock) {
        flush(sums, lanes);
        in_block = 0;
      }
    }
    if (i < end) {  // tail: one packet padded with x = 0, g = 0 (zero gradient terms)
      alignas(64) T xb[W] = {}, gb[W] = {}, rb[W];
      std::copy(a.x + i, a.x + end, xb);
      if (grads) std::copy(a.g + i, a.g + end, gb);
      ei::pstoreu(rb, packet(V(ei::ploadu<P>(xb)), V(ei::ploadu<P>(gb)), sums).v);
      std::copy(rb, rb + (end - i), a.out + i);
    }
    if constexpr (grads) {
      flush(sums, lanes);
      for (int q = 0; q < a.count; ++q)
        for (int l = 0; l < W; ++l) acc[q] += lanes[q][l];
    }
  }
};

template <class Fam, class T>
void run_family(const Args<T>& a, Mode mode, std::ptrdiff_t begin, std::ptrdiff_t end, double* acc) {
  switch (mode) {
    case Mode::forward: return Loop<Fam, Mode::forward, T>{a}.run(begin, end, acc);
    case Mode::derivative: return Loop<Fam, Mode::derivative, T>{a}.run(begin, end, acc);
    case Mode::backward: return Loop<Fam, Mode::backward, T>{a}.run(begin, end, acc);
  }
}

template <class T>
void kernel(const Args<T>& a, Mode mode, std::ptrdiff_t begin, std::ptrdiff_t end, double* acc) {
  switch (a.family) {
    case Family::hermite: return run_family<Hermite>(a, mode, begin, end, acc);
    case Family::fourier: return run_family<Fourier>(a, mode, begin, end, acc);
    case Family::tropical: return run_family<Tropical>(a, mode, begin, end, acc);
    case Family::polyrelu: return run_family<Polyrelu>(a, mode, begin, end, acc);
    case Family::tropical_rational:  // float64 only (series.cpp converts float32)
      if constexpr (sizeof(T) == 8) return run_family<TropicalRational>(a, mode, begin, end, acc);
      break;
  }
}

}  // namespace
}  // namespace NONLIN_ISA

const Kernels* NONLIN_CAT(kernels_, NONLIN_ISA)() {
  static const Kernels k{&kernel<float>, &kernel<double>};
  return &k;
}

}  // namespace series
}  // namespace nonlin
