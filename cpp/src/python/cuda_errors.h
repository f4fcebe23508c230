// The CUDA entry points' failures as Python RuntimeErrors (nanobind translates
// std::runtime_error): a kernel's message, or a build without CUDA kernels.
#pragma once

#include <stdexcept>
#include <string>

namespace nonlin::bindings {

// Raises if err (a message from src/cuda/device.h) is set.
inline void check_cuda(const char* err, const std::string& kernel) {
  if (err) throw std::runtime_error("nonlin CUDA kernel " + kernel + ": " + err);
}

[[noreturn]] inline void no_cuda_kernels() {
  throw std::runtime_error("nonlin was built without CUDA kernels (rebuild with nvcc on the PATH, or "
                           "-Ccmake.define.NONLIN_CUDA=ON)");
}

}  // namespace nonlin::bindings
