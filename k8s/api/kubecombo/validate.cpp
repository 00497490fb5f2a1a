#include "k8s/api/kubecombo/validate.hpp"

#include "k8s/api/kubecombo/formats.hpp"
#include "k8s/api/name_rules.hpp"

#include <boost/json.hpp>

#include <arpa/inet.h>

#include <map>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

std::string quoted(std::string_view v) {
  return "\"" + std::string(v) + "\"";
}

struct errors {
  std::vector<field_error> list;

  void required(std::string field, std::string why) {
    list.push_back({"FieldValueRequired", std::move(field),
                    "Required value: " + std::move(why)});
  }
  void invalid(std::string field, std::string_view value, std::string why) {
    list.push_back({"FieldValueInvalid", std::move(field),
                    "Invalid value: " + quoted(value) + ": " + std::move(why)});
  }
  void forbidden(std::string field, std::string why) {
    list.push_back({"FieldValueForbidden", std::move(field),
                    "Forbidden: " + std::move(why)});
  }
  void not_found(std::string field, std::string_view value, std::string why) {
    list.push_back({"FieldValueNotFound", std::move(field),
                    "Not found: " + quoted(value) + ": " + std::move(why)});
  }
  // An object name (ConfigMap, Pinger, node, subnet): DNS-1123 subdomain.
  void name(const std::string& field, const std::string& value) {
    if (value.empty())
      return;
    auto msgs = is_dns1123_subdomain(value);
    if (!msgs.empty())
      invalid(field, value, join_messages(msgs));
  }
  void quantity(const std::string& field, const std::string& value) {
    if (value.empty()) {
      required(field, "a Kubernetes quantity such as 500m or 256Mi");
      return;
    }
    std::string why;
    auto q = parse_quantity_milli(value, &why);
    if (!q)
      invalid(field, value, why);
    else if (*q <= 0)
      invalid(field, value, "must be greater than zero");
  }
  void range(const std::string& field, int64_t v, int64_t lo, int64_t hi) {
    if (v < lo || v > hi)
      invalid(field, std::to_string(v),
              "must be between " + std::to_string(lo) + " and "
                  + std::to_string(hi) + ", inclusive");
  }
};

void check_selector(errors& e, const std::vector<std::string>& items) {
  std::map<std::string, std::string> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    auto field = "spec.selector[" + std::to_string(i) + "]";
    auto& item = items[i];
    auto colon = item.find(':');
    if (colon == item.npos || item.find(':', colon + 1) != item.npos) {
      e.invalid(field, item,
                "must be \"key:value\" with exactly one ':' (a node label)");
      continue;
    }
    auto key = std::string(trim(std::string_view(item).substr(0, colon)));
    auto value = std::string(trim(std::string_view(item).substr(colon + 1)));
    if (auto msgs = is_qualified_name(key); !msgs.empty())
      e.invalid(field, item,
                "label key " + quoted(key) + ": " + join_messages(msgs));
    else if (auto vm = is_valid_label_value(value); !vm.empty())
      e.invalid(field, item,
                "label value " + quoted(value) + ": " + join_messages(vm));
    else if (auto [it, fresh] = seen.emplace(key, value);
             !fresh && it->second != value)
      e.invalid(field, item,
                "label key " + quoted(key)
                    + " is given twice with different values");
  }
}

void check_tolerations(errors& e, const json::array& tolerations) {
  for (size_t i = 0; i < tolerations.size(); ++i) {
    auto field = "spec.tolerations[" + std::to_string(i) + "]";
    auto t = tolerations[i].if_object();
    if (!t) {
      e.invalid(field, "", "must be an object");
      continue;
    }
    auto str = [&](const char* k) {
      auto it = t->find(k);
      return it != t->end() && it->value().is_string()
                 ? std::string(it->value().get_string())
                 : std::string{};
    };
    auto op = str("operator"), key = str("key"), value = str("value"),
         effect = str("effect");
    if (op != "" && op != "Exists" && op != "Equal")
      e.list.push_back({"FieldValueNotSupported", field + ".operator",
                        "Unsupported value: " + quoted(op)
                            + ": supported values: \"Equal\", \"Exists\""});
    if (op == "Exists" && !value.empty())
      e.invalid(field + ".operator", op,
                "value must be empty when operator is Exists");
    if (key.empty() && op != "Exists")
      e.invalid(field + ".operator", op,
                "operator must be Exists when key is empty");
    if (!key.empty())
      if (auto msgs = is_qualified_name(key); !msgs.empty())
        e.invalid(field + ".key", key, join_messages(msgs));
    if (effect != "" && effect != "NoSchedule" && effect != "PreferNoSchedule"
        && effect != "NoExecute")
      e.list.push_back({"FieldValueNotSupported", field + ".effect",
                        "Unsupported value: " + quoted(effect)
                            + ": supported values: \"NoSchedule\", "
                              "\"PreferNoSchedule\", \"NoExecute\""});
    if (t->contains("tolerationSeconds") && effect != "NoExecute")
      e.invalid(field + ".effect", effect,
                "effect must be NoExecute when tolerationSeconds is set");
  }
}

// Items of a comma-separated target list, trimmed.
std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto end = comma == text.npos ? text.size() : comma;
    out.emplace_back(trim(std::string_view(text).substr(start, end - start)));
    if (comma == text.npos)
      break;
    start = comma + 1;
  }
  return out;
}

// A host: an IPv4/IPv6 literal or a DNS name (labels of 1–63 letters,
// digits, '-' or '_', not starting or ending with '-'; a trailing dot is
// allowed). Dotted digits must be an IPv4 address, anything with ':' IPv6.
bool plausible_host(std::string_view h) {
  if (h.empty() || h.size() > 253)
    return false;
  unsigned char buf[16];
  std::string text(h);
  if (h.find(':') != h.npos)
    return inet_pton(AF_INET6, text.c_str(), buf) == 1;
  if (h.find_first_not_of("0123456789.") == h.npos)
    return inet_pton(AF_INET, text.c_str(), buf) == 1;
  if (h.back() == '.')
    h.remove_suffix(1);
  while (true) {
    auto dot = h.find('.');
    auto label = h.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-'
        || label.back() == '-'
        || label.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
               != label.npos)
      return false;
    if (dot == h.npos)
      return true;
    h.remove_prefix(dot + 1);
  }
}

void check_targets(errors& e, const std::string& field, const std::string& text,
                   bool with_port) {
  if (text.empty())
    return;
  for (auto& item : split_list(text)) {
    if (item.empty()) {
      e.invalid(field, text, "empty item in the comma-separated list");
      continue;
    }
    if (!with_port) {
      auto host = std::string_view(item).substr(0, item.find('@'));
      auto server = item.find('@') == item.npos
                        ? std::string_view("x")
                        : std::string_view(item).substr(item.find('@') + 1);
      if (!plausible_host(host) || !plausible_host(server))
        e.invalid(field, item, "must be a host name or IP address");
      continue;
    }
    auto colon = item.rfind(':');
    auto host = colon == item.npos ? std::string_view{}
                                   : std::string_view(item).substr(0, colon);
    bool bracketed
        = host.size() > 2 && host.front() == '[' && host.back() == ']';
    if (bracketed)
      host = host.substr(1, host.size() - 2);
    else if (host.find(':') != host.npos)
      host = {}; // IPv6 without brackets (Go's SplitHostPort: too many colons)
    auto port = colon == item.npos ? std::string{} : item.substr(colon + 1);
    bool port_ok = !port.empty() && port.size() <= 5
                   && port.find_first_not_of("0123456789") == port.npos
                   && std::stoi(port) >= 1 && std::stoi(port) <= 65535;
    if (!plausible_host(host) || !port_ok)
      e.invalid(field, item,
                "must be host:port with a port from 1 to 65535 "
                "(IPv6 as [addr]:port)");
  }
}

} // namespace

std::vector<field_error> validate_debugger(const object_meta& meta,
                                           const debugger_spec& s) {
  errors e{s.type_errors};
  if (meta.name.size() > 63)
    e.invalid("metadata.name", meta.name,
              "must be no more than 63 characters (it becomes the value of "
              "the pods' debug label)");
  if (s.workload_type.empty())
    e.required("spec.workloadType", "\"pod\" or \"daemonset\"");
  else if (s.workload_type != "pod" && s.workload_type != "daemonset")
    e.list.push_back({"FieldValueNotSupported", "spec.workloadType",
                      "Unsupported value: " + quoted(s.workload_type)
                          + ": supported values: \"daemonset\", \"pod\""});
  e.quantity("spec.cpu", s.cpu);
  e.quantity("spec.memory", s.memory);
  if (!s.qos_bandwidth.empty())
    if (auto why = check_bandwidth(s.qos_bandwidth); !why.empty())
      e.invalid("spec.qosBandwidth", s.qos_bandwidth, why);
  if (!s.subnet.empty() && s.host_network)
    e.forbidden("spec.subnet", "must be empty when hostNetwork is true (a "
                               "host-network pod has no kube-ovn subnet)");
  else
    e.name("spec.subnet", s.subnet);
  if (s.image.find_first_of(" \t\n") != s.image.npos)
    e.invalid("spec.image", s.image, "must not contain whitespace");
  check_selector(e, s.selector);
  check_tolerations(e, s.tolerations);
  for (auto& kv : s.affinity)
    if (kv.key() != "nodeAffinity" && kv.key() != "podAffinity"
        && kv.key() != "podAntiAffinity")
      e.invalid("spec.affinity." + std::string(kv.key()), "",
                "unknown field; expected nodeAffinity, podAffinity or "
                "podAntiAffinity");
  if (!s.node_name.empty() && s.is_daemonset())
    e.forbidden("spec.nodeName", "may not be set when workloadType is "
                                 "daemonset (use selector to choose nodes)");
  else
    e.name("spec.nodeName", s.node_name);
  if (s.enable_pinger && s.pinger.empty())
    e.required("spec.pinger", "the name of a Pinger when enablePinger is true");
  e.name("spec.pinger", s.pinger);
  if (s.enable_config_map && s.config_map.empty())
    e.required("spec.configMap",
               "the name of a ConfigMap when enableConfigMap is true");
  e.name("spec.configMap", s.config_map);
  e.name("spec.debuggerConfig", s.debugger_config);
  if (!s.run_at.empty()) {
    std::string why;
    if (!parse_run_at(s.run_at, &why))
      e.invalid("spec.runAt", s.run_at,
                why + "; for periodic runs use spec.schedule, a 5-field cron "
                      "expression such as \"0 3 * * *\"");
  }
  if (!s.schedule.empty())
    if (auto why = check_cron(s.schedule); !why.empty())
      e.invalid("spec.schedule", s.schedule,
                why + "; for a single run use spec.runAt, an RFC 3339 "
                      "timestamp or epoch seconds");
  e.range("spec.historyLimit", s.history_limit, 1, 100);
  std::string why;
  auto check = parse_duration_ms(s.check_timeout, &why);
  if (!check)
    e.invalid("spec.checkTimeout", s.check_timeout, why);
  auto deadline = parse_duration_ms(s.run_deadline, &why);
  if (!deadline)
    e.invalid("spec.runDeadline", s.run_deadline, why);
  if (check && deadline && *check > *deadline)
    e.invalid("spec.checkTimeout", s.check_timeout,
              "must not be longer than runDeadline (" + s.run_deadline + ")");
  return std::move(e.list);
}

std::vector<field_error> validate_pinger(const pinger_spec& s) {
  errors e{s.type_errors};
  if (s.image.empty())
    e.required("spec.image", "the image of the ping container");
  else if (s.image.find_first_of(" \t\n") != s.image.npos)
    e.invalid("spec.image", s.image, "must not contain whitespace");
  check_targets(e, "spec.ping", s.ping, false);
  check_targets(e, "spec.dns", s.dns, false);
  check_targets(e, "spec.tcpPing", s.tcp_ping, true);
  check_targets(e, "spec.udpPing", s.udp_ping, true);
  if (s.ping.empty() && s.tcp_ping.empty() && s.udp_ping.empty()
      && s.dns.empty() && s.gateway.empty() && !s.mesh)
    e.required("spec.ping", "at least one of ping, tcpPing, udpPing, dns or "
                            "gateway when mesh is false");
  e.range("spec.interval", s.interval, 1, 3600);
  e.range("spec.count", s.count, 1, 100);
  e.range("spec.neighbourLimit", s.neighbour_limit, 0, 1000);
  e.range("spec.metricsPort", s.metrics_port, 1, 65535);
  e.range("spec.failureThreshold", s.failure_threshold, 1, 100);
  e.range("spec.recoveryThreshold", s.recovery_threshold, 1, 100);
  if (!s.timeout.empty()) {
    std::string why;
    auto t = parse_duration_ms(s.timeout, &why);
    if (!t)
      e.invalid("spec.timeout", s.timeout, why);
    else if (*t > s.interval * 1000)
      e.invalid("spec.timeout", s.timeout,
                "must not be longer than interval ("
                    + std::to_string(s.interval) + "s)");
  }
  if (!s.gateway.empty() && s.gateway != "auto" && !plausible_host(s.gateway))
    e.invalid("spec.gateway", s.gateway, "must be \"auto\" or an IP address");
  return std::move(e.list);
}

std::vector<field_error> validate_references(const debugger_spec& s,
                                             const json::object* pinger,
                                             const json::object* config_map) {
  errors e;
  if (!s.pinger.empty() && !pinger)
    e.not_found("spec.pinger", s.pinger,
                "no Pinger of this name in the Debugger's namespace");
  if (pinger && s.enable_pinger) {
    for (auto& err : validate_pinger(parse_pinger_spec(*pinger)))
      e.invalid("spec.pinger", s.pinger,
                "the Pinger is invalid: " + err.field + ": " + err.message);
  }
  if (s.uses_config_map() && !config_map)
    e.not_found("spec.configMap", s.config_map,
                "no ConfigMap of this name in the Debugger's namespace");
  return std::move(e.list);
}

} // namespace kc::k8s::kubecombo
