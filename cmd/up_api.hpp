#pragma once

// A synchronous API session for `kubecombo up` (admin credentials of the
// embedded control plane): server-side apply of rendered manifests and the
// reads its waits poll (ADR 0076).

#include "k8s/client/api_client.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace kc::cmd::up {

/// group/version/plural/namespace/name of a manifest object (plural is the
/// lower-cased kind plus "s", true for every kind deploy/ uses; namespaced
/// objects without a namespace go to "default").
k8s::resource_ref ref_of(const boost::json::object& obj);

class api_session {
public:
  api_session(const std::string& url, const std::string& ca_pem,
              const std::string& token);
  ~api_session();

  /// Server-side apply (field manager `kubecombo-up`, force). A 404 (a
  /// custom kind not served yet) is retried for up to `wait`. Returns ""
  /// or the error text naming the object.
  std::string apply(const boost::json::object& obj,
                    std::chrono::milliseconds wait);

  /// GET of one object; nullopt if it does not exist or the call failed.
  std::optional<boost::json::object> get(const k8s::resource_ref& r);

  /// The items of a LIST (empty on failure).
  boost::json::array list(const k8s::resource_ref& r,
                          const std::string& label_selector = {});

private:
  std::unique_ptr<k8s::api_client> client_;
};

} // namespace kc::cmd::up
