#include "test/actors/support/raw_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace kc::test {

namespace {

/// Waits up to 100 ms for `fd` to become readable.
bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 100) > 0;
}

void write_all(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    auto n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0)
      return;
    done += static_cast<size_t>(n);
  }
}

} // namespace

std::string json_response(unsigned status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\n"
         + "Content-Type: application/json\r\nConnection: close\r\n"
         + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"
         + body;
}

std::string chunked_head() {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
         "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
}

std::string chunk(const std::string& data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}

raw_http_server::raw_http_server(handler h) : handler_(std::move(h)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (listen_fd_ < 0
      || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0
      || ::listen(listen_fd_, 16) != 0
      || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len)
           != 0)
    throw std::runtime_error("raw_http_server: cannot listen on 127.0.0.1");
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

raw_http_server::~raw_http_server() {
  stop();
}

std::string raw_http_server::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

size_t raw_http_server::requests(const std::string& part) const {
  std::lock_guard guard{mtx_};
  size_t n = 0;
  for (auto& t : targets_)
    n += t.find(part) != std::string::npos;
  return n;
}

void raw_http_server::stop() {
  if (stopping_.exchange(true))
    return;
  if (acceptor_.joinable())
    acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard guard{mtx_};
    workers.swap(workers_);
  }
  for (auto& w : workers)
    w.join();
  ::close(listen_fd_);
}

void raw_http_server::accept_loop() {
  while (!stopping_) {
    if (!readable(listen_fd_))
      continue;
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0)
      continue;
    std::lock_guard guard{mtx_};
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void raw_http_server::serve(int fd) {
  std::string head;
  char buf[4096];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
  while (head.find("\r\n\r\n") == std::string::npos && !stopping_
         && std::chrono::steady_clock::now() < deadline) {
    if (!readable(fd))
      continue;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    head.append(buf, static_cast<size_t>(n));
  }
  auto sp1 = head.find(' ');
  auto sp2 = sp1 == std::string::npos ? sp1 : head.find(' ', sp1 + 1);
  if (sp2 != std::string::npos) {
    auto method = head.substr(0, sp1);
    auto target = head.substr(sp1 + 1, sp2 - sp1 - 1);
    {
      std::lock_guard guard{mtx_};
      targets_.push_back(target);
    }
    auto reply = handler_(method, target);
    write_all(fd, reply.bytes);
    // Hold a stream open until the peer closes or the server stops.
    while (reply.hold_open && !stopping_) {
      if (!readable(fd))
        continue;
      if (::recv(fd, buf, sizeof buf, 0) <= 0)
        break;
    }
  }
  ::close(fd);
}

} // namespace kc::test
