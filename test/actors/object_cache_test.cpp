// The controller's object cache: latest snapshots and the label index that
// keeps a Debugger's pods O(result) to list (ADR 0104's bench).
#include "actors/controller/object_cache.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc;
using namespace kc::controller;

namespace {

resource_event pod(const std::string& ns, const std::string& name,
                   const std::string& debug) {
  json::object md{{"name", name}, {"namespace", ns}};
  if (!debug.empty())
    md["labels"] = {{"debug", debug}};
  return {"pods",
          {ns, name},
          std::make_shared<const json::object>(json::object{{"metadata", md}})};
}

std::vector<std::string> names(const std::vector<snapshot_ptr>& v) {
  std::vector<std::string> out;
  for (auto& s : v)
    out.push_back(
        json::value_to<std::string>(s->at("metadata").as_object().at("name")));
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(object_cache)

BOOST_AUTO_TEST_CASE(pods_by_debug_label_follow_adds_relabels_and_deletes) {
  kc::controller::object_cache c;
  c.apply(pod("a", "p2", "d1"));
  c.apply(pod("a", "p1", "d1"));
  c.apply(pod("a", "p3", "d2"));
  c.apply(pod("b", "p1", "d1"));
  c.apply(pod("a", "p4", ""));
  using v = std::vector<std::string>;
  BOOST_TEST(names(c.list_labelled("pods", "a", "debug", "d1"))
             == (v{"p1", "p2"}));
  BOOST_TEST(names(c.list_labelled("pods", "b", "debug", "d1")) == (v{"p1"}));
  c.apply(pod("a", "p2", "d2")); // relabelled
  BOOST_TEST(names(c.list_labelled("pods", "a", "debug", "d1")) == (v{"p1"}));
  BOOST_TEST(names(c.list_labelled("pods", "a", "debug", "d2"))
             == (v{"p2", "p3"}));
  c.apply({"pods", {"a", "p3"}, nullptr}); // deleted
  BOOST_TEST(names(c.list_labelled("pods", "a", "debug", "d2")) == (v{"p2"}));
  BOOST_TEST(c.list_labelled("pods", "a", "debug", "none").empty());
  BOOST_TEST(c.list_labelled("configmaps", "a", "debug", "d1").empty());
  // A label without an index: a scan with the same answer.
  BOOST_TEST(names(c.list_labelled("pods", "a", "other", "x")).empty());
  BOOST_TEST(c.list("pods", "a").size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
