/* The C API's CUDA entry points without a GPU (as in CI): argument checks come first
 * (NONLIN_EINVAL), then a launch fails with NONLIN_ECUDA and a message, whether the build has
 * the CUDA kernels (no device) or not. On a machine with a device the launch part is skipped
 * (it would need device memory). Exit 1 on a mismatch. */
#include <stdio.h>
#include <string.h>

#include "nonlin/nonlin.h"

static int failures = 0;
static void expect(int ok, const char* what) {
  if (!ok) {
    printf("FAIL %s\n", what);
    ++failures;
  }
}

int main(void) {
  const int op = nonlin_find_op("gelu_backward");
  float host[8]; /* never dereferenced: the launch fails first (no device) */
  const void* in[2] = {host, host};
  void* out[1] = {host};
  const void* null_in[2] = {host, 0};
  void* null_out[1] = {0};
  ptrdiff_t div[2] = {1, 1}, mod[2] = {8, 8}, bad_mod[2] = {8, 9};
  const int devices = nonlin_cuda_device_count();
  expect(devices >= 0, "device count >= 0");
  expect(nonlin_cuda_run(-1, 2, 8, in, div, mod, out, 0) == NONLIN_EINVAL, "bad op");
  expect(nonlin_cuda_run(op, 4, 8, in, div, mod, out, 0) == NONLIN_EINVAL, "bad dtype");
  expect(nonlin_cuda_run(op, 2, 8, in, div, bad_mod, out, 0) == NONLIN_EINVAL, "mod > n");
  expect(nonlin_cuda_run(op, 2, 8, null_in, div, mod, out, 0) == NONLIN_EINVAL, "a NULL input");
  expect(nonlin_cuda_run(op, 2, 8, in, div, mod, null_out, 0) == NONLIN_EINVAL, "a NULL output");
  expect(nonlin_cuda_run(op, 2, 0, in, div, mod, out, 0) == NONLIN_OK, "empty launch");
  if (devices == 0) {
    expect(nonlin_cuda_run(op, 2, 8, in, div, mod, out, 0) == NONLIN_ECUDA, "no device: ECUDA");
    expect(strlen(nonlin_cuda_error()) > 0, "no device: a message");
    printf("nonlin_cuda_run without a device: %s\n", nonlin_cuda_error());
  }
  printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
