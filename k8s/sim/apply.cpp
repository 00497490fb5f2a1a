#include "k8s/sim/apply.hpp"

#include "k8s/sim/lifecycle.hpp"
#include "k8s/sim/managed_fields.hpp"
#include "k8s/sim/patch.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <map>

namespace kc::sim {

namespace {

/// One metadata.managedFields entry.
struct entry {
  std::string manager;
  std::string operation;
  std::string api_version;
  std::string time;
  std::string subresource;
  field_set fields;
};

std::vector<entry> entries_of(const json::object* obj) {
  std::vector<entry> out;
  auto md = obj ? obj_at(*obj, "metadata") : nullptr;
  auto mf = md ? md->if_contains("managedFields") : nullptr;
  if (!mf || !mf->is_array())
    return out;
  for (auto& v : mf->as_array()) {
    auto o = v.if_object();
    if (!o)
      continue;
    entry e{str_at(*o, "manager"), str_at(*o, "operation"),
            str_at(*o, "apiVersion"), str_at(*o, "time"),
            str_at(*o, "subresource"), {}};
    if (auto f = obj_at(*o, "fieldsV1"))
      e.fields = decode_fields(*f);
    out.push_back(std::move(e));
  }
  return out;
}

json::array encode(const std::vector<entry>& es) {
  json::array out;
  for (auto& e : es) {
    if (e.fields.empty())
      continue;
    json::object o{{"manager", e.manager},
                   {"operation", e.operation},
                   {"apiVersion", e.api_version},
                   {"time", e.time},
                   {"fieldsType", "FieldsV1"},
                   {"fieldsV1", encode_fields(e.fields)}};
    if (!e.subresource.empty())
      o["subresource"] = e.subresource;
    out.push_back(std::move(o));
  }
  return out;
}

void set_managed(json::object& obj, json::array mf) {
  auto& md = metadata_of(obj);
  if (mf.empty())
    md.erase("managedFields");
  else
    md["managedFields"] = std::move(mf);
}

json::value managed_of(const json::object* obj) {
  auto md = obj ? obj_at(*obj, "metadata") : nullptr;
  auto mf = md ? md->if_contains("managedFields") : nullptr;
  return mf ? *mf : json::value{};
}

json::object without_managed(json::object o) {
  metadata_of(o).erase("managedFields");
  return o;
}

entry& slot(std::vector<entry>& es, const std::string& manager,
            const char* op, const std::string& sub,
            const k8s::resource_type& t) {
  for (auto& e : es)
    if (e.manager == manager && e.operation == op && e.subresource == sub)
      return e;
  es.push_back(entry{manager, op, t.api_version(), "", sub, {}});
  return es.back();
}

/// `"mgr"` for Apply managers, `"mgr" using v1 at TIME` for Update ones.
std::string describe(const entry& e) {
  auto s = "\"" + e.manager + "\"";
  if (!e.subresource.empty())
    s += " with subresource \"" + e.subresource + "\"";
  if (e.operation == "Update")
    s += " using " + e.api_version + (e.time.empty() ? "" : " at " + e.time);
  return s;
}

api_response conflict_status(
  const std::vector<std::pair<std::string, field_path>>& cs) {
  json::array causes;
  std::map<std::string, std::vector<std::string>> by_manager;
  for (auto& [who, p] : cs) {
    causes.push_back(json::object{{"reason", "FieldManagerConflict"},
                                  {"message", "conflict with " + who},
                                  {"field", path_text(p)}});
    by_manager[who].push_back(path_text(p));
  }
  std::string msg;
  if (cs.size() == 1) {
    msg = "Apply failed with 1 conflict: conflict with " + cs[0].first + ": "
          + path_text(cs[0].second);
  } else {
    msg = "Apply failed with " + std::to_string(cs.size()) + " conflicts: ";
    bool first = true;
    for (auto& [who, paths] : by_manager) {
      msg += (first ? "" : "\n") + ("conflicts with " + who + ":");
      first = false;
      for (auto& p : paths)
        msg += "\n- " + p;
    }
  }
  k8s::api_status st;
  st.code = 409;
  st.body = json::object{{"kind", "Status"},
                         {"apiVersion", "v1"},
                         {"metadata", json::object{}},
                         {"status", "Failure"},
                         {"message", msg},
                         {"reason", "Conflict"},
                         {"details", json::object{{"causes", causes}}},
                         {"code", 409}};
  return from_status(st);
}

bool owned_by_other(const std::vector<entry>& es, const entry& me,
                    const field_path& p) {
  for (auto& e : es)
    if (&e != &me && e.fields.count(p))
      return true;
  return false;
}

} // namespace

bool is_apply(const api_request& req) {
  return req.content_type.rfind("application/apply-patch", 0) == 0;
}

std::string field_manager(const api_request& req) {
  auto m = req.param_or("fieldManager", "");
  return m.empty() ? "unknown" : m;
}

std::variant<json::object, api_response>
server_side_apply(const k8s::resource_type& t, const json::object* live,
                  const json::object& patch, const std::string& manager,
                  bool force, bool status_write) {
  bool keyed = !t.custom;
  auto es = entries_of(live);
  std::string sub = status_write ? "status" : "";
  auto applied = leaves_of(patch, keyed, status_write);
  std::vector<std::pair<std::string, field_path>> conflicts;
  for (auto& e : es) {
    if (e.manager == manager && e.operation == "Apply" && e.subresource == sub)
      continue;
    std::vector<field_path> lost;
    for (auto& p : applied) {
      if (!e.fields.count(p) || !live)
        continue;
      auto now = value_at(*live, p);
      auto want = value_at(patch, p);
      if (now && want && *now == *want)
        continue; // same value: shared ownership
      conflicts.emplace_back(describe(e), p);
      lost.push_back(p);
    }
    if (force)
      for (auto& p : lost)
        e.fields.erase(p);
  }
  if (!conflicts.empty() && !force)
    return conflict_status(conflicts);
  auto& me = slot(es, manager, "Apply", sub, t);
  json::object result = live ? *live : json::object{};
  for (auto& p : me.fields)
    if (!applied.count(p) && !owned_by_other(es, me, p))
      remove_path(result, p);
  json::value doc = std::move(result);
  json::value pv = patch;
  if (keyed)
    strategic_merge_patch(doc, pv);
  else
    merge_patch(doc, pv);
  result = std::move(doc.as_object());
  bool same_fields = me.fields == applied;
  me.fields = applied;
  if (live && same_fields && conflicts.empty()
      && without_managed(result) == without_managed(*live)) {
    // Nothing changed: the managed fields stay as they were.
    auto mf = managed_of(live);
    if (mf.is_array())
      metadata_of(result)["managedFields"] = mf;
    return result;
  }
  me.time = now_rfc3339();
  me.api_version = t.api_version();
  set_managed(result, encode(es));
  return result;
}

void record_update(const k8s::resource_type& t, const json::object* old,
                   json::object& obj, const std::string& manager,
                   bool status_write) {
  bool keyed = !t.custom;
  // Main writes of kinds with a status subresource own no status.
  bool with_status = status_write || !has_status_subresource(t);
  auto now = leaves_of(obj, keyed, with_status);
  field_set changed, removed;
  if (old) {
    for (auto& p : now) {
      auto before = value_at(*old, p);
      auto after = value_at(obj, p);
      if (!before || !after || *before != *after)
        changed.insert(p);
    }
    for (auto& p : leaves_of(*old, keyed, with_status))
      if (!now.count(p))
        removed.insert(p);
  } else {
    changed = now;
  }
  if (changed.empty() && removed.empty()) {
    auto mf = managed_of(old);
    if (mf.is_array())
      metadata_of(obj)["managedFields"] = mf;
    else
      metadata_of(obj).erase("managedFields");
    return;
  }
  auto es = entries_of(old);
  std::string sub = status_write ? "status" : "";
  auto& me = slot(es, manager, "Update", sub, t);
  for (auto& e : es) {
    if (&e == &me)
      continue;
    for (auto& p : changed)
      e.fields.erase(p);
    for (auto& p : removed)
      e.fields.erase(p);
  }
  field_set mine;
  for (auto& p : me.fields)
    if (now.count(p))
      mine.insert(p);
  mine.insert(changed.begin(), changed.end());
  me.fields = std::move(mine);
  me.time = now_rfc3339();
  me.api_version = t.api_version();
  set_managed(obj, encode(es));
}

} // namespace kc::sim
