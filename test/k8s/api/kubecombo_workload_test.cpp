#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/workload.hpp"
#include "k8s/api/resource_registry.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s::kubecombo;
using kc::k8s::str_at;
using action = workload_diff::action;

namespace {

json::object debugger(const std::string& spec_json) {
  json::object spec{
      {"workloadType", "daemonset"}, {"cpu", "100m"}, {"memory", "128Mi"}};
  auto parsed = json::parse(spec_json);
  for (auto& kv : parsed.as_object())
    spec[kv.key()] = kv.value();
  return {
      {"apiVersion", api_version},
      {"kind", "Debugger"},
      {"metadata", {{"name", "d1"}, {"namespace", "ns1"}, {"uid", "uid-1"}}},
      {"spec", std::move(spec)}};
}

json::object pinger(const std::string& image = "kubecombo/pinger:v1") {
  return {
      {"metadata", {{"name", "p1"}}},
      {"spec", {{"image", image}, {"ping", "1.1.1.1"}, {"metricsPort", 9100}}}};
}

json::object config_map(const std::string& script) {
  return {{"metadata", {{"name", "scripts"}}},
          {"data", {{"check.sh", script}}}};
}

const json::object& pod_spec(const desired_workload& w) {
  if (w.kind == "Pod")
    return w.object.at("spec").as_object();
  return w.object.at("spec").at("template").at("spec").as_object();
}

const json::object* container(const desired_workload& w,
                              const std::string& name) {
  for (auto& c : pod_spec(w).at("containers").as_array())
    if (str_at(c.as_object(), "name") == name)
      return &c.as_object();
  return nullptr;
}

bool has_env(const json::object& c, const std::string& name) {
  for (auto& e : c.at("env").as_array())
    if (str_at(e.as_object(), "name") == name)
      return true;
  return false;
}

bool has_mount(const json::object& c, const std::string& path) {
  for (auto& m : c.at("volumeMounts").as_array())
    if (str_at(m.as_object(), "mountPath") == path)
      return true;
  return false;
}

desired_workload make(const json::object& d, const json::object* p = nullptr,
                      const json::object* cm = nullptr) {
  return make_desired_workload({&d, p, cm});
}

} // namespace

BOOST_AUTO_TEST_SUITE(kubecombo_workload)

BOOST_AUTO_TEST_CASE(daemonset_shape) {
  auto d = debugger(
      R"({"selector":["kubernetes.io/os: linux"],"tolerations":[{"operator":"Exists"}],
      "affinity":{"nodeAffinity":{"x":1}},"enablePinger":true,"pinger":"p1"})");
  auto p = pinger();
  auto w = make(d, &p);
  BOOST_TEST(w.kind == "DaemonSet");
  BOOST_TEST(w.api_version == "apps/v1");
  auto& md = w.object.at("metadata").as_object();
  BOOST_TEST(str_at(md, "name") == "d1");
  BOOST_TEST(str_at(md, "namespace") == "ns1");
  BOOST_TEST(md.at("labels").at("debug") == "d1");
  auto& ref = md.at("ownerReferences").at(0).as_object();
  BOOST_TEST(ref.at("kind") == "Debugger");
  BOOST_TEST(ref.at("uid") == "uid-1");
  BOOST_TEST(ref.at("controller") == true);
  BOOST_TEST(ref.at("blockOwnerDeletion") == true);
  BOOST_TEST(md.at("annotations").at(hash_annotation).as_string()
             == w.hash.c_str());
  auto& spec = w.object.at("spec").as_object();
  BOOST_TEST(spec.at("selector").at("matchLabels").at("debug") == "d1");
  auto& tmd = spec.at("template").at("metadata").as_object();
  BOOST_TEST(tmd.at("labels").at("debug") == "d1");
  BOOST_TEST(tmd.at("annotations").at(hash_annotation).as_string()
             == w.hash.c_str());
  // up:W10: no kube-ovn annotations when unset.
  BOOST_TEST(!tmd.at("annotations")
                  .as_object()
                  .contains("ovn.kubernetes.io/logical_switch"));
  BOOST_TEST(!tmd.at("annotations")
                  .as_object()
                  .contains("ovn.kubernetes.io/ingress_rate"));
  auto& ps = pod_spec(w);
  BOOST_TEST(ps.at("nodeSelector").at("kubernetes.io/os") == "linux");
  BOOST_TEST(ps.at("tolerations").as_array().size() == 1u);
  BOOST_TEST(ps.contains("affinity"));
  BOOST_TEST(!ps.contains("nodeName"));
  BOOST_TEST(ps.at("serviceAccountName") == agent_name);
  BOOST_TEST(ps.at("restartPolicy") == "Always");
  BOOST_TEST(ps.at("hostPID") == false);
  auto debug = container(w, "debug");
  BOOST_REQUIRE(debug);
  BOOST_TEST(debug->at("resources").at("limits").at("cpu") == "100m");
  BOOST_TEST(debug->at("resources").at("requests").at("memory") == "128Mi");
  BOOST_TEST(debug->at("image") == default_debugger_image);
  for (auto env : {"POD_NAME", "POD_NAMESPACE", "NODE_NAME", "POD_IP",
                   "HOST_IP", "HOST_NETWORK", "HOST_CHECK_LIST", "DS_NAME",
                   "SUBNET", "DEBUGGER_NAME", "PINGER_NAME"})
    BOOST_TEST(has_env(*debug, env), env);
  BOOST_TEST(has_mount(*debug, "/var/run/openvswitch"));
  BOOST_TEST(has_mount(*debug, "/var/log/kube-combo"));
  BOOST_TEST(has_mount(*debug, "/host"));
  BOOST_TEST(!has_mount(*debug, "/sys/fs/cgroup"));
  auto ping = container(w, "ping");
  BOOST_REQUIRE(ping);
  BOOST_TEST(ping->at("image") == "kubecombo/pinger:v1");
  BOOST_TEST(has_env(*ping, "PINGER_NAME"));
  // Targets are read live from the Pinger, not baked into the template.
  BOOST_TEST(!has_env(*ping, "PING"));
  BOOST_TEST(ping->at("ports").at(0).at("containerPort") == 9100);
  BOOST_TEST(ping->at("resources").at("limits").at("memory") == "128Mi");
  BOOST_TEST(!has_mount(*ping, "/var/run/openvswitch")); // up:W13
}

BOOST_AUTO_TEST_CASE(ping_metrics_listener_follows_enable_metrics) {
  auto d = debugger(R"({"enablePinger":true,"pinger":"p1"})");
  auto has_arg = [](const desired_workload& w, const std::string& arg) {
    for (auto& a : container(w, "ping")->at("args").as_array())
      if (a == arg.c_str())
        return true;
    return false;
  };
  auto off = pinger();
  auto on = pinger();
  on["spec"].as_object()["enableMetrics"] = true;
  auto w_off = make(d, &off), w_on = make(d, &on);
  BOOST_TEST(!has_arg(w_off, "--enable-metrics"));
  BOOST_TEST(has_arg(w_on, "--enable-metrics"));
  BOOST_TEST(has_arg(w_on, "--port=9100"));
  BOOST_TEST(w_on.hash != w_off.hash); // turning metrics on rolls the agents
}

BOOST_AUTO_TEST_CASE(pod_shape_troubleshooting_and_job_style) {
  auto d = debugger(
      R"({"workloadType":"pod","nodeName":"node-2","hostNetwork":true,
      "enableSys":true,"qosBandwidth":"50","selector":["a:b"]})");
  auto w = make(d);
  BOOST_TEST(w.kind == "Pod");
  auto& ps = pod_spec(w);
  BOOST_TEST(ps.at("nodeName") == "node-2");
  BOOST_TEST(ps.at("hostNetwork") == true);
  BOOST_TEST(ps.at("hostPID") == true); // only with enableSys
  BOOST_TEST(ps.at("restartPolicy") == "Always");
  BOOST_TEST(ps.at("nodeSelector").at("a") == "b"); // up:W11
  auto& md = w.object.at("metadata").as_object();
  BOOST_TEST(md.at("labels").at("debug") == "d1");
  BOOST_TEST(md.at("annotations").at("ovn.kubernetes.io/ingress_rate") == "50");
  BOOST_TEST(md.at("annotations").at("ovn.kubernetes.io/egress_rate") == "50");
  BOOST_TEST(md.at("annotations").at(hash_annotation).as_string()
             == w.hash.c_str());
  BOOST_TEST(!container(w, "ping"));
  auto debug = container(w, "debug");
  BOOST_TEST(has_mount(*debug, "/sys/fs/cgroup"));
  BOOST_TEST(has_mount(*debug, "/var/log/journal"));
  BOOST_TEST(debug->at("securityContext").at("privileged") == true);
  // Job style: user scripts from the ConfigMap, the pod completes.
  auto cm = config_map("echo hi");
  auto job = make(
      debugger(
          R"({"workloadType":"pod","enableConfigMap":true,"configMap":"scripts",
      "subnet":"ovn-default"})"),
      nullptr, &cm);
  BOOST_TEST(pod_spec(job).at("restartPolicy") == "Never");
  // The ConfigMap at custom-src (the agent copies it into the writable
  // /scripts/custom at start, where the errlogs go).
  BOOST_TEST(has_mount(*container(job, "debug"), "/scripts/custom-src"));
  BOOST_TEST(!has_mount(*container(job, "debug"), "/scripts/custom"));
  for (auto& m : container(job, "debug")->at("volumeMounts").as_array())
    if (str_at(m.as_object(), "mountPath") == "/scripts/custom-src")
      BOOST_TEST(m.at("readOnly") == true);
  BOOST_TEST(job.object.at("metadata")
                 .at("annotations")
                 .at("ovn.kubernetes.io/logical_switch")
             == "ovn-default");
  BOOST_TEST(pod_spec(job).at("hostPID") == false);
  BOOST_TEST(!container(job, "debug")
                  ->at("securityContext")
                  .as_object()
                  .contains("privileged"));
}

BOOST_AUTO_TEST_CASE(hash_rolls_on_config_map_and_pinger_image_only) {
  auto d = debugger(
      R"({"enablePinger":true,"pinger":"p1","enableConfigMap":true,"configMap":"scripts"})");
  auto p1 = pinger("img:1"), p2 = pinger("img:2");
  auto cm1 = config_map("echo 1"), cm2 = config_map("echo 2");
  auto base = make(d, &p1, &cm1);
  BOOST_TEST(base.hash.size() == 16u);
  BOOST_TEST(make(d, &p1, &cm1).hash == base.hash); // deterministic
  BOOST_TEST(make(d, &p1, &cm2).hash != base.hash); // ConfigMap content rolls
  BOOST_TEST(make(d, &p2, &cm1).hash != base.hash); // Pinger image rolls
  auto p1_targets = p1;
  p1_targets["spec"].as_object()["ping"] = "8.8.8.8";
  BOOST_TEST(make(d, &p1_targets, &cm1).hash == base.hash); // targets are live
  auto d2 = debugger(
      R"({"enablePinger":true,"pinger":"p1","enableConfigMap":true,"configMap":"scripts","cpu":"200m"})");
  BOOST_TEST(make(d2, &p1, &cm1).hash != base.hash);
  // An unused ConfigMap does not matter.
  auto plain = debugger("{}");
  BOOST_TEST(make(plain, nullptr, &cm1).hash
             == make(plain, nullptr, &cm2).hash);
  // Key order of the ConfigMap does not matter.
  json::object a{{"data", {{"x", "1"}, {"y", "2"}}}},
      b{{"data", {{"y", "2"}, {"x", "1"}}}};
  BOOST_TEST(config_map_hash(&a) == config_map_hash(&b));
}

BOOST_AUTO_TEST_CASE(diff_detects_absence_change_drift_and_foreign_objects) {
  auto d = debugger(R"({"selector":["a:b"]})");
  auto w = make(d);
  BOOST_TEST(int(diff_workload(w, nullptr).what) == int(action::create));
  // The observed object as a server returns it: extra fields everywhere.
  auto observed = w.object;
  observed["status"] = json::object{{"numberReady", 3}};
  auto& omd = observed["metadata"].as_object();
  omd["resourceVersion"] = "42";
  omd["annotations"].as_object()["deprecated.daemonset.template.generation"]
      = "1";
  auto& ops = observed["spec"]
                  .as_object()["template"]
                  .as_object()["spec"]
                  .as_object();
  ops["schedulerName"] = "default-scheduler";
  ops["volumes"].as_array().push_back(
      json::object{{"name", "kube-api-access-x"}});
  ops["tolerations"]
      = json::array{json::object{{"key", "node.kubernetes.io/not-ready"}}};
  auto& dbg = ops["containers"].as_array()[0].as_object();
  dbg["terminationMessagePath"] = "/dev/termination-log";
  dbg["resources"].as_object()["limits"].as_object()["memory"] = "134217728";
  BOOST_TEST(int(diff_workload(w, &observed).what) == int(action::none),
             diff_workload(w, &observed).reason);
  // Hand edit of a field we own: reverted by an update.
  auto edited = observed;
  edited["spec"]
      .as_object()["template"]
      .as_object()["spec"]
      .as_object()["nodeSelector"]
      = json::object{{"a", "c"}};
  auto diff = diff_workload(w, &edited);
  BOOST_TEST(int(diff.what) == int(action::update));
  BOOST_TEST(diff.reason.find("spec.template.spec.nodeSelector.a")
                 != std::string::npos,
             diff.reason);
  auto image = observed;
  image["spec"]
      .as_object()["template"]
      .as_object()["spec"]
      .as_object()["containers"]
      .as_array()[0]
      .as_object()["image"]
      = "other";
  BOOST_TEST(diff_workload(w, &image).reason.find("containers[debug].image")
                 != std::string::npos,
             diff_workload(w, &image).reason);
  // A changed desired spec: the hash differs.
  auto w2 = make(debugger(R"({"selector":["a:c"]})"));
  BOOST_TEST(int(diff_workload(w2, &observed).what) == int(action::update));
  BOOST_TEST(diff_workload(w2, &observed).reason.find("template hash")
             != std::string::npos);
  // Not ours.
  auto foreign = observed;
  foreign["metadata"]
      .as_object()["ownerReferences"]
      .as_array()[0]
      .as_object()["uid"]
      = "other";
  BOOST_TEST(int(diff_workload(w, &foreign).what) == int(action::conflict));
  auto deleting = observed;
  deleting["metadata"].as_object()["deletionTimestamp"]
      = "2026-11-28T16:00:00Z";
  BOOST_TEST(int(diff_workload(w, &deleting).what) == int(action::wait));
}

BOOST_AUTO_TEST_CASE(pods_are_replaced_not_updated) {
  auto w = make(debugger(R"({"workloadType":"pod"})"));
  auto observed = w.object;
  observed["spec"].as_object()["nodeName"] = "node-1"; // set by the scheduler
  BOOST_TEST(int(diff_workload(w, &observed).what) == int(action::none),
             diff_workload(w, &observed).reason);
  auto w2 = make(debugger(R"({"workloadType":"pod","memory":"256Mi"})"));
  BOOST_TEST(int(diff_workload(w2, &observed).what)
             == int(action::replace)); // up:W4
}

BOOST_AUTO_TEST_CASE(workload_type_switch_names_the_stale_kind) {
  auto ds = debugger("{}");
  auto pod = debugger(R"({"workloadType":"pod"})");
  BOOST_TEST(stale_workload_kind(parse_debugger_spec(ds)) == "Pod");
  BOOST_TEST(stale_workload_kind(parse_debugger_spec(pod)) == "DaemonSet");
  auto old_ds = make(ds).object; // left over from before the switch
  BOOST_TEST(controlled_by(old_ds, pod));
  auto other = pod;
  other["metadata"].as_object()["uid"] = "uid-2";
  BOOST_TEST(!controlled_by(old_ds, other));
  json::object bare{{"metadata", {{"name", "d1"}}}};
  BOOST_TEST(!controlled_by(bare, pod));
}

BOOST_AUTO_TEST_CASE(agent_rbac_objects) {
  auto d1 = debugger("{}");
  auto objs = desired_agent_rbac("ns1", {&d1});
  BOOST_REQUIRE_EQUAL(objs.size(), 4u);
  BOOST_TEST(objs[0].at("kind") == "ServiceAccount");
  BOOST_TEST(objs[0].at("metadata").at("name") == agent_name);
  BOOST_TEST(objs[0].at("metadata").at("namespace") == "ns1");
  auto& ref = objs[0].at("metadata").at("ownerReferences").at(0).as_object();
  BOOST_TEST(ref.at("uid") == "uid-1");
  BOOST_TEST(ref.at("controller") == false);
  BOOST_TEST(objs[1].at("kind") == "Role");
  auto rules = json::serialize(objs[1].at("rules"));
  BOOST_TEST(rules.find("\"pingers\"") != std::string::npos);
  BOOST_TEST(rules.find("\"events\"") != std::string::npos);
  BOOST_TEST(rules.find("\"delete\"") == std::string::npos);
  BOOST_TEST(rules.find("\"*\"") == std::string::npos);
  BOOST_TEST(objs[2].at("kind") == "RoleBinding");
  BOOST_TEST(objs[2].at("subjects").at(0).at("namespace") == "ns1");
  BOOST_TEST(objs[3].at("kind") == "ClusterRoleBinding");
  BOOST_TEST(objs[3].at("metadata").at("name") == "kubecombo-agent-nodes-ns1");
  BOOST_TEST(objs[3].at("roleRef").at("name") == agent_nodes_role);
}

BOOST_AUTO_TEST_CASE(first_difference_rules) {
  auto v = [](const char* s) {
    return json::parse(s);
  };
  auto o = v(R"({"a":false,"b":"","c":{"q":"1"}})");
  BOOST_TEST(first_difference(v(R"({"a":false,"x":0,"y":[]})"), &o, "r") == "");
  BOOST_TEST(first_difference(v(R"({"a":true})"), &o, "r") == "r.a");
  BOOST_TEST(first_difference(v(R"({"c":{"q":"2"}})"), &o, "r") == "r.c.q");
  auto r = v(R"({"resources":{"cpu":"1000m"}})");
  BOOST_TEST(first_difference(v(R"({"resources":{"cpu":"1"}})"), &r, "r")
             == "");
  auto args = v(R"({"args":["a","b","c"]})");
  BOOST_TEST(first_difference(v(R"({"args":["a","b"]})"), &args, "r")
             == "r.args");
}

BOOST_AUTO_TEST_CASE(desired_objects_pass_the_api_servers_schemas) {
  // What the control plane would reject (strict field validation) or prune.
  kc::k8s::resource_registry reg;
  auto check = [&](json::object obj) {
    auto api = str_at(obj, "apiVersion");
    auto slash = api.find('/');
    auto group = slash == std::string::npos ? "" : api.substr(0, slash);
    auto version = slash == std::string::npos ? api : api.substr(slash + 1);
    auto kind = str_at(obj, "kind");
    auto t = reg.find_kind(group, version, kind);
    BOOST_REQUIRE_MESSAGE(t, "no resource type for " << api << " " << kind);
    auto r = kc::k8s::validate_object(*t, obj);
    BOOST_TEST(r.decode_errors.empty(), kind);
    BOOST_TEST(describe(r.errors) == "", kind);
    std::string unknown;
    for (auto& u : r.unknown_fields)
      unknown += u + " ";
    BOOST_TEST(unknown == "", kind);
  };
  auto p = pinger();
  auto cm = config_map("echo");
  check(make(debugger(
                 R"({"selector":["a:b"],"tolerations":[{"operator":"Exists"}],
      "enablePinger":true,"pinger":"p1","enableSys":true,"qosBandwidth":"10"})"),
             &p)
            .object);
  check(
      make(debugger(R"({"workloadType":"pod","nodeName":"n1","hostNetwork":true,
      "enableConfigMap":true,"configMap":"scripts","debuggerConfig":"cfg"})"),
           nullptr, &cm)
          .object);
  auto d = debugger("{}");
  for (auto& obj : desired_agent_rbac("ns1", {&d}))
    check(obj);
}

BOOST_AUTO_TEST_SUITE_END()
