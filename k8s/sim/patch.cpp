#include "k8s/sim/patch.hpp"

#include "k8s/sim/managed_fields.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <vector>

namespace kc::sim {

void merge_patch(json::value& target, const json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object())
    target = json::object{};
  auto& t = target.as_object();
  for (auto& [k, v] : patch.as_object()) {
    if (v.is_null())
      t.erase(k);
    else
      merge_patch(t[k], v);
  }
}

namespace {

bool same_key(const json::value& a, const json::value& b, const char* key) {
  auto ao = a.if_object();
  auto bo = b.if_object();
  if (!ao || !bo)
    return false;
  auto ai = ao->find(key);
  auto bi = bo->find(key);
  return ai != ao->end() && bi != bo->end() && ai->value() == bi->value();
}

void smp_object(json::object& t, const json::object& p, bool metadata = false);

void smp_list(json::value& target, const json::array& patch, const char* key) {
  if (!target.is_array()) {
    target = json::array{};
  }
  auto& t = target.as_array();
  for (auto& item : patch) {
    auto io = item.if_object();
    std::string directive = io ? str_at(*io, "$patch") : std::string{};
    auto it = std::find_if(t.begin(), t.end(), [&](const json::value& x) {
      return same_key(x, item, key);
    });
    if (directive == "delete") {
      if (it != t.end())
        t.erase(it);
      continue;
    }
    if (it == t.end()) {
      json::value fresh = json::object{};
      if (io)
        smp_object(fresh.as_object(), *io);
      t.push_back(std::move(fresh));
    } else if (io && it->is_object()) {
      smp_object(it->as_object(), *io);
    }
  }
}

/// metadata.finalizers: a primitive list with patchStrategy merge (union;
/// `$deleteFromPrimitiveList/finalizers` removes).
void merge_primitives(json::value& target, const json::array& add,
                      bool remove) {
  if (!target.is_array())
    target = json::array{};
  auto& t = target.as_array();
  for (auto& x : add) {
    auto it = std::find(t.begin(), t.end(), x);
    if (remove && it != t.end())
      t.erase(it);
    else if (!remove && it == t.end())
      t.push_back(x);
  }
}

void smp_object(json::object& t, const json::object& p, bool metadata) {
  if (str_at(p, "$patch") == "replace") {
    t = p;
    t.erase("$patch");
    return;
  }
  for (auto& [k, v] : p) {
    if (metadata && k == "$deleteFromPrimitiveList/finalizers"
        && v.is_array()) {
      merge_primitives(t["finalizers"], v.as_array(), true);
      if (t["finalizers"].as_array().empty())
        t.erase("finalizers");
      continue;
    }
    if (k.starts_with("$"))
      continue;
    if (v.is_null()) {
      t.erase(k);
      continue;
    }
    if (metadata && k == "finalizers" && v.is_array()) {
      merge_primitives(t[k], v.as_array(), false);
      continue;
    }
    auto key = v.is_array() ? list_merge_key(k, v.as_array()) : nullptr;
    if (v.is_array() && key) {
      smp_list(t[k], v.as_array(), key);
    } else if (v.is_object()) {
      auto& slot = t[k];
      if (!slot.is_object())
        slot = json::object{};
      smp_object(slot.as_object(), v.as_object(), k == "metadata" && !metadata);
    } else {
      t[k] = v;
    }
  }
}

/// Splits a JSON pointer into unescaped tokens.
std::vector<std::string> pointer(const std::string& path) {
  std::vector<std::string> out;
  if (path.empty())
    return out;
  std::size_t i = 1;
  while (i <= path.size()) {
    auto j = path.find('/', i);
    if (j == std::string::npos)
      j = path.size();
    std::string tok = path.substr(i, j - i);
    std::string un;
    for (std::size_t k = 0; k < tok.size(); ++k) {
      if (tok[k] == '~' && k + 1 < tok.size()) {
        un += tok[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        un += tok[k];
      }
    }
    out.push_back(un);
    i = j + 1;
  }
  return out;
}

/// The parent container of `tokens` and the last token; null if absent.
json::value* parent_of(json::value& root, const std::vector<std::string>& tok) {
  json::value* cur = &root;
  for (std::size_t i = 0; i + 1 < tok.size(); ++i) {
    if (auto o = cur->if_object()) {
      auto it = o->find(tok[i]);
      if (it == o->end())
        return nullptr;
      cur = &it->value();
    } else if (auto a = cur->if_array()) {
      uint64_t idx = 0;
      if (!parse_u64(tok[i], idx) || idx >= a->size())
        return nullptr;
      cur = &(*a)[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

} // namespace

void strategic_merge_patch(json::value& target, const json::value& patch) {
  if (!patch.is_object() || !target.is_object()) {
    merge_patch(target, patch);
    return;
  }
  smp_object(target.as_object(), patch.as_object());
}

std::optional<std::string> json_patch(json::value& target,
                                      const json::value& patch) {
  if (!patch.is_array())
    return std::string("json patch must be an array of operations");
  for (auto& opv : patch.as_array()) {
    auto o = opv.if_object();
    if (!o)
      return std::string("json patch operation must be an object");
    auto op = str_at(*o, "op");
    auto path = pointer(str_at(*o, "path"));
    auto value = o->if_contains("value");
    if (op == "test") {
      json::value* p = path.empty() ? &target : parent_of(target, path);
      const json::value* cur = nullptr;
      if (path.empty())
        cur = &target;
      else if (p && p->is_object() && p->as_object().contains(path.back()))
        cur = &p->as_object().at(path.back());
      else if (p && p->is_array()) {
        uint64_t i = 0;
        if (parse_u64(path.back(), i) && i < p->as_array().size())
          cur = &p->as_array()[i];
      }
      if (!cur || !value || *cur != *value)
        return "testing value " + str_at(*o, "path") + " failed";
      continue;
    }
    json::value moved;
    if (op == "move" || op == "copy") {
      auto from = pointer(str_at(*o, "from"));
      auto fp = parent_of(target, from);
      if (from.empty() || !fp)
        return "missing path: " + str_at(*o, "from");
      if (auto fo = fp->if_object()) {
        auto it = fo->find(from.back());
        if (it == fo->end())
          return "missing path: " + str_at(*o, "from");
        moved = it->value();
        if (op == "move")
          fo->erase(it);
      } else if (auto fa = fp->if_array()) {
        uint64_t i = 0;
        if (!parse_u64(from.back(), i) || i >= fa->size())
          return "missing path: " + str_at(*o, "from");
        moved = (*fa)[i];
        if (op == "move")
          fa->erase(fa->begin() + static_cast<long>(i));
      }
      value = &moved;
    }
    if (path.empty()) {
      if (op == "remove")
        return std::string("cannot remove the root");
      target = value ? *value : json::value{};
      continue;
    }
    auto parent = parent_of(target, path);
    if (!parent)
      return "missing path: " + str_at(*o, "path");
    auto& last = path.back();
    if (op != "remove" && !value)
      return "missing value for operation " + op;
    if (auto po = parent->if_object()) {
      if (op == "remove" || op == "replace") {
        if (!po->contains(last))
          return "missing path: " + str_at(*o, "path");
        if (op == "remove") {
          po->erase(last);
          continue;
        }
      } else if (op != "add" && op != "move" && op != "copy") {
        return "unknown operation " + op;
      }
      (*po)[last] = *value;
    } else if (auto pa = parent->if_array()) {
      uint64_t i = 0;
      bool append = last == "-";
      if (!append && !parse_u64(last, i))
        return "invalid index in " + str_at(*o, "path");
      if (op == "remove" || op == "replace") {
        if (append || i >= pa->size())
          return "missing path: " + str_at(*o, "path");
        if (op == "remove")
          pa->erase(pa->begin() + static_cast<long>(i));
        else
          (*pa)[i] = *value;
      } else {
        if (append)
          pa->push_back(*value);
        else if (i <= pa->size())
          pa->insert(pa->begin() + static_cast<long>(i), *value);
        else
          return "index out of range in " + str_at(*o, "path");
      }
    } else {
      return "missing path: " + str_at(*o, "path");
    }
  }
  return std::nullopt;
}

} // namespace kc::sim
