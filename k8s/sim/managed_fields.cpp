#include "k8s/sim/managed_fields.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace kc::sim {

const char* list_merge_key(std::string_view field, const json::array& items) {
  if (field == "containers" || field == "initContainers" || field == "volumes"
      || field == "env" || field == "ephemeralContainers"
      || field == "imagePullSecrets" || field == "resourceClaims"
      || field == "webhooks") // admissionregistration: merge on name
    return "name";
  if (field == "volumeMounts")
    return "mountPath";
  if (field == "volumeDevices")
    return "devicePath";
  if (field == "hostAliases")
    return "ip";
  if (field == "readinessGates")
    return "conditionType";
  if (field == "conditions")
    return "type";
  if (field == "ownerReferences")
    return "uid";
  if (field == "ports") {
    for (auto& i : items)
      if (auto o = i.if_object(); o && o->contains("containerPort"))
        return "containerPort";
    return "port";
  }
  return nullptr;
}

namespace {

void walk(const json::object& o, field_path& at, bool keyed, field_set& out) {
  for (auto& [k, v] : o) {
    at.push_back("f:" + std::string(k));
    const char* key = keyed && v.is_array()
                        ? list_merge_key(k, v.as_array())
                        : nullptr;
    if (auto child = v.if_object(); child && !child->empty()) {
      walk(*child, at, keyed, out);
    } else if (auto arr = v.if_array(); arr && key && !arr->empty()) {
      bool all_keyed = std::all_of(arr->begin(), arr->end(), [&](auto& x) {
        return x.is_object() && x.as_object().contains(key);
      });
      if (!all_keyed) {
        out.insert(at);
      } else {
        for (auto& item : *arr) {
          auto& io = item.as_object();
          json::object kobj{{key, io.at(key)}};
          at.push_back("k:" + json::serialize(kobj));
          walk(io, at, keyed, out);
          at.pop_back();
        }
      }
    } else {
      out.insert(at);
    }
    at.pop_back();
  }
}

bool item_matches(const json::value& item, const json::object& key) {
  auto io = item.if_object();
  if (!io)
    return false;
  for (auto& [k, v] : key) {
    auto f = io->if_contains(k);
    if (!f || *f != v)
      return false;
  }
  return true;
}

json::object parse_key(const std::string& elem) {
  boost::system::error_code ec;
  auto v = json::parse(std::string_view(elem).substr(2), ec);
  return !ec && v.is_object() ? v.as_object() : json::object{};
}

void decode(const json::object& node, field_path& at, field_set& out) {
  bool children = false;
  for (auto& [k, v] : node) {
    if (k == ".")
      continue;
    children = true;
    at.push_back(std::string(k));
    decode(v.is_object() ? v.as_object() : json::object{}, at, out);
    at.pop_back();
  }
  if (!children && !at.empty())
    out.insert(at);
}

/// Removes `p[i..]` below `v`; true if `v` is now empty and may go.
bool remove_below(json::value& v, const field_path& p, std::size_t i,
                  const char* item_key) {
  auto& e = p[i];
  bool last = i + 1 == p.size();
  if (e.starts_with("f:")) {
    auto o = v.if_object();
    if (!o)
      return false;
    auto name = e.substr(2);
    auto it = o->find(name);
    if (it == o->end())
      return false;
    static const json::array no_items;
    auto items = it->value().if_array();
    if (last
        || remove_below(it->value(), p, i + 1,
                        list_merge_key(name, items ? *items : no_items)))
      o->erase(it);
    return o->empty() || (item_key && o->size() == 1 && o->contains(item_key));
  }
  if (e.starts_with("k:")) {
    auto a = v.if_array();
    if (!a)
      return false;
    auto key = parse_key(e);
    for (auto it = a->begin(); it != a->end(); ++it)
      if (item_matches(*it, key)) {
        if (last || remove_below(*it, p, i + 1, item_key))
          a->erase(it);
        break;
      }
    return a->empty();
  }
  return false;
}

} // namespace

field_set leaves_of(const json::object& obj, bool keyed, bool with_status) {
  field_set out;
  field_path at;
  for (auto& [k, v] : obj) {
    if (k == "apiVersion" || k == "kind" || (k == "status" && !with_status))
      continue;
    if (k == "metadata") {
      auto md = v.if_object();
      if (!md)
        continue;
      at.push_back("f:metadata");
      for (auto f : {"labels", "annotations"})
        if (auto m = md->if_contains(f); m && m->is_object() && !m->as_object().empty()) {
          at.push_back("f:" + std::string(f));
          walk(m->as_object(), at, false, out);
          at.pop_back();
        }
      for (auto f : {"finalizers", "ownerReferences"})
        if (md->contains(f))
          out.insert(field_path{"f:metadata", "f:" + std::string(f)});
      at.pop_back();
      continue;
    }
    json::object one{{k, v}};
    walk(one, at, keyed, out);
  }
  return out;
}

json::object encode_fields(const field_set& s) {
  json::object root;
  for (auto& p : s) {
    json::object* node = &root;
    for (std::size_t i = 0; i < p.size(); ++i) {
      auto& slot = (*node)[p[i]];
      if (!slot.is_object())
        slot = json::object{};
      node = &slot.as_object();
      if (i + 1 < p.size() && !node->contains("."))
        (*node)["."] = json::object{};
    }
  }
  return root;
}

field_set decode_fields(const json::object& fields_v1) {
  field_set out;
  field_path at;
  decode(fields_v1, at, out);
  return out;
}

const json::value* value_at(const json::object& obj, const field_path& p) {
  const json::object* o = &obj;
  const json::value* cur = nullptr;
  for (auto& e : p) {
    if (e.starts_with("f:")) {
      if (!o)
        return nullptr;
      cur = o->if_contains(e.substr(2));
    } else if (e.starts_with("k:")) {
      auto a = cur ? cur->if_array() : nullptr;
      if (!a)
        return nullptr;
      auto key = parse_key(e);
      const json::value* found = nullptr;
      for (auto& item : *a)
        if (item_matches(item, key)) {
          found = &item;
          break;
        }
      cur = found;
    } else {
      return nullptr;
    }
    if (!cur)
      return nullptr;
    o = cur->if_object();
  }
  return cur;
}

void remove_path(json::object& obj, const field_path& p) {
  if (p.empty())
    return;
  json::value v = std::move(obj);
  remove_below(v, p, 0, nullptr);
  obj = std::move(v.as_object());
}

std::string path_text(const field_path& p) {
  std::string out;
  for (auto& e : p) {
    if (e.starts_with("f:")) {
      out += "." + e.substr(2);
    } else if (e.starts_with("k:")) {
      out += "[";
      bool first = true;
      for (auto& [k, v] : parse_key(e)) {
        out += (first ? "" : ",") + std::string(k) + "=" + json::serialize(v);
        first = false;
      }
      out += "]";
    }
  }
  return out;
}

} // namespace kc::sim
