// libFuzzer target: HTTP request parsing and routing of the embedded control
// plane. Input: raw HTTP/1.1 request bytes. They go through Beast's request
// parser (as in the session), split_target and control_plane::handle() with
// an authenticated caller and the fault API enabled; watch answers produce
// their first chunk and are cancelled.

#include "k8s/sim/control_plane.hpp"
#include "k8s/sim/fault.hpp"
#include "k8s/sim/watch_stream.hpp"

#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace http = boost::beast::http;

namespace {

/// A fresh control plane every few thousand inputs bounds memory.
kc::sim::control_plane& plane() {
  static std::unique_ptr<kc::sim::control_plane> cp;
  static unsigned uses = 0;
  if (!cp || ++uses % 4000 == 0) {
    kc::sim::server_config cfg;
    cfg.nodes = 1;
    cfg.fault_api = true;
    cfg.insecure_http = true;
    cfg.history_limit = 200;
    cp = std::make_unique<kc::sim::control_plane>(cfg);
    cp->token = "t";
    cp->address = "127.0.0.1:6443";
    cp->bootstrap();
  }
  return *cp;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(1 << 20);
  parser.header_limit(64 * 1024);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec == http::error::need_more)
    parser.put_eof(ec);
  if (ec || !parser.is_done())
    return 0;
  auto& msg = parser.get();
  kc::sim::api_request req;
  req.method = std::string(msg.method_string());
  kc::sim::split_target(msg.target(), req.path, req.query);
  req.accept = std::string(msg[http::field::accept]);
  req.content_type = std::string(msg[http::field::content_type]);
  req.body = std::move(msg.body());
  req.authenticated = true;
  auto& cp = plane();
  kc::sim::api_response resp;
  try {
    resp = cp.handle(req);
  } catch (const std::exception&) {
    // The session answers these with 500 (as here: not a crash).
  }
  if (resp.watch) {
    std::vector<kc::sim::watch_stream::piece> pieces;
    (void)resp.watch->produce(pieces);
    resp.watch->cancel();
  }
  cp.faults.clear();
  return 0;
}
