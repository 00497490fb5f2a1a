#include "k8s/sim/json_dups.hpp"

#include <set>

namespace kc::sim {

namespace {

/// One open container while scanning.
struct frame {
  bool object = false;
  std::string path;
  std::set<std::string> keys;
  std::string pending_key;
  bool expect_key = false;
};

std::string read_string(std::string_view t, std::size_t& i) {
  std::string out;
  for (++i; i < t.size() && t[i] != '"'; ++i) {
    if (t[i] == '\\' && i + 1 < t.size()) {
      out += t[i];
      ++i;
    }
    out += t[i];
  }
  return out;
}

} // namespace

std::vector<std::string> duplicate_keys(std::string_view t) {
  std::vector<std::string> dups;
  std::vector<frame> stack;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (c == '"') {
      auto s = read_string(t, i);
      if (!stack.empty() && stack.back().object && stack.back().expect_key) {
        auto& f = stack.back();
        auto path = f.path.empty() ? s : f.path + "." + s;
        if (!f.keys.insert(s).second)
          dups.push_back(path);
        f.pending_key = path;
        f.expect_key = false;
      }
    } else if (c == '{' || c == '[') {
      frame f;
      f.object = c == '{';
      f.expect_key = f.object;
      if (!stack.empty())
        f.path = stack.back().object ? stack.back().pending_key
                                     : stack.back().path;
      stack.push_back(std::move(f));
    } else if (c == '}' || c == ']') {
      if (!stack.empty())
        stack.pop_back();
    } else if (c == ',' && !stack.empty() && stack.back().object) {
      stack.back().expect_key = true;
    }
  }
  return dups;
}

} // namespace kc::sim
