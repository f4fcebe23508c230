// The C API's CUDA entry points (nonlin.h): the registry's elementwise ops on device arrays,
// through src/cuda/device.h where the build has the CUDA kernels; errors otherwise.
#include "nonlin/nonlin.h"

#include <string>

#include "cpu/run.h"
#if defined(NONLIN_WITH_CUDA)
#include "cuda/device.h"
#endif

namespace {

thread_local std::string last_error;  // per thread: no shared mutable state

int cuda_failure(const char* message) {
  last_error = message;
  return NONLIN_ECUDA;
}

}  // namespace

extern "C" {

int nonlin_cuda_device_count(void) {
#if defined(NONLIN_WITH_CUDA)
  return nonlin::cuda::device_count();
#else
  return 0;
#endif
}

int nonlin_cuda_run(int op, int dtype, ptrdiff_t n, const void* const* in, const ptrdiff_t* in_div,
                    const ptrdiff_t* in_mod, void* const* out, void* stream) {
  const auto& ops = nonlin::op_infos();
  if (op < 0 || op >= int(ops.size()) || dtype < 0 || dtype > 3 || n < 0) return NONLIN_EINVAL;
  if (n == 0) return NONLIN_OK;
  if (!in || !in_div || !in_mod || !out) return NONLIN_EINVAL;
  for (int k = 0; k < ops[op].nin; ++k)
    if (!in[k] || in_div[k] < 1 || in_mod[k] < 1 || in_mod[k] > n) return NONLIN_EINVAL;
  for (int k = 0; k < ops[op].nout; ++k)
    if (!out[k]) return NONLIN_EINVAL;
#if defined(NONLIN_WITH_CUDA)
  nonlin::cuda::Broadcast b[nonlin::kMaxOpOperands];
  for (int k = 0; k < ops[op].nin; ++k) b[k] = {in_div[k], in_mod[k]};
  const char* err = nonlin::cuda::run_elementwise(op, nonlin::cuda::DType(dtype), n, in, b, out, stream);
  return err ? cuda_failure(err) : NONLIN_OK;
#else
  (void)stream;
  return cuda_failure("nonlin was built without CUDA kernels");
#endif
}

const char* nonlin_cuda_error(void) { return last_error.c_str(); }

}  // extern "C"
