// Copies the read-only ConfigMap of user scripts into the writable
// <scripts-dir>/custom at the agent's start (cmd/debugger_scripts.hpp).

#include "cmd/debugger_scripts.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

namespace kc::cmd::debugger {

namespace fs = std::filesystem;

namespace {

/// Copies one file; "" on success, else the reason.
std::string copy_one(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  auto st = fs::status(from, ec); // follows the ConfigMap's symlinks
  if (ec)
    return ec.message();
  fs::remove(to, ec); // a read-only copy of an earlier start is replaced
  ec.clear();
  if (!fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec))
    return ec ? ec.message() : "not copied";
  fs::permissions(to, st.permissions() & fs::perms::mask,
                  fs::perm_options::replace, ec);
  return ec ? ec.message() : "";
}

} // namespace

std::string copy_user_scripts(const std::string& scripts_dir) {
  fs::path src = fs::path(scripts_dir) / "custom-src";
  fs::path dst = fs::path(scripts_dir) / "custom";
  std::error_code ec;
  if (!fs::is_directory(src, ec))
    return "";
  fs::create_directories(dst, ec);
  if (ec)
    return "custom scripts: 0 copied from " + src.string() + ": cannot create "
           + dst.string() + " (" + ec.message() + ")";
  std::vector<fs::path> files;
  for (auto it = fs::directory_iterator(src, ec);
       !ec && it != fs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.rfind("..", 0) == 0)
      continue; // the ConfigMap volume's own ..data / ..<timestamp>
    std::error_code fec;
    if (fs::is_regular_file(it->path(), fec))
      files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  std::size_t copied = 0;
  std::string failed;
  for (auto& f : files) {
    auto why = copy_one(f, dst / f.filename());
    if (why.empty())
      ++copied;
    else
      failed += "; " + f.filename().string() + ": " + why;
  }
  std::string line = "custom scripts: " + std::to_string(copied)
                     + " copied from " + src.string() + " to " + dst.string();
  if (ec)
    line += "; reading " + src.string() + ": " + ec.message();
  return line + failed;
}

} // namespace kc::cmd::debugger
