#include "k8s/sim/views.hpp"

#include <boost/json/serialize.hpp>

namespace kc::sim {

namespace {

bool is_events_v1(const k8s::resource_type& t) {
  return t.group == "events.k8s.io";
}

/// core/v1 key ↔ events.k8s.io/v1 key (api:E1).
const std::pair<const char*, const char*> event_fields[] = {
  {"involvedObject", "regarding"},
  {"message", "note"},
  {"source", "deprecatedSource"},
  {"firstTimestamp", "deprecatedFirstTimestamp"},
  {"lastTimestamp", "deprecatedLastTimestamp"},
  {"count", "deprecatedCount"},
  {"reportingComponent", "reportingController"},
};

/// Keys both forms share.
const char* shared_fields[] = {"metadata", "reason", "type", "action",
                               "related",  "series", "eventTime",
                               "reportingInstance"};

json::object core_to_v1(const json::object& in) {
  json::object out;
  out["apiVersion"] = "events.k8s.io/v1";
  out["kind"] = "Event";
  for (auto k : shared_fields)
    if (auto it = in.find(k); it != in.end())
      out[k] = it->value();
  if (!out.contains("eventTime"))
    out["eventTime"] = nullptr;
  for (auto& [core, v1] : event_fields) {
    auto it = in.find(core);
    if (it == in.end() || it->value().is_null())
      continue;
    auto& v = it->value();
    if (v.is_string() && v.as_string().empty())
      continue;
    if (v.is_object() && v.as_object().empty())
      continue;
    if (v.is_int64() && v.as_int64() == 0)
      continue;
    out[v1] = v;
  }
  return out;
}

json::object v1_to_core(const json::object& in) {
  json::object out;
  out["apiVersion"] = "v1";
  out["kind"] = "Event";
  for (auto k : shared_fields)
    if (auto it = in.find(k); it != in.end())
      out[k] = it->value();
  for (auto& [core, v1] : event_fields)
    if (auto it = in.find(v1); it != in.end())
      out[core] = it->value();
  return out;
}

void add_error(std::vector<k8s::field_error>& errs, const char* reason,
               std::string field, std::string message) {
  errs.push_back({reason, std::move(field), std::move(message)});
}

std::string quoted(const json::object& o, const char* key) {
  return "\"" + str_at(o, key) + "\"";
}

} // namespace

bool needs_view(const k8s::resource_type& t, const json::object& obj) {
  if (is_events_v1(t))
    return true;
  if (!t.custom)
    return false;
  return str_at(obj, "apiVersion") != t.api_version();
}

json::object present(const k8s::resource_type& t, const json::object& obj) {
  if (is_events_v1(t))
    return core_to_v1(obj);
  json::object out = obj;
  out["apiVersion"] = t.api_version();
  return out;
}

std::string presented_json(const k8s::resource_type& t, const stored_ptr& s) {
  if (!needs_view(t, s->obj))
    return s->json;
  return json::serialize(present(t, s->obj));
}

json::object to_storage(const k8s::resource_type& t, json::object obj) {
  if (is_events_v1(t))
    return v1_to_core(obj);
  if (t.group.empty() && t.resource == "events") {
    // Go encodes these zero values explicitly; clients expect the keys.
    if (!obj.contains("involvedObject"))
      obj["involvedObject"] = json::object{};
    if (!obj.contains("source"))
      obj["source"] = json::object{};
    if (!obj.contains("eventTime"))
      obj["eventTime"] = nullptr;
    if (!obj.contains("reportingComponent"))
      obj["reportingComponent"] = "";
    if (!obj.contains("reportingInstance"))
      obj["reportingInstance"] = "";
  }
  return obj;
}

std::vector<k8s::field_error> validate_event(const k8s::resource_type& t,
                                             const json::object& obj,
                                             const std::string& ns) {
  std::vector<k8s::field_error> errs;
  if (!is_events_v1(t)) {
    auto io = obj_at(obj, "involvedObject");
    auto ions = io ? str_at(*io, "namespace") : std::string{};
    bool ok = ions.empty() ? (ns.empty() || ns == "default") : ions == ns;
    if (!ok)
      add_error(errs, "FieldValueInvalid", "involvedObject.namespace",
                "Invalid value: \"" + ions
                  + "\": does not match event.namespace");
    return errs;
  }
  auto et = obj.find("eventTime");
  if (et == obj.end() || et->value().is_null())
    add_error(errs, "FieldValueRequired", "eventTime", "Required value");
  auto type = str_at(obj, "type");
  if (type != "Normal" && type != "Warning")
    add_error(errs, "FieldValueInvalid", "type",
              "Invalid value: \"\": has invalid value: " + type);
  for (auto k : {"deprecatedFirstTimestamp", "deprecatedLastTimestamp",
                 "deprecatedCount", "deprecatedSource"}) {
    auto it = obj.find(k);
    if (it != obj.end() && !it->value().is_null()
        && !(it->value().is_object() && it->value().as_object().empty())
        && !(it->value().is_int64() && it->value().as_int64() == 0))
      add_error(errs, "FieldValueInvalid", k,
                "Invalid value: \"\": needs to be unset");
  }
  for (auto k : {"reportingController", "reportingInstance", "action",
                 "reason"}) {
    auto v = str_at(obj, k);
    if (v.empty())
      add_error(errs, "FieldValueRequired", k, "Required value");
    else if (v.size() > 128)
      add_error(errs, "FieldValueInvalid", k,
                "Invalid value: " + quoted(obj, k)
                  + ": can have at most 128 characters");
  }
  if (str_at(obj, "note").size() > 1024)
    add_error(errs, "FieldValueInvalid", "note",
              "Invalid value: \"\": can have at most 1024 characters");
  if (auto series = obj_at(obj, "series")) {
    auto c = series->find("count");
    if (c == series->end() || !c->value().is_int64()
        || c->value().as_int64() < 2)
      add_error(errs, "FieldValueInvalid", "series.count",
                "Invalid value: \"\": should be at least 2");
    auto lot = series->find("lastObservedTime");
    if (lot == series->end() || lot->value().is_null())
      add_error(errs, "FieldValueRequired", "series.lastObservedTime",
                "Required value");
  }
  return errs;
}

} // namespace kc::sim
