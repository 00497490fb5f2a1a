#pragma once

// The body of one WATCH response (api:W1–W9, api:T4): turns the events of a
// watcher into chunked-encoding pieces. Transport-neutral: the HTTP session
// asks for pieces, writes them, and waits for the watcher's notification or
// the next timer.

#include "k8s/api/table.hpp"
#include "k8s/sim/handlers.hpp"
#include "k8s/sim/watcher.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace kc::sim {

/// One open watch response.
class watch_stream {
public:
  using clock = std::chrono::steady_clock;
  using piece = std::shared_ptr<const std::string>;

  /// Streams `w` for `type` with `sel`. `timeout` ends it; `bookmarks`
  /// enables BOOKMARK events (every `bookmark_every` and before the end).
  watch_stream(std::shared_ptr<watcher> w, k8s::resource_type_ptr type,
               selection sel, clock::duration timeout, bool bookmarks);

  /// A stream that sends one ERROR event with `status` and ends (api:W5).
  static std::shared_ptr<watch_stream> error(const k8s::api_status& status);

  /// Table rendering (api:T4).
  void set_table(k8s::include_object include);

  /// Send the `k8s.io/initial-events-end` bookmark after the initial
  /// events (sendInitialEvents, api:W8).
  void set_initial_events_end();

  /// Appends the next chunk (size line, event lines, CRLF) to `out`.
  /// Returns false when the stream is over (`out` then ends with the last
  /// chunk). Appends nothing when the session must wait.
  bool produce(std::vector<piece>& out);

  /// When the session should call produce() again at the latest.
  clock::time_point next_deadline() const;

  /// Lets the watcher wake the session.
  void set_notify(std::function<void()> fn);

  /// The client went away or the server stops.
  void cancel();

  /// Bookmark period (api:W7).
  clock::duration bookmark_every = std::chrono::seconds(60);

private:
  watch_stream() = default;
  void render(const watch_event& ev, std::vector<piece>& lines);
  piece render_object(const char* type, const json::object& obj);
  piece render_added(const stored_ptr& s);
  piece bookmark(uint64_t rev, bool initial_end);

  std::shared_ptr<watcher> w_;
  k8s::resource_type_ptr type_;
  selection sel_;
  bool bookmarks_ = false;
  bool table_ = false;
  bool first_table_ = true;
  bool initial_end_ = false;
  bool initial_done_ = false;
  bool finished_ = false;
  k8s::include_object include_ = k8s::include_object::metadata;
  clock::time_point deadline_;
  clock::time_point next_bookmark_;
  uint64_t last_rev_ = 0;
  std::string error_line_;
};

} // namespace kc::sim
