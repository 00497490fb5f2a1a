// `kubecombo up --webhooks` (ADR 0076): a serving certificate for the
// controller's Service, as the Secret deploy/webhook mounts, and its CA as
// the caBundle of both webhook configurations (what cert-manager's
// cainjector does on a real cluster).

#include "cmd/up_deploy.hpp"
#include "cmd/webhook_server.hpp"
#include "k8s/client/config_error.hpp"
#include "k8s/sim/certs.hpp"

#include <boost/json.hpp>

namespace kc::cmd::up {

namespace json = boost::json;

void add_webhook_certificate(std::vector<json::object>& objs) {
  const std::string ns = "kubecombo-system";
  // The names the controller's own generated certificate carries, too.
  auto certs = sim::generate_certs(webhook_service_names(ns));
  auto bundle = k8s::base64_encode(certs.ca.cert);
  for (auto& o : objs) {
    auto* kind = o.if_contains("kind");
    if (!kind || !kind->is_string()
        || (kind->as_string() != "MutatingWebhookConfiguration"
            && kind->as_string() != "ValidatingWebhookConfiguration"))
      continue;
    auto* hooks = o.if_contains("webhooks");
    if (!hooks || !hooks->is_array())
      continue;
    for (auto& h : hooks->as_array())
      if (h.is_object() && h.as_object()["clientConfig"].is_object())
        h.as_object()["clientConfig"].as_object()["caBundle"] = bundle;
  }
  json::object secret{
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata", {{"name", "kubecombo-webhook-cert"}, {"namespace", ns}}},
      {"type", "kubernetes.io/tls"},
      {"data",
       {{"tls.crt", k8s::base64_encode(certs.serving.cert)},
        {"tls.key", k8s::base64_encode(certs.serving.key)},
        {"ca.crt", bundle}}}};
  // After the Namespace and CRDs, before the Deployment that mounts it.
  auto it = objs.begin();
  while (it != objs.end() && it->if_contains("kind")
         && (it->at("kind") == "Namespace"
             || it->at("kind") == "CustomResourceDefinition"))
    ++it;
  objs.insert(it, std::move(secret));
}

} // namespace kc::cmd::up
