#pragma once

// The internals of the embedded control plane shared by the HTTP sessions
// and the handlers: configuration, registry, store, credentials.

#include "k8s/api/resource_registry.hpp"
#include "k8s/sim/certs.hpp"
#include "k8s/sim/fault.hpp"
#include "k8s/sim/request.hpp"
#include "k8s/sim/sa_tokens.hpp"
#include "k8s/sim/server.hpp"
#include "k8s/sim/store.hpp"

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace kc::sim {

/// Where a request goes after routing.
struct route {
  k8s::resource_type_ptr type;
  std::string ns;
  std::string name;
  std::string sub;
  bool watch_prefix = false;
};

/// The control plane: everything but the sockets.
class control_plane {
public:
  explicit control_plane(const server_config& cfg);

  /// Serves one (authenticated or not) request.
  api_response handle(api_request& req);

  /// The storage key of a resource (core and events.k8s.io Events share
  /// "events"; otherwise resource.group).
  static std::string storage_key(const k8s::resource_type& t);

  /// Creates the default namespaces, their `default` ServiceAccounts and
  /// the nodes.
  void bootstrap();

  /// Deletes Events older than the TTL (called periodically).
  void expire_events();

  server_config cfg;
  k8s::resource_registry registry;
  store objects;
  cluster_certs certs;
  std::string token;
  /// Signs and checks ServiceAccount tokens (sa_tokens.hpp).
  token_signer sa_signer;
  /// "host:port" as clients reach it.
  std::string address;
  /// The process kubelet's state directory (pod logs; ADR 0071), "" else.
  std::string kubelet_dir;
  /// The test and fault API (ADR 0012; hooks active with cfg.fault_api).
  fault_injector faults{*this};

  /// Records a write of Event `ns/name` (its TTL restarts).
  void note_event_write(const std::string& ns, const std::string& name);

  /// Deletes everything in namespace `ns` (within `t`, lock held).
  void delete_namespace_contents(txn& t, const std::string& ns);

private:
  std::mutex events_mtx_;
  std::map<std::string, std::chrono::steady_clock::time_point> event_expiry_;

  api_response route_api(api_request& req);
  api_response serve(api_request& req, route& r);
  api_response do_get(api_request& req, route& r);
  api_response do_list(api_request& req, route& r);
  api_response do_watch(api_request& req, route& r);
  api_response do_create(api_request& req, route& r);
  api_response do_update(api_request& req, route& r);
  api_response do_patch(api_request& req, route& r);
  api_response do_delete(api_request& req, route& r);
  api_response do_delete_collection(api_request& req, route& r);
  api_response do_log(api_request& req, route& r);
};

} // namespace kc::sim
