#pragma once

#include "messages/atoms.hpp"
#include "messages/types.hpp"

#include <caf/typed_actor.hpp>

namespace kc {

/// The STATUS CLIENT protocol: every actor answers with a summary of its
/// state for /debug/actors.
using status_client_actor = caf::typed_actor<
  // Describe the actor's state as text.
  caf::replies_to<atom::status>::with<std::string>>;

} // namespace kc
