// Rational activation kernel loops, compiled once per ISA (NONLIN_KERNEL_SOURCES): Horner with
// fma on Vec<P> packets; backward reduces the coefficient gradients in the same pass.
//
// Reduction: per packet lane, terms are summed over a block of kBlock packets in the working
// precision, then added into float64 lane sums; at the end of each run of one group the lanes
// are summed in order into acc (float64). The order depends only on [begin, end) and the ISA,
// never on threads (the driver fixes the chunks).
// GCC 12's AVX-512 headers self-initialise the pass-through operand of _mm512_rcp14_ps/pd
// (`__m512 __Y = __Y;`) and flag it once inlined into the cold large-|x| path.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <algorithm>
#include <vector>

#include "nonlin/rational/formula.h"
#include "nonlin/simd/bits.h"

namespace nonlin {
namespace rational {
inline namespace NONLIN_ISA {
namespace {

namespace ei = Eigen::internal;

constexpr int kBlock = 16;

template <Version Vn, Mode Md, class T, class Deg>
struct Loop {
  using P = typename ei::packet_traits<T>::type;
  using V = Vec<P>;
  static constexpr int W = V::size;
  static constexpr int NA = Deg::max_m + 1, NC = Deg::max_n + 1;
  static constexpr int Max = Deg::max_m > Deg::max_n ? Deg::max_m : Deg::max_n;
  static constexpr int k0 = Vn == Version::C ? 0 : 1;  // c_0 is a coefficient only in C

  const Args<T>& p;
  Deg deg;

  // Block sums of the gradient terms (backward), kept in registers: a local of run_piece
  // whose address never escapes (members would be reloaded around every store to out).
  struct Block {
    V a[NA], c[NC];
  };
  NONLIN_HD static void zero(Block& s, Deg deg) {
    descending<Deg::max_m>(deg.m(), 0, [&](int j) { s.a[j] = V(0); });
    descending<Deg::max_n>(deg.n(), k0, [&](int k) { s.c[k] = V(0); });
  }

  // Adds one packet of block sums to its float64 lane sums (float: widened half by half).
  NONLIN_HD static void add_lanes(V s, double* l) {
    if constexpr (std::is_same_v<T, float>) {
      using D = HalfDouble<P>;
      constexpr int H = W / 2;
      Vec<D> lo, hi;
      widen(s, lo, hi);
      ei::pstoreu(l, (Vec<D>(ei::ploadu<D>(l)) + lo).v);
      ei::pstoreu(l + H, (Vec<D>(ei::ploadu<D>(l + H)) + hi).v);
    } else {
      ei::pstoreu(l, (V(ei::ploadu<P>(l)) + s).v);
    }
  }
  // Adds the block sums to the float64 lane sums and clears them.
  NONLIN_HD static void flush(Block& s, double (*la)[W], double (*lc)[W], Deg deg) {
    descending<Deg::max_m>(deg.m(), 0, [&](int j) { add_lanes(s.a[j], la[j]); });
    descending<Deg::max_n>(deg.n(), k0, [&](int k) { add_lanes(s.c[k], lc[k]); });
    zero(s, deg);
  }

  // One packet: returns the output; backward adds g dF/da_j and the c_k terms to the block.
  NONLIN_HD V packet(V x, V g, const T* a, const T* c, Block& s) const {
    const int m = deg.m(), n = deg.n();
    if constexpr (Md == Mode::forward) return forward<Vn, Max>(x, a, m, c, n);
    else if constexpr (Md == Mode::derivative) return derivative<Vn, Max>(x, a, m, c, n);
    else {
      V wa, wb;
      const V gx = backward<Vn, Max>(g, x, a, m, c, n, wa, wb);
      // g dF/da_j = wa x^j and the c_k terms wb z^k as running products (z = |x| in version
      // A): two registers instead of a table of powers (which spilled at degree 16).
      V ta = wa, tb = wb;
      const V z = den_base<Vn>(x);
      s.a[0] += wa;
      if constexpr (k0 == 0) s.c[0] += wb;
      ascending<Deg::max_m>(1, m, [&](int j) { ta = ta * x; s.a[j] += ta; });
      ascending<Deg::max_n>(1, n, [&](int k) { tb = tb * z; s.c[k] += tb; });
      return gx;
    }
  }

  // A packet with some |x| > thr (rare; cold and out of line, so that the block sums of the
  // hot loop stay in registers): the direct form on the other lanes, large_x per lane on
  // those; the gradient terms go straight to the float64 lane sums.
  __attribute__((noinline, cold)) V large_packet(V x, V g, std::ptrdiff_t grp, const T* a,
                                                 const T* c, double (*la)[W],
                                                 double (*lc)[W]) const {
    constexpr bool grads = Md == Mode::backward;
    const Mask<P> big = abs(x) > p.thr;
    Block s;
    zero(s, deg);
    alignas(64) T xs[W], gs[W], rs[W];
    ei::pstoreu(rs, packet(select(big, V(0), x), select(big, V(0), g), a, c, s).v);
    if constexpr (grads) flush(s, la, lc, deg);
    ei::pstoreu(xs, x.v);
    ei::pstoreu(gs, g.v);
    for (int l = 0; l < W; ++l) {
      if (!(std::fabs(xs[l]) > p.thr)) continue;
      LargeX<T> e;
      large_x(Vn, grads, xs[l], gs[l], a, deg.m(), p.m_eff[grp], c, deg.n(), p.n_eff[grp], e);
      rs[l] = Md == Mode::forward ? e.y : Md == Mode::derivative ? e.d : gs[l] * e.d;
      if constexpr (grads) {
        for (int j = 0; j <= deg.m(); ++j) la[j][l] += double(e.ta[j]);
        for (int k = k0; k <= deg.n(); ++k) lc[k][l] += double(e.tb[k]);
      }
    }
    return V(ei::ploadu<P>(rs));
  }

  // Up to kBlock whole packets from i, stopping before a packet with a large lane; the block
  // sums live (in registers) only inside this call and end in the float64 lane sums.
  NONLIN_HD std::ptrdiff_t hot_block(std::ptrdiff_t i, std::ptrdiff_t e, const T* a, const T* c,
                                     double (*la)[W], double (*lc)[W]) const {
    constexpr bool grads = Md == Mode::backward;
    Block s;
    if constexpr (grads) zero(s, deg);
    const std::ptrdiff_t stop = std::min(e, i + kBlock * W);
    for (; i + W <= stop; i += W) {
      const V x = ei::ploadu<P>(p.x + i);
      if (__builtin_expect(any_abs_gt(x, p.thr), 0)) break;
      const V g = grads ? V(ei::ploadu<P>(p.g + i)) : V(0);
      ei::pstoreu(p.out + i, packet(x, g, a, c, s).v);
    }
    if constexpr (grads) flush(s, la, lc, deg);
    return i;
  }

  // One packet (possibly a zero-padded tail) through the large-|x| or the direct path.
  void one_packet(const T* xp, const T* gp, T* op, std::ptrdiff_t grp, const T* a, const T* c,
                  double (*la)[W], double (*lc)[W]) const {
    const V x = ei::ploadu<P>(xp), g = ei::ploadu<P>(gp);
    V r;
    if (any_abs_gt(x, p.thr)) {
      r = large_packet(x, g, grp, a, c, la, lc);
    } else {
      Block s;
      zero(s, deg);
      r = packet(x, g, a, c, s);
      if constexpr (Md == Mode::backward) flush(s, la, lc, deg);
    }
    ei::pstoreu(op, r.v);
  }

  // Elements [i, e) of one group; backward adds to that group's float64 lane sums la, lc.
  void run_piece(std::ptrdiff_t i, std::ptrdiff_t e, std::ptrdiff_t grp, double (*la)[W],
                 double (*lc)[W]) const {
    constexpr bool grads = Md == Mode::backward;
    const T* a = p.a + grp * (deg.m() + 1);
    const T* c = p.c + grp * (deg.n() + 1);
    alignas(64) static constexpr T kZeros[W] = {};
    while (i + W <= e) {
      i = hot_block(i, e, a, c, la, lc);
      if (i + W <= e && any_abs_gt(V(ei::ploadu<P>(p.x + i)), p.thr)) {
        one_packet(p.x + i, grads ? p.g + i : kZeros, p.out + i, grp, a, c, la, lc);
        i += W;
      }
    }
    if (i < e) {  // tail: one packet padded with x = 0, g = 0 (zero gradient terms)
      alignas(64) T xb[W] = {}, gb[W] = {}, rb[W];
      std::copy(p.x + i, p.x + e, xb);
      if (grads) std::copy(p.g + i, p.g + e, gb);
      one_packet(xb, gb, rb, grp, a, c, la, lc);
      std::copy(rb, rb + (e - i), p.out + i);
    }
  }

  // The pieces of [begin, end), one group's run at a time. Backward keeps float64 lane sums per
  // group for the whole range (short group runs, e.g. KAT's channels-last groups, then cost no
  // per-run reduction) and adds them to acc in group, coefficient and lane order at the end.
  void run(std::ptrdiff_t begin, std::ptrdiff_t end, double* acc) const {
    constexpr bool grads = Md == Mode::backward;
    const int nq = deg.m() + deg.n() + 2;
    std::vector<double> lanes(grads ? std::size_t(p.groups * nq * W) : 0, 0.0);
    for (std::ptrdiff_t i = begin; i < end;) {
      const std::ptrdiff_t seg = i / p.run, grp = seg % p.groups;
      const std::ptrdiff_t e = std::min(end, (seg + 1) * p.run);
      double (*la)[W] = grads ? reinterpret_cast<double (*)[W]>(&lanes[grp * nq * W]) : nullptr;
      run_piece(i, e, grp, la, grads ? la + deg.m() + 1 : nullptr);
      i = e;
    }
    if constexpr (grads) {
      for (std::ptrdiff_t g = 0; g < p.groups; ++g)
        for (int q = 0; q < nq; ++q) {
          if (q == deg.m() + 1 && k0 == 1) continue;  // c_0 is not a coefficient
          const double* l = &lanes[(g * nq + q) * W];
          for (int j = 0; j < W; ++j) acc[g * nq + q] += l[j];
        }
    }
  }
};

template <Version Vn, Mode Md, class T>
void run_mode(const Args<T>& p, std::ptrdiff_t begin, std::ptrdiff_t end, double* acc) {
  if (p.m == 5 && p.n == 4) {  // the default degrees (PAU, KAT): fully unrolled
    Loop<Vn, Md, T, FixedDegrees<5, 4>>{p, {}}.run(begin, end, acc);
  } else if (p.m <= 8 && p.n <= 8) {  // bounded: unrolled, registers
    Loop<Vn, Md, T, BoundedDegrees<8>>{p, {p.m, p.n}}.run(begin, end, acc);
  } else if (p.m <= 16 && p.n <= 16) {
    Loop<Vn, Md, T, BoundedDegrees<16>>{p, {p.m, p.n}}.run(begin, end, acc);
  } else {
    Loop<Vn, Md, T, RuntimeDegrees>{p, {p.m, p.n}}.run(begin, end, acc);
  }
}

template <Version Vn, class T>
void run_version(const Args<T>& p, Mode mode, std::ptrdiff_t begin, std::ptrdiff_t end, double* acc) {
  switch (mode) {
    case Mode::forward: return run_mode<Vn, Mode::forward>(p, begin, end, acc);
    case Mode::derivative: return run_mode<Vn, Mode::derivative>(p, begin, end, acc);
    case Mode::backward: return run_mode<Vn, Mode::backward>(p, begin, end, acc);
  }
}

template <class T>
void kernel(const Args<T>& p, Mode mode, std::ptrdiff_t begin, std::ptrdiff_t end, double* acc) {
  switch (p.version) {
    case Version::A: return run_version<Version::A>(p, mode, begin, end, acc);
    case Version::B:
    case Version::D: return run_version<Version::B>(p, mode, begin, end, acc);
    case Version::C: return run_version<Version::C>(p, mode, begin, end, acc);
    case Version::N: return run_version<Version::N>(p, mode, begin, end, acc);
  }
}

}  // namespace
}  // namespace NONLIN_ISA

const Kernels* NONLIN_CAT(kernels_, NONLIN_ISA)() {
  static const Kernels k{&kernel<float>, &kernel<double>};
  return &k;
}

}  // namespace rational
}  // namespace nonlin
