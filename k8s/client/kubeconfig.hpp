#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kc::k8s {

/// users[].user.exec: a client-go credential plugin (api:K2).
struct exec_config {
  /// client.authentication.k8s.io/v1 or v1beta1.
  std::string api_version;
  /// The program (relative paths with a '/' resolve against the kubeconfig).
  std::string command;
  std::vector<std::string> args;
  /// Extra environment variables, in order.
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
  /// Never, IfAvailable or Always ("" = IfAvailable for v1beta1).
  std::string interactive_mode;
  std::string install_hint;
};

/// clusters[].cluster. Paths are already resolved against the file's dir.
struct kube_cluster {
  std::string server;
  std::string certificate_authority;
  /// Decoded PEM of certificate-authority-data.
  std::string certificate_authority_data;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string proxy_url;
  bool disable_compression = false;
  /// The kubeconfig file that defined it.
  std::string file;
};

/// users[].user. Paths are already resolved against the file's dir.
struct kube_user {
  std::string token;
  std::string token_file;
  std::string client_certificate;
  /// Decoded PEM of client-certificate-data.
  std::string client_certificate_data;
  std::string client_key;
  /// Decoded PEM of client-key-data.
  std::string client_key_data;
  std::string username;
  std::string password;
  std::optional<exec_config> exec;
  /// True if a legacy auth-provider is configured (unsupported).
  bool has_auth_provider = false;
  std::string file;
};

/// contexts[].context.
struct kube_context {
  std::string cluster;
  std::string user;
  std::string ns;
  std::string file;
};

/// One or more kubeconfig files, merged first-wins (api:K2).
struct kubeconfig {
  std::map<std::string, kube_cluster> clusters;
  std::map<std::string, kube_user> users;
  std::map<std::string, kube_context> contexts;
  std::string current_context;
  /// The file that set current-context.
  std::string current_context_file;
  /// The files that were read, in order.
  std::vector<std::string> files;
};

/// Parses one kubeconfig document. `file` names it in errors, `dir`
/// resolves relative paths. Throws config_error naming file and field.
kubeconfig parse_kubeconfig(const std::string& yaml, const std::string& file,
                            const std::string& dir);

/// Reads and merges kubeconfig files first-wins. A missing file is an
/// error when `must_exist` (an explicit path); otherwise it is skipped,
/// like client-go does for $KUBECONFIG lists. Throws config_error.
kubeconfig load_kubeconfig(const std::vector<std::string>& files,
                           bool must_exist);

/// Merges `later` into `first`: entries already in `first` win.
void merge_kubeconfig(kubeconfig& first, kubeconfig later);

/// Splits a $KUBECONFIG value at ':' (empty entries dropped).
std::vector<std::string> split_kubeconfig_env(const std::string& value);

} // namespace kc::k8s
