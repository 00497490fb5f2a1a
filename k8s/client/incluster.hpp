#pragma once

#include "k8s/client/client_config.hpp"

#include <string>

namespace kc::k8s {

/// True when KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are set.
bool incluster_available();

/// In-cluster configuration (api:K1, CONVENTIONS rule 23): server from
/// KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed), token file `dir/token`
/// (re-read every minute and once on 401), CA `dir/ca.crt`, namespace from
/// POD_NAMESPACE, else `dir/namespace`, else "default". Throws config_error
/// naming the missing variable or file.
client_config load_incluster_config(const std::string& dir);

} // namespace kc::k8s
