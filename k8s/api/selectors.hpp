#pragma once

#include "k8s/api/resource_type.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <variant>
#include <vector>

namespace kc::k8s {

/// A parsed label selector (api:C7): equality (`a=b`, `a==b`, `a!=b`) and
/// set-based (`a in (x,y)`, `a notin (x)`, `a`, `!a`) requirements, ANDed.
class label_selector {
public:
  /// One requirement.
  struct requirement {
    /// greater_than / less_than (`a>1`, `a<5`, integer values) were added
    /// by B at the end; the server accepts them like apimachinery does.
    enum class op {
      equals,
      not_equals,
      in,
      not_in,
      exists,
      not_exists,
      greater_than,
      less_than
    };
    std::string key;
    op operation = op::exists;
    std::vector<std::string> values;
  };

  /// Parses `text`; on failure returns the message for a 400 BadRequest.
  static std::variant<label_selector, std::string>
  parse(const std::string& text);

  /// True if `labels` (a JSON object of strings, or null) matches.
  bool matches(const boost::json::object* labels) const;

  /// True if the selector selects everything.
  bool empty() const {
    return requirements_.empty();
  }

  const std::vector<requirement>& requirements() const {
    return requirements_;
  }

private:
  std::vector<requirement> requirements_;
};

/// A parsed field selector (api:C7): `=`, `==`, `!=` on the fields the kind
/// supports (metadata.name and metadata.namespace for all kinds; pods,
/// events, secrets, namespaces, nodes add theirs).
class field_selector {
public:
  struct requirement {
    std::string field;
    bool negated = false;
    std::string value;
  };

  /// Parses `text` for `type`; on failure returns the exact 400 message,
  /// e.g. `"foo.bar" is not a known field selector: only "metadata.name",
  /// "metadata.namespace"`.
  static std::variant<field_selector, std::string>
  parse(const resource_type& type, const std::string& text);

  /// True if `obj` matches every requirement.
  bool matches(const boost::json::object& obj) const;

  bool empty() const {
    return requirements_.empty();
  }

  const std::vector<requirement>& requirements() const {
    return requirements_;
  }

private:
  std::vector<requirement> requirements_;
};

} // namespace kc::k8s
