// The /debug/actors registry: entries, JSON rendering, thread safety.

#include "actors/runtime/actor_registry.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <thread>

using namespace kc::runtime;

BOOST_AUTO_TEST_SUITE(actor_registry)

BOOST_AUTO_TEST_CASE(renders_every_field_sorted_by_name) {
  kc::runtime::actor_registry reg;
  scoped_registration root{reg, "root", ""};
  auto inf = reg.add("informer/pods", "root");
  inf->set_id(7);
  inf->set_state("watching rv=42");
  inf->set_restarts(2);
  inf->set_error("kc::forbidden (403 Forbidden): pods is forbidden");
  inf->count_message();
  inf->count_message();
  auto doc = boost::json::parse(reg.to_json()).as_object();
  auto& actors = doc.at("actors").as_array();
  BOOST_REQUIRE(actors.size() == 2u);
  auto& a = actors[0].as_object();
  BOOST_TEST(a.at("name").as_string() == "informer/pods");
  BOOST_TEST(a.at("parent").as_string() == "root");
  BOOST_TEST(a.at("id").to_number<int>() == 7);
  BOOST_TEST(a.at("state").as_string() == "watching rv=42");
  BOOST_TEST(a.at("handled").to_number<int>() == 2);
  BOOST_TEST(a.at("backlog").to_number<int>() == 0);
  BOOST_TEST(a.at("restarts").to_number<int>() == 2);
  BOOST_TEST(a.at("last_error").as_string().find("403")
             != boost::json::string::npos);
  BOOST_TEST(actors[1].as_object().at("name").as_string() == "root");
  reg.remove(inf);
  BOOST_TEST(reg.size() == 1u);
  BOOST_TEST(debug_actors_route(reg)().find("informer") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(scoped_registration_removes_its_entry) {
  kc::runtime::actor_registry reg;
  {
    scoped_registration r{reg, "nodes", "root"};
    auto moved = std::move(r);
    BOOST_TEST(reg.size() == 1u);
    BOOST_TEST(reg.find("nodes") == moved.entry());
  }
  BOOST_TEST(reg.size() == 0u);
}

BOOST_AUTO_TEST_CASE(concurrent_updates_and_renders) {
  kc::runtime::actor_registry reg;
  auto e = reg.add("target/icmp/10.0.0.1", "targets");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        e->count_message();
        e->set_state("n=" + std::to_string(i));
        if (i % 100 == 0) {
          auto extra = reg.add("x/" + std::to_string(t), "targets");
          (void) reg.to_json();
          reg.remove(extra);
        }
      }
    });
  for (auto& th : threads)
    th.join();
  BOOST_TEST(e->view().handled == 8000u);
  BOOST_TEST(reg.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
