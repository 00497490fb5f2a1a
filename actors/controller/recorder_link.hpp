#pragma once

// The RECORDER's current handle, shared with writers that live outside
// `root`'s direct reach (e.g. the per-Debugger reconcilers). `root`'s
// recorder child factory sets it on every (re)start; readers take a copy.
// Thread-safe.

#include "messages/controller_types.hpp"

#include <memory>
#include <mutex>

namespace kc::controller {

/// Holder of the RECORDER handle.
class recorder_link {
public:
  void set(recorder_actor h) {
    std::lock_guard<std::mutex> guard{mutex_};
    handle_ = std::move(h);
  }
  /// The handle (invalid until the recorder started).
  recorder_actor get() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return handle_;
  }

private:
  mutable std::mutex mutex_;
  recorder_actor handle_;
};

using recorder_link_ptr = std::shared_ptr<recorder_link>;

} // namespace kc::controller
