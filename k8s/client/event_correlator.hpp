#pragma once

// client-go's EventCorrelator (tools/record/events_cache.go, api:E3) as
// plain, clock-injected logic: aggregation of similar messages, dedup into
// count+1 patches, and the per object+source spam filter. The RECORDER actor
// writes what this decides through the api_client.

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <set>
#include <string>
#include <unordered_map>

namespace kc::k8s {

/// The object an Event is about (core/v1 ObjectReference).
struct involved_object {
  std::string kind;
  std::string api_version; // e.g. "vpn-gw.kubecombo.com/v1"
  std::string ns;
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string field_path;
};

/// One event to record.
struct event_input {
  involved_object object;
  std::string type = "Normal"; // Normal | Warning
  std::string reason;
  std::string message;
};

/// Tuning; the defaults are client-go's.
struct correlator_options {
  /// source.component and reportingComponent.
  std::string component = "kubecombo-controller";
  /// source.host.
  std::string host;
  /// reportingInstance.
  std::string instance;
  int spam_burst = 25;
  std::chrono::seconds spam_refill{300}; // one token per 5 min
  std::size_t max_similar = 10;          // aggregate from the 10th message
  std::chrono::seconds max_interval{600};
  std::size_t cache_size = 4096;
};

/// What to write for one event.
struct correlated_event {
  enum kind { skip, create, patch } what = skip;
  std::string ns;
  std::string name;
  /// The full Event (create; also the fallback when a patch answers 404).
  boost::json::object body;
  /// Strategic-merge patch (count, lastTimestamp, message, series).
  std::string patch_body;
  /// The dedup cache key (pass back to update_state).
  std::string key;
  int count = 1;
};

/// The correlator; not thread-safe (one RECORDER owns it).
class event_correlator {
public:
  using wall = std::chrono::system_clock::time_point;
  explicit event_correlator(correlator_options o);

  /// Aggregates, dedups and filters one event observed at `now`.
  correlated_event correlate(const event_input& in, wall now);

  /// Records the server's answer to a successful write (name and count).
  void update_state(const std::string& key, const std::string& name, int count);

  const correlator_options& options() const { return opts_; }

private:
  template <class V>
  struct lru {
    std::size_t cap;
    std::list<std::pair<std::string, V>> items;
    std::unordered_map<std::string,
                       typename std::list<std::pair<std::string, V>>::iterator>
        index;
    V* find(const std::string& k);
    V& put(const std::string& k, V v);
  };
  struct aggregate_record {
    std::set<std::string> messages;
    wall last{};
  };
  struct log_record {
    int count = 0;
    std::string first_timestamp;
    std::string name;
  };
  struct bucket {
    double tokens = 0;
    wall last{};
  };

  bool spam_accept(const std::string& key, wall now);

  correlator_options opts_;
  lru<aggregate_record> aggregates_;
  lru<log_record> logs_;
  lru<bucket> buckets_;
};

/// The aggregate message prefix.
inline constexpr const char* combined_prefix
    = "(combined from similar events): ";

} // namespace kc::k8s
