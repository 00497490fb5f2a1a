#pragma once

// Field sets of server-side apply (ADR 0006): the leaf paths of an object
// (`f:` object fields, `k:` list items by merge key), the fieldsV1 encoding
// of metadata.managedFields, values at a path, removal of a path and the
// path text of conflict messages (`.spec.containers[name="c"].image`).

#include "k8s/sim/util.hpp"

#include <set>
#include <string>
#include <vector>

namespace kc::sim {

/// One path: elements "f:<field>" or "k:<compact JSON of the key>".
using field_path = std::vector<std::string>;

/// A set of leaf paths.
using field_set = std::set<field_path>;

/// The merge key of list field `field` of built-in kinds (the
/// patchMergeKey tags of k8s.io/api), or null: such lists are atomic.
/// `ports` is keyed by containerPort in containers and by port in Services
/// (told apart by `items`).
const char* list_merge_key(std::string_view field, const json::array& items);

/// The leaf paths of `obj` as a manager that wrote it owns them: metadata
/// only labels, annotations, finalizers and ownerReferences; no apiVersion
/// and kind; no status when `with_status` is false. `keyed` enables merge
/// keys (built-in kinds).
field_set leaves_of(const json::object& obj, bool keyed, bool with_status);

/// fieldsV1 of `s` (a node with children also gets ".").
json::object encode_fields(const field_set& s);

/// The leaf paths of a fieldsV1 object.
field_set decode_fields(const json::object& fields_v1);

/// The value at `p` in `obj`, or null if absent.
const json::value* value_at(const json::object& obj, const field_path& p);

/// Removes `p` from `obj`; list items and objects it leaves empty (or
/// holding only their merge key) go too.
void remove_path(json::object& obj, const field_path& p);

/// `.spec.containers[name="c"].image`.
std::string path_text(const field_path& p);

} // namespace kc::sim
