#include "k8s/client/api_client.hpp"
#include "k8s/client/config_error.hpp"
#include "test/k8s/client/support/print.hpp"
#include "test/k8s/client/support/test_server.hpp"

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <mutex>

using namespace kc::k8s;
using namespace kc::test;

namespace {

/// Collects the callbacks of one watch.
struct recorder {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<watch_event> events;
  std::optional<api_error> done;
  uint64_t done_id = 0;

  watch_callbacks callbacks() {
    return {[this](uint64_t, watch_event e) {
              std::lock_guard g{mtx};
              events.push_back(std::move(e));
              cv.notify_all();
            },
            [this](uint64_t id, api_error e) {
              std::lock_guard g{mtx};
              done = std::move(e);
              done_id = id;
              cv.notify_all();
            }};
  }

  bool wait_done(std::chrono::seconds t = std::chrono::seconds(10)) {
    std::unique_lock l{mtx};
    return cv.wait_for(l, t, [&] { return done.has_value(); });
  }

  bool wait_events(size_t n, std::chrono::seconds t = std::chrono::seconds(10)) {
    std::unique_lock l{mtx};
    return cv.wait_for(l, t, [&] { return events.size() >= n; });
  }
};

client_config config_for(const test_server& s) {
  client_config c;
  c.server = s.url();
  parse_server_url(c, "test", "server");
  return c;
}

std::string ev(const char* type, const char* name, const char* rv) {
  return std::string(R"({"type":")") + type + R"(","object":{"kind":"ConfigMap",)"
         R"("metadata":{"name":")" + name + R"(","resourceVersion":")" + rv + "\"}}}\n";
}

const resource_ref cms{"", "v1", "configmaps", true, "default", "", ""};

} // namespace

BOOST_AUTO_TEST_SUITE(watch_stream)

BOOST_AUTO_TEST_CASE(events_split_by_line_across_chunks) {
  std::string target;
  auto body = ev("ADDED", "a", "5") + ev("MODIFIED", "a", "6") + ev("DELETED", "a", "7")
              + ev("BOOKMARK", "", "9");
  test_server srv([&](const test_request& r) {
    target = r.target;
    test_response res;
    for (size_t i = 0; i < body.size(); i += 13) // chunks unrelated to lines
      res.chunks.push_back(body.substr(i, 13));
    res.chunk_delay = std::chrono::milliseconds(1);
    return res;
  });
  api_client client(config_for(srv));
  recorder rec;
  request_options o;
  o.resource_version = "4";
  o.allow_watch_bookmarks = true;
  auto h = client.watch(make_watch(cms, o), 5, rec.callbacks());
  BOOST_REQUIRE(rec.wait_done());
  BOOST_TEST(!*rec.done, rec.done->to_string());
  BOOST_TEST(rec.done_id == 5u);
  BOOST_TEST(!h->active());
  BOOST_TEST(target == "/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true"
                       "&resourceVersion=4");
  BOOST_REQUIRE(rec.events.size() == 4u);
  BOOST_TEST(rec.events[0].type == watch_event_type::added);
  BOOST_TEST(rec.events[0].rv == "5");
  BOOST_TEST(rec.events[0].object->at("metadata").as_object().at("name").as_string() == "a");
  BOOST_TEST(rec.events[2].type == watch_event_type::deleted);
  BOOST_TEST(rec.events[3].type == watch_event_type::bookmark);
  BOOST_TEST(rec.events[3].rv == "9");
}

BOOST_AUTO_TEST_CASE(error_410_is_expired) {
  test_server srv([&](const test_request&) {
    test_response res;
    res.chunks = {ev("ADDED", "a", "5"),
                  R"x({"type":"ERROR","object":{"kind":"Status","status":"Failure",)x"
                  R"x("message":"too old resource version: 1 (5)","reason":"Expired","code":410}})x"
                  "\n",
                  ev("ADDED", "never", "6")};
    return res;
  });
  api_client client(config_for(srv));
  recorder rec;
  client.watch(make_watch(cms), 1, rec.callbacks());
  BOOST_REQUIRE(rec.wait_done());
  BOOST_TEST(rec.done->code == kc::ec::expired);
  BOOST_TEST(rec.done->message == "too old resource version: 1 (5)");
  BOOST_TEST(rec.events.size() == 1u);
}

BOOST_AUTO_TEST_CASE(cancel_a_running_watch) {
  test_server srv([&](const test_request&) {
    test_response res;
    res.chunks = {ev("ADDED", "a", "5")};
    res.hold_open = true;
    return res;
  });
  api_client client(config_for(srv));
  recorder rec;
  auto h = client.watch(make_watch(cms), 2, rec.callbacks());
  BOOST_REQUIRE(rec.wait_events(1));
  BOOST_TEST(h->active());
  auto t0 = std::chrono::steady_clock::now();
  h->cancel();
  h->cancel(); // idempotent
  BOOST_REQUIRE(rec.wait_done());
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2)));
  BOOST_TEST(!*rec.done);
  BOOST_TEST(rec.done->message == "cancelled");
  BOOST_TEST(!h->active());
}

BOOST_AUTO_TEST_CASE(forbidden_fails_fast_with_cause) {
  test_server srv([&](const test_request&) {
    test_response res;
    res.status = 403;
    res.body = R"({"kind":"Status","status":"Failure","reason":"Forbidden","code":403,)"
               R"("message":"configmaps is forbidden: User \"system:serviceaccount:a:b\" cannot watch"})";
    return res;
  });
  api_client client(config_for(srv));
  recorder rec;
  client.watch(make_watch(cms), 3, rec.callbacks());
  BOOST_REQUIRE(rec.wait_done());
  BOOST_TEST(rec.done->code == kc::ec::forbidden);
  BOOST_TEST(rec.done->message.find("cannot watch") != std::string::npos, rec.done->message);
}

BOOST_AUTO_TEST_CASE(overlong_and_invalid_lines_end_the_watch) {
  test_server srv([&](const test_request& r) {
    test_response res;
    if (r.target.find("long") != std::string::npos)
      res.chunks = {ev("ADDED", "a", "1"), std::string(5000, ' '), std::string(5000, ' ')};
    else
      res.chunks = {ev("ADDED", "a", "1"), "{not json\n"};
    res.hold_open = true;
    return res;
  });
  auto cfg = config_for(srv);
  cfg.max_watch_line = 8000;
  api_client client(cfg);
  recorder rec;
  request_options o;
  o.label_selector = "long";
  client.watch(make_watch(cms, o), 4, rec.callbacks());
  BOOST_REQUIRE(rec.wait_done());
  BOOST_TEST(rec.done->code == kc::ec::watch_line_too_long);
  BOOST_TEST(rec.events.size() == 1u);
  recorder rec2;
  client.watch(make_watch(cms), 5, rec2.callbacks());
  BOOST_REQUIRE(rec2.wait_done());
  BOOST_TEST(rec2.done->code == kc::ec::parse_error);
  BOOST_TEST(rec2.events.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
