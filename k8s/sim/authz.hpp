#pragma once

// The authorization hooks of the control plane (ADR 0007): impersonation
// and RBAC for every request, plus the security endpoints that are not
// stored objects (TokenRequest, access and token reviews).

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/rbac.hpp"

#include <optional>

namespace kc::sim {

/// Hook in control_plane::handle after authentication: applies
/// impersonation and authorizes non-resource paths (discovery, version,
/// OpenAPI, fault API). A response (403/500) stops the request.
std::optional<api_response> authorize_request(control_plane& cp,
                                              api_request& req);

/// Hook at the start of control_plane::serve: RBAC of the routed request,
/// then the virtual resources (serviceaccounts/token, *accessreviews,
/// selfsubjectreviews, tokenreviews). A response ends the request.
std::optional<api_response> authorize_route(control_plane& cp,
                                            api_request& req,
                                            const route& r);

/// The attributes of a routed request (verb from method, name, watch).
authz_attributes route_attributes(const api_request& req, const route& r);

/// True for paths that route to resources (/api/V/..., /apis/G/V/...).
bool is_resource_path(const std::string& path);

/// The virtual resources; nullopt if `r` is not one of them.
std::optional<api_response> serve_security_resource(control_plane& cp,
                                                    api_request& req,
                                                    const route& r);

/// SelfSubjectRulesReview of the requesting user (rules_review.cpp): 201
/// with status.resourceRules / nonResourceRules, 400 without
/// spec.namespace.
api_response rules_review(control_plane& cp, const api_request& req,
                          boost::json::object obj);

} // namespace kc::sim
