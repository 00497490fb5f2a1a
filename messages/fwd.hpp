#pragma once

#include <caf/fwd.hpp>

namespace kc {

enum class ec : uint8_t;

} // namespace kc
