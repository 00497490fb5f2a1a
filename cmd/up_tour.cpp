#include "cmd/up_tour.hpp"

#include "cmd/up_deploy.hpp"

#include <boost/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kc::cmd::up {

namespace json = boost::json;

namespace {

std::string at(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (auto key : path) {
    if (!cur->is_object())
      return "";
    cur = cur->as_object().if_contains(key);
    if (!cur)
      return "";
  }
  return cur->is_string() ? std::string(cur->as_string()) : "";
}

struct pod_facts {
  std::string name = "<pod>";
  std::string ip = "<pod-ip>";
  std::string node = "<node>";
};

pod_facts first_pod(api_session& api, const std::string& ns,
                    const std::string& selector) {
  k8s::resource_ref r;
  r.resource = "pods";
  r.ns = ns;
  pod_facts f;
  for (auto& p : api.list(r, selector)) {
    auto node = at(p, {"spec", "nodeName"});
    if (f.name != "<pod>" && node >= f.node)
      continue; // the pod on the lowest-named node
    f.name = at(p, {"metadata", "name"});
    f.ip = at(p, {"status", "podIP"});
    f.node = node;
  }
  return f;
}

} // namespace

void print_tour(std::ostream& out, api_session& api, const tour_facts& f) {
  auto ctl = first_pod(api, "kubecombo-system",
                       "app.kubernetes.io/name=kubecombo-controller");
  auto agent = first_pod(api, "default", "debug=node-inspector");
  std::string other = f.nodes > 1 ? "kubecombo-worker-2" : "kubecombo-worker-1";
  auto mport = std::to_string(pinger_metrics_port);
  out << "\nkubecombo is up: control plane " << f.url << ", " << f.nodes
      << " node(s) as network namespaces " << f.netns_prefix
      << "<node>, the controller as a Pod, the samples.\n"
      << "\nTour (in another terminal):\n"
      << "  export KUBECONFIG=" << f.kubeconfig << "\n"
      << "  kubectl get nodes -o wide\n"
      << "  kubectl get pods -A -o wide          # controller + one agent per "
         "node\n"
      << "  kubectl get debug,ping               # the samples\n"
      << "  kubectl describe debug node-inspector\n"
      << "  kubectl logs script-job -c debug     # the job-style script run\n"
      << "  kubectl -n kubecombo-system logs deploy/kubecombo-controller\n"
      << "  kubectl exec " << agent.name << " -c debug -- ls /scripts\n"
      << "\nTrigger an inspection run and read its overview:\n"
      << "  kubectl patch debug node-inspector --type merge \\\n"
      << "    -p \"{\\\"spec\\\":{\\\"runAt\\\":\\\"$(date -u "
         "+%FT%TZ)\\\"}}\"\n"
      << "  kubectl get debug node-inspector -o jsonpath='{.status.lastRun}'\n"
      << "  kubectl get configmap -l kubecombo.com/debugger=node-inspector\n"
      << "  kubectl get configmap node-inspector-<run-id> -o yaml\n"
      << "  kubectl exec " << agent.name
      << " -c debug -- cat /scripts/net/errlog/<run-id>.log\n"
      << "\nMetrics (node addresses are reachable from this machine):\n"
      << "  curl -s http://" + agent.ip + ":" + mport
             + "/metrics | grep ^pinger_   # pinger on " + agent.node + "\n"
      << "  curl -s http://" << agent.ip
      << ":8090/metrics                  # debugger agent\n"
      << "  curl -s http://" << ctl.ip
      << ":8080/metrics | grep ^kubecombo_   # controller (" << ctl.node
      << ")\n"
      << "\nBreak and repair a link:\n"
      << "  kubecombo link down " << other
      << "    # drops its traffic to the other nodes (nft in its namespace)\n"
      << "  kubectl get events -w | grep Target   # TargetDown on the agents' "
         "pods\n"
      << "  kubecombo link up " << other << "      # TargetUp\n"
      << "\nCtrl-C (or SIGTERM) stops everything; nothing is left behind.\n"
      << std::flush;
}

} // namespace kc::cmd::up
