// kc-test-labels: integration
// The LEADER against a real `kubecombo sim` (api:L1–L2), with short
// durations: one of two candidates leads, a released Lease is taken over at
// once (leaseTransitions +1), and a leader that cannot reach the API server
// declares itself lost within the renew deadline.

#include "actors/runtime/leader.hpp"
#include "messages/type_ids.hpp"
#include "test/actors/support/controller_sim.hpp"

#include <caf/all.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <memory>
#include <thread>

using namespace std::chrono_literals;
using kc::runtime::leader_status;

namespace {

struct leader_fixture {
  kc::test::controller_sim sim;
  std::shared_ptr<kc::k8s::api_client> api;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;

  leader_fixture() {
    if (!sim.running())
      return;
    kc::k8s::config_sources src;
    src.explicit_path = sim.kubeconfig();
    auto cc = kc::k8s::load_client_config(src);
    cc.request_timeout = 1500ms;
    api = std::make_shared<kc::k8s::api_client>(cc);
    cfg.add_message_types<caf::id_block::kc_types>();
    cfg.add_message_types<caf::id_block::kc_controller_rt>();
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  ~leader_fixture() {
    sim.resume();
    sys.reset();
    api.reset();
  }

  static kc::k8s::lease_config lease(std::string name, std::string id) {
    kc::k8s::lease_config c;
    c.name = std::move(name);
    c.identity = std::move(id);
    c.lease_duration = 3000ms;
    c.renew_deadline = 2000ms;
    c.retry_period = 300ms;
    return c;
  }

  kc::k8s::lease_record read(const std::string& name) {
    kc::k8s::resource_ref r;
    r.group = "coordination.k8s.io";
    r.resource = "leases";
    r.ns = "default";
    r.name = name;
    auto res = api->send_sync(kc::k8s::make_get(r));
    BOOST_REQUIRE_MESSAGE(res.ok(), res.error.to_string());
    return kc::k8s::parse_lease(*res.object);
  }

  template <class Pred>
  static bool eventually(Pred p, std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (p())
        return true;
      std::this_thread::sleep_for(20ms);
    }
    return p();
  }
};

#define KC_REQUIRE_SIM()                                                       \
  if (!sim.running()) {                                                        \
    BOOST_TEST_MESSAGE("SKIP: " << sim.reason());                              \
    return;                                                                    \
  }

} // namespace

BOOST_FIXTURE_TEST_SUITE(leader, leader_fixture)

BOOST_AUTO_TEST_CASE(one_leads_and_release_hands_over) {
  KC_REQUIRE_SIM();
  auto sa = std::make_shared<leader_status>(2000ms);
  auto sb = std::make_shared<leader_status>(2000ms);
  auto a = sys->spawn(kc::runtime::leader, api, lease("l1", "host-a_1"), sa, kc::runtime::entry_ptr{});
  BOOST_REQUIRE(eventually([&] { return sa->leading(); }, 10s));
  auto b = sys->spawn(kc::runtime::leader, api, lease("l1", "host-b_2"), sb, kc::runtime::entry_ptr{});
  caf::scoped_actor self{*sys};
  self->send(b, caf::subscribe_atom_v, caf::actor_cast<caf::actor>(self));
  // B stays a candidate while A renews (well past one lease duration).
  for (int i = 0; i < 40; ++i) {
    BOOST_REQUIRE(!(sa->leading() && sb->leading()));
    std::this_thread::sleep_for(100ms);
  }
  BOOST_TEST(sa->leading());
  BOOST_TEST(!sb->leading());
  auto held = read("l1");
  BOOST_TEST(held.holder == "host-a_1");
  BOOST_TEST(held.lease_transitions == 0);
  BOOST_TEST(held.lease_duration_seconds == 3);
  BOOST_TEST(held.renew_time.size() == 27u); // MicroTime
  // A releases on a clean shutdown; B takes over well before expiry.
  bool released = false;
  self->request(a, 5s, kc::atom::shutdown_v)
      .receive([&](bool r) { released = r; },
               [&](caf::error& e) { BOOST_FAIL(caf::to_string(e)); });
  BOOST_TEST(released);
  BOOST_TEST(!sa->leading());
  auto t0 = std::chrono::steady_clock::now();
  BOOST_REQUIRE(eventually([&] { return sb->leading(); }, 2s));
  BOOST_TEST_MESSAGE("takeover after release: "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count()
                     << " ms");
  auto now_held = read("l1");
  BOOST_TEST(now_held.holder == "host-b_2");
  BOOST_TEST(now_held.lease_transitions == 1);
  // The subscriber saw "not leading" first, then "leading".
  std::vector<bool> seen;
  for (int i = 0; i < 2; ++i)
    self->receive([&](kc::leadership& l) { seen.push_back(l.leading); },
                  caf::after(2s) >> [] {});
  BOOST_TEST((seen == std::vector<bool>{false, true}));
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_CASE(unreachable_api_means_lost_within_renew_deadline) {
  KC_REQUIRE_SIM();
  auto st = std::make_shared<leader_status>(2000ms);
  auto a = sys->spawn(kc::runtime::leader, api, lease("l2", "host-c_3"), st, kc::runtime::entry_ptr{});
  caf::scoped_actor self{*sys};
  self->send(a, caf::subscribe_atom_v, caf::actor_cast<caf::actor>(self));
  BOOST_REQUIRE(eventually([&] { return st->leading(); }, 10s));
  sim.pause();
  auto t0 = std::chrono::steady_clock::now();
  BOOST_REQUIRE(eventually([&] { return st->lost(); }, 4s));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0)
                .count();
  BOOST_TEST_MESSAGE("lost " << ms << " ms after the API server stopped");
  BOOST_TEST(ms <= 2100);
  BOOST_TEST(!st->leading());
  // The subscriber is told (leading=true first, then false).
  bool told = false;
  for (int i = 0; i < 3 && !told; ++i)
    self->receive([&](kc::leadership& l) { told = !l.leading && i > 0; },
                  caf::after(3s) >> [] {});
  BOOST_TEST(told);
  sim.resume();
  // Never renews again, even though the server is back.
  std::this_thread::sleep_for(1s);
  BOOST_TEST(st->lost());
  BOOST_TEST(!st->leading());
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

BOOST_AUTO_TEST_SUITE_END()
