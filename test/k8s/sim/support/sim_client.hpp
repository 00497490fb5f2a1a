#pragma once

// A tiny blocking HTTP(S) client for the control-plane tests.

#include "k8s/sim/server.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kc::test {

/// One answer.
struct http_result {
  unsigned status = 0;
  std::string body;
  /// Header names in lower case; repeated headers joined with "\n".
  std::map<std::string, std::string> headers;

  /// The body parsed as JSON (null if it is not JSON).
  boost::json::value json() const;
};

/// How the client authenticates.
enum class auth { token, cert, none, bad_token };

/// Opens a new connection per request (or watch).
class sim_client {
public:
  sim_client(const kc::sim::server& srv, auth how = auth::token,
             bool tls = true);

  /// One request; `content_type` is set when `body` is not empty.
  http_result request(const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::map<std::string, std::string>& headers = {});

  http_result get(const std::string& target) {
    return request("GET", target);
  }

  /// Opens a watch and collects event lines until `n` lines arrived, the
  /// stream ended or `timeout` passed. `status` is the HTTP status.
  std::vector<std::string> watch(const std::string& target, std::size_t n,
                                 std::chrono::milliseconds timeout,
                                 unsigned* status = nullptr,
                                 bool* ended = nullptr);

private:
  std::string host_;
  uint16_t port_;
  std::string token_;
  std::string ca_;
  std::string cert_;
  std::string key_;
  auth how_;
  bool tls_;
};

/// The config of a one-node control plane (tests adjust it before starting).
sim::server_config one_node();

/// A started control plane: one node unless `cfg` says otherwise.
std::unique_ptr<sim::server> started_server(sim::server_config cfg = one_node());

} // namespace kc::test
