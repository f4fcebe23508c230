// Which quantity an evaluation path returns: E_{a,b}(z) itself or one of its first derivatives.
// Every path (series, asymptotic expansion, contour integral, residues) is written once per
// term and differentiated termwise, so the four parts share the same machinery.
#pragma once

namespace nonlin::ml {

enum class Part { value, d_z, d_alpha, d_beta };

// The same for the three-parameter (Prabhakar) function: its value or a derivative in a, b or g.
enum class PPart { value, d_alpha, d_beta, d_gamma };

}  // namespace nonlin::ml
