// The per-element path of the Mittag-Leffler gated CUDA kernel (nonlin/mittag_leffler/
// gated_device.h on scalar Vec<double>, hardware FMA as on the device, launched as the CUDA
// driver launches it: cuda/ml_gated_launch.h over the host's routes), checked on the CPU against
// the SIMD driver (gated_run) that the Python tests hold to mpmath: every preset form, at its
// default parameters and at perturbed ones (plans instead of closed forms), float32 and
// float64, value / derivative / backward / per-element parameter derivatives and the
// parameter sums. Elements the path does not cover go to the host's driver on the device too,
// so only covered ones are compared; half of the finite ones must be (x in [-9, 9]: the plans
// have no tail for z beyond their asymptotic start but for the value). Exit 1 on any failure.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "../src/cuda/ml_gated_launch.h"
#include "ulp_distance.h"

using namespace nonlin::ml;

namespace {

struct Preset {
  const char* name;
  GatedForm form;
  GatedParams p;
};

// python/nonlin/ml_activations.py's presets
const Preset kPresets[] = {
    {"sigmoid", {0, GateInner::identity, GateMap::neg_exp, GateMap::zero, 1.0}, {0.0, 1.0, 1.0, 1.0}},
    {"silu", {1, GateInner::identity, GateMap::neg_exp, GateMap::zero, 1.0}, {0.0, 1.0, 1.0, 1.0}},
    {"tanh", {1, GateInner::identity, GateMap::square, GateMap::square, 1.0}, {2.0, 2.0, 2.0, 1.0}},
    {"mish", {2, GateInner::softplus, GateMap::square, GateMap::square, 1.0}, {2.0, 2.0, 2.0, 1.0}},
    {"softsign", {1, GateInner::identity, GateMap::neg_abs, GateMap::zero, 1.0}, {0.0, 1.0, 1.0, 1.0}},
    {"gelu", {1, GateInner::identity, GateMap::scaled, GateMap::half_square_ln2, 1.0}, {0.5, 1.0, 1.0, 1.0}},
    {"elu", {1, GateInner::identity, GateMap::min0, GateMap::zero, 1.0}, {1.0, 2.0, 1.0, 1.0}},
};

std::vector<double> x_grid() {
  std::vector<double> x = {0.0, -0.0, 1e-300, -1e-300, std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), std::nan("")};
  for (int i = 0; i <= 400; ++i) x.push_back(-9.0 + 18.0 * i / 400 + 1e-3);
  return x;
}

int failures = 0;
double least_covered = 1;  // the smallest share of finite elements covered by a case

void report(const char* what, const Preset& s, const GatedParams& p, const char* type, double x, double err) {
  if (++failures <= 20)
    std::printf("FAIL %s %s (%g %g %g %g) %s x=%.17g: %.3g\n", what, s.name, p.alpha1, p.beta1, p.alpha2,
                p.beta2, type, x, err);
}

constexpr GatedMode kModes[] = {GatedMode::value, GatedMode::derivative, GatedMode::backward,
                                GatedMode::param_parts, GatedMode::params};

// |a - b| within `ulps` ulp of T at the larger magnitude, or within 1e-12 (float64) / 2^-20
// (float32) of `scale` where the result cancels (derivatives, parameter terms)
template <class T>
bool close(double a, double b, double ulps, double scale) {
  if (ulp_distance<T>(T(a), T(b)) <= ulps) return true;
  const double rel = sizeof(T) == 4 ? 0x1p-20 : 1e-12;
  return std::fabs(a - b) <= rel * scale;
}

template <class T>
void check(const Preset& s, const GatedParams& p, const char* type) {
  const std::vector<double> xd = x_grid();
  const std::vector<T> x(xd.begin(), xd.end());
  const auto n = std::ptrdiff_t(x.size());
  std::vector<T> g(x.size());
  for (std::ptrdiff_t i = 0; i < n; ++i) g[i] = T(std::cos(0.37 * double(i)));
  double lo = INFINITY, hi = -INFINITY;
  for (T v : x) {  // comparisons (NaN skipped): gcc 12's aarch64 vectoriser crashes on fmin/fmax loops
    lo = std::min(lo, double(v));
    hi = std::max(hi, double(v));
  }
  for (GatedMode mode : kModes) {
    const bool parts = mode == GatedMode::param_parts || mode == GatedMode::params;
    std::vector<T> ref(parts ? 4 * x.size() : x.size());
    double sums[4] = {0, 0, 0, 0};
    gated_run<T>(s.form, p, mode, n, x.data(), g.data(), ref.data(), sums, 0xF);
    if (mode == GatedMode::params) {  // the reference: every element's terms
      gated_run<T>(s.form, p, GatedMode::param_parts, n, x.data(), g.data(), ref.data(), nullptr, 0xF);
    }
    // routes as for a large array: plans (a few hundred elements take the accurate evaluator)
    const Routes r = gated_routes(s.form, p, mode, 0xF, 1 << 20, sizeof(T) == 4, [&] { return std::pair(lo, hi); });
    nonlin::ml_device::Launch L;
    device_launch(s.form, p, mode, r, sizeof(T) == 4, L, [](PlanView&) {});  // host arrays
    int finite = 0, covered = 0;
    double dev_sums[4] = {0, 0, 0, 0}, magnitude[4] = {0, 0, 0, 0};
    std::vector<T> uncovered_x, uncovered_g;
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      double out[4];
      const bool ok = nonlin::ml_device::element(L, double(x[i]), double(g[i]), out);
      finite += std::isfinite(double(x[i]));
      if (!ok) {  // the host's element on the device too
        uncovered_x.push_back(x[i]);
        uncovered_g.push_back(g[i]);
        continue;
      }
      ++covered;
      const int rows = parts ? 4 : 1;
      for (int k = 0; k < rows; ++k) {
        const double want = double(ref[std::size_t(k) * x.size() + std::size_t(i)]);
        if (mode == GatedMode::params) {
          dev_sums[k] = std::fma(double(g[i]), out[k], dev_sums[k]);
          magnitude[k] += std::fabs(double(g[i]) * want);
          continue;
        }
        const double got = double(T(out[k]));
        // scale for cancellation: the element's terms are O(|value| + |x|) for these forms
        const double scale = std::fabs(want) + std::fabs(double(x[i])) + 1;
        if (!close<T>(got, want, 4, scale)) report(mode == GatedMode::value ? "value" : "part", s, p, type, x[i],
                                                   ulp_distance<T>(T(got), T(want)));
      }
    }
    if (mode == GatedMode::params) {
      double host[4] = {0, 0, 0, 0};
      gated_run<T>(s.form, p, GatedMode::params, std::ptrdiff_t(uncovered_x.size()), uncovered_x.data(),
                   uncovered_g.data(), nullptr, host, 0xF);
      for (int k = 0; k < 4; ++k) {
        const double got = dev_sums[k] + host[k];
        if (!(std::fabs(got - sums[k]) <= 1e-12 * magnitude[k] + 1e-300) && !(std::isnan(got) && std::isnan(sums[k])))
          report("sum", s, p, type, k, std::fabs(got - sums[k]) / magnitude[k]);
      }
    }
    least_covered = std::min(least_covered, double(covered) / finite);
    if (2 * covered < finite) report("coverage", s, p, type, double(covered), double(finite));
  }
}

}  // namespace

int main() {
  int cases = 0;
  for (const Preset& s : kPresets) {
    const GatedParams& d = s.p;
    // the defaults (closed forms where they exist) and two perturbed sets (plans)
    const GatedParams sets[] = {d,
                                {d.alpha1 * 1.1 + 0.05, d.beta1 * 1.05 + 0.1, d.alpha2 * 0.9 + 0.05, d.beta2 + 0.2},
                                {d.alpha1 * 0.8 + 0.3, d.beta1 + 0.5, d.alpha2 * 1.2, d.beta2 * 1.3}};
    for (const GatedParams& p : sets) {
      check<float>(s, p, "float32");
      check<double>(s, p, "float64");
      cases += 2;
    }
  }
  std::printf("%d cases (x %d modes), %d failures; at least %.0f%% of the finite elements covered\n", cases,
              int(std::size(kModes)), failures, 100 * least_covered);
  return failures ? 1 : 0;
}
