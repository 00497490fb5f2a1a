#pragma once

#include <string>
#include <vector>

namespace kc::k8s {

// The name and label rules of apimachinery's util/validation, with the exact
// messages the apiserver prints. Each returns the list of problems (empty if
// valid). [added by B; used by selectors and validation]

/// DNS-1123 subdomain (most object names): at most 253 characters.
std::vector<std::string> is_dns1123_subdomain(const std::string& value);

/// DNS-1123 label (namespace names): at most 63 characters.
std::vector<std::string> is_dns1123_label(const std::string& value);

/// DNS-1035 label (service names): starts with a letter, at most 63.
std::vector<std::string> is_dns1035_label(const std::string& value);

/// Path segment name (RBAC objects): not "." or "..", no '/' or '%'.
std::vector<std::string> is_path_segment_name(const std::string& value);

/// Qualified name with an optional DNS subdomain prefix (label and
/// annotation keys, label selector keys).
std::vector<std::string> is_qualified_name(const std::string& value);

/// Label value: empty or up to 63 alphanumerics with '-', '_', '.'.
std::vector<std::string> is_valid_label_value(const std::string& value);

/// Joins messages with "; " as field.Invalid does for a list of problems.
std::string join_messages(const std::vector<std::string>& msgs);

} // namespace kc::k8s
