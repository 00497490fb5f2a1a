#include "probes/check_report.hpp"

#include "probes/process.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

namespace kc::checks {

namespace {

constexpr const char* builtin_order[] = {"disk", "net", "mem", "svc", "custom"};

int category_rank(const std::string& c) {
  for (int i = 0; i < 5; ++i)
    if (c == builtin_order[i])
      return i;
  return 5;
}

struct category {
  std::string name;
  std::vector<check_item> items;
};

// Groups results by category and merges items (ADR 0040).
std::vector<category> group(const std::vector<check_result>& results) {
  std::vector<category> cats;
  for (auto& r : results) {
    auto it = std::find_if(cats.begin(), cats.end(),
                           [&](auto& c) { return c.name == r.spec.category; });
    if (it == cats.end())
      it = cats.insert(cats.end(), category{r.spec.category, {}});
    auto items = r.items;
    if (items.empty())
      items.push_back({r.spec.name, {}});
    for (auto& item : items) {
      auto found = std::find_if(it->items.begin(), it->items.end(),
                                [&](auto& x) { return x.name == item.name; });
      if (found == it->items.end())
        it->items.push_back(item);
      else if (!item.error.empty() && found->error != item.error)
        found->error = found->error.empty() ? item.error
                                            : found->error + "; " + item.error;
    }
  }
  std::stable_sort(cats.begin(), cats.end(), [](auto& a, auto& b) {
    auto ra = category_rank(a.name);
    auto rb = category_rank(b.name);
    return ra != rb ? ra < rb : (ra == 5 && a.name < b.name);
  });
  return cats;
}

bool plain_key(const std::string& s) {
  if (s.empty() || s.size() > 128)
    return false;
  static const char* reserved[]
      = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"};
  std::string lower = s;
  std::transform(
      lower.begin(), lower.end(), lower.begin(),
      [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto* r : reserved)
    if (lower == r)
      return false;
  bool numeric = true;
  for (char c : s) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_'
              || c == '.' || c == '/' || c == '-';
    if (!ok)
      return false;
    numeric = numeric
              && (std::isdigit(static_cast<unsigned char>(c)) || c == '.'
                  || c == '-');
  }
  return !numeric && s[0] != '-' && s[0] != '.';
}

std::string key(const std::string& s) {
  return plain_key(s) ? s : yaml_quote(s);
}

// Cuts `s` to at most `n` bytes on a UTF-8 boundary, marking the cut.
std::string shorten(const std::string& s, std::size_t n) {
  if (s.size() <= n)
    return s;
  auto cut = n > 3 ? n - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut;
  return s.substr(0, cut) + "...";
}

std::string item_text(const check_item& i, std::size_t max_error) {
  if (i.error.empty())
    return "  " + key(i.name) + ": {}\n";
  return "  " + key(i.name)
         + ":\n    err: " + yaml_quote(shorten(i.error, max_error)) + "\n";
}

std::string marker(std::size_t omitted) {
  return "  _truncated: \"" + std::to_string(omitted) + " items omitted\"\n";
}

} // namespace

std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string node_summary_yaml(const std::vector<check_result>& results,
                              const summary_limits& limits) {
  auto cats = group(results);
  // Pass 1: everything; pass 2: errors only; pass 3: errors while they fit.
  for (int pass = 1; pass <= 3; ++pass) {
    std::string out;
    std::size_t reserve = 0;
    if (pass == 3)
      for (auto& c : cats)
        reserve += c.name.size() + 4 + marker(999999).size();
    for (auto& c : cats) {
      std::string body;
      std::size_t omitted = 0;
      for (auto& i : c.items) {
        if (pass > 1 && i.error.empty()) {
          ++omitted;
          continue;
        }
        auto text = item_text(i, limits.max_error);
        if (pass == 3
            && out.size() + body.size() + text.size() + reserve
                   > limits.max_bytes) {
          ++omitted;
          continue;
        }
        body += text;
      }
      if (omitted > 0)
        body += marker(omitted);
      reserve -= std::min(reserve, c.name.size() + 4 + marker(999999).size());
      out += key(c.name) + (body.empty() ? ": {}\n" : ":\n" + body);
    }
    if (out.size() <= limits.max_bytes || pass == 3)
      return out;
  }
  return {};
}

std::string format_seconds(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2fs",
                std::chrono::duration<double>(d).count());
  return buf;
}

std::string log_line(const check_result& r) {
  std::string line = r.spec.category + "/" + r.spec.name + " ";
  switch (r.status) {
    case check_status::ok:
      line += "ok";
      break;
    case check_status::problem: {
      line += "PROBLEM ";
      auto failed = r.failed_items();
      std::string details;
      std::size_t shown = 0;
      for (auto& i : failed) {
        auto text = i.name + ": " + i.error;
        if (shown > 0 && details.size() + text.size() > 160)
          break;
        details += (shown > 0 ? "; " : "") + shorten(text, 160);
        ++shown;
      }
      if (shown < failed.size())
        details += "; +" + std::to_string(failed.size() - shown) + " more";
      line += details + " (" + std::to_string(failed.size())
              + (failed.size() == 1 ? " item)" : " items)");
      break;
    }
    case check_status::unknown:
      line += "UNKNOWN " + shorten(r.reason, 200);
      break;
  }
  return line + " " + format_seconds(r.duration);
}

std::string errlog_entry(const check_result& r, const std::string& timestamp) {
  std::string status
      = r.status == check_status::problem ? "PROBLEM" : "UNKNOWN";
  std::string out = "=== " + r.spec.category + "/" + r.spec.name + " " + status
                    + " at " + timestamp + " (" + describe_exit(r) + ", "
                    + format_seconds(r.duration) + ")\n$ " + r.spec.path;
  for (auto& a : r.spec.args)
    out += " " + yaml_quote(a);
  out += "\n";
  if (!r.reason.empty())
    out += "reason: " + r.reason + "\n";
  out += r.output;
  if (!r.output.empty() && r.output.back() != '\n')
    out += "\n";
  if (r.output_dropped > 0)
    out += "[output truncated: " + std::to_string(r.output_dropped)
           + " more bytes]\n";
  return out + "\n";
}

} // namespace kc::checks
