#pragma once

// Lets Boost.Test print kc::ec values in failed assertions.

#include "messages/error.hpp"

#include <ostream>

namespace kc {

inline std::ostream& operator<<(std::ostream& os, ec x) {
  return os << "kc::" << to_string(x);
}

} // namespace kc
