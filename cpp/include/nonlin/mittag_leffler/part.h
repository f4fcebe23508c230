// Which quantity an evaluation path returns: E_{a,b}(z) itself or one of its first derivatives.
// Every path (series, asymptotic expansion, contour integral, residues) is written once per
// term and differentiated termwise, so the four parts share the same machinery.
#pragma once

namespace nonlin::ml {

enum class Part { value, d_z, d_alpha, d_beta };

}  // namespace nonlin::ml
