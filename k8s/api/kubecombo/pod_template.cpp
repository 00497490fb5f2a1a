// The pod template of a Debugger's workload: upstream's containers, env and
// host mounts (reference/upstream-kube-combo.md §4.8–4.13) with its bugs fixed
// (W10–W13, W16): kube-ovn annotations only when set, placement for both
// workload kinds, hostPID only with enableSys, a modest ping container with a
// declared metrics port and only the mounts it needs, fixed volume names.

#include "k8s/api/kubecombo/formats.hpp"
#include "k8s/api/kubecombo/workload.hpp"

#include <boost/json.hpp>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

struct host_mount {
  const char* name;
  const char* path;
};

// Upstream's host paths, mounted at the same path, read-only except the
// agents' log folder.
constexpr host_mount base_mounts[] = {
    {"host-run-ovs", "/var/run/openvswitch"},
    {"host-run-ovn", "/var/run/ovn"},
    {"host-config-openvswitch", "/etc/openvswitch"},
    {"host-log-openvswitch", "/var/log/openvswitch"},
    {"host-log-ovn", "/var/log/ovn"},
    {"host-log-kube-ovn", "/var/log/kube-ovn"},
    {"host-log-kube-combo", "/var/log/kube-combo"},
    {"localtime", "/etc/localtime"},
    {"kube-ovn-tls", "/var/run/tls"},
};

// The enableSys set (systemd units, cgroups, journal), read-only (W12).
constexpr host_mount sys_mounts[] = {
    {"etc-systemd", "/etc/systemd/system"},
    {"run-systemd", "/run/systemd/system"},
    {"var-run-systemd", "/var/run/systemd/system"},
    {"usr-local-lib-systemd", "/usr/local/lib/systemd/system"},
    {"usr-lib-systemd", "/usr/lib/systemd/system"},
    {"lib-systemd", "/lib/systemd/system"},
    {"cgroup", "/sys/fs/cgroup"},
    {"var-log-journal", "/var/log/journal"},
};

constexpr const char* host_root_volume = "host-root";
constexpr const char* scripts_volume = "user-scripts";
constexpr const char* log_volume = "host-log-kube-combo";

json::object field_env(const char* name, const char* path) {
  return {{"name", name},
          {"valueFrom",
           {{"fieldRef", {{"apiVersion", "v1"}, {"fieldPath", path}}}}}};
}

json::object value_env(const char* name, std::string value) {
  return {{"name", name}, {"value", std::move(value)}};
}

const char* bool_text(bool b) {
  return b ? "true" : "false";
}

json::array pod_identity_env() {
  return {field_env("POD_NAME", "metadata.name"),
          field_env("POD_NAMESPACE", "metadata.namespace"),
          field_env("NODE_NAME", "spec.nodeName"),
          field_env("POD_IP", "status.podIP"),
          field_env("HOST_IP", "status.hostIP")};
}

json::object mount(const char* name, const char* path, bool read_only) {
  json::object m{{"name", name}, {"mountPath", path}};
  if (read_only)
    m["readOnly"] = true;
  return m;
}

json::object debug_container(const object_meta& meta, const debugger_spec& s) {
  auto env = pod_identity_env();
  env.push_back(value_env("DEBUGGER_NAME", meta.name));
  env.push_back(value_env("HOST_NETWORK", bool_text(s.host_network)));
  env.push_back(value_env("HOST_CHECK_LIST", bool_text(s.enable_sys)));
  env.push_back(value_env("DS_NAME", s.is_daemonset() ? meta.name : ""));
  env.push_back(value_env("SUBNET", s.host_network ? "" : s.subnet));
  if (!s.pinger.empty())
    env.push_back(value_env("PINGER_NAME", s.pinger));
  if (!s.debugger_config.empty())
    for (auto key : {"LOG_LEVEL", "LOG_FILE", "LOG_FLAG", "EIS_API_PORT",
                     "EIS_API_SVC", "REGISTER", "REPORT", "TERMINATE"})
      env.push_back(json::object{{"name", key},
                                 {"valueFrom",
                                  {{"configMapKeyRef",
                                    {{"name", s.debugger_config},
                                     {"key", key},
                                     {"optional", true}}}}}});
  json::array mounts;
  mounts.push_back(mount(host_root_volume, "/host", true));
  for (auto& m : base_mounts)
    mounts.push_back(
        mount(m.name, m.path, m.name != std::string_view(log_volume)));
  if (s.enable_sys)
    for (auto& m : sys_mounts)
      mounts.push_back(mount(m.name, m.path, true));
  if (s.uses_config_map())
    // Read-only; the agent copies it into the writable /scripts/custom at
    // start, so custom errlogs land at /scripts/custom/errlog (ADR 0045).
    mounts.push_back(mount(scripts_volume, "/scripts/custom-src", true));
  json::object quantities{{"cpu", s.cpu}, {"memory", s.memory}};
  json::object security{{"runAsUser", 0}};
  if (s.enable_sys)
    security["privileged"] = true;
  else
    security["capabilities"] = {{"add", json::array{"NET_ADMIN", "NET_RAW"}}};
  return {{"name", "debug"},
          {"image", s.image},
          {"imagePullPolicy", "IfNotPresent"},
          {"command", json::array{"kubecombo", "debugger"}},
          {"args", json::array{"--host-root=/host", "--scripts-dir=/scripts",
                               "--port=" + std::to_string(debugger_port),
                               "--check-timeout=" + s.check_timeout,
                               "--deadline=" + s.run_deadline}},
          {"env", std::move(env)},
          {"ports", json::array{json::object{{"name", "debug-metrics"},
                                             {"containerPort", debugger_port},
                                             {"protocol", "TCP"}}}},
          {"resources", {{"requests", quantities}, {"limits", quantities}}},
          {"securityContext", std::move(security)},
          {"volumeMounts", std::move(mounts)}};
}

json::object ping_container(const object_meta& meta, const debugger_spec& s,
                            const pinger_spec& p) {
  auto env = pod_identity_env();
  env.push_back(value_env("HOST_NETWORK", bool_text(s.host_network)));
  env.push_back(value_env("PINGER_NAME", s.pinger));
  json::array args{"--mode=server", "--port=" + std::to_string(p.metrics_port)};
  if (p.enable_metrics)
    args.push_back("--enable-metrics");
  if (s.is_daemonset()) {
    args.push_back(json::string("--ds-name=" + meta.name));
    args.push_back(json::string("--ds-namespace=" + meta.namespace_));
  }
  return {{"name", "ping"},
          {"image", p.image},
          {"imagePullPolicy", "IfNotPresent"},
          {"command", json::array{"kubecombo", "pinger"}},
          {"args", std::move(args)},
          {"env", std::move(env)},
          {"ports", json::array{json::object{{"name", "metrics"},
                                             {"containerPort", p.metrics_port},
                                             {"protocol", "TCP"}}}},
          {"resources",
           {{"requests", {{"cpu", "10m"}, {"memory", "32Mi"}}},
            {"limits", {{"cpu", "200m"}, {"memory", "128Mi"}}}}},
          {"securityContext",
           {{"runAsUser", 0},
            {"allowPrivilegeEscalation", false},
            {"capabilities",
             {{"drop", json::array{"ALL"}}, {"add", json::array{"NET_RAW"}}}}}},
          {"volumeMounts",
           json::array{mount("localtime", "/etc/localtime", true),
                       mount(log_volume, "/var/log/kube-combo", false)}}};
}

json::object host_volume(const char* name, const char* path) {
  return {{"name", name}, {"hostPath", {{"path", path}}}};
}

json::object node_selector(const std::vector<std::string>& items) {
  json::object out;
  for (auto& item : items) {
    auto colon = item.find(':');
    if (colon == item.npos)
      continue; // rejected by validation
    out[std::string(trim(std::string_view(item).substr(0, colon)))]
        = std::string(trim(std::string_view(item).substr(colon + 1)));
  }
  return out;
}

} // namespace

json::object desired_pod_template(const object_meta& meta,
                                  const debugger_spec& s,
                                  const pinger_spec* pinger) {
  json::object labels{{debug_label, meta.name},
                      {"app.kubernetes.io/managed-by", "kubecombo"}};
  json::object annotations;
  if (!s.subnet.empty() && !s.host_network)
    annotations["ovn.kubernetes.io/logical_switch"] = s.subnet;
  if (!s.qos_bandwidth.empty()) {
    annotations["ovn.kubernetes.io/ingress_rate"] = s.qos_bandwidth;
    annotations["ovn.kubernetes.io/egress_rate"] = s.qos_bandwidth;
  }
  json::array containers{debug_container(meta, s)};
  if (s.enable_pinger && pinger)
    containers.push_back(ping_container(meta, s, *pinger));
  json::array volumes{host_volume(host_root_volume, "/")};
  for (auto& m : base_mounts)
    volumes.push_back(host_volume(m.name, m.path));
  if (s.enable_sys)
    for (auto& m : sys_mounts)
      volumes.push_back(host_volume(m.name, m.path));
  if (s.uses_config_map())
    volumes.push_back(json::object{
        {"name", scripts_volume},
        {"configMap", {{"name", s.config_map}, {"defaultMode", 0755}}}});
  bool job_style = !s.is_daemonset() && s.uses_config_map();
  json::object spec{{"containers", std::move(containers)},
                    {"volumes", std::move(volumes)},
                    {"restartPolicy", job_style ? "Never" : "Always"},
                    {"serviceAccountName", agent_name},
                    {"hostNetwork", s.host_network},
                    {"hostPID", s.enable_sys},
                    {"terminationGracePeriodSeconds", 10}};
  if (s.host_network)
    spec["dnsPolicy"] = "ClusterFirstWithHostNet";
  if (!s.is_daemonset() && !s.node_name.empty())
    spec["nodeName"] = s.node_name;
  if (auto sel = node_selector(s.selector); !sel.empty())
    spec["nodeSelector"] = std::move(sel);
  if (!s.tolerations.empty())
    spec["tolerations"] = s.tolerations;
  if (!s.affinity.empty())
    spec["affinity"] = s.affinity;
  json::object md{{"labels", std::move(labels)}};
  if (!annotations.empty())
    md["annotations"] = std::move(annotations);
  return {{"metadata", std::move(md)}, {"spec", std::move(spec)}};
}

} // namespace kc::k8s::kubecombo
