#pragma once

// Lets Boost.Test print kc::ec values in failed assertions.

#include "k8s/client/watch_event.hpp"
#include "messages/error.hpp"

#include <ostream>

namespace kc {

inline std::ostream& operator<<(std::ostream& os, ec x) {
  return os << "kc::" << to_string(x);
}

namespace k8s {

inline std::ostream& operator<<(std::ostream& os, watch_event_type t) {
  return os << to_string(t);
}

} // namespace k8s

} // namespace kc
