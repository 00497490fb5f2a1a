#pragma once

// The RECORDER: writes core/v1 Events through the api_client after client-go's
// correlator (k8s::event_correlator, api:E3): spam filter, aggregation of
// similar messages, dedup as a count+1 strategic-merge PATCH (404 → create
// anew). One write at a time, in order, from a bounded queue (1000, drop when
// full, like client-go's broadcaster); failed writes retry up to 12 times,
// 10 s apart, then are logged and dropped. Never crashes on an API failure.

#include "actors/runtime/actor_registry.hpp"
#include "k8s/client/api_client.hpp"
#include "k8s/client/event_correlator.hpp"
#include "messages/controller_types.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kc::runtime {

/// Tuning of the RECORDER (defaults: client-go's).
struct recorder_config {
  k8s::correlator_options correlator;
  std::size_t queue_limit = 1000;
  int max_retries = 12;
  std::chrono::milliseconds retry_delay{10'000};
};

/// What the RECORDER did so far (also exported as kubecombo_events_total).
struct recorder_counts {
  uint64_t written = 0; // creates and patches that succeeded
  uint64_t skipped = 0; // dropped by the spam filter
  uint64_t dropped = 0; // queue full
  uint64_t failed = 0;  // gave up after retries / permanent errors
};

/// State of the RECORDER.
struct recorder_state {
  static inline const char* name = "recorder";
  std::shared_ptr<k8s::api_client> api;
  std::optional<k8s::event_correlator> correlator;
  recorder_config cfg;
  std::deque<event_request> queue;
  /// The write in flight (pending == 0: idle).
  uint64_t pending = 0;
  uint64_t next_id = 1;
  k8s::correlated_event current;
  bool current_is_patch = false;
  int attempts = 0;
  uint64_t timer_generation = 0;
  recorder_counts counts;
  std::string last_error;
  std::vector<caf::typed_response_promise<bool>> flush_waiters;
  /// Its /debug/actors entry (may be null).
  entry_ptr entry;
};

/// The RECORDER; `entry` is its /debug/actors entry (may be null).
recorder_actor::behavior_type
recorder(recorder_actor::stateful_pointer<recorder_state> self,
         std::shared_ptr<k8s::api_client> api, recorder_config cfg,
         entry_ptr entry);

} // namespace kc::runtime
