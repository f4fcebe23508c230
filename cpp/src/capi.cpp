// The C API (nonlin.h) over the op table and the strided runner.
#include "nonlin/nonlin.h"

#include <cstring>

#include "cpu/dispatch.h"
#include "cpu/run.h"
#include "cpu/thread_pool.h"

using namespace nonlin;

namespace {

bool valid(int op) { return op >= 0 && op < int(op_infos().size()); }

template <class T>
int run(int op, ptrdiff_t n, const T* const* in, const ptrdiff_t* in_strides, T* const* out,
        const ptrdiff_t* out_strides) {
  if (!valid(op) || n < 0 || (n > 0 && (!in || !out || !in_strides || !out_strides)))
    return NONLIN_EINVAL;
  if (n == 0) return NONLIN_OK;  // nothing is read or written (the arrays may be NULL)
  const OpInfo& info = op_infos()[op];
  for (int k = 0; k < info.nin; ++k)
    if (!in[k]) return NONLIN_EINVAL;
  for (int k = 0; k < info.nout; ++k)
    if (!out[k]) return NONLIN_EINVAL;
  char* args[kMaxOpOperands];
  ptrdiff_t strides[kMaxOpOperands];
  for (int k = 0; k < info.nin; ++k) {
    args[k] = reinterpret_cast<char*>(const_cast<T*>(in[k]));
    strides[k] = in_strides[k];
  }
  for (int k = 0; k < info.nout; ++k) {
    args[info.nin + k] = reinterpret_cast<char*>(out[k]);
    strides[info.nin + k] = out_strides[k];
  }
  run_strided<T>(info, n, args, strides);
  return NONLIN_OK;
}

}  // namespace

extern "C" {

int nonlin_num_ops(void) { return int(op_infos().size()); }

int nonlin_find_op(const char* name) {
  if (!name) return -1;
  for (const OpInfo& op : op_infos())
    if (op.name == name) return op.index;
  return -1;
}

const char* nonlin_op_name(int op) { return valid(op) ? op_infos()[op].name.c_str() : nullptr; }

int nonlin_op_arity(int op, int* nin, int* nout) {
  if (!valid(op)) return NONLIN_EINVAL;
  if (nin) *nin = op_infos()[op].nin;
  if (nout) *nout = op_infos()[op].nout;
  return NONLIN_OK;
}

const char* nonlin_op_param(int op, int k, double* default_value) {
  if (!valid(op)) return nullptr;
  const OpInfo& info = op_infos()[op];
  const bool has_params = info.kind != OpKind::gated && info.kind != OpKind::gated_backward;
  if (!has_params || k < 0 || std::size_t(k) >= info.meta->nparams) return nullptr;
  if (default_value) *default_value = info.meta->params[k].default_value;
  return info.meta->params[k].name;
}

int nonlin_run_f32(int op, ptrdiff_t n, const float* const* in, const ptrdiff_t* in_strides,
                   float* const* out, const ptrdiff_t* out_strides) {
  return run(op, n, in, in_strides, out, out_strides);
}

int nonlin_run_f64(int op, ptrdiff_t n, const double* const* in, const ptrdiff_t* in_strides,
                   double* const* out, const ptrdiff_t* out_strides) {
  return run(op, n, in, in_strides, out, out_strides);
}

const char* nonlin_simd_level(void) { return simd_level_name(simd_level()); }

int nonlin_set_simd_level(const char* level) {
  return level && set_simd_level(simd_level_from_name(level)) ? NONLIN_OK : NONLIN_EINVAL;
}

int nonlin_get_num_threads(void) { return get_num_threads(); }

int nonlin_set_num_threads(int n) {
  if (n < 1 || n > kMaxThreads) return NONLIN_EINVAL;
  set_num_threads(n);
  return NONLIN_OK;
}

}  // extern "C"
