// Localised (bump-shaped) activations from the literature: the Cauchy activation of XNet and
// the elephant activation.
#pragma once

#include "nonlin/activations/common.h"

namespace nonlin {
inline namespace NONLIN_ISA {

struct CauchyFloat32;

// Cauchy activation (Li, Xia, Zhang 2024, XNet, arXiv:2409.19221): (l1 x + l2) / (x^2 + d^2).
// Numerators and x^2 + d^2 as hi + lo pairs (exact squares and products), each result one
// quotient of pairs rounded once; beyond |x| = 2^500 (float32: 2^60), where x^2 nears
// overflow, the same quotients in r = 1/x: f = r (l1 + l2 r) / (1 + (d r)^2). The float32
// forward runs the same pairs in float32 arithmetic (<= 0.9 ULP), its gradients the plain
// float64 quotients (CauchyFloat32: in float32 the pairs cost more than float64's 8 lanes).
struct Cauchy {
  static constexpr std::array<Param, 3> params{
      {{"lambda1", 1.0, true, "weight of the odd part x / (x^2 + d^2)"},
       {"lambda2", 1.0, true, "weight of the even part 1 / (x^2 + d^2)"},
       {"d", 1.0, true, "width, != 0", Constraint::nonzero}}};
  static constexpr Meta meta{
      "cauchy", "(lambda1 x + lambda2) / (x^2 + d^2)",
      "(lambda1 (d^2 - x^2) - 2 lambda2 x) / (x^2 + d^2)^2",
      "Li, Xia, Zhang 2024, Cauchy activation function and XNet, arXiv:2409.19221 (no official "
      "code; lambda1 = lambda2 = d = 1 as in the public XNet reimplementation)",
      {true, false, true, false, false, "bounded, [min, max] ~ +-|lambda1|/(2|d|) + ..."}, params.data(), 3, 1.0};
  static constexpr bool float_via_double = true;
  static constexpr bool float_forward_native = true;
  using float32_formula = CauchyFloat32;
  template <class V>
  struct Parts {
    V r, xs, D, D_lo, n, n_lo, s, s_lo;  // D = x^2 + d^2, n = l1 x + l2, s = d^2 - x^2 (in r)
    Mask<typename V::Packet> big;
    NONLIN_HD Parts(V x, V l1, V l2, V d)
        : big(abs(x) > V(std::is_same_v<typename V::Scalar, float> ? 0x1p60 : 0x1p500)) {
      r = select(big, 1 / x, V(1));
      xs = select(big, V(1), x);
      const V ds = d * r, l2r = l2 * r;  // x r and d r
      V xh, xl, dh, dl, e, p, pe;
      two_prod(xs, xs, xh, xl);
      two_prod(ds, ds, dh, dl);
      two_sum(xh, dh, D, e);
      D_lo = e + (xl + dl);
      two_sum(dh, -xh, s, e);
      s_lo = e + (dl - xl);
      two_prod(l1, xs, p, pe);
      two_sum(p, l2r, n, e);
      n_lo = finite_or_zero(e + pe);
    }
  };
  template <class V> NONLIN_DEVICE static V forward(V x, V l1, V l2, V d) {
    const Parts<V> p(x, l1, l2, d);
    return p.r * divided(p.n, p.n_lo, p.D, p.D_lo);
  }
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V l1, V l2, V d) { return Parts<V>(x, l1, l2, d); }
  // (a + a_lo) / D^2 as two pair quotients (D^2 alone overflows beyond |x| ~ 1e77)
  template <class V> NONLIN_DEVICE static V over_D2(const Parts<V>& p, V a, V a_lo) {
    V q, q_lo;
    divide_pair(a, a_lo, p.D, p.D_lo, q, q_lo);
    return divided(q, q_lo, p.D, p.D_lo);
  }
  // (l1 s - 2 l2 x) / D^2 (times r^2 for huge |x|), the numerator as a pair
  template <class V> NONLIN_DEVICE static V derivative_of(const Parts<V>& p, V, V l1, V l2, V) {
    V a, ae, b, be, t, te;
    two_prod(l1, p.s, a, ae);
    two_prod(-2 * (l2 * p.r), p.xs, b, be);
    two_sum(a, b, t, te);
    return (p.r * p.r) * over_D2(p, t, finite_or_zero(te + ae + be + l1 * p.s_lo));
  }
  // f'' = (2 n (3 x^2 - d^2) - 4 l1 x D) / D^3, in the scaled variables (times r^3), each
  // division separate (D^3 overflows beyond |x| ~ 1e51)
  template <class V> NONLIN_DEVICE static V derivative2(V x, V l1, V l2, V d) {
    const Parts<V> p(x, l1, l2, d);
    const V ds = d * p.r;
    const V k = fma(2 * p.n, fma(3 * p.xs, p.xs, -ds * ds), -4 * l1 * p.xs * p.D);
    return (p.r * (p.r * p.r)) * (((k / p.D) / p.D) / p.D);
  }
  // d/dl1 = x / D, d/dl2 = 1 / D, d/dd = -2 d f / D = -2 d n / D^2
  template <class V> NONLIN_DEVICE static std::array<V, 3> param_grad_of(const Parts<V>& p, V, V, V, V d) {
    V m, me;
    two_prod(-2 * d, p.n, m, me);
    return {p.r * divided(p.xs, V(0), p.D, p.D_lo), (p.r * p.r) * divided(V(1), V(0), p.D, p.D_lo),
            (p.r * (p.r * p.r)) * over_D2(p, m, finite_or_zero(me + (-2 * d) * p.n_lo))};
  }
};

// Cauchy's float32 gradients: the plain quotients in float64 arithmetic (x^2 + d^2 and its
// square stay far inside float64's range for every float32 x; 0 at +-inf). The forward is
// Cauchy's own (float_forward_native).
struct CauchyFloat32 : Cauchy {
  template <class V>
  struct Parts {
    V D, n;  // x^2 + d^2, l1 x + l2
    Mask<typename V::Packet> inf;
    NONLIN_HD Parts(V x, V l1, V l2, V d) : D(fma(x, x, d * d)), n(fma(l1, x, l2)), inf(is_inf(x)) {}
  };
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V l1, V l2, V d) { return Parts<V>(x, l1, l2, d); }
  template <class V> NONLIN_DEVICE static V derivative_of(const Parts<V>& p, V x, V l1, V l2, V d) {
    const V r = 1 / p.D;
    return select(p.inf, V(0), fma(l1, (d - x) * (d + x), -2 * l2 * x) * (r * r));
  }
  template <class V> NONLIN_DEVICE static std::array<V, 3> param_grad_of(const Parts<V>& p, V x, V, V, V d) {
    const V r = 1 / p.D;
    return {select(p.inf, V(0), x * r), r, select(p.inf, V(0), ((-2 * d) * p.n) * (r * r))};
  }
};

struct ElephantFloat32;

// Elephant activation (Lan & Mahmood 2023, arXiv:2310.01365): h / (1 + |x/a|^d). With
// y = d (log|x| - log|a|) (logs and product as hi + lo pairs) and e = e^-|y|:
//   f = h (y > 0 ? e/(1+e) : 1/(1+e)),  g = u/(1+u)^2 = e/(1+e)^2,
// and g/|x|, g/|a| as single scaled exponentials e^(-|y| - log|x|) / (1+e)^2, so the far tails
// (f ~ h |a/x|^d, subnormal derivatives near 0 and at large |x|) keep their relative accuracy.
struct Elephant {
  static constexpr std::array<Param, 3> params{
      {{"a", 1.0, true, "width (sigma in the authors' code), != 0", Constraint::nonzero},
       {"d", 4.0, false, "steepness (power), > 0", Constraint::positive},
       {"h", 1.0, true, "height"}}};
  static constexpr Meta meta{
      "elephant", "h / (1 + |x / a|^d)", "-h d u / (x (1 + u)^2), u = |x / a|^d (0 at x = 0)",
      "Lan & Mahmood 2023, Elephant Neural Networks: Born to Be a Continual Learner, "
      "arXiv:2310.01365; code qlan3/Elephant (learns a and h per feature, d fixed; "
      "its Elephant class defaults to d = 2, its MLPs to d = 4)",
      {true, false, true, false, false, "(0, h]"}, params.data(), 3, 3.0};
  static constexpr bool float_via_double = true;
  using float32_formula = ElephantFloat32;
  // y = d (log|x| - log|a|) and e = e^-|y| as hi + lo pairs, 1 + e = dh + dl exactly, and
  // frac = 1/(1+u): e/(1+e) or 1/(1+e) from one division with its residual corrected.
  template <class V>
  struct Fraction {
    V xh, xl, ah, al, m, m_lo, dh, dl, frac;
    NONLIN_HD Fraction(V x, V a, V d) {
      V s, se, y, yl;
      vm::log_hi_lo(abs(x), xh, xl);
      vm::log_hi_lo(abs(a), ah, al);
      two_sum(xh, -ah, s, se);
      product_hi_lo(d, s, y, yl);
      yl = finite_or_zero(fma(d, se + (xl - al), yl));
      m = -abs(y);
      m_lo = select(y > 0, -yl, yl);
      const V mc = vmax(m, V(-700));
      V eh, el;
      vm::exp_hi_lo(mc, select(mc == m, m_lo, V(0)), eh, el);
      if (any(m < V(-700))) {  // e below ~1e-304: rounded once, possibly subnormal
        const V e0 = vm::exp(m);
        eh = select(m < V(-700), fma(e0, m_lo, e0), eh);
        el = select(m < V(-700), V(0), el);
      }
      dh = 1 + eh;
      dl = ((1 - dh) + eh) + el;
      const V r0 = 1 / dh;
      const V num = select(y > 0, eh, V(1)), num_lo = select(y > 0, el, V(0));
      const V q0 = num * r0;
      frac = select(x == x, fma(fms_exact(q0, dh, num) + (num_lo - q0 * dl), r0, q0), x);
    }
  };
  // h d g/|x| and h d g/|a| = h d e^(m - log|l|) / (1 + e)^2, with (1 + e)^2 = Dh + Dl; the
  // factor h d / (1 + e)^2 multiplies the scaled exponential, so a subnormal result rounds once.
  template <class V>
  struct Parts {
    V frac, g_x, g_a;  // 1/(1+u), h d g/|x|, h d g/|a|
    Parts() = default;
    NONLIN_HD Parts(V x, V a, V d, V h) {
      const Fraction<V> f(x, a, d);
      frac = f.frac;
      V Dh, Dl;
      two_prod(f.dh, f.dh, Dh, Dl);
      Dl = fma(2 * f.dh, f.dl, Dl);
      const V k = ((h * d) / Dh) * (1 - Dl / Dh);
      g_x = select(x == 0, V(0), over_log(k, f.m, f.m_lo, f.xh, f.xl));
      g_a = over_log(k, f.m, f.m_lo, f.ah, f.al);
    }
    // k e^(m + m_lo - (l + l_lo)), one scaled exponential (subnormal results rounded once)
    NONLIN_HD static V over_log(V k, V m, V m_lo, V l, V l_lo) {
      V t, t_lo;
      two_sum(m, -l, t, t_lo);
      t_lo = finite_or_zero(t_lo + (m_lo - l_lo));
      const V q = mul_exp(k, t);
      return fma(q, t_lo, q);
    }
  };
  // d = 2 or 4 (the authors' values) and |x/a| in [2^-100, 2^100] (u, 1/(1+u)^2 and the low
  // parts far from the subnormals): u = |x/a|^d from exact products, t = |x/a| a pair by the
  // division's residual, then 1/(1+u) and g = u/(1+u)^2 as pairs: no logarithm or exponential
  // (~6x faster). `ok`: the lanes it serves; the others take Fraction / Parts above.
  template <class V>
  struct Power {
    V frac, frac_lo, g, g_lo;
    Mask<typename V::Packet> ok;
    NONLIN_HD Power(V x, V a, V d) {
      const V q = x / a, q_lo = fms_exact(q, a, x) / a;  // x/a = q + q_lo
      V s, s_lo, v, v_lo;
      two_prod(q, q, s, s_lo);
      s_lo = fma(2 * q, q_lo, s_lo);  // t^2
      two_prod(s, s, v, v_lo);
      v_lo = fma(2 * s, s_lo, v_lo);  // t^4
      const auto four = d == V(4.0);
      const V u = select(four, v, s), u_lo = select(four, v_lo, s_lo);
      V dh, dl;
      two_sum(V(1), u, dh, dl);
      divide_pair(V(1), V(0), dh, dl + u_lo, frac, frac_lo);
      V f2, f2_lo;
      two_prod(frac, frac, f2, f2_lo);
      f2_lo = fma(2 * frac, frac_lo, f2_lo);
      two_prod(u, f2, g, g_lo);
      g_lo = fma(u, f2_lo, fma(u_lo, f2, g_lo));
      const V t = abs(q);
      ok = (four | (d == V(2.0))) & (t >= V(0x1p-100)) & (t <= V(0x1p100));
    }
    // k g / l for the exact product k = h d (d = 2, 4) and l > 0, rounded once
    NONLIN_HD V over(V k, V l) const {
      V n, n_lo;
      two_prod(k, g, n, n_lo);
      return divided(n, fma(k, g_lo, n_lo), l, V(0));
    }
  };
  template <class V> NONLIN_DEVICE static V forward(V x, V a, V d, V h) {
    const Power<V> p(x, a, d);
    return fast_except(~p.ok, fma(h, p.frac, h * p.frac_lo), [&] { return h * Fraction<V>(x, a, d).frac; });
  }
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V a, V d, V h) {
    const Power<V> p(x, a, d);
    const V k = h * d;
    Parts<V> r;
    r.frac = p.frac + p.frac_lo;
    r.g_x = p.over(k, abs(x));
    r.g_a = p.over(k, abs(a));
    if (!any(~p.ok)) return r;
    const Parts<V> general(x, a, d, h);
    r.frac = select(p.ok, r.frac, general.frac);
    r.g_x = select(p.ok, r.g_x, general.g_x);
    r.g_a = select(p.ok, r.g_a, general.g_a);
    return r;
  }
  template <class Q, class V> NONLIN_DEVICE static V derivative_of(const Q& p, V x, V, V, V) {
    return copysign(p.g_x, -x);
  }
  // f'' = h d u ((d + 1) u - (d - 1)) / (x^2 (1 + u)^3). With e = e^-|y| (u = e for y <= 0,
  // 1/e beyond): h d e^(-|y| - 2 log|x|) k / (1 + e)^3, k = (d + 1) e - (d - 1) or
  // (d + 1) - (d - 1) e (one exponential, no x^2 to overflow). At x = 0: 0 for d > 2,
  // -2 h / a^2 for d = 2, -h inf for d < 2.
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a, V d, V h) {
    const V lx = vm::log(abs(x)), y = d * (lx - vm::log(abs(a))), e = vm::exp(-abs(y));
    const V k = select(y > V(0), fma(-(d - 1), e, d + 1), fma(d + 1, e, -(d - 1)));
    const V r = 1 / (1 + e);
    const V v = (h * d) * (vm::exp(-abs(y) - 2 * lx) * k) * (r * (r * r));
    const V at0 = select(d > V(2), V(0), select(d == V(2), (-2 * h) / (a * a), copysign(V(INFINITY), -h)));
    return select(x == V(0), at0, select(is_inf(x), V(0), v));
  }
  // d/da = h d g / a, d/dh = 1 / (1 + u)
  template <class Q, class V> NONLIN_DEVICE static std::array<V, 2> param_grad_of(const Q& p, V, V a, V, V) {
    return {copysign(p.g_a, a), p.frac};
  }
};

// The elephant for float32 results: the same quotients in plain float64 arithmetic, from
// u = |x/a|^d (products for d = 2, 4; else one log and one exponential: y = d log|x/a|, |y| <
// ~104 d where a float32 result is not 0, and PlainLogistic(-y)); g/|x| needs no scaled
// exponential (float32 |x| >= 1e-45).
struct ElephantFloat32 : Elephant {
  // 1/(1+u) = sigma(-y) and g = u/(1+u)^2 = sigma(y) sigma(-y). For d = 2 and 4 (the
  // authors' values) u = |x/a|^d by products (relative error ~2^-51, no log: 1/2 the time).
  template <class V>
  struct Fraction {
    V frac, ss;
    NONLIN_HD Fraction(V x, V a, V d) {
      const V t = abs(x / a);
      if (!any(~((d == V(2.0)) | (d == V(4.0))))) {
        const V t2 = t * t, u = select(d == V(4.0), t2 * t2, t2);
        frac = 1 / (1 + u);
        ss = times_or_zero(frac, u * frac);  // 0 at u = inf
      } else {
        const PlainLogistic<V> L(-(d * vm::log(t)));
        frac = L.s;
        ss = L.ss;
      }
      frac = select(x == x, frac, x);
    }
  };
  template <class V>
  struct Parts {
    V frac, g_x, g_a;  // 1/(1+u), h d g/|x|, h d g/|a|
    NONLIN_HD Parts(V x, V a, V d, V h) {
      const Fraction<V> f(x, a, d);
      frac = f.frac;
      const V k = (h * d) * f.ss;
      g_x = select((x == V(0)) | is_inf(x), V(0), k / abs(x));
      g_a = k / abs(a);
    }
  };
  template <class V> NONLIN_DEVICE static V forward(V x, V a, V d, V h) { return h * Fraction<V>(x, a, d).frac; }
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V a, V d, V h) { return Parts<V>(x, a, d, h); }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
