#include "k8s/api/kubecombo/spec.hpp"

#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

const char* type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_:
      return "boolean";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
    case json::kind::null:
      return "null";
    default:
      return "number";
  }
}

// Reads spec fields, recording wrong JSON types.
struct reader {
  const json::object& spec;
  std::vector<field_error>& errors;

  const json::value* find(std::string_view key, json::kind want,
                          const char* want_name) {
    auto it = spec.find(key);
    if (it == spec.end() || it->value().is_null())
      return nullptr;
    auto& v = it->value();
    bool ok = v.kind() == want
              || (want == json::kind::int64
                  && (v.is_uint64()
                      || (v.is_double()
                          && v.get_double()
                                 == static_cast<double>(
                                     static_cast<int64_t>(v.get_double())))));
    if (!ok) {
      errors.push_back({"FieldValueTypeInvalid", "spec." + std::string(key),
                        std::string("Invalid value: \"") + type_name(v)
                            + "\": spec." + std::string(key)
                            + " must be of type " + want_name});
      return nullptr;
    }
    return &v;
  }
  void str(std::string_view key, std::string& out) {
    if (auto v = find(key, json::kind::string, "string"))
      out = std::string(v->get_string());
  }
  void boolean(std::string_view key, bool& out) {
    if (auto v = find(key, json::kind::bool_, "boolean"))
      out = v->get_bool();
  }
  void integer(std::string_view key, int64_t& out) {
    if (auto v = find(key, json::kind::int64, "integer")) {
      if (v->is_int64())
        out = v->get_int64();
      else if (v->is_uint64())
        out = v->get_uint64() > 1'000'000'000
                  ? 1'000'000'000
                  : static_cast<int64_t>(v->get_uint64());
      else
        out = static_cast<int64_t>(v->get_double());
    }
  }
};

const json::object& spec_of(const json::object& obj) {
  static const json::object empty;
  auto s = obj_at(obj, "spec");
  return s ? *s : empty;
}

} // namespace

object_meta meta_of(const json::object& obj) {
  object_meta m;
  if (auto md = obj_at(obj, "metadata")) {
    m.name = str_at(*md, "name");
    m.namespace_ = str_at(*md, "namespace");
    m.uid = str_at(*md, "uid");
    if (auto g = md->find("generation");
        g != md->end() && g->value().is_int64())
      m.generation = g->value().get_int64();
  }
  return m;
}

debugger_spec parse_debugger_spec(const json::object& obj) {
  debugger_spec s;
  reader r{spec_of(obj), s.type_errors};
  r.str("workloadType", s.workload_type);
  r.str("cpu", s.cpu);
  r.str("memory", s.memory);
  r.str("qosBandwidth", s.qos_bandwidth);
  r.str("subnet", s.subnet);
  r.boolean("hostNetwork", s.host_network);
  r.str("image", s.image);
  if (s.image.empty())
    s.image = default_debugger_image;
  if (auto v = r.find("selector", json::kind::array, "array")) {
    size_t i = 0;
    for (auto& item : v->get_array()) {
      if (auto str = item.if_string())
        s.selector.emplace_back(*str);
      else
        s.type_errors.push_back({"FieldValueTypeInvalid",
                                 "spec.selector[" + std::to_string(i) + "]",
                                 std::string("Invalid value: \"")
                                     + type_name(item)
                                     + "\": selector items must be strings"});
      ++i;
    }
  }
  if (auto v = r.find("tolerations", json::kind::array, "array"))
    s.tolerations = v->get_array();
  if (auto v = r.find("affinity", json::kind::object, "object"))
    s.affinity = v->get_object();
  r.str("nodeName", s.node_name);
  r.boolean("enablePinger", s.enable_pinger);
  r.str("pinger", s.pinger);
  r.boolean("enableConfigMap", s.enable_config_map);
  r.str("configMap", s.config_map);
  r.boolean("enableSys", s.enable_sys);
  r.str("runAt", s.run_at);
  r.str("debuggerConfig", s.debugger_config);
  r.str("schedule", s.schedule);
  r.integer("historyLimit", s.history_limit);
  r.str("checkTimeout", s.check_timeout);
  r.str("runDeadline", s.run_deadline);
  if (s.check_timeout.empty())
    s.check_timeout = "30s";
  if (s.run_deadline.empty())
    s.run_deadline = "5m";
  return s;
}

pinger_spec parse_pinger_spec(const json::object& obj) {
  pinger_spec s;
  reader r{spec_of(obj), s.type_errors};
  r.str("image", s.image);
  r.boolean("enableMetrics", s.enable_metrics);
  r.str("ping", s.ping);
  r.str("tcpPing", s.tcp_ping);
  r.str("udpPing", s.udp_ping);
  r.str("dns", s.dns);
  r.integer("interval", s.interval);
  r.str("timeout", s.timeout);
  r.integer("count", s.count);
  r.str("gateway", s.gateway);
  r.boolean("mesh", s.mesh);
  r.integer("neighbourLimit", s.neighbour_limit);
  r.integer("metricsPort", s.metrics_port);
  r.integer("failureThreshold", s.failure_threshold);
  r.integer("recoveryThreshold", s.recovery_threshold);
  return s;
}

std::string describe(const std::vector<field_error>& errors) {
  std::string out;
  for (auto& e : errors) {
    if (!out.empty())
      out += "; ";
    out += e.field + ": " + e.message;
  }
  return out;
}

} // namespace kc::k8s::kubecombo
