// The kernels of the activations from the literature (registry part 1): the same loops as
// kernels_isa.cpp, in a translation unit of their own so the two parts compile in parallel.
#define NONLIN_KERNEL_PART 1
#include "kernels_isa.cpp"
