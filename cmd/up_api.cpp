#include "cmd/up_api.hpp"

#include "cmd/up_manifests.hpp"
#include "k8s/client/request_builder.hpp"

#include <boost/json.hpp>

#include <cctype>
#include <thread>

namespace kc::cmd::up {

namespace json = boost::json;

namespace {

std::string str_at(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string describe(const json::object& obj) {
  auto* md = obj.if_contains("metadata");
  auto name = md && md->is_object() ? str_at(md->as_object(), "name") : "";
  return str_at(obj, "kind") + " " + name;
}

} // namespace

k8s::resource_ref ref_of(const json::object& obj) {
  k8s::resource_ref r;
  auto api_version = str_at(obj, "apiVersion");
  auto slash = api_version.find('/');
  if (slash == std::string::npos) {
    r.version = api_version;
  } else {
    r.group = api_version.substr(0, slash);
    r.version = api_version.substr(slash + 1);
  }
  auto kind = str_at(obj, "kind");
  for (auto c : kind)
    r.resource
        += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.resource += 's';
  if (auto* md = obj.if_contains("metadata"); md && md->is_object()) {
    r.name = str_at(md->as_object(), "name");
    r.ns = str_at(md->as_object(), "namespace");
  }
  if (cluster_scoped(kind))
    r.ns.clear();
  else if (r.ns.empty())
    r.ns = "default";
  return r;
}

api_session::api_session(const std::string& url, const std::string& ca_pem,
                         const std::string& token) {
  k8s::client_config c;
  c.server = url;
  k8s::parse_server_url(c, "(kubecombo up)", "server");
  c.ca_pem = ca_pem;
  c.token = token;
  c.qps = 0; // a handful of calls; no client-side limit
  c.request_timeout = std::chrono::seconds(10);
  c.max_retries = 3;
  c.source = "kubecombo up";
  client_ = std::make_unique<k8s::api_client>(std::move(c));
}

api_session::~api_session() = default;

std::string api_session::apply(const json::object& obj,
                               std::chrono::milliseconds wait) {
  auto r = ref_of(obj);
  json::object body = obj;
  if (!r.ns.empty()) {
    auto& md = body["metadata"];
    if (md.is_object())
      md.as_object()["namespace"] = r.ns;
  }
  k8s::request_options o;
  o.field_manager = "kubecombo-up";
  o.force = true;
  auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto res = client_->send_sync(
        k8s::make_patch(r, k8s::patch_type::apply, json::serialize(body), o));
    if (res.ok())
      return "";
    if (res.status != 404 || std::chrono::steady_clock::now() >= until)
      return describe(obj) + ": " + res.error.message;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::optional<json::object> api_session::get(const k8s::resource_ref& r) {
  auto res = client_->send_sync(k8s::make_get(r));
  if (!res.ok() || !res.object)
    return std::nullopt;
  return *res.object;
}

json::array api_session::list(const k8s::resource_ref& r,
                              const std::string& label_selector) {
  k8s::request_options o;
  o.label_selector = label_selector;
  auto res = client_->send_sync(k8s::make_list(r, o));
  if (!res.ok() || !res.object)
    return {};
  auto* items = res.object->if_contains("items");
  return items && items->is_array() ? items->as_array() : json::array{};
}

} // namespace kc::cmd::up
