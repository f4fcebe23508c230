// The registry op an XLA FFI call names by its `op` attribute (the CPU and CUDA targets of
// nonlin_call): the index checked and the operand and result counts matched.
#pragma once

#include <cstdint>
#include <string>

#include "../cpu/run.h"
#include "xla/ffi/api/ffi.h"

namespace nonlin {

inline const OpInfo* ffi_op(int64_t index, std::size_t nargs, std::size_t nrets, xla::ffi::Error& error) {
  const auto& infos = op_infos();
  if (index < 0 || index >= int64_t(infos.size())) {
    error = xla::ffi::Error::InvalidArgument("nonlin: unknown op index " + std::to_string(index));
    return nullptr;
  }
  const OpInfo& op = infos[index];
  if (int(nargs) != op.nin || int(nrets) != op.nout) {
    error = xla::ffi::Error::InvalidArgument("nonlin: " + op.name + " takes " + std::to_string(op.nin) +
                                             " operands and gives " + std::to_string(op.nout));
    return nullptr;
  }
  return &op;
}

}  // namespace nonlin
