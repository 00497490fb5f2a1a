#include "k8s/api/kubecombo/admission.hpp"

#include "k8s/api/json_access.hpp"
#include "k8s/api/kubecombo/validate.hpp"

#include <boost/json.hpp>

namespace kc::k8s::kubecombo {

namespace json = boost::json;

namespace {

std::string base64(std::string_view in) {
  static constexpr char tbl[]
      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(in[i])) << 16)
                 | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += tbl[(n >> 6) & 63];
    out += tbl[n & 63];
  }
  if (i < in.size()) {
    uint32_t n = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size())
      n |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += tbl[(n >> 18) & 63];
    out += tbl[(n >> 12) & 63];
    out += i + 1 < in.size() ? tbl[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

json::object response(const std::string& uid, bool allowed) {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"response", {{"uid", uid}, {"allowed", allowed}}}};
}

json::object deny(const std::string& uid, int code, std::string reason,
                  std::string message, json::array causes = {},
                  json::object details = {}) {
  auto out = response(uid, false);
  json::object status{{"code", code},
                      {"reason", std::move(reason)},
                      {"message", std::move(message)}};
  if (!causes.empty())
    details["causes"] = std::move(causes);
  if (!details.empty())
    status["details"] = std::move(details);
  out["response"].as_object()["status"] = std::move(status);
  return out;
}

struct default_value {
  const char* field;
  json::value value;
};

const std::vector<default_value>& defaults_of(std::string_view kind) {
  static const std::vector<default_value> debugger{
      {"image", default_debugger_image},
      {"hostNetwork", false},
      {"enablePinger", false},
      {"enableConfigMap", false},
      {"enableSys", false},
      {"historyLimit", 5},
      {"checkTimeout", "30s"},
      {"runDeadline", "5m"}};
  static const std::vector<default_value> pinger{
      {"enableMetrics", false}, {"interval", 5},         {"count", 1},
      {"mesh", true},           {"neighbourLimit", 10},  {"metricsPort", 8080},
      {"failureThreshold", 3},  {"recoveryThreshold", 2}};
  static const std::vector<default_value> none;
  return kind == "Debugger" ? debugger : kind == "Pinger" ? pinger : none;
}

} // namespace

json::array default_patch(const json::object& obj, std::string_view kind) {
  json::array ops;
  auto spec = obj_at(obj, "spec");
  if (!spec) {
    if (defaults_of(kind).empty())
      return ops;
    ops.push_back(json::object{
        {"op", "add"}, {"path", "/spec"}, {"value", json::object{}}});
  }
  for (auto& d : defaults_of(kind)) {
    auto it = spec ? spec->find(d.field) : nullptr;
    bool missing
        = !spec || it == spec->end() || it->value().is_null()
          || (it->value().is_string() && it->value().get_string().empty()
              && d.value.is_string());
    if (missing)
      ops.push_back(
          json::object{{"op", spec && it != spec->end() ? "replace" : "add"},
                       {"path", "/spec/" + std::string(d.field)},
                       {"value", d.value}});
  }
  return ops;
}

json::object review(const json::value& in, bool mutate) {
  auto top = in.if_object();
  auto req = top ? obj_at(*top, "request") : nullptr;
  auto uid = req ? str_at(*req, "uid") : "";
  if (!req || uid.empty())
    return deny(uid, 400, "BadRequest",
                "malformed AdmissionReview: request.uid is missing");
  auto op = str_at(*req, "operation");
  auto kind_obj = obj_at(*req, "kind");
  auto kind = kind_obj ? str_at(*kind_obj, "kind") : "";
  auto obj = obj_at(*req, "object");
  if ((op != "CREATE" && op != "UPDATE")
      || (kind != "Debugger" && kind != "Pinger"))
    return response(uid, true);
  if (!obj)
    return deny(uid, 400, "BadRequest",
                "malformed AdmissionReview: request.object is missing");
  if (mutate) {
    auto out = response(uid, true);
    auto ops = default_patch(*obj, kind);
    if (!ops.empty()) {
      auto& r = out["response"].as_object();
      r["patchType"] = "JSONPatch";
      r["patch"] = base64(json::serialize(ops));
    }
    return out;
  }
  auto meta = meta_of(*obj);
  if (meta.name.empty())
    meta.name = str_at(*req, "name");
  auto errors = kind == "Debugger"
                    ? validate_debugger(meta, parse_debugger_spec(*obj))
                    : validate_pinger(parse_pinger_spec(*obj));
  if (errors.empty())
    return response(uid, true);
  std::string list;
  json::array causes;
  for (auto& e : errors) {
    list += (list.empty() ? "" : ", ") + e.field + ": " + e.message;
    causes.push_back(json::object{
        {"reason", e.reason}, {"message", e.message}, {"field", e.field}});
  }
  auto message = kind + "." + api_group + " \"" + meta.name + "\" is invalid: "
                 + (errors.size() > 1 ? "[" + list + "]" : list);
  // name/group/kind as apimachinery's NewInvalid: kubectl then prints
  // `The Debugger "x" is invalid: spec.f: ...` (one line per cause).
  return deny(uid, 422, "Invalid", message, std::move(causes),
              {{"name", meta.name}, {"group", api_group}, {"kind", kind}});
}

webhook_reply handle_webhook(std::string_view path, std::string_view body) {
  bool mutate = path == mutate_debugger_path || path == mutate_pinger_path;
  if (!mutate && path != validate_debugger_path && path != validate_pinger_path)
    return {404, R"({"message":"no webhook at this path"})"};
  boost::system::error_code ec;
  auto v = json::parse(json::string_view(body.data(), body.size()), ec);
  if (ec)
    return {400,
            json::serialize(deny("", 400, "BadRequest",
                                 "request body is not JSON: " + ec.message()))};
  return {200, json::serialize(review(v, mutate))};
}

} // namespace kc::k8s::kubecombo
