#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace kc::cmd {

/// The command line after the subcommand name.
using arguments = std::vector<std::string>;

/// A small, strict flag parser shared by every subcommand.
///
/// Accepts `--name value`, `--name=value`, `-n value` for one-letter names and
/// `--flag` / `--flag=BOOL` for booleans (BOOL as Go's strconv.ParseBool).
/// `--help` / `-h` prints the usage and asks the caller to exit 0. A bad flag
/// prints one line naming it and asks the caller to exit 2.
class flag_set {
public:
  /// Converts a flag's text into the target; returns an error text or "".
  using setter = std::function<std::string(const std::string&)>;

  flag_set(std::string command, std::string summary);

  /// Registers a string flag.
  void add(const std::string& name, std::string* target,
           const std::string& help);
  /// Registers an integer flag with an inclusive range.
  void add(const std::string& name, int64_t* target, const std::string& help,
           int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  /// Registers a boolean flag (`--name`, `--name=false`).
  void add(const std::string& name, bool* target, const std::string& help);
  /// Registers a flag with a custom conversion; `metavar` names its value.
  void add_custom(const std::string& name, const std::string& metavar,
                  const std::string& help, setter set);

  /// Parses the arguments. Returns nullopt when the command should run, or
  /// the exit code when it should stop (0 after --help, 2 after an error).
  /// Positional arguments are collected into `positional()`.
  std::optional<int> parse(const arguments& args);

  /// Returns the positional arguments seen by parse().
  const std::vector<std::string>& positional() const {
    return positional_;
  }

  /// Returns the usage text printed by --help.
  std::string usage() const;

private:
  struct flag {
    std::string name;
    std::string metavar;
    std::string help;
    bool is_bool = false;
    setter set;
  };

  const flag* find(const std::string& name) const;

  std::string command_;
  std::string summary_;
  std::vector<flag> flags_;
  std::vector<std::string> positional_;
};

/// Parses a boolean like Go's strconv.ParseBool.
std::optional<bool> parse_bool(const std::string& text);

/// Prints `kubecombo <command>: <message>` to stderr and returns 2.
int usage_error(const std::string& command, const std::string& message);

} // namespace kc::cmd
