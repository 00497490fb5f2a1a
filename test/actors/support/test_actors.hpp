#pragma once

// Small actors for runtime tests: a worker that sums what it is sent and
// throws on `crash`, and a stubborn one that ignores shutdown requests.

#include "messages/runtime_types.hpp"

#include <caf/atom.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

CAF_ADD_ATOM(kc_test_atoms, kc::test, crash, "crash")

namespace kc::test {

/// What the test actors did, in order (single-threaded tests only).
struct child_log {
  std::map<std::string, int> starts;
  std::vector<std::string> stops;
};

/// A worker: `int n` → replies the running sum; `crash` → throws "boom".
child_factory worker_factory(std::shared_ptr<child_log> log);

/// Ignores every exit message except kill.
child_factory stubborn_factory(std::shared_ptr<child_log> log);

} // namespace kc::test
