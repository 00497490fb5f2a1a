#pragma once

// The embedded, Kubernetes-API-compatible control plane (`kubecombo sim`,
// DESIGN.md §5) as an in-process object.
//
// Endpoints (besides the Kubernetes API paths):
//   /version /healthz /readyz /livez       always, no authentication needed
//                                          for the health paths
//   POST /fault/v1/compact                 only with `fault_api`: drops the
//                                          whole watch history; a watch from
//                                          an older resourceVersion gets 410
//   POST /fault/v1/drop-watches            only with `fault_api`: ends every
//                                          open watch stream
// Fault endpoints answer `{"kind":"Status",...,"status":"Success"}` and need
// the same credentials as the API.
//
// Usage (tests):
//   kc::sim::server_config cfg;            // 127.0.0.1:0, 3 nodes, HTTPS
//   kc::sim::server srv{cfg};
//   srv.start();                           // throws std::runtime_error
//   auto url = srv.url();                  // "https://127.0.0.1:41234"
//   auto kc = srv.kubeconfig();            // YAML text (token context current)
//   srv.stop();                            // also done by the destructor

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace kc::sim {

class control_plane;
class fault_injector;
struct running_state;

/// How to run the embedded control plane.
struct server_config {
  /// HOST:PORT to listen on; port 0 picks an ephemeral port.
  std::string listen = "127.0.0.1:0";
  /// Number of simulated, Ready, untainted worker nodes.
  int nodes = 3;
  /// Plain HTTP without authentication (debugging only).
  bool insecure_http = false;
  /// Enables the /fault/v1/... endpoints.
  bool fault_api = false;
  /// Where the kubeconfig is written when `kubeconfig_out` is empty; if both
  /// are empty, a fresh temporary directory that stop() removes.
  std::string state_dir;
  /// Path of the kubeconfig to write atomically once the server accepts
  /// requests; empty = `<state_dir>/kubeconfig`.
  std::string kubeconfig_out;
  /// Lifetime of Event objects (kube-apiserver --event-ttl, api:E1).
  std::chrono::seconds event_ttl{3600};
  /// Number of watch events kept for watches that resume (api:W5).
  std::size_t history_limit = 100000;
  /// Per-watcher queue bound; a watcher that falls further behind is closed.
  std::size_t watcher_queue_limit = 20000;
  /// I/O threads serving HTTP.
  int threads = 2;
  /// The kubelet (ADR 0070): "stage" moves bound pods to Running,
  /// "process" runs their containers, "none" leaves pods alone.
  std::string kubelet = "stage";
  /// The scheduler binds pods without spec.nodeName (ADR 0009).
  bool scheduler = true;
  /// The DaemonSet, Deployment and ReplicaSet controllers (ADR 0009).
  bool controllers = true;
};

/// The running control plane: store, watch hub, HTTP(S) listener.
class server {
public:
  explicit server(server_config cfg);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Generates certificates, bootstraps namespaces and nodes, starts
  /// listening and writes the kubeconfig. Throws std::runtime_error.
  void start();

  /// Stops listening, ends all streams, joins the I/O threads and removes
  /// temporary files. Idempotent.
  void stop();

  /// The bound port (valid after start()).
  uint16_t port() const;

  /// "https://127.0.0.1:PORT" (or http:// with insecure_http).
  std::string url() const;

  /// The kubeconfig text (contexts `kubecombo` with the bearer token,
  /// current, and `kubecombo-cert` with the client certificate).
  std::string kubeconfig() const;

  /// Where the kubeconfig was written.
  std::string kubeconfig_path() const;

  /// The admin bearer token.
  std::string token() const;

  /// The CA certificate (PEM) clients must trust; empty with insecure_http.
  std::string ca_pem() const;

  /// The admin client certificate and key (PEM).
  std::string client_cert_pem() const;
  std::string client_key_pem() const;

  /// Fault: drops the whole watch history (as POST /fault/v1/compact).
  void compact_history();

  /// Fault: ends every open watch (as POST /fault/v1/drop-watches).
  void drop_watches();

  /// The test and fault API (ADR 0012; in effect with cfg.fault_api).
  fault_injector& faults();

  /// The current global revision.
  uint64_t revision() const;

  /// A token of ServiceAccount `ns`/`sa` (1 h; "" if it does not exist).
  /// More options: kc::sim::issue_token (sa_tokens.hpp, ADR 0007).
  std::string issue_token(const std::string& ns, const std::string& sa);

  /// The internals (store, registry), for in-process simulated components.
  control_plane& plane();

private:
  server_config cfg_;
  std::unique_ptr<control_plane> plane_;
  std::unique_ptr<running_state> run_;
};

} // namespace kc::sim
