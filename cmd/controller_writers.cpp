#include "cmd/controller_writers.hpp"

#include "telemetry/logging.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>

namespace kc::cmd {

using namespace std::chrono;

namespace {

/// State of a placeholder writer supervisor.
struct writer_state {
  static inline const char* name = "writer";
  std::string role;
};

caf::behavior placeholder_writer(caf::stateful_actor<writer_state>* self,
                                 std::string role, std::string what) {
  self->state.role = role;
  KC_INFO(role, "started (placeholder: the {} logic comes in its own issue; "
                "this supervisor writes nothing yet)",
          what);
  self->attach_functor([role](const caf::error&) {
    KC_INFO(role, "stopped");
  });
  return {
    [](atom::status) -> std::string { return "placeholder: no children"; },
  };
}

} // namespace

std::string debug_actors_json(caf::actor_system& sys,
                              const std::vector<named_actor>& actors) {
  boost::json::array out;
  caf::scoped_actor self{sys};
  for (auto& a : actors) {
    std::string state = "unknown";
    if (a.handle) {
      self->request(a.handle, seconds{1}, atom::status_v)
          .receive([&](std::string& s) { state = std::move(s); },
                   [&](caf::error& e) { state = "error: " + to_string(e); });
    }
    out.push_back(boost::json::object{
        {"name", a.name},
        {"parent", a.parent},
        {"id", a.handle ? a.handle.id() : 0},
        {"state", state}});
  }
  return boost::json::serialize(boost::json::object{{"actors", out}});
}

controller_writers::controller_writers(caf::actor_system& sys,
                                       recorder_actor recorder)
  : sys_(sys), recorder_(std::move(recorder)) {
}

void controller_writers::start() {
  std::lock_guard guard{mtx_};
  if (!writers_.empty())
    return;
  auto spawn = [&](const char* role, const char* what) {
    writers_.push_back(
        {role, "root", sys_.spawn(placeholder_writer, role, what)});
  };
  spawn("debuggers", "Debugger reconcile");
  spawn("pingers", "Pinger reconcile");
  spawn("nodes", "per-node report");
}

bool controller_writers::running() const {
  std::lock_guard guard{mtx_};
  return !writers_.empty();
}

void controller_writers::kill() {
  std::lock_guard guard{mtx_};
  for (auto& w : writers_)
    caf::anon_send_exit(w.handle, caf::exit_reason::kill);
  writers_.clear();
}

void controller_writers::stop(caf::scoped_actor& self, milliseconds grace) {
  std::vector<named_actor> ws;
  {
    std::lock_guard guard{mtx_};
    ws.swap(writers_);
  }
  auto deadline = steady_clock::now() + grace;
  for (auto it = ws.rbegin(); it != ws.rend(); ++it) {
    self->monitor(it->handle);
    self->send_exit(it->handle, caf::exit_reason::user_shutdown);
    bool down = false;
    while (!down && steady_clock::now() < deadline) {
      self->receive(
          [&](caf::down_msg& d) {
            if (d.source == it->handle.address())
              down = true;
          },
          caf::after(milliseconds{100}) >> [] {});
    }
    if (!down) {
      KC_WARN("root", "{} did not stop within the grace period", it->name);
      caf::anon_send_exit(it->handle, caf::exit_reason::kill);
    }
  }
}

std::vector<named_actor> controller_writers::list() const {
  std::lock_guard guard{mtx_};
  return writers_;
}

} // namespace kc::cmd
