#include "k8s/client/api_client.hpp"
#include "k8s/client/config_error.hpp"
#include "test/k8s/client/support/print.hpp"
#include "test/k8s/client/support/temp_dir.hpp"
#include "test/k8s/client/support/test_server.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace kc::k8s;
using kc::test::test_request;
using kc::test::test_response;
using kc::test::test_server;

namespace {

client_config config_for(const test_server& s) {
  client_config c;
  c.server = s.url();
  parse_server_url(c, "test", "server");
  c.request_timeout = std::chrono::seconds(10);
  return c;
}

const resource_ref cm{"", "v1", "configmaps", true, "default", "x", ""};

test_response json(unsigned status, std::string body) {
  test_response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(rest_client)

BOOST_AUTO_TEST_CASE(get_decodes_and_reuses_connections) {
  std::atomic<int> n{0};
  test_server srv([&](const test_request& r) {
    ++n;
    if (r.target == "/api/v1/namespaces/default/configmaps/x")
      return json(200, R"({"kind":"ConfigMap","metadata":{"name":"x"}})");
    return json(404, R"({"kind":"Status","status":"Failure","reason":"NotFound",)"
                     R"("message":"configmaps \"y\" not found","code":404})");
  });
  auto cfg = config_for(srv);
  cfg.token = "sekret";
  api_client client(cfg);
  for (int i = 0; i < 5; ++i) {
    auto r = client.send_sync(make_get(cm));
    BOOST_TEST_REQUIRE(r.ok(), r.error.to_string());
    BOOST_TEST(r.object->at("kind").as_string() == "ConfigMap");
  }
  auto missing = cm;
  missing.name = "y";
  auto r = client.send_sync(make_get(missing));
  BOOST_TEST(r.error.code == kc::ec::not_found);
  BOOST_TEST(r.error.to_string() == "kc::not_found (404 NotFound): configmaps \"y\" not found");
  BOOST_TEST(srv.connections() == 1u); // keep-alive pool
  BOOST_TEST(client.connections_opened() == 1u);
}

BOOST_AUTO_TEST_CASE(async_completion_carries_request_id) {
  std::string auth, ctype, method, body;
  test_server srv([&](const test_request& r) {
    auth = r.headers.count("authorization") ? r.headers.at("authorization") : "";
    ctype = r.headers.count("content-type") ? r.headers.at("content-type") : "";
    method = r.method;
    body = r.body;
    return json(200, R"({"kind":"ConfigMap"})");
  });
  auto cfg = config_for(srv);
  cfg.username = "admin";
  cfg.password = "pw";
  api_client client(cfg);
  std::promise<std::pair<uint64_t, http_result>> p;
  client.patch(cm, patch_type::merge, R"({"data":{"a":"1"}})", 77,
               [&](uint64_t id, http_result r) { p.set_value({id, std::move(r)}); });
  auto f = p.get_future();
  BOOST_REQUIRE(f.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  auto [id, r] = f.get();
  BOOST_TEST(id == 77u);
  BOOST_TEST(r.ok());
  BOOST_TEST(method == "PATCH");
  BOOST_TEST(ctype == "application/merge-patch+json");
  BOOST_TEST(body == R"({"data":{"a":"1"}})");
  BOOST_TEST(auth == "Basic YWRtaW46cHc=");
}

BOOST_AUTO_TEST_CASE(retries_429_with_retry_after_then_succeeds) {
  std::atomic<int> n{0};
  test_server srv([&](const test_request&) {
    if (++n == 1) {
      test_response r;
      r.status = 429;
      r.content_type = "text/plain";
      r.body = "Too many requests, please try again later.\n";
      r.headers = {{"Retry-After", "1"}};
      return r;
    }
    return json(200, R"({"kind":"ConfigMap"})");
  });
  api_client client(config_for(srv));
  auto t0 = std::chrono::steady_clock::now();
  auto r = client.send_sync(make_get(cm));
  auto dt = std::chrono::steady_clock::now() - t0;
  BOOST_TEST(r.ok(), r.error.to_string());
  BOOST_TEST(r.retries == 1);
  BOOST_TEST(n.load() == 2);
  BOOST_TEST((dt >= std::chrono::milliseconds(950)));
  BOOST_TEST((dt < std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(retry_limits_and_replayability) {
  std::atomic<int> n{0};
  test_server srv([&](const test_request& r) {
    ++n;
    test_response res;
    res.status = r.target.find("noheader") != std::string::npos ? 500 : 503;
    res.body = R"({"kind":"Status","reason":"ServiceUnavailable","message":"busy","code":503})";
    if (res.status == 503)
      res.headers = {{"Retry-After", "0"}};
    return res;
  });
  auto cfg = config_for(srv);
  api_client client(cfg);
  auto r = client.send_sync(make_get(cm));
  BOOST_TEST(r.error.code == kc::ec::server_error);
  BOOST_TEST(r.retries == 10);
  BOOST_TEST(n.load() == 11);
  n = 0;
  auto req = make_get(cm);
  req.replayable = false;
  BOOST_TEST(client.send_sync(req).retries == 0);
  BOOST_TEST(n.load() == 1);
  n = 0;
  auto noheader = cm;
  noheader.name = "noheader";
  auto r2 = client.send_sync(make_get(noheader));
  BOOST_TEST(r2.error.code == kc::ec::server_error);
  BOOST_TEST(n.load() == 1); // 5xx without Retry-After: no retry
}

BOOST_AUTO_TEST_CASE(token_file_reread_on_401) {
  kc::test::temp_dir d;
  auto tok = d.write("token", "old\n");
  test_server srv([&](const test_request& r) {
    auto it = r.headers.find("authorization");
    if (it == r.headers.end() || it->second != "Bearer new")
      return json(401, R"({"kind":"Status","reason":"Unauthorized","message":"Unauthorized","code":401})");
    return json(200, "{}");
  });
  auto cfg = config_for(srv);
  cfg.token_file = tok;
  api_client client(cfg);
  auto r = client.send_sync(make_get(cm));
  BOOST_TEST(r.error.code == kc::ec::unauthorized);
  BOOST_TEST(r.error.to_string() == "kc::unauthorized (401 Unauthorized): Unauthorized");
  d.write("token", "new\n"); // rotated; the cached "old" gets a 401, then a re-read
  auto r2 = client.send_sync(make_get(cm));
  BOOST_TEST(r2.ok(), r2.error.to_string());
}

BOOST_AUTO_TEST_CASE(timeouts_and_refused_connections) {
  test_server srv([&](const test_request&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return json(200, "{}");
  });
  auto cfg = config_for(srv);
  cfg.request_timeout = std::chrono::milliseconds(300);
  api_client client(cfg);
  auto t0 = std::chrono::steady_clock::now();
  auto r = client.send_sync(make_get(cm));
  BOOST_TEST(r.error.code == kc::ec::timeout, r.error.to_string());
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(1400)));

  client_config dead;
  {
    test_server gone([](const test_request&) { return json(200, "{}"); });
    dead = config_for(gone);
  }
  api_client c2(dead);
  auto r2 = c2.send_sync(make_get(cm));
  BOOST_TEST(r2.error.code == kc::ec::network_error);
  BOOST_TEST(r2.error.message.find("cannot connect to 127.0.0.1:" + dead.port) == 0u,
             r2.error.message);
}

BOOST_AUTO_TEST_CASE(qps_limit_spaces_requests) {
  test_server srv([&](const test_request&) { return json(200, "{}"); });
  auto cfg = config_for(srv);
  cfg.qps = 20;
  cfg.burst = 1;
  api_client client(cfg);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i)
    BOOST_TEST(client.send_sync(make_get(cm)).ok());
  BOOST_TEST((std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(190)));
}

BOOST_AUTO_TEST_SUITE_END()
