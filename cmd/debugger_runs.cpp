#include "cmd/debugger_runs.hpp"

#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/spec.hpp"

#include <algorithm>
#include <sstream>

namespace kc::cmd::debugger {

namespace {

using namespace std::chrono_literals;

k8s::resource_ref debugger_ref(const std::string& ns, const std::string& name) {
  k8s::resource_ref r;
  r.group = k8s::kubecombo::api_group;
  r.version = "v1";
  r.resource = "debuggers";
  r.ns = ns;
  r.name = name;
  return r;
}

// The state of one watch, shared with the client's io thread.
struct watch_state {
  std::mutex mtx;
  std::condition_variable cv;
  bool done = false;
  k8s::api_error error;
};

} // namespace

debugger_runs::debugger_runs(std::shared_ptr<k8s::api_client> api,
                             std::string ns, std::string name,
                             std::ostream& log)
    : api_(std::move(api)), ns_(std::move(ns)), name_(std::move(name)),
      log_(log) {
  thread_ = std::thread([this] { loop(); });
}

debugger_runs::~debugger_runs() {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

uint64_t debugger_runs::wait_newer(
    uint64_t seen, const std::atomic<bool>& stop,
    std::chrono::milliseconds max_wait,
    std::shared_ptr<const boost::json::object>& out) {
  std::unique_lock<std::mutex> lock(mtx_);
  cv_.wait_for(lock, max_wait,
               [&] { return generation_ != seen || stop.load(); });
  out = latest_;
  return generation_;
}

void debugger_runs::publish(std::shared_ptr<const boost::json::object> obj) {
  {
    std::lock_guard<std::mutex> lock(mtx_);
    latest_ = std::move(obj);
    ++generation_;
  }
  cv_.notify_all();
}

void debugger_runs::api_failed(const std::string& what) {
  std::lock_guard<std::mutex> lock(mtx_);
  if (what == last_error_)
    return;
  last_error_ = what;
  std::ostringstream line;
  line << "runs: cannot read debugger " << ns_ << "/" << name_ << ": " << what
       << " (retrying with backoff up to 30s)\n";
  log_ << line.str() << std::flush;
}

void debugger_runs::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mtx_);
  cv_.wait_for(lock, d, [this] { return stopping_; });
}

bool debugger_runs::list_once(std::string& rv) {
  k8s::request_options o;
  o.field_selector = "metadata.name=" + name_;
  auto r = api_->send_sync(k8s::make_list(debugger_ref(ns_, name_), o));
  if (!r.ok() || !r.object) {
    api_failed(r.error.to_string());
    return false;
  }
  bool recovered = false;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    recovered = !last_error_.empty() || generation_ == 0;
    last_error_.clear();
  }
  std::shared_ptr<const boost::json::object> found;
  if (auto items = k8s::arr_at(*r.object, "items"))
    for (auto& item : *items)
      if (item.is_object())
        found = std::make_shared<const boost::json::object>(item.as_object());
  auto meta = k8s::obj_at(*r.object, "metadata");
  rv = meta ? k8s::str_at(*meta, "resourceVersion") : "";
  if (recovered) {
    std::ostringstream line;
    line << "runs: watching debugger " << ns_ << "/" << name_
         << (found ? "" : " (not found yet)") << "\n";
    log_ << line.str() << std::flush;
  }
  publish(std::move(found));
  return true;
}

void debugger_runs::watch_from(const std::string& rv) {
  k8s::request_options o;
  o.resource_version = rv;
  o.allow_watch_bookmarks = true;
  o.timeout_seconds = 240;
  auto state = std::make_shared<watch_state>();
  k8s::watch_callbacks cb;
  cb.on_event = [this](uint64_t, k8s::watch_event ev) {
    if (ev.type == k8s::watch_event_type::added
        || ev.type == k8s::watch_event_type::modified)
      publish(ev.object);
    else if (ev.type == k8s::watch_event_type::deleted)
      publish(nullptr);
  };
  cb.on_done = [state](uint64_t, k8s::api_error err) {
    {
      std::lock_guard<std::mutex> lock(state->mtx);
      state->done = true;
      state->error = std::move(err);
    }
    state->cv.notify_all();
  };
  auto handle = api_->watch(k8s::make_watch(debugger_ref(ns_, name_), o), 1,
                            std::move(cb));
  // Wait for the end of the watch, checking for stop now and then.
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(state->mtx);
      if (state->cv.wait_for(lock, 200ms, [&] { return state->done; }))
        break;
    }
    std::lock_guard<std::mutex> lock(mtx_);
    if (stopping_)
      break;
  }
  handle->cancel();
  std::unique_lock<std::mutex> lock(state->mtx);
  state->cv.wait_for(lock, 2s, [&] { return state->done; });
  if (state->done && state->error && state->error.code != kc::ec::expired)
    api_failed("watch: " + state->error.to_string());
}

void debugger_runs::loop() {
  auto backoff = 500ms;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mtx_);
      if (stopping_)
        return;
    }
    std::string rv;
    if (!list_once(rv)) {
      sleep_for(backoff);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, 30s);
      continue;
    }
    backoff = 500ms;
    watch_from(rv);
    sleep_for(100ms); // a watch the server ends at once must not spin
  }
}

} // namespace kc::cmd::debugger
