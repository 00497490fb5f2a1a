#pragma once

// Who subscribes to whom across restarts, for a controller made of one
// RECONCILE SUPERVISOR and its INFORMERs under `root` (the pattern of
// debuggers.cpp, shared): a restarted supervisor re-subscribes to the
// running informers (which replay their caches); a restarted informer
// subscribes the running supervisor. Each informer registers its synced
// flag in the /readyz registry (readiness.hpp) when spawned.

#include "actors/runtime/informer.hpp"
#include "messages/runtime_types.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace kc::controller {

/// An informer of `kind` listing `resource` in every namespace (with the
/// label selector `labels`; "" for all) through `client`, setting `synced`
/// after its first LIST.
runtime::informer_config watch_all(std::shared_ptr<k8s::api_client> client,
                                   const std::string& kind,
                                   const std::string& resource,
                                   const std::string& labels,
                                   std::shared_ptr<std::atomic<bool>> synced);

/// The shared links of one controller.
class informer_links : public std::enable_shared_from_this<informer_links> {
public:
  /// `inner` (a reconcile supervisor's child spec) wrapped so that every
  /// start subscribes it to the informers.
  child_spec supervisor(child_spec inner);
  /// The child spec of an informer (`informer/<ic.kind>`) feeding the
  /// supervisor.
  child_spec informer(runtime::informer_config ic);

private:
  std::mutex mutex_;
  caf::actor subscriber_;
  std::map<std::string, runtime::informer_actor> informers_;
};

} // namespace kc::controller
