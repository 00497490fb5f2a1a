#include "k8s/client/client_config.hpp"

#include "k8s/client/config_error.hpp"
#include "k8s/client/incluster.hpp"

#include <boost/url/parse.hpp>

#include <cstdlib>

namespace kc::k8s {

void parse_server_url(client_config& c, const std::string& file,
                      const std::string& field) {
  auto u = boost::urls::parse_uri(c.server);
  if (!u)
    throw config_error(file, field, "invalid server URL '" + c.server + "'");
  c.scheme = std::string(u->scheme());
  if (c.scheme != "https" && c.scheme != "http")
    throw config_error(file, field,
                       "server URL '" + c.server + "' is not http(s)");
  c.host = std::string(u->encoded_host());
  if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']')
    c.host = c.host.substr(1, c.host.size() - 2);
  if (c.host.empty())
    throw config_error(file, field, "server URL '" + c.server + "' has no host");
  c.port = u->has_port() ? std::string(u->port())
                         : (c.scheme == "https" ? "443" : "80");
  c.base_path = std::string(u->encoded_path());
  while (!c.base_path.empty() && c.base_path.back() == '/')
    c.base_path.pop_back();
}

namespace {

std::string load_pem(const std::string& data, const std::string& path,
                     const std::string& file, const std::string& field) {
  if (!data.empty())
    return data;
  if (path.empty())
    return {};
  std::string out, err;
  if (!read_file(path, out, err))
    throw config_error(file, field, "cannot read '" + path + "': " + err);
  return out;
}

} // namespace

client_config resolve_context(const kubeconfig& kc, const std::string& context) {
  auto cfg_file = kc.files.empty() ? std::string("(no kubeconfig)")
                                   : kc.files.front();
  auto name = context.empty() ? kc.current_context : context;
  if (name.empty())
    throw config_error(cfg_file, "current-context",
                       "not set and no --context given");
  auto ctx_it = kc.contexts.find(name);
  if (ctx_it == kc.contexts.end())
    throw config_error(context.empty() ? kc.current_context_file : cfg_file,
                       context.empty() ? "current-context" : "contexts",
                       "context '" + name + "' not found");
  const auto& ctx = ctx_it->second;
  auto where = "contexts[" + name + "].context";
  auto cl_it = kc.clusters.find(ctx.cluster);
  if (ctx.cluster.empty() || cl_it == kc.clusters.end())
    throw config_error(ctx.file, where + ".cluster",
                       "cluster '" + ctx.cluster + "' not found");
  const auto& cl = cl_it->second;
  auto cw = "clusters[" + ctx.cluster + "].cluster";
  client_config c;
  c.server = cl.server;
  if (c.server.empty())
    throw config_error(cl.file, cw + ".server", "missing");
  parse_server_url(c, cl.file, cw + ".server");
  if (!cl.proxy_url.empty())
    throw config_error(cl.file, cw + ".proxy-url",
                       "proxies are not supported by kubecombo");
  c.ca_pem = load_pem(cl.certificate_authority_data, cl.certificate_authority,
                      cl.file, cw + ".certificate-authority");
  c.insecure_skip_tls_verify = cl.insecure_skip_tls_verify;
  c.tls_server_name = cl.tls_server_name;
  c.disable_compression = cl.disable_compression;
  if (!ctx.user.empty()) {
    auto u_it = kc.users.find(ctx.user);
    if (u_it == kc.users.end())
      throw config_error(ctx.file, where + ".user",
                         "user '" + ctx.user + "' not found");
    const auto& u = u_it->second;
    auto uw = "users[" + ctx.user + "].user";
    if (u.has_auth_provider && !u.exec && u.token.empty() && u.token_file.empty())
      throw config_error(u.file, uw + ".auth-provider",
                         "legacy auth providers are not supported; use exec");
    c.client_cert_pem = load_pem(u.client_certificate_data, u.client_certificate,
                                 u.file, uw + ".client-certificate");
    c.client_key_pem =
      load_pem(u.client_key_data, u.client_key, u.file, uw + ".client-key");
    if (c.client_cert_pem.empty() != c.client_key_pem.empty())
      throw config_error(u.file,
                         uw + (c.client_key_pem.empty() ? ".client-key"
                                                        : ".client-certificate"),
                         "a client certificate needs both certificate and key");
    c.token = u.token;
    c.token_file = u.token_file;
    if (!c.token_file.empty() && c.token.empty()) {
      std::string text, err;
      if (!read_file(c.token_file, text, err))
        throw config_error(u.file, uw + ".tokenFile",
                           "cannot read '" + c.token_file + "': " + err);
    }
    c.username = u.username;
    c.password = u.password;
    c.exec = u.exec;
  }
  if (!ctx.ns.empty())
    c.ns = ctx.ns;
  c.source = "kubeconfig " + ctx.file + " context " + name;
  return c;
}

client_config load_client_config(const config_sources& src) {
  if (!src.explicit_path.empty())
    return resolve_context(load_kubeconfig({src.explicit_path}, true),
                           src.context);
  if (incluster_available() && src.context.empty())
    return load_incluster_config(src.incluster_dir);
  if (const char* env = std::getenv("KUBECONFIG"); env && *env) {
    auto kc = load_kubeconfig(split_kubeconfig_env(env), false);
    if (kc.files.empty())
      throw config_error(env, "KUBECONFIG", "none of the listed files exists");
    return resolve_context(kc, src.context);
  }
  const char* home = std::getenv("HOME");
  auto path = std::string(home ? home : "") + "/.kube/config";
  return resolve_context(load_kubeconfig({path}, true), src.context);
}

} // namespace kc::k8s
