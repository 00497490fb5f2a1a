// Process self-metrics read from /proc/self.

#include "telemetry/process_metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>

using namespace kc::telemetry;

BOOST_AUTO_TEST_SUITE(process_metrics)

BOOST_AUTO_TEST_CASE(reads_plausible_values) {
  auto stats = read_process_stats();
  BOOST_REQUIRE(stats.has_value());
  auto now = std::chrono::duration<double>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  BOOST_TEST(stats->start_time_seconds > now - 3600);
  BOOST_TEST(stats->start_time_seconds <= now + 1);
  BOOST_TEST(stats->resident_bytes > 1024 * 1024);
  BOOST_TEST(stats->virtual_bytes >= stats->resident_bytes);
  BOOST_TEST(stats->cpu_seconds >= 0);
  BOOST_TEST(stats->open_fds >= 3);
  BOOST_TEST(stats->max_fds >= stats->open_fds);
  // Opening a file shows up in process_open_fds.
  int fd = ::open("/proc/self/stat", O_RDONLY);
  BOOST_REQUIRE(fd >= 0);
  auto more = read_process_stats();
  ::close(fd);
  BOOST_TEST(more->open_fds == stats->open_fds + 1);
}

BOOST_AUTO_TEST_CASE(cpu_time_grows) {
  auto before = read_process_stats()->cpu_seconds;
  volatile double sink = 0;
  auto until
      = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (std::chrono::steady_clock::now() < until)
    sink = sink + 1;
  BOOST_TEST(read_process_stats()->cpu_seconds > before);
}

BOOST_AUTO_TEST_CASE(registered_names) {
  registry reg;
  register_process_metrics(reg);
  register_process_metrics(reg); // idempotent
  auto text = reg.expose();
  for (auto name :
       {"# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ",
        "# TYPE process_resident_memory_bytes "
        "gauge\nprocess_resident_memory_bytes ",
        "\nprocess_virtual_memory_bytes ", "\nprocess_start_time_seconds ",
        "\nprocess_open_fds ", "\nprocess_max_fds "})
    BOOST_TEST(text.find(name) != std::string::npos, name);
}

BOOST_AUTO_TEST_SUITE_END()
