#include "cmd/flags.hpp"

#include <charconv>
#include <iostream>
#include <sstream>

namespace kc::cmd {

std::optional<bool> parse_bool(const std::string& text) {
  if (text == "1" || text == "t" || text == "T" || text == "TRUE"
      || text == "true" || text == "True")
    return true;
  if (text == "0" || text == "f" || text == "F" || text == "FALSE"
      || text == "false" || text == "False")
    return false;
  return std::nullopt;
}

int usage_error(const std::string& command, const std::string& message) {
  std::cerr << "kubecombo " << command << ": " << message << '\n';
  return 2;
}

flag_set::flag_set(std::string command, std::string summary)
  : command_(std::move(command)), summary_(std::move(summary)) {
}

void flag_set::add(const std::string& name, std::string* target,
                   const std::string& help) {
  add_custom(name, "STRING", help, [target](const std::string& v) {
    *target = v;
    return std::string{};
  });
}

void flag_set::add(const std::string& name, int64_t* target,
                   const std::string& help, int64_t min, int64_t max) {
  add_custom(name, "N", help, [=](const std::string& v) -> std::string {
    int64_t x = 0;
    auto [ptr, err] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (err != std::errc{} || ptr != v.data() + v.size())
      return "not an integer: \"" + v + "\"";
    if (x < min || x > max) {
      std::ostringstream os;
      os << v << " is out of range [" << min << ", " << max << "]";
      return os.str();
    }
    *target = x;
    return {};
  });
}

void flag_set::add(const std::string& name, bool* target,
                   const std::string& help) {
  flags_.push_back(flag{name, "", help, true,
                        [target](const std::string& v) -> std::string {
                          auto b = parse_bool(v);
                          if (!b)
                            return "not a boolean: \"" + v + "\"";
                          *target = *b;
                          return {};
                        }});
}

void flag_set::add_custom(const std::string& name, const std::string& metavar,
                          const std::string& help, setter set) {
  flags_.push_back(flag{name, metavar, help, false, std::move(set)});
}

const flag_set::flag* flag_set::find(const std::string& name) const {
  for (auto& f : flags_)
    if (f.name == name)
      return &f;
  return nullptr;
}

std::optional<int> flag_set::parse(const arguments& args) {
  positional_.clear();
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage();
      return 0;
    }
    if (arg == "--") {
      positional_.insert(positional_.end(), args.begin() + i + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional_.push_back(arg);
      continue;
    }
    auto body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      value = body.substr(eq + 1);
      body.resize(eq);
    }
    auto* f = find(body);
    if (f == nullptr || (arg[1] != '-' && body.size() != 1))
      return usage_error(command_, "unknown flag " + arg
                                     + " (see kubecombo " + command_
                                     + " --help)");
    if (!value) {
      if (f->is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return usage_error(command_, "flag --" + f->name + " needs a value");
      }
    }
    if (auto err = f->set(*value); !err.empty())
      return usage_error(command_, "flag --" + f->name + ": " + err);
  }
  return std::nullopt;
}

std::string flag_set::usage() const {
  std::ostringstream os;
  os << "Usage: kubecombo " << command_ << " [flags]\n\n" << summary_
     << "\n\nFlags:\n";
  for (auto& f : flags_) {
    std::string left = (f.name.size() == 1 ? "  -" : "  --") + f.name;
    if (f.is_bool)
      left += "[=BOOL]";
    else
      left += " " + f.metavar;
    os << left;
    if (left.size() < 34)
      os << std::string(34 - left.size(), ' ');
    else
      os << "\n" << std::string(34, ' ');
    os << f.help << '\n';
  }
  os << "  -h, --help                      show this help and exit\n";
  return os.str();
}

} // namespace kc::cmd
