// libFuzzer target: the patch appliers of the control plane (JSON merge
// patch, JSON patch, strategic merge patch).
// Input: byte 0 picks the patch type (% 3); the rest is the patch document,
// or "TARGET\0PATCH" to fuzz the target document too.

#include "k8s/sim/patch.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace json = boost::json;

namespace {

const json::value& pod() {
  static const json::value v = json::parse(R"({
    "apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"p","namespace":"default","labels":{"app":"web"},
                "finalizers":["a","b"]},
    "spec":{"containers":[{"name":"c","image":"busybox",
              "ports":[{"containerPort":80,"protocol":"TCP"}],
              "env":[{"name":"A","value":"1"}],
              "volumeMounts":[{"name":"v","mountPath":"/v"}]}],
            "initContainers":[{"name":"i","image":"busybox"}],
            "volumes":[{"name":"v","emptyDir":{}}],
            "tolerations":[{"key":"k","operator":"Exists"}]},
    "status":{"conditions":[{"type":"Ready","status":"True"}]}})");
  return v;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size < 1)
    return 0;
  int mode = data[0] % 3;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  json::value target = pod();
  auto nul = rest.find('\0');
  if (nul != std::string_view::npos) {
    boost::system::error_code ec;
    auto t = json::parse(rest.substr(0, nul), ec);
    if (ec)
      return 0;
    target = std::move(t);
    rest = rest.substr(nul + 1);
  }
  boost::system::error_code ec;
  auto patch = json::parse(rest, ec);
  if (ec)
    return 0;
  switch (mode) {
    case 0:
      kc::sim::merge_patch(target, patch);
      break;
    case 1:
      (void)kc::sim::json_patch(target, patch);
      break;
    default:
      kc::sim::strategic_merge_patch(target, patch);
      break;
  }
  (void)json::serialize(target);
  return 0;
}
