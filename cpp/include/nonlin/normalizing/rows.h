// Row kernels of the normalising activations (one row = the elements sharing their statistics).
// Included only by the per-ISA source: Vec<P> is the ISA's double packet or a plain double.
//
// Every row is streamed in double blocks (float32 is widened on load and rounded once on
// store), statistics use lane-wise compensated (TwoSum) sums, so the float32 results are
// correctly computed double values rounded once, and float64 loses only the few roundings of
// the per-element formula. Gradients include the path through the statistics; the derivations
// are in each struct's comment.
#pragma once

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "nonlin/normalizing/kernels.h"
#include "nonlin/simd/vmath.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace norm_rows {

namespace ei = Eigen::internal;
using normalizing::Params;
using normalizing::Table;
using Pd = typename ei::packet_traits<double>::type;
inline constexpr int kLanes = ei::unpacket_traits<Pd>::size;
inline constexpr std::ptrdiff_t kBlock = 256;
inline constexpr int kMaxOrder = 8;  // PolyNorm: highest power

// Lane-wise compensated sum (Knuth's TwoSum: the rounding error of every addition is kept).
template <class P>
struct Acc {
  Vec<P> s{0.0}, c{0.0};
  void add(Vec<P> x) {
    const Vec<P> t = s + x, bp = t - s;
    c += (s - (t - bp)) + (x - bp);
    s = t;
  }
};

// A sum fed by packets (row body) and scalars (row tail).
struct Sum {
  Acc<Pd> vec;
  Acc<double> tail;
  void add(Vec<Pd> x) { vec.add(x); }
  void add(Vec<double> x) { tail.add(x); }
  double value() const {
    alignas(64) double s[kLanes], c[kLanes];
    ei::pstoreu(s, vec.s.v);
    ei::pstoreu(c, vec.c.v);
    Acc<double> t = tail;
    double corr = 0;
    for (int l = 0; l < kLanes; ++l) {
      t.add(s[l]);
      corr += c[l];
    }
    return t.s.v + (t.c.v + corr);
  }
};

// Streams NI same-length rows of T as double blocks through f(const V* a) -> V, where V is
// Vec<Pd> on the body and Vec<double> on the tail; stores f's results into out unless null.
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
      const Vec<Pd> r = f(static_cast<const Vec<Pd>*>(a));
      if (out) ei::pstoreu(dst + i, r.v);
    }
    for (; i < m; ++i) {
      Vec<double> a[NI];
      for (int k = 0; k < NI; ++k) a[k] = Vec<double>(src[k][i]);
      const Vec<double> r = f(static_cast<const Vec<double>*>(a));
      if (out) dst[i] = r.v;
    }
    if constexpr (!wide)
      if (out)
        for (std::ptrdiff_t j = 0; j < m; ++j) out[b + j] = T(obuf[j]);
  }
}

// Applies a scalar libm function lane by lane (for the functions vmath does not vectorise).
template <class V>
V lanewise(V v, double (*fn)(double)) {
  if constexpr (V::scalar) {
    return V(fn(v.v));
  } else {
    alignas(64) double t[V::size];
    ei::pstoreu(t, v.v);
    for (double& e : t) e = fn(e);
    return V(ei::ploadu<typename V::Packet>(t));
  }
}

// Row mean and sqrt(population variance + eps), two passes (no cancellation).
template <class T>
void mean_std(std::ptrdiff_t n, const T* x, double eps, double& mean, double& sd) {
  Sum s1, s2;
  stream<1>(n, {x}, static_cast<T*>(nullptr), [&](const auto* a) { s1.add(a[0]); return a[0]; });
  mean = s1.value() / double(n);
  const double m = mean;
  stream<1>(n, {x}, static_cast<T*>(nullptr), [&](const auto* a) {
    const auto d = a[0] - m;
    s2.add(d * d);
    return d;
  });
  sd = std::sqrt(s2.value() / double(n) + eps);
}

// PolyNorm (Zhuo et al. 2024, arXiv:2411.03884): y = sum_k c_k s_k x^k + b, k = 1..r,
// s_k = (mean(x^2k) + eps)^-1/2, c_k = weight[r - k] (the official order: weight[0] multiplies
// the highest power). With D_k = sum_i g_i x_i^k:  dL/dx = g P'(x) - x Q(x^2),
// P(x) = sum_k c_k s_k x^k,  Q(t) = sum_k k c_k s_k^3 D_k / n t^(k-1);
// dL/dweight[r-k] = s_k D_k,  dL/dbias = sum g.
struct PolyNorm {
  static int grads(Params p) { return p.np - 1; }

  template <class T>
  static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    const int r = p.np - 2;
    const double bias = p.p[r], eps = p.p[r + 1];
    Sum S[kMaxOrder];
    stream<1>(n, {x}, static_cast<T*>(nullptr), [&](const auto* a) {
      const auto t = a[0] * a[0];
      auto u = t;
      for (int k = 0; k < r; ++k) {
        S[k].add(u);
        u = u * t;
      }
      return t;
    });
    double A[kMaxOrder];  // A[k-1] = c_k s_k
    for (int k = 1; k <= r; ++k) A[k - 1] = p.p[r - k] / std::sqrt(S[k - 1].value() / double(n) + eps);
    stream<1>(n, {x}, y, [&](const auto* a) {
      using V = std::remove_cvref_t<decltype(a[0])>;
      V acc = V(A[r - 1]);
      for (int k = r - 1; k >= 1; --k) acc = fma(acc, a[0], V(A[k - 1]));
      return fma(acc, a[0], V(bias));
    });
  }

  template <class T>
  static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double* pg, Params p) {
    const int r = p.np - 2;
    const double eps = p.p[r + 1];
    Sum S[kMaxOrder], D[kMaxOrder], G;
    stream<2>(n, {g, x}, static_cast<T*>(nullptr), [&](const auto* a) {
      const auto t = a[1] * a[1];
      auto u = t, v = a[0] * a[1];
      for (int k = 0; k < r; ++k) {
        S[k].add(u);
        D[k].add(v);
        u = u * t;
        v = v * a[1];
      }
      G.add(a[0]);
      return t;
    });
    double dP[kMaxOrder], Q[kMaxOrder];  // coefficients of P'(x) and Q(t), index k-1
    for (int k = 1; k <= r; ++k) {
      const double s = 1.0 / std::sqrt(S[k - 1].value() / double(n) + eps), d = D[k - 1].value();
      const double c = p.p[r - k];
      dP[k - 1] = k * (c * s);
      Q[k - 1] = k * (c * (s * s * s) * d / double(n));
      pg[r - k] = s * d;
    }
    pg[r] = G.value();
    stream<2>(n, {g, x}, gx, [&](const auto* a) {
      using V = std::remove_cvref_t<decltype(a[0])>;
      const V t = a[1] * a[1];
      V dp = V(dP[r - 1]), q = V(Q[r - 1]);
      for (int k = r - 1; k >= 1; --k) {
        dp = fma(dp, a[1], V(dP[k - 1]));
        q = fma(q, t, V(Q[k - 1]));
      }
      return fma(a[0], dp, -(a[1] * q));
    });
  }
};

// ASH, Adaptive SwisH (Lee et al., NeurIPS 2022, arXiv:2210.11672):
// y = x sigmoid(alpha t), t = x - mu - z sd, mu = mean(x), sd = sqrt(var(x) + eps).
// With p = sigmoid(alpha t), q = alpha x p (1 - p), S = sum g q:
// dL/dx = g (p + q) - S/n (1 + z (x - mu)/sd);  dL/dz = -sd S.   Params: z, alpha, eps.
struct Ash {
  static int grads(Params) { return 1; }

  template <class T>
  static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    const double z = p.p[0], alpha = p.p[1];
    double mu, sd;
    mean_std(n, x, p.p[2], mu, sd);
    const double thr = mu + z * sd;
    stream<1>(n, {x}, y, [&](const auto* a) { return a[0] * vm::sigmoid(alpha * (a[0] - thr)); });
  }

  template <class T>
  static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double* pg, Params p) {
    const double z = p.p[0], alpha = p.p[1];
    double mu, sd;
    mean_std(n, x, p.p[2], mu, sd);
    const double thr = mu + z * sd;
    auto gate = [&](auto xv, auto& pv) {  // p and q at x
      const auto at = alpha * (xv - thr);
      pv = vm::sigmoid(at);
      return alpha * xv * pv * vm::sigmoid(-at);
    };
    Sum S;
    stream<2>(n, {g, x}, static_cast<T*>(nullptr), [&](const auto* a) {
      auto pv = a[0];
      S.add(a[0] * gate(a[1], pv));
      return pv;
    });
    const double s = S.value(), c0 = s / double(n), c1 = c0 * z / sd;
    pg[0] = -sd * s;
    stream<2>(n, {g, x}, gx, [&](const auto* a) {
      auto pv = a[0];
      const auto q = gate(a[1], pv);
      return fma(a[0], pv + q, -fma(a[1] - mu, c1, c0));
    });
  }
};

// Hard ASH (Lee et al. 2022): y = x 1[x >= mu + z sd]. The statistics enter only through the
// threshold, whose derivative is zero almost everywhere: dL/dx = g 1[x >= thr].
// Params: z, eps.
struct HardAsh {
  static int grads(Params) { return 0; }

  template <class T>
  static double threshold(std::ptrdiff_t n, const T* x, Params p) {
    double mu, sd;
    mean_std(n, x, p.p[1], mu, sd);
    return mu + p.p[0] * sd;
  }

  template <class T>
  static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    const double thr = threshold(n, x, p);
    stream<1>(n, {x}, y, [&](const auto* a) { return select(a[0] >= thr, a[0], 0.0); });
  }

  template <class T>
  static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double*, Params p) {
    const double thr = threshold(n, x, p);
    stream<2>(n, {g, x}, gx, [&](const auto* a) { return select(a[1] >= thr, a[0], 0.0); });
  }
};

// VeLU (Shakarami et al. 2025, arXiv:2504.15051), in the form of the published summaries:
// y = scale * s * h(x), h = x sigmoid(alpha (atan(beta1 x) + asin(clip(beta2 x, -1, 1)))),
// s = 1 + gamma tanh(mu sd), sd = sqrt(var(x) + eps). With H = sum g h:
// dL/dx = scale s g h'(x) + scale gamma mu sech^2(mu sd) H (x - m)/(n sd);  dL/dscale = s H.
// Params: scale, alpha, beta1, beta2, gamma, mu, eps.
struct Velu {
  static int grads(Params) { return 1; }

  struct Shape {
    double alpha, b1, b2;
    template <class V>
    V gate_arg(V x) const {
      const V c = select(x * b2 > 1.0, V(1.0), select(x * b2 < -1.0, V(-1.0), x * b2));
      return alpha * (lanewise(b1 * x, std::atan) + lanewise(c, std::asin));
    }
    template <class V>
    V h(V x) const {
      return x * vm::sigmoid(gate_arg(x));
    }
    // h'(x) = p + x p (1-p) alpha (b1/(1+(b1 x)^2) + b2/sqrt(1-(b2 x)^2) inside |b2 x| < 1)
    template <class V>
    V dh(V x, V& hv) const {
      const V a = gate_arg(x), pv = vm::sigmoid(a), pm = vm::sigmoid(-a);
      hv = x * pv;
      const V u = b1 * x, w = b2 * x;
      const V inside = 1.0 - w * w;
      const V asin_d = select(inside > 0.0, b2 / sqrt(select(inside > 0.0, inside, V(1.0))), V(0.0));
      const V slope = alpha * (b1 / fma(u, u, V(1.0)) + asin_d);
      return fma(hv * pm, slope, pv);
    }
  };

  static Shape shape(Params p) { return {p.p[1], p.p[2], p.p[3]}; }
  template <class T>
  static void stats(std::ptrdiff_t n, const T* x, Params p, double& m, double& sd, double& s) {
    mean_std(n, x, p.p[6], m, sd);
    s = 1.0 + p.p[4] * std::tanh(p.p[5] * sd);
  }

  template <class T>
  static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    double m, sd, s;
    stats(n, x, p, m, sd, s);
    const double k = p.p[0] * s;
    const Shape sh = shape(p);
    stream<1>(n, {x}, y, [&](const auto* a) { return k * sh.h(a[0]); });
  }

  template <class T>
  static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double* pg, Params p) {
    double m, sd, s;
    stats(n, x, p, m, sd, s);
    const Shape sh = shape(p);
    Sum H;
    stream<2>(n, {g, x}, static_cast<T*>(nullptr), [&](const auto* a) {
      const auto hv = sh.h(a[1]);
      H.add(a[0] * hv);
      return hv;
    });
    const double h = H.value(), ch = std::cosh(p.p[5] * sd);
    pg[0] = s * h;
    const double k0 = p.p[0] * s, k1 = p.p[0] * p.p[4] * p.p[5] / (ch * ch) * h / (double(n) * sd);
    stream<2>(n, {g, x}, gx, [&](const auto* a) {
      auto hv = a[0];
      const auto d = sh.dh(a[1], hv);
      return fma(k0 * a[0], d, k1 * (a[1] - m));
    });
  }
};

}  // namespace norm_rows
}  // namespace NONLIN_ISA
}  // namespace nonlin
