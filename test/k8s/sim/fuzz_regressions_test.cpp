// kc-test-labels: integration
// Inputs found by the libFuzzer targets (fuzz/, bench/results-fuzz.md),
// replayed against the in-process server. Under -DKC_SANITIZE=ON (ASan) they
// fail on the original bugs; without it they check the answers.

#include "k8s/sim/server.hpp"
#include "test/k8s/sim/support/sim_client.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using kc::test::sim_client;

namespace {

struct fixture {
  fixture() {
    srv = kc::test::started_server();
  }
  std::unique_ptr<kc::sim::server> srv;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(fuzz_regressions, fixture)

// fuzz_request, 2026-11-29 (fuzz/corpus/fuzz_request/
// regress_schema_walker_type): a wrong JSON type in a built-in made
// schema_walker's go_type() compare against a string_view of a destroyed
// temporary (stack-use-after-scope) while naming the Go type.
BOOST_AUTO_TEST_CASE(wrong_type_message_names_the_go_type) {
  sim_client c{*srv};
  // The fuzzer's server had pod p from an earlier input: an update.
  BOOST_REQUIRE(c.request("POST", "/api/v1/namespaces/default/pods",
                          R"({"metadata":{"name":"p"},"spec":{"containers":
                            [{"name":"c","image":"i"}]}})")
                  .status
                == 201u);
  const std::string body
    = R"({"pabVersiapplication$apply-patch+yamlata":{"name":"p"},)"
      R"("kind":{"/apis/nurs":[{"name":"c","image":"i"}]}})";
  auto r = c.request("PATCH",
                     "/api/v1/namespaces/default/pods/p?fieldManager=k"
                     "&force=true",
                     body,
                     {{"Content-Type", "application/apply-patch+yaml"}});
  BOOST_TEST(r.status == 400u);
  auto msg = std::string(r.json().at("message").as_string());
  BOOST_TEST(msg.find("cannot unmarshal object into Go struct field Pod.kind "
                      "of type string")
               != std::string::npos,
             msg);
  // The same through a typed field of the spec.
  r = c.request("POST", "/api/v1/namespaces/default/pods",
                R"({"metadata":{"name":"q"},"spec":{"containers":[
                  {"name":"c","image":"i"}],"restartPolicy":[1]}})");
  BOOST_TEST(r.status == 400u);
  msg = std::string(r.json().at("message").as_string());
  BOOST_TEST(msg.find("of type string") != std::string::npos, msg);
}

BOOST_AUTO_TEST_SUITE_END()
