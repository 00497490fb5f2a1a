// kc-test-labels: integration e2e
// The exposition against the real tools: `promtool check metrics` accepts
// what /metrics serves, and a Prometheus server (Debian package) scrapes the
// admin listener and answers queries with our values. SKIPs visibly when
// promtool or prometheus is missing.

#include "telemetry/admin_server.hpp"
#include "telemetry/process_metrics.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace kc::telemetry;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* promtool = "/usr/bin/promtool";
constexpr const char* prometheus_bin = "/usr/bin/prometheus";

/// GET http://127.0.0.1:port/target; the status and body, or status 0.
std::pair<unsigned, std::string> http_get(uint16_t port,
                                          const std::string& target) {
  try {
    asio::io_context ioc;
    beast::tcp_stream stream{ioc};
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return {res.result_int(), res.body()};
  } catch (const std::exception&) {
    return {0, {}};
  }
}

/// A metrics registry with every kind of series, including awkward labels.
void populate(registry& reg) {
  reg.add_counter("kc_e2e_requests", "Requests served.").inc(42);
  auto& probes = reg.add_counter_family("kc_e2e_probes", "Probes by target.",
                                        {"proto", "target"});
  probes.with({"icmp", "10.0.0.1"})->inc(7);
  probes.with({"tcp", "back\\slash \"quoted\"\nnewline"})->inc(1);
  probes.with({"dns", "ünïcødé.example"})->inc(2);
  reg.add_gauge("kc_e2e_queue_depth", "Items waiting.").set(3.5);
  auto& up = reg.add_gauge_family("kc_e2e_target_up", "1 if up.", {"target"});
  up.with({"a"})->set(1);
  up.with({"b"})->set(0);
  reg.add_gauge("kc_e2e_infinite", "An infinite value.")
      .set(std::numeric_limits<double>::infinity());
  auto& rtt = reg.add_histogram_family("kc_e2e_rtt_seconds", "RTT.", {"proto"},
                                       rtt_buckets());
  for (int i = 0; i < 100; ++i)
    rtt.with({"icmp"})->observe(0.0001 * i);
  reg.add_histogram("kc_e2e_reconcile_time_seconds", "Reconcile time.",
                    default_buckets())
      .observe(0.02);
  reg.add_callback(metric_type::gauge, "kc_e2e_callback", "A callback.",
                   [] { return 12.0; });
  register_process_metrics(reg);
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string templ = (fs::temp_directory_path() / "kc-prom-XXXXXX").string();
    BOOST_REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// A child process, terminated (then killed) on destruction.
struct child {
  pid_t pid = -1;
  child(std::vector<std::string> args, const fs::path& log) {
    pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~child() {
    if (pid <= 0)
      return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100; ++i) { // up to 10 s for a clean exit
      if (::waitpid(pid, nullptr, WNOHANG) == pid)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

uint16_t free_port() {
  asio::io_context ioc;
  tcp::acceptor a{ioc, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

std::string slurp(const fs::path& p) {
  std::ifstream in{p};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(prometheus)

BOOST_AUTO_TEST_CASE(promtool_accepts_the_exposition) {
  if (::access(promtool, X_OK) != 0) {
    BOOST_TEST_MESSAGE("SKIP: " << promtool << " not installed (Debian "
                                << "package prometheus)");
    return;
  }
  registry reg;
  populate(reg);
  admin_routes routes;
  routes.metrics = &reg;
  admin_server server{routes, {"127.0.0.1", 0}};
  auto [status, body] = http_get(server.port(), "/metrics");
  BOOST_REQUIRE_EQUAL(status, 200u);
  temp_dir dir;
  std::ofstream{dir.path / "metrics.txt"} << body;
  auto cmd = std::string{promtool} + " check metrics < "
             + (dir.path / "metrics.txt").string() + " > "
             + (dir.path / "out.txt").string() + " 2>&1";
  int rc = std::system(cmd.c_str());
  auto out = slurp(dir.path / "out.txt");
  BOOST_TEST(rc == 0, "promtool exit " << rc << ": " << out);
  BOOST_TEST(out.empty(), "promtool complained: " << out);
  // And it does complain about a bad exposition: the check can fail.
  std::ofstream{dir.path / "bad.txt"}
      << "# HELP foo_ms x\n# TYPE foo_ms counter\nfoo_ms 1\n";
  cmd = std::string{promtool} + " check metrics < "
        + (dir.path / "bad.txt").string() + " > "
        + (dir.path / "out.txt").string() + " 2>&1";
  rc = std::system(cmd.c_str());
  BOOST_TEST(!slurp(dir.path / "out.txt").empty());
}

BOOST_AUTO_TEST_CASE(prometheus_scrapes_the_admin_listener) {
  if (::access(prometheus_bin, X_OK) != 0) {
    BOOST_TEST_MESSAGE("SKIP: " << prometheus_bin << " not installed (Debian "
                                << "package prometheus)");
    return;
  }
  registry reg;
  populate(reg);
  admin_routes routes;
  routes.metrics = &reg;
  admin_server server{routes, {"127.0.0.1", 0}};
  temp_dir dir;
  std::ofstream{dir.path / "prometheus.yml"}
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "scrape_configs:\n  - job_name: kc\n    scrape_interval: 1s\n"
      << "    scrape_timeout: 1s\n    static_configs:\n"
      << "      - targets: ['127.0.0.1:" << server.port() << "']\n";
  auto port = free_port();
  child prom{{prometheus_bin,
              "--config.file=" + (dir.path / "prometheus.yml").string(),
              "--storage.tsdb.path=" + (dir.path / "data").string(),
              "--web.listen-address=127.0.0.1:" + std::to_string(port),
              "--log.level=warn"},
             dir.path / "prometheus.log"};
  auto poll = [&](const std::string& target, auto&& accept) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      auto [status, body] = http_get(port, target);
      boost::system::error_code ec;
      auto v = boost::json::parse(body, ec);
      if (status == 200 && !ec && accept(v))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
  };
  bool up = poll("/api/v1/targets", [](const boost::json::value& v) {
    auto* targets = v.at("data").at("activeTargets").if_array();
    return targets && !targets->empty() && targets->at(0).at("health") == "up";
  });
  BOOST_TEST(up, "target never up; prometheus log: "
                     << slurp(dir.path / "prometheus.log"));
  auto query = [&](const std::string& q, const std::string& want) {
    std::string seen;
    bool ok
        = poll("/api/v1/query?query=" + q, [&](const boost::json::value& v) {
            auto& result = v.at("data").at("result").as_array();
            if (result.empty())
              return false;
            seen = boost::json::serialize(result);
            return result.at(0).at("value").at(1) == want.c_str();
          });
    BOOST_TEST(ok, q << " never returned " << want << "; last: " << seen);
  };
  query("kc_e2e_requests_total", "42");
  query("kc_e2e_queue_depth", "3.5");
  query("kc_e2e_infinite", "+Inf");
  query("kc_e2e_rtt_seconds_count", "100");
  query("kc_e2e_callback", "12");
  query("kc_e2e_probes_total%7Bproto%3D%22icmp%22%7D", "7");
  // The escaped label value survives the round trip unchanged.
  bool escaped
      = poll("/api/v1/query?query=kc_e2e_probes_total%7Bproto%3D%22tcp%22%7D",
             [](const boost::json::value& v) {
               auto& result = v.at("data").at("result").as_array();
               return !result.empty()
                      && result.at(0).at("metric").at("target")
                             == "back\\slash \"quoted\"\nnewline";
             });
  BOOST_TEST(escaped);
  query("count(process_open_fds)", "1");
}

BOOST_AUTO_TEST_SUITE_END()
