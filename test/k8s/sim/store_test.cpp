// The store on its own: revisions, no lost events, history and 410.

#include "k8s/sim/store.hpp"
#include "k8s/sim/watcher.hpp"

#include <boost/test/unit_test.hpp>

using namespace kc::sim;

namespace {

json::object cm(const std::string& name, const std::string& value) {
  return json::object{
    {"apiVersion", "v1"},
    {"kind", "ConfigMap"},
    {"metadata", json::object{{"name", name}, {"namespace", "default"}}},
    {"data", json::object{{"k", value}}}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(store)

BOOST_AUTO_TEST_CASE(revisions_increase_and_objects_carry_them) {
  kc::sim::store s{100};
  stored_ptr a, b;
  s.transact([&](txn& t) {
    a = t.put("configmaps", cm("a", "1"));
    b = t.put("configmaps", cm("b", "1"));
  });
  BOOST_TEST(a->rev == 1u);
  BOOST_TEST(b->rev == 2u);
  BOOST_TEST(meta_str(b->obj, "resourceVersion") == "2");
  BOOST_TEST(b->json.find("\"resourceVersion\":\"2\"") != std::string::npos);
  uint64_t rev = 0;
  auto items = s.list("configmaps", "default", rev);
  BOOST_TEST(items.size() == 2u);
  BOOST_TEST(rev == 2u);
  BOOST_TEST(s.list("configmaps", "other", rev).empty());
}

BOOST_AUTO_TEST_CASE(watch_from_rv_replays_only_later_events) {
  kc::sim::store s{100};
  s.transact([&](txn& t) {
    t.put("configmaps", cm("a", "1"));
    t.put("configmaps", cm("a", "2"));
    t.put("secrets", cm("s", "1"));
    t.erase("configmaps", "default", "a");
  });
  auto w = std::make_shared<watcher>("configmaps", "", 100);
  auto reg = s.watch(w, 1);
  BOOST_TEST(!reg.expired);
  auto b = w->take();
  BOOST_REQUIRE(b.events.size() == 2u);
  BOOST_TEST(std::string(to_string(b.events[0]->type)) == "MODIFIED");
  BOOST_TEST(std::string(to_string(b.events[1]->type)) == "DELETED");
  BOOST_TEST(b.events[1]->rev == 4u);
  BOOST_TEST(meta_str(b.events[1]->obj->obj, "resourceVersion") == "4");
  BOOST_TEST(b.events[1]->old->rev == 2u);
}

BOOST_AUTO_TEST_CASE(history_is_bounded_and_old_rvs_expire) {
  kc::sim::store s{3};
  s.transact([&](txn& t) {
    for (int i = 0; i < 10; ++i)
      t.put("configmaps", cm("a", std::to_string(i)));
  });
  auto w = std::make_shared<watcher>("configmaps", "", 100);
  auto reg = s.watch(w, 2);
  BOOST_REQUIRE(reg.expired.has_value());
  BOOST_TEST(*reg.expired == "too old resource version: 2 (7)");
  auto ok = std::make_shared<watcher>("configmaps", "", 100);
  BOOST_TEST(!s.watch(ok, 7).expired);
  BOOST_TEST(ok->take().events.size() == 3u);
  s.compact();
  auto late = std::make_shared<watcher>("configmaps", "", 100);
  BOOST_TEST(s.watch(late, 9).expired.has_value());
  BOOST_TEST(!s.watch(late, 10).expired.has_value());
}

BOOST_AUTO_TEST_CASE(live_events_reach_watchers_and_slow_ones_close) {
  kc::sim::store s{100};
  auto fast = std::make_shared<watcher>("configmaps", "default", 100);
  auto slow = std::make_shared<watcher>("configmaps", "", 2);
  s.watch(fast, std::nullopt);
  s.watch(slow, std::nullopt);
  int wakes = 0;
  fast->set_notify([&] { ++wakes; });
  s.transact([&](txn& t) {
    for (int i = 0; i < 5; ++i)
      t.put("configmaps", cm("a", std::to_string(i)));
  });
  BOOST_TEST(wakes == 1);
  auto b = fast->take();
  BOOST_TEST(b.events.size() == 5u);
  BOOST_TEST(b.progress == 5u);
  // The events share one rendered line per write.
  BOOST_TEST(slow->closed());
}

BOOST_AUTO_TEST_CASE(registration_without_rv_snapshots_current_state) {
  kc::sim::store s{100};
  s.transact([&](txn& t) {
    t.put("configmaps", cm("a", "1"));
    t.put("configmaps", cm("b", "1"));
  });
  auto w = std::make_shared<watcher>("configmaps", "", 100);
  auto reg = s.watch(w, std::nullopt);
  BOOST_TEST(reg.revision == 2u);
  auto b = w->take();
  BOOST_TEST(b.snapshot.size() == 2u);
  BOOST_TEST(b.events.empty());
  auto future = std::make_shared<watcher>("configmaps", "", 100);
  BOOST_TEST(s.watch(future, 99).too_large);
}

BOOST_AUTO_TEST_SUITE_END()
