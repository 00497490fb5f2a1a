#pragma once

// The tour `kubecombo up` prints once everything is up: where the
// kubeconfig is, what to look at with kubectl, how to trigger a run and
// read its overview, where the metrics are, how to break and repair a link
// (README "Tour" follows the same steps).

#include "cmd/up_api.hpp"

#include <ostream>
#include <string>

namespace kc::cmd::up {

struct tour_facts {
  std::string kubeconfig; ///< absolute path
  std::string url;        ///< the control plane
  int nodes = 0;
  std::string netns_prefix; ///< "kc<pid>-" of the node namespaces
};

/// Prints the tour; concrete pod names and addresses come from `api`.
void print_tour(std::ostream& out, api_session& api, const tour_facts& f);

} // namespace kc::cmd::up
