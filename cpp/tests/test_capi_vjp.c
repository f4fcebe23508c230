/* The C API on the ops with the most operands: golu_vjp (grad_out, x, alpha, beta, gamma ->
 * grad_x and the three parameter terms: 9 operands), parameters broadcast by stride 0, checked
 * against GoLU's closed forms in libm double arithmetic. Exit status 0 on success. */
#include <math.h>
#include <stdio.h>

#include "nonlin/nonlin.h"

static double rel(double got, double want) { return fabs(got - want) / fmax(fabs(want), 1e-300); }

int main(void) {
  enum { N = 41 };
  const int op = nonlin_find_op("golu_vjp");
  int nin = 0, nout = 0;
  if (op < 0 || nonlin_op_arity(op, &nin, &nout) != NONLIN_OK || nin != 5 || nout != 4) {
    printf("golu_vjp: op %d, arity %d -> %d (want 5 -> 4)\n", op, nin, nout);
    return 1;
  }
  double x[N], g[N], out[4][N];
  const double a = 1.3, b = 0.7, c = 1.1;
  for (int i = 0; i < N; ++i) {
    x[i] = -4.0 + 0.2 * i;
    g[i] = 0.5 + 0.01 * i;
  }
  const double* in[] = {g, x, &a, &b, &c};
  const ptrdiff_t in_strides[] = {sizeof(double), sizeof(double), 0, 0, 0};
  double* outs[] = {out[0], out[1], out[2], out[3]};
  const ptrdiff_t out_strides[] = {sizeof(double), sizeof(double), sizeof(double), sizeof(double)};
  if (nonlin_run_f64(op, N, in, in_strides, outs, out_strides) != NONLIN_OK) return 1;

  int bad = 0;
  double worst = 0;
  for (int i = 0; i < N; ++i) {
    /* f = a x G, G = exp(-b u), u = exp(-c x) */
    const double u = exp(-c * x[i]), G = exp(-b * u);
    const double want[4] = {g[i] * a * G * (1 + b * c * x[i] * u), g[i] * x[i] * G,
                            -g[i] * a * x[i] * u * G, g[i] * a * b * x[i] * x[i] * u * G};
    for (int k = 0; k < 4; ++k) {
      const double e = want[k] == 0 ? fabs(out[k][i]) : rel(out[k][i], want[k]);
      worst = fmax(worst, e);
      bad += !(e <= 1e-13);
    }
  }
  printf("golu_vjp through the C API: %d of %d values off, max relative error %.2e\n", bad, 4 * N, worst);
  return bad != 0;
}
