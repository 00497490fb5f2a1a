#pragma once

#include "k8s/api/resource_registry.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace kc::k8s {

/// GET /version (api:D1): all nine fields, minor within one of kubectl 1.32.
boost::json::value version_info();

/// GET /api, legacy form (api:D2). `server_address` is "host:port".
boost::json::value discovery_core_versions(const std::string& server_address);

/// GET /apis, legacy form (api:D3).
boost::json::value discovery_groups(const resource_registry& reg);

/// GET /api/v1 or /apis/{group}/{version} (api:D4); null if not served.
boost::json::value discovery_resources(const resource_registry& reg,
                                       const std::string& group,
                                       const std::string& version);

/// GET /api or /apis in the aggregated form (api:D5); `core` selects /api.
boost::json::value discovery_aggregated(const resource_registry& reg,
                                        bool core);

/// The exact Content-Type of an aggregated discovery answer (api:D5).
inline constexpr const char* aggregated_discovery_content_type
  = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// True if an Accept header asks for aggregated discovery v2.
bool wants_aggregated_discovery(const std::string& accept);

} // namespace kc::k8s
