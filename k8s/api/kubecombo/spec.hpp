#pragma once

// Typed views of the Debugger and Pinger specs (DESIGN.md §2, CONTRACT.md),
// read from the objects' JSON without throwing. Missing fields take the CRD
// defaults; a field of the wrong JSON type is recorded in `type_errors` and
// treated as missing.

#include "k8s/api/validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace kc::k8s::kubecombo {

/// The API group and version of both kinds.
inline constexpr const char* api_group = "vpn-gw.kubecombo.com";
inline constexpr const char* api_version = "vpn-gw.kubecombo.com/v1";
/// The image of the debug container when the spec names none.
inline constexpr const char* default_debugger_image
    = "kubecombo/debugger:latest";

/// Name, namespace and uid of an object.
struct object_meta {
  std::string name;
  std::string namespace_;
  std::string uid;
  int64_t generation = 0;
};

/// Debugger.spec, every upstream field plus the extensions.
struct debugger_spec {
  std::string workload_type; // "pod" | "daemonset" (validated elsewhere)
  std::string cpu;
  std::string memory;
  std::string qos_bandwidth;
  std::string subnet;
  bool host_network = false;
  std::string image = default_debugger_image;
  std::vector<std::string> selector; // "key:value" items
  boost::json::array tolerations;    // core/v1 Toleration list, verbatim
  boost::json::object affinity;      // core/v1 Affinity, verbatim
  std::string node_name;
  bool enable_pinger = false;
  std::string pinger;
  bool enable_config_map = false;
  std::string config_map;
  bool enable_sys = false;
  std::string run_at;
  std::string debugger_config;
  // Extensions.
  std::string schedule;
  int64_t history_limit = 5;
  std::string check_timeout = "30s";
  std::string run_deadline = "5m";
  /// Fields whose JSON type was wrong (FieldValueTypeInvalid).
  std::vector<field_error> type_errors;

  bool is_daemonset() const {
    return workload_type == "daemonset";
  }
  /// True when the workload mounts the user-script ConfigMap.
  bool uses_config_map() const {
    return enable_config_map && !config_map.empty();
  }
};

/// Pinger.spec, the upstream fields plus the extensions.
struct pinger_spec {
  std::string image;
  bool enable_metrics = false;
  std::string ping;
  std::string tcp_ping;
  std::string udp_ping;
  std::string dns;
  // Extensions.
  int64_t interval = 5;
  std::string timeout; // "" = the agent's default (1s)
  int64_t count = 1;
  std::string gateway;
  bool mesh = true;
  int64_t neighbour_limit = 10;
  int64_t metrics_port = 8080;
  int64_t failure_threshold = 3;
  int64_t recovery_threshold = 2;
  std::vector<field_error> type_errors;
};

/// metadata.{name, namespace, uid, generation} of any object.
object_meta meta_of(const boost::json::object& obj);

/// Reads `obj.spec` of a Debugger.
debugger_spec parse_debugger_spec(const boost::json::object& obj);

/// Reads `obj.spec` of a Pinger.
pinger_spec parse_pinger_spec(const boost::json::object& obj);

/// "field: message" lines joined with "; " (for conditions and Events).
std::string describe(const std::vector<field_error>& errors);

} // namespace kc::k8s::kubecombo
