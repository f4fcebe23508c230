// Self-gated activations x * gate(x): GELU's tanh approximation, SiLU/swish, mish.
// The gates are evaluated so that the left tail (where the result is x times a tiny gate) keeps
// full relative accuracy down to the subnormals: the gate's argument is carried as hi + lo when
// it is a rounded product, and x * e^z uses mul_exp's pre-scaling.
#pragma once

#include "nonlin/activations/common.h"

namespace nonlin {
inline namespace NONLIN_ISA {

struct GeluTanh {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{
      "gelu_tanh", "x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2 = x sigmoid(2u)",
      "s + x s (1 - s) 2 sqrt(2/pi) (1 + 0.134145 x^2), s = sigmoid(2u)",
      "Hendrycks & Gimpel 2016; PyTorch torch.nn.GELU(approximate='tanh')",
      {true, false, false, false, true, "[-0.17, inf)"}, params.data(), 0};
  // z = 2u = k1 x + k3 x^3 as hi + lo (constants split in two, x^3 from an exact square), and
  // if asked x dz/dx = k1 x + 3 k3 x^3 from the same exact products, rounded once.
  template <class V> NONLIN_DEVICE static void argument(V x, V& z, V& z_lo, V* xdz = nullptr) {
    using S = typename V::Scalar;
    constexpr S k1_hi = sizeof(S) == 4 ? S(1.5957692f) : S(1.5957691216057308);
    constexpr S k1_lo = sizeof(S) == 4 ? S(-4.534068e-08f) : S(-9.96930880911092e-17);
    constexpr S k3_hi = sizeof(S) == 4 ? S(0.071354814f) : S(0.07135481627260025);
    constexpr S k3_lo = sizeof(S) == 4 ? S(2.3988325e-09f) : S(-6.175149918155315e-19);
    V s_hi, s_lo, c_hi, c_lo, p1, e1, p3, e3;
    two_prod(x, x, s_hi, s_lo);
    two_prod(x, s_hi, c_hi, c_lo);
    c_lo = fma(x, s_lo, c_lo);  // x^3 = c_hi + c_lo
    two_prod(x, V(k1_hi), p1, e1);
    two_prod(c_hi, V(k3_hi), p3, e3);
    z = p1 + p3;
    const V sum_err = select(abs(p1) > abs(p3), (p1 - z) + p3, (p3 - z) + p1);
    const V l1 = e1 + x * k1_lo, l3 = e3 + (c_hi * k3_lo + c_lo * k3_hi);  // the k1 and k3 terms' low parts
    z_lo = finite_or_zero(sum_err + l1 + l3);  // |x|^3 overflowed: z = +-inf, no correction
    if (xdz) {
      V q, qe, a, ae;
      two_prod(V(S(3)), p3, q, qe);
      two_sum(p1, q, a, ae);
      *xdz = a + finite_or_zero(ae + qe + l1 + 3 * l3);
    }
  }
  template <class V> NONLIN_DEVICE static V forward(V x) {
    V z, z_lo;
    argument(x, z, z_lo);
    const Logistic<V> L(z);
    return L.times_sigma(x, z_lo);
  }
  // s (1 + x (1 - s) dz/dx), s = sigma(z)
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    V z, z_lo, xdz;
    argument(x, z, z_lo, &xdz);
    const Logistic<V> L(z);
    return L.corrected(L.sigma_times_one_plus(xdz), z_lo);
  }
  // s (1 - s) [2 z' + x (1 - 2s) z'^2 + x z''], s = sigma(z), z' = dz/dx, z'' = 6 k3 x
  template <class V> NONLIN_DEVICE static V derivative2(V x) {
    V z, z_lo;
    argument(x, z, z_lo);
    const Logistic<V> L(z);
    const V x2 = x * x;
    const V dz = fma(x2, V(0.21406444881780073), V(1.5957691216057308));
    const V k = fma(x * (L.sigma_neg() - L.sigma_pos()), dz * dz, fma(x2, V(0.42812889763560147), 2 * dz));
    return L.sigma_sigma_neg_times(k, z_lo);
  }
};

struct Silu {
  static constexpr std::array<Param, 1> params{{{"beta", 1.0, true, "gate sharpness (swish beta)"}}};
  static constexpr Meta meta{"silu", "x sigmoid(beta x)", "s (1 + beta x (1 - s)), s = sigmoid(beta x)",
                             "Elfwing et al. 2017, arXiv:1702.03118; Ramachandran et al. 2017 "
                             "(swish), arXiv:1710.05941; PyTorch torch.nn.SiLU (beta = 1)",
                             {true, false, false, false, true, "[-0.278/beta, inf)"}, params.data(), 1};
  template <class V> NONLIN_DEVICE static V forward(V x, V b) {
    return fast_except(~(b == V(1)) | (x < V(-80)), x_over_one_plus_exp(x),
                       [&] { return forward_general(x, b); });
  }
  // beta != 1 (z = beta x rounded) or the subnormal tail; out of line, so that the common
  // path's loop stays small
  template <class V> [[gnu::noinline]] NONLIN_DEVICE static V forward_general(V x, V b) {
    V z, z_lo;
    scaled_argument(b, x, z, z_lo);
    const Logistic<V> L(z);
    return L.times_sigma(x, z_lo);
  }
  // x / (1 + e^-x) for x >= -80 (e^-x finite): d = 1 + e^-x as dh + dl (Fast2Sum ordered by
  // magnitude), one division by dh and its first-order correction -q dl/dh. float32 AVX-512:
  // max 1.86 ULP over every float in [-80, 110], at ~2/3 of the cost of times_sigma.
  template <class V> NONLIN_DEVICE static V x_over_one_plus_exp(V x) {
    using S = typename V::Scalar;
    const V e = vm::exp(-x), dh = 1 + e;
    const V dl = (vmax(V(1), e) - dh) + vmin(V(1), e);
    const V q = x / dh;
    const V r = fma(-q, dl * recip_approx(dh), q);
    if (!any_abs_gt(x, std::numeric_limits<S>::max())) return r;
    return select(is_inf(x), x, r);  // x = +-inf: inf * 0 in the correction
  }
  // beta = 1 lanes (z = x exact) skip the rounding correction, out of line for the others
  template <class V> NONLIN_DEVICE static V derivative(V x, V b) {
    return fast_except(~(b == V(1)), Logistic<V>(x).sigma_times_one_plus(x),
                       [&] { return derivative_scaled(x, b); });
  }
  template <class V> [[gnu::noinline]] NONLIN_DEVICE static V derivative_scaled(V x, V b) {
    V z, z_lo;
    scaled_argument(b, x, z, z_lo);
    const Logistic<V> L(z);
    return L.corrected(L.sigma_times_one_plus(z), z_lo);
  }
  // x^2 sigma(z) sigma(-z), with d ln(sigma(z) sigma(-z))/dz = sigma(-z) - sigma(z) for the
  // rounding of z = beta x
  template <class V> NONLIN_DEVICE static std::array<V, 1> param_grad(V x, V b) {
    V z, z_lo;
    scaled_argument(b, x, z, z_lo);
    return {Logistic<V>(z).sigma_sigma_neg_times(x * x, z_lo)};
  }
  // beta sigma(z) sigma(-z) (2 + z (sigma(-z) - sigma(z)))
  template <class V> NONLIN_DEVICE static V derivative2(V x, V b) {
    V z, z_lo;
    scaled_argument(b, x, z, z_lo);
    const Logistic<V> L(z);
    return L.sigma_sigma_neg_times(b * fma(z, L.sigma_neg() - L.sigma_pos(), V(2)), z_lo);
  }
};

struct Mish {
  NONLIN_NO_PARAMS
  static constexpr Meta meta{"mish", "x tanh(softplus(x))",
                             "tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2), sp = softplus(x)",
                             "Misra 2019, arXiv:1908.08681; PyTorch torch.nn.Mish",
                             {true, false, false, false, true, "[-0.309, inf)"}, params.data(), 0};
  // With e = e^x and n = e (e + 2): tanh(softplus(x)) = n / (n + 2). Beyond x = 12 (float) or
  // 25 (double) the gate is 1 to within half an ULP, and n would overflow further out.
  static constexpr bool float_via_double = true;  // float32 within 1 ULP; float32 math: ~3
  template <class V> NONLIN_DEVICE static V linear_from() {
    return V(sizeof(typename V::Scalar) == 4 ? 12.0 : 25.0);
  }
  // Every term carries a factor e, taken through ScaledExp so the left tail (mish ~ x e^x,
  // mish' ~ (1 + x) e^x) stays accurate into the subnormals.
  // The gate as 1 - (small term): x > 0: 1 - 2/(n + 2); x <= 0: e h with h = (e + 2)/(n + 2) =
  // 1 - e (e + 1)/(n + 2), the correction at most 2/5 of h (its rounding errors damped).
  template <class V> NONLIN_DEVICE static V forward(V x) {
    const V xc = select(x > linear_from<V>(), linear_from<V>(), x);
    const ScaledExp<V> E = exp_scaled(xc);
    const V e = E.unscaled();
    const V r = 1 / fma(e, e + 2, V(2));  // 1 / (n + 2)
    const V neg = E.times(x * fma(-e * (e + 1), r, V(1)));
    return select(x > linear_from<V>(), x, select(x > 0, x * fma(V(-2), r, V(1)), neg));
  }
  // f' = [n (n + 2) + 4 x e (1 + e)] / (n + 2)^2 = e N / q^2 with q = (n + 2) / 2 = 1 + e + e^2/2,
  // N = (1 + x) + e (1.5 + x) + e^2 + e^3/4 and q^2 = 1 + w, w = e (2 + 2e + e^2 + e^3/4): for
  // x < 0 both round about once (1 + x is exact for |x| >= 1), where the form above rounds
  // n, n + 2, the product and the square (float64 max 3.5 -> 2.2 ULP).
  template <class V> NONLIN_DEVICE static V derivative(V x) {
    const V xc = select(x > linear_from<V>(), linear_from<V>(), x);
    const ScaledExp<V> E = exp_scaled(xc);
    const V e = E.unscaled();
    const V c = fma(e, V(0.25), V(1));
    const V n = fma(e, fma(e, c, xc + V(1.5)), xc + V(1));
    const V w = e * fma(e, fma(e, c, V(2)), V(2));
    return select(x > linear_from<V>(), V(1), E.times(n / (1 + w)));
  }
  // f'' = 4e [2 (1 + e)(n + 2) + x (n + 2 - 2 n e)] / (n + 2)^3 for x <= 0; for x > 0 the same
  // in w = e^-x (no overflow): 4 w^2 [2 (1 + w) m + x (w m - 2 - 4w)] / m^3, m = 1 + 2w + 2w^2.
  template <class V> NONLIN_DEVICE static V derivative2(V x) {
    const ScaledExp<V> E = exp_scaled(-abs(x));
    const V e = E.unscaled();  // e^x for x <= 0, w for x > 0
    const V n2 = fma(e, e + 2, V(2));
    const V neg = 4 * fma(2 * (1 + e), n2, x * fma(-2 * e, e * (e + 2), n2)) / (n2 * n2 * n2);
    const V neg_result = E.times(neg);
    if (!any(x > 0)) return neg_result;
    const V m = fma(2 * e, e + 1, V(1));
    const V pos = 4 * fma(2 * (1 + e), m, x * fma(e, m, fma(V(-4), e, V(-2)))) / (m * m * m);
    return select(x > 0, exp_scaled(-2 * abs(x)).times(pos), neg_result);  // w^2 = e^-2x
  }
};

}  // namespace NONLIN_ISA
}  // namespace nonlin
