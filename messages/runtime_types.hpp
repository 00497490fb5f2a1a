#pragma once

// Vocabulary of the actor runtime (actors/runtime): informer events, the
// client bridge payloads, supervisor child specs and reconcile results.
// Type-id block `kc_runtime` (caf::first_custom_type_id + 20); register it
// with `cfg.add_message_types<caf::id_block::kc_runtime>()`.

#include "messages/atoms.hpp"
#include "messages/type_ids.hpp"
#include "messages/types.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/timespan.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::json {
class object;
} // namespace boost::json

namespace kc::k8s {
struct http_result;
} // namespace kc::k8s

namespace kc::runtime {
class actor_entry;
} // namespace kc::runtime

namespace kc {
struct child_context;
} // namespace kc

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const boost::json::object>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const kc::k8s::http_result>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
  std::function<caf::actor(caf::local_actor*, const kc::child_context&)>)

namespace kc {

/// The immutable JSON of one object, shared by every subscriber.
/// Local only, never serialized.
using snapshot_ptr = std::shared_ptr<const boost::json::object>;

/// An INFORMER event (DESIGN §3 data flow): the latest snapshot of `key`,
/// null when the object is gone (also for deletes synthesised on relist).
struct resource_event {
  /// The informer's kind, e.g. "pods" (its name is informer/<kind>).
  std::string kind;
  /// The object's namespace and name.
  object_key key;
  /// The latest state; null on delete.
  snapshot_ptr snapshot;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resource_event& x) {
  return f(caf::meta::type_name("kc::resource_event"), x.kind, x.key,
           x.snapshot);
}

/// A finished REST call, handed from the client's io thread to an actor.
/// Local only, never serialized.
struct api_reply {
  std::shared_ptr<const k8s::http_result> result;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, api_reply& x) {
  return f(caf::meta::type_name("kc::api_reply"), x.result);
}

/// One watch event from the client's io thread.
struct watch_item {
  /// k8s::watch_event_type as an integer.
  uint8_t type = 0;
  /// The object (the Status for ERROR events).
  snapshot_ptr object;
  /// metadata.resourceVersion of the object.
  std::string rv;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watch_item& x) {
  return f(caf::meta::type_name("kc::watch_item"), x.type, x.object, x.rv);
}

/// The end of a watch stream; code 0 means a normal end (re-watch).
struct watch_end_info {
  /// kc::ec as an integer.
  uint8_t code = 0;
  uint32_t http_status = 0;
  std::string reason;
  std::string message;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, watch_end_info& x) {
  return f(caf::meta::type_name("kc::watch_end_info"), x.code, x.http_status,
           x.reason, x.message);
}

/// What a SUPERVISOR hands a child it starts: the child's name and
/// parent (DESIGN §3) and its /debug/actors entry (may be null).
struct child_context {
  std::string name;
  std::string parent;
  std::shared_ptr<runtime::actor_entry> entry;
};

/// Spawns one child from inside its supervisor (`parent->spawn(...)`).
/// Local only, never serialized.
using child_factory
  = std::function<caf::actor(caf::local_actor* parent, const child_context&)>;

/// When a SUPERVISOR restarts a child that went down.
enum class restart_policy : uint8_t {
  /// Always (until shutdown), with backoff.
  permanent,
  /// Only after an abnormal exit.
  transient,
  /// Never.
  temporary,
  /// Never; an abnormal exit shuts the supervisor down (ordered) and it
  /// quits with the child's error (e.g. a leader that lost its Lease).
  escalate,
};

/// One supervised child: a unique name, how to start it, when to restart.
struct child_spec {
  std::string name;
  child_factory start;
  restart_policy policy = restart_policy::permanent;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_spec& x) {
  return f(caf::meta::type_name("kc::child_spec"), x.name, x.start);
}

/// The result of one reconcile pass (api:Q4, CONVENTIONS rule 20). Build it
/// with the factories: an error never carries a requeue.
struct reconcile_result {
  enum outcome_t : uint8_t { success = 0, error = 1, terminal = 2 };
  uint8_t outcome = success;
  /// success only: run again after this delay (0 = wait for events).
  caf::timespan requeue_after{0};
  /// error and terminal: what went wrong.
  std::string message;

  /// Done; wait for the next event.
  static reconcile_result ok() {
    return {};
  }
  /// Done; run again after `d`.
  static reconcile_result after(caf::timespan d) {
    return {success, d, {}};
  }
  /// Failed; retry with per-key exponential backoff.
  static reconcile_result failed(std::string msg) {
    return {error, caf::timespan{0}, std::move(msg)};
  }
  /// Failed for good: no retry until the next event.
  static reconcile_result terminal_error(std::string msg) {
    return {terminal, caf::timespan{0}, std::move(msg)};
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconcile_result& x) {
  return f(caf::meta::type_name("kc::reconcile_result"), x.outcome,
           x.requeue_after, x.message);
}

} // namespace kc

CAF_BEGIN_TYPE_ID_BLOCK(kc_runtime, caf::first_custom_type_id + 20)
  CAF_ADD_TYPE_ID(kc_runtime, (kc::resource_event))
  CAF_ADD_TYPE_ID(kc_runtime, (kc::api_reply))
  CAF_ADD_TYPE_ID(kc_runtime, (kc::watch_item))
  CAF_ADD_TYPE_ID(kc_runtime, (kc::watch_end_info))
  CAF_ADD_TYPE_ID(kc_runtime, (kc::child_spec))
  CAF_ADD_TYPE_ID(kc_runtime, (kc::reconcile_result))
  CAF_ADD_TYPE_ID(kc_runtime, (std::vector<kc::resource_event>))
  CAF_ADD_TYPE_ID(kc_runtime, (std::vector<kc::object_key>))
  CAF_ADD_TYPE_ID(kc_runtime, (std::vector<std::string>))
CAF_END_TYPE_ID_BLOCK(kc_runtime)
