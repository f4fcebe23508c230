// The host side shared by the CPU and CUDA rational drivers: the kernels' view of one problem
// (prepared coefficients, effective degrees, the overflow threshold) and the mapping of the
// kernels' per-group sums to the coefficient gradients.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "rational.h"

namespace nonlin::rational {

// The kernels' view of one problem: noisy coefficients (D in training), the Horner form c of
// the denominator, effective degrees, the overflow threshold.
template <class T>
struct Prepared {
  std::vector<T> a, c;
  std::vector<double> fa, fb;  // D: the noise factors (1 otherwise)
  std::vector<int> m_eff, n_eff;
  Args<T> args{};

  Prepared(const Problem& p, const T* num, const T* den) {
    const int na = p.m + 1, nb = den_count(p), nc = p.n + 1;
    const std::ptrdiff_t G = p.groups;
    const bool noisy = p.version == Version::D && p.training;
    fa.assign(std::size_t(G * na), 1.0);
    fb.assign(std::size_t(G * nb), 1.0);
    if (noisy) {
      for (std::size_t i = 0; i < fa.size(); ++i) fa[i] = noise_factor(p.seed, i);
      for (std::size_t i = 0; i < fb.size(); ++i) fb[i] = noise_factor(p.seed, fa.size() + i);
    }
    a.resize(std::size_t(G * na));
    c.resize(std::size_t(G * nc));
    m_eff.resize(std::size_t(G));
    n_eff.resize(std::size_t(G));
    double sum_max = 0;
    for (std::ptrdiff_t g = 0; g < G; ++g) {
      T* ag = &a[g * na];
      T* cg = &c[g * nc];
      double sa = 0, sc = 0;
      for (int j = 0; j < na; ++j) {
        ag[j] = noisy ? T(double(num[g * na + j]) * fa[g * na + j]) : num[g * na + j];
        sa += std::fabs(double(ag[j]));
      }
      const int off = p.version == Version::C ? 0 : 1;
      cg[0] = p.version == Version::B || p.version == Version::D ? T(0) : T(1);
      for (int k = 0; k < nb; ++k) {
        const T b = noisy ? T(double(den[g * nb + k]) * fb[g * nb + k]) : den[g * nb + k];
        cg[k + off] = p.version == Version::A ? std::fabs(b) : b;
      }
      for (int k = 0; k < nc; ++k) sc += std::fabs(double(cg[k]));
      int me = p.m, ne = p.n;
      while (me > 0 && ag[me] == 0) --me;
      while (ne > 0 && cg[ne] == 0) --ne;
      m_eff[g] = me;
      n_eff[g] = ne;
      sum_max = std::max({sum_max, sa, sc});
    }
    // |x| <= thr keeps (S |x|^K (K + 1)^2)^2, S = sum |coef|, a factor 16 below overflow:
    // Horner values, their derivatives and the gradient products (P / Q^2 z^k) neither
    // overflow nor pass through the subnormal range on their way to a normal result.
    const int K = std::max(p.m, p.n);
    const double big = double(std::numeric_limits<T>::max());
    const double s = (K + 1.0) * (K + 1.0) * std::max(1.0, sum_max);
    const double room = big / (16.0 * s * s);
    double thr = K == 0 ? std::numeric_limits<double>::infinity() : std::pow(room, 0.5 / K);
    thr = std::max(1.0, std::min(thr, big));
    args.version = p.version;
    args.m = p.m;
    args.n = p.n;
    args.a = a.data();
    args.c = c.data();
    args.m_eff = m_eff.data();
    args.n_eff = n_eff.data();
    args.thr = T(thr);
    args.groups = G;
    args.run = p.run > 0 ? p.run : std::max<std::ptrdiff_t>(p.size, 1);
  }
};

// grad_num / grad_den from the kernels' sums s[group][m + 1 + n + 1] (a-terms, then c-terms):
// D's noise factors and version A's d|b_k|/db_k = sign0(b_k) applied.
template <class T>
void coefficient_gradients(const Problem& p, const Prepared<T>& prep, const T* den, const double* sums,
                           double* grad_num, double* grad_den) {
  const int na = p.m + 1, nb = den_count(p), per = na + p.n + 1;
  const int off = p.version == Version::C ? 0 : 1;
  for (std::ptrdiff_t g = 0; g < p.groups; ++g) {
    const double* s = &sums[g * per];
    for (int j = 0; j < na; ++j) grad_num[g * na + j] = s[j] * prep.fa[g * na + j];
    for (int kk = 0; kk < nb; ++kk) {
      double v = s[na + kk + off] * prep.fb[g * nb + kk];
      if (p.version == Version::A) {  // dQ/db_k = sign0(b_k) |x|^k
        const T b = den[g * nb + kk];
        v = b > 0 ? v : b < 0 ? -v : 0.0;  // a literal 0: v may be inf where |x|^k overflowed
      }
      grad_den[g * nb + kk] = v;
    }
  }
}

}  // namespace nonlin::rational
