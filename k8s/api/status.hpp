#pragma once

#include "k8s/api/resource_type.hpp"
#include "k8s/api/validation.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace kc::k8s {

/// A Kubernetes Status error (api:S1): the HTTP code and the JSON body.
struct api_status {
  /// HTTP status code, e.g. 404.
  unsigned code = 500;
  /// The metav1.Status object.
  boost::json::object body;
};

/// Builders for the exact Status bodies of api:S1.
api_status status_bad_request(const std::string& message);
api_status status_unauthorized();
api_status status_forbidden(const resource_type* type, const std::string& name,
                            const std::string& message);
api_status status_not_found(const resource_type& type, const std::string& name);
api_status status_not_found_path();
api_status status_method_not_allowed(const std::string& message);
api_status status_already_exists(const resource_type& type,
                                 const std::string& name);
api_status status_conflict(const resource_type& type, const std::string& name);
api_status status_expired(const std::string& message);
api_status status_unsupported_media_type(const std::string& content_type);
api_status status_invalid(const resource_type& type, const std::string& name,
                          const std::vector<field_error>& causes);
api_status status_too_large(const std::string& message);
api_status status_too_many_requests(int retry_after_seconds);
api_status status_internal(const std::string& message);
api_status status_unavailable(const std::string& message);
api_status status_timeout(const std::string& message, const std::string& cause);
api_status status_success();

} // namespace kc::k8s
