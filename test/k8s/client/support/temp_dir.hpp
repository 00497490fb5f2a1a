#pragma once

#include <string>

namespace kc::test {

/// A fresh directory under $TMPDIR, removed with its contents on scope exit.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const { return path_; }

  /// Writes `content` to path()/name (creating subdirectories) and returns
  /// the full path; `mode` e.g. 0755 for scripts.
  std::string write(const std::string& name, const std::string& content,
                    unsigned mode = 0644) const;

private:
  std::string path_;
};

/// Sets an environment variable for the scope (restores the old value).
class scoped_env {
public:
  scoped_env(std::string name, const char* value);
  ~scoped_env();
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

private:
  std::string name_;
  bool had_ = false;
  std::string old_;
};

} // namespace kc::test
