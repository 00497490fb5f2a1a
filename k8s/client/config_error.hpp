#pragma once

#include <stdexcept>
#include <string>

namespace kc::k8s {

/// A configuration problem, naming the file and the field:
/// what() = "<file>: <field>: <message>" — one line for `exit 2`.
class config_error : public std::runtime_error {
public:
  config_error(std::string file, std::string field, const std::string& message)
    : std::runtime_error(file + ": " + (field.empty() ? "" : field + ": ")
                         + message),
      file_(std::move(file)),
      field_(std::move(field)) {
  }

  /// The file (kubeconfig, token or certificate path).
  const std::string& file() const { return file_; }

  /// The field, e.g. "users[alice].user.client-key"; may be empty.
  const std::string& field() const { return field_; }

private:
  std::string file_;
  std::string field_;
};

/// Reads a whole file; false (and `error` set to strerror) on failure.
bool read_file(const std::string& path, std::string& out, std::string& error);

/// Decodes standard base64 (whitespace ignored); false on invalid input.
bool base64_decode(std::string_view in, std::string& out);

/// Encodes standard base64 with padding.
std::string base64_encode(std::string_view in);

/// Resolves `path` against `dir` unless it is absolute or empty.
std::string resolve_path(const std::string& dir, const std::string& path);

} // namespace kc::k8s
