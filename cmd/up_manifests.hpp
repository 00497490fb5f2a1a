#pragma once

// The manifests `kubecombo up` applies (ADR 0076): deploy/ embedded at build
// time (cmd/up_embed.cmake) or read from a directory, rendered the way
// `kubectl kustomize` renders this tree (resources in order, namespace,
// labels, components with their resources and JSON 6902 patches).

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <vector>

namespace kc::cmd::up {

/// deploy/-relative path → file text, embedded at build time.
const std::map<std::string, std::string>& embedded_manifests();

/// Where manifests come from: `dir` (a deploy/ directory) when set, else
/// the embedded copy.
struct manifest_source {
  std::string dir;
  /// The text of `rel` (deploy/-relative); throws std::runtime_error.
  std::string read(const std::string& rel) const;
};

/// Every YAML document of `text` as a JSON object (empty documents are
/// skipped; quoted scalars stay strings, plain ones become bool, int,
/// double or null where YAML 1.2's core schema says so). `name` appears in
/// errors. Throws std::runtime_error.
std::vector<boost::json::object> parse_yaml_documents(const std::string& text,
                                                      const std::string& name);

/// Renders the kustomization in `rel_dir` ("" = deploy/ itself) plus the
/// named component directories (e.g. "webhook"). Throws
/// std::runtime_error naming the file.
std::vector<boost::json::object>
render_kustomization(const manifest_source& src, const std::string& rel_dir,
                     const std::vector<std::string>& components = {});

/// True for the cluster-scoped kinds deploy/ and the samples use.
bool cluster_scoped(const std::string& kind);

} // namespace kc::cmd::up
