/* The C API's argument checks that must hold without a crash: n = 0 with NULL arrays, a NULL
 * array entry, a rational descriptor whose coefficient tables cannot be allocated, a thread
 * count beyond the limit. Exit status 0 on success. */
#include <stdio.h>

#include "nonlin/nonlin.h"

static int expect(const char* what, int got, int want) {
  if (got == want) return 0;
  printf("FAIL %s: returned %d, expected %d\n", what, got, want);
  return 1;
}

int main(void) {
  int bad = 0;
  const int gelu = nonlin_find_op("gelu");
  float x[4] = {-1.0f, 0.0f, 1.0f, 2.0f}, y[4];
  const ptrdiff_t s[1] = {sizeof(float)};
  const float* null_in[1] = {NULL};
  const float* in[1] = {x};
  float* null_out[1] = {NULL};
  float* out[1] = {y};
  bad += expect("n = 0, NULL arrays", nonlin_run_f32(gelu, 0, NULL, NULL, NULL, NULL), NONLIN_OK);
  bad += expect("NULL input entry", nonlin_run_f32(gelu, 4, null_in, s, out, s), NONLIN_EINVAL);
  bad += expect("NULL output entry", nonlin_run_f32(gelu, 4, in, s, null_out, s), NONLIN_EINVAL);
  bad += expect("valid call", nonlin_run_f32(gelu, 4, in, s, out, s), NONLIN_OK);

  const float num[6] = {0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f}, den[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  nonlin_rational r = {'A', 5, 4, (ptrdiff_t)1 << 58, 1, 0, 0};
  bad += expect("rational, 2^58 groups", nonlin_rational_forward_f32(&r, 4, x, num, den, y), NONLIN_ENOMEM);
  r.groups = 1;
  bad += expect("rational, one group", nonlin_rational_forward_f32(&r, 4, x, num, den, y), NONLIN_OK);

  bad += expect("100000 threads", nonlin_set_num_threads(100000), NONLIN_EINVAL);
  bad += expect("1024 threads", nonlin_set_num_threads(1024), NONLIN_OK);
  bad += expect("2 threads", nonlin_set_num_threads(2), NONLIN_OK);
  printf("%d failures\n", bad);
  return bad != 0;
}
