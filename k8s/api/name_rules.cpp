#include "k8s/api/name_rules.hpp"

#include <initializer_list>
#include <string_view>

namespace kc::k8s {

namespace {

constexpr const char* dns1123_label_fmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr const char* dns1123_subdomain_fmt
  = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr const char* dns1035_label_fmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr const char* qualified_name_fmt
  = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* label_value_fmt
  = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

constexpr const char* qualified_name_msg
  = "must consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character";

/// apimachinery's RegexError: the message, examples and the regex.
std::string regex_error(std::string msg, const std::string& fmt,
                        std::initializer_list<const char*> examples) {
  if (examples.size() == 0)
    return msg + " (regex used for validation is '" + fmt + "')";
  msg += " (e.g. ";
  bool first = true;
  for (auto e : examples) {
    if (!first)
      msg += " or ";
    first = false;
    msg += "'" + std::string(e) + "', ";
  }
  return msg + "regex used for validation is '" + fmt + "')";
}

std::string max_len_error(int n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

bool lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool alnum(char c) {
  return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/// [a-z0-9]([-a-z0-9]*[a-z0-9])? without std::regex (no deep recursion on
/// hostile input lengths).
bool match_label(std::string_view v) {
  if (v.empty() || !lower_alnum(v.front()) || !lower_alnum(v.back()))
    return false;
  for (char c : v)
    if (!lower_alnum(c) && c != '-')
      return false;
  return true;
}

bool match_subdomain(std::string_view v) {
  std::size_t start = 0;
  while (true) {
    auto dot = v.find('.', start);
    if (!match_label(v.substr(start, dot - start)))
      return false;
    if (dot == std::string_view::npos)
      return true;
    start = dot + 1;
  }
}

/// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool match_qualified(std::string_view v) {
  if (v.empty() || !alnum(v.front()) || !alnum(v.back()))
    return false;
  for (char c : v)
    if (!alnum(c) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

bool full_match(const std::string& value, const char* fmt) {
  std::string_view f = fmt;
  if (f == dns1123_label_fmt)
    return match_label(value);
  if (f == dns1123_subdomain_fmt)
    return match_subdomain(value);
  if (f == dns1035_label_fmt)
    return match_label(value) && value.front() >= 'a' && value.front() <= 'z';
  if (f == label_value_fmt)
    return value.empty() || match_qualified(value);
  return match_qualified(value);
}

} // namespace

std::vector<std::string> is_dns1123_subdomain(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > 253)
    errs.push_back(max_len_error(253));
  if (!full_match(value, dns1123_subdomain_fmt))
    errs.push_back(regex_error(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
      "characters, '-' or '.', and must start and end with an alphanumeric "
      "character",
      dns1123_subdomain_fmt, {"example.com"}));
  return errs;
}

std::vector<std::string> is_dns1123_label(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > 63)
    errs.push_back(max_len_error(63));
  if (!full_match(value, dns1123_label_fmt))
    errs.push_back(regex_error(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric "
      "characters or '-', and must start and end with an alphanumeric "
      "character",
      dns1123_label_fmt, {"my-name", "123-abc"}));
  return errs;
}

std::vector<std::string> is_dns1035_label(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > 63)
    errs.push_back(max_len_error(63));
  if (!full_match(value, dns1035_label_fmt))
    errs.push_back(regex_error(
      "a DNS-1035 label must consist of lower case alphanumeric characters or "
      "'-', start with an alphabetic character, and end with an alphanumeric "
      "character",
      dns1035_label_fmt, {"my-name", "abc-123"}));
  return errs;
}

std::vector<std::string> is_path_segment_name(const std::string& value) {
  if (value == "." || value == "..")
    return {"may not be '" + value + "'"};
  std::vector<std::string> errs;
  for (auto bad : {"/", "%"})
    if (value.find(bad) != std::string::npos)
      errs.push_back(std::string("may not contain '") + bad + "'");
  return errs;
}

std::vector<std::string> is_qualified_name(const std::string& value) {
  std::vector<std::string> errs;
  auto slash = value.find('/');
  std::string name = value;
  if (slash != std::string::npos) {
    if (value.find('/', slash + 1) != std::string::npos)
      return {"a qualified name "
              + regex_error(qualified_name_msg, qualified_name_fmt,
                            {"MyName", "my.name", "123-abc"})
              + " with an optional DNS subdomain prefix and '/' (e.g. "
                "'example.com/MyName')"};
    auto prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty())
      errs.push_back("prefix part must be non-empty");
    else
      for (auto& m : is_dns1123_subdomain(prefix))
        errs.push_back("prefix part " + m);
  }
  if (name.empty())
    errs.push_back("name part must be non-empty");
  else if (name.size() > 63)
    errs.push_back("name part " + max_len_error(63));
  if (!full_match(name, qualified_name_fmt))
    errs.push_back("name part "
                   + regex_error(qualified_name_msg, qualified_name_fmt,
                                 {"MyName", "my.name", "123-abc"}));
  return errs;
}

std::vector<std::string> is_valid_label_value(const std::string& value) {
  std::vector<std::string> errs;
  if (value.size() > 63)
    errs.push_back(max_len_error(63));
  if (!full_match(value, label_value_fmt))
    errs.push_back(regex_error(
      "a valid label must be an empty string or consist of alphanumeric "
      "characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character",
      label_value_fmt, {"MyValue", "my_value", "12345"}));
  return errs;
}

std::string join_messages(const std::vector<std::string>& msgs) {
  std::string out;
  for (auto& m : msgs)
    out += (out.empty() ? "" : "; ") + m;
  return out;
}

} // namespace kc::k8s
