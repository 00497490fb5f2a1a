#pragma once

// The test and fault API of the embedded control plane (ADR 0012): faults a
// test injects into the running server, in-process (server::faults()) or
// over HTTP (/fault/v1/..., only with server_config::fault_api).
//
// Usage (tests):
//   auto& f = srv.faults();
//   f.fail({.code = 429, .count = 2, .verb = "list", .resource = "pods"});
//   f.deny("create", "configmaps");
//   f.deny("get", "secrets", "", "system:serviceaccount:default:app");
//   f.delay_watches(std::chrono::milliseconds(300));
//   f.set_pod_phase("default", "p", "Failed");
//   auto n = f.writes("configmaps", "default", "x").total();
//   f.clear();

#include "k8s/sim/request.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace kc::sim {

class control_plane;

/// Which requests a rule applies to; empty fields match everything.
struct fault_scope {
  /// RBAC verb: get list watch create update patch delete deletecollection.
  std::string verb;
  /// Plural resource ("pods"), or with subresource ("pods/status").
  std::string resource;
  /// Request path prefix, e.g. "/api/v1/namespaces/default".
  std::string path_prefix;
};

/// Answer `code` to a fraction or a count of matching requests.
struct fault_rule {
  /// 429 (plain text + Retry-After, like the max-in-flight filter), 500 or
  /// 503 (Status bodies).
  unsigned code = 503;
  /// Fault every request while > 0 until `count` were faulted (0 = no
  /// count limit, use `fraction`).
  uint64_t count = 0;
  /// Fraction of matching requests faulted, deterministically spread
  /// (0.5 = every second one). Used when `count` is 0.
  double fraction = 1.0;
  fault_scope scope;
  /// Retry-After seconds; -1 = default (429 sends 1, 500/503 send none).
  int retry_after = -1;
  /// Only for reset rules: match only WATCH requests.
  bool watch_only = false;
};

/// Write counts of one object (successful write requests).
struct write_count {
  uint64_t create = 0, update = 0, patch = 0, del = 0, status = 0;
  uint64_t total() const {
    return create + update + patch + del + status;
  }
};

/// A request as the fault API classifies it.
struct fault_request {
  std::string verb;
  std::string group;
  std::string resource; // plural
  std::string sub;
  std::string ns;
  std::string name;
};

/// Classifies `req` (verb, resource, namespace, name) from its path alone.
fault_request classify(const api_request& req);

/// The fault state. Thread-safe.
class fault_injector {
public:
  explicit fault_injector(control_plane& cp);

  /// Adds an error rule (429/500/503). Throws std::invalid_argument.
  void fail(fault_rule rule);
  /// Answers 403 Forbidden (the RBAC Status) to `verb` on `resource`
  /// ("*" = any) in namespace `ns` ("" = any), for requests of `user` (the
  /// authenticated or impersonated user name, e.g. "alice" or
  /// "system:serviceaccount:ns:sa"; "" = every user, the admin included).
  void deny(std::string verb, std::string resource, std::string ns = "",
            std::string user = "");
  /// Aborts the TCP connection (RST) of matching requests.
  void reset_connections(fault_rule rule);
  /// Delays every watch delivery by `d` (0 = off).
  void delay_watches(std::chrono::milliseconds d);
  std::chrono::milliseconds watch_delay() const;

  /// Writes the pod's status.phase and/or a container's terminated state
  /// (bumps the RV; watchers see it). Returns an error message or "".
  std::string set_pod_phase(const std::string& ns, const std::string& name,
                            const std::string& phase);
  std::string set_exit_code(const std::string& ns, const std::string& name,
                            const std::string& container, int exit_code,
                            const std::string& phase = "");
  /// Ends every open watch; drops the history (older RVs get 410).
  void drop_watches();
  void compact();

  /// Write counts of one object, and of everything (resource/ns/name).
  write_count writes(const std::string& resource, const std::string& ns,
                     const std::string& name) const;
  std::map<std::tuple<std::string, std::string, std::string>, write_count>
  all_writes() const;
  void reset_writes();

  /// Removes every fault (not the write counts).
  void clear();
  /// The active faults as JSON (GET /fault/v1/faults).
  boost::json::object describe() const;

  /// Hooks (the fault API paths are never faulted). The session asks
  /// should_reset() first (true: abort the connection); handle() asks
  /// intercept() for a faulted answer, and after() counts successful writes.
  bool should_reset(const api_request& req);
  std::optional<api_response> intercept(const api_request& req);
  void after(const api_request& req, const api_response& resp);

  /// Serves /fault/v1/... (fault_api.cpp).
  api_response serve(api_request& req);

private:
  struct counted_rule {
    fault_rule rule;
    uint64_t hits = 0;
    double acc = 0;
  };
  struct deny_rule {
    std::string verb, resource, ns, user;
  };
  bool take(counted_rule& r, const fault_request& fr, const api_request& req);
  boost::json::object describe_locked() const;

  control_plane& cp_;
  mutable std::mutex mtx_;
  std::atomic<bool> active_{false};
  std::atomic<int64_t> delay_ms_{0};
  std::vector<counted_rule> errors_;
  std::vector<counted_rule> resets_;
  std::vector<deny_rule> denies_;
  /// Faulted answers so far by code (0 = connection resets).
  std::map<unsigned, uint64_t> served_;
  std::map<std::tuple<std::string, std::string, std::string>, write_count>
    writes_;
};

} // namespace kc::sim
