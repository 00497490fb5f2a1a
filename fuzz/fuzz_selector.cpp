// libFuzzer target: label and field selector parsers (api:C7) and their
// matchers. Input: the selector text.

#include "k8s/api/selectors.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {

const boost::json::object& sample() {
  static const boost::json::object o = boost::json::parse(
    R"({"metadata":{"name":"p","namespace":"default",
        "labels":{"app":"web","tier":"1","a.b/c":"x"}},
        "spec":{"nodeName":"node-1","restartPolicy":"Always"},
        "status":{"phase":"Running","podIP":"10.0.0.1"}})").as_object();
  return o;
}

kc::k8s::resource_type pods() {
  kc::k8s::resource_type t;
  t.version = "v1";
  t.resource = "pods";
  t.kind = "Pod";
  t.selectable_fields = {"spec.color"};
  return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto& obj = sample();
  auto l = kc::k8s::label_selector::parse(text);
  if (auto sel = std::get_if<kc::k8s::label_selector>(&l)) {
    auto labels = obj.at("metadata").as_object().at("labels").if_object();
    (void)sel->matches(labels);
    (void)sel->matches(nullptr);
  }
  static const auto type = pods();
  auto f = kc::k8s::field_selector::parse(type, text);
  if (auto sel = std::get_if<kc::k8s::field_selector>(&f))
    (void)sel->matches(obj);
  return 0;
}
