#include "k8s/api/kubecombo/run_overview.hpp"

#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/runs.hpp"
#include "k8s/api/kubecombo/workload.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <functional>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

/// Room kept in part 0 for `_summary`.
constexpr std::size_t summary_reserve = 4096;

std::string label_of(const json::object& obj, std::string_view key) {
  auto md = obj_at(obj, "metadata");
  auto labels = md ? obj_at(*md, "labels") : nullptr;
  return labels ? str_at(*labels, key) : "";
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// A line of the YAML starting (after blanks) with one of the problem keys.
bool has_problem(std::string_view yaml) {
  size_t pos = 0;
  while (pos < yaml.size()) {
    auto end = yaml.find('\n', pos);
    auto line = yaml.substr(pos, end == yaml.npos ? yaml.npos : end - pos);
    auto first = line.find_first_not_of(" \t-");
    if (first != line.npos) {
      auto t = line.substr(first);
      if (t.starts_with("err:") || t.starts_with("_error:")
          || t.starts_with("_timedOut:"))
        return true;
    }
    if (end == yaml.npos)
      break;
    pos = end + 1;
  }
  return false;
}

} // namespace

std::optional<node_report> read_run_report(const json::object& pod) {
  auto md = obj_at(pod, "metadata");
  auto ann = md ? obj_at(*md, "annotations") : nullptr;
  auto text = ann ? str_at(*ann, run_report_annotation) : "";
  if (text.empty())
    return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  auto o = ec ? nullptr : v.if_object();
  if (!o || str_at(*o, "run").empty())
    return std::nullopt;
  node_report r;
  r.run = str_at(*o, "run");
  r.phase = str_at(*o, "phase");
  r.summary = str_at(*o, "summary");
  r.checks = int_at(*o, "checks");
  r.failed = int_at(*o, "failed");
  r.unknown = int_at(*o, "unknown");
  auto spec = obj_at(pod, "spec");
  r.node = spec ? str_at(*spec, "nodeName") : "";
  if (r.node.empty())
    r.node = str_at(*o, "node");
  if (r.node.empty())
    return std::nullopt;
  return r;
}

run_observation observe_pods(const std::string& debugger,
                             const std::string& run,
                             const std::vector<const json::object*>& pods,
                             const overview_book* known) {
  run_observation obs;
  auto tag = "\"" + run + "\"";
  for (auto* pod : pods) {
    if (!pod || label_of(*pod, "debug") != debugger)
      continue;
    auto spec = obj_at(*pod, "spec");
    auto node = spec ? str_at(*spec, "nodeName") : "";
    if (!node.empty())
      obs.pod_nodes.insert(node);
    if (known && !node.empty() && known->nodes.contains(node))
      continue;
    auto md = obj_at(*pod, "metadata");
    auto ann = md ? obj_at(*md, "annotations") : nullptr;
    auto text = ann ? ann->if_contains(run_report_annotation) : nullptr;
    if (!text || !text->is_string()
        || std::string_view(text->get_string()).find(tag)
               == std::string_view::npos)
      continue;
    if (auto r = read_run_report(*pod); r && r->run == run)
      obs.reports[r->node] = std::move(*r);
  }
  return obs;
}

node_value value_of_report(const node_report& r) {
  node_value v;
  v.yaml = r.summary;
  while (!v.yaml.empty() && (v.yaml.back() == '\n' || v.yaml.back() == ' '))
    v.yaml.pop_back();
  if (r.phase != "Completed")
    v.yaml = "_error: " + quote("the agent's run ended " + r.phase)
             + (v.yaml.empty() ? "" : "\n" + v.yaml);
  if (v.yaml.empty())
    v.yaml = "{}";
  v.failed = r.failed > 0 || r.phase != "Completed" || has_problem(v.yaml);
  return v;
}

node_value timed_out_value(int64_t deadline) {
  return {"_timedOut: "
              + quote("no report before the run deadline "
                      + format_rfc3339(deadline)),
          false, true};
}

std::string overview_name(const std::string& debugger, const std::string& run,
                          std::size_t k) {
  auto n = debugger + "-" + run;
  return k == 0 ? n : n + "-" + std::to_string(k);
}

overview_book book_of(const std::string& debugger, const std::string& run,
                      const std::vector<const json::object*>& cms) {
  overview_book b;
  b.run = run;
  auto base = overview_name(debugger, run);
  for (auto* cm : cms) {
    if (!cm || label_of(*cm, run_debugger_label) != debugger
        || label_of(*cm, run_label) != run)
      continue;
    auto md = obj_at(*cm, "metadata");
    auto name = md ? str_at(*md, "name") : "";
    std::size_t k = 0;
    if (name != base) {
      auto suffix
          = name.size() > base.size() + 1 && name.starts_with(base + "-")
                ? name.substr(base.size() + 1)
                : std::string{};
      if (suffix.empty() || suffix.size() > 4
          || suffix.find_first_not_of("0123456789") != suffix.npos)
        continue;
      k = static_cast<std::size_t>(std::stoi(suffix));
    }
    auto& bytes = b.part_bytes[k];
    auto data = obj_at(*cm, "data");
    if (!data)
      continue;
    for (auto& [key, value] : *data) {
      auto text = value.is_string() ? std::string(value.get_string()) : "";
      bytes += key.size() + text.size();
      if (key == "_summary" && k == 0)
        b.summary = text;
      if (key.starts_with("_"))
        continue;
      overview_book::entry e;
      e.part = k;
      e.timed_out = text.starts_with("_timedOut:");
      e.failed = !e.timed_out && has_problem(text);
      b.nodes[std::string(key)] = e;
    }
  }
  return b;
}

overview_counts count_book(const overview_book& book) {
  overview_counts c;
  for (auto& [node, e] : book.nodes) {
    if (e.timed_out) {
      ++c.timed_out;
      continue;
    }
    ++c.reported;
    c.failed += e.failed ? 1 : 0;
  }
  return c;
}

std::string summary_yaml(const overview_book& book, const std::string& debugger,
                         const overview_header& h) {
  auto c = count_book(book);
  std::string y = "phase: " + h.phase + "\nrun: " + quote(book.run) + "\n";
  auto time = [&y](const char* key, int64_t t) {
    if (t)
      y += std::string(key) + ": " + quote(format_rfc3339(t)) + "\n";
  };
  time("at", h.at);
  time("startedAt", h.started);
  time("deadline", h.deadline);
  time("finishedAt", h.finished);
  y += "nodes: " + std::to_string(std::max(h.nodes, c.reported + c.timed_out))
       + "\nreported: " + std::to_string(c.reported)
       + "\nfailed: " + std::to_string(c.failed)
       + "\ntimedOut: " + std::to_string(c.timed_out) + "\n";
  std::string parts;
  for (auto& [k, bytes] : book.part_bytes)
    if (k > 0)
      parts += (parts.empty() ? "" : ", ")
               + quote(overview_name(debugger, book.run, k));
  if (!parts.empty())
    y += "parts: [" + parts + "]\n";
  return y;
}

std::vector<overview_write>
plan_overview(overview_book& book, const json::object& debugger,
              const std::map<std::string, node_value>& add,
              const overview_header& h) {
  auto meta = meta_of(debugger);
  auto existed = book.part_bytes;
  std::map<std::size_t, json::object> data;
  for (auto& [node, v] : add) {
    if (book.nodes.contains(node))
      continue;
    auto size = node.size() + v.yaml.size();
    std::size_t k = 0;
    while (k < 10000) {
      auto it = book.part_bytes.find(k);
      auto used = it == book.part_bytes.end() ? 0 : it->second;
      auto limit = overview_part_budget - (k == 0 ? summary_reserve : 0);
      if (used + size <= limit || used == 0)
        break;
      ++k;
    }
    book.part_bytes[k] += size;
    book.nodes[node] = {k, v.failed, v.timed_out};
    data[k][node] = v.yaml;
  }
  auto summary = summary_yaml(book, meta.name, h);
  if (summary != book.summary || !existed.contains(0)) {
    auto& bytes = book.part_bytes[0];
    auto old = book.summary.empty() ? 0 : book.summary.size() + 8;
    bytes = (bytes >= old ? bytes - old : 0) + summary.size() + 8;
    book.summary = summary;
    data[0]["_summary"] = summary;
  }
  std::vector<overview_write> creates, patches;
  for (auto& [k, d] : data) {
    overview_write w;
    w.name = overview_name(meta.name, book.run, k);
    w.create = !existed.contains(k);
    if (w.create) {
      json::object md{
          {"name", w.name},
          {"namespace", meta.namespace_},
          {"labels", json::object{{run_debugger_label, meta.name},
                                  {run_label, book.run}}},
          {"ownerReferences", json::array{controller_reference(debugger)}}};
      w.body = json::object{{"apiVersion", "v1"},
                            {"kind", "ConfigMap"},
                            {"metadata", std::move(md)},
                            {"data", std::move(d)}};
      creates.push_back(std::move(w));
    } else {
      w.body = json::object{{"data", std::move(d)}};
      patches.push_back(std::move(w));
    }
  }
  // Parts before the `_summary` that names them (part 0 sorts first in
  // creates, which is fine: it names only parts being created now).
  std::reverse(patches.begin(), patches.end());
  for (auto& w : patches)
    creates.push_back(std::move(w));
  return creates;
}

std::vector<std::string>
overviews_to_prune(const std::string& debugger, int64_t history_limit,
                   const std::set<std::string>& keep,
                   const std::vector<const json::object*>& cms) {
  std::map<std::string, std::vector<std::string>, std::greater<>> runs;
  for (auto& id : keep)
    runs[id];
  for (auto* cm : cms) {
    if (!cm || label_of(*cm, run_debugger_label) != debugger)
      continue;
    auto run = label_of(*cm, run_label);
    auto md = obj_at(*cm, "metadata");
    if (!run.empty() && md && !md->contains("deletionTimestamp"))
      runs[run].push_back(str_at(*md, "name"));
  }
  std::vector<std::string> out;
  int64_t n = 0;
  for (auto& [id, names] : runs) {
    if (++n <= history_limit || keep.contains(id))
      continue;
    out.insert(out.end(), names.begin(), names.end());
  }
  return out;
}

} // namespace kc::k8s::kubecombo
