#include "k8s/sim/server.hpp"

#include "k8s/sim/cluster/runtime.hpp"
#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/garbage_collector.hpp"
#include "k8s/sim/http_server.hpp"
#include "k8s/sim/kubeconfig.hpp"
#include "k8s/sim/kubelet/kubelet.hpp"
#include "k8s/sim/kubelet/node_network.hpp"

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace kc::sim {

namespace {

/// Splits HOST:PORT ("[::1]:6443" for IPv6).
void split_listen(const std::string& listen, std::string& host,
                  uint16_t& port) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw std::runtime_error("--listen must be HOST:PORT, got \"" + listen
                             + "\"");
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty())
    host = "0.0.0.0";
  uint64_t p = 0;
  if (!parse_u64(listen.substr(colon + 1), p) || p > 65535)
    throw std::runtime_error("invalid port in \"" + listen + "\"");
  port = static_cast<uint16_t>(p);
}

} // namespace

control_plane::control_plane(const server_config& c)
  : cfg(c), objects(c.history_limit) {
}

/// Everything a running server owns besides the control plane.
struct running_state {
  std::unique_ptr<http_server> http;
  std::string url;
  std::string kubeconfig;
  std::string kubeconfig_path;
  std::string temp_dir;
  uint16_t port = 0;
  std::thread janitor;
  std::unique_ptr<garbage_collector> gc; // ADR 0005
  std::unique_ptr<kubelet> node_agent; // ADR 0070
  std::unique_ptr<cluster::runtime> cluster; // ADR 0009
  std::mutex mtx;
  std::condition_variable cv;
  bool stopping = false;
};

server::server(server_config cfg)
  : cfg_(std::move(cfg)),
    plane_(std::make_unique<control_plane>(cfg_)),
    run_(std::make_unique<running_state>()) {
}

server::~server() {
  stop();
}

void server::start() {
  auto& st = *run_;
  std::string host;
  uint16_t port = 0;
  split_listen(cfg_.listen, host, port);
  auto dir = cfg_.state_dir;
  // A temporary directory only when there is nowhere else to write the
  // kubeconfig (nothing else goes to disk), so a killed process leaves
  // nothing behind.
  if (dir.empty() && cfg_.kubeconfig_out.empty()) {
    char tmpl[] = "/tmp/kubecombo-sim-XXXXXX";
    if (!mkdtemp(tmpl))
      throw std::runtime_error("cannot create a temporary directory");
    dir = st.temp_dir = tmpl;
  } else if (!dir.empty()) {
    std::filesystem::create_directories(dir);
  }
  auto& cp = *plane_;
  cp.token = random_hex(48);
  if (!cfg_.insecure_http)
    cp.certs = generate_certs(with_kubelet_hosts(cfg_, host)); // ADR 0072
  st.gc = std::make_unique<garbage_collector>(cp); // before any write
  cp.bootstrap();
  st.gc->start();
  st.http = std::make_unique<http_server>(cp, !cfg_.insecure_http);
  st.port = st.http->listen(host, port);
  auto client_host = (host == "0.0.0.0" || host == "::") ? "127.0.0.1" : host;
  auto host_port = client_host.find(':') != std::string::npos
                     ? "[" + client_host + "]:" + std::to_string(st.port)
                     : client_host + ":" + std::to_string(st.port);
  cp.address = host_port;
  st.url = (cfg_.insecure_http ? "http://" : "https://") + host_port;
  st.http->run(cfg_.threads);
  if ((st.node_agent = make_kubelet(cp)))
    st.node_agent->start();
  st.cluster = std::make_unique<cluster::runtime>(
    cp, cluster::runtime_options{cfg_.scheduler, cfg_.controllers});
  st.cluster->start();
  st.kubeconfig = render_kubeconfig(
    {st.url, cp.certs.ca.cert, cp.token, cp.certs.admin.cert,
     cp.certs.admin.key});
  st.kubeconfig_path
    = cfg_.kubeconfig_out.empty() ? dir + "/kubeconfig" : cfg_.kubeconfig_out;
  write_file_atomically(st.kubeconfig_path, st.kubeconfig);
  auto period = std::clamp<std::chrono::seconds>(cfg_.event_ttl / 4,
                                                 std::chrono::seconds(1),
                                                 std::chrono::seconds(30));
  st.janitor = std::thread([&st, &cp, period] {
    std::unique_lock<std::mutex> lock(st.mtx);
    while (!st.cv.wait_for(lock, period, [&] { return st.stopping; })) {
      lock.unlock();
      cp.expire_events();
      lock.lock();
    }
  });
}

void server::stop() {
  auto& st = *run_;
  if (!st.http)
    return;
  st.cluster.reset(); // scheduler and controllers (ADR 0009)
  if (st.node_agent)
    st.node_agent->stop();
  st.node_agent.reset();
  st.gc.reset(); // stops its thread
  plane_->objects.drop_watches();
  st.http->stop();
  st.http.reset();
  {
    std::lock_guard<std::mutex> g(st.mtx);
    st.stopping = true;
  }
  st.cv.notify_all();
  if (st.janitor.joinable())
    st.janitor.join();
  if (!st.temp_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(st.temp_dir, ec);
  }
}

uint16_t server::port() const {
  return run_->port;
}

std::string server::url() const {
  return run_->url;
}

std::string server::kubeconfig() const {
  return run_->kubeconfig;
}

std::string server::kubeconfig_path() const {
  return run_->kubeconfig_path;
}

std::string server::token() const {
  return plane_->token;
}

std::string server::ca_pem() const {
  return plane_->certs.ca.cert;
}

std::string server::client_cert_pem() const {
  return plane_->certs.admin.cert;
}

std::string server::client_key_pem() const {
  return plane_->certs.admin.key;
}

void server::compact_history() {
  plane_->objects.compact();
}

void server::drop_watches() {
  plane_->objects.drop_watches();
}

fault_injector& server::faults() {
  return plane_->faults;
}

uint64_t server::revision() const {
  return plane_->objects.revision();
}

std::string server::issue_token(const std::string& ns, const std::string& sa) {
  auto t = kc::sim::issue_token(*plane_, ns, sa);
  return t ? t->token : std::string{};
}

control_plane& server::plane() {
  return *plane_;
}

} // namespace kc::sim
