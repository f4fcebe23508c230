// Registry rows of the normalising activations: what the catalogue shows (formula, parameters,
// properties, source). Properties describe one element with its row's statistics held fixed.
#pragma once

#include "nonlin/activations/meta.h"
#include "nonlin/normalizing/kernels.h"

namespace nonlin::normalizing {

struct Entry {
  Op op;
  Meta meta;
};

inline constexpr Param kPolyNormParams[] = {
    {"weight", 1.0 / 3.0, true,
     "coefficients of norm(x^r), ..., norm(x^1), highest power first as in the official code; "
     "the order r is len(weight) (1..8); default (1/3, 1/3, 1/3)"},
    {"bias", 0.0, true, "added constant"},
    {"eps", 1e-6, false, "added to every mean square", Constraint::nonnegative},
};
inline constexpr Param kAshParams[] = {
    {"zk", 0.0, true, "threshold in standard deviations above the row mean "
                      "(z_k = Phi^-1(1 - k/100) keeps about the top k %; 0 = top half)"},
    {"alpha", 1.0, false, "sharpness of the sigmoid step"},
    {"eps", 1e-6, false, "added to the variance (stabiliser, not in the paper)",
     Constraint::nonnegative},
};
inline constexpr Param kHardAshParams[] = {
    {"zk", 0.0, false, "threshold in standard deviations above the row mean "
                       "(its gradient is zero almost everywhere)"},
    {"eps", 1e-6, false, "added to the variance (stabiliser, not in the paper)",
     Constraint::nonnegative},
};
inline constexpr Param kVeluParams[] = {
    {"scale", 1.0, true, "lambda, the trainable output scale"},
    {"alpha", 1.0, false, "gate sharpness"},
    {"beta1", 1.0, false, "arctan slope"},
    {"beta2", 0.5, false, "arcsin slope (its argument is clipped to [-1, 1])"},
    {"gamma", 0.5, false, "strength of the variance scaling"},
    {"mu", 1.0, false, "slope of tanh on the row standard deviation"},
    {"eps", 1e-3, false, "added to the variance", Constraint::nonnegative},
};

inline constexpr Entry kEntries[] = {
    {Op::polynorm,
     {"polynorm",
      "sum_{k=1..r} weight[r-k] * x^k / sqrt(mean(x^2k) + eps) + bias, means over the axis",
      "exact Jacobian-vector product through the r mean squares",
      "Zhuo et al. 2024, Polynomial Composition Activations (ICLR 2025), arXiv:2411.03884; "
      "official code BryceZhuo/PolyCom",
      {true, false, false, false, false, "(-inf, inf)"}, kPolyNormParams, 3}},
    {Op::ash,
     {"ash", "x * sigmoid(alpha * (x - mean(x) - zk * sqrt(var(x) + eps))), statistics over the axis",
      "exact, including the path through the row mean and standard deviation",
      "Lee et al. 2022, Stochastic Adaptive Activation Function (ASH, Adaptive SwisH), "
      "NeurIPS 2022, arXiv:2210.11672",
      {true, false, false, false, true, "[min, inf), min depending on the row statistics"},
      kAshParams, 3}},
    {Op::hard_ash,
     {"hard_ash", "x * 1[x >= mean(x) + zk * sqrt(var(x) + eps)], statistics over the axis",
      "1[x >= threshold] (the threshold's derivative is zero almost everywhere)",
      "Lee et al. 2022, Stochastic Adaptive Activation Function (Hard ASH), arXiv:2210.11672",
      {false, false, false, false, true, "{0} or [threshold, inf)"}, kHardAshParams, 2}},
    {Op::velu,
     {"velu",
      "scale * (1 + gamma*tanh(mu*sqrt(var(x) + eps))) * x * sigmoid(alpha*(atan(beta1*x) + "
      "asin(clip(beta2*x, -1, 1)))), var over the axis",
      "exact, including the path through the row standard deviation",
      "Shakarami et al. 2025, VeLU: Variance-enhanced Learning Unit, arXiv:2504.15051. The "
      "paper text was not available to us: the form follows published summaries of it, the "
      "Wasserstein-2 term is a loss regulariser (not part of the activation) and the "
      "defaults are ours",
      {false, false, false, false, true, "(-inf, inf)"}, kVeluParams, 7}},
};

}  // namespace nonlin::normalizing
