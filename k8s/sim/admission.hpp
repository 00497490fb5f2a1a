#pragma once

// Admission webhooks of the embedded control plane (ADR 0008):
// MutatingWebhookConfigurations, then ValidatingWebhookConfigurations,
// matched by rules, namespaceSelector and objectSelector, called with an
// AdmissionReview v1 over TLS (clientConfig.url or .service resolved to a
// Ready pod), timeoutSeconds and failurePolicy honoured, JSONPatch
// mutations applied.

#include "k8s/sim/control_plane.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace kc::sim {

/// What the rules of a webhook match on.
struct admission_attributes {
  /// CREATE, UPDATE, DELETE or CONNECT.
  std::string operation;
  std::string group;
  std::string version;
  std::string resource;
  std::string subresource;
  /// True for namespaced resources (Namespaces count as cluster-scoped).
  bool namespaced = true;
};

/// One RuleWithOperations against the attributes (webhook/rules.go).
bool admission_rule_matches(const boost::json::object& rule,
                            const admission_attributes& a);

/// A metav1.LabelSelector (matchLabels, matchExpressions) against labels;
/// a null selector matches everything, an empty one too.
bool label_selector_matches(const boost::json::object* selector,
                            const boost::json::object* labels);

/// The hook of the write handlers: calls the matching mutating webhooks
/// (applying their patches to `*obj`), then the validating ones. `obj` is
/// the new object (null for DELETE). Returns the response that ends the
/// request (denial 4xx, call failure 500) or nullopt to go on.
std::optional<api_response> admit(control_plane& cp, const api_request& req,
                                  const route& r, const char* operation,
                                  json::object* obj);

} // namespace kc::sim
