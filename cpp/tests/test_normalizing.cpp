// The normalising activations' row kernels on every SIMD level this CPU (or emulator) runs:
// forward against a plain long-double evaluation of the papers' formulas, backward (input and
// parameter gradients) against long-double central differences of L = sum g f(x). The exact
// (mpmath) accuracy tests are in tests/test_normalizing.py; this one checks the kernels of
// every build, including cross builds run under qemu. Exit 1 on a mismatch.
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "../src/cpu/dispatch.h"
#include "nonlin/normalizing/kernels.h"

using namespace nonlin;
using normalizing::Op;
using Row = std::vector<long double>;

namespace {

long double mean(const Row& v) {
  long double s = 0;
  for (long double e : v) s += e;
  return s / v.size();
}

long double sd(const Row& x, long double eps) {
  const long double m = mean(x);
  Row d;
  for (long double e : x) d.push_back((e - m) * (e - m));
  return std::sqrt(mean(d) + eps);
}

long double sigmoid(long double t) { return 1 / (1 + std::exp(-t)); }

// The formulas as the papers write them, params in registry order.
Row reference(Op op, const Row& x, const std::vector<double>& p) {
  Row y(x.size(), 0);
  if (op == Op::polynorm) {
    const int r = int(p.size()) - 2;
    for (int j = 0; j < r; ++j) {
      Row u;
      for (long double e : x) u.push_back(std::pow(e, r - j));
      Row u2;
      for (long double e : u) u2.push_back(e * e);
      const long double s = 1 / std::sqrt(mean(u2) + p[r + 1]);
      for (std::size_t i = 0; i < x.size(); ++i) y[i] += p[j] * u[i] * s;
    }
    for (long double& e : y) e += p[r];
  } else if (op == Op::ash) {
    const long double thr = mean(x) + p[0] * sd(x, p[2]);
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] * sigmoid(p[1] * (x[i] - thr));
  } else if (op == Op::velu) {
    const long double s = 1 + p[4] * std::tanh(p[5] * sd(x, p[6]));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const long double c = std::fmax(-1.0L, std::fmin(1.0L, p[3] * x[i]));
      y[i] = p[0] * s * x[i] * sigmoid(p[1] * (std::atan(p[2] * x[i]) + std::asin(c)));
    }
  }
  return y;
}

int failures = 0;

void expect_close(const char* what, int level, long double got, long double want, long double scale,
                  long double tol) {
  if (!(std::fabs(got - want) <= tol * std::fmax(scale, 1e-300L))) {
    if (++failures <= 20)
      std::printf("FAIL %s (%s): got %.17Lg want %.17Lg\n", what, simd_level_name(level), got, want);
  }
}

void check(Op op, std::vector<double> p, const std::vector<int>& learnable, int level) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> nd;
  const std::ptrdiff_t rows = 3, n = 37;  // odd length: packet body and scalar tail
  std::vector<double> x(rows * n), g(rows * n), y(rows * n), gx(rows * n);
  for (std::ptrdiff_t i = 0; i < rows * n; ++i) {
    x[i] = nd(rng) * (1 + i / n) + 0.3 * (i / n);
    g[i] = nd(rng);
  }
  const normalizing::Params pr{p.data(), int(p.size())};
  const int k = normalizing::param_grad_count(op, pr);
  std::vector<double> pg(rows * k);
  normalizing::forward<double>(op, rows, n, x.data(), y.data(), pr);
  normalizing::backward<double>(op, rows, n, g.data(), x.data(), gx.data(), pg.data(), pr);
  for (std::ptrdiff_t r = 0; r < rows; ++r) {
    Row xr(x.begin() + r * n, x.begin() + (r + 1) * n), gr(g.begin() + r * n, g.begin() + (r + 1) * n);
    const Row ref = reference(op, xr, p);
    long double big = 0;
    for (long double e : ref) big = std::fmax(big, std::fabs(e));
    for (std::ptrdiff_t i = 0; i < n; ++i) expect_close("forward", level, y[r * n + i], ref[i], big, 1e-13L);
    auto loss = [&](const Row& xv, const std::vector<double>& pv) {
      const Row f = reference(op, xv, pv);
      long double s = 0;
      for (std::ptrdiff_t i = 0; i < n; ++i) s += gr[i] * f[i];
      return s;
    };
    const long double h = 1e-6L;
    long double gbig = 0;
    Row fd(n);
    for (std::ptrdiff_t j = 0; j < n; ++j) {
      Row a = xr, b = xr;
      a[j] += h;
      b[j] -= h;
      fd[j] = (loss(a, p) - loss(b, p)) / (2 * h);
      gbig = std::fmax(gbig, std::fabs(fd[j]));
    }
    for (std::ptrdiff_t j = 0; j < n; ++j) expect_close("grad_x", level, gx[r * n + j], fd[j], gbig, 1e-7L);
    for (int q = 0; q < k; ++q) {
      std::vector<double> a = p, b = p;
      a[learnable[q]] += 1e-6;
      b[learnable[q]] -= 1e-6;
      const long double want = (loss(xr, a) - loss(xr, b)) / ((long double)a[learnable[q]] - b[learnable[q]]);
      expect_close("param_grad", level, pg[r * k + q], want, std::fabs(want) + gbig, 1e-7L);
    }
  }
}

}  // namespace

int main() {
  for (int level = 0; level < simd_count; ++level) {
    if (!set_simd_level(level)) continue;
    check(Op::polynorm, {0.3, -0.45, 0.7, 0.1, 1e-6}, {0, 1, 2, 3}, level);
    check(Op::ash, {0.8, 1.7, 1e-6}, {0}, level);
    check(Op::velu, {1.3, 1.0, 1.0, 0.6, 0.5, 1.0, 1e-3}, {0}, level);
  }
  std::printf("%s: %d failures\n", failures ? "FAILED" : "ok", failures);
  return failures ? 1 : 0;
}
