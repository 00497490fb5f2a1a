// The READINESS registry behind /readyz: OK only when every registered
// flag is true; the reason names the pending ones; an informer's synced
// flag flips it.

#include "actors/runtime/readiness.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using ready_registry = kc::runtime::readiness;

BOOST_AUTO_TEST_SUITE(readiness)

BOOST_AUTO_TEST_CASE(empty_registry_is_ready) {
  ready_registry r;
  BOOST_TEST(r.ready());
  BOOST_TEST(r.check().ok);
  BOOST_TEST(r.size() == 0u);
}

BOOST_AUTO_TEST_CASE(ready_only_when_every_flag_is_true) {
  ready_registry r;
  auto a = r.add("informer/debuggers");
  auto b = r.add("informer/pods");
  BOOST_TEST(!r.ready());
  auto c = r.check();
  BOOST_TEST(!c.ok);
  BOOST_TEST(c.reason == "not synced: informer/debuggers, informer/pods");
  a->store(true);
  BOOST_TEST(!r.ready());
  BOOST_TEST(r.check().reason == "not synced: informer/pods");
  b->store(true);
  BOOST_TEST(r.ready());
  BOOST_TEST(r.check().ok);
  BOOST_TEST(r.check().reason.empty());
}

BOOST_AUTO_TEST_CASE(add_takes_an_existing_flag_and_replaces_by_name) {
  ready_registry r;
  auto mine = std::make_shared<std::atomic<bool>>(true);
  BOOST_TEST((r.add("informer/nodes", mine) == mine));
  BOOST_TEST(r.ready());
  auto fresh = r.add("informer/nodes"); // same name: replaced, not added
  BOOST_TEST(r.size() == 1u);
  BOOST_TEST(!r.ready());
  BOOST_TEST(r.pending() == std::vector<std::string>{"informer/nodes"});
  r.remove("informer/nodes");
  r.remove("unknown");
  BOOST_TEST(r.size() == 0u);
  BOOST_TEST(r.ready());
}

BOOST_AUTO_TEST_CASE(concurrent_registration_and_reads) {
  ready_registry r;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&r, t] {
      for (int i = 0; i < 200; ++i) {
        auto f = r.add("t" + std::to_string(t) + "/" + std::to_string(i));
        f->store(true);
        (void) r.check();
      }
    });
  for (auto& t : threads)
    t.join();
  BOOST_TEST(r.size() == 800u);
  BOOST_TEST(r.ready());
}

BOOST_AUTO_TEST_CASE(global_registry_is_one_instance) {
  auto& g = kc::runtime::global_readiness();
  BOOST_TEST(&g == &kc::runtime::global_readiness());
}

BOOST_AUTO_TEST_SUITE_END()
