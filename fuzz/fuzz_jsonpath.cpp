// libFuzzer target: JSONPath (printer columns of custom resources, rendered
// through make_table) and JSON pointer (the paths of JSON patch operations).
// Input: the path text; it is used as both.

#include "k8s/api/table.hpp"
#include "k8s/sim/patch.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace json = boost::json;

namespace {

const json::object& doc() {
  static const json::object o = json::parse(R"({
    "apiVersion":"example.com/v1","kind":"Widget",
    "metadata":{"name":"w","namespace":"default",
                "creationTimestamp":"2026-01-01T00:00:00Z",
                "labels":{"app.kubernetes.io/name":"x"}},
    "spec":{"replicas":3,"items":[{"a":1},{"a":[true,null,"s"]}],
            "when":"2026-01-02T00:00:00Z","ratio":0.5},
    "status":{"ready":true,"conditions":[{"type":"Ready","status":"True"}]}})")
                                  .as_object();
  return o;
}

kc::k8s::resource_type widget(const std::string& path) {
  kc::k8s::resource_type t;
  t.group = "example.com";
  t.version = "v1";
  t.resource = "widgets";
  t.kind = "Widget";
  t.custom = true;
  const char* types[] = {"string", "integer", "number", "boolean", "date"};
  for (auto* ty : types) {
    kc::k8s::printer_column c;
    c.name = ty;
    c.type = ty;
    c.json_path = path;
    t.columns.push_back(c);
  }
  return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string path(reinterpret_cast<const char*>(data), size);
  auto type = widget(path);
  std::vector<std::shared_ptr<const json::object>> objs{
    std::make_shared<const json::object>(doc())};
  (void)kc::k8s::make_table(type, objs, kc::k8s::include_object::none, true,
                            "1", std::chrono::system_clock::now());
  const char* ops[] = {"test", "add", "replace", "remove", "copy", "move"};
  for (auto* op : ops) {
    json::value target = doc();
    json::array patch{json::object{{"op", op}, {"path", path},
                                   {"from", path}, {"value", 1}}};
    (void)kc::sim::json_patch(target, patch);
    json::array from{json::object{{"op", op}, {"path", "/spec/x"},
                                  {"from", path}}};
    (void)kc::sim::json_patch(target, from);
  }
  return 0;
}
