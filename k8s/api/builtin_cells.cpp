#include "k8s/api/builtin_cells.hpp"

#include "k8s/api/table.hpp"
#include "k8s/api/table_support.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

namespace kc::k8s::cells {

namespace json = boost::json;

namespace {

std::string or_none(std::string s, const char* none = "<none>") {
  return s.empty() ? none : s;
}

std::string name_of(const json::object& o) {
  return string_at(o, "metadata.name");
}

std::string join(const std::vector<std::string>& v, const char* sep = ",") {
  std::string out;
  for (auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

/// labels.FormatLabels / metav1.FormatLabelSelector for matchLabels only.
std::string format_map(const json::value* m) {
  std::vector<std::string> parts;
  if (m && m->is_object())
    for (auto& [k, v] : m->as_object())
      parts.push_back(std::string(k) + "="
                      + (v.is_string() ? std::string(v.as_string()) : ""));
  std::sort(parts.begin(), parts.end());
  return or_none(join(parts));
}

std::string format_selector(const json::object& o, std::string_view path) {
  auto sel = value_at(o, path);
  if (!sel || !sel->is_object())
    return "<none>";
  std::vector<std::string> parts;
  if (auto ml = sel->as_object().if_contains("matchLabels"); ml && ml->is_object())
    for (auto& [k, v] : ml->as_object())
      parts.push_back(std::string(k) + "="
                      + (v.is_string() ? std::string(v.as_string()) : ""));
  std::sort(parts.begin(), parts.end());
  for (auto& e : array_at(sel->as_object(), "matchExpressions")) {
    if (!e.is_object())
      continue;
    auto& eo = e.as_object();
    auto key = string_at(eo, "key");
    auto op = string_at(eo, "operator");
    std::vector<std::string> vals;
    for (auto& v : array_at(eo, "values"))
      if (v.is_string())
        vals.emplace_back(v.as_string());
    if (op == "Exists")
      parts.push_back(key);
    else if (op == "DoesNotExist")
      parts.push_back("!" + key);
    else
      parts.push_back(key + (op == "NotIn" ? " notin (" : " in (") + join(vals)
                      + ")");
  }
  return parts.empty() ? "<none>" : join(parts);
}

/// Containers, Images of a pod template (wide columns of workloads).
std::pair<std::string, std::string> containers_images(const json::object& o) {
  std::vector<std::string> names, images;
  for (auto& c : array_at(o, "spec.template.spec.containers"))
    if (c.is_object()) {
      names.push_back(string_at(c.as_object(), "name"));
      images.push_back(string_at(c.as_object(), "image"));
    }
  return {join(names), join(images)};
}


int64_t size_of(const json::object& o, const char* key) {
  auto v = o.if_contains(key);
  return v && v->is_object() ? static_cast<int64_t>(v->as_object().size()) : 0;
}

json::array event_cells_impl(const json::object& o, clock_point now, bool v1);

} // namespace

json::array pod_cells(const json::object& o, clock_point now) {
  auto reason = string_at(o, "status.phase");
  if (auto r = string_at(o, "status.reason"); !r.empty())
    reason = r;
  int64_t restarts = 0;
  int ready = 0;
  bool running = false;
  std::optional<clock_point> last_restart;
  auto& statuses = array_at(o, "status.containerStatuses");
  for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
    if (!it->is_object())
      continue;
    auto& cs = it->as_object();
    restarts += int_at(cs, "restartCount");
    if (auto t = parse_rfc3339(string_at(cs, "lastState.terminated.finishedAt")))
      if (!last_restart || *t > *last_restart)
        last_restart = t;
    auto waiting = string_at(cs, "state.waiting.reason");
    auto term = value_at(cs, "state.terminated");
    if (!waiting.empty()) {
      reason = waiting;
    } else if (term && term->is_object()) {
      auto tr = string_at(term->as_object(), "reason");
      if (!tr.empty())
        reason = tr;
      else if (auto sig = int_at(term->as_object(), "signal"); sig != 0)
        reason = "Signal:" + std::to_string(sig);
      else
        reason = "ExitCode:" + std::to_string(int_at(term->as_object(),
                                                     "exitCode"));
    } else if (value_at(cs, "state.running")) {
      auto r = value_at(cs, "ready");
      if (r && r->is_bool() && r->get_bool()) {
        running = true;
        ++ready;
      }
    }
  }
  if (reason == "Completed" && running) {
    bool ready_condition = false;
    for (auto& c : array_at(o, "status.conditions"))
      if (c.is_object() && string_at(c.as_object(), "type") == "Ready"
          && string_at(c.as_object(), "status") == "True")
        ready_condition = true;
    reason = ready_condition ? "Running" : "NotReady";
  }
  auto phase = string_at(o, "status.phase");
  if (value_at(o, "metadata.deletionTimestamp")) {
    if (string_at(o, "status.reason") == "NodeLost")
      reason = "Unknown";
    else if (phase != "Succeeded" && phase != "Failed")
      reason = "Terminating";
  }
  auto total = array_at(o, "spec.containers").size();
  auto restart_text = std::to_string(restarts);
  if (restarts != 0 && last_restart)
    restart_text += " (" + human_duration(std::chrono::duration_cast<
                                          std::chrono::seconds>(now - *last_restart))
                    + " ago)";
  std::string gates = "<none>";
  if (auto& rg = array_at(o, "spec.readinessGates"); !rg.empty()) {
    std::size_t ok = 0;
    for (auto& g : rg) {
      auto type = g.is_object() ? string_at(g.as_object(), "conditionType") : "";
      for (auto& c : array_at(o, "status.conditions"))
        if (c.is_object() && string_at(c.as_object(), "type") == type
            && string_at(c.as_object(), "status") == "True")
          ++ok;
    }
    gates = std::to_string(ok) + "/" + std::to_string(rg.size());
  }
  return {name_of(o),
          std::to_string(ready) + "/" + std::to_string(total),
          reason,
          restart_text,
          since(o, "metadata.creationTimestamp", now),
          or_none(string_at(o, "status.podIP")),
          or_none(string_at(o, "spec.nodeName")),
          or_none(string_at(o, "status.nominatedNodeName")),
          gates};
}

json::array node_cells(const json::object& o, clock_point now) {
  std::vector<std::string> status;
  for (auto& c : array_at(o, "status.conditions"))
    if (c.is_object() && string_at(c.as_object(), "type") == "Ready")
      status = {string_at(c.as_object(), "status") == "True" ? "Ready"
                                                            : "NotReady"};
  if (status.empty())
    status.push_back("Unknown");
  if (auto u = value_at(o, "spec.unschedulable"); u && u->is_bool() && u->get_bool())
    status.push_back("SchedulingDisabled");
  std::set<std::string> roles;
  if (auto l = value_at(o, "metadata.labels"); l && l->is_object())
    for (auto& [k, v] : l->as_object()) {
      std::string key(k);
      constexpr std::string_view prefix = "node-role.kubernetes.io/";
      if (key.rfind(prefix, 0) == 0 && key.size() > prefix.size())
        roles.insert(key.substr(prefix.size()));
      else if (key == "kubernetes.io/role" && v.is_string()
               && !v.as_string().empty())
        roles.insert(std::string(v.as_string()));
    }
  auto address = [&](const char* type) {
    for (auto& a : array_at(o, "status.addresses"))
      if (a.is_object() && string_at(a.as_object(), "type") == type)
        return string_at(a.as_object(), "address");
    return std::string("<none>");
  };
  return {name_of(o),
          join(status),
          or_none(join({roles.begin(), roles.end()})),
          since(o, "metadata.creationTimestamp", now),
          string_at(o, "status.nodeInfo.kubeletVersion"),
          address("InternalIP"),
          address("ExternalIP"),
          or_none(string_at(o, "status.nodeInfo.osImage"), "<unknown>"),
          or_none(string_at(o, "status.nodeInfo.kernelVersion"), "<unknown>"),
          or_none(string_at(o, "status.nodeInfo.containerRuntimeVersion"),
                  "<unknown>")};
}

json::array deployment_cells(const json::object& o, clock_point now) {
  auto [names, images] = containers_images(o);
  return {name_of(o),
          std::to_string(int_at(o, "status.readyReplicas")) + "/"
            + std::to_string(int_at(o, "spec.replicas", 1)),
          int_at(o, "status.updatedReplicas"),
          int_at(o, "status.availableReplicas"),
          since(o, "metadata.creationTimestamp", now),
          names,
          images,
          format_selector(o, "spec.selector")};
}

json::array daemonset_cells(const json::object& o, clock_point now) {
  auto [names, images] = containers_images(o);
  return {name_of(o),
          int_at(o, "status.desiredNumberScheduled"),
          int_at(o, "status.currentNumberScheduled"),
          int_at(o, "status.numberReady"),
          int_at(o, "status.updatedNumberScheduled"),
          int_at(o, "status.numberAvailable"),
          format_map(value_at(o, "spec.template.spec.nodeSelector")),
          since(o, "metadata.creationTimestamp", now),
          names,
          images,
          format_selector(o, "spec.selector")};
}

json::array namespace_cells(const json::object& o, clock_point now) {
  return {name_of(o), string_at(o, "status.phase"),
          since(o, "metadata.creationTimestamp", now)};
}

json::array configmap_cells(const json::object& o, clock_point now) {
  return {name_of(o), size_of(o, "data") + size_of(o, "binaryData"),
          since(o, "metadata.creationTimestamp", now)};
}

json::array secret_cells(const json::object& o, clock_point now) {
  return {name_of(o), or_none(string_at(o, "type"), "Opaque"),
          size_of(o, "data"), since(o, "metadata.creationTimestamp", now)};
}

json::array service_cells(const json::object& o, clock_point now) {
  auto type = or_none(string_at(o, "spec.type"), "ClusterIP");
  std::vector<std::string> external;
  if (type == "LoadBalancer")
    for (auto& i : array_at(o, "status.loadBalancer.ingress"))
      if (i.is_object()) {
        auto ip = string_at(i.as_object(), "ip");
        external.push_back(ip.empty() ? string_at(i.as_object(), "hostname")
                                      : ip);
      }
  for (auto& ip : array_at(o, "spec.externalIPs"))
    if (ip.is_string())
      external.emplace_back(ip.as_string());
  std::string ext = join(external);
  if (type == "ExternalName")
    ext = string_at(o, "spec.externalName");
  else if (ext.empty())
    ext = type == "LoadBalancer" ? "<pending>" : "<none>";
  std::vector<std::string> ports;
  for (auto& p : array_at(o, "spec.ports")) {
    if (!p.is_object())
      continue;
    auto& po = p.as_object();
    auto proto = or_none(string_at(po, "protocol"), "TCP");
    auto node_port = int_at(po, "nodePort");
    ports.push_back(std::to_string(int_at(po, "port"))
                    + (node_port ? ":" + std::to_string(node_port) : "") + "/"
                    + proto);
  }
  return {name_of(o),
          type,
          or_none(string_at(o, "spec.clusterIP")),
          ext,
          or_none(join(ports)),
          since(o, "metadata.creationTimestamp", now),
          format_map(value_at(o, "spec.selector"))};
}

/// core/v1 and events.k8s.io/v1 events share one printer; `v1` maps the
/// events.k8s.io field names.
namespace {

json::array event_cells_impl(const json::object& o, clock_point now, bool v1) {
  auto f = [&](const char* core, const char* ev) { return v1 ? ev : core; };
  auto first = since(o, f("firstTimestamp", "deprecatedFirstTimestamp"), now);
  if (!value_at(o, f("firstTimestamp", "deprecatedFirstTimestamp"))
      || value_at(o, f("firstTimestamp", "deprecatedFirstTimestamp"))->is_null())
    first = since(o, "eventTime", now);
  auto last_v = value_at(o, f("lastTimestamp", "deprecatedLastTimestamp"));
  auto last = last_v && last_v->is_string()
                ? since(o, f("lastTimestamp", "deprecatedLastTimestamp"), now)
                : first;
  auto count = int_at(o, f("count", "deprecatedCount"));
  if (auto s = value_at(o, "series"); s && s->is_object()) {
    last = since(s->as_object(), "lastObservedTime", now);
    count = int_at(s->as_object(), "count");
  } else if (count == 0) {
    count = 1;
  }
  auto ref = f("involvedObject", "regarding");
  std::string kind = string_at(o, std::string(ref) + ".kind");
  std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  auto name = string_at(o, std::string(ref) + ".name");
  auto target = name.empty() ? kind : kind + "/" + name;
  auto component = string_at(o, f("source.component",
                                   "deprecatedSource.component"));
  auto host = string_at(o, f("source.host", "deprecatedSource.host"));
  if (component.empty()) {
    component = string_at(o, f("reportingComponent", "reportingController"));
    host = string_at(o, "reportingInstance");
  }
  auto source = host.empty() ? component : component + ", " + host;
  auto message = string_at(o, f("message", "note"));
  auto b = message.find_first_not_of(" \t\r\n");
  auto e = message.find_last_not_of(" \t\r\n");
  message = b == std::string::npos ? "" : message.substr(b, e - b + 1);
  return {last,
          string_at(o, "type"),
          string_at(o, "reason"),
          target,
          string_at(o, std::string(ref) + ".fieldPath"),
          source,
          message,
          first,
          count,
          name_of(o)};
}

} // namespace

json::array core_event_cells(const json::object& o, clock_point now) {
  return event_cells_impl(o, now, false);
}

json::array events_v1_cells(const json::object& o, clock_point now) {
  return event_cells_impl(o, now, true);
}

json::array lease_cells(const json::object& o, clock_point now) {
  return {name_of(o), string_at(o, "spec.holderIdentity"),
          since(o, "metadata.creationTimestamp", now)};
}

json::array serviceaccount_cells(const json::object& o, clock_point now) {
  return {name_of(o), static_cast<int64_t>(array_at(o, "secrets").size()),
          since(o, "metadata.creationTimestamp", now)};
}

json::array created_at_cells(const json::object& o, clock_point) {
  auto t = value_at(o, "metadata.creationTimestamp");
  return {name_of(o), t && t->is_string() ? json::value(t->as_string())
                                          : json::value(nullptr)};
}

json::array binding_cells(const json::object& o, clock_point now) {
  std::vector<std::string> users, groups, sas;
  for (auto& s : array_at(o, "subjects")) {
    if (!s.is_object())
      continue;
    auto kind = string_at(s.as_object(), "kind");
    auto name = string_at(s.as_object(), "name");
    if (kind == "User")
      users.push_back(name);
    else if (kind == "Group")
      groups.push_back(name);
    else if (kind == "ServiceAccount")
      sas.push_back(string_at(s.as_object(), "namespace") + ":" + name);
  }
  return {name_of(o),
          string_at(o, "roleRef.kind") + "/" + string_at(o, "roleRef.name"),
          since(o, "metadata.creationTimestamp", now), join(users, ", "),
          join(groups, ", "), join(sas, ", ")};
}

json::array webhook_cells(const json::object& o, clock_point now) {
  return {name_of(o), static_cast<int64_t>(array_at(o, "webhooks").size()),
          since(o, "metadata.creationTimestamp", now)};
}

json::array endpoints_cells(const json::object& o, clock_point now) {
  std::vector<std::string> eps;
  std::size_t total = 0;
  for (auto& s : array_at(o, "subsets")) {
    if (!s.is_object())
      continue;
    auto& ports = array_at(s.as_object(), "ports");
    for (auto& a : array_at(s.as_object(), "addresses")) {
      auto ip = a.is_object() ? string_at(a.as_object(), "ip") : "";
      if (ports.empty()) {
        if (++total <= 3)
          eps.push_back(ip);
      }
      for (auto& p : ports)
        if (++total <= 3)
          eps.push_back(ip + ":"
                        + std::to_string(p.is_object()
                                           ? int_at(p.as_object(), "port")
                                           : 0));
    }
  }
  auto text = join(eps);
  if (total > 3)
    text += " + " + std::to_string(total - 3) + " more...";
  return {name_of(o), or_none(text), since(o, "metadata.creationTimestamp", now)};
}

} // namespace kc::k8s::cells
