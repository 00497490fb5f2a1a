#pragma once

// The in-process control plane (kc::sim::server over HTTPS) plus a client
// and a threaded actor system, for INFORMER integration tests and the
// benchmark. Also a COLLECTOR actor that mirrors what a subscriber sees.

#include "actors/runtime/informer.hpp"
#include "k8s/client/api_client.hpp"
#include "k8s/sim/server.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace kc::test {

/// What a subscriber saw (thread-safe).
struct mirror {
  mutable std::mutex mtx;
  /// key → resourceVersion of the latest snapshot.
  std::map<std::string, std::string> objects;
  /// Keys of delete events (null snapshots), in order.
  std::vector<std::string> deletes;
  uint64_t events = 0;
  bool synced = false;

  std::map<std::string, std::string> copy() const;
  uint64_t event_count() const;
  bool is_synced() const;
  bool deleted(const std::string& key) const;
};

/// Spawns a subscriber that records into `m`.
caf::actor spawn_collector(caf::actor_system& sys, std::shared_ptr<mirror> m);

/// The config of a threaded system with kubecombo's type ids.
struct threaded_config : caf::actor_system_config {
  threaded_config();
};

/// The control plane, a client and an actor system.
struct sim_fixture {
  explicit sim_fixture(size_t max_watch_line = 16u << 20);
  ~sim_fixture();

  /// Keeps `h` to stop it (and wait for it) in the destructor.
  template <class Handle>
  Handle keep(Handle h) {
    tracked.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }
  /// Stops every kept actor and waits (bounded) for them.
  void stop_actors();

  std::vector<caf::actor> tracked;
  std::unique_ptr<sim::server> server;
  std::shared_ptr<k8s::api_client> client;
  threaded_config cfg;
  caf::actor_system sys;

  /// configmaps in namespace "default".
  static k8s::resource_ref configmaps(const std::string& name = {});
  /// Creates a ConfigMap (labels app=<app> if not empty); throws on error.
  void create(const std::string& name, const std::string& app = {},
              const std::string& data = "x");
  void update(const std::string& name, const std::string& data);
  void remove(const std::string& name);
  /// The server's LIST: key → resourceVersion (label selector optional).
  std::map<std::string, std::string> server_list(const std::string& sel = {});
  /// The informer's cache: key → resourceVersion (empty on timeout).
  std::map<std::string, std::string>
  informer_cache(const runtime::informer_actor& inf);
  /// Polls `pred` every 20 ms up to `limit`.
  static bool wait_for(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit
                       = std::chrono::seconds{20});
  /// An informer on configmaps of "default" feeding `m`.
  runtime::informer_config informer(std::shared_ptr<mirror> m,
                                    telemetry::registry* metrics);
};

} // namespace kc::test
