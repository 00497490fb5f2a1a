#pragma once

#include "k8s/client/client_config.hpp"
#include "k8s/client/errors.hpp"
#include "k8s/client/request_builder.hpp"
#include "k8s/client/watch_event.hpp"

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace kc::k8s {

/// The outcome of one REST call.
struct http_result {
  /// kc::ec::no_error on a 2xx; otherwise the typed error (api:S1/S3).
  api_error error;
  /// HTTP status; 0 when no response arrived.
  unsigned status = 0;
  /// The decoded JSON body of a 2xx response (object, Status or list).
  std::shared_ptr<const boost::json::object> object;
  /// The raw body of a non-JSON 2xx response (e.g. /version text), or of
  /// an error response.
  std::string body;
  /// Retries made for 429/5xx (for tests and metrics).
  int retries = 0;

  bool ok() const { return !error; }
};

/// Called once per request on the client's io thread. Keep it short: the
/// actor bridge does `caf::anon_send(reply_to, atom::http_done_v, id, r)`.
using completion = std::function<void(uint64_t request_id, http_result)>;

/// Callbacks of a watch, called on the client's io thread.
struct watch_callbacks {
  /// One decoded event (ADDED, MODIFIED, DELETED, BOOKMARK).
  std::function<void(uint64_t request_id, watch_event)> on_event;
  /// Exactly once, at the end: no error = the server closed the watch
  /// normally (re-watch from the last RV) or it was cancelled (message
  /// "cancelled"); kc::ec::expired for ERROR 410; watch_line_too_long,
  /// parse_error, network_error, forbidden, ... otherwise.
  std::function<void(uint64_t request_id, api_error)> on_done;
};

/// Handle of a running watch; cancel() is thread-safe and idempotent.
class watch_handle {
public:
  virtual ~watch_handle() = default;
  /// Stops the watch; on_done follows with message "cancelled".
  virtual void cancel() = 0;
  /// True until on_done was called.
  virtual bool active() const = 0;
};

/// The Kubernetes API client (CONVENTIONS rule 17): owns an io_context and
/// one thread, a keep-alive connection pool, credentials, the QPS limiter
/// and retries. All methods are thread-safe; completions run on the
/// client's thread.
class api_client {
public:
  explicit api_client(client_config cfg);
  /// Stops the thread; completions of unfinished requests are not called.
  ~api_client();

  api_client(const api_client&) = delete;
  api_client& operator=(const api_client&) = delete;

  /// Sends one request; `done(request_id, result)` is called exactly once
  /// (unless the client is destroyed first).
  void send(api_request req, uint64_t request_id, completion done);

  /// Blocking send for tools and tests; never call it on the io thread.
  http_result send_sync(api_request req);

  /// Starts a watch (a request made by make_watch). The returned handle
  /// cancels it.
  std::shared_ptr<watch_handle> watch(api_request req, uint64_t request_id,
                                      watch_callbacks callbacks);

  // Convenience verbs (see request_builder.hpp for the options).
  void get(const resource_ref& r, uint64_t id, completion done,
           const request_options& o = {});
  void list(const resource_ref& r, uint64_t id, completion done,
            const request_options& o = {});
  void create(const resource_ref& r, const boost::json::object& obj,
              uint64_t id, completion done, const request_options& o = {});
  void update(const resource_ref& r, const boost::json::object& obj,
              uint64_t id, completion done, const request_options& o = {});
  void update_status(const resource_ref& r, const boost::json::object& obj,
                     uint64_t id, completion done, const request_options& o = {});
  void remove(const resource_ref& r, uint64_t id, completion done,
              const request_options& o = {});
  void patch(const resource_ref& r, patch_type t, std::string body,
             uint64_t id, completion done, const request_options& o = {});

  /// The configuration in use.
  const client_config& config() const;

  /// Connections opened so far (the pool's keep-alive reuse is visible here).
  uint64_t connections_opened() const;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace kc::k8s
