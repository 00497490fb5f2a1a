#include "actors/agent/summary.hpp"

#include "k8s/client/request_builder.hpp"
#include "telemetry/logging.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>

namespace kc::agent {

namespace json = boost::json;

std::string pinger_summary_json(size_t targets, std::vector<std::string> down) {
  std::sort(down.begin(), down.end());
  json::array list;
  for (size_t i = 0; i < down.size() && i < 20; ++i)
    list.emplace_back(down[i]);
  json::object o;
  o["targets"] = targets;
  o["unhealthy"] = down.size();
  o["down"] = std::move(list);
  return json::serialize(o);
}

void write_pinger_summary(const summary_target& t, const std::string& value) {
  if (!t.api || t.pod.empty())
    return;
  static std::atomic<bool> failing{false};
  json::object body{
      {"metadata", {{"annotations", {{pinger_summary_key, value}}}}}};
  k8s::resource_ref r{"", "v1", "pods", true, t.ns, t.pod, ""};
  t.api->patch(r, k8s::patch_type::merge, json::serialize(body), 0,
               [pod = t.ns + "/" + t.pod](uint64_t, k8s::http_result res) {
                 bool bad = res.status < 200 || res.status >= 300;
                 if (bad && !failing.exchange(true))
                   KC_WARN("targets",
                           "pod {}: cannot write the {} annotation (HTTP {}); "
                           "retried on the next change",
                           pod, pinger_summary_key, res.status);
                 else if (!bad && failing.exchange(false))
                   KC_INFO("targets", "pod {}: {} annotation written again",
                           pod, pinger_summary_key);
               });
}

} // namespace kc::agent
