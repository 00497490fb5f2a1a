#include "k8s/client/line_splitter.hpp"
#include "k8s/client/watch_reader.hpp"
#include "test/k8s/client/support/print.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace kc::k8s;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

std::string hex(size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%zx", n);
  return buf;
}

/// A chunked 200 response whose chunks are exactly `chunks`.
std::string chunked_response(const std::vector<std::string>& chunks) {
  std::string out = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n";
  for (auto& c : chunks)
    out += hex(c.size()) + "\r\n" + c + "\r\n";
  return out + "0\r\n\r\n";
}

struct read_outcome {
  std::vector<std::string> lines;
  api_error error;
};

read_outcome read_all(const std::string& wire, size_t read_size, size_t max_line,
                      size_t chunk_size = 64 * 1024) {
  asio::io_context io;
  beast::test::stream ts(io), remote(io);
  ts.connect(remote);
  ts.append(wire);
  remote.close(); // EOF once the data is read
  ts.read_size(read_size);
  read_outcome out;
  asio::co_spawn(
    io,
    [&]() -> asio::awaitable<void> {
      beast::flat_buffer buffer;
      watch_parser parser;
      parser.body_limit(boost::none);
      auto [ec, n] = co_await beast::http::async_read_header(
        ts, buffer, parser, asio::as_tuple(asio::use_awaitable));
      BOOST_REQUIRE(!ec);
      line_splitter sp(max_line);
      out.error = co_await read_watch_body(
        ts, buffer, parser, sp,
        [&](std::string_view l) {
          out.lines.emplace_back(l);
          return true;
        },
        chunk_size);
    },
    [](std::exception_ptr e) {
      if (e)
        std::rethrow_exception(e);
    });
  io.run_for(std::chrono::seconds(10));
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(line_splitter)

BOOST_AUTO_TEST_CASE(lines_are_not_chunks) {
  kc::k8s::line_splitter sp(100);
  std::vector<std::string> lines;
  auto on = [&](std::string_view l) {
    lines.emplace_back(l);
    return true;
  };
  BOOST_TEST(sp.feed("{\"a\":1}\n{\"b\"", on));
  BOOST_TEST(lines.size() == 1u);
  BOOST_TEST(sp.buffered() == 4u);
  BOOST_TEST(sp.feed(":2}\r\n\n{\"c\":3}\n", on));
  BOOST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(lines[0] == "{\"a\":1}");
  BOOST_TEST(lines[1] == "{\"b\":2}");
  BOOST_TEST(lines[2] == "{\"c\":3}");
  BOOST_TEST(sp.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(byte_by_byte_equals_whole) {
  std::string text;
  for (int i = 0; i < 50; ++i)
    text += "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i, 'x') + "\"}\n";
  kc::k8s::line_splitter whole(1000), bytes(1000);
  std::vector<std::string> a, b;
  BOOST_TEST(whole.feed(text, [&](std::string_view l) {
    a.emplace_back(l);
    return true;
  }));
  for (char c : text)
    BOOST_REQUIRE(bytes.feed(std::string_view(&c, 1), [&](std::string_view l) {
      b.emplace_back(l);
      return true;
    }));
  BOOST_TEST(a.size() == 50u);
  BOOST_TEST(a == b);
}

BOOST_AUTO_TEST_CASE(overlong_line_fails_and_stays_failed) {
  kc::k8s::line_splitter sp(8);
  int n = 0;
  auto on = [&](std::string_view) {
    ++n;
    return true;
  };
  BOOST_TEST(sp.feed("12345678\n", on)); // exactly the limit is fine
  BOOST_TEST(sp.feed("12345", on));
  BOOST_TEST(!sp.feed("6789", on)); // 9 bytes without a newline
  BOOST_TEST(sp.overflowed());
  BOOST_TEST(!sp.feed("\n{}\n", on));
  BOOST_TEST(n == 1);
  BOOST_TEST(sp.buffered() == 0u);
}

BOOST_AUTO_TEST_CASE(test_stream_read_size_one_spanning_chunks) {
  std::vector<std::string> chunks = {
    "{\"type\":\"ADD", "ED\",\"object\":{\"n\":1}}\n{\"type\"",
    ":\"DELETED\",\"object\":{\"n\":2}}\n", "\n{\"type\":\"BOOKMARK\",\"object\":{}}\n"};
  for (size_t read_size : {size_t{1}, size_t{3}, size_t{1000}}) {
    auto out = read_all(chunked_response(chunks), read_size, 1024, 7);
    BOOST_TEST(!out.error, out.error.to_string());
    BOOST_REQUIRE(out.lines.size() == 3u);
    BOOST_TEST(out.lines[0] == "{\"type\":\"ADDED\",\"object\":{\"n\":1}}");
    BOOST_TEST(out.lines[1] == "{\"type\":\"DELETED\",\"object\":{\"n\":2}}");
    BOOST_TEST(out.lines[2] == "{\"type\":\"BOOKMARK\",\"object\":{}}");
  }
}

BOOST_AUTO_TEST_CASE(test_stream_line_too_long) {
  auto out = read_all(chunked_response({std::string(100, 'x'), "\n"}), 1, 50);
  BOOST_TEST(out.lines.empty());
  BOOST_TEST(out.error.code == kc::ec::watch_line_too_long);
}

BOOST_AUTO_TEST_CASE(test_stream_truncated_body_is_a_network_error) {
  auto wire = chunked_response({"{\"a\":1}\n{\"b\""});
  wire.resize(wire.size() - 5); // drop the last chunk terminator
  auto out = read_all(wire, 1, 100);
  BOOST_TEST(out.lines.size() == 1u);
  BOOST_TEST(out.error.code == kc::ec::network_error);
}

BOOST_AUTO_TEST_SUITE_END()
