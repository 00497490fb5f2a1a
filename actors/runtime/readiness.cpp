#include "actors/runtime/readiness.hpp"

#include <algorithm>

namespace kc::runtime {

ready_flag readiness::add(std::string name, ready_flag flag) {
  if (!flag)
    flag = std::make_shared<std::atomic<bool>>(false);
  std::lock_guard guard{mtx_};
  auto it = std::find_if(flags_.begin(), flags_.end(),
                         [&](auto& p) { return p.first == name; });
  if (it != flags_.end())
    it->second = flag;
  else
    flags_.emplace_back(std::move(name), flag);
  return flag;
}

void readiness::remove(const std::string& name) {
  std::lock_guard guard{mtx_};
  flags_.erase(std::remove_if(flags_.begin(), flags_.end(),
                              [&](auto& p) { return p.first == name; }),
               flags_.end());
}

bool readiness::ready() const {
  std::lock_guard guard{mtx_};
  return std::all_of(flags_.begin(), flags_.end(),
                     [](auto& p) { return p.second->load(); });
}

std::vector<std::string> readiness::pending() const {
  std::vector<std::string> out;
  std::lock_guard guard{mtx_};
  for (auto& [name, flag] : flags_)
    if (!flag->load())
      out.push_back(name);
  return out;
}

telemetry::check_result readiness::check() const {
  auto names = pending();
  if (names.empty())
    return {};
  std::string reason = "not synced: ";
  for (size_t i = 0; i < names.size(); ++i)
    reason += (i ? ", " : "") + names[i];
  return {false, std::move(reason)};
}

size_t readiness::size() const {
  std::lock_guard guard{mtx_};
  return flags_.size();
}

void readiness::clear() {
  std::lock_guard guard{mtx_};
  flags_.clear();
}

readiness& global_readiness() {
  static readiness instance;
  return instance;
}

} // namespace kc::runtime
