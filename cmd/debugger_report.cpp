#include "cmd/debugger_report.hpp"

#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace kc::cmd::debugger {

namespace json = boost::json;

std::string current_run_id(const json::object& debugger) {
  auto status = k8s::obj_at(debugger, "status");
  if (!status)
    return {};
  auto run = k8s::obj_at(*status, "currentRun");
  return run ? std::string(k8s::str_at(*run, "id")) : std::string{};
}

std::string reported_run(const json::object& pod) {
  auto meta = k8s::obj_at(pod, "metadata");
  auto notes = meta ? k8s::obj_at(*meta, "annotations") : nullptr;
  if (!notes)
    return {};
  auto text = k8s::str_at(*notes, run_report_annotation);
  if (text.empty())
    return {};
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object())
    return {};
  return std::string(k8s::str_at(v.as_object(), "run"));
}

std::string run_report_json(const run_outcome& out, const std::string& node) {
  json::object o;
  o["run"] = out.run_id;
  o["node"] = node;
  o["phase"] = "Completed";
  o["checks"] = static_cast<std::int64_t>(out.results.size());
  o["failed"] = static_cast<std::int64_t>(out.problem);
  o["unknown"] = static_cast<std::int64_t>(out.unknown);
  o["summary"] = out.summary_yaml;
  return json::serialize(o);
}

std::string bounded_run_report(run_outcome out, const std::string& node,
                               checks::summary_limits limits) {
  auto report = run_report_json(out, node);
  while (report.size() > max_report_bytes && limits.max_bytes > 512) {
    limits.max_bytes = std::max<std::size_t>(limits.max_bytes / 2, 512);
    out.summary_yaml = checks::node_summary_yaml(out.results, limits);
    report = run_report_json(out, node);
  }
  return report;
}

std::string report_patch(const std::string& report) {
  json::object notes;
  notes[run_report_annotation] = report;
  json::object patch{{"metadata", json::object{{"annotations", notes}}}};
  return json::serialize(patch);
}

} // namespace kc::cmd::debugger
