// Registry metadata for an activation: everything the bindings, the catalogue and the docs need
// besides the math. Each activation struct carries one `static constexpr Meta meta`.
#pragma once

#include <cstddef>

namespace nonlin {

// Validity rule for a parameter value, checked by the Python layer (ValueError naming it).
enum class Constraint : int { any, nonzero, nonnegative, positive, at_least_previous };

struct Param {
  const char* name;
  double default_value;
  bool learnable;
  const char* doc;
  Constraint constraint = Constraint::any;
};

// Properties shown by the catalogue (nl.catalog(), python -m nonlin info).
struct Properties {
  bool smooth;        // C^inf (or at least C^1) everywhere
  bool monotonic;     // non-decreasing in x at default parameters
  bool bounded;       // bounded output range
  bool zero_centred;  // f(0) = 0 and odd-ish around 0
  bool self_gated;    // of the form x * gate(x)
  const char* range;  // output range at default parameters
};

struct Meta {
  const char* name;
  const char* formula;     // forward, in plain text math
  const char* derivative;  // d/dx, with the convention at kinks
  const char* source;      // reference (paper / PyTorch definition)
  Properties props;
  const Param* params;
  std::size_t nparams;
  double cost = 1.0;  // rough ns/element on one core, sets the multi-threading grain
};

}  // namespace nonlin
