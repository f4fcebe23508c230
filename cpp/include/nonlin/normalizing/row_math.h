// The normalising activations' row formulas (PolyNorm, ASH, Hard ASH, VeLU), written once over
// an execution policy X that streams one row: the CPU's per-ISA packets (rows.h CpuRow) or a
// CUDA thread block (src/cuda/normalizing.cu). X provides
//   X::Sum<T>             a row sum: add(v) per element, value() the whole row's (compensated
//                         for rows of T = double);
//   X::stream<NI>(n, {in...}, out, f)   f(a) or f(a, i) on every element (a[k] = in[k][i] in
//                         double, as Vec<double> or a double packet), its result stored to out
//                         (rounded once to T) unless out is null;
//   X::load<V> / X::store(scratch, i, v)   per-element doubles kept between passes;
//   X::max_abs(n, x)      max |x[i]| over the row.
// Every kernel computes in double and rounds once on output. Gradients include the path through
// the statistics; the derivations are in each struct's comment.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <type_traits>

#include "nonlin/normalizing/kernels.h"
#include "nonlin/simd/vmath.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace norm_rows {

using normalizing::Params;
inline constexpr int kMaxOrder = 8;  // PolyNorm: highest power

template <class X, class T>
using SumOf = typename X::template Sum<T>;

// f(a) or f(a, i), whichever f takes (the policies' stream calls f through this).
template <class F, class V>
NONLIN_DEVICE V call(F& f, const V* a, std::ptrdiff_t i) {
  if constexpr (std::is_invocable_v<F&, const V*, std::ptrdiff_t>) return f(a, i);
  else return f(a);
}

// sigmoid(a) and sigmoid(-a) = 1 - sigmoid(a), both to full relative accuracy, from one exp.
template <class V>
NONLIN_DEVICE void sigmoid_pair(V a, V& p, V& pm) {
  const V e = vm::exp(-abs(a));
  const V r = 1.0 / (1.0 + e), small = e * r;
  const auto pos = a >= 0.0;
  p = select(pos, r, small);
  pm = select(pos, small, r);
}

// sigmoid for rows of T: vm::sigmoid (<= 1 ULP of double) for float64 data; for float32 data
// one exp and one division, whose few double roundings are far below a float32 ULP.
template <class T, class V>
NONLIN_DEVICE V logistic(V a) {
  if constexpr (std::is_same_v<T, double>) {
    return vm::sigmoid(a);
  } else {
    V p, pm;
    sigmoid_pair(a, p, pm);
    return p;
  }
}

// atan(num / den) for den > 0 (or num = +-inf) in double: Cephes atan.c's reduction to
// |t| <= 0.66 done on the fraction (one division) and its 4/5 rational in t^2; <= 1 ULP.
template <class V>
NONLIN_DEVICE V atan_frac(V num, V den) {
  static constexpr double P[] = {-6.485021904942025371773e1, -1.228866684490136173410e2,
                                 -7.500855792314704667340e1, -1.615753718733365076637e1,
                                 -8.750608600031904122785e-1};
  static constexpr double Q[] = {1.945506571482613964425e2, 4.853903996359136964868e2,
                                 4.328810604912902668951e2, 1.650270098316988542046e2,
                                 2.485846490142306297962e1, 1.0};
  const V a = abs(num);
  const auto big = a > 2.414213562373095 * den, mid = a > 0.66 * den;  // tan(3pi/8), 0.66
  const V y0 = select(big, V(1.5707963267948966), select(mid, V(0.7853981633974483), V(0.0)));
  const V t = select(big, -den, select(mid, a - den, a)) /
              select(big, a, select(mid, a + den, den));
  const V z = t * t;
  const V r = y0 + fma(t * z, polyeval(z, P) / polyeval(z, Q), t);
  return select(num < 0.0, -r, r);
}

// atan2(y, x) in (-pi, pi] from atan_frac on (y, |x|).
template <class V>
NONLIN_DEVICE V atan2_d(V y, V x) {
  const V r = atan_frac(y, abs(x));
  return select(x < 0.0, select(y < 0.0, V(-3.141592653589793), V(3.141592653589793)) - r, r);
}

// Row mean and sqrt(population variance + eps) of x times `scale`, two passes (no
// cancellation); eps is taken as is.
template <class X, class T>
NONLIN_DEVICE void mean_std_scaled(std::ptrdiff_t n, const T* x, double eps, double scale,
                                   double& mean, double& sd) {
  SumOf<X, T> s1, s2;
  X::template stream<1>(n, {x}, static_cast<T*>(nullptr), [&](const auto* a) {
    s1.add(a[0] * scale);
    return a[0];
  });
  mean = s1.value() / double(n);
  const double m = mean;
  X::template stream<1>(n, {x}, static_cast<T*>(nullptr), [&](const auto* a) {
    const auto d = a[0] * scale - m;
    s2.add(d * d);
    return d;
  });
  sd = std::sqrt(s2.value() / double(n) + eps);
}

// Row mean and sqrt(population variance + eps). A finite float64 row whose sums overflow
// (|x| beyond ~1e154), or with eps = 0 whose squares underflow (sd below 1e-140), is redone
// scaled by a power of two that brings max |x| below 1.
template <class X, class T>
NONLIN_DEVICE void mean_std(std::ptrdiff_t n, const T* x, double eps, double& mean, double& sd) {
  mean_std_scaled<X>(n, x, eps, 1.0, mean, sd);
  if (std::isfinite(sd) && !(eps == 0 && sd < 1e-140)) return;
  double big = 0;  // (an overflowing compensated sum gives NaN, not inf)
  for (std::ptrdiff_t i = 0; i < n; ++i) {  // comparisons (gcc 12's aarch64 fmax loop ICEs)
    const double v = std::fabs(double(x[i]));
    if (!(v <= 1.7976931348623157e308)) return;  // a NaN or infinite element: a NaN row
    big = v > big ? v : big;
  }
  int e;
  std::frexp(big, &e);
  const double scale = std::ldexp(1.0, std::min(-e, 1000));  // max |x| scale < 1 (>= 2^-75)
  mean_std_scaled<X>(n, x, eps * scale * scale, scale, mean, sd);
  mean /= scale;
  sd /= scale;
}

// PolyNorm (Zhuo et al. 2024, arXiv:2411.03884): y = sum_k c_k s_k x^k + b, k = 1..r,
// s_k = (mean(x^2k) + eps)^-1/2, c_k = weight[r - k] (the official order: weight[0] multiplies
// the highest power). With D_k = sum_i g_i x_i^k:  dL/dx = g P'(x) - x Q(x^2),
// P(x) = sum_k c_k s_k x^k,  Q(t) = sum_k k c_k s_k^3 D_k / n t^(k-1);
// dL/dweight[r-k] = s_k D_k,  dL/dbias = sum g.
struct PolyNorm {
  NONLIN_DEVICE static int grads(Params p) { return p.np - 1; }

  // Row sums over u = x * 2^e of u^2k (S), and for the backward g u^k (D) and g (G); returns e.
  // e = 0 unless a power overflows (float64 rows beyond ~1e51, or high orders) or underflows
  // (tiny rows; only where eps / 2^(2k e) stays finite, e.g. eps = 0): PolyNorm is invariant
  // under x -> x/c, eps -> eps/c^2k, so such rows are computed as if it had not.
  template <bool Grad, class X, class T>
  NONLIN_DEVICE static int sums(std::ptrdiff_t n, const T* g, const T* x, int r, double eps,
                                SumOf<X, T>* S, SumOf<X, T>* D, SumOf<X, T>& G) {
    int e = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const double c = std::ldexp(1.0, -e);
      auto body = [&](auto gv, auto xv) {
        const auto u = xv * c, t = u * u;
        auto w = t, v = gv * u;
        for (int k = 0; k < r; ++k) {
          S[k].add(w);
          w = w * t;
          if constexpr (Grad) {
            D[k].add(v);
            v = v * u;
          }
        }
        if constexpr (Grad) G.add(gv);
        return t;
      };
      if constexpr (Grad)
        X::template stream<2>(n, {g, x}, static_cast<T*>(nullptr),
                              [&](const auto* a) { return body(a[0], a[1]); });
      else
        X::template stream<1>(n, {x}, static_cast<T*>(nullptr),
                              [&](const auto* a) { return body(a[0], a[0]); });
      bool finite = true, tiny = false;
      for (int k = 0; k < r; ++k) {
        finite = finite && std::isfinite(S[k].value() + D[k].value());
        tiny = tiny || S[k].value() < 0x1p-600;  // x^2k near or below the subnormal range
      }
      if ((finite && !tiny) || attempt == 1) break;
      const double m = X::max_abs(n, x);
      if (!std::isfinite(m) || m == 0) break;  // inf/NaN rows stay NaN, zero rows zero
      const int up = std::ilogb(m) + 1;  // |u| < 1
      if (finite && (up >= 0 || !std::isfinite(std::ldexp(eps, -2 * r * up)))) break;
      e = up;
      for (int k = 0; k < r; ++k) S[k] = D[k] = SumOf<X, T>{};
      G = SumOf<X, T>{};
    }
    return e;
  }

  // s_k = (mean(u^2k) + eps / 2^(2k e))^-1/2
  template <class S>
  NONLIN_DEVICE static double rms_inv(const S& sum, std::ptrdiff_t n, double eps, int k, int e) {
    return 1.0 / std::sqrt(sum.value() / double(n) + std::ldexp(eps, -2 * k * e));
  }

  template <class X, class T>
  NONLIN_DEVICE static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    const int r = p.np - 2;
    const double bias = p.p[r], eps = p.p[r + 1];
    SumOf<X, T> S[kMaxOrder], D[kMaxOrder], G;
    const int e = sums<false, X>(n, x, x, r, eps, S, D, G);
    const double c = std::ldexp(1.0, -e);
    double A[kMaxOrder];  // A[k-1] = c_k s_k
    for (int k = 1; k <= r; ++k) A[k - 1] = p.p[r - k] * rms_inv(S[k - 1], n, eps, k, e);
    X::template stream<1>(n, {x}, y, [&](const auto* a) {
      using V = std::remove_cvref_t<decltype(a[0])>;
      const V u = a[0] * c;
      V acc = V(A[r - 1]);
      for (int k = r - 1; k >= 1; --k) acc = fma(acc, u, V(A[k - 1]));
      return fma(acc, u, V(bias));
    });
  }

  template <class X, class T>
  NONLIN_DEVICE static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double* pg,
                                     Params p, double*) {
    const int r = p.np - 2;
    const double eps = p.p[r + 1];
    SumOf<X, T> S[kMaxOrder], D[kMaxOrder], G;
    const int e = sums<true, X>(n, g, x, r, eps, S, D, G);
    const double c = std::ldexp(1.0, -e);
    double dP[kMaxOrder], Q[kMaxOrder];  // coefficients of P'(u) and Q(u^2), index k-1
    for (int k = 1; k <= r; ++k) {
      const double s = rms_inv(S[k - 1], n, eps, k, e), d = D[k - 1].value();
      const double w = p.p[r - k];
      dP[k - 1] = k * (w * s);
      Q[k - 1] = k * (w * (s * s * s) * d / double(n));
      pg[r - k] = s * d;
    }
    pg[r] = G.value();
    X::template stream<2>(n, {g, x}, gx, [&](const auto* a) {
      using V = std::remove_cvref_t<decltype(a[0])>;
      const V u = a[1] * c, t = u * u;
      V dp = V(dP[r - 1]), q = V(Q[r - 1]);
      for (int k = r - 1; k >= 1; --k) {
        dp = fma(dp, u, V(dP[k - 1]));
        q = fma(q, t, V(Q[k - 1]));
      }
      return fma(a[0], dp, -(u * q)) * c;  // d/dx = 2^-e d/du
    });
  }
};

// ASH, Adaptive SwisH (Lee et al., NeurIPS 2022, arXiv:2210.11672):
// y = x sigmoid(alpha t), t = x - mu - z sd, mu = mean(x), sd = sqrt(var(x) + eps).
// With p = sigmoid(alpha t), q = alpha x p (1 - p), S = sum g q:
// dL/dx = g (p + q) - S/n (1 + z (x - mu)/sd);  dL/dz = -sd S.   Params: z, alpha, eps.
struct Ash {
  NONLIN_DEVICE static int grads(Params) { return 1; }

  template <class X, class T>
  NONLIN_DEVICE static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    const double z = p.p[0], alpha = p.p[1];
    double mu, sd;
    mean_std<X>(n, x, p.p[2], mu, sd);
    const double thr = mu + z * sd;
    X::template stream<1>(n, {x}, y,
                          [&](const auto* a) { return a[0] * logistic<T>(alpha * (a[0] - thr)); });
  }

  template <class X, class T>
  NONLIN_DEVICE static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double* pg,
                                     Params p, double* scratch) {
    const double z = p.p[0], alpha = p.p[1];
    double mu, sd;
    mean_std<X>(n, x, p.p[2], mu, sd);
    const double thr = mu + z * sd;
    auto gate = [&](auto xv, auto& pv) {  // p and q at x
      auto pm = xv;
      sigmoid_pair(alpha * (xv - thr), pv, pm);
      return alpha * xv * pv * pm;
    };
    SumOf<X, T> S;
    X::template stream<2>(n, {g, x}, static_cast<T*>(nullptr), [&](const auto* a, std::ptrdiff_t i) {
      auto pv = a[0];
      const auto q = gate(a[1], pv);
      S.add(a[0] * q);
      X::store(scratch, i, pv + q);
      return q;
    });
    // d sd / dx_i = (x_i - mu) / (n sd); at sd = 0 (a constant row, eps = 0) sd is not
    // differentiable and every x_i - mu is 0: that term is 0 (was 0/0)
    const double s = S.value(), c0 = s / double(n), c1 = sd > 0 ? c0 * z / sd : 0.0;
    pg[0] = -sd * s;
    X::template stream<2>(n, {g, x}, gx, [&](const auto* a, std::ptrdiff_t i) {
      using V = std::remove_cvref_t<decltype(a[0])>;
      return fma(a[0], X::template load<V>(scratch, i), -fma(a[1] - mu, c1, c0));
    });
  }
};

// Hard ASH (Lee et al. 2022): y = x 1[x >= mu + z sd]. The statistics enter only through the
// threshold, whose derivative is zero almost everywhere: dL/dx = g 1[x >= thr].
// Params: z, eps.
struct HardAsh {
  NONLIN_DEVICE static int grads(Params) { return 0; }

  template <class X, class T>
  NONLIN_DEVICE static double threshold(std::ptrdiff_t n, const T* x, Params p) {
    double mu, sd;
    mean_std<X>(n, x, p.p[1], mu, sd);
    return mu + p.p[0] * sd;
  }

  template <class X, class T>
  NONLIN_DEVICE static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    const double thr = threshold<X>(n, x, p), off = thr - thr;  // 0, or NaN for a NaN row
    X::template stream<1>(n, {x}, y, [&](const auto* a) { return select(a[0] >= thr, a[0], off); });
  }

  template <class X, class T>
  NONLIN_DEVICE static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double*,
                                     Params p, double*) {
    const double thr = threshold<X>(n, x, p), off = thr - thr;
    X::template stream<2>(n, {g, x}, gx, [&](const auto* a) { return select(a[1] >= thr, a[0], off); });
  }
};

// VeLU (Shakarami et al. 2025, arXiv:2504.15051), in the form of the published summaries:
// y = scale * s * h(x), h = x sigmoid(alpha (atan(beta1 x) + asin(clip(beta2 x, -1, 1)))),
// s = 1 + gamma tanh(mu sd), sd = sqrt(var(x) + eps). With H = sum g h:
// dL/dx = scale s g h'(x) + scale gamma mu sech^2(mu sd) H (x - m)/(n sd);  dL/dscale = s H.
// Params: scale, alpha, beta1, beta2, gamma, mu, eps.
struct Velu {
  NONLIN_DEVICE static int grads(Params) { return 1; }

  struct Shape {
    double alpha, b1, b2;
    // c = clip(beta2 x, -1, 1) and s = sqrt(1 - c^2), without cancellation near the clip
    template <class V>
    NONLIN_DEVICE void clip(V x, V& c, V& s) const {
      const V w = b2 * x;
      c = select(w > 1.0, V(1.0), select(w < -1.0, V(-1.0), w));
      s = sqrt((1.0 - c) * (1.0 + c));
    }
    // alpha (atan(A) + asin(c)), A = beta1 x, as alpha atan2(A s + c, s - A c): the sum of
    // the two angles is the angle of (1 + iA)(s + ic), in (-pi, pi); one arctangent.
    template <class V>
    NONLIN_DEVICE V gate_arg(V x, V c, V s) const {
      const V A = b1 * x;
      return alpha * atan2_d(fma(A, s, c), fma(-A, c, s));
    }
    template <class T, class V>
    NONLIN_DEVICE V h(V x) const {
      V c, s;
      clip(x, c, s);
      return x * logistic<T>(gate_arg(x, c, s));
    }
    // h'(x) = p + x p (1-p) alpha (beta1/(1+(beta1 x)^2) + beta2/s), the last term only
    // inside the clip (s > 0)
    template <class V>
    NONLIN_DEVICE V dh(V x, V& hv) const {
      V c, s, pv, pm;
      clip(x, c, s);
      sigmoid_pair(gate_arg(x, c, s), pv, pm);
      hv = x * pv;
      const V u = b1 * x;
      const auto in = s > 0.0;
      const V asin_slope = select(in, b2 / select(in, s, V(1.0)), V(0.0));
      const V slope = alpha * (b1 / fma(u, u, V(1.0)) + asin_slope);
      return fma(hv * pm, slope, pv);
    }
  };

  NONLIN_DEVICE static Shape shape(Params p) { return {p.p[1], p.p[2], p.p[3]}; }
  template <class X, class T>
  NONLIN_DEVICE static void stats(std::ptrdiff_t n, const T* x, Params p, double& m, double& sd,
                                  double& s) {
    mean_std<X>(n, x, p.p[6], m, sd);
    s = 1.0 + p.p[4] * std::tanh(p.p[5] * sd);
  }

  template <class X, class T>
  NONLIN_DEVICE static void forward(std::ptrdiff_t n, const T* x, T* y, Params p) {
    double m, sd, s;
    stats<X>(n, x, p, m, sd, s);
    const double k = p.p[0] * s;
    const Shape sh = shape(p);
    X::template stream<1>(n, {x}, y, [&](const auto* a) { return k * sh.template h<T>(a[0]); });
  }

  template <class X, class T>
  NONLIN_DEVICE static void backward(std::ptrdiff_t n, const T* g, const T* x, T* gx, double* pg,
                                     Params p, double* scratch) {
    double m, sd, s;
    stats<X>(n, x, p, m, sd, s);
    const Shape sh = shape(p);
    SumOf<X, T> H;
    X::template stream<2>(n, {g, x}, static_cast<T*>(nullptr), [&](const auto* a, std::ptrdiff_t i) {
      auto hv = a[1];
      X::store(scratch, i, sh.dh(a[1], hv));
      H.add(a[0] * hv);
      return hv;
    });
    const double h = H.value(), ch = std::cosh(p.p[5] * sd);
    pg[0] = s * h;
    const double k0 = p.p[0] * s;
    const double k1 = sd > 0 ? p.p[0] * p.p[4] * p.p[5] / (ch * ch) * h / (double(n) * sd) : 0.0;  // as ASH's
    X::template stream<2>(n, {g, x}, gx, [&](const auto* a, std::ptrdiff_t i) {
      using V = std::remove_cvref_t<decltype(a[0])>;
      return fma(k0 * a[0], X::template load<V>(scratch, i), k1 * (a[1] - m));
    });
  }
};

}  // namespace norm_rows
}  // namespace NONLIN_ISA
}  // namespace nonlin
