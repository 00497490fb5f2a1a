// Admission webhook calls: target resolution and a blocking HTTPS POST
// (ADR 0008).

#include "k8s/sim/webhook_client.hpp"

#include "k8s/sim/admission.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

namespace kc::sim {

namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

bool is_ready(const json::object& pod) {
  if (!meta_str(pod, "deletionTimestamp").empty())
    return false;
  auto st = obj_at(pod, "status");
  if (!st || str_at(*st, "phase") != "Running" || str_at(*st, "podIP").empty())
    return false;
  auto it = st->find("conditions");
  if (it == st->end() || !it->value().is_array())
    return false;
  for (auto& c : it->value().as_array())
    if (c.is_object() && str_at(c.as_object(), "type") == "Ready")
      return str_at(c.as_object(), "status") == "True";
  return false;
}

/// The container port named `name` in `pod`, or 0.
int64_t named_port(const json::object& pod, const std::string& name) {
  auto spec = obj_at(pod, "spec");
  auto cs = spec ? spec->find("containers") : nullptr;
  if (!cs || !cs->value().is_array())
    return 0;
  for (auto& c : cs->value().as_array()) {
    auto ports = c.is_object() ? c.as_object().find("ports") : nullptr;
    if (!ports || !ports->value().is_array())
      continue;
    for (auto& p : ports->value().as_array())
      if (p.is_object() && str_at(p.as_object(), "name") == name)
        if (auto cp = p.as_object().if_contains("containerPort"))
          return cp->is_int64() ? cp->as_int64() : 0;
  }
  return 0;
}

int64_t int_of(const json::value* v, int64_t fallback) {
  if (!v)
    return fallback;
  if (v->is_int64())
    return v->as_int64();
  if (v->is_uint64())
    return static_cast<int64_t>(v->as_uint64());
  return fallback;
}

std::optional<webhook_target> resolve_service(control_plane& cp,
                                              const json::object& svc_ref,
                                              std::string& error) {
  auto ns = str_at(svc_ref, "namespace");
  auto name = str_at(svc_ref, "name");
  auto port = int_of(svc_ref.if_contains("port"), 443);
  auto path = str_at(svc_ref, "path");
  webhook_target t;
  t.server_name = name + "." + ns + ".svc";
  t.target = path.empty() ? "/" : path;
  t.url = "https://" + t.server_name + ":" + std::to_string(port) + t.target;
  auto svc = cp.objects.get("services", ns, name);
  if (!svc) {
    error = "service \"" + name + "\" not found";
    return std::nullopt;
  }
  auto spec = obj_at(svc->obj, "spec");
  const json::value* target_port = nullptr;
  bool port_found = false;
  if (auto ports = spec ? spec->if_contains("ports") : nullptr;
      ports && ports->is_array())
    for (auto& p : ports->as_array())
      if (p.is_object() && int_of(p.as_object().if_contains("port"), -1) == port) {
        port_found = true;
        target_port = p.as_object().if_contains("targetPort");
      }
  if (!port_found) {
    error = "unable to find service port " + std::to_string(port)
            + " for service " + ns + "/" + name;
    return std::nullopt;
  }
  auto selector = spec ? obj_at(*spec, "selector") : nullptr;
  uint64_t rev = 0;
  for (auto& pod : cp.objects.list("pods", ns, rev)) {
    auto md = obj_at(pod->obj, "metadata");
    auto labels = md ? obj_at(*md, "labels") : nullptr;
    if (!selector || selector->empty() || !is_ready(pod->obj))
      continue;
    bool match = true;
    for (auto& [k, v] : *selector) {
      auto it = labels ? labels->find(k) : nullptr;
      match = match && it && it->value() == v;
    }
    if (!match)
      continue;
    int64_t p = port;
    if (target_port && target_port->is_string())
      p = named_port(pod->obj, std::string(target_port->as_string()));
    else
      p = int_of(target_port, port);
    if (p <= 0 || p > 65535)
      continue;
    t.host = str_at(*obj_at(pod->obj, "status"), "podIP");
    t.port = static_cast<uint16_t>(p);
    return t;
  }
  error = "no endpoints available for service \"" + name + "\"";
  return std::nullopt;
}

/// The simulator only dials loopback and the node network 198.18.0.0/15
/// (pod IPs of the stage kubelet are not real addresses).
bool reachable(const std::string& host) {
  if (host == "localhost")
    return true;
  beast::error_code ec;
  auto a = net::ip::make_address(host, ec);
  if (ec)
    return false;
  if (a.is_loopback())
    return true;
  if (!a.is_v4())
    return false;
  auto b = a.to_v4().to_bytes();
  return b[0] == 198 && (b[1] == 18 || b[1] == 19);
}

} // namespace

std::optional<webhook_target> resolve_webhook(control_plane& cp,
                                              const json::object& cc,
                                              std::string& error) {
  if (auto svc = obj_at(cc, "service"))
    return resolve_service(cp, *svc, error);
  auto url = str_at(cc, "url");
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "https") {
    error = "invalid webhook URL \"" + url + "\"";
    return std::nullopt;
  }
  webhook_target t;
  t.url = url;
  t.host = parsed->host_address();
  if (parsed->host_type() == boost::urls::host_type::ipv6)
    t.host = parsed->host_address();
  t.server_name = t.host;
  t.port = parsed->has_port() ? parsed->port_number() : 443;
  t.target = std::string(parsed->encoded_path());
  if (t.target.empty())
    t.target = "/";
  if (parsed->has_query())
    t.target += "?" + std::string(parsed->encoded_query());
  return t;
}

webhook_reply post_webhook(const webhook_target& t, const std::string& ca_pem,
                           const std::string& body,
                           std::chrono::milliseconds timeout) {
  webhook_reply out;
  if (!reachable(t.host)) {
    out.error = "dial tcp " + t.host + ":" + std::to_string(t.port)
                + ": connect: network is unreachable (the simulator dials "
                  "only loopback and 198.18.0.0/15)";
    return out;
  }
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  beast::error_code ec;
  if (ca_pem.empty())
    ctx.set_default_verify_paths(ec);
  else
    ctx.add_certificate_authority(net::buffer(ca_pem), ec);
  if (ec) {
    out.error = "x509: invalid caBundle: " + ec.message();
    return out;
  }
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  stream.set_verify_callback(net::ssl::host_name_verification(t.server_name));
  beast::error_code addr_ec;
  net::ip::make_address(t.server_name, addr_ec);
  if (addr_ec)
    SSL_set_tlsext_host_name(stream.native_handle(), t.server_name.c_str());
  http::request<http::string_body> req{http::verb::post, t.target, 11};
  req.set(http::field::host, t.server_name);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::accept, "application/json, */*");
  req.set(http::field::user_agent, "kube-apiserver-admission");
  req.body() = body;
  req.prepare_payload();
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  bool done = false;
  auto fail = [&](const char* what, beast::error_code e) {
    out.error = std::string(what) + ": " + e.message();
    done = true;
  };
  net::ip::tcp::resolver resolver(ioc);
  resolver.async_resolve(
    t.host, std::to_string(t.port), [&](beast::error_code e, auto results) {
      if (e)
        return fail("dial tcp", e);
      beast::get_lowest_layer(stream).async_connect(
        results, [&](beast::error_code e, auto) {
          if (e)
            return fail("dial tcp", e);
          stream.async_handshake(
            net::ssl::stream_base::client, [&](beast::error_code e) {
              if (e)
                return fail("tls", e);
              http::async_write(stream, req, [&](beast::error_code e,
                                                 std::size_t) {
                if (e)
                  return fail("write", e);
                http::async_read(stream, buf, res,
                                 [&](beast::error_code e, std::size_t) {
                                   if (e)
                                     return fail("read", e);
                                   out.status = res.result_int();
                                   out.body = std::move(res.body());
                                   done = true;
                                 });
              });
            });
        });
    });
  ioc.run_for(timeout);
  if (!done)
    out.error = "context deadline exceeded";
  return out;
}

} // namespace kc::sim
