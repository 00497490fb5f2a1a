#pragma once

// Metric families: the children of one metric name, one per tuple of label
// values, and the shared base the registry exposes. Included by metrics.hpp.

#include "telemetry/metric_types.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kc::telemetry {

enum class metric_type { counter, gauge, histogram };

/// One labelled value produced by a callback family at scrape time.
struct callback_sample {
  std::vector<std::string> label_values;
  double value = 0;
};

namespace detail {

/// What every family shares; `expose` appends HELP, TYPE and the samples.
class family_base {
public:
  family_base(std::string name, std::string help, metric_type type,
              std::vector<std::string> label_names);
  virtual ~family_base();
  virtual void expose(std::string& out) const = 0;
  const std::string& name() const noexcept {
    return name_;
  }
  metric_type type() const noexcept {
    return type_;
  }
  const std::vector<std::string>& label_names() const noexcept {
    return label_names_;
  }

protected:
  std::string name_;
  std::string help_;
  metric_type type_;
  std::vector<std::string> label_names_;
};

/// Orders label-value tuples; transparent so a lookup needs no allocation.
struct values_less {
  using is_transparent = void;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(),
        [](std::string_view x, std::string_view y) { return x < y; });
  }
};

} // namespace detail

/// Children of one metric, one per tuple of label values (in the order of
/// the family's label names). Creating or removing a child takes a lock;
/// updating one through its handle does not.
template <class T>
class family final : public detail::family_base {
public:
  using handle = std::shared_ptr<T>;
  family(std::string name, std::string help, metric_type type,
         std::vector<std::string> label_names, std::vector<double> bounds);

  /// The child for these label values, created on first use. The handle stays
  /// usable after `remove` (its updates are then simply not exported).
  /// Throws std::invalid_argument on a wrong number of values.
  handle with(std::initializer_list<std::string_view> values);
  handle with(const std::vector<std::string>& values);

  /// Drops a child series; true if it existed.
  bool remove(std::initializer_list<std::string_view> values);
  bool remove(const std::vector<std::string>& values);
  void clear();
  std::size_t size() const;
  /// The bucket bounds of a histogram family (empty otherwise).
  const std::vector<double>& bounds() const noexcept {
    return bounds_;
  }

  void expose(std::string& out) const override;

private:
  template <class Range>
  handle with_range(const Range& values);
  template <class Range>
  bool remove_range(const Range& values);

  mutable std::shared_mutex mtx_;
  std::map<std::vector<std::string>, handle, detail::values_less> children_;
  std::vector<double> bounds_; // histograms only
};

extern template class family<counter>;
extern template class family<gauge>;
extern template class family<histogram>;

} // namespace kc::telemetry
