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

#include "telemetry/family.hpp"
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
