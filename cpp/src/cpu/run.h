// Running an op over arrays: contiguous fast path (multi-threaded when large) and a chunked
// gather/scatter path for any byte strides and for float16 (computed in float32).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nonlin/activations/meta.h"
#include "nonlin/ops.h"

namespace nonlin {

struct OpInfo {
  int index;         // row in the kernel tables
  OpKind kind;
  int nin, nout;
  std::string name;  // ufunc name, e.g. "gelu_backward"
  const Meta* meta;  // the activation (the gate activation for GLU ops)
};

const std::vector<OpInfo>& op_infos();

struct Half {
  std::uint16_t bits;
};

// args: nin inputs then nout outputs; strides in bytes (0 = broadcast). T: Half, float, double.
template <class T>
void run_strided(const OpInfo& op, std::ptrdiff_t n, char* const* args, const std::ptrdiff_t* strides);

}  // namespace nonlin
