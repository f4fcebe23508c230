#include "rational.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

#include "chunked_sum.h"
#include "dispatch.h"
#include "thread_pool.h"

namespace nonlin::rational {
namespace {

const Kernels* active() { return NONLIN_ACTIVE_TABLE(kernels); }

template <class T>
Kernel<T> kernel_of(const Kernels* k) {
  if constexpr (sizeof(T) == 4) return k->f32;
  else return k->f64;
}

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

double cost_ns(const Problem& p) { return 0.1 * (p.m + p.n + 2); }

template <class T>
void elementwise(const Problem& p, Mode mode, const T* x, const T* num, const T* den, T* out) {
  if (p.size <= 0) return;
  Prepared<T> prep(p, num, den);
  prep.args.x = x;
  prep.args.out = out;
  const Kernel<T> k = kernel_of<T>(active());
  const Args<T>& args = prep.args;
  if (double(p.size) * cost_ns(p) < 60000.0 || get_num_threads() <= 1) {
    k(args, mode, 0, p.size, nullptr);
    return;
  }
  parallel_for(p.size, 64, [&](std::ptrdiff_t b, std::ptrdiff_t e) { k(args, mode, b, e, nullptr); });
}

}  // namespace

double noise_factor(std::uint64_t seed, std::uint64_t index) {
  // splitmix64 of (seed, index): a fixed, platform-independent stream.
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return 0.9 + 0.2 * double(z >> 11) * 0x1.0p-53;
}

const char* check(const Problem& p) {
  if (int(p.version) < 0 || int(p.version) > int(Version::N)) return "version: must be A, B, C, D or N";
  if (p.m < 0 || p.m > kMaxDegree) return "numerator: degree must be in [0, 32]";
  if (p.n < 0 || p.n > kMaxDegree || (p.version == Version::C && p.n < 0))
    return "denominator: degree must be in [0, 32]";
  if (p.size < 0) return "x: negative size";
  if (p.groups < 1) return "groups: must be >= 1";
  if (p.run < 0 || (p.groups > 1 && p.run == 0)) return "groups: run length must be >= 1";
  return nullptr;
}

template <class T>
void forward(const Problem& p, const T* x, const T* num, const T* den, T* y) {
  elementwise(p, Mode::forward, x, num, den, y);
}

template <class T>
void derivative(const Problem& p, const T* x, const T* num, const T* den, T* dydx) {
  elementwise(p, Mode::derivative, x, num, den, dydx);
}

template <class T>
void backward(const Problem& p, const T* g, const T* x, const T* num, const T* den, T* grad_x,
              double* grad_num, double* grad_den) {
  const int na = p.m + 1, nb = den_count(p), nc = p.n + 1, per = na + nc;
  const std::ptrdiff_t G = p.groups;
  Prepared<T> prep(p, num, den);
  prep.args.x = x;
  prep.args.g = g;
  prep.args.out = grad_x;
  const Kernel<T> k = kernel_of<T>(active());
  const Args<T>& args = prep.args;
  const std::vector<double> part = chunked_sum(
      p.size, std::size_t(G * per), double(p.size) * cost_ns(p) >= 60000.0,
      [&](std::ptrdiff_t b, std::ptrdiff_t e, double* row) { k(args, Mode::backward, b, e, row); });
  const int off = p.version == Version::C ? 0 : 1;
  for (std::ptrdiff_t g = 0; g < G; ++g) {
    const double* s = &part[g * per];
    for (int j = 0; j < na; ++j) grad_num[g * na + j] = s[j] * prep.fa[g * na + j];
    for (int kk = 0; kk < nb; ++kk) {
      double v = s[na + kk + off] * prep.fb[g * nb + kk];
      if (p.version == Version::A) {  // dQ/db_k = sign0(b_k) |x|^k
        const T b = den[g * nb + kk];
        v = b > 0 ? v : b < 0 ? -v : 0.0 * v;
      }
      grad_den[g * nb + kk] = v;
    }
  }
}

#define NONLIN_RATIONAL_INSTANTIATE(T)                                                       \
  template void forward<T>(const Problem&, const T*, const T*, const T*, T*);                \
  template void derivative<T>(const Problem&, const T*, const T*, const T*, T*);             \
  template void backward<T>(const Problem&, const T*, const T*, const T*, const T*, T*,      \
                            double*, double*);
NONLIN_RATIONAL_INSTANTIATE(float)
NONLIN_RATIONAL_INSTANTIATE(double)
#undef NONLIN_RATIONAL_INSTANTIATE

}  // namespace nonlin::rational
