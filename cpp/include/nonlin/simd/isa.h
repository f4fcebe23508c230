// Per-ISA naming. Kernel translation units are compiled once per instruction set with
// -DNONLIN_ISA=<name> (and Eigen renamed to Eigen_<name>), so every inline or template symbol
// they emit lives in its own namespace: the linker can never merge an AVX-512 instantiation
// into code that runs on an AVX2-only CPU.
#pragma once

#ifndef NONLIN_ISA
#define NONLIN_ISA generic
#endif

// NONLIN_CAT(kernel_table_, NONLIN_ISA) -> kernel_table_avx2: per-ISA names for the entry points
#define NONLIN_CAT2(a, b) a##b
#define NONLIN_CAT(a, b) NONLIN_CAT2(a, b)

#if defined(__CUDACC__)
#define NONLIN_HD __host__ __device__
#else
#define NONLIN_HD __attribute__((always_inline))
#endif

// The activation formulas: compiled for the device too under nvcc (src/cuda), inlining left to
// the host compiler.
#if defined(__CUDACC__)
#define NONLIN_DEVICE __host__ __device__
#else
#define NONLIN_DEVICE
#endif
