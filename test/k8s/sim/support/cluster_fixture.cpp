#include "test/k8s/sim/support/cluster_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

namespace kc::test {

namespace json = boost::json;

cluster_fixture::cluster_fixture() {
  kc::sim::server_config cfg;
  cfg.nodes = 3;
  cfg.kubelet = "none";
  srv = std::make_unique<kc::sim::server>(cfg);
  srv->start();
  c = std::make_unique<sim_client>(*srv);
}

cluster_fixture::~cluster_fixture() {
  srv->stop();
}

json::value cluster_fixture::get(const std::string& path) {
  auto r = c->get(path);
  return r.status == 200 ? r.json() : json::value{};
}

std::vector<json::value> cluster_fixture::items(const std::string& path) {
  auto v = get(path);
  std::vector<json::value> out;
  if (v.is_object())
    if (auto it = v.as_object().if_contains("items"); it && it->is_array())
      for (auto& x : it->as_array())
        out.push_back(x);
  return out;
}

json::value cluster_fixture::post(const std::string& path,
                                  const std::string& body) {
  auto r = c->request("POST", path, body);
  BOOST_REQUIRE_MESSAGE(r.status == 201, path << ": " << r.status << " "
                                               << r.body);
  return r.json();
}

json::value cluster_fixture::patch(const std::string& path,
                                   const std::string& body) {
  auto r = c->request("PATCH", path, body,
                      {{"Content-Type", "application/merge-patch+json"}});
  BOOST_REQUIRE_MESSAGE(r.status == 200, path << ": " << r.status << " "
                                               << r.body);
  return r.json();
}

void cluster_fixture::create_pod(const std::string& name,
                                 const std::string& extra) {
  post(pods_path, R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")"
                    + name + R"(","labels":{"app":"t"}},"spec":{)" + extra
                    + R"("containers":[{"name":"c","image":"busybox"}]}})");
}

int cluster_fixture::make_ready(const std::string& selector) {
  int changed = 0;
  for (auto& p : items(std::string(pods_path) + "?labelSelector=" + selector)) {
    if (s(p, "spec.nodeName") == "<missing>"
        || s(p, "metadata.deletionTimestamp") != "<missing>"
        || condition(p, "Ready") == "True")
      continue;
    json::object next = p.as_object();
    auto& st = next["status"].as_object();
    st["phase"] = "Running";
    json::array conds;
    if (auto cs = st.if_contains("conditions"); cs && cs->is_array())
      conds = cs->as_array();
    conds.push_back(json::object{{"type", "Ready"},
                                 {"status", "True"},
                                 {"lastTransitionTime", "2026-01-01T00:00:00Z"}});
    st["conditions"] = std::move(conds);
    auto r = c->request("PUT", pod_path(s(p, "metadata.name")) + "/status",
                        json::serialize(next));
    changed += r.status == 200;
  }
  return changed;
}

std::string cluster_fixture::s(const json::value& v, const std::string& path) {
  const json::value* cur = &v;
  std::string rest = path;
  while (!rest.empty()) {
    if (!cur->is_object())
      return "<missing>";
    auto& o = cur->as_object();
    // Longest key first, so "labels.kubernetes.io/os" finds the label.
    const json::value* next = nullptr;
    std::string used;
    for (auto pos = rest.size();; pos = rest.rfind('.', pos - 1)) {
      auto key = rest.substr(0, pos);
      if (auto it = o.if_contains(key)) {
        next = it;
        used = key;
        break;
      }
      if (pos == 0 || rest.rfind('.', pos - 1) == std::string::npos)
        break;
    }
    if (!next)
      return "<missing>";
    cur = next;
    rest = used.size() < rest.size() ? rest.substr(used.size() + 1) : "";
  }
  if (cur->is_string())
    return std::string(cur->as_string());
  return json::serialize(*cur);
}

std::string cluster_fixture::condition(const json::value& obj,
                                       const std::string& type,
                                       const std::string& field) {
  if (!obj.is_object())
    return "<missing>";
  auto st = obj.as_object().if_contains("status");
  if (!st || !st->is_object())
    return "<missing>";
  auto cs = st->as_object().if_contains("conditions");
  if (!cs || !cs->is_array())
    return "<missing>";
  for (auto& c : cs->as_array())
    if (s(c, "type") == type)
      return s(c, field);
  return "<missing>";
}

int64_t cluster_fixture::n(const json::value& v, const std::string& path) {
  auto text = s(v, path);
  if (text == "<missing>")
    return 0;
  try {
    return std::stoll(text);
  } catch (...) {
    return -1;
  }
}

bool cluster_fixture::has_event(const std::string& name,
                                const std::string& reason,
                                const std::string& message) {
  for (auto& e : items("/api/v1/namespaces/default/events"))
    if (s(e, "involvedObject.name") == name && s(e, "reason") == reason
        && s(e, "message").rfind(message, 0) == 0)
      return true;
  return false;
}

bool cluster_fixture::eventually(const std::function<bool()>& pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

} // namespace kc::test
