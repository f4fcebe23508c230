// ReLU relatives from the literature: SmeLU, CRReLU, SAU (smoothed ReLUs), HeLU (hysteresis
// surrogate gradient) and the clipped ReLU with a learnable bound (FitAct).
#pragma once

#include "nonlin/activations/common.h"
#include "nonlin/simd/normal.h"

namespace nonlin {
inline namespace NONLIN_ISA {

// SmeLU (Shamir, Lin, Coviello 2020, arXiv:2010.09931): 0 for x <= -beta, (x + beta)^2 / (4 beta)
// on |x| <= beta, x beyond: ReLU with its kink replaced by a quadratic (C^1).
struct Smelu {
  static constexpr std::array<Param, 1> params{
      {{"beta", 2.0, true, "half width of the quadratic middle, > 0", Constraint::positive}}};
  static constexpr Meta meta{
      "smelu", "x <= -beta ? 0 : x >= beta ? x : (x + beta)^2 / (4 beta)",
      "x <= -beta ? 0 : x >= beta ? 1 : (x + beta) / (2 beta)",
      "Shamir, Lin, Coviello 2020, Smooth activations and reproducibility in deep networks, "
      "arXiv:2010.09931",
      {true, true, false, false, false, "[0, inf)"}, params.data(), 1, 0.5};
  // x + beta = s + e exactly (2Sum); (s + e)^2 = s^2 + 2 s e to within 2^-2p.
  template <class V> NONLIN_DEVICE static V forward(V x, V b) {
    V s, e, h, l;
    two_sum(x, b, s, e);
    two_prod(s, s, h, l);
    const V mid = (h + fma(2 * s, e, l)) / (4 * b);
    return select(x >= b, x, select(x <= -b, V(0), mid));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V b) {
    V s, e;
    two_sum(x, b, s, e);
    return select(x >= b, V(1), select(x <= -b, V(0), (s + e) / (2 * b)));
  }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V b) {
    return select(abs(x) <= b, 1 / (2 * b), V(0));
  }
  // middle: (beta^2 - x^2) / (4 beta^2) = (beta - x)(beta + x) / (4 beta^2)
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V b) {
    return {select(abs(x) < b, ((b - x) * (b + x)) / (4 * (b * b)), V(0))};
  }
};

// Generalised SmeLU (Shamir & Lin 2022, arXiv:2202.06499): lines of slopes g- (x <= -alpha) and
// g+ (x >= beta) joined by a quadratic, C^1. Written as g- x + t + (g+ - g-) R(x) with the unit
// piece R = 0 | (x + alpha)^2 / (2 S) | x + (alpha - beta)/2, S = alpha + beta; t is the left
// line's intercept. g- = 0, g+ = 1, alpha = beta, t = 0 is SmeLU.
struct Gsmelu {
  static constexpr std::array<Param, 5> params{
      {{"alpha", 2.0, true, "width of the quadratic left of 0, > 0", Constraint::positive},
       {"beta", 2.0, true, "width of the quadratic right of 0, > 0", Constraint::positive},
       {"negative_slope", 0.0, true, "g-: slope for x <= -alpha"},
       {"slope", 1.0, true, "g+: slope for x >= beta"},
       {"offset", 0.0, true, "t: intercept of the left line"}}};
  static constexpr Meta meta{
      "gsmelu",
      "g- x + t + (g+ - g-) R(x), R = 0 (x <= -alpha), (x + alpha)^2 / (2 (alpha + beta)) "
      "(-alpha < x < beta), x + (alpha - beta)/2 (x >= beta)",
      "g- + (g+ - g-) R'(x), R' = 0 | (x + alpha)/(alpha + beta) | 1",
      "Shamir & Lin 2022, Real World Large Scale Recommendation Systems Reproducibility and "
      "Smooth Activations, arXiv:2202.06499 (parametrisation checked against the C^1 conditions; "
      "the paper's default values are not verified; these defaults give SmeLU with beta = 2)",
      {true, true, false, false, false, "[t - g- alpha, inf) at the defaults"}, params.data(), 5, 0.6};
  static constexpr bool float_via_double = true;  // float32 arithmetic: 2.4 ULP
  template <class V>
  struct Piece {
    V R, dR, y, S;  // R(x), R'(x), y = x + alpha, S = alpha + beta
    Mask<typename V::Packet> left, right;
    NONLIN_HD Piece(V x, V al, V be) : y(x + al), S(al + be), left(x <= -al), right(x >= be) {
      R = select(right, x + (al - be) * 0.5, select(left, V(0), (y * y) / (2 * S)));
      dR = select(right, V(1), select(left, V(0), y / S));
    }
  };
  template <class V> NONLIN_DEVICE static V forward(V x, V al, V be, V gm, V gp, V t) {
    const Piece<V> p(x, al, be);
    V D, D_lo;  // g+ - g- exactly
    two_sum(gp, -gm, D, D_lo);
    const V lin = select(gm == 0, t, fma(gm, x, t));  // g- = 0: t also at -inf
    return fma(D, p.R, fma(D_lo, finite_or_zero(p.R), lin));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V al, V be, V gm, V gp, V) {
    return fma(gp - gm, Piece<V>(x, al, be).dR, gm);
  }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V al, V be, V gm, V gp, V) {
    const Piece<V> p(x, al, be);
    return select(p.left | p.right, V(0), (gp - gm) / p.S);
  }
  // d/dalpha = D dR/dalpha, d/dbeta = D dR/dbeta (D = g+ - g-); middle:
  // dR/dalpha = y (alpha + 2 beta - x) / (2 S^2), dR/dbeta = -y^2 / (2 S^2); right: +-1/2.
  template <class V> NONLIN_DEVICE static std::array<V, 5> param_grad(V x, V al, V be, V gm, V gp, V) {
    const Piece<V> p(x, al, be);
    const V D = gp - gm, S2 = 2 * (p.S * p.S);
    const V da = select(p.right, V(0.5), select(p.left, V(0), (p.y * ((al + 2 * be) - x)) / S2));
    const V db = select(p.right, V(-0.5), select(p.left, V(0), -(p.y * p.y) / S2));
    return {D * da, D * db, select(p.right, (be - al) * 0.5, x - p.R), p.R, V(1)};
  }
};

// CRReLU (Correction Regularized ReLU, Sun et al. 2024, arXiv:2405.12954): relu(x) + eps x e^(-x^2/2).
struct Crrelu {
  static constexpr std::array<Param, 1> params{{{"eps", 0.01, true, "weight of the correction term"}}};
  static constexpr Meta meta{
      "crrelu", "relu(x) + eps x exp(-x^2 / 2)",
      "(x > 0) + eps (1 - x^2) exp(-x^2 / 2) (0 from relu at x = 0)",
      "Sun, Wu, Xia et al. 2024, A Method on Searching Better Activation Functions (CRReLU), "
      "arXiv:2405.12954 (eps = 0.01, learnable, in the implementation found; the paper's init unverified)",
      {false, false, false, true, false, "(-0.61 eps, inf)"}, params.data(), 1, 0.8};
  static constexpr bool float_via_double = true;
  // v e^(-x^2/2), 0 where the Gaussian is 0 (also for an infinite v)
  template <class V> NONLIN_DEVICE static V gauss(V v, V x) {
    const V E = vm::exp_mhalf_x2(x);
    return select(E == 0, V(0), v * E);
  }
  template <class V> NONLIN_DEVICE static V forward(V x, V eps) {
    return select(x == x, gauss(eps * x, x) + vmax(x, V(0)), x);
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V eps) {
    return gauss(eps * ((1 - x) * (1 + x)), x) + select(x > 0, V(1), V(0));
  }
  // eps x (x^2 - 3) e^(-x^2/2), x^2 - 3 from the exact square
  template <class V> NONLIN_DEVICE static V derivative2(V x, V eps) {
    V h, l;
    two_prod(x, x, h, l);
    return gauss((eps * x) * ((h - 3) + l), x);
  }
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V) { return {gauss(x, x)}; }
};

// SAU (Biswas et al. 2021, arXiv:2109.13210): Leaky ReLU (slope alpha) convolved with a normal
// density of standard deviation 1/n,
//   (1 - a)/(n sqrt(2 pi)) e^(-n^2 x^2 / 2) + (1 + a) x / 2 + (1 - a) x / 2 erf(n x / sqrt 2)
//   = a x + (1 - a) h(n x) / n,   h(u) = u Phi(u) + phi(u),  h(u) = u + h(-u).
// In a = |u|: H(a) = h(-a) = phi(a) - a Phi(-a) >= 0, so
//   x >= 0: x + (1 - a) H / n;  x < 0: a x + (1 - a) H / n,
//   f' = a + (1 - a) Phi(u),  d/da = x - h(u)/n,  d/dn = -(1 - a) phi(u) / n^2.
// Phi(-a) = e^(-a^2/2) Q(a) from simd/normal.h; the rounding u_lo of u = n x enters as the
// first-order corrections phi(u + d) = phi(u)(1 - u d), Phi(u + d) = Phi(u) + phi(u) d.
struct Sau {
  static constexpr std::array<Param, 2> params{
      {{"alpha", 0.15, true, "slope of the leaky ReLU for x < 0"},
       {"n", 20.0, true, "inverse width of the smoothing normal density, > 0", Constraint::positive}}};
  static constexpr Meta meta{
      "sau",
      "(1 - alpha)/(n sqrt(2 pi)) e^(-n^2 x^2 / 2) + (1 + alpha) x / 2 + (1 - alpha) x / 2 erf(n x / sqrt 2)",
      "(1 + alpha)/2 + (1 - alpha)/2 erf(n x / sqrt 2)",
      "Biswas, Kumar, Banerjee, Pandey 2021, SAU: Smooth activation function using convolution "
      "with approximate identities, arXiv:2109.13210 (closed form derived from the definition; "
      "the paper's default alpha and n are not verified)",
      {true, true, false, false, false, "(-inf, inf) for alpha > 0"}, params.data(), 2, 1.5};
  // float32 arithmetic keeps every op within the targets (forward 1.9 ULP, gradients <= 3.4)
  static constexpr double inv_sqrt_2pi = 0.3989422804014327;
  template <class V>
  struct Parts {
    V u, u_lo, phi, Phi_neg, H;  // phi(u), Phi(-|u|), H(|u|), corrected for u_lo
    NONLIN_HD Parts(V x, V n) {
      product_hi_lo(n, x, u, u_lo);
      const V a = vmin(abs(u), V(vm::NormalTail<V>::kAmax));
      const auto N = vm::normal_tail<vm::coef::NormalQ>(a);
      const V d = select(u < 0, -u_lo, u_lo);  // correction of a = |u|
      const V p0 = N.times(V(inv_sqrt_2pi));
      phi = fma(-a * p0, d, p0);
      const V P0 = N.times(N.q);
      Phi_neg = fma(-p0, d, P0);
      const V H0 = N.times(fma(-a, N.q, V(inv_sqrt_2pi)));
      H = fma(-P0, d, H0);  // H'(a) = -Phi(-a)
    }
  };
  template <class V> NONLIN_DEVICE static V forward(V x, V al, V n) {
    const Parts<V> p(x, n);
    const V t = (1 - al) * (p.H / n);
    return select(x >= 0, x + t, fma(al, x, t));
  }
  template <class V> NONLIN_DEVICE static Parts<V> parts(V x, V, V n) { return Parts<V>(x, n); }
  template <class V> NONLIN_DEVICE static V derivative_of(const Parts<V>& p, V, V al, V) {
    const V Phi = select(p.u >= 0, 1 - p.Phi_neg, p.Phi_neg);
    return fma(1 - al, Phi, al);
  }
  template <class V> NONLIN_DEVICE static V derivative2(V x, V al, V n) {
    return (1 - al) * (n * Parts<V>(x, n).phi);
  }
  template <class V> NONLIN_DEVICE static std::array<V, 2> param_grad_of(const Parts<V>& p, V x, V al, V n) {
    const V da = select(x >= 0, -p.H / n, x - p.H / n);
    return {da, -(1 - al) * (p.phi / (n * n))};
  }
};

// HeLU (hysteresis ReLU): ReLU forward; the backward passes the gradient for x > -alpha, a
// surrogate that keeps slightly negative units trainable (the "derivative" here is that
// surrogate, as in the authors' code).
struct Helu {
  static constexpr std::array<Param, 1> params{
      {{"alpha", 0.05, false, "hysteresis width: the gradient flows for x > -alpha, >= 0",
        Constraint::nonnegative}}};
  static constexpr Meta meta{
      "helu", "max(x, 0)", "x > -alpha ? 1 : 0 (surrogate gradient, not d/dx relu)",
      "Kimhi, Kashani, Mendelson, Baskin 2024, Hysteresis Activation Function for Efficient "
      "Inference, arXiv:2411.10573; code idankdev/helu (alpha = 0.05, fixed)",
      {false, true, false, false, false, "[0, inf)"}, params.data(), 1, 0.2};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x, V) { return select(x > 0, x, select(x == x, V(0), x)); }
  template <class V> NONLIN_DEVICE static V derivative(V x, V a) { return select(x > -a, V(1), V(0)); }
};

// Clipped ReLU with a learnable bound (FitAct, Ghavami et al. 2022, arXiv:2112.13544):
// min(max(x, 0), T); d/dT = 1 where the output is clipped (x >= T).
struct ClippedRelu {
  static constexpr std::array<Param, 1> params{
      {{"bound", 6.0, true, "T: upper clipping bound, >= 0", Constraint::nonnegative}}};
  static constexpr Meta meta{
      "clipped_relu", "min(max(x, 0), bound)", "0 < x < bound ? 1 : 0",
      "Ghavami, Sadati, Fang, Shannon 2022, FitAct: error resilient deep neural networks via "
      "fine-grained post-trainable activation functions, arXiv:2112.13544 (DATE 2022); a "
      "reimplementation (reliable-relu-toolbox) uses relu(x) sigmoid(20 (T - x)) instead, which "
      "sends x > T to ~0 rather than clipping",
      {false, true, true, false, false, "[0, bound]"}, params.data(), 1, 0.2};
  static constexpr bool piecewise_linear = true;
  template <class V> NONLIN_DEVICE static V forward(V x, V t) {
    return select(x > t, t, select(x > 0, x, select(x == x, V(0), x)));
  }
  template <class V> NONLIN_DEVICE static V derivative(V x, V t) { return select((x > 0) & (x < t), V(1), V(0)); }
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V t) {
    return {select(x >= t, V(1), V(0))};
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
