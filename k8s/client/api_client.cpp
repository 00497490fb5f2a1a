#include "k8s/client/api_client.hpp"

#include "k8s/client/client_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <future>
#include <thread>

namespace kc::k8s {

namespace asio = boost::asio;

api_client::impl::impl(client_config c)
  : cfg(std::move(c)),
    io(std::make_unique<asio::io_context>(1)),
    creds(cfg),
    pool(*io, cfg),
    bucket(cfg.qps, cfg.burst) {
}

api_client::api_client(client_config cfg)
  : impl_(std::make_unique<impl>(std::move(cfg))) {
  impl_->work.emplace(impl_->io->get_executor());
  impl_->thread = std::thread([io = impl_->io.get()] { io->run(); });
}

api_client::~api_client() {
  {
    std::lock_guard guard{impl_->liveness->mtx};
    impl_->liveness->alive = false;
  }
  impl_->work.reset();
  impl_->io->stop();
  if (impl_->thread.get_id() == std::this_thread::get_id()) {
    // The last owner let go inside one of our own completions (e.g. a
    // callback that held the client). A thread cannot join itself and the
    // io_context cannot be destroyed from inside its run(): leave the
    // stopped loop to end this thread and leak its state (this happens at
    // shutdown only).
    impl_->thread.detach();
    (void)impl_.release();
    return;
  }
  if (impl_->thread.joinable())
    impl_->thread.join();
  impl_->pool.clear();
  // Destroys the pending coroutine frames (and their sockets) while the
  // rest of the state is still alive.
  impl_->io.reset();
}

void api_client::send(api_request req, uint64_t request_id, completion done) {
  asio::co_spawn(*impl_->io,
                 impl_->run_request(std::move(req), request_id, std::move(done)),
                 asio::detached);
}

http_result api_client::send_sync(api_request req) {
  if (impl_->io->get_executor().running_in_this_thread()) {
    http_result r;
    r.error = make_error(kc::ec::unspecified,
                         "send_sync called on the client's own thread");
    return r;
  }
  auto promise = std::make_shared<std::promise<http_result>>();
  auto future = promise->get_future();
  send(std::move(req), 0,
       [promise](uint64_t, http_result r) { promise->set_value(std::move(r)); });
  return future.get();
}

void api_client::get(const resource_ref& r, uint64_t id, completion done,
                     const request_options& o) {
  send(make_get(r, o), id, std::move(done));
}

void api_client::list(const resource_ref& r, uint64_t id, completion done,
                      const request_options& o) {
  send(make_list(r, o), id, std::move(done));
}

void api_client::create(const resource_ref& r, const boost::json::object& obj,
                        uint64_t id, completion done, const request_options& o) {
  send(make_create(r, obj, o), id, std::move(done));
}

void api_client::update(const resource_ref& r, const boost::json::object& obj,
                        uint64_t id, completion done, const request_options& o) {
  send(make_update(r, obj, o), id, std::move(done));
}

void api_client::update_status(const resource_ref& r,
                               const boost::json::object& obj, uint64_t id,
                               completion done, const request_options& o) {
  send(make_update_status(r, obj, o), id, std::move(done));
}

void api_client::remove(const resource_ref& r, uint64_t id, completion done,
                        const request_options& o) {
  send(make_delete(r, o), id, std::move(done));
}

void api_client::patch(const resource_ref& r, patch_type t, std::string body,
                       uint64_t id, completion done, const request_options& o) {
  send(make_patch(r, t, std::move(body), o), id, std::move(done));
}

const client_config& api_client::config() const {
  return impl_->cfg;
}

uint64_t api_client::connections_opened() const {
  return impl_->opened.load();
}

} // namespace kc::k8s
