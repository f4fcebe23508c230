// The CUDA launchers of registry part 1 (one translation unit per part: they compile in parallel).
#include "elementwise.cuh"

namespace nonlin::cuda {
std::vector<LaunchRow> launch_table_part1() { return launch_table<1>(); }
}  // namespace nonlin::cuda
