// A precomputed evaluation plan for one (alpha, beta, part) on the whole real line, for arrays
// that share the parameters (the activation use): per element a table lookup and ~20 fmas
// instead of a contour integral.
//   - |z| <= 1/8: the power series, coefficients precomputed.
//   - |z|^{1/a} <= x_asym: piecewise Chebyshev interpolants (degree 20) of the part, fitted to
//     the accurate evaluator (evaluate.h) and checked against it between the nodes: a piece
//     that misses 2^-45 relative (against max(|f|, |f|_max/100) near zeros, |f|_max where
//     E oscillates; the evaluator itself is good to ~1e-14) is halved, up to 3 times, and
//     otherwise left to the accurate evaluator. For z > 2^a the interpolant is of
//     the part times e^{-z^{1/a}}, smooth and bounded, and the exponential is put back.
//   - |z|^{1/a} > x_asym: the asymptotic expansion (asymptotic.h) with its power coefficients
//     precomputed; x_asym is where a fixed number of terms is accurate for every larger |z|.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "asymptotic.h"
#include "evaluate.h"
#include "gamma.h"
#include "part.h"
#include "plan_kernel.h"
#include "residues.h"

namespace nonlin::ml {

// a * b + c in the hot loops: one fused instruction where the build targets FMA, two roundings
// otherwise (std::fma without hardware support is a slow library call).
inline double madd(double a, double b, double c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

class Plan {
 public:
  static constexpr int degree = 20;
  static constexpr int max_asym_terms = 128;
  static constexpr int tail_terms = 24;
  // |z| <= 1/8: the power series with precomputed 1/Gamma(a k + b), relative accuracy also at
  // the zero z = 0 of E for b = 0, -1, -2, ... (used if the last term is below 2^-60 of the sum)
  static constexpr double series_radius = 0.125;
  static constexpr int max_series_terms = 32;  // the fewest that reach 2^-60 are used
  // the float32 grid (PlanView::grid): degree per cell, and the most cells it may take
  static constexpr int grid_degree = 6;
  static constexpr int grid_stride = 8;  // a cell's coefficients, padded to one cache line
  static constexpr int max_grid_cells = 4096;
  static constexpr int max_accurate_calls = 256;

  // Pieces are fitted only on [zlo, zhi] (the data's range: a plan for an activation's inputs
  // costs a few pieces, not hundreds); other z between the tails take the accurate evaluator.
  Plan(double a, double b, Part part, double zlo = -INFINITY, double zhi = INFINITY)
      : a_(a), b_(b), part_(part), zlo_(std::min(zlo, 0.0)), zhi_(std::max(zhi, 0.0)) {
    ok_ = std::isfinite(a) && std::isfinite(b) && a > 0 && a <= 8 &&
          !detail::has_closed_form(a, b, part);  // exact branches are faster
    if (!ok_) return;
    for (int side : {-1, 1}) {
      const int s = side > 0;
      x_asym_[s] = find_asymptotic_start(side);
      z_asym_[s] = side * std::pow(x_asym_[s], a_);  // |z| beyond which the tail is used
      const double reach = std::pow(side > 0 ? zhi_ : -zlo_, 1 / a_);  // x of the range's end
      const double xmax = std::min({x_asym_[s], side > 0 ? 710.0 : 4096.0, reach});
      // initial pieces: unit steps in x = |z|^{1/a} (the local exponential rate is ~1)
      // (z < 0, a <= 1: completely monotone or nearly, smooth in log|z|: geometric steps)
      const bool smooth = side < 0 && a_ <= 1;
      for (double x0 = 0, x1 = 1; x0 < xmax; x0 = x1, x1 += smooth ? std::max(1.0, 0.25 * x1) : 1.0)
        fit(side * std::pow(x0, a_), side * std::pow(std::min(x1, xmax), a_), 0);
    }
    // the fewest terms whose last two are both below 2^-60 of the sum at |z| = 1/8 (two: a
    // single coefficient 1/Gamma(a k + b) vanishes where a k + b is a pole); else the pieces
    // cover |z| <= 1/8
    double total = 0, previous = INFINITY;
    for (int k = 0; k < max_series_terms && !series_ok_; ++k) {
      series_coef_[k] = series_coefficient(k);
      const double term = std::fabs(series_coef_[k]) * std::pow(series_radius, k);
      total += term;
      series_terms_ = k + 1;
      series_ok_ = k >= 4 && std::isfinite(total) && std::max(term, previous) <= 0x1p-60 * total;
      previous = term;
    }
    std::sort(pieces_.begin(), pieces_.end(), [](const Piece& p, const Piece& q) { return p.lo < q.lo; });
    bounds_.reserve(pieces_.size());
    for (const Piece& p : pieces_) bounds_.push_back(p.hi);
    make_view();
    make_grid();
  }

  // The plan as plain arrays for the SIMD kernels (plan_kernel.h); valid while the plan lives.
  const PlanView& view() const { return view_; }

  Plan(const Plan&) = delete;  // the view points into the plan
  Plan& operator=(const Plan&) = delete;

  bool valid() const { return ok_; }
  std::size_t pieces() const { return pieces_.size(); }
  std::size_t fitted() const {
    return std::count_if(pieces_.begin(), pieces_.end(), [](const Piece& p) { return p.fitted; });
  }
  double x_asym(int side) const { return x_asym_[side > 0]; }
  // the z range the pieces were asked to cover
  bool covers(double zlo, double zhi) const { return zlo_ <= zlo && zhi <= zhi_; }
  double alpha() const { return a_; }
  double beta() const { return b_; }
  Part part() const { return part_; }

  double operator()(double z, double shift = 0.0) const {
    if (!ok_ || !std::isfinite(z) || z == 0 || std::isnan(shift))
      return mittag_leffler_part(z, a_, b_, part_, shift);  // exact special values
    if (series_ok_ && std::fabs(z) <= series_radius) {
      double v = 0;
      for (int k = series_terms_ - 1; k >= 0; --k) v = madd(v, z, series_coef_[k]);
      return shift == 0 ? v : v * std::exp(-shift);
    }
    const int s = z > 0;
    if (s ? z > z_asym_[1] : z < z_asym_[0])
      return terms_[s] ? asymptotic_tail(z, shift) : mittag_leffler_part(z, a_, b_, part_, shift);
    const Piece* p = piece(z);
    if (!p) return mittag_leffler_part(z, a_, b_, part_, shift);
    return finish(*p, clenshaw(*p, z), z, shift);
  }

 private:
  struct Piece {
    double lo, hi;
    bool scaled, fitted;
    std::array<double, degree + 1> c;
  };

  void make_view() {
    PlanView& v = view_;
    v.plan = this;
    v.fallback = [](const void* plan, double z, double shift) { return (*static_cast<const Plan*>(plan))(z, shift); };
    if (pieces_.empty()) return;
    v.pieces = int(pieces_.size());
    v.degree = degree;
    v.stride = degree + 4;
    v.lo = pieces_.front().lo;
    v.hi = bounds_.data();
    packed_.reserve(pieces_.size() * v.stride);
    for (const Piece& p : pieces_) {
      double largest = 0, dropped = 0;
      for (double c : p.c) largest = std::max(largest, std::fabs(c));
      int d = degree;
      while (d > 1 && dropped + std::fabs(p.c[d]) <= 0x1p-30 * largest) dropped += std::fabs(p.c[d--]);
      if (p.fitted) v.degree_f32 = std::max(v.degree_f32, d);
      packed_.insert(packed_.end(), {0.5 * (p.lo + p.hi), 2 / (p.hi - p.lo), p.fitted ? 1.0 + p.scaled : 0.0});
      packed_.insert(packed_.end(), p.c.begin(), p.c.end());
    }
    v.data = packed_.data();
    const double span = bounds_.back() - v.lo;
    v.buckets = int(std::min<std::size_t>(16384, 64 * pieces_.size()));
    v.bucket_scale = v.buckets / span;
    const double margin = 0x1p-40 * std::max(std::fabs(v.lo), std::fabs(bounds_.back()));  // rounding of the index
    for (int j = 0; j < v.buckets; ++j) {
      const double start = v.lo + j * (span / v.buckets) - margin, end = v.lo + (j + 1) * (span / v.buckets) + margin;
      const auto first = std::lower_bound(bounds_.begin(), bounds_.end(), start) - bounds_.begin();
      const auto last = std::lower_bound(bounds_.begin(), bounds_.end(), end) - bounds_.begin();
      bucket_first_.push_back(double(std::min<std::ptrdiff_t>(first, v.pieces - 1)));
      v.bucket_steps = std::max<int>(v.bucket_steps, int(std::min<std::ptrdiff_t>(last, v.pieces - 1) - first));
    }
    v.bucket_first = bucket_first_.data();
    v.inv_alpha = 1 / a_;
    if (series_ok_) {
      v.series_radius = series_radius;
      v.series_terms = series_terms_;
      v.series = series_coef_.data();
    }
    // z < 0, a < 1: no poles on the principal sheet, the tail is its power sum alone
    if (a_ < 1 && terms_[0] > 0) {
      v.tail_z = z_asym_[0];
      v.tail_terms = terms_[0];
      v.tail_extra_w = part_ == Part::d_z;
    }
    if (a_ < 2 && terms_[1] > 0 && part_ == Part::value) {
      v.tail_pos_z = z_asym_[1];
      v.tail_pos_terms = terms_[1];
      v.log_alpha = std::log(a_);
      v.one_minus_beta = 1 - b_;
    }
    v.tail = coef_.data();
  }

  // The float32 grid over the asked range (the pieces' span where that is infinite) short of
  // the tails: cells of width w aligned on z = 32^a, beyond which they hold the part times
  // e^{-z^{1/a}} (below, the part itself, < ~e^32: no exponential to put back for the usual
  // ranges), interpolated at Chebyshev points from this plan (good to 2^-45) and checked
  // between them and at the ends to 2^-30 (2^6 below float32 rounding) against the same
  // floors as the pieces. The cell count doubles from 16 until every cell with finite values
  // passes; cells that still fail, hold non-finite values or (without the series) a zero of
  // the part at z = 0 get NaN coefficients and are left to the pieces.
  // Over the whole range if that fits in max_grid_cells, else short of the tails (the kernel
  // evaluates the view's tails, power sums, itself).
  void make_grid() {
    const double lo = std::isfinite(zlo_) ? zlo_ : (pieces_.empty() ? 0.0 : pieces_.front().lo);
    const double hi = std::isfinite(zhi_) ? zhi_ : (pieces_.empty() ? 0.0 : bounds_.back());
    const double tails_lo = std::max(lo, view_.tail_z), tails_hi = std::min(hi, view_.tail_pos_z);
    if ((tails_lo == lo && tails_hi == hi) || !fit_grid(lo, hi, false)) fit_grid(tails_lo, tails_hi, true);
  }

  // The grid over [glo, ghi]; false if some cell with finite values still fails at the most
  // cells (kept anyway if keep_partial).
  bool fit_grid(double glo, double ghi, bool keep_partial) {
    grid_.clear();
    if (!(ghi > glo)) return false;
    const double from = std::pow(32.0, a_);
    constexpr int n = grid_degree + 1;
    for (int cells = 16; cells <= max_grid_cells; cells *= 2) {
      const double w = (ghi - glo) / cells;
      const double first_scaled = std::ceil((from - glo) / w);  // the cell starting at 32^a
      const double origin = from - first_scaled * w;
      const int count = int(std::ceil((ghi - origin) / w));
      grid_.assign(std::size_t(count) * grid_stride + 8, NAN);
      int accurate_calls = 0;
      // cache-line aligned records (the AVX-512 kernel loads each lane's record whole)
      const std::size_t start = (64 - reinterpret_cast<std::uintptr_t>(grid_.data()) % 64) % 64 / sizeof(double);
      int unfitted = 0;
      for (int k = 0; k < count; ++k) {
        const double lo = origin + k * w, hi = lo + w;
        const bool scaled = k >= first_scaled;
        // where this plan itself takes the accurate evaluator (unfitted pieces, the range's
        // ends) at most max_accurate_calls per attempt; cells beyond that budget stay with the
        // pieces (bounds the grid's cost)
        bool slow = false;
        auto f = [&](double t) {
          const double z = 0.5 * (lo + hi) + 0.5 * w * t;
          slow = slow || (!precomputed(z) && ++accurate_calls > max_accurate_calls);
          return slow ? NAN : (*this)(z, scaled ? pole_modulus(z, a_) : 0.0);
        };
        double fmax;
        const std::array<double, n> c = chebyshev_interpolant<n>(f, fmax);
        if (!std::isfinite(fmax)) continue;
        // around 0 the kernel takes the series where it has one (|z| <= series_radius: not
        // checked here); without it, a zero of the part at 0 is left to the pieces
        const bool zero_cell = lo <= 0 && hi >= 0;
        if (zero_cell && !series_ok_ && !(std::fabs((*this)(0.0)) >= 0.5 * fmax)) continue;
        const std::array<double, n> mono = chebyshev_to_monomial(c);
        const double floor = (hi <= 0 && a_ > 1) ? 1.0 : 0.01;
        bool good = true;
        for (int j = -1; good && j <= grid_degree; ++j) {  // between the nodes and at the ends
          const double t = j < 0 ? -1.0 : j == grid_degree ? 1.0 : std::cos(std::numbers::pi * (j + 1.0) / n);
          if (zero_cell && series_ok_ && std::fabs(0.5 * (lo + hi) + 0.5 * w * t) <= series_radius) continue;
          double p = 0;
          for (int m = grid_degree; m >= 0; --m) p = p * t + mono[m];
          const double exact = f(t);
          good = std::fabs(p - exact) <= 0x1p-30 * std::max(std::fabs(exact), floor * fmax);
        }
        if (!good) {
          unfitted += !slow;
          continue;
        }
        std::copy(mono.begin(), mono.end(), grid_.begin() + std::ptrdiff_t(start + k * grid_stride));
      }
      if (unfitted == 0 || (keep_partial && cells == max_grid_cells)) {
        view_.grid_cells = count;
        view_.grid_degree = grid_degree;
        view_.grid_origin = origin;
        view_.grid_scale = 1 / w;
        view_.grid_first_scaled = first_scaled;
        view_.grid_stride = grid_stride;
        view_.grid = grid_.data() + start;
        return unfitted == 0;
      }
    }
    return false;
  }

  // whether operator() at z takes a precomputed path (series, tail, fitted piece), not the
  // accurate evaluator
  bool precomputed(double z) const {
    if (!std::isfinite(z) || z == 0) return true;
    if (series_ok_ && std::fabs(z) <= series_radius) return true;
    if (z > 0 ? z > z_asym_[1] : z < z_asym_[0]) return terms_[z > 0] > 0;
    return piece(z) != nullptr;
  }

  // The Chebyshev coefficients of the degree N - 1 interpolant of f on [-1, 1] at the points
  // cos(pi (j + 1/2) / N), and fmax = max |f| there (NaN if a value is)
  template <int N, class F>
  static std::array<double, N> chebyshev_interpolant(F&& f, double& fmax) {
    std::array<double, N> values, c;
    fmax = 0;
    for (int j = 0; j < N; ++j) {
      values[j] = f(std::cos(std::numbers::pi * (j + 0.5) / N));
      fmax = std::isnan(values[j]) ? NAN : std::max(fmax, std::fabs(values[j]));
    }
    for (int k = 0; k < N; ++k) {
      double s = 0;
      for (int j = 0; j < N; ++j) s += values[j] * std::cos(std::numbers::pi * k * (j + 0.5) / N);
      c[k] = (k == 0 ? 1.0 : 2.0) * s / N;
    }
    return c;
  }

  // sum_m c_m T_m(t) as sum_m p_m t^m (T_{m+1} = 2 t T_m - T_{m-1})
  template <std::size_t N>
  static std::array<double, N> chebyshev_to_monomial(const std::array<double, N>& c) {
    std::array<double, N> p{}, prev{}, cur{}, next{};
    prev[0] = 1;  // T_0
    if (N > 1) cur[1] = 1;  // T_1
    for (std::size_t m = 0; m < N; ++m) {
      const std::array<double, N>& tm = m == 0 ? prev : cur;
      for (std::size_t i = 0; i < N; ++i) p[i] += c[m] * tm[i];
      if (m == 0) continue;
      for (std::size_t i = 0; i < N; ++i) next[i] = 2 * (i ? cur[i - 1] : 0.0) - prev[i];
      prev = cur;
      cur = next;
    }
    return p;
  }

  // The fitted piece with lo <= z <= hi, or nullptr (branch-free lower bound on the upper ends).
  const Piece* piece(double z) const {
    std::size_t base = 0, len = bounds_.size();
    if (len == 0 || z > bounds_.back()) return nullptr;
    while (len > 1) {
      const std::size_t half = len / 2;
      base = bounds_[base + half - 1] < z ? base + half : base;
      len -= half;
    }
    const Piece& p = pieces_[base];
    return p.fitted && z >= p.lo ? &p : nullptr;
  }

  double finish(const Piece& p, double v, double z, double shift) const {
    return p.scaled ? v * std::exp(pole_modulus(z, a_) - shift) : (shift == 0 ? v : v * std::exp(-shift));
  }

  // f on the piece: the part, times e^{-x} if scaled
  double target(double z, bool scaled) const {
    return mittag_leffler_part(z, a_, b_, part_, scaled ? pole_modulus(z, a_) : 0.0);
  }

  static double clenshaw(const Piece& p, double z) {
    const double t = (2 * z - (p.lo + p.hi)) / (p.hi - p.lo);
    double b1 = 0, b2 = 0;
    for (int k = degree; k >= 1; --k) {
      const double b0 = madd(2 * t, b1, p.c[k] - b2);
      b2 = b1;
      b1 = b0;
    }
    return madd(t, b1, p.c[0] - b2);
  }

  void fit(double za, double zb, int depth) {
    Piece p;
    p.lo = std::min(za, zb);
    p.hi = std::max(za, zb);
    p.scaled = p.lo >= std::pow(2.0, a_);
    p.fitted = false;
    constexpr int n = degree + 1;
    double fmax;
    p.c = chebyshev_interpolant<n>(
        [&](double t) { return target(0.5 * (p.lo + p.hi) + 0.5 * (p.hi - p.lo) * t, p.scaled); }, fmax);
    // errors near zeros count against the piece's maximum (all of it where E oscillates)
    const double floor = (p.hi <= 0 && a_ > 1) ? 1.0 : 0.01;
    // After the last halving, a piece away from z = 0 is kept at 2^-40: there the evaluator's
    // own error can reach ~3e-13 (where it switches from the series to the inversion, e.g.
    // d_beta of E_{1,2} at z = -1.62), and the interpolant through its values is as good.
    const double tol = depth < 3 || p.lo == 0 || p.hi == 0 ? 0x1p-45 : 0x1p-40;
    bool good = std::isfinite(fmax);
    for (int j = 0; good && j < degree; ++j) {  // between the nodes
      const double t = std::cos(std::numbers::pi * (j + 1.0) / n);
      const double z = 0.5 * (p.lo + p.hi) + 0.5 * (p.hi - p.lo) * t;
      const double exact = target(z, p.scaled);
      good = std::fabs(clenshaw(p, z) - exact) <= tol * std::max(std::fabs(exact), floor * fmax);
    }
    if (good || depth >= 3) {
      p.fitted = good;
      pieces_.push_back(p);
      return;
    }
    const double mid = 0.5 * (p.lo + p.hi);
    fit(p.lo, mid, depth + 1);
    fit(mid, p.hi, depth + 1);
  }

  // Smallest x (of a coarse grid) from which at most `tail_terms` asymptotic terms suffice
  // for all larger |z| (the term bound only falls as |z| grows); fixes the coefficients.
  double find_asymptotic_start(int side) {
    const int s = side > 0;
    for (double x = 16; x <= 1e6; x *= 1.125) {
      const double z = side * std::pow(x, a_);
      if (!std::isfinite(z)) break;
      int used = 0;
      const AsymptoticSum r = asymptotic(z, a_, b_, part_, 0.0, max_asym_terms, &used);
      // converged, and with few enough terms to be cheaper than extending the pieces
      if (!r.converged || (used > tail_terms && x < 512)) continue;
      terms_[s] = used;
      for (int k = 1; k <= used; ++k) coef_[k] = asymptotic_coefficient(k);
      // farther out fewer terms suffice: zones from x 4^j on with their own term counts
      for (int j = 0; j < zones; ++j) {
        const double xj = x * std::pow(4.0, j), zj = side * std::pow(xj, a_);
        int used_j = used;
        if (j > 0 && std::isfinite(zj) && !asymptotic(zj, a_, b_, part_, 0.0, used, &used_j).converged)
          used_j = used;
        zone_abs_z_[s][j] = std::isfinite(zj) ? std::fabs(zj) : INFINITY;
        zone_terms_[s][j] = std::min(used_j, j ? zone_terms_[s][j - 1] : used);
      }
      return x;
    }
    terms_[s] = 0;
    return 710.0;  // pieces up to overflow
  }

  // coefficient of z^k in the power series of the part
  double series_coefficient(int k) const {
    switch (part_) {
      case Part::value: return rgamma(a_ * k + b_);
      case Part::d_z: return (k + 1) * rgamma(a_ * (k + 1) + b_);
      case Part::d_beta: return rgamma_deriv(a_ * k + b_);
      case Part::d_alpha: return k * rgamma_deriv(a_ * k + b_);
    }
    return 0;
  }

  double asymptotic_coefficient(int k) const {
    const double arg = b_ - a_ * k;
    switch (part_) {
      case Part::value: return -rgamma(arg);
      case Part::d_z: return k * rgamma(arg);
      case Part::d_beta: return -rgamma_deriv(arg);
      case Part::d_alpha: return k * rgamma_deriv(arg);
    }
    return 0;
  }

  double asymptotic_tail(double z, double shift) const {
    const int s = z > 0;
    const double w = 1 / z;
    double power = 0;
    int terms = zone_terms_[s][0];
    for (int j = 1; j < zones && std::fabs(z) >= zone_abs_z_[s][j]; ++j) terms = zone_terms_[s][j];
    for (int k = terms; k >= 1; --k) power = madd(power, w, coef_[k]);
    power *= w;
    if (part_ == Part::d_z) power *= w;
    double res = residue_sum(z, a_, b_, part_, shift);
    if (a_ == 1.0 && z < 0) res += stokes_term_a1(z, b_, part_, shift);
    return res + (shift == 0 ? power : power * std::exp(-shift));
  }

  double a_, b_;
  Part part_;
  double zlo_, zhi_;
  bool ok_ = false;
  double x_asym_[2] = {710.0, 710.0};
  double z_asym_[2] = {-INFINITY, INFINITY};
  int terms_[2] = {0, 0};
  static constexpr int zones = 6;
  double zone_abs_z_[2][zones] = {};
  int zone_terms_[2][zones] = {};
  std::array<double, max_asym_terms + 1> coef_{};
  std::array<double, max_series_terms> series_coef_{};
  int series_terms_ = 0;
  bool series_ok_ = false;
  std::vector<Piece> pieces_;
  std::vector<double> bounds_;
  std::vector<double> packed_, bucket_first_;  // the pieces for the kernels
  std::vector<double> grid_;  // the float32 grid
  PlanView view_;
};

}  // namespace nonlin::ml
