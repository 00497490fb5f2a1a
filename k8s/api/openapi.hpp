#pragma once

#include "k8s/api/resource_registry.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace kc::k8s {

/// GET /openapi/v3 (api:O2): one path entry per served group-version, with
/// `?hash=` derived from the registry's generation.
boost::json::value openapi_index(const resource_registry& reg);

/// GET /openapi/v3/api/v1 or /openapi/v3/apis/{group}/{version} (api:O2,
/// api:O3): a PATCH op with the fieldValidation parameter per kind, and
/// component schemas carrying x-kubernetes-group-version-kind (from the CRD
/// schema for custom resources). Null if the group-version is not served.
boost::json::value openapi_group_version(const resource_registry& reg,
                                         const std::string& group,
                                         const std::string& version);

} // namespace kc::k8s
