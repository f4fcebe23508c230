// Exponential-family activations (ELU, SELU, CELU, softplus, sigmoid, tanh and relatives),
// PyTorch definitions, evaluated in forms that do not cancel in either tail.
#pragma once

#include "nonlin/activations/common.h"
#include "nonlin/simd/log1p_unit.h"

namespace nonlin {
inline namespace NONLIN_ISA {

struct Elu {
  static constexpr std::array<Param, 1> params{{{"alpha", 1.0, true, "saturation value for x -> -inf"}}};
  static constexpr Meta meta{"elu", "x > 0 ? x : alpha (e^x - 1)", "x > 0 ? 1 : alpha e^x",
                             "Clevert et al. 2015, arXiv:1511.07289; PyTorch torch.nn.ELU",
                             {false, true, false, false, false, "(-alpha, inf)"}, params.data(), 1};
  template <class V> NONLIN_DEVICE static V forward(V x, V a) { return select(x > 0, x, a * vm::expm1(x)); }
  template <class V> NONLIN_DEVICE static V derivative(V x, V a) { return select(x > 0, V(1), mul_exp(a, x)); }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a) { return select(x > 0, V(0), mul_exp(a, x)); }
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V) {
    return {select(x > 0, V(0), vm::expm1(x))};
  }
};

struct Selu {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"selu", "scale (x > 0 ? x : alpha (e^x - 1)), alpha = 1.67326..., scale = 1.05070...",
                             "x > 0 ? scale : scale alpha e^x",
                             "Klambauer et al. 2017, arXiv:1706.02515; PyTorch torch.nn.SELU",
                             {false, true, false, false, false, "(-scale alpha, inf)"}, params.data(), 0};
  // scale and scale*alpha as hi + lo pairs of the exact (40-digit) values, so each product
  // rounds once: y * (hi + lo) = fma(y, hi, y * lo).
  template <class V> NONLIN_DEVICE static V times(V y, bool times_alpha) {
    using S = typename V::Scalar;
    constexpr bool f = sizeof(S) == 4;
    const S hi = times_alpha ? (f ? S(1.7580993f) : S(1.7580993408473768))
                             : (f ? S(1.050701f) : S(1.0507009873554805));
    const S lo = times_alpha ? (f ? S(2.3296717e-08f) : S(1.41535193800845e-17))
                             : (f ? S(-3.4792652e-08f) : S(3.9874847667154144e-17));
    return fma(y, V(hi), finite_or_zero(y * lo));
  }
  template <class V> NONLIN_DEVICE static V forward(V x) {
    return select(x > 0, times(x, false), times(vm::expm1(x), true));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    const ScaledExp<V> E = exp_scaled(x);
    return select(x > 0, times(V(1), false), times(E.value, true) * E.scale);
  }
  template <class V> NONLIN_DEVICE static V derivative2(V x) {
    const ScaledExp<V> E = exp_scaled(x);
    return select(x > 0, V(0), times(E.value, true) * E.scale);
  }
};

struct Celu {
  static constexpr std::array<Param, 1> params{{{"alpha", 1.0, true, "scale of the negative part, != 0", Constraint::nonzero}}};
  static constexpr Meta meta{"celu", "x > 0 ? x : alpha (e^(x/alpha) - 1)", "x > 0 ? 1 : e^(x/alpha)",
                             "Barron 2017, arXiv:1704.07483; PyTorch torch.nn.CELU",
                             {false, true, false, false, false, "(-alpha, inf)"}, params.data(), 1};
  template <class V> NONLIN_DEVICE static V forward(V x, V a) { return select(x > 0, x, a * vm::expm1(x / a)); }
  template <class V> NONLIN_DEVICE static V derivative(V x, V a) { return select(x > 0, V(1), vm::exp(x / a)); }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V a) {
    return select(x > 0, V(0), vm::exp(x / a) / a);
  }
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V a) {
    const V u = x / a;  // d/da [a (e^u - 1)] = e^u - 1 - u e^u
    return {select(x > 0, V(0), vm::expm1(u) - mul_exp(u, u))};
  }
};

// Softplus pieces for z = beta x = z_hi + z_lo. With e = e^-|z|, r = 1/(1+e) and
// L1 = log1p(e)/e (one polynomial, simd/log1p_unit.h), every branch is a multiple of e (or z
// plus one), so the left tail keeps its relative accuracy into the subnormals and beta's
// gradient has no cancellation.
template <class V>
struct SoftplusParts {
  V z, z_lo;
  Logistic<V> L;
  NONLIN_HD SoftplusParts(V x, V b) {
    scaled_argument(b, x, z, z_lo);
    L = Logistic<V>(z);
  }
  NONLIN_HD V L1() const { return vm::log1p_unit_over(L.e); }
};

struct Softplus {
  static constexpr std::array<Param, 2> params{
      {{"beta", 1.0, true, "sharpness, != 0", Constraint::nonzero},
       {"threshold", 20.0, false, "beta*x above which the function is linear"}}};
  static constexpr Meta meta{"softplus", "beta x > threshold ? x : log(1 + e^(beta x)) / beta",
                             "beta x > threshold ? 1 : sigmoid(beta x)",
                             "Dugas et al. 2001; PyTorch torch.nn.Softplus",
                             {true, true, false, false, false, "(0, inf)"}, params.data(), 2};
  // z >= 0: (z + log1p(e) + sigma z_lo) / b ;  z < 0: e (L1 + r z_lo) / b
  template <class V> NONLIN_DEVICE static V forward(V x, V b, V t) {
    const SoftplusParts<V> p(x, b);
    const V e = p.L.e, R = vm::log1p_unit_r(e);  // log1p(e) = e + e^2 R, L1 = 1 + e R
    V pos_tail = fma(e * e, R, e), neg_factor = fma(e, R, V(1));
    if (any(~(p.z_lo == V(0)))) {
      pos_tail = fma(p.L.r(), p.z_lo, pos_tail);
      neg_factor = fma(p.L.r(), p.z_lo, neg_factor);
    }
    V pos = p.z + pos_tail;
    if (any(~(b == V(1)))) {
      pos = pos / b;
      neg_factor = neg_factor / b;
    }
    return select(p.z > t, x, select(p.L.neg, p.L.E.times(neg_factor), pos));
  }
  // sigmoid(beta x); beta = 1 (z exact) takes sigmoid's own short path, per lane
  template <class V> NONLIN_DEVICE static V derivative(V x, V b, V t) {
    return fast_except(~(b == V(1)), select(x > t, V(1), Logistic<V>(x).sigma_pos_fast()),
                       [&] { return derivative_scaled(x, b, t); });
  }
  template <class V> [[gnu::noinline]] NONLIN_DEVICE static V derivative_scaled(V x, V b, V t) {
    const SoftplusParts<V> p(x, b);
    return select(p.z > t, V(1), p.L.corrected(p.L.sigma_pos_fast(), p.z_lo));
  }
  // beta sigma(z) sigma(-z), with d ln(sigma sigma(-z))/dz = sigma(-z) - sigma(z) for z_lo
  template <class V> NONLIN_DEVICE static V derivative2(V x, V b, V t) {
    const SoftplusParts<V> p(x, b);
    return select(p.z > t, V(0), p.L.sigma_sigma_neg_times(b, p.z_lo));
  }
  // d/dbeta [sp(beta x)/beta] = (x sigma(z) - sp(z)/beta)/beta; with z = beta x - z_lo both
  // branches factor as e * (...): z >= 0: -e (x r + (L1 - r z_lo)/b)/b,
  // z < 0: e (x r - (L1 + r z_lo)/b)/b.
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V b, V t) {
    const SoftplusParts<V> p(x, b);
    const V r = p.L.r();
    const V L1 = p.L1();
    const V pos = -(x * r + fma(-r, p.z_lo, L1) / b) / b;
    const V neg = (x * r - fma(r, p.z_lo, L1) / b) / b;
    return {select(p.z > t, V(0), p.L.E.times(select(p.L.neg, neg, pos)))};
  }
};

struct Sigmoid {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"sigmoid", "1 / (1 + e^-x)", "sigmoid(x) sigmoid(-x)", "logistic function",
                             {true, true, true, false, false, "(0, 1)"}, params.data(), 0};
  // 1/(1 + e) or e/(1 + e) with e = e^-|x|: one division; the error of e is damped by
  // 1/(1 + e) in the quotient, so the result stays within ~1.5 ULP including subnormals.
  template <class V> NONLIN_DEVICE static V forward(V x) { return Logistic<V>(x).sigma_pos_fast(); }
  template <class V> NONLIN_DEVICE static V derivative(V x) { return Logistic<V>(x).sigma_sigma_neg(); }
  // sigma sigma(-x) (sigma(-x) - sigma(x)) = sign(x) e expm1(-|x|) / (1 + e)^3, e = e^-|x|
  // (expm1 keeps 1 - e accurate near 0)
  template <class V> NONLIN_DEVICE static V derivative2(V x) {
    const Logistic<V> L(x);
    const V m = vm::expm1(-abs(x)) / (L.d * L.d_squared());
    return L.E.times(copysign(m, -x));
  }
};

struct Logsigmoid {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"logsigmoid", "log(sigmoid(x)) = min(x, 0) - log(1 + e^-|x|)", "sigmoid(-x)",
                             "PyTorch torch.nn.LogSigmoid", {true, true, false, false, false, "(-inf, 0)"},
                             params.data(), 0};
  template <class V> NONLIN_DEVICE static V forward(V x) {
    return select(x > 0, V(0), x) - vm::log1p_unit(vm::exp(-abs(x)));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x) { return Logistic<V>(-x).sigma_pos_fast(); }
  template <class V> NONLIN_DEVICE static V derivative2(V x) { return -Logistic<V>(x).sigma_sigma_neg(); }
};

struct Tanh {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"tanh", "tanh(x)", "1 - tanh(x)^2", "hyperbolic tangent",
                             {true, true, true, true, false, "(-1, 1)"}, params.data(), 0};
  template <class V> NONLIN_DEVICE static V forward(V x) { return vm::tanh(x); }
  // 1 - t^2 cancels as |t| -> 1; there sech^2 x = 4e/(1+e)^2 with e = e^(-2|x|). The fused
  // backward folds grad_out in before the last rounding, which matters where sech^2 x is
  // subnormal (|x| > 44 in float).
  template <class V> NONLIN_DEVICE static V derivative(V x) { return backward(V(1), x); }
  template <class V> NONLIN_DEVICE static V backward(V g, V x) {
    using S = typename V::Scalar;
    const V ax = abs(x), x2 = ax * ax;
    const V t = fma(ax * x2, polyeval(x2, NONLIN_TABLE(vm::coef::C<S>::kTanhT)), ax);  // tanh|x|, |x| < 0.55
    const ScaledExp<V> E = exp_scaled(-2 * ax);
    const V e = E.unscaled();
    const V big = ((4 * g) * E.value / fma(e, e + 2, V(1))) * E.scale;  // (1 + e)^2 by fma
    return select(ax < 0.55, g * (1 - t * t), big);
  }
  // -2 tanh(x) sech^2(x)
  template <class V> NONLIN_DEVICE static V derivative2(V x) { return (-2 * vm::tanh(x)) * derivative(x); }
};

struct Tanhshrink {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"tanhshrink", "x - tanh(x)", "tanh(x)^2", "PyTorch torch.nn.Tanhshrink",
                             {true, true, false, true, false, "(-inf, inf)"}, params.data(), 0};
  // x - tanh x cancels for small |x|: |x| < 0.5 uses the Taylor series x^3 sum_k c_k x^2k
  // (c_k from the Bernoulli numbers; 20 terms reach double precision, 9 float), and
  // 0.5 <= |x| < 1.5 x^3 times a fitted polynomial in t = 2(|x| - 1)
  // (cpp/tools/fit_tanhshrink.py);
  // beyond, x - tanh x loses at most a bit. Packets skip the pieces none of their lanes need.
  template <class V> NONLIN_DEVICE static V forward(V x) {
    static constexpr double c[] = {
        0.3333333333333333, -0.13333333333333333, 0.05396825396825397, -0.021869488536155203,
        0.008863235529902197, -0.003592128036572481, 0.0014558343870513183,
        -0.000590027440945586, 0.00023912911424355248, -9.691537956929451e-05,
        3.927832388331683e-05, -1.5918905069328964e-05, 6.451689215655431e-06,
        -2.6147711512907546e-06, 1.0597268320104654e-06, -4.294911078273806e-07,
        1.7406618963571648e-07, -7.054636946400968e-08, 2.859136662305254e-08,
        -1.1587644432798853e-08};
    static constexpr float c32[] = {
        0.33333334f, -0.13333334f, 0.053968254f, -0.021869488f, 0.008863236f, -0.003592128f,
        0.0014558344f, -0.00059002744f, 0.00023912911f};
    // degree 10, max relative error 3.24e-10
    static constexpr float kMidF32[] = {2.384058440e-01f, -6.759593639e-02f, 2.552023568e-03f,
      4.117621563e-03f, -1.372984956e-03f, 9.940772299e-05f, 7.036841717e-05f,
      -2.758787097e-05f, 2.787174844e-06f, 1.308627341e-06f, -4.826657168e-07f};
    // degree 21, max relative error 1.4e-19
    static constexpr double kMidF64[] = {0.23840584404423512, -0.06759593687336571,
      0.0025520233330252897, 0.004117631300554958, -0.0013729802704687442,
      9.935171117754679e-05, 7.034236411681081e-05, -2.745298506404221e-05,
      2.8458528587001596e-06, 1.158645552440968e-06, -5.39342201678991e-07,
      7.200787449414033e-08, 1.8119066893536224e-08, -1.0417379356107752e-08,
      1.6989137097770523e-09, 2.6123440660308276e-10, -1.9894080443135844e-10,
      3.841038972998366e-11, 4.092264332253441e-12, -3.853340465943691e-12,
      4.683855172037518e-13, 1.0221160719084448e-13};
    using S = typename V::Scalar;
    const V ax = abs(x);
    const auto small = ax < 0.5, large = ax >= 1.5, mid = ~(small | large);  // NaN: mid
    V y(S(0));
    if (any(large)) y = x - vm::tanh(x);
    if (any(small)) {
      const V x2 = x * x;
      V series;
      if constexpr (sizeof(S) == 4) series = x * x2 * polyeval(x2, c32);
      else series = x * x2 * polyeval(x2, c);
      y = select(small, series, y);
    }
    if (any(mid)) {  // x^3 q(x) with x^3 = c_hi + c_lo exactly-ish, so only the end rounds
      const V t = (ax - 1) * 2;
      V q;
      if constexpr (sizeof(S) == 4) q = polyeval(t, kMidF32);
      else q = polyeval(t, kMidF64);
      V s_hi, s_lo, c_hi, c_lo;
      product_hi_lo(x, x, s_hi, s_lo);
      product_hi_lo(x, s_hi, c_hi, c_lo);
      c_lo = fma(x, s_lo, c_lo);
      y = select(mid, fma(c_hi, q, c_lo * q), y);
    }
    return y;
  }
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    const V t = vm::tanh(x);
    return t * t;
  }
  template <class V> NONLIN_DEVICE static V derivative2(V x) { return -Tanh::derivative2(x); }
};

struct Softsign {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"softsign", "x / (1 + |x|)", "1 / (1 + |x|)^2", "PyTorch torch.nn.Softsign",
                             {true, true, true, true, false, "(-1, 1)"}, params.data(), 0};
  // x / (d + d_lo), d + d_lo = 1 + |x| exactly (2Sum), with the quotient's exact residual: nearly
  // correctly rounded, hence monotone also where 1 + |x| itself rounds (|x| >= 2^24 / 2^53).
  template <class V> NONLIN_DEVICE static V forward(V x) {
    using S = typename V::Scalar;
    const S huge = sizeof(S) == 4 ? S(1e30) : S(1e300);  // beyond: the quotient rounds to +-1
    V d, d_lo;
    two_sum(V(1), abs(x), d, d_lo);
    const V q = x / d;
    const V y = q + (fms_exact(q, d, x) - q * d_lo) / d;
    return select(abs(x) > huge, copysign(V(1), x), y);
  }
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    const V r = 1 / (1 + abs(x));
    return r * r;
  }
  // -2 sign(x) / d^3, d = 1 + |x| = d_hi + d_lo (two_sum): 1/(d_hi + d_lo)^3 =
  // (1 - 3 d_lo/d_hi) / d_hi^3; 0 at the kink x = 0 (abs'(0) = 0, as autograd).
  template <class V> NONLIN_DEVICE static V derivative2(V x) {
    const V ax = abs(x);
    V d, d_lo;
    two_sum(V(1), ax, d, d_lo);
    d_lo = finite_or_zero(d_lo);  // x = inf
    const V q = (2 / (d * d)) / d;
    return select(x == 0, V(0), copysign(fma(q, -3 * (d_lo / d), q), -x));
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
