#pragma once

// The agents' run reports (annotation `kubecombo.com/run-report` on their
// own Pods, team BRIEF) and a run's overview ConfigMap `<debugger>-<run-id>`
// (CONTRACT "Inspection runs"): one key per node with its summary YAML and
// `_summary` with the phase and counts. Large runs overflow into parts
// `<debugger>-<run-id>-<k>` so that every ConfigMap stays below 1 MiB
// (docs/adr/0051). Pure functions; the controller executes the writes.

#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace kc::k8s::kubecombo {

inline constexpr const char* run_report_annotation = "kubecombo.com/run-report";
inline constexpr const char* run_debugger_label = "kubecombo.com/debugger";
inline constexpr const char* run_label = "kubecombo.com/run";
/// Data bytes (keys + values) one overview ConfigMap may hold: 768 KiB,
/// so the JSON of the object (escaped newlines and quotes) stays < 1 MiB.
inline constexpr std::size_t overview_part_budget = 768 * 1024;

/// One node's report for a run (the annotation's JSON).
struct node_report {
  std::string run, node, phase, summary;
  int64_t checks = 0, failed = 0, unknown = 0;
};

/// The report on a Pod (node = spec.nodeName, else the report's); nullopt
/// when absent or malformed.
std::optional<node_report> read_run_report(const boost::json::object& pod);

/// The Debugger's Pods as a run sees them.
struct run_observation {
  std::set<std::string> pod_nodes;            // nodes running an agent Pod
  std::map<std::string, node_report> reports; // reports naming the run
};

struct overview_book;

/// Looks at the Pods labelled debug=<debugger> (others are skipped). The
/// reports of nodes already in `known` are not parsed again (a pass at
/// 5,000 nodes parses only the new ones).
run_observation
observe_pods(const std::string& debugger, const std::string& run,
             const std::vector<const boost::json::object*>& pods,
             const overview_book* known = nullptr);

/// The value of a node's key and whether it shows a problem.
struct node_value {
  std::string yaml;
  bool failed = false;
  bool timed_out = false;
};
node_value value_of_report(const node_report& r);
/// The key of a node that missed the deadline.
node_value timed_out_value(int64_t deadline);

/// What a run's overview ConfigMaps hold (rebuilt from them after a
/// restart, then kept by the controller).
struct overview_book {
  struct entry {
    std::size_t part = 0;
    bool failed = false;
    bool timed_out = false;
  };
  std::string run;
  std::map<std::string, entry> nodes;
  std::map<std::size_t, std::size_t>
      part_bytes;      // data bytes of each part that exists
  std::string summary; // the `_summary` written last
};

/// The name of part `k` (0 = the main ConfigMap).
std::string overview_name(const std::string& debugger, const std::string& run,
                          std::size_t k = 0);

/// Rebuilds the book of `run` from the ConfigMaps that carry its labels.
overview_book book_of(const std::string& debugger, const std::string& run,
                      const std::vector<const boost::json::object*>& cms);

/// What `_summary` says besides the counts the book knows.
struct overview_header {
  std::string phase;
  int64_t nodes = 0;
  int64_t at = 0, started = 0, deadline = 0, finished = 0; // 0 = absent
};

/// Counts over the book: reported (not timed out), failed, timed out.
struct overview_counts {
  int64_t reported = 0, failed = 0, timed_out = 0;
};
overview_counts count_book(const overview_book& book);

/// `_summary`'s YAML.
std::string summary_yaml(const overview_book& book, const std::string& debugger,
                         const overview_header& h);

/// One ConfigMap write: POST of `body` (create) or merge PATCH of it.
struct overview_write {
  std::string name;
  bool create = false;
  boost::json::object body;
};

/// Adds node values to the book (a known node keeps its key and value; a
/// new one goes to the first part with room) and the `_summary` of `h`
/// (written only when it differs); returns the writes (creates first).
/// `debugger` is the owner.
std::vector<overview_write>
plan_overview(overview_book& book, const boost::json::object& debugger,
              const std::map<std::string, node_value>& add,
              const overview_header& h);

/// The overview ConfigMaps of runs beyond `history_limit` (newest kept;
/// `keep` always kept) among `cms` of `debugger`.
std::vector<std::string>
overviews_to_prune(const std::string& debugger, int64_t history_limit,
                   const std::set<std::string>& keep,
                   const std::vector<const boost::json::object*>& cms);

} // namespace kc::k8s::kubecombo
