// Per-element math of the coefficient-vector activations, written once over Vec<P>.
// Each family: value(x, a), derivative(x, a) and gradients(x, a, t) (t[q] = df/dp_q for every
// entry of the flat parameter array p; returns df/dx). Parameter layouts (p):
//
//   hermite (degree d)   c_0..c_d                  f = sum_k c_k He_k(x) / k!
//   fourier (degree d)   a_0, a_1..a_d, w_1..w_d, phi_1..phi_d
//                                                  f = a_0 + sum_k a_k cos(w_k x - phi_k) / k!
//   tropical (degree d)  c_0..c_d                  f = sqrt(2)/d max_k (k x + c_k)
//   tropical_rational    p_0..p_d, a_0..a_d, q_0..q_d, b_0..b_d
//                                                  f = max_k (p_k x + a_k) - max_k (q_k x + b_k)
//   polyrelu (degree r)  w_0..w_{r-1}, b           f = sum_i w_i relu(x)^(r-i) + b
//
// Hermite, Fourier and tropical: Khalfaoui-Hassani & Kesselheim 2025, "Learnable polynomial,
// trigonometric, and tropical activations", arXiv:2502.01247 (torchortho). PolyReLU: Zhuo et
// al. 2024, "Polynomial composition activations", arXiv:2411.03884 (w_0 multiplies the highest
// power, as in the official code and nonlin's PolyNorm).
//
// Conventions at kinks: the tropical maxima give their gradient to the first maximiser (the
// smallest k), so at a tie f' is the slope of the piece on the left; relu'(0) = 0 (PyTorch).
#pragma once

#include <cmath>

#include "nonlin/activations/literature_periodic.h"
#include "nonlin/series/kernels.h"

namespace nonlin {
namespace series {
inline namespace NONLIN_ISA {

// 1 / k (k >= 1) and 1 / k! rounded once from double.
template <class T>
struct Recip {
  NONLIN_DEVICE static constexpr T of(int k) { return T(1.0 / k); }
  NONLIN_DEVICE static constexpr T factorial(int k) {
    double f = 1;
    for (int j = 2; j <= k; ++j) f *= j;
    return T(1.0 / f);
  }
};

// sum_{j <= top} a_j x^j by compensated Horner (Graillat, Langlois, Louvet 2005, "Compensated
// Horner scheme", Algorithm 4.1): the rounding error of every product and sum is carried
// exactly and added back once, so the result is as accurate as Horner in twice the precision
// (within about 1 ULP of the condition sum). Where the sum overflows, the plain value (+-inf).
template <class V, class T>
NONLIN_HD inline V compensated_horner(V x, const T* a, int top) {
  V s(a[top]), c(0);
  for (int j = top - 1; j >= 0; --j) {
    V p, p_err, e;
    exact_product(s, x, p, p_err);
    two_sum(p, V(a[j]), s, e);
    c = fma(c, x, p_err + e);
  }
  return select(abs(s) < V(INFINITY), s + c, s);
}

// Probabilists' Hermite polynomials scaled by 1/k!: h_k = He_k(x)/k!. The value and the
// derivative are Horner sums in the monomial basis (Args::poly, converted by the driver): the
// monomial condition sum sum_j |a_j| |x|^j never exceeds the Hermite one
// sum_k |c_k| |He|_k(|x|) / k!, and Horner from the highest nonzero coefficient cannot overflow
// before the result does and gives the limits at +-inf. The basis values themselves (the
// coefficient gradients) use the three-term recurrence He_{k+1} = x He_k - k He_{k-1}, i.e.
// h_{k+1} = (x h_k - h_{k-1}) / (k + 1) (no k! growth), and for |x| > thr its scaled form
// t_k = h_k / x^k, t_{k+1} = (t_k - t_{k-1} / x^2) / (k + 1), which overflows only with h_k.
struct Hermite {
  template <class V, class T>
  NONLIN_DEVICE static V value(V x, const Args<T>& a) {
    return compensated_horner(x, a.poly, a.eff);
  }
  template <class V, class T>
  NONLIN_DEVICE static V derivative(V x, const Args<T>& a) {
    return a.eff == 0 ? V(0) : compensated_horner(x, a.poly + a.degree + 1, a.eff - 1);
  }
  template <class V, class T>
  NONLIN_DEVICE static V gradients(V x, const Args<T>& a, V* t) {
    using R = Recip<T>;
    const int d = a.degree;
    t[0] = V(1);
    if (d >= 1) t[1] = x;
    for (int k = 1; k < d; ++k) t[k + 1] = fms(x, t[k], t[k - 1]) * R::of(k + 1);
    const auto big = abs(x) > V(a.thr);
    if (any(big)) {  // h_k = x^k t_k with the scaled t_k: inf where the basis value overflows
      const V u = V(1) / (x * x);
      V s0(1), s1(1), pw = x;
      for (int k = 1; k <= d; ++k) {
        t[k] = select(big, pw * s1, t[k]);
        const V s2 = fma(-u, s0, s1) * R::of(k + 1);
        s0 = s1;
        s1 = s2;
        pw *= x;
      }
    }
    return derivative(x, a);
  }

  template <class V>
  NONLIN_DEVICE static V fms(V a, V b, V c) { return fma(a, b, -c); }
};

// s + sum of products a b, each product and sum error carried exactly (a dot product as
// accurate as in twice the precision); for bounded terms (no overflow handling).
template <class V>
struct CompensatedSum {
  V s, c = V(0);
  NONLIN_DEVICE void add(V a, V b) {
    V p, p_err, e;
    exact_product(a, b, p, p_err);
    two_sum(s, p, s, e);
    c += p_err + e;
  }
  NONLIN_DEVICE V result() const { return s + c; }
};

// Fourier series with learnable amplitudes, frequencies and phases; the angle w x - phi enters
// the sine/cosine as an exact double-word (exact product, exact subtraction), so f is right
// for large w x too. Where w x overflows there is no angle: NaN (as Snake).
struct Fourier {
  template <class V, class T>
  NONLIN_DEVICE static void angle(V x, T w, T phi, V& s, V& c) {
    V z, z_lo, h, e;
    exact_product(V(w), x, z, z_lo);
    two_sum(z, V(-phi), h, e);
    const V lo = z_lo + e, hi = h + lo;
    vm::sincos(hi, lo - (hi - h), s, c);
  }
  template <class V, class T>
  NONLIN_DEVICE static V value(V x, const Args<T>& a) {
    const int d = a.degree;
    const T* amp = a.p + 1;
    CompensatedSum<V> y{V(a.p[0])};
    for (int k = 1; k <= d; ++k) {
      V s, c;
      angle(x, amp[d + k - 1], amp[2 * d + k - 1], s, c);
      y.add(V(amp[k - 1] * Recip<T>::factorial(k)), c);
    }
    return y.result();
  }
  template <class V, class T>
  NONLIN_DEVICE static V derivative(V x, const Args<T>& a) {
    const int d = a.degree;
    const T* amp = a.p + 1;
    CompensatedSum<V> y{V(0)};
    for (int k = 1; k <= d; ++k) {
      V s, c;
      const T w = amp[d + k - 1];
      angle(x, w, amp[2 * d + k - 1], s, c);
      y.add(V(-amp[k - 1] * Recip<T>::factorial(k) * w), s);
    }
    return y.result();
  }
  template <class V, class T>
  NONLIN_DEVICE static V gradients(V x, const Args<T>& a, V* t) {
    const int d = a.degree;
    const T* amp = a.p + 1;
    CompensatedSum<V> y{V(0)};
    t[0] = V(1);
    for (int k = 1; k <= d; ++k) {
      V s, c;
      const T w = amp[d + k - 1], f = Recip<T>::factorial(k), af = amp[k - 1] * f;
      angle(x, w, amp[2 * d + k - 1], s, c);
      t[k] = c * f;                       // d/da_k
      t[d + k] = -af * (x * s);           // d/dw_k
      t[2 * d + k] = af * s;              // d/dphi_k
      y.add(V(-af * w), s);
    }
    return y.result();
  }
};

// The maximum of the lines slope_k x + icpt_k (k = 0..n) and the first maximiser; a zero
// slope contributes its intercept (no 0 * inf). At x = +-inf the line steepest in that
// direction wins (ties: the larger intercept), so the limits come out right. A NaN line
// makes the maximum NaN (as torch.max), wherever it stands.
template <class V, class T>
NONLIN_HD inline V max_of_lines(V x, const T* slope, const T* icpt, int n, V& arg) {
  V m(icpt[0]);
  if (slope[0] != 0) m = fma(V(slope[0]), x, m);
  arg = V(0);
  for (int k = 1; k <= n; ++k) {
    const V v = slope[k] != 0 ? fma(V(slope[k]), x, V(icpt[k])) : V(icpt[k]);
    const auto take = (v > m) | isnan(v);  // a NaN line wins and stays (as torch.max)
    m = select(take, v, m);
    arg = select(take, V(T(k)), arg);
  }
  const auto inf = is_inf(x);
  if (any(inf)) {
    const V dir = select(x > V(0), V(1), V(-1));
    V key = dir * slope[0], at(icpt[0]), best(0);
    for (int k = 1; k <= n; ++k) {
      const V kk = dir * slope[k];
      const auto take = (kk > key) | ((kk == key) & (V(icpt[k]) > at));
      key = select(take, kk, key);
      at = select(take, V(icpt[k]), at);
      best = select(take, V(T(k)), best);
    }
    arg = select(inf, best, arg);
  }
  return m;
}

// Tropical polynomial: fixed slopes 0..d, learnable intercepts, scale sqrt(2)/d.
struct Tropical {
  template <class T>
  NONLIN_DEVICE static T scale(int d) { return T(1.4142135623730951 / d); }
  template <class V, class T>
  NONLIN_DEVICE static V best(V x, const Args<T>& a, V& arg) {
    const int d = a.degree;
    V m(a.p[0]);
    arg = V(0);
    for (int k = 1; k <= d; ++k) {
      const V v = fma(V(T(k)), x, V(a.p[k]));
      const auto take = (v > m) | isnan(v);  // as max_of_lines
      m = select(take, v, m);
      arg = select(take, V(T(k)), arg);
    }
    arg = select(x == V(INFINITY), V(T(d)), arg);
    return m;
  }
  template <class V, class T>
  NONLIN_DEVICE static V value(V x, const Args<T>& a) {
    V arg;
    return best(x, a, arg) * scale<T>(a.degree);
  }
  template <class V, class T>
  NONLIN_DEVICE static V derivative(V x, const Args<T>& a) {
    V arg;
    best(x, a, arg);
    return arg * scale<T>(a.degree);
  }
  template <class V, class T>
  NONLIN_DEVICE static V gradients(V x, const Args<T>& a, V* t) {
    V arg;
    best(x, a, arg);
    const T s = scale<T>(a.degree);
    for (int k = 0; k <= a.degree; ++k) t[k] = select(arg == V(T(k)), V(s), V(0));
    return arg * s;
  }
};

// Tropical rational function: difference of two maxima of learnable lines.
struct TropicalRational {
  // The two maxima and their maximisers.
  template <class V, class T>
  NONLIN_DEVICE static void maxima(V x, const Args<T>& a, V& num, V& den, V& i, V& j) {
    const int n = a.degree, w = n + 1;
    num = max_of_lines(x, a.p, a.p + w, n, i);
    den = max_of_lines(x, a.p + 2 * w, a.p + 3 * w, n, j);
  }
  template <class V, class T>
  NONLIN_DEVICE static V pick(V idx, const T* v, int n) {
    V r(v[0]);
    for (int k = 1; k <= n; ++k) r = select(idx == V(T(k)), V(v[k]), r);
    return r;
  }
  // Where the winners' slopes are equal the value is a_i - b_j exactly (no cancellation of
  // two large maxima); where a maximum overflows (|x| near the top of the range, or infinite)
  // the difference of the winners is formed first: (p_i - q_j) x + (a_i - b_j).
  template <class V, class T>
  NONLIN_DEVICE static V value(V x, const Args<T>& a) {
    V num, den, i, j;
    maxima(x, a, num, den, i, j);
    const V y = num - den;
    const int n = a.degree, w = n + 1;
    const V dp = pick(i, a.p, n) - pick(j, a.p + 2 * w, n);
    const V da = pick(i, a.p + w, n) - pick(j, a.p + 3 * w, n);
    const V r = select(dp == V(0), da, select(abs(y) < V(INFINITY), y, fma(dp, x, da)));
    return select(isnan(num) | isnan(den), V(NAN), r);  // a NaN coefficient (or x)
  }
  template <class V, class T>
  NONLIN_DEVICE static V derivative(V x, const Args<T>& a) {
    V num, den, i, j;
    maxima(x, a, num, den, i, j);
    const int n = a.degree;
    return pick(i, a.p, n) - pick(j, a.p + 2 * (n + 1), n);
  }
  template <class V, class T>
  NONLIN_DEVICE static V gradients(V x, const Args<T>& a, V* t) {
    V num, den, i, j;
    maxima(x, a, num, den, i, j);
    const int n = a.degree, w = n + 1;
    for (int k = 0; k <= n; ++k) {
      const auto in = i == V(T(k)), jn = j == V(T(k));
      t[k] = select(in, x, V(0));
      t[w + k] = select(in, V(1), V(0));
      t[2 * w + k] = select(jn, -x, V(0));
      t[3 * w + k] = select(jn, V(-1), V(0));
    }
    return derivative(x, a);
  }
};

// PolyReLU: a polynomial in relu(x), by compensated Horner from the first nonzero weight
// (Args::poly holds the coefficients in ascending powers, then those of the derivative).
struct Polyrelu {
  template <class V>
  NONLIN_DEVICE static V relu(V x) { return select(x > V(0), x, V(0)); }
  template <class V, class T>
  NONLIN_DEVICE static V value(V x, const Args<T>& a) {
    return compensated_horner(relu(x), a.poly, a.degree - a.eff);
  }
  template <class V, class T>
  NONLIN_DEVICE static V derivative(V x, const Args<T>& a) {
    const int top = a.degree - a.eff - 1;
    return top < 0 ? V(0) : select(x > V(0), compensated_horner(x, a.poly + a.degree + 1, top), V(0));
  }
  template <class V, class T>
  NONLIN_DEVICE static V gradients(V x, const Args<T>& a, V* t) {
    const int r = a.degree;
    const V u = relu(x);
    V pw = u;
    for (int i = r - 1; i >= 0; --i) {
      t[i] = pw;
      pw *= u;
    }
    t[r] = V(1);
    return derivative(x, a);
  }
};

}  // namespace NONLIN_ISA
}  // namespace series
}  // namespace nonlin
