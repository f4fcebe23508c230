// The CUDA launchers of registry part 0 (one translation unit per part: they compile in parallel).
#include "elementwise.cuh"

namespace nonlin::cuda {
std::vector<LaunchRow> launch_table_part0() { return launch_table<0>(); }
}  // namespace nonlin::cuda
