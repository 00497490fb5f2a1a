#include "k8s/client/incluster.hpp"

#include "k8s/client/config_error.hpp"

#include <cstdlib>

namespace kc::k8s {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
    s.pop_back();
  return s;
}

} // namespace

bool incluster_available() {
  return !env("KUBERNETES_SERVICE_HOST").empty()
         && !env("KUBERNETES_SERVICE_PORT").empty();
}

client_config load_incluster_config(const std::string& dir) {
  auto host = env("KUBERNETES_SERVICE_HOST");
  auto port = env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty())
    throw config_error("(environment)",
                       host.empty() ? "KUBERNETES_SERVICE_HOST"
                                    : "KUBERNETES_SERVICE_PORT",
                       "not set; not running in a cluster");
  client_config c;
  bool ipv6 = host.find(':') != std::string::npos;
  c.server = "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + port;
  parse_server_url(c, "(environment)", "KUBERNETES_SERVICE_HOST");
  c.token_file = dir + "/token";
  std::string text, err;
  if (!read_file(c.token_file, text, err))
    throw config_error(c.token_file, "", "cannot read ServiceAccount token: " + err);
  auto ca = dir + "/ca.crt";
  if (!read_file(ca, c.ca_pem, err))
    throw config_error(ca, "", "cannot read ServiceAccount CA: " + err);
  c.ns = env("POD_NAMESPACE");
  if (c.ns.empty() && read_file(dir + "/namespace", text, err))
    c.ns = trim(text);
  if (c.ns.empty())
    c.ns = "default";
  c.source = "in-cluster config (" + dir + ")";
  return c;
}

} // namespace kc::k8s
