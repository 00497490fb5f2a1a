#pragma once

// The metrics registry and Prometheus text exposition (format 0.0.4).
//
//   auto& reg = kc::telemetry::global_registry();
//   auto& probes = reg.add_counter_family("pinger_probes_total",
//                                         "Probes sent.", {"proto", "target"});
//   auto icmp = probes.with({"icmp", "10.0.0.1"}); // lock once, keep it
//   icmp->inc();                                    // lock-free
//   probes.remove({"icmp", "10.0.0.1"});            // departed peer
//   std::string text = reg.expose();
//
// See docs/adr/0060-metrics-registry.md.

#include "telemetry/metric_types.hpp"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
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

/// Owns every metric family of a process. Registration is idempotent: asking
/// again for the same name, type and labels returns the existing metric;
/// anything else with that name throws std::invalid_argument, as do invalid
/// metric or label names. Counter names get `_total` appended if missing.
class registry {
public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  counter& add_counter(std::string_view name, std::string_view help);
  gauge& add_gauge(std::string_view name, std::string_view help);
  histogram& add_histogram(std::string_view name, std::string_view help,
                           std::vector<double> bounds);

  family<counter>& add_counter_family(std::string_view name,
                                      std::string_view help,
                                      std::vector<std::string> label_names);
  family<gauge>& add_gauge_family(std::string_view name, std::string_view help,
                                  std::vector<std::string> label_names);
  family<histogram>& add_histogram_family(std::string_view name,
                                          std::string_view help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> bounds);

  /// A counter or gauge whose value `fn` computes at each scrape (on the
  /// scraping thread, under the registry lock: `fn` must not register).
  void add_callback(metric_type type, std::string_view name,
                    std::string_view help, std::function<double()> fn);
  /// Like add_callback, with labels: `fn` returns every sample of the family.
  void add_callback_family(metric_type type, std::string_view name,
                           std::string_view help,
                           std::vector<std::string> label_names,
                           std::function<std::vector<callback_sample>()> fn);
  /// Unregisters a callback metric (e.g. before the state it reads dies).
  bool remove_callback(std::string_view name);

  /// The Prometheus text exposition (0.0.4) of every non-empty family,
  /// sorted by name.
  std::string expose() const;
  void expose(std::string& out) const;

private:
  template <class F>
  F& add_family(std::string_view name, std::string_view help, metric_type type,
                std::vector<std::string> label_names,
                std::vector<double> bounds);

  mutable std::mutex mtx_;
  std::map<std::string, std::unique_ptr<detail::family_base>, std::less<>>
      families_;
};

/// The process-wide registry that /metrics serves by default.
registry& global_registry();

/// True if `name` matches [a-zA-Z_:][a-zA-Z0-9_:]*.
bool valid_metric_name(std::string_view name);
/// True if `name` matches [a-zA-Z_][a-zA-Z0-9_]* and does not start with __.
bool valid_label_name(std::string_view name);

} // namespace kc::telemetry
