// DELETE and deletecollection with DeleteOptions from the body or the query
// (api:A4); the deletion itself is k8s/sim/deletion.cpp (ADR 0005).

#include "k8s/sim/admission.hpp"
#include "k8s/sim/deletion.hpp"
#include "k8s/sim/handlers.hpp"
#include "k8s/sim/views.hpp"

#include <algorithm>
#include <set>

namespace kc::sim {

void control_plane::delete_namespace_contents(txn& tx, const std::string& ns) {
  std::set<std::string> keys;
  for (auto& t : registry.all())
    if (t->namespaced)
      keys.insert(storage_key(*t));
  for (auto& key : keys)
    for (auto& s : tx.list(key, ns))
      tx.erase(key, s->ns, s->name);
}

api_response control_plane::do_delete(api_request& req, route& r) {
  auto parsed = parse_delete_options(req);
  if (auto bad = std::get_if<api_response>(&parsed))
    return std::move(*bad);
  auto& opts = std::get<delete_options>(parsed);
  auto& t = *r.type;
  if (auto denied = admit(*this, req, r, "DELETE", nullptr)) // ADR 0008
    return std::move(*denied);
  delete_outcome out;
  objects.transact([&](txn& tx) {
    out = delete_object(*this, tx, t, r.ns, r.name, opts);
  });
  if (out.failure)
    return std::move(*out.failure);
  return json_text(presented_json(t, out.obj));
}

api_response control_plane::do_delete_collection(api_request& req, route& r) {
  auto& t = *r.type;
  if (std::find(t.verbs.begin(), t.verbs.end(), "deletecollection")
      == t.verbs.end())
    return from_status(k8s::status_method_not_allowed(
      "the server does not allow this method on the requested resource"));
  auto parsed = parse_delete_options(req);
  if (auto bad = std::get_if<api_response>(&parsed))
    return std::move(*bad);
  auto sel = parse_selection(req, r);
  if (auto bad = std::get_if<api_response>(&sel))
    return std::move(*bad);
  auto& selected = std::get<selection>(sel);
  auto& opts = std::get<delete_options>(parsed);
  auto key = storage_key(t);
  std::string items;
  uint64_t rev = 0;
  objects.transact([&](txn& tx) {
    for (auto& s : tx.list(key, r.ns)) {
      auto view = needs_view(t, s->obj) ? present(t, s->obj) : s->obj;
      if (!selected.all() && !selected.matches(view))
        continue;
      auto out = delete_object(*this, tx, t, s->ns, s->name, opts);
      if (out.obj)
        items += (items.empty() ? "" : ",") + presented_json(t, out.obj);
    }
    rev = tx.revision();
  });
  return json_text("{\"kind\":\"" + t.list_kind + "\",\"apiVersion\":\""
                   + t.api_version()
                   + "\",\"metadata\":{\"resourceVersion\":\""
                   + std::to_string(rev) + "\"},\"items\":[" + items + "]}");
}

} // namespace kc::sim
