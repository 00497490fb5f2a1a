// Benchmark (not a test): pods created per second that reach Running with
// 10 watchers open, and RSS with 100,000 pods resident, against the
// in-process control plane over HTTPS (bench/results-sim.md).
//
//   ninja -C build sim_pods
//   build/bench/sim_pods [--pods 20000] [--watchers 10] [--conns 4]
//                        [--resident 100000] [--nodes 3] [--wait-running 120]
//
// Pods carry spec.nodeName (round-robin over the nodes), so the scheduler
// is skipped; the stage kubelet (if present) moves them to Running. The
// watchers watch all pods and record the first time each pod is seen
// Running. RSS is this process's VmRSS (server + a small client).

#include "k8s/sim/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;

namespace {

net::ssl::context make_ctx(const kc::sim::server& srv) {
  net::ssl::context ctx{net::ssl::context::tls_client};
  auto ca = srv.ca_pem();
  ctx.add_certificate_authority(net::buffer(ca.data(), ca.size()));
  ctx.set_verify_mode(net::ssl::verify_peer);
  return ctx;
}

struct conn {
  net::io_context io;
  net::ssl::context ctx;
  beast::ssl_stream<beast::tcp_stream> s;
  explicit conn(const kc::sim::server& srv) : ctx(make_ctx(srv)), s(io, ctx) {
    net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), srv.port());
    beast::get_lowest_layer(s).connect(ep);
    s.handshake(net::ssl::stream_base::client);
  }
};

http::request<http::string_body> make_req(const kc::sim::server& srv,
                                          http::verb v, std::string target,
                                          std::string body) {
  http::request<http::string_body> req{v, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + srv.token());
  req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

unsigned call(conn& c, const kc::sim::server& srv, http::verb v,
              const std::string& target, const std::string& body) {
  auto req = make_req(srv, v, target, body);
  http::write(c.s, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(c.s, buf, res);
  return res.result_int();
}

std::string pod_body(int i, int nodes) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p-)"
         + std::to_string(i) + R"(","namespace":"bench","labels":{"app":"b"}},)"
         + R"("spec":{"nodeName":"kubecombo-worker-)"
         + std::to_string(i % nodes + 1)
         + R"(","containers":[{"name":"c","image":"busybox"}]}})";
}

double rss_mib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

/// One watcher: counts events and the pods it saw Running.
struct watcher {
  std::atomic<uint64_t> events{0};
  std::atomic<uint64_t> running{0};
  std::atomic<bool> stop{false};
  clock_type::time_point last_running{};
  std::thread t;

  void run(const kc::sim::server& srv, const std::string& rv) {
    conn c{srv};
    auto req = make_req(srv, http::verb::get,
                        "/api/v1/namespaces/bench/pods?watch=true&"
                        "resourceVersion="
                          + rv,
                        "");
    http::write(c.s, req);
    beast::flat_buffer buf;
    http::response_parser<http::buffer_body> p;
    p.body_limit(boost::none);
    http::read_header(c.s, buf, p);
    std::vector<char> chunk(1 << 16);
    std::string partial;
    std::unordered_set<std::string> seen;
    beast::get_lowest_layer(c.s).expires_after(std::chrono::seconds(5));
    while (!stop && !p.is_done()) {
      p.get().body().data = chunk.data();
      p.get().body().size = chunk.size();
      beast::error_code ec;
      http::read(c.s, buf, p, ec);
      if (ec == beast::error::timeout) {
        beast::get_lowest_layer(c.s).expires_after(std::chrono::seconds(5));
        continue;
      }
      if (ec && ec != http::error::need_buffer)
        break;
      beast::get_lowest_layer(c.s).expires_after(std::chrono::seconds(5));
      partial.append(chunk.data(), chunk.size() - p.get().body().size);
      std::size_t start = 0;
      for (auto nl = partial.find('\n'); nl != std::string::npos;
           nl = partial.find('\n', start)) {
        std::string_view line(partial.data() + start, nl - start);
        ++events;
        if (line.find("\"phase\":\"Running\"") != std::string_view::npos) {
          auto at = line.find("\"name\":\"");
          if (at != std::string_view::npos) {
            auto end = line.find('"', at + 8);
            if (seen.emplace(line.substr(at + 8, end - at - 8)).second) {
              last_running = clock_type::now();
              ++running;
            }
          }
        }
        start = nl + 1;
      }
      partial.erase(0, start);
    }
  }
};

long arg(int argc, char** argv, const char* name, long def) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return std::stol(argv[i + 1]);
  return def;
}

double secs(clock_type::duration d) {
  return std::chrono::duration<double>(d).count();
}

} // namespace

int main(int argc, char** argv) {
  int pods = static_cast<int>(arg(argc, argv, "--pods", 20000));
  int nwatch = static_cast<int>(arg(argc, argv, "--watchers", 10));
  int conns = static_cast<int>(arg(argc, argv, "--conns", 4));
  int resident = static_cast<int>(arg(argc, argv, "--resident", 100000));
  int nodes = static_cast<int>(arg(argc, argv, "--nodes", 3));
  long wait_running = arg(argc, argv, "--wait-running", 120);

  kc::sim::server_config cfg;
  cfg.nodes = nodes;
  kc::sim::server srv{cfg};
  srv.start();
  double rss0 = rss_mib();
  {
    conn c{srv};
    call(c, srv, http::verb::post, "/api/v1/namespaces",
         R"({"metadata":{"name":"bench"}})");
  }
  auto rv = std::to_string(srv.revision());
  std::vector<std::unique_ptr<watcher>> ws;
  for (int i = 0; i < nwatch; ++i) {
    ws.push_back(std::make_unique<watcher>());
    auto* w = ws.back().get();
    w->t = std::thread([w, &srv, rv] { w->run(srv, rv); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // Phase 1: `pods` creates over `conns` keep-alive HTTPS connections.
  auto create_range = [&](int from, int to) {
    std::atomic<int> next{from};
    std::atomic<int> failed{0};
    std::vector<std::thread> ts;
    for (int k = 0; k < conns; ++k)
      ts.emplace_back([&] {
        conn c{srv};
        for (int i = next++; i < to; i = next++)
          if (call(c, srv, http::verb::post, "/api/v1/namespaces/bench/pods",
                   pod_body(i, nodes))
              != 201)
            ++failed;
      });
    for (auto& t : ts)
      t.join();
    return failed.load();
  };
  auto t0 = clock_type::now();
  int failed = create_range(0, pods);
  auto t1 = clock_type::now();
  std::printf("created %d pods in %.2f s: %.0f pods/s (%d failed), "
              "%d watchers, %d connections\n",
              pods, secs(t1 - t0), pods / secs(t1 - t0), failed, nwatch,
              conns);
  // Wait (bounded) until every watcher saw every pod Running.
  auto deadline = t1 + std::chrono::seconds(wait_running);
  auto all_running = [&] {
    for (auto& w : ws)
      if (w->running < static_cast<uint64_t>(pods))
        return false;
    return true;
  };
  uint64_t last = 0;
  auto last_change = clock_type::now();
  while (!all_running() && clock_type::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    uint64_t now_running = ws[0]->running;
    if (now_running != last) {
      last = now_running;
      last_change = clock_type::now();
    } else if (clock_type::now() - last_change > std::chrono::seconds(15)) {
      break; // nothing moves (no kubelet?)
    }
  }
  clock_type::time_point t_run = t0;
  uint64_t min_running = UINT64_MAX, events = 0;
  for (auto& w : ws) {
    t_run = std::max(t_run, w->last_running);
    min_running = std::min<uint64_t>(min_running, w->running);
    events += w->events;
  }
  if (min_running == static_cast<uint64_t>(pods))
    std::printf("all %d pods Running at all %d watchers %.2f s after the "
                "first create: %.0f pods/s reach Running\n",
                pods, nwatch, secs(t_run - t0), pods / secs(t_run - t0));
  else
    std::printf("pods seen Running (fewest at one watcher): %llu of %d, the "
                "last %.2f s after the first create: %.0f pods/s\n",
                static_cast<unsigned long long>(min_running), pods,
                secs(t_run - t0), double(min_running) / secs(t_run - t0));
  std::printf("watch events delivered: %llu (%.0f per watcher)\n",
              static_cast<unsigned long long>(events),
              double(events) / nwatch);
  for (auto& w : ws)
    w->stop = true;
  srv.drop_watches();
  for (auto& w : ws)
    w->t.join();

  // Phase 2: RSS with `resident` pods stored.
  double rss1 = rss_mib();
  auto t2 = clock_type::now();
  if (resident > pods)
    failed = create_range(pods, resident);
  auto t3 = clock_type::now();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  double rss2 = rss_mib();
  std::printf("resident pods: %d (created %d more at %.0f pods/s, %d "
              "failed)\n",
              std::max(resident, pods), std::max(0, resident - pods),
              std::max(0, resident - pods) / secs(t3 - t2), failed);
  std::printf("VmRSS: start %.1f MiB, after %d pods %.1f MiB, after %d pods "
              "%.1f MiB (%.0f B per pod incl. history)\n",
              rss0, pods, rss1, std::max(resident, pods), rss2,
              (rss2 - rss0) * 1048576.0 / std::max(resident, pods));
  srv.stop();
  return 0;
}
