#pragma once

// Fixture of the simulated-cluster tests: a 3-node control plane without a
// kubelet (tests make pods Ready themselves), a client and small helpers.

#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace kc::test {

struct cluster_fixture {
  cluster_fixture();
  ~cluster_fixture();

  std::unique_ptr<kc::sim::server> srv;
  std::unique_ptr<sim_client> c;

  static constexpr const char* pods_path = "/api/v1/namespaces/default/pods";
  static std::string pod_path(const std::string& name) {
    return std::string(pods_path) + "/" + name;
  }

  /// GET as JSON (null on error).
  boost::json::value get(const std::string& path);
  /// The items of a list.
  std::vector<boost::json::value> items(const std::string& path);
  /// POST; requires 201.
  boost::json::value post(const std::string& path, const std::string& body);
  /// Merge patch; requires 200.
  boost::json::value patch(const std::string& path, const std::string& body);
  /// Creates pod `name` (busybox) with extra spec fields ("k":v,).
  void create_pod(const std::string& name, const std::string& extra = "");
  /// Sets the Ready condition (and Running) of every bound, not deleting
  /// pod matching `selector` in default that is not Ready yet. Returns how
  /// many it changed.
  int make_ready(const std::string& selector);

  /// A dotted path as string ("<missing>" if absent; non-strings as JSON).
  /// Keys with dots (labels) work as the last segments.
  static std::string s(const boost::json::value& v, const std::string& path);
  /// status of condition `type` (or another field of it).
  static std::string condition(const boost::json::value& obj,
                               const std::string& type,
                               const std::string& field = "status");
  /// An integer at a path, 0 if absent.
  static int64_t n(const boost::json::value& v, const std::string& path);

  /// True if an Event about `name` with `reason` and a message starting
  /// with `message` exists in default.
  bool has_event(const std::string& name, const std::string& reason,
                 const std::string& message);

  /// Polls `pred` every 20 ms for up to 10 s.
  static bool eventually(const std::function<bool()>& pred);
};

} // namespace kc::test
