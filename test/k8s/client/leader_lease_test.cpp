// The Lease election logic without I/O (api:L1–L2): acquire on 404, renew
// with the observed resourceVersion, expiry judged by our own observation
// time, leaseTransitions, the renew deadline and release.

#include "k8s/client/leader_lease.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using kc::k8s::lease_action;
using kc::k8s::lease_config;
using kc::k8s::lease_elector;
using kc::k8s::lease_record;

namespace {

lease_config cfg(std::string id) {
  lease_config c;
  c.identity = std::move(id);
  return c;
}

struct clock_fixture {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  std::chrono::system_clock::time_point w0 = std::chrono::system_clock::now();
};

lease_record written(lease_record r, std::string rv) {
  r.resource_version = std::move(rv);
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(leader_lease)

BOOST_AUTO_TEST_CASE(validate_follows_client_go) {
  BOOST_TEST(kc::k8s::validate(cfg("a")).empty());
  auto c = cfg("a");
  c.renew_deadline = 15s;
  BOOST_TEST(!kc::k8s::validate(c).empty());
  c = cfg("a");
  c.retry_period = 9s; // 1.2 * 9 > 10
  BOOST_TEST(!kc::k8s::validate(c).empty());
  BOOST_TEST(!kc::k8s::validate(cfg("")).empty());
}

BOOST_AUTO_TEST_CASE(micro_time_format) {
  auto t = std::chrono::system_clock::time_point{} + 1'795'881'600s + 123456us;
  BOOST_TEST(kc::k8s::format_micro_time(t) == "2026-11-28T16:00:00.123456Z");
  BOOST_TEST(kc::k8s::format_time(t) == "2026-11-28T16:00:00Z");
}

BOOST_FIXTURE_TEST_CASE(acquire_renew_and_lose_by_deadline, clock_fixture) {
  lease_elector a{cfg("a")};
  BOOST_TEST(!a.leading(t0));
  auto act = a.observe(std::nullopt, t0, w0);
  BOOST_REQUIRE(act.what == lease_action::create);
  BOOST_TEST(act.record.holder == "a");
  BOOST_TEST(act.record.lease_duration_seconds == 15);
  BOOST_TEST(act.record.lease_transitions == 0);
  BOOST_TEST(act.record.acquire_time == act.record.renew_time);
  auto obj = kc::k8s::make_lease(a.config(), act.record);
  BOOST_TEST(obj.at("metadata").at("name").as_string() == "kubecombo-controller");
  BOOST_TEST(!obj.at("metadata").as_object().contains("resourceVersion"));
  a.write_succeeded(written(act.record, "5"), t0);
  BOOST_TEST(a.leading(t0 + 9s));
  // Renewal: PUT with the observed resourceVersion, acquireTime kept.
  auto seen = written(act.record, "5");
  auto renew = a.observe(seen, t0 + 2s, w0 + 2s);
  BOOST_REQUIRE(renew.what == lease_action::update);
  BOOST_TEST(renew.record.resource_version == "5");
  BOOST_TEST(renew.record.acquire_time == act.record.acquire_time);
  BOOST_TEST(renew.record.renew_time != act.record.renew_time);
  BOOST_TEST(renew.record.lease_transitions == 0);
  a.write_failed(); // e.g. API unreachable
  BOOST_TEST(a.leading(t0 + 9999ms));
  BOOST_TEST(!a.leading(t0 + 10s));
  BOOST_TEST(a.lost(t0 + 10s));
  // Once lost, no more renewals even if the Lease still names us.
  BOOST_TEST(a.observe(seen, t0 + 11s, w0 + 11s).what == lease_action::wait);
}

BOOST_FIXTURE_TEST_CASE(takeover_only_after_own_observation_expires,
                        clock_fixture) {
  lease_elector b{cfg("b")};
  lease_record held{"a", 15, "t1", "t1", 3, "7"};
  BOOST_TEST(b.observe(held, t0, w0).what == lease_action::wait);
  // The same record 14.9 s later: still valid from our point of view.
  BOOST_TEST(b.observe(held, t0 + 14900ms, w0).what == lease_action::wait);
  // A renewal restarts the observation clock.
  lease_record renewed{"a", 15, "t1", "t2", 3, "8"};
  BOOST_TEST(b.observe(renewed, t0 + 14950ms, w0).what == lease_action::wait);
  BOOST_TEST(b.observe(renewed, t0 + 29s, w0).what == lease_action::wait);
  auto act = b.observe(renewed, t0 + 30s, w0 + 30s);
  BOOST_REQUIRE(act.what == lease_action::update);
  BOOST_TEST(act.record.holder == "b");
  BOOST_TEST(act.record.lease_transitions == 4);
  BOOST_TEST(act.record.resource_version == "8");
  b.write_succeeded(written(act.record, "9"), t0 + 30s);
  BOOST_TEST(b.leading(t0 + 31s));
}

BOOST_FIXTURE_TEST_CASE(released_lease_is_taken_at_once, clock_fixture) {
  lease_elector a{cfg("a")};
  auto act = a.observe(std::nullopt, t0, w0);
  a.write_succeeded(written(act.record, "1"), t0);
  auto rel = a.release(w0 + 1s);
  BOOST_REQUIRE(rel.has_value());
  BOOST_TEST(rel->holder.empty());
  BOOST_TEST(rel->lease_duration_seconds == 1);
  BOOST_TEST(rel->resource_version == "1");
  auto obj = kc::k8s::make_lease(a.config(), *rel);
  BOOST_TEST(obj.at("spec").at("holderIdentity").as_string() == "");
  a.write_succeeded(written(*rel, "2"), t0 + 1s);
  BOOST_TEST(!a.leading(t0 + 1s));
  BOOST_TEST(!a.lost(t0 + 20s));
  lease_elector b{cfg("b")};
  auto take = b.observe(written(*rel, "2"), t0 + 1s, w0 + 1s);
  BOOST_REQUIRE(take.what == lease_action::update);
  BOOST_TEST(take.record.lease_transitions == 1);
}

BOOST_FIXTURE_TEST_CASE(another_holder_means_lost, clock_fixture) {
  lease_elector a{cfg("a")};
  auto act = a.observe(std::nullopt, t0, w0);
  a.write_succeeded(written(act.record, "1"), t0);
  lease_record other{"b", 15, "x", "x", 1, "3"};
  BOOST_TEST(a.observe(other, t0 + 2s, w0).what == lease_action::wait);
  BOOST_TEST(a.lost(t0 + 2s));
  BOOST_TEST(!a.leading(t0 + 2s));
  BOOST_TEST(!a.release(w0).has_value());
}

BOOST_AUTO_TEST_CASE(parse_lease_reads_every_field) {
  auto v = boost::json::parse(R"({"metadata":{"resourceVersion":"42"},
    "spec":{"holderIdentity":"h_1","leaseDurationSeconds":15,
    "acquireTime":"2026-11-28T16:00:00.000000Z",
    "renewTime":"2026-11-28T16:00:02.000000Z","leaseTransitions":2}})");
  auto r = kc::k8s::parse_lease(v.as_object());
  BOOST_TEST(r.holder == "h_1");
  BOOST_TEST(r.lease_duration_seconds == 15);
  BOOST_TEST(r.lease_transitions == 2);
  BOOST_TEST(r.resource_version == "42");
  BOOST_TEST(r.renew_time == "2026-11-28T16:00:02.000000Z");
}

BOOST_AUTO_TEST_SUITE_END()
