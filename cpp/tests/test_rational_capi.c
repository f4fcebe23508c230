/* The rational-activation C API (nonlin.h) against the closed form in long double: forward,
 * derivative and backward with per-group coefficient gradients (two groups), float32 and
 * float64; the same gradients for 1 and 2 threads; NONLIN_EINVAL for bad arguments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nonlin/nonlin.h"

static const double A[2][6] = {{-0.0012, 0.508, 0.416, 0.130, 0.0244, 0.0029},
                               {0.3, -1.2, 0.8, 0.45, -0.07, 0.011}};
static const double B[2][4] = {{-0.0668, 0.179, 0.0375, 0.0}, {0.3, 0.6, -0.1, 0.2}};

/* version A: F, dF/dx, dF/da_j, dF/db_k (sign(0) = 0) */
static void closed_form(int grp, long double x, long double* f, long double* d, long double* da,
                        long double* db) {
  long double p = 0, dp = 0, q = 1, dq = 0, ax = fabsl(x), s = x > 0 ? 1 : x < 0 ? -1 : 0;
  for (int j = 0; j < 6; ++j) {
    p += A[grp][j] * powl(x, j);
    if (j) dp += j * A[grp][j] * powl(x, j - 1);
  }
  for (int k = 1; k <= 4; ++k) {
    q += fabsl(B[grp][k - 1]) * powl(ax, k);
    dq += s * k * fabsl(B[grp][k - 1]) * powl(ax, k - 1);
  }
  *f = p / q;
  *d = (dp - *f * dq) / q;
  for (int j = 0; j < 6; ++j) da[j] = powl(x, j) / q;
  for (int k = 1; k <= 4; ++k) {
    const long double b = B[grp][k - 1];
    db[k - 1] = -p / (q * q) * (b > 0 ? 1 : b < 0 ? -1 : 0) * powl(ax, k);
  }
}

static int failures = 0;
static void check(const char* what, double got, long double want, double tol) {
  if (!(fabsl(got - want) <= tol * (1 + fabsl(want)))) {
    printf("FAIL %s: got %.17g want %.17Lg\n", what, got, want);
    ++failures;
  }
}

int main(void) {
  enum { N = 64, RUN = 8 };  /* element i is in group (i / 8) % 2 */
  double x[N], g[N], y[N], d[N], gx[N], num[12], den[8], gnum[12], gden[8];
  float xf[N], gf[N], yf[N], gxf[N], numf[12], denf[8];
  long double wnum[12] = {0}, wden[8] = {0};
  memcpy(num, A, sizeof num);
  memcpy(den, B, sizeof den);
  for (int i = 0; i < 12; ++i) numf[i] = (float)num[i];
  for (int i = 0; i < 8; ++i) denf[i] = (float)den[i];
  for (int i = 0; i < N; ++i) {
    x[i] = i == N / 2 ? 0.0 : -4.0 + 8.0 * i / (N - 1) + 0.01;
    g[i] = 0.5 + 0.01 * i;
  }
  for (int i = 0; i < N; ++i) {
    xf[i] = (float)x[i];
    gf[i] = (float)g[i];
  }
  nonlin_rational r = {'A', 5, 4, 2, RUN, 0, 0};
  if (nonlin_rational_forward_f64(&r, N, x, num, den, y) ||
      nonlin_rational_derivative_f64(&r, N, x, num, den, d) ||
      nonlin_rational_backward_f64(&r, N, g, x, num, den, gx, gnum, gden) ||
      nonlin_rational_forward_f32(&r, N, xf, numf, denf, yf)) {
    printf("FAIL: a valid call returned an error\n");
    return 1;
  }
  double gnumf[12], gdenf[8];
  nonlin_rational_backward_f32(&r, N, gf, xf, numf, denf, gxf, gnumf, gdenf);
  nonlin_rational_backward_f64(&r, N, g, x, num, den, gx, gnum, gden);
  for (int i = 0; i < N; ++i) {
    const int grp = (i / RUN) % 2;
    long double f, dd, da[6], db[4];
    closed_form(grp, x[i], &f, &dd, da, db);
    check("f64 forward", y[i], f, 1e-14);
    check("f64 derivative", d[i], dd, 1e-14);
    check("f64 grad_x", gx[i], g[i] * dd, 1e-14);
    check("f32 forward", yf[i], f, 1e-6);
    check("f32 grad_x", gxf[i], g[i] * dd, 1e-6);
    for (int j = 0; j < 6; ++j) wnum[grp * 6 + j] += g[i] * da[j];
    for (int k = 0; k < 4; ++k) wden[grp * 4 + k] += g[i] * db[k];
  }
  for (int j = 0; j < 12; ++j) check("grad_num", gnum[j], wnum[j], 1e-13);
  for (int k = 0; k < 8; ++k) check("grad_den", gden[k], wden[k], 1e-13);
  for (int j = 0; j < 12; ++j) check("f32 grad_num", gnumf[j], wnum[j], 1e-5);
  if (gden[3] != 0.0 || gdenf[3] != 0.0) {  /* b_4 = 0: no gradient (sign(0) = 0) */
    printf("FAIL: b_4 = 0 received a gradient\n");
    ++failures;
  }

  /* determinism across threads on a larger problem */
  enum { M = 300001 };
  float* xs = malloc(M * sizeof(float));
  float* gs = malloc(M * sizeof(float));
  float* out = malloc(M * sizeof(float));
  double g1[12], d1[8], g2[12], d2[8];
  for (int i = 0; i < M; ++i) {
    xs[i] = (float)(3.0 * sin(0.37 * i));
    gs[i] = (float)cos(0.11 * i);
  }
  nonlin_rational one = {'A', 5, 4, 1, 0, 0, 0};
  nonlin_set_num_threads(1);
  nonlin_rational_backward_f32(&one, M, gs, xs, numf, denf, out, g1, d1);
  nonlin_set_num_threads(2);
  nonlin_rational_backward_f32(&one, M, gs, xs, numf, denf, out, g2, d2);
  if (memcmp(g1, g2, 6 * sizeof(double)) || memcmp(d1, d2, 4 * sizeof(double))) {
    printf("FAIL: gradients differ between 1 and 2 threads\n");
    ++failures;
  }
  free(xs);
  free(gs);
  free(out);

  nonlin_rational bad = {'E', 5, 4, 1, 0, 0, 0};
  if (nonlin_rational_forward_f64(&bad, N, x, num, den, y) != NONLIN_EINVAL) ++failures;
  nonlin_rational deg = {'A', 40, 4, 1, 0, 0, 0};
  if (nonlin_rational_forward_f64(&deg, N, x, num, den, y) != NONLIN_EINVAL) ++failures;
  if (nonlin_rational_forward_f64(NULL, N, x, num, den, y) != NONLIN_EINVAL) ++failures;
  printf(failures ? "rational C API: %d failures\n" : "rational C API: ok\n", failures);
  return failures != 0;
}
