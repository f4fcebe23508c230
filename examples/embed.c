/* Embedding nonlin from C: GELU forward and backward on a small array, checked against the
 * closed form x * Phi(x) computed with the C library's erfc. Exit status 0 on success. */
#include <math.h>
#include <stdio.h>

#ifndef M_PI  /* strict ISO C (-std=c11) does not define it */
#define M_PI 3.14159265358979323846
#endif

#include "nonlin/nonlin.h"

int main(void) {
  enum { N = 9 };
  float x[N], y[N], g[N], dx[N];
  for (int i = 0; i < N; ++i) {
    x[i] = (float)(i - 4);
    g[i] = 1.0f;
  }
  const int gelu = nonlin_find_op("gelu"), gelu_bwd = nonlin_find_op("gelu_backward");
  if (gelu < 0 || gelu_bwd < 0) return 1;

  const float* in1[] = {x};
  float* out1[] = {y};
  const ptrdiff_t s1[] = {sizeof(float)};
  if (nonlin_run_f32(gelu, N, in1, s1, out1, s1) != NONLIN_OK) return 1;

  const float* in2[] = {g, x};
  float* out2[] = {dx};
  const ptrdiff_t s2[] = {0, sizeof(float)}; /* grad_out broadcast from g[0] */
  if (nonlin_run_f32(gelu_bwd, N, in2, s2, out2, s1) != NONLIN_OK) return 1;

  int bad = 0;
  for (int i = 0; i < N; ++i) {
    const double xi = x[i];
    const double phi = 0.5 * erfc(-xi / sqrt(2.0));
    const double f = xi * phi, df = phi + xi * exp(-0.5 * xi * xi) / sqrt(2.0 * M_PI);
    printf("gelu(%5.1f) = %+.7e  gelu'(x) = %+.7e\n", xi, y[i], dx[i]);
    bad += fabs(y[i] - f) > 1e-6 * fmax(1.0, fabs(f)) || fabs(dx[i] - df) > 1e-6;
  }
  printf("simd level: %s, ops: %d\n", nonlin_simd_level(), nonlin_num_ops());
  printf("%d passed, %d failed\n", N - bad, bad);
  return bad != 0;
}
