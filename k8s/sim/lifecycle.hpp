#pragma once

// Per-kind write behaviour: system fields, generation, the status
// subresource, initial status of built-ins (api:C1, api:C3, api:C4, api:P2).

#include "k8s/api/resource_type.hpp"
#include "k8s/sim/util.hpp"

namespace kc::sim {

/// True if main writes ignore status and /status writes only status:
/// declared `status` subresources plus nodes and namespaces.
bool has_status_subresource(const k8s::resource_type& t);

/// True if the kind carries metadata.generation (custom resources, CRDs,
/// Deployments, DaemonSets, ReplicaSets, webhook configurations).
bool tracks_generation(const k8s::resource_type& t);

/// Clears client-set system fields and sets uid, creationTimestamp and
/// generation; gives built-ins their initial status and defaults.
void prepare_create(const k8s::resource_type& t, json::object& obj);

/// Carries system fields over from `old` into the new object `obj` of a
/// main-resource (`status_write` = false) or /status write; bumps the
/// generation when something outside metadata (and status) changed.
void prepare_update(const k8s::resource_type& t, const json::object& old,
                    json::object& obj, bool status_write);

/// The status of an Established CRD (NamesAccepted, Established,
/// acceptedNames, storedVersions).
json::object crd_status(const json::object& crd);

} // namespace kc::sim
