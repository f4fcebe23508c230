// The per-element path of the series CUDA kernels (nonlin/series/element.h on scalar Vec<C>,
// hardware FMA as on the device, parameters prepared by cpu/series_prepare.h), checked on the
// CPU against the SIMD driver that the Python tests hold to the mpmath references: every family
// at several degrees, float32 and float64, forward, derivative and backward. Values and each
// element's parameter-gradient terms must agree within 2 ulp (NaN with NaN, inf with inf); the
// whole-array parameter gradients within 8 eps of the sum of the terms' magnitudes (the two
// add in different orders). Exit 1 on any failure.
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "../src/cpu/series_prepare.h"
#include "nonlin/series/element.h"
#include "ulp_distance.h"

using namespace nonlin::series;

namespace {

std::vector<double> x_grid() {
  std::vector<double> x = {0.0, -0.0, std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), std::nan(""), 1e20, -1e20};
  for (int i = 0; i <= 300; ++i) {
    const double v = std::pow(10.0, -4.0 + 6.0 * i / 300);
    x.push_back(v);
    x.push_back(-v);
  }
  return x;
}

// Random parameters of a family: coefficients in [-1, 1]; Fourier frequencies in [0.5, 3].
std::vector<double> random_params(Family f, int d, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(-1, 1), w(0.5, 3);
  std::vector<double> p(std::size_t(param_count(f, d)));
  for (auto& v : p) v = u(rng);
  if (f == Family::fourier)
    for (int k = 1; k <= d; ++k) p[std::size_t(d + k)] = w(rng);
  return p;
}

int failures = 0;

void report(const char* what, Family f, int d, const char* type, double x, double err) {
  if (++failures <= 20) std::printf("FAIL %s family %d degree %d %s x=%.17g: %.3g\n", what, int(f), d, type, x, err);
}

// C: the arithmetic of the CUDA kernels for data T (double for float32 families the CPU runs
// through float64).
template <class Fam, class C, class T>
void check_family(const Problem& p, const std::vector<double>& random, const std::vector<double>& xs,
                  std::mt19937& rng, const char* type) {
  const std::vector<T> params(random.begin(), random.end());
  const std::vector<double> p64(params.begin(), params.end());  // as the adapters pass them
  const std::vector<C> pc(p64.begin(), p64.end());
  const Args<C> a = prepare<C>(p, pc.data(), p64.data());
  const int count = a.count;
  std::uniform_real_distribution<double> gd(-2, 2);
  const std::ptrdiff_t n = std::ptrdiff_t(xs.size());
  std::vector<T> x(xs.begin(), xs.end()), g(xs.size()), y(xs.size()), dy(xs.size()), gx(xs.size());
  for (auto& v : g) v = T(gd(rng));
  Problem whole = p;
  whole.size = n;
  forward(whole, x.data(), params.data(), y.data());
  derivative(whole, x.data(), params.data(), dy.data());
  std::vector<double> sums(std::size_t(count), 0.0), scalar_sums(std::size_t(count), 0.0),
      magnitude(std::size_t(count), 0.0);
  backward(whole, g.data(), x.data(), params.data(), gx.data(), sums.data());
  Problem one = p;
  one.size = 1;
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    double none[1] = {};
    const T f = T(element<Fam, Mode::forward>(a, C(x[i]), C(0), none));
    const T df = T(element<Fam, Mode::derivative>(a, C(x[i]), C(0), none));
    std::vector<double> terms(std::size_t(count), 0.0), ref_terms(std::size_t(count), 0.0);
    const T gxi = T(element<Fam, Mode::backward>(a, C(x[i]), C(g[i]), terms.data()));
    T gx_one;
    backward(one, &g[i], &x[i], params.data(), &gx_one, ref_terms.data());
    if (ulp_distance(f, y[i]) > 2) report("forward", p.family, p.degree, type, xs[i], ulp_distance(f, y[i]));
    if (ulp_distance(df, dy[i]) > 2) report("derivative", p.family, p.degree, type, xs[i], ulp_distance(df, dy[i]));
    if (ulp_distance(gxi, gx[i]) > 2) report("grad_x", p.family, p.degree, type, xs[i], ulp_distance(gxi, gx[i]));
    for (int q = 0; q < count; ++q) {
      const double e = ulp_distance(T(terms[q]), T(ref_terms[q]));
      if (e > 2) report("parameter term", p.family, p.degree, type, xs[i], e);
      scalar_sums[q] += terms[q];  // inf and NaN terms propagate as in the driver
      magnitude[q] += std::fabs(terms[q]);
    }
  }
  for (int q = 0; q < count; ++q) {
    const double err = std::fabs(scalar_sums[q] - sums[q]);
    const bool same = std::isnan(scalar_sums[q]) ? std::isnan(sums[q]) : scalar_sums[q] == sums[q];
    if (!same && !(err <= 8 * std::numeric_limits<T>::epsilon() * magnitude[q]))
      report("parameter sum", p.family, p.degree, type, double(q), err);
  }
}

template <class T>
void check(Family f, int d, const std::vector<double>& xs, std::mt19937& rng) {
  Problem p;
  p.family = f;
  p.degree = d;
  const std::vector<double> p64 = random_params(f, d, rng);
  const char* type = sizeof(T) == 4 ? "float32" : "float64";
  auto run = [&]<class Fam>() {
    if (sizeof(T) == 4 && !native_float(f)) check_family<Fam, double, T>(p, p64, xs, rng, type);
    else check_family<Fam, T, T>(p, p64, xs, rng, type);
  };
  switch (f) {
    case Family::hermite: return run.template operator()<Hermite>();
    case Family::fourier: return run.template operator()<Fourier>();
    case Family::tropical: return run.template operator()<Tropical>();
    case Family::tropical_rational: return run.template operator()<TropicalRational>();
    case Family::polyrelu: return run.template operator()<Polyrelu>();
  }
}

}  // namespace

int main() {
  std::mt19937 rng(2026);
  const std::vector<double> xs = x_grid();
  int cases = 0;
  for (int f = 0; f <= int(Family::polyrelu); ++f) {
    const Family fam = Family(f);
    const int lo = fam == Family::hermite || fam == Family::tropical_rational ? 0 : 1;
    for (int d : {lo, 3, 6, kMaxDegree[f]}) {
      check<float>(fam, d, xs, rng);
      check<double>(fam, d, xs, rng);
      cases += 2;
    }
  }
  std::printf("%d family/degree/dtype cases, %zu inputs each: %d failures\n", cases, xs.size(), failures);
  return failures ? 1 : 0;
}
