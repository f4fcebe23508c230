// Self-gated activations from the literature, x * gate(x) with learnable gate parameters:
// GoLU, APTx, xSiLU / xGELU (expanded gating ranges), tempered sigmoid, APA and AGLU.
// float32: xSiLU, xGELU, the tempered sigmoid and APTx's gradients run their formulas in
// float32 arithmetic (within the targets, 16 lanes); GoLU, APA, AGLU and APTx's forward run
// float64 formulas (float_via_double, float32_formula): their doubly exponential gates or
// cancelling sums would need hi + lo pairs that cost more than float64's plain formulas.
#pragma once

#include "nonlin/activations/common.h"
#include "nonlin/activations/gelu.h"
#include "nonlin/activations/self_gated.h"

namespace nonlin {
inline namespace NONLIN_ISA {

struct GoluFloat32;
struct AptxFloat32;
struct ApaFloat32;
struct AgluFloat32;

// GoLU (Das et al. 2025, arXiv:2502.03654): f = alpha x e^(-beta e^(-gamma x)), a Gompertz gate.
// The gate is doubly exponential: e^(-w) with w = beta e^(-z), z = gamma x, loses w times the
// relative error of w, so z and w are carried as hi + lo pairs.
struct Golu {
  static constexpr std::array<Param, 3> params{
      {{"alpha", 1.0, true, "output scale"},
       {"beta", 1.0, true, "displacement of the gate along x"},
       {"gamma", 1.0, true, "growth rate of the gate"}}};
  static constexpr Meta meta{
      "golu", "alpha x exp(-beta exp(-gamma x))",
      "alpha G (1 + beta gamma x e^(-gamma x)), G = exp(-beta exp(-gamma x))",
      "Das, Bhalgat et al. 2025, Gompertz Linear Units, arXiv:2502.03654; code automl/GoLU "
      "(alpha = beta = gamma = 1 there, fixed)",
      {true, false, false, false, true, "[-0.2, inf) at the defaults"}, params.data(), 3, 2.0};
  static constexpr bool float_via_double = true;
  using float32_formula = GoluFloat32;
  // w + w_lo = beta e^-(z + z_lo), z + z_lo = gamma x, both as hi + lo pairs.
  template <class V>
  struct Exponent {
    V z, z_lo, w, w_lo;
    NONLIN_HD Exponent(V x, V b, V g) {
      V u, u_lo;
      product_hi_lo(g, x, z, z_lo);
      const V zc = vmin(vmax(z, V(-700)), V(700));
      vm::exp_hi_lo(-zc, select(zc == z, -z_lo, V(0)), u, u_lo);
      product_hi_lo(b, u, w, w_lo);
      w_lo = finite_or_zero(fma(b, u_lo, w_lo));
    }
  };
  // G = e^-w, xG = x e^-w and xuG = x e^-(z + w) from scaled exponentials of hi + lo
  // arguments, so the products keep their accuracy where they are subnormal (z and the doubly
  // exponential w both large).
  template <class V>
  struct Parts {
    V G, xG, xuG, s, s_lo;  // s + s_lo = -(z + w)
    NONLIN_HD Parts(V x, V b, V g) {
      const Exponent<V> e(x, b, g);
      const V G0 = vm::exp(-e.w);
      G = fma(-G0, e.w_lo, G0);  // e^(-w - w_lo)
      xG = corrected_by(mul_exp(x, -e.w), -e.w_lo);
      two_sum(-e.z, -e.w, s, s_lo);
      s_lo = finite_or_zero(s_lo - e.z_lo - e.w_lo);
      xuG = select(G == 0, V(0), corrected_by(mul_exp(x, s), s_lo));
    }
  };
  // (alpha x) e^-w with alpha x as a hi + lo pair: one correction for both low parts
  template <class V> NONLIN_DEVICE static V forward(V x, V a, V b, V g) {
    const Exponent<V> e(x, b, g);
    V ax, ax_lo;
    product_hi_lo(a, x, ax, ax_lo);
    return corrected_by(mul_exp(ax, -e.w), finite_or_zero(ax_lo / ax) - e.w_lo);
  }
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V, V b, V g) { return Parts<V>(x, b, g); }
  // alpha (G + beta gamma x u G)
  template <class Q, class V> NONLIN_DEVICE static V derivative_of(const Q& p, V, V a, V b, V g) {
    return a * fma(b * g, p.xuG, p.G);
  }
  // f'' = alpha gamma w G (2 + gamma x (w - 1)), w G = beta e^-(z + w) (0 where G underflows)
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a, V b, V g) {
    const Exponent<V> e(x, b, g);
    const V wG = select(vm::exp(-e.w) == V(0), V(0), b * vm::exp(-(e.z + e.w)));
    return times_or_zero((a * g) * wG, fma(g * x, e.w - 1, V(2)));
  }
  // d/dalpha = x G, d/dbeta = -alpha x u G, d/dgamma = alpha beta x (x u G); where x u G is
  // subnormal or 0 (x beyond ~700 / gamma) it lacks the bits that x^2 u G needs: x^2 e^-(z + w) there.
  template <class V> NONLIN_DEVICE static std::array<V, 3> param_grad_of(const Parts<V>& p, V x, V a, V b, V) {
    V xxuG = times_or_zero(p.xuG, x);
    const auto sub = (abs(p.xuG) < V(std::numeric_limits<typename V::Scalar>::min())) &
                     (abs(x) > V(1)) & (p.G > V(0));
    if (any(sub)) {
      V q, q_lo;
      product_hi_lo(x, x, q, q_lo);
      xxuG = select(sub, corrected_by(mul_exp(q, p.s), p.s_lo + q_lo / q), xxuG);
    }
    return {p.xG, -a * p.xuG, (a * b) * xxuG};
  }
};

// GoLU for float32 results: the plain formula in float64 arithmetic. w = beta e^(-gamma x)
// carries a relative error ~2^-52, which costs G = e^-w a relative w 2^-52 << 2^-24 wherever
// a float32 result is not 0 (w < ~100); x^2 u G cannot underflow in float64 there.
struct GoluFloat32 : Golu {
  template <class V>
  struct Parts {
    V G, xG, xuG;
    NONLIN_HD Parts(V x, V b, V g) {
      const V u = vm::exp(-vmax(g * x, V(-700)));  // beyond, G = 0
      G = vm::exp(-b * u);
      xG = times_or_zero(G, x);
      xuG = select(G == V(0), V(0), times_or_zero(u, x) * G);
    }
  };
  template <class V> NONLIN_DEVICE static V forward(V x, V a, V b, V g) {
    return a * times_or_zero(vm::exp(-b * vm::exp(-vmax(g * x, V(-700)))), x);
  }
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V, V b, V g) { return Parts<V>(x, b, g); }
  template <class V> NONLIN_DEVICE static std::array<V, 3> param_grad_of(const Parts<V>& p, V x, V a, V b, V) {
    return {p.xG, -a * p.xuG, (a * b) * times_or_zero(p.xuG, x)};
  }
};

// APTx (Kumar 2022, arXiv:2209.06119): f = (alpha + tanh(beta x)) gamma x; at the defaults
// x (1 + tanh x) / 2 = x sigmoid(2x). alpha + tanh(z) = (alpha - 1) + 2 sigmoid(2z) keeps the
// left tail (1 + tanh z -> 0) accurate; 1 - tanh^2 = 4 sigmoid(2z) sigmoid(-2z).
struct Aptx {
  static constexpr std::array<Param, 3> params{
      {{"alpha", 1.0, true, "offset of the tanh gate"},
       {"beta", 1.0, true, "slope of the tanh gate"},
       {"gamma", 0.5, true, "output scale"}}};
  static constexpr Meta meta{
      "aptx", "(alpha + tanh(beta x)) gamma x",
      "gamma (alpha + t) + gamma beta x (1 - t^2), t = tanh(beta x)",
      "Kumar 2022, APTx: better activation function than MISH, SWISH, and ReLU's variants, "
      "arXiv:2209.06119; code mr-ravin/aptx_activation",
      {true, false, false, false, true, "[-0.14, inf) at the defaults"}, params.data(), 3, 1.5};
  // float32: gradients in float32 arithmetic (gamma x overflows beyond 1e30); the forward in
  // float64 (in float32, (alpha - 1) x + 2 x s rounds thrice where alpha < 1 cancels: 2.3 ULP)
  static constexpr float float_native_below = 1e30f;
  static constexpr bool float_forward_via_double = true;
  using float32_formula = AptxFloat32;
  // With Z = 2 beta x (hi + lo) and s = sigmoid(Z): alpha + tanh = (alpha - 1) + 2 s, and the
  // tails (x s, x^2 s sigma(-Z)) rounded once by Logistic, also where they are subnormal.
  template <class V>
  struct Parts {
    V Z, Z_lo;
    Logistic<V> L;
    NONLIN_HD Parts(V x, V b) {
      scaled_argument(2 * b, x, Z, Z_lo);
      L = Logistic<V>(Z);
    }
  };
  // gamma (alpha - 1) x + 2 gamma x s; at +-inf gamma (alpha +- 1) x
  template <class V> NONLIN_DEVICE static V forward(V x, V a, V b, V g) {
    const Parts<V> p(x, b);
    return g * tail(x, a - 1, 2 * p.L.times_sigma(x, p.Z_lo));
  }
  // (alpha - 1) x + y, or its limit (alpha +- 1) x where x is infinite
  template <class V> NONLIN_DEVICE static V tail(V x, V am1, V y) {
    const V lim = times_or_zero(select(x > 0, am1 + 2, am1), x);
    return select(is_inf(x), lim, times_or_zero(am1, x) + y);
  }
  // gamma (alpha - 1) + 2 gamma s (1 + 2 beta x sigma(-Z)); 0 for the tail where Z overflows
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V, V b, V) { return Parts<V>(x, b); }
  template <class V> NONLIN_DEVICE static V derivative_of(const Parts<V>& p, V, V a, V, V g) {
    const V t = p.L.corrected(p.L.sigma_times_one_plus(p.Z), p.Z_lo);
    return fma(2 * g, select(is_inf(p.Z),
                             select(p.Z > 0, V(1), V(0)), t), g * (a - 1));
  }
  // d/dalpha = gamma x, d/dbeta = 4 gamma x^2 s sigma(-Z), d/dgamma = x (alpha - 1) + 2 x s
  template <class V> NONLIN_DEVICE static std::array<V, 3> param_grad_of(const Parts<V>& p, V x, V a, V, V g) {
    return {g * x, p.L.sigma_sigma_neg_times(4 * g * (x * x), p.Z_lo),
            tail(x, a - 1, 2 * p.L.times_sigma(x, p.Z_lo))};
  }
};

// APTx's forward for float32 results in float64 arithmetic: s = sigmoid(2 beta x) plainly
// (PlainLogistic; 2 beta x exact there); its gradients are Aptx's, in float32 arithmetic.
struct AptxFloat32 : Aptx {
  template <class V> NONLIN_DEVICE static V forward(V x, V a, V b, V g) {
    return g * tail(x, a - 1, 2 * times_or_zero(PlainLogistic<V>((2 * b) * x).s, x));
  }
};

// Expanded gating ranges (Huang 2024, arXiv:2405.20768): x ((1 + 2 alpha) gate(x) - alpha) for
// a gate with range (0, 1) stretched to (-alpha, 1 + alpha); alpha = 0 is the plain unit.
// (1 + 2a) y - a x for y = x gate(x), with the limits at +-inf: (1 + a) x and -a x.
template <class V>
NONLIN_HD inline V expanded(V x, V a, V y) {
  const V lim = times_or_zero(select(x > 0, 1 + a, -a), x);
  return select(is_inf(x), lim,
                fma(1 + 2 * a, y, -times_or_zero(a, x)));
}

// xSiLU: gate = sigmoid.  f = (1 + 2a) silu(x) - a x.
struct Xsilu {
  static constexpr std::array<Param, 1> params{{{"alpha", 0.0, true, "expansion of the gate range"}}};
  static constexpr Meta meta{
      "xsilu", "x ((1 + 2 alpha) sigmoid(x) - alpha)",
      "(1 + 2 alpha) s (1 + x (1 - s)) - alpha, s = sigmoid(x)",
      "Huang 2024, Expanded Gating Ranges Improve Activation Functions, arXiv:2405.20768",
      {true, false, false, false, true, "(-inf, inf) for alpha > 0"}, params.data(), 1, 1.5};
  // silu(x) + a d with d = x tanh(x/2) = 2 silu(x) - x: (1 + 2a) silu(x) - a x without rounding
  // 1 + 2a; y's error enters d twice, a share of the terms (1 + 2a) y the scale counts.
  // x > 0: x - y is exact (y >= x/2, Sterbenz) and 2y is never formed (it overflows near the
  // top of the range).
  template <class V> NONLIN_DEVICE static V forward(V x, V a) {
    const V y = Silu::forward(x, V(1));
    const V d = select(x > 0, y - (x - y), fma(V(2), y, -x));
    const V lim = times_or_zero(select(x > 0, 1 + a, -a), x);
    return select(is_inf(x), lim, fma(a, d, y));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V a) {
    const Logistic<V> L(x);
    return fma(1 + 2 * a, L.sigma_times_one_plus(x), -a);
  }
  // (1 + 2a) s (1 - s) (2 + x (1 - 2 s))
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a) {
    const Logistic<V> L(x);
    return (1 + 2 * a) * L.sigma_sigma_neg_times(fma(x, L.sigma_neg() - L.sigma_pos(), V(2)));
  }
  // d/dalpha = x (2 sigmoid(x) - 1) = x tanh(x / 2)
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V) { return {x * vm::tanh(x * 0.5)}; }
};

// xGELU: gate = Phi.  f = (1 + 2a) gelu(x) - a x.
struct Xgelu {
  static constexpr std::array<Param, 1> params{{{"alpha", 0.0, true, "expansion of the gate range"}}};
  static constexpr Meta meta{
      "xgelu", "x ((1 + 2 alpha) Phi(x) - alpha)", "(1 + 2 alpha) (Phi(x) + x phi(x)) - alpha",
      "Huang 2024, Expanded Gating Ranges Improve Activation Functions, arXiv:2405.20768",
      {true, false, false, false, true, "(-inf, inf) for alpha > 0"}, params.data(), 1, 1.5};
  template <class V> NONLIN_DEVICE static V forward(V x, V a) { return expanded(x, a, Gelu::forward(x)); }
  template <class V> NONLIN_DEVICE static V derivative(V x, V a) { return fma(1 + 2 * a, Gelu::derivative(x), -a); }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a) { return (1 + 2 * a) * Gelu::derivative2(x); }
  // d/dalpha = x (2 Phi(x) - 1) = x erf(x / sqrt 2); x / sqrt 2 as hi + lo, erf' z_lo added
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V) {
    using S = typename V::Scalar;
    constexpr bool f = sizeof(S) == 4;  // 1/sqrt 2 = hi + lo in the dtype
    V z, z_lo;
    product_hi_lo(x, V(f ? S(0.70710677f) : S(0.7071067811865476)), z, z_lo);
    z_lo = fma(x, V(f ? S(1.2101617e-08f) : S(-4.833646656726457e-17)), z_lo);
    const V e = vm::erf(z);
    return {x * (e + finite_or_zero((V(1.1283791670955126) * vm::exp_mx2(z)) * z_lo))};
  }
};

// Tempered sigmoid (Papernot et al. 2021, arXiv:2007.14191): s sigmoid(T x) - o; (2, 2, 1) is
// tanh. Evaluated as (s/2 - o) + (s/2) tanh(T x / 2): exact at the tanh point and no
// cancellation near x = 0 there.
struct TemperedSigmoid {
  static constexpr std::array<Param, 3> params{
      {{"scale", 2.0, true, "s: output scale"},
       {"temperature", 2.0, true, "T: inverse width"},
       {"offset", 1.0, true, "o: output offset"}}};
  static constexpr Meta meta{
      "tempered_sigmoid", "scale sigmoid(temperature x) - offset",
      "scale temperature sigmoid(T x) sigmoid(-T x)",
      "Papernot, Thakurta, Song, Chien, Erlingsson 2021, Tempered Sigmoid Activations for Deep "
      "Learning with Differential Privacy, arXiv:2007.14191 (AAAI 2021)",
      {true, true, true, true, false, "(-offset, scale - offset)"}, params.data(), 3, 1.0};
  // tanh(h + h_lo) for h = T x / 2 = h + h_lo exactly
  template <class V> NONLIN_DEVICE static V half_tanh(V x, V t) {
    V h, h_lo;
    product_hi_lo(t * 0.5, x, h, h_lo);
    const V th = vm::tanh(h);
    return fma(fma(-th, th, V(1)), h_lo, th);
  }
  template <class V> NONLIN_DEVICE static V forward(V x, V s, V t, V o) {
    const V half = s * 0.5;
    return fma(half, half_tanh(x, t), half - o);
  }
  // sigma(T x) with T x = z + z_lo, shared by the derivative and the parameter gradients
  template <class V>
  struct Parts {
    V z, z_lo;
    Logistic<V> L;
  };
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V, V t, V) {
    Parts<V> p;
    product_hi_lo(t, x, p.z, p.z_lo);
    p.L = Logistic<V>(p.z);
    return p;
  }
  // k sigma(T x) sigma(-T x) for k = a b, the product's rounding folded into the one correction
  template <class V> NONLIN_DEVICE static V sigma_sigma_neg_times(const Parts<V>& p, V a, V b) {
    V k, k_lo;
    product_hi_lo(a, b, k, k_lo);
    return p.L.sigma_sigma_neg_times(k, p.z_lo, k_lo);
  }
  template <class V> NONLIN_DEVICE static V derivative_of(const Parts<V>& p, V, V s, V t, V) {
    return sigma_sigma_neg_times(p, s, t);
  }
  // d/ds = sigma(T x), d/dT = s x sigma sigma(-), d/do = -1
  template <class V> NONLIN_DEVICE static std::array<V, 3> param_grad_of(const Parts<V>& p, V x, V s, V, V) {
    return {p.L.corrected(p.L.sigma_pos(), p.z_lo), sigma_sigma_neg_times(p, s, x), V(-1)};
  }
  // s T^2 sigma sigma(-) (sigma(-) - sigma)
  template <class V> NONLIN_DEVICE static V derivative2(V x, V s, V t, V) {
    V z, z_lo;
    product_hi_lo(t, x, z, z_lo);
    const Logistic<V> L(z);
    return L.sigma_sigma_neg_times((s * t) * t, z_lo) * (L.sigma_neg() - L.sigma_pos());
  }
};

// Adaptive Parametric Activation (Alexandridis et al. 2024, arXiv:2407.08567):
//   APA(z) = (lambda e^(-kappa z) + 1)^(-1/lambda),  AGLU(z) = z APA(z),
// lambda -> 0 the Gompertz gate exp(-e^(-kappa z)), lambda = 1 sigmoid(kappa z). With
// w = e^(-kappa z) and t = lambda w:  ln APA = -q, q = log1p(t)/lambda = w L(t),
// L(t) = log1p(t)/t (L(0) = 1), continuous in lambda down to 0.
// Gradients: with s = APA / (lambda + e^(kappa z)) = APA w / (1 + t),
//   d/dz APA = kappa s,  d/dkappa APA = z s,
//   d/dlambda APA = APA w^2 M(t),  M(t) = (log1p(t) - t/(1+t)) / t^2  (M(0) = 1/2; a series of
//   positive terms for t <= 1, where the two terms cancel; beyond, (log1p(t) - t/(1+t)) / lambda^2).
// APA = e^-q loses |q| times the relative error of q (|q| up to ~745), so q is a hi + lo pair:
// w and t from exp_hi_lo, then for t < 1/32 the series w (1 - t c(t)) with c = 1/2 - t d(t)
// carried in pairs, else log1p(t) as the log of the pair 1 + t (log_hi_lo, ~2^-70 absolute)
// divided by lambda; where w overflows (kappa z < -700) log1p(t) = log(lambda) - kappa z (+ 1/t
// below 2^-57 relative). Where w underflows (kappa z > 700) z s and z^2 s are scaled
// exponentials, and so are the w^2 of d/dlambda beyond kappa z = 350.
// ln APA = -(q + q_lo) and what the gradients share; APA v = E.times(v (1 - q_lo)), one
// scaled exponential, so products with APA round once where they are subnormal.
template <class V>
struct ApaGate {
  V y, y_lo, w, w_lo, t, t_lo, q, q_lo, g, g_lo;  // kappa z, e^-y, lambda w, q, log1p(t) (t >= 1/32)
  Mask<typename V::Packet> small, big;      // w below e^-700, w or t beyond the range
  ScaledExp<V> E;
  NONLIN_HD ApaGate(V z, V k, V l)
      : q(std::numeric_limits<double>::infinity()), q_lo(0.0), g(0.0), g_lo(0.0) {
    product_hi_lo(k, z, y, y_lo);
    const V yc = vmin(vmax(y, V(-700)), V(700));
    vm::exp_hi_lo(-yc, select(yc == y, -y_lo, V(0)), w, w_lo);
    small = y > V(700);  // w rounded once (subnormal or 0), APA = 1
    if (any(small)) {
      w = select(small, vm::exp(-y), w);
      w_lo = select(small, V(0), w_lo);
    }
    product_hi_lo(l, w, t, t_lo);
    t_lo = finite_or_zero(fma(l, w_lo, t_lo));
    big = (y < V(-700)) | (t > V(1e300));
    const auto series = t < V(0.03125);
    if (any(series)) {  // q = w (1 - t c), c = 1/2 - t d, d = sum_j (-t)^j / (j + 3)
      V d(0.0);
      for (int j = 11; j >= 0; --j) d = fma(d, -t, V(1.0 / (j + 3)));
      V c, c_lo, tc, tc_lo, L, L_lo, qs, qs_lo;
      two_sum(V(0.5), -(t * d), c, c_lo);
      two_prod(t, c, tc, tc_lo);
      tc_lo = tc_lo + fma(t, c_lo, t_lo * c);
      two_sum(V(1), -tc, L, L_lo);
      two_prod(w, L, qs, qs_lo);
      qs_lo = finite_or_zero(qs_lo + fma(w, L_lo - tc_lo, w_lo * L));
      q = select(series, qs, q);
      q_lo = select(series, qs_lo, q_lo);
    }
    const auto mid = ~series & ~big;
    if (any(mid)) {  // q = log(1 + t) / lambda
      V o, o_lo, ql, ql_lo;
      two_sum(V(1), t, o, o_lo);
      vm::log_hi_lo(select(mid, o, V(1)), select(mid, o_lo + t_lo, V(0)), g, g_lo);
      divide_pair(g, g_lo, l, ql, ql_lo);
      q = select(mid, ql, q);
      q_lo = select(mid, ql_lo, q_lo);
    }
    if (any(big)) {  // log1p(t) = log(lambda) - kappa z
      V lg, lg_lo, a, a_lo, qb, qb_lo;
      vm::log_hi_lo(select(l > V(0), l, V(1)), V(0), lg, lg_lo);
      two_sum(lg, -y, a, a_lo);
      a_lo = finite_or_zero(a_lo + (lg_lo - y_lo));
      divide_pair(a, a_lo, l, qb, qb_lo);
      // a <= 40 with w > e^700 means lambda < e^-660: then q ~ w, APA = 0
      const auto ok = big & (l > V(0)) & (a > V(40));
      q = select(big, select(ok, qb, V(std::numeric_limits<double>::infinity())), q);
      q_lo = select(big, select(ok, qb_lo, V(0)), q_lo);
      g = select(big, a, g);
      g_lo = select(big, a_lo, g_lo);
    }
    E = exp_scaled(-q);
  }
  NONLIN_HD V times(V v) const { return E.times(corrected_by(v, -q_lo)); }  // APA v
};

template <class V>
struct ApaParts {
  V p, s, zs, z2s, dl, zdl;  // APA, s, z s, z^2 s, d APA / d lambda, z d APA / d lambda
  NONLIN_HD ApaParts(V z, V k, V l) {
    const ApaGate<V> G(z, k, l);
    p = G.times(V(1));
    // w / (1 + t) from one corrected division; 1/lambda where w overflows
    V o, o_lo, r, r_lo;
    two_sum(V(1), G.t, o, o_lo);
    o_lo = o_lo + G.t_lo;
    divide_pair(G.w, G.w_lo, o, o_lo, r, r_lo);
    const V wt = select(G.big, 1 / l, r + r_lo);
    s = G.times(wt);
    zs = G.times(times_or_zero(wt, z));
    z2s = G.times(times_or_zero(times_or_zero(wt, z), z));
    if (any(G.small)) {  // s = e^-(y + y_lo) to working precision
      V zz, zz_lo;
      product_hi_lo(z, z, zz, zz_lo);
      zs = select(G.small, corrected_by(mul_exp(z, -G.y), -G.y_lo), zs);
      z2s = select(G.small, corrected_by(mul_exp(zz, -G.y), finite_or_zero(zz_lo / zz) - G.y_lo), z2s);
    }
    // M(t) = sum_k u^k / (k + 2) / (1 + t)^2 with u = t / (1 + t) (log1p(t) = -log(1 - u)):
    // positive terms, 19 of them reach 2^-57 for u <= 1/8 (t <= 1/7); beyond, the direct form
    // (log1p(t) - u) / t^2 cancels by at most a factor 16, and log1p(t) (~2^-70 absolute) and
    // u are carried as pairs there.
    V u, u_lo;
    divide_pair(G.t, G.t_lo, o, o_lo, u, u_lo);
    // t <= 1/7: w^2 M(t) = m (w / (1 + t))^2; beyond, (log1p(t) - t/(1+t)) / lambda^2 (or
    // log(lambda) - kappa z - 1 where w overflows)
    const auto near = (G.t <= V(1.0 / 7)) & ~G.big;
    V m(0.0);
    if (any(near))
      for (int j = 18; j >= 0; --j) m = fma(m, u, V(1.0 / double(j + 2)));
    const V far = ((G.g - select(G.big, V(1), u)) + (G.g_lo - select(G.big, V(0), u_lo))) / (l * l);
    const V w2m = select(near, m * fma(r, r, 2 * r * r_lo), far);
    dl = G.times(w2m);
    zdl = G.times(times_or_zero(w2m, z));
    const auto tiny = near & (G.y > V(350));  // w^2 = e^-2(y + y_lo) below ~1e-304, APA = 1
    if (any(tiny)) {
      const V mo = m / (o * o);
      dl = select(tiny, corrected_by(mul_exp(mo, -2 * G.y), -2 * G.y_lo), dl);
      zdl = select(tiny, corrected_by(mul_exp(mo * z, -2 * G.y), -2 * G.y_lo), zdl);
    }
  }
};

struct Apa {
  static constexpr std::array<Param, 2> params{
      {{"kappa", 1.0, true, "slope of the gate"},
       {"lambd", 1.0, true, "asymmetry (0: Gompertz gate, 1: sigmoid), >= 0", Constraint::nonnegative}}};
  static constexpr Meta meta{
      "apa", "(lambd e^(-kappa x) + 1)^(-1/lambd), lambd -> 0: exp(-e^(-kappa x))",
      "kappa APA(x) / (lambd + e^(kappa x))",
      "Alexandridis, Deng, Zafeiriou, Damoulas 2024, Adaptive Parametric Activation, "
      "arXiv:2407.08567 (ECCV 2024); code kostas1515/AGLU",
      {true, true, true, false, false, "(0, 1)"}, params.data(), 2, 3.0};
  static constexpr bool float_via_double = true;
  using float32_formula = ApaFloat32;
  template <class V> NONLIN_DEVICE static V forward(V x, V k, V l) { return ApaGate<V>(x, k, l).times(V(1)); }
  // APA'' = kappa^2 s (w - 1) / (1 + t)
  template <class V> NONLIN_DEVICE static V derivative2(V x, V k, V l) {
    V s, c;
    second_parts(x, k, l, s, c);
    return (k * k) * times_or_zero(s, c);
  }
  // s = APA w / (1 + t) and c = (w - 1) / (1 + t) (-> 1/lambda where w overflows), plain: the
  // second derivatives serve double backward
  template <class V> NONLIN_DEVICE static void second_parts(V x, V k, V l, V& s, V& c) {
    const ApaGate<V> G(x, k, l);
    s = G.times(select(G.big, 1 / l, G.w / (1 + G.t)));
    c = select(G.big, 1 / l, (G.w - 1) / (1 + G.t));
  }
  template <class V> NONLIN_DEVICE static ApaParts<V> parts(V x, V k, V l) { return ApaParts<V>(x, k, l); }
  template <class Q, class V> NONLIN_DEVICE static V derivative_of(const Q& q, V, V k, V) { return k * q.s; }
  template <class Q, class V> NONLIN_DEVICE static std::array<V, 2> param_grad_of(const Q& q, V, V, V) {
    return {q.zs, q.dl};
  }
};

struct Aglu {
  static constexpr std::array<Param, 2> params{
      {{"kappa", 1.0, true, "slope of the gate"},
       {"lambd", 1.0, true, "asymmetry (0: Gompertz gate, 1: SiLU), >= 0", Constraint::nonnegative}}};
  static constexpr Meta meta{
      "aglu", "x APA(x) = x (lambd e^(-kappa x) + 1)^(-1/lambd)",
      "APA(x) + kappa x APA(x) / (lambd + e^(kappa x))",
      "Alexandridis, Deng, Zafeiriou, Damoulas 2024, Adaptive Parametric Activation, "
      "arXiv:2407.08567 (ECCV 2024); code kostas1515/AGLU (its hand-written backward gets "
      "d/dlambda wrong; nonlin's is the exact derivative)",
      {true, false, false, false, true, "[-0.28, inf) at the defaults"}, params.data(), 2, 3.0};
  static constexpr bool float_via_double = true;
  using float32_formula = AgluFloat32;
  template <class V> NONLIN_DEVICE static V forward(V x, V k, V l) { return ApaGate<V>(x, k, l).times(x); }
  // AGLU'' = 2 kappa s + kappa^2 x s (w - 1) / (1 + t)
  template <class V> NONLIN_DEVICE static V derivative2(V x, V k, V l) {
    V s, c;
    Apa::second_parts(x, k, l, s, c);
    return times_or_zero(k * s, fma(k * x, c, V(2)));
  }
  template <class V> NONLIN_DEVICE static ApaParts<V> parts(V x, V k, V l) { return ApaParts<V>(x, k, l); }
  template <class Q, class V> NONLIN_DEVICE static V derivative_of(const Q& q, V, V k, V) {
    return fma(k, q.zs, q.p);
  }
  template <class Q, class V> NONLIN_DEVICE static std::array<V, 2> param_grad_of(const Q& q, V, V, V) {
    return {q.z2s, q.zdl};
  }
};

// APA / AGLU for float32 results: the same quantities in plain float64 arithmetic (ln APA to
// ~2^-50 relative, |ln APA| < ~104 where a float32 result is not 0; the cancellation of
// log1p(t) - t/(1+t) for t > 1/8 costs at most a factor 17), with log1p(t) shared and M(t)
// for t <= 1/8 from 13 terms of its alternating series sum (-1)^k (k+1)/(k+2) t^k.
template <class V>
struct ApaFloat32Gate {
  V y, w, t, lg, p;  // kappa z, e^-y, lambda w, log1p(t) (if asked), APA
  Mask<typename V::Packet> huge;  // y < -700: w beyond the range, the softplus form
  bool sigmoid;  // lambda = 1 in every lane, none huge: APA = sigmoid(y) = 1/(1 + w)
  NONLIN_HD ApaFloat32Gate(V z, V k, V l, bool need_log)
      : y(k * z), huge(y < V(-700)), sigmoid(!any(~(l == V(1)) | huge)) {
    w = vm::exp(-vmax(y, V(-700)));
    t = l * w;
    if (sigmoid) {
      p = 1 / (1 + w);
      if (need_log) lg = vm::log1p(t);
      return;
    }
    lg = vm::log1p(t);
    V lnp = -w * select(t == V(0), V(1), lg / t);
    if (any(huge)) {
      const V big = -vm::softplus(vm::log(l) - y) / l;
      lnp = select(huge, select(l == V(0), V(-std::numeric_limits<double>::infinity()), big), lnp);
    }
    p = vm::exp(lnp);
  }
};
template <class V>
struct ApaFloat32Parts {
  V p, s, zs, z2s, dl, zdl;  // as ApaParts
  NONLIN_HD ApaFloat32Parts(V z, V k, V l) {
    const ApaFloat32Gate<V> q(z, k, l, true);
    p = q.p;
    const V r = 1 / (1 + q.t), il2 = 1 / (l * l);  // the only divisions (and lg / t in q)
    V sw = q.w * r, dl_ = (q.lg - q.t * r) * il2;
    const auto series = q.t <= V(0.125);
    if (any(series)) {
      V m(0.0);
      for (int j = 12; j >= 0; --j) m = fma(m, -q.t, V(double(j + 1) / double(j + 2)));
      dl_ = select(series, (q.w * q.w) * m, dl_);
    }
    if (any(q.huge)) {
      sw = select(q.huge, 1 / l, sw);
      dl_ = select(q.huge, (vm::log(l) - q.y - 1) * il2, dl_);
    }
    s = select(p == V(0), V(0), p * sw);
    dl = select(p == V(0), V(0), p * dl_);
    zs = times_or_zero(s, z);
    z2s = times_or_zero(zs, z);
    zdl = times_or_zero(dl, z);
  }
};
// APA alone (the forward): at lambda = 1 no log1p and no second exponential
template <class V>
NONLIN_HD inline V apa_float32(V z, V k, V l) {
  return ApaFloat32Gate<V>(z, k, l, false).p;
}
// APA and s = APA w / (1 + t) alone (the derivatives), without the parts' lambda-gradient
// terms (log1p's cancellation series); s = p w p on the sigmoid path.
template <class V>
struct ApaFloat32Slope {
  V p, s;
  NONLIN_HD ApaFloat32Slope(V z, V k, V l) {
    const ApaFloat32Gate<V> q(z, k, l, false);
    p = q.p;
    s = q.sigmoid ? p * (q.w * p) : select(p == V(0), V(0), p * select(q.huge, 1 / l, q.w / (1 + q.t)));
  }
};
struct ApaFloat32 : Apa {
  template <class V> NONLIN_DEVICE static V forward(V x, V k, V l) { return apa_float32(x, k, l); }
  template <class V> NONLIN_DEVICE static ApaFloat32Parts<V> parts(V x, V k, V l) { return ApaFloat32Parts<V>(x, k, l); }
  template <class V> NONLIN_DEVICE static V derivative_alone(V x, V k, V l) {
    return k * ApaFloat32Slope<V>(x, k, l).s;
  }
};
struct AgluFloat32 : Aglu {
  template <class V> NONLIN_DEVICE static V forward(V x, V k, V l) {
    return times_or_zero(apa_float32(x, k, l), x);
  }
  template <class V> NONLIN_DEVICE static ApaFloat32Parts<V> parts(V x, V k, V l) { return ApaFloat32Parts<V>(x, k, l); }
  template <class V> NONLIN_DEVICE static V derivative_alone(V x, V k, V l) {
    const ApaFloat32Slope<V> q(x, k, l);
    return fma(k, times_or_zero(q.s, x), q.p);
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
