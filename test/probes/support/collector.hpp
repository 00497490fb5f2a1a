#pragma once

#include "probes/result.hpp"

#include <vector>

namespace kc::test {

/// A result_sink that keeps every batch (for assertions).
struct collector : probes::result_sink {
  std::vector<probes::probe_result> all;
  size_t batches = 0;
  void on_results(probes::protocol,
                  std::span<const probes::probe_result> batch) override {
    ++batches;
    all.insert(all.end(), batch.begin(), batch.end());
  }
  size_t count(probes::outcome o) const {
    size_t n = 0;
    for (auto& r : all)
      n += r.result == o;
    return n;
  }
};

} // namespace kc::test
