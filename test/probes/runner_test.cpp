// The check runner against real processes: timeouts kill whole process groups,
// limits hold, bad scripts are reported and never stop the others.

#include "probes/process.hpp"
#include "probes/runner.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using namespace kc::checks;
using namespace std::chrono_literals;

namespace {

struct fixture {
  fs::path dir;
  fixture() {
    char tmpl[] = "/tmp/kc-runner-test-XXXXXX";
    dir = ::mkdtemp(tmpl);
  }
  ~fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  check_spec script(const std::string& name, const std::string& body,
                    mode_t mode = 0755) {
    auto path = dir / name;
    std::ofstream(path, std::ios::binary) << body;
    ::chmod(path.c_str(), mode);
    return {"test", name, path.string(), {}};
  }
  std::string read(const std::string& name) {
    std::ifstream in(dir / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

bool process_alive(pid_t pid) {
  // A zombie (reparented, not yet reaped) counts as dead.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line))
    return false;
  auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2
         && line[close + 2] != 'Z';
}

bool valid_utf8(const std::string& s) {
  return sanitize_utf8(s) == s;
}

runner_options fast() {
  runner_options o;
  o.check_timeout = 5s;
  o.kill_grace = 300ms;
  return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(runner)

BOOST_FIXTURE_TEST_CASE(exit_codes_follow_npd_convention, fixture) {
  std::vector<check_spec> checks = {
      script("ok", "#!/bin/sh\necho 'sda1: ok'\nexit 0\n"),
      script("problem",
             "#!/bin/sh\necho 'free text'\necho 'eth2: link down'\nexit 1\n"),
      script("unknown", "#!/bin/sh\necho 'cannot read sysfs'\nexit 2\n"),
      script("npd", "#!/bin/sh\necho 'NTP service is not running'\nexit 1\n"),
  };
  auto r = run_checks(checks, fast());
  BOOST_REQUIRE_EQUAL(r.size(), 4u);
  BOOST_CHECK(r[0].status == check_status::ok);
  BOOST_CHECK((r[0].items == std::vector<check_item>{{"sda1", ""}}));
  BOOST_CHECK(r[1].status == check_status::problem);
  BOOST_CHECK((r[1].items == std::vector<check_item>{{"eth2", "link down"}}));
  BOOST_CHECK(r[2].status == check_status::unknown);
  BOOST_CHECK_EQUAL(r[2].exit_code, 2);
  BOOST_CHECK_EQUAL(r[2].reason, "exit status 2: cannot read sysfs");
  BOOST_CHECK(r[3].status == check_status::problem);
  BOOST_CHECK(
      (r[3].items
       == std::vector<check_item>{{"npd", "NTP service is not running"}}));
}

BOOST_FIXTURE_TEST_CASE(environment_reaches_checks, fixture) {
  auto o = fast();
  o.env = {"HOST_ROOT=/some/root", "RUN_ID=20261128-160000"};
  auto r = run_checks(
      {script("env", "#!/bin/sh\necho \"root: $HOST_ROOT $RUN_ID\"\nexit 1\n")},
      o);
  BOOST_CHECK(
      (r[0].items
       == std::vector<check_item>{{"root", "/some/root 20261128-160000"}}));
}

BOOST_FIXTURE_TEST_CASE(timeout_kills_child_and_grandchildren, fixture) {
  // The check starts a child and a grandchild (in a subshell), records their
  // pids, ignores SIGTERM itself and waits forever.
  auto pids = (dir / "pids").string();
  auto spec
      = script("hang", "#!/bin/sh\ntrap '' TERM\nsleep 1000 &\necho $! >> "
                           + pids + "\n( sleep 1000 & echo $! >> " + pids
                           + "; wait ) &\n"
                             "echo $! >> "
                           + pids + "\nwait\nwhile :; do sleep 1; done\n");
  auto other = script("quick", "#!/bin/sh\nexit 0\n");
  auto o = fast();
  o.check_timeout = 500ms;
  auto start = std::chrono::steady_clock::now();
  auto r = run_checks({spec, other}, o);
  auto took = std::chrono::steady_clock::now() - start;
  BOOST_CHECK(took < 5s);
  BOOST_CHECK(r[0].status == check_status::unknown);
  BOOST_CHECK(r[0].timed_out);
  BOOST_CHECK_EQUAL(r[0].reason, "timed out after 500ms");
  BOOST_CHECK_EQUAL(r[0].term_signal, SIGKILL); // it ignored SIGTERM
  BOOST_CHECK(r[1].status == check_status::ok);
  std::istringstream in(read("pids"));
  int count = 0;
  for (pid_t pid; in >> pid; ++count) {
    bool alive = true;
    for (int i = 0; i < 50 && alive; ++i) {
      alive = process_alive(pid);
      if (alive)
        std::this_thread::sleep_for(20ms);
    }
    BOOST_CHECK_MESSAGE(!alive, "process " << pid << " survived the timeout");
  }
  BOOST_CHECK_EQUAL(count, 3);
}

BOOST_FIXTURE_TEST_CASE(concurrency_limit_holds, fixture) {
  auto log = (dir / "log").string();
  std::vector<check_spec> checks;
  for (int i = 0; i < 6; ++i)
    checks.push_back(script("c" + std::to_string(i),
                            "#!/bin/sh\necho \"+ $(date +%s%N)\" >> " + log
                                + "\nsleep 0.2\necho \"- $(date +%s%N)\" >> "
                                + log + "\n"));
  auto o = fast();
  o.concurrency = 2;
  auto r = run_checks(checks, o);
  for (auto& x : r)
    BOOST_CHECK(x.status == check_status::ok);
  std::vector<std::pair<long long, int>> events;
  std::istringstream in(read("log"));
  std::string sign;
  long long t = 0;
  while (in >> sign >> t)
    events.emplace_back(t, sign == "+" ? 1 : -1);
  BOOST_REQUIRE_EQUAL(events.size(), 12u);
  std::sort(events.begin(), events.end());
  int now = 0;
  int peak = 0;
  for (auto& e : events)
    peak = std::max(peak, now += e.second);
  BOOST_CHECK_EQUAL(peak, 2);
}

BOOST_FIXTURE_TEST_CASE(output_is_capped_and_counted, fixture) {
  auto o = fast();
  o.output_cap = 4096;
  auto r = run_checks(
      {script(
          "huge",
          "#!/bin/sh\nhead -c 1048576 /dev/zero | tr '\\0' a\necho\nexit 1\n")},
      o);
  BOOST_CHECK_EQUAL(r[0].output.size(), 4096u);
  BOOST_CHECK_EQUAL(r[0].output_dropped, 1048577u - 4096u);
  BOOST_CHECK(r[0].status == check_status::problem);
}

BOOST_FIXTURE_TEST_CASE(binary_garbage_becomes_valid_utf8, fixture) {
  auto r = run_checks(
      {script("garbage",
              "#!/bin/sh\nprintf 'sd\\377a: bad \\376\\000x\\n'\n"
              "printf 'sdb: caf\\303\\251 \\300\\257\\n'\nexit 1\n")},
      fast());
  BOOST_CHECK(valid_utf8(r[0].output));
  BOOST_CHECK(r[0].status == check_status::problem);
  BOOST_REQUIRE_EQUAL(r[0].items.size(), 1u); // "sd\xFFa" is not a valid item
  BOOST_CHECK_EQUAL(r[0].items[0].name, "sdb");
  BOOST_CHECK_EQUAL(r[0].items[0].error,
                    "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD");
}

BOOST_FIXTURE_TEST_CASE(non_executable_and_crlf_are_reported, fixture) {
  auto r = run_checks({script("noexec", "#!/bin/sh\nexit 0\n", 0644),
                       script("crlf", "#!/bin/sh\r\necho hi\r\nexit 0\r\n"),
                       script("noshebang", "echo hi\n"),
                       script("fine", "#!/bin/sh\nexit 0\n")},
                      fast());
  BOOST_CHECK(r[0].status == check_status::unknown);
  BOOST_CHECK_EQUAL(r[0].reason, "not executable");
  BOOST_CHECK(r[1].status == check_status::unknown);
  BOOST_CHECK_EQUAL(r[1].reason,
                    "script has CRLF line endings (convert with dos2unix)");
  BOOST_CHECK(r[2].status == check_status::unknown);
  BOOST_CHECK_MESSAGE(
      r[2].reason.find("exec format error") != std::string::npos, r[2].reason);
  BOOST_CHECK(r[3].status == check_status::ok);
  BOOST_CHECK(
      (r[0].items
       == std::vector<check_item>{{"noexec", "unknown: not executable"}}));
}

BOOST_FIXTURE_TEST_CASE(crashing_check_does_not_stop_others, fixture) {
  auto r
      = run_checks({script("crash", "#!/bin/sh\necho partial\nkill -SEGV $$\n"),
                    script("after", "#!/bin/sh\necho 'x: ok'\n")},
                   fast());
  BOOST_CHECK(r[0].status == check_status::unknown);
  BOOST_CHECK_EQUAL(r[0].term_signal, SIGSEGV);
  BOOST_CHECK_EQUAL(r[0].reason, "killed by SIGSEGV");
  BOOST_CHECK_EQUAL(r[0].output, "partial\n");
  BOOST_CHECK(r[1].status == check_status::ok);
}

BOOST_FIXTURE_TEST_CASE(deadline_stops_the_run, fixture) {
  auto o = fast();
  o.concurrency = 1;
  o.deadline = 400ms;
  std::vector<check_result> seen;
  o.on_result = [&](const check_result& r) {
    seen.push_back(r);
  };
  auto r = run_checks({script("a", "#!/bin/sh\nexec sleep 100\n"),
                       script("b", "#!/bin/sh\nexec sleep 100\n"),
                       script("c", "#!/bin/sh\nexit 0\n")},
                      o);
  BOOST_CHECK(r[0].status == check_status::unknown);
  BOOST_CHECK_EQUAL(r[0].reason, "run deadline exceeded (400ms)");
  BOOST_CHECK_EQUAL(r[1].reason, "not started: run deadline exceeded (400ms)");
  BOOST_CHECK_EQUAL(r[2].reason, "not started: run deadline exceeded (400ms)");
  BOOST_CHECK_EQUAL(seen.size(), 3u);
}

BOOST_FIXTURE_TEST_CASE(jitter_spreads_starts, fixture) {
  auto o = fast();
  o.start_jitter = 300ms;
  o.concurrency = 8;
  std::vector<check_spec> checks;
  for (int i = 0; i < 8; ++i)
    checks.push_back(script("j" + std::to_string(i), "#!/bin/sh\nexit 0\n"));
  auto start = std::chrono::steady_clock::now();
  auto r = run_checks(checks, o);
  BOOST_CHECK(std::chrono::steady_clock::now() - start < 3s);
  for (auto& x : r)
    BOOST_CHECK(x.status == check_status::ok);
}

BOOST_FIXTURE_TEST_CASE(leftovers_of_a_finished_check_are_killed, fixture) {
  // The check exits at once but leaves a background process in its group
  // that holds its stdout open: the run must not wait for it.
  auto pids = (dir / "pids").string();
  auto start = std::chrono::steady_clock::now();
  auto r = run_checks({script("bg", "#!/bin/sh\nsleep 1000 &\necho $! > " + pids
                                        + "\necho 'x: ok'\nexit 0\n")},
                      fast());
  BOOST_CHECK(std::chrono::steady_clock::now() - start < 3s);
  BOOST_CHECK(r[0].status == check_status::ok);
  pid_t pid = std::stoi(read("pids"));
  bool alive = true;
  for (int i = 0; i < 50 && alive; ++i) {
    alive = process_alive(pid);
    if (alive)
      std::this_thread::sleep_for(20ms);
  }
  BOOST_CHECK_MESSAGE(!alive,
                      "background process " << pid << " survived its check");
}

BOOST_FIXTURE_TEST_CASE(cancel_stops_running_and_pending_checks, fixture) {
  std::atomic<bool> cancel{false};
  auto o = fast();
  o.concurrency = 1;
  o.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    cancel = true;
  });
  auto start = std::chrono::steady_clock::now();
  auto r = run_checks({script("a", "#!/bin/sh\nexec sleep 100\n"),
                       script("b", "#!/bin/sh\nexit 0\n")},
                      o);
  canceller.join();
  BOOST_CHECK(std::chrono::steady_clock::now() - start < 5s);
  BOOST_CHECK_EQUAL(r[0].reason, "cancelled (agent stopping)");
  BOOST_CHECK_EQUAL(r[0].term_signal, SIGTERM);
  BOOST_CHECK_EQUAL(r[1].reason, "not started: cancelled (agent stopping)");
}

BOOST_AUTO_TEST_SUITE_END()
