#pragma once

// Container logs of the process kubelet (ADR 0071): one file per container
// run, `<kubelet_dir>/pods/<uid>/logs/<container>/<restartCount>.log`, in
// the CRI format (`<RFC 3339 nano> stdout|stderr F <line>`), read back for
// GET .../pods/NAME/log (-c, --previous, --tail, --timestamps).

#include "k8s/sim/util.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace kc::sim {

/// The log file of run `restart` of `container` in the pod directory.
std::string container_log_path(const std::string& pod_dir,
                               const std::string& container, int restart);

/// Appends a process's output to its log file, line by line.
class log_writer {
public:
  explicit log_writer(std::string path);
  ~log_writer();
  log_writer(const log_writer&) = delete;
  log_writer& operator=(const log_writer&) = delete;

  /// Bytes read from stdout (`err` = false) or stderr.
  void append(bool err, const char* data, std::size_t n);
  /// Writes unterminated lines (at the end of the run).
  void flush();

private:
  void line(bool err, const std::string& text);
  int fd_ = -1;
  std::string partial_[2];
};

/// What a log request asks for.
struct log_query {
  std::string container;
  bool previous = false;
  bool timestamps = false;
  std::optional<int64_t> tail;
  std::optional<int64_t> limit_bytes;
  /// sinceTime/sinceSeconds as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` ("" = all).
  std::string since;
};

/// The restart count of `container` in the pod's status (0 if none).
int logged_restart_count(const json::object& pod, const std::string& container);

/// One CRI log line as the client sees it (`<time> <text>` with
/// timestamps, else `<text>`); nothing for a malformed line or one written
/// before `since` (log_query::since).
std::optional<std::string> log_line_text(const std::string& cri_line,
                                         bool timestamps,
                                         const std::string& since = "");

/// The log text of `pod` (nothing if the process kubelet keeps no log for
/// it); `error` set (400 message) when --previous has no earlier run.
std::optional<std::string> read_pod_log(const std::string& kubelet_dir,
                                        const json::object& pod,
                                        const log_query& q,
                                        std::string& error);

} // namespace kc::sim

#include "k8s/sim/request.hpp"

namespace kc::sim {

/// The log options of a request (previous, timestamps, tailLines,
/// limitBytes) for `container`.
log_query parse_log_query(const api_request& req, const std::string& container);

/// GET .../pods/NAME/log for `container` (query: previous, timestamps,
/// tailLines, limitBytes): the process kubelet's log, or an empty text/plain
/// answer when there is none (stage mode); 400 for a missing --previous.
api_response pod_log_response(const std::string& kubelet_dir,
                              const json::object& pod,
                              const std::string& container,
                              const api_request& req);

} // namespace kc::sim
