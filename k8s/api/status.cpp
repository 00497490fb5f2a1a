// Builders for the exact metav1.Status bodies of api:S1 (k8s.io/apimachinery
// pkg/api/errors/errors.go).

#include "k8s/api/status.hpp"

namespace kc::k8s {

namespace json = boost::json;

namespace {

api_status make(unsigned code, const char* reason, const std::string& message,
                json::object details = {}, bool with_details = true) {
  api_status st;
  st.code = code;
  st.body["kind"] = "Status";
  st.body["apiVersion"] = "v1";
  st.body["metadata"] = json::object{};
  st.body["status"] = "Failure";
  st.body["message"] = message;
  st.body["reason"] = reason;
  if (with_details)
    st.body["details"] = std::move(details);
  st.body["code"] = code;
  return st;
}

/// details{name, group, kind} with kind = the resource plural (api:S1).
json::object resource_details(const resource_type& type,
                              const std::string& name) {
  json::object d;
  if (!name.empty())
    d["name"] = name;
  if (!type.group.empty())
    d["group"] = type.group;
  d["kind"] = type.resource;
  return d;
}

/// `configmaps "x"` or `deployments.apps "x"`.
std::string qualified(const resource_type& type, const std::string& name) {
  if (name.empty())
    return type.group_resource();
  return type.group_resource() + " \"" + name + "\"";
}

} // namespace

api_status status_bad_request(const std::string& message) {
  return make(400, "BadRequest", message, {}, false);
}

api_status status_unauthorized() {
  return make(401, "Unauthorized", "Unauthorized", {}, false);
}

api_status status_forbidden(const resource_type* type, const std::string& name,
                            const std::string& message) {
  if (!type)
    return make(403, "Forbidden", "forbidden: " + message, {}, true);
  return make(403, "Forbidden",
              qualified(*type, name) + " is forbidden: " + message,
              resource_details(*type, name));
}

api_status status_not_found(const resource_type& type,
                            const std::string& name) {
  return make(404, "NotFound", qualified(type, name) + " not found",
              resource_details(type, name));
}

api_status status_not_found_path() {
  return make(404, "NotFound",
              "the server could not find the requested resource");
}

api_status status_method_not_allowed(const std::string& message) {
  return make(405, "MethodNotAllowed", message);
}

api_status status_already_exists(const resource_type& type,
                                 const std::string& name) {
  return make(409, "AlreadyExists", qualified(type, name) + " already exists",
              resource_details(type, name));
}

api_status status_conflict(const resource_type& type,
                           const std::string& name) {
  return make(409, "Conflict",
              "Operation cannot be fulfilled on " + qualified(type, name)
                + ": the object has been modified; please apply your changes "
                  "to the latest version and try again",
              resource_details(type, name));
}

api_status status_expired(const std::string& message) {
  return make(410, "Expired", message, {}, false);
}

api_status status_unsupported_media_type(const std::string& content_type) {
  // `content_type` names what the endpoint accepts, as the apiserver's
  // negotiation.NewUnsupportedMediaTypeError lists them.
  return make(415, "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted "
              "media types include: "
                + content_type,
              {}, false);
}

api_status status_invalid(const resource_type& type, const std::string& name,
                          const std::vector<field_error>& causes) {
  json::object details;
  details["name"] = name;
  if (!type.group.empty())
    details["group"] = type.group;
  details["kind"] = type.kind;
  json::array cs;
  std::string joined;
  for (auto& c : causes) {
    json::object o;
    o["reason"] = c.reason;
    o["message"] = c.message;
    o["field"] = c.field;
    cs.push_back(std::move(o));
    auto text = c.field.empty() ? c.message : c.field + ": " + c.message;
    joined += joined.empty() ? text : ", " + text;
  }
  details["causes"] = std::move(cs);
  auto kind = type.group.empty() ? type.kind : type.kind + "." + type.group;
  auto message = kind + " \"" + name + "\" is invalid: "
                 + (causes.size() > 1 ? "[" + joined + "]" : joined);
  return make(422, "Invalid", message, std::move(details));
}

api_status status_too_large(const std::string& message) {
  return make(413, "RequestEntityTooLarge", message, {}, false);
}

api_status status_too_many_requests(int retry_after_seconds) {
  json::object d;
  d["retryAfterSeconds"] = retry_after_seconds;
  return make(429, "TooManyRequests",
              "Too many requests, please try again later.", std::move(d));
}

api_status status_internal(const std::string& message) {
  json::object d;
  d["causes"] = json::array{json::object{{"message", message}}};
  return make(500, "InternalError", "Internal error occurred: " + message,
              std::move(d));
}

api_status status_unavailable(const std::string& message) {
  return make(503, "ServiceUnavailable", message, {}, false);
}

api_status status_timeout(const std::string& message,
                          const std::string& cause) {
  json::object d;
  if (!cause.empty()) {
    auto text = cause == "ResourceVersionTooLarge" ? "Too large resource version"
                                                   : message;
    d["causes"] = json::array{
      json::object{{"reason", cause}, {"message", text}}};
  }
  d["retryAfterSeconds"] = 1;
  return make(504, "Timeout", message, std::move(d));
}

api_status status_success() {
  api_status st;
  st.code = 200;
  st.body["kind"] = "Status";
  st.body["apiVersion"] = "v1";
  st.body["metadata"] = json::object{};
  st.body["status"] = "Success";
  return st;
}

} // namespace kc::k8s
