#pragma once

// `runs` of the resident debugger agent (DESIGN.md §3, ADR 0045): one thread
// that keeps the agent's own Debugger current — LIST with a metadata.name
// field selector, then WATCH from its resourceVersion, relisting after every
// watch end — and hands the newest object to whoever waits for it. An API
// that is down is retried with backoff (0.5 s doubling to 30 s); the first
// failure and each change of the error are logged as one line.

#include "k8s/client/api_client.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>

namespace kc::cmd::debugger {

/// The watcher of one Debugger.
class debugger_runs {
public:
  /// Starts the thread; `log` must outlive this object.
  debugger_runs(std::shared_ptr<k8s::api_client> api, std::string ns,
                std::string name, std::ostream& log);
  /// Stops and joins the thread (cancels a running watch).
  ~debugger_runs();

  debugger_runs(const debugger_runs&) = delete;
  debugger_runs& operator=(const debugger_runs&) = delete;

  /// Waits until the object changed since generation `seen` (0: the first
  /// observation), `stop` becomes true or `max_wait` passed; returns the
  /// current generation (unchanged = nothing new) and sets `out` to the newest
  /// Debugger (null while it does not exist or was not read yet).
  uint64_t wait_newer(uint64_t seen, const std::atomic<bool>& stop,
                      std::chrono::milliseconds max_wait,
                      std::shared_ptr<const boost::json::object>& out);

private:
  void loop();
  bool list_once(std::string& rv);
  void watch_from(const std::string& rv);
  void publish(std::shared_ptr<const boost::json::object> obj);
  void api_failed(const std::string& what);
  void sleep_for(std::chrono::milliseconds d);

  std::shared_ptr<k8s::api_client> api_;
  std::string ns_, name_;
  std::ostream& log_;
  std::mutex mtx_;
  std::condition_variable cv_;
  std::shared_ptr<const boost::json::object> latest_;
  uint64_t generation_ = 0;
  std::string last_error_;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace kc::cmd::debugger
