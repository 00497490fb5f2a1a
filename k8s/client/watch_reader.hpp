#pragma once

#include "k8s/client/errors.hpp"
#include "k8s/client/line_splitter.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <functional>
#include <string_view>
#include <vector>

namespace kc::k8s {

/// The parser of a watch response: no body limit (pitfall 30); memory is
/// bounded by the line splitter instead.
using watch_parser =
  boost::beast::http::response_parser<boost::beast::http::buffer_body>;

/// Reads the body of a watch response whose header has already been read
/// by `parser`, feeding bytes to `splitter` as they arrive (any chunking)
/// and calling `on_line` per complete line; `on_line` returns false to
/// stop. Returns no error when the body ended or `on_line` stopped,
/// kc::ec::watch_line_too_long when a line exceeded the limit, or
/// kc::ec::network_error / kc::ec::timeout on a read error. Templated on
/// the stream so tests can use beast::test::stream with read_size(1).
/// `on_line` is taken by value: a coroutine must not keep references to
/// temporaries.
template <class Stream>
boost::asio::awaitable<api_error>
read_watch_body(Stream& stream, boost::beast::flat_buffer& buffer,
                watch_parser& parser, line_splitter& splitter,
                std::function<bool(std::string_view)> on_line,
                size_t chunk_size = 64 * 1024) {
  namespace http = boost::beast::http;
  std::vector<char> buf(chunk_size);
  bool stopped = false;
  auto feed_line = [&](std::string_view line) {
    if (!on_line(line)) {
      stopped = true;
      return false;
    }
    return true;
  };
  while (!parser.is_done()) {
    parser.get().body().data = buf.data();
    parser.get().body().size = buf.size();
    auto [ec, n] = co_await http::async_read_some(
      stream, buffer, parser,
      boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec == http::error::need_buffer)
      ec = {};
    size_t got = buf.size() - parser.get().body().size;
    if (got > 0
        && !splitter.feed(std::string_view(buf.data(), got), feed_line)) {
      if (stopped)
        co_return api_error{};
      co_return make_error(kc::ec::watch_line_too_long,
                           "a watch line exceeded "
                             + std::to_string(splitter.max_line()) + " bytes");
    }
    if (ec) {
      if (ec == http::error::end_of_stream || ec == http::error::partial_message)
        co_return make_error(kc::ec::network_error,
                             "watch stream ended unexpectedly: " + ec.message());
      co_return make_error(ec == boost::beast::error::timeout ? kc::ec::timeout
                                                             : kc::ec::network_error,
                           "watch stream read failed: " + ec.message());
    }
  }
  co_return api_error{};
}

} // namespace kc::k8s
