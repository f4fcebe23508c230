// The normalising activations' row kernels for one ISA (compiled once per ISA like
// kernels_isa.cpp): a table of forward/backward entry points per op and dtype.
#include <algorithm>
#include <vector>

#include "nonlin/normalizing/rows.h"

namespace nonlin {
inline namespace NONLIN_ISA {
namespace norm_rows {
namespace {

template <class Row, class T>
void forward_rows(std::ptrdiff_t rows, std::ptrdiff_t n, const T* x, T* y, Params p) {
  for (std::ptrdiff_t r = 0; r < rows; ++r) Row::template forward<CpuRow>(n, x + r * n, y + r * n, p);
}

template <class Row, class T>
void backward_rows(std::ptrdiff_t rows, std::ptrdiff_t n, const T* g, const T* x, T* gx,
                   double* pg, Params p) {
  const int k = Row::grads(p);
  if (n == 0) {  // empty rows: no elements, so no parameter-gradient contribution
    std::fill_n(pg, rows * k, 0.0);
    return;
  }
  std::vector<double> scratch(static_cast<std::size_t>(n));  // per-element values kept between passes
  for (std::ptrdiff_t r = 0; r < rows; ++r)
    Row::template backward<CpuRow>(n, g + r * n, x + r * n, gx + r * n, pg + r * k, p, scratch.data());
}

template <class... Rows>
constexpr Table make_table() {
  return {{&Rows::grads...}, {&forward_rows<Rows, float>...}, {&forward_rows<Rows, double>...},
          {&backward_rows<Rows, float>...}, {&backward_rows<Rows, double>...}};
}

// In Op order.
constexpr Table kTable = make_table<PolyNorm, Ash, HardAsh, Velu>();

}  // namespace
}  // namespace norm_rows
}  // namespace NONLIN_ISA

namespace normalizing {
const Table* NONLIN_CAT(table_, NONLIN_ISA)() { return &norm_rows::kTable; }
}  // namespace normalizing

}  // namespace nonlin
