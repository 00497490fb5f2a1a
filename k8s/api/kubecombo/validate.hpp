#pragma once

// The one set of validation rules for Debuggers and Pingers: the admission
// webhook rejects with these errors and reconcile reports them in a Degraded
// condition and a Warning Event. Every error names its field path
// ("spec.nodeName") and says why, in apimachinery's wording.

#include "k8s/api/kubecombo/spec.hpp"

#include <boost/json/object.hpp>

#include <vector>

namespace kc::k8s::kubecombo {

/// A Debugger's own fields: required fields, enums, quantities, names,
/// "key:value" selector items, tolerations, affinity keys, runAt, schedule,
/// durations, and the cross-field rules upstream checked only in reconcile
/// (nodeName with a daemonset, subnet with hostNetwork, enablePinger without
/// pinger, enableConfigMap without configMap). Includes `s.type_errors`.
std::vector<field_error> validate_debugger(const object_meta& meta,
                                           const debugger_spec& s);

/// A Pinger's own fields: image, target lists, ranges, timeout ≤ interval.
std::vector<field_error> validate_pinger(const pinger_spec& s);

/// What only reconcile can see: the Pinger named by spec.pinger (null = not
/// found) must exist and, with enablePinger, be valid; the user-script
/// ConfigMap (null = not found) must exist when enableConfigMap is set.
std::vector<field_error>
validate_references(const debugger_spec& s, const boost::json::object* pinger,
                    const boost::json::object* config_map);

} // namespace kc::k8s::kubecombo
