#pragma once

// The admission webhook's logic as pure functions: AdmissionReview v1
// request JSON in, response JSON out, for Debuggers and Pingers. Defaulting
// answers with a JSONPatch; validation uses validate_debugger /
// validate_pinger (the rules reconcile uses too) and denies with a message
// naming every bad field. The HTTPS listener is wired elsewhere.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace kc::k8s::kubecombo {

/// The webhook paths (upstream's names, reference §2.4 and §3), served by
/// `kubecombo controller --enable-webhooks` and named in deploy/webhook.
inline constexpr std::string_view mutate_debugger_path
    = "/mutate-vpn-gw-kubecombo-com-v1-debugger";
inline constexpr std::string_view validate_debugger_path
    = "/validate-vpn-gw-kubecombo-com-v1-debugger";
inline constexpr std::string_view mutate_pinger_path
    = "/mutate-vpn-gw-kubecombo-com-v1-pinger";
inline constexpr std::string_view validate_pinger_path
    = "/validate-vpn-gw-kubecombo-com-v1-pinger";

/// Answers one AdmissionReview: `mutate` = defaulting (JSONPatch adding the
/// CRD defaults that are missing), else validation. A kind other than
/// Debugger or Pinger, or DELETE/CONNECT, is allowed unchanged. A malformed
/// review is denied with code 400.
boost::json::object review(const boost::json::value& request, bool mutate);

/// The JSONPatch operations that add missing defaults to `obj`'s spec.
boost::json::array default_patch(const boost::json::object& obj,
                                 std::string_view kind);

/// The HTTP side: `path` and request body → response body and status
/// (200; 404 for an unknown path; 400 with a review for a body that is not
/// JSON). Never throws.
struct webhook_reply {
  int status = 200;
  std::string body;
};
webhook_reply handle_webhook(std::string_view path, std::string_view body);

} // namespace kc::k8s::kubecombo
