#include "k8s/client/line_splitter.hpp"

namespace kc::k8s {

bool line_splitter::feed(std::string_view bytes,
                         const std::function<bool(std::string_view)>& on_line) {
  if (overflow_)
    return false;
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      if (buf_.size() + bytes.size() > max_line_) {
        overflow_ = true;
        buf_.clear();
        buf_.shrink_to_fit();
        return false;
      }
      buf_.append(bytes);
      return true;
    }
    std::string_view piece = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    std::string_view line;
    if (buf_.empty()) {
      line = piece; // fast path: the whole line is inside this chunk
    } else {
      buf_.append(piece);
      line = buf_;
    }
    if (line.size() > max_line_) {
      overflow_ = true;
      buf_.clear();
      buf_.shrink_to_fit();
      return false;
    }
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    bool keep_going = line.empty() || on_line(line);
    buf_.clear();
    if (!keep_going)
      return false;
  }
  return true;
}

} // namespace kc::k8s
