#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace kc::k8s {

/// Splits a watch body into `\n`-terminated lines (CONVENTIONS rule 22).
/// Chunk and line boundaries are unrelated: bytes are appended to a line
/// buffer and every complete line is handed out, without its `\n` (and
/// without a trailing `\r`). Empty lines are skipped. Memory is bounded by
/// `max_line`: a longer line makes feed() fail and the splitter unusable.
class line_splitter {
public:
  /// Default maximum line length: 16 MiB.
  static constexpr size_t default_max_line = 16u << 20;

  explicit line_splitter(size_t max_line = default_max_line)
    : max_line_(max_line) {
  }

  /// Appends `bytes`, calling `on_line` for every complete line. Returns
  /// false if a line exceeded the maximum length (no further lines are
  /// delivered; the caller closes the stream) or if `on_line` returned false.
  bool feed(std::string_view bytes,
            const std::function<bool(std::string_view)>& on_line);

  /// Bytes of the incomplete line buffered so far.
  size_t buffered() const { return buf_.size(); }

  /// The incomplete last line (e.g. an error body without a newline).
  std::string_view pending() const { return buf_; }

  /// True after a line exceeded the maximum length.
  bool overflowed() const { return overflow_; }

  /// The configured maximum line length.
  size_t max_line() const { return max_line_; }

private:
  size_t max_line_;
  std::string buf_;
  bool overflow_ = false;
};

} // namespace kc::k8s
