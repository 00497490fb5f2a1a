#include "test/k8s/client/support/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <sys/stat.h>

namespace kc::test {

temp_dir::temp_dir() {
  auto base = std::filesystem::temp_directory_path() / "kc-client-XXXXXX";
  std::string tmpl = base.string();
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string temp_dir::write(const std::string& name, const std::string& content,
                            unsigned mode) const {
  auto full = std::filesystem::path(path_) / name;
  std::filesystem::create_directories(full.parent_path());
  {
    std::ofstream out(full, std::ios::binary | std::ios::trunc);
    out << content;
  }
  chmod(full.c_str(), mode);
  return full.string();
}

scoped_env::scoped_env(std::string name, const char* value) : name_(std::move(name)) {
  if (const char* old = std::getenv(name_.c_str())) {
    had_ = true;
    old_ = old;
  }
  if (value)
    setenv(name_.c_str(), value, 1);
  else
    unsetenv(name_.c_str());
}

scoped_env::~scoped_env() {
  if (had_)
    setenv(name_.c_str(), old_.c_str(), 1);
  else
    unsetenv(name_.c_str());
}

} // namespace kc::test
