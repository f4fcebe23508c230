// The Mittag-Leffler evaluator without Python: mpmath anchors (research/mittag_leffler.md,
// 80 digits), closed forms, the plan against the evaluator, bounded time on bad parameters.
#include <cmath>
#include <cstdio>

#include "nonlin/mittag_leffler/complex.h"
#include "nonlin/mittag_leffler/plan.h"

using namespace nonlin::ml;

static int failures = 0;

static void check(const char* what, double got, double want, double tol) {
  const double err = std::fabs(got - want) / std::fabs(want);
  if (!(err <= tol)) {
    std::printf("FAIL %s: got %.17g want %.17g (rel %.3g)\n", what, got, want, err);
    ++failures;
  }
}

int main() {
  struct Anchor { double a, b, z, e; };
  const Anchor anchors[] = {
      {0.5, 1, -10, 0.056140992743822586}, {0.5, 1, -1, 0.427583576155807},
      {0.5, 1, 0.5, 1.9523604891825571},   {0.5, 1, 5, 144009798674.66104},
      {1.5, 1, -10, -0.10971305425274015}, {1.5, 1, -1, 0.39662936531808808},
      {1.5, 1, 0.5, 1.4202702357049505},   {1.5, 1, 5, 12.457289126443951},
      {0.8, 1.2, -10, 0.047960227021242519}, {0.8, 1.2, -1, 0.49122310471753181},
      {0.8, 1.2, 0.5, 1.7791476440216097},   {0.8, 1.2, 5, 1476.5641768527399},
  };
  for (const Anchor& t : anchors) {
    check("anchor", mittag_leffler(t.z, t.a, t.b), t.e, 1e-14);
    const Plan plan(t.a, t.b, Part::value);
    check("plan anchor", plan(t.z), t.e, 1e-14);
  }
  check("dE/dz anchor", mittag_leffler_part(-1, 0.8, 1.2, Part::d_z), 0.33421039418851995, 1e-14);
  for (double z : {-700.0, -30.0, -1.0, 0.3, 25.0, 600.0}) {
    check("E11 = exp", mittag_leffler(z, 1, 1), std::exp(z), 1e-15);
    const double r = std::sqrt(std::fabs(z));
    check("E21 = cos/cosh", mittag_leffler(z, 2, 1), z < 0 ? std::cos(r) : std::cosh(r), 1e-13);
  }
  check("complex E11", std::abs(mittag_leffler(cplx(1, 2), 1, 1)), std::abs(std::exp(cplx(1, 2))), 1e-15);
  // E_{1/2,1}(2i) = e^{-4} erfc(-2i) = e^{-4} (1 + i erfi 2)  (mpmath, 30 digits)
  check("complex E_{1/2,1}(2i)", mittag_leffler(cplx(0, 2), 0.5, 1).imag(), 0.34002621706606620128, 1e-14);
  // bad parameters: NaN, never a hang
  if (!std::isnan(mittag_leffler(1.0, -1.0, 1.0)) || !std::isnan(mittag_leffler(NAN, 0.5, 1.0))) {
    std::printf("FAIL: invalid input must give NaN\n");
    ++failures;
  }
  for (double a : {1e-300, 1e-3, 50.0, 1e300})
    for (double b : {-1e4, 0.0, 1e4})
      for (double z : {-1e300, -1.0, 1e-300, 1.0, 1e300}) (void)mittag_leffler(z, a, b);
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
