// Per-ISA naming. Kernel translation units are compiled once per instruction set with
// -DNONLIN_ISA=<name> (and Eigen renamed to Eigen_<name>), so every inline or template symbol
// they emit lives in its own namespace: the linker can never merge an AVX-512 instantiation
// into code that runs on an AVX2-only CPU.
#pragma once

#ifndef NONLIN_ISA
#define NONLIN_ISA generic
#endif

#if defined(__CUDACC__)
#define NONLIN_HD __host__ __device__
#else
#define NONLIN_HD __attribute__((always_inline))
#endif
