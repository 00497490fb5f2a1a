#pragma once

#include "k8s/client/errors.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace kc::k8s {

/// The type of a watch event.
enum class watch_event_type { added, modified, deleted, bookmark, error };

/// One decoded watch line: {"type": ..., "object": {...}}.
struct watch_event {
  watch_event_type type = watch_event_type::added;
  /// The object (for ERROR events: the Status). Immutable and shareable.
  std::shared_ptr<const boost::json::object> object;
  /// object.metadata.resourceVersion ("" if absent).
  std::string rv;
};

/// "ADDED", "MODIFIED", ...
const char* to_string(watch_event_type t);

/// Decodes one watch line with the non-throwing parser (CONVENTIONS
/// rule 25). Returns an error (kc::ec::parse_error) for invalid JSON, an
/// unknown type or a missing object; for an ERROR event `out` is filled
/// too, and the caller maps it with error_from_status (410 → expired).
api_error decode_watch_event(std::string_view line, watch_event& out);

} // namespace kc::k8s
