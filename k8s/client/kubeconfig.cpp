#include "k8s/client/kubeconfig.hpp"

#include "k8s/client/config_error.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace kc::k8s {

namespace {

/// Reads typed fields of one YAML map, naming file and field on errors.
struct reader {
  const std::string& file;
  const std::string& dir;

  [[noreturn]] void fail(const std::string& field, const std::string& msg) const {
    throw config_error(file, field, msg);
  }

  void expect_map(const YAML::Node& n, const std::string& field) const {
    if (n && !n.IsNull() && !n.IsMap())
      fail(field, "expected a mapping");
  }

  std::string str(const YAML::Node& m, const char* key,
                  const std::string& prefix) const {
    auto n = m[key];
    if (!n || n.IsNull())
      return {};
    if (!n.IsScalar())
      fail(prefix + "." + key, "expected a string");
    return n.Scalar();
  }

  bool boolean(const YAML::Node& m, const char* key,
               const std::string& prefix) const {
    auto n = m[key];
    if (!n || n.IsNull())
      return false;
    bool out = false;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, out))
      fail(prefix + "." + key, "expected true or false, got '"
                                 + (n.IsScalar() ? n.Scalar() : "?") + "'");
    return out;
  }

  std::string path(const YAML::Node& m, const char* key,
                   const std::string& prefix) const {
    return resolve_path(dir, str(m, key, prefix));
  }

  std::string b64(const YAML::Node& m, const char* key,
                  const std::string& prefix) const {
    auto s = str(m, key, prefix);
    std::string out;
    if (!s.empty() && !base64_decode(s, out))
      fail(prefix + "." + key, "invalid base64 data");
    return out;
  }

  /// Iterates a list of {name: ..., <inner>: {...}} entries.
  template <class F>
  void named_list(const YAML::Node& root, const char* list, const char* inner,
                  F&& f) const {
    auto seq = root[list];
    if (!seq || seq.IsNull())
      return;
    if (!seq.IsSequence())
      fail(list, "expected a list");
    size_t i = 0;
    for (const auto& entry : seq) {
      auto where = std::string(list) + "[" + std::to_string(i++) + "]";
      if (!entry.IsMap())
        fail(where, "expected a mapping");
      auto name = str(entry, "name", where);
      if (name.empty())
        fail(where + ".name", "missing name");
      auto prefix = std::string(list) + "[" + name + "]." + inner;
      auto body = entry[inner];
      if (!body || body.IsNull())
        fail(prefix, "missing");
      expect_map(body, prefix);
      f(name, body, prefix);
    }
  }
};

exec_config parse_exec(const reader& r, const YAML::Node& n,
                       const std::string& p) {
  exec_config e;
  e.api_version = r.str(n, "apiVersion", p);
  if (e.api_version != "client.authentication.k8s.io/v1"
      && e.api_version != "client.authentication.k8s.io/v1beta1")
    r.fail(p + ".apiVersion",
           "unsupported '" + e.api_version
             + "' (want client.authentication.k8s.io/v1 or v1beta1)");
  e.command = r.str(n, "command", p);
  if (e.command.empty())
    r.fail(p + ".command", "missing");
  if (e.command.find('/') != std::string::npos)
    e.command = resolve_path(r.dir, e.command);
  if (auto args = n["args"]; args && !args.IsNull()) {
    if (!args.IsSequence())
      r.fail(p + ".args", "expected a list of strings");
    for (const auto& a : args) {
      if (!a.IsScalar())
        r.fail(p + ".args", "expected a list of strings");
      e.args.push_back(a.Scalar());
    }
  }
  if (auto env = n["env"]; env && !env.IsNull()) {
    if (!env.IsSequence())
      r.fail(p + ".env", "expected a list of {name, value}");
    size_t i = 0;
    for (const auto& kv : env) {
      auto where = p + ".env[" + std::to_string(i++) + "]";
      if (!kv.IsMap())
        r.fail(where, "expected {name, value}");
      auto name = r.str(kv, "name", where);
      if (name.empty())
        r.fail(where + ".name", "missing");
      e.env.emplace_back(name, r.str(kv, "value", where));
    }
  }
  e.provide_cluster_info = r.boolean(n, "provideClusterInfo", p);
  e.interactive_mode = r.str(n, "interactiveMode", p);
  if (!e.interactive_mode.empty() && e.interactive_mode != "Never"
      && e.interactive_mode != "IfAvailable" && e.interactive_mode != "Always")
    r.fail(p + ".interactiveMode", "expected Never, IfAvailable or Always");
  if (e.interactive_mode.empty()
      && e.api_version == "client.authentication.k8s.io/v1")
    r.fail(p + ".interactiveMode", "required for client.authentication.k8s.io/v1");
  e.install_hint = r.str(n, "installHint", p);
  return e;
}

} // namespace

kubeconfig parse_kubeconfig(const std::string& yaml, const std::string& file,
                            const std::string& dir) {
  reader r{file, dir};
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw config_error(file, "", "invalid YAML at line "
                                   + std::to_string(e.mark.line + 1) + ": "
                                   + e.msg);
  }
  kubeconfig kc;
  kc.files.push_back(file);
  if (!root || root.IsNull())
    return kc;
  if (!root.IsMap())
    r.fail("", "expected a mapping at the top level");
  try {
    r.named_list(root, "clusters", "cluster",
                 [&](auto& name, auto& n, auto& p) {
                   kube_cluster c;
                   c.server = r.str(n, "server", p);
                   c.certificate_authority = r.path(n, "certificate-authority", p);
                   c.certificate_authority_data =
                     r.b64(n, "certificate-authority-data", p);
                   c.insecure_skip_tls_verify =
                     r.boolean(n, "insecure-skip-tls-verify", p);
                   c.tls_server_name = r.str(n, "tls-server-name", p);
                   c.proxy_url = r.str(n, "proxy-url", p);
                   c.disable_compression = r.boolean(n, "disable-compression", p);
                   c.file = file;
                   kc.clusters.try_emplace(name, std::move(c));
                 });
    r.named_list(root, "users", "user", [&](auto& name, auto& n, auto& p) {
      kube_user u;
      u.token = r.str(n, "token", p);
      u.token_file = r.path(n, "tokenFile", p);
      u.client_certificate = r.path(n, "client-certificate", p);
      u.client_certificate_data = r.b64(n, "client-certificate-data", p);
      u.client_key = r.path(n, "client-key", p);
      u.client_key_data = r.b64(n, "client-key-data", p);
      u.username = r.str(n, "username", p);
      u.password = r.str(n, "password", p);
      if (auto ex = n["exec"]; ex && !ex.IsNull()) {
        r.expect_map(ex, p + ".exec");
        u.exec = parse_exec(r, ex, p + ".exec");
      }
      u.has_auth_provider = n["auth-provider"] && !n["auth-provider"].IsNull();
      u.file = file;
      kc.users.try_emplace(name, std::move(u));
    });
    r.named_list(root, "contexts", "context", [&](auto& name, auto& n, auto& p) {
      kube_context c;
      c.cluster = r.str(n, "cluster", p);
      c.user = r.str(n, "user", p);
      c.ns = r.str(n, "namespace", p);
      c.file = file;
      kc.contexts.try_emplace(name, std::move(c));
    });
    kc.current_context = r.str(root, "current-context", "");
  } catch (const YAML::Exception& e) {
    throw config_error(file, "", "invalid kubeconfig at line "
                                   + std::to_string(e.mark.line + 1) + ": "
                                   + e.msg);
  }
  if (!kc.current_context.empty())
    kc.current_context_file = file;
  return kc;
}

void merge_kubeconfig(kubeconfig& first, kubeconfig later) {
  for (auto& [k, v] : later.clusters)
    first.clusters.try_emplace(k, std::move(v));
  for (auto& [k, v] : later.users)
    first.users.try_emplace(k, std::move(v));
  for (auto& [k, v] : later.contexts)
    first.contexts.try_emplace(k, std::move(v));
  if (first.current_context.empty()) {
    first.current_context = std::move(later.current_context);
    first.current_context_file = std::move(later.current_context_file);
  }
  for (auto& f : later.files)
    first.files.push_back(std::move(f));
}

kubeconfig load_kubeconfig(const std::vector<std::string>& files,
                           bool must_exist) {
  kubeconfig merged;
  for (const auto& f : files) {
    std::error_code fec;
    if (!must_exist && !std::filesystem::exists(f, fec))
      continue;
    std::string text, err;
    if (!read_file(f, text, err))
      throw config_error(f, "", "cannot read kubeconfig: " + err);
    auto dir = std::filesystem::absolute(std::filesystem::path(f), fec)
                 .parent_path()
                 .string();
    merge_kubeconfig(merged, parse_kubeconfig(text, f, dir));
  }
  return merged;
}

std::vector<std::string> split_kubeconfig_env(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(':', start);
    if (end == std::string::npos)
      end = value.size();
    if (end > start)
      out.push_back(value.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

} // namespace kc::k8s
