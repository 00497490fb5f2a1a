#include "probes/icmp_engine.hpp"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace kc::probes {

namespace {

constexpr size_t send_batch = 256;
constexpr size_t recv_batch = 64;
constexpr size_t packet_len = 24; // 8 header + cookie, slot, gen, pad
constexpr size_t recv_len = 256;
constexpr size_t cmsg_len = 128;

uint16_t checksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1)
    sum += static_cast<uint32_t>(p[n - 1] << 8);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Classic BPF: accept echo replies with our identifier and destination
// unreachables; drop everything else in the kernel (fping's, our requests).
void attach_filter(int fd, bool v6, uint16_t ident) {
  std::vector<sock_filter> code;
  if (!v6)
    code = {{BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0},
            {BPF_LD | BPF_B | BPF_IND, 0, 0, 0},
            {BPF_JMP | BPF_JEQ | BPF_K, 3, 0, ICMP_DEST_UNREACH},
            {BPF_JMP | BPF_JEQ | BPF_K, 0, 3, ICMP_ECHOREPLY},
            {BPF_LD | BPF_H | BPF_IND, 0, 0, 4},
            {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, ident},
            {BPF_RET | BPF_K, 0, 0, 0xffff},
            {BPF_RET | BPF_K, 0, 0, 0}};
  else
    code = {{BPF_LD | BPF_B | BPF_ABS, 0, 0, 0},
            {BPF_JMP | BPF_JEQ | BPF_K, 3, 0, ICMP6_DST_UNREACH},
            {BPF_JMP | BPF_JEQ | BPF_K, 0, 3, ICMP6_ECHO_REPLY},
            {BPF_LD | BPF_H | BPF_ABS, 0, 0, 4},
            {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, ident},
            {BPF_RET | BPF_K, 0, 0, 0xffff},
            {BPF_RET | BPF_K, 0, 0, 0}};
  sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
  ::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
  if (v6) {
    icmp6_filter f;
    ICMP6_FILTER_SETBLOCKALL(&f);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
    ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
    ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
  }
}

int open_socket(bool v6, bool raw) {
  int fd = ::socket(v6 ? AF_INET6 : AF_INET,
                    (raw ? int{SOCK_RAW} : int{SOCK_DGRAM}) | SOCK_NONBLOCK
                        | SOCK_CLOEXEC,
                    v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP});
  if (fd < 0)
    return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  if (v6)
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one);
  else
    ::setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
  int rcv = 8 << 20, snd = 2 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof snd) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
  return fd;
}

std::string ping_group_range() {
  std::ifstream in("/proc/sys/net/ipv4/ping_group_range");
  std::string a, b;
  in >> a >> b;
  return a + " " + b;
}

} // namespace

struct icmp_engine::family {
  family(asio::io_context& io, int fd, bool v6, bool raw)
    : sd(io, fd), v6(v6), raw(raw) {}
  asio::posix::stream_descriptor sd;
  bool v6, raw;
  bool waiting = false;
  mmsghdr msgs[send_batch];
  iovec iov[send_batch];
  sockaddr_in6 addrs[send_batch];
  uint8_t packets[send_batch][packet_len];
  mmsghdr rmsgs[recv_batch];
  iovec riov[recv_batch];
  uint8_t rbuf[recv_batch][recv_len];
  alignas(cmsghdr) uint8_t rctl[recv_batch][cmsg_len];
};

icmp_engine::icmp_engine(asio::io_context& io, result_sink& sink, mode m)
  : probe_engine(io, protocol::icmp, sink) {
  std::random_device rd;
  cookie_ = rd();
  ident_ = static_cast<uint16_t>(rd());
  for (bool v6 : {false, true}) {
    int fd = -1;
    bool raw = false;
    if (m != mode::datagram && (fd = open_socket(v6, true)) >= 0)
      raw = true;
    else if (m != mode::raw)
      fd = open_socket(v6, false);
    if (fd < 0) {
      if (!v6)
        error_ = "ICMP disabled: no raw socket (needs CAP_NET_RAW) and no "
                 "unprivileged ICMP socket (net.ipv4.ping_group_range = \""
                 + ping_group_range() + "\" excludes this group): "
                 + std::strerror(errno) + "; TCP, UDP and DNS probes continue";
      continue;
    }
    if (raw)
      attach_filter(fd, v6, ident_);
    (v6 ? v6_ : v4_) = std::make_unique<family>(io, fd, v6, raw);
  }
}

icmp_engine::~icmp_engine() = default;

std::string_view icmp_engine::socket_kind(bool v6) const {
  auto& f = v6 ? v6_ : v4_;
  return !f ? "disabled" : f->raw ? "raw" : "datagram";
}

uint32_t icmp_engine::add(const asio::ip::address& addr) {
  target t;
  if (addr.is_v4()) {
    auto b = addr.to_v4().to_bytes();
    std::memcpy(t.addr, b.data(), 4);
  } else {
    t.v6 = 1;
    auto b = addr.to_v6().to_bytes();
    std::memcpy(t.addr, b.data(), 16);
  }
  targets_.push_back(t);
  return add_slot();
}

void icmp_engine::shutdown() {
  for (auto* f : {v4_.get(), v6_.get()})
    if (f)
      f->sd.cancel();
}

void icmp_engine::send(std::span<const uint32_t> slots) {
  // Split by family without allocating: most runs are single-family.
  size_t first_v6 = 0;
  while (first_v6 < slots.size() && !targets_[slots[first_v6]].v6)
    ++first_v6;
  if (first_v6 == slots.size() || first_v6 > 0) {
    size_t n = first_v6 == slots.size() ? slots.size() : first_v6;
    if (v4_)
      send_family(*v4_, slots.first(n));
    else
      for (auto s : slots.first(n))
        failed(s, outcome::disabled);
  }
  for (size_t i = first_v6; i < slots.size(); ++i) {
    auto s = slots[i];
    auto& f = targets_[s].v6 ? v6_ : v4_;
    if (f)
      send_family(*f, slots.subspan(i, 1));
    else
      failed(s, outcome::disabled);
  }
  flush_if_urgent();
}

void icmp_engine::send_family(family& f, std::span<const uint32_t> slots) {
  if (!f.sd.is_open()) {
    for (auto s : slots)
      failed(s, outcome::disabled);
    return;
  }
  wait(f); // a no-op while a wait is pending
  while (!slots.empty()) {
    size_t n = std::min(slots.size(), send_batch);
    for (size_t i = 0; i < n; ++i) {
      uint32_t slot = slots[i], g = gen(slot);
      auto& t = targets_[slot];
      uint8_t* p = f.packets[i];
      std::memset(p, 0, packet_len);
      p[0] = f.v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
      uint16_t id = htons(ident_), seq = htons(static_cast<uint16_t>(g));
      std::memcpy(p + 4, &id, 2);
      std::memcpy(p + 6, &seq, 2);
      std::memcpy(p + 8, &cookie_, 4);
      std::memcpy(p + 12, &slot, 4);
      std::memcpy(p + 16, &g, 4);
      if (!f.v6) {
        auto c = checksum(p, packet_len);
        std::memcpy(p + 2, &c, 2);
      }
      auto& a = f.addrs[i];
      std::memset(&a, 0, sizeof a);
      socklen_t alen;
      if (f.v6) {
        a.sin6_family = AF_INET6;
        std::memcpy(&a.sin6_addr, t.addr, 16);
        alen = sizeof(sockaddr_in6);
      } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&a);
        a4->sin_family = AF_INET;
        std::memcpy(&a4->sin_addr, t.addr, 4);
        alen = sizeof(sockaddr_in);
      }
      f.iov[i] = {p, packet_len};
      f.msgs[i] = {};
      f.msgs[i].msg_hdr.msg_name = &a;
      f.msgs[i].msg_hdr.msg_namelen = alen;
      f.msgs[i].msg_hdr.msg_iov = &f.iov[i];
      f.msgs[i].msg_hdr.msg_iovlen = 1;
    }
    size_t done = 0;
    while (done < n) {
      auto now = real_now_ns();
      int r = ::sendmmsg(f.sd.native_handle(), f.msgs + done,
                         static_cast<unsigned>(n - done), 0);
      if (r > 0) {
        for (int i = 0; i < r; ++i)
          sent(slots[done + static_cast<size_t>(i)], now);
        done += static_cast<size_t>(r);
        continue;
      }
      int err = errno;
      failed(slots[done++], err == EHOSTUNREACH || err == ENETUNREACH
                                ? outcome::unreachable
                                : outcome::send_error);
    }
    slots = slots.subspan(n);
  }
}

void icmp_engine::wait(family& f) {
  if (f.waiting)
    return;
  f.waiting = true;
  f.sd.async_wait(asio::posix::descriptor_base::wait_read,
                  [this, &f](const boost::system::error_code& ec) {
                    f.waiting = false;
                    if (ec)
                      return;
                    receive(f);
                    flush_if_urgent();
                    if (running())
                      wait(f);
                  });
}

void icmp_engine::receive(family& f) {
  for (int rounds = 0; rounds < 64; ++rounds) {
    for (size_t i = 0; i < recv_batch; ++i) {
      f.riov[i] = {f.rbuf[i], recv_len};
      f.rmsgs[i] = {};
      f.rmsgs[i].msg_hdr.msg_iov = &f.riov[i];
      f.rmsgs[i].msg_hdr.msg_iovlen = 1;
      f.rmsgs[i].msg_hdr.msg_control = f.rctl[i];
      f.rmsgs[i].msg_hdr.msg_controllen = cmsg_len;
    }
    int r = ::recvmmsg(f.sd.native_handle(), f.rmsgs, recv_batch, MSG_DONTWAIT,
                       nullptr);
    if (r <= 0) {
      if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        ++counters_.recv_errors;
      return;
    }
    for (int i = 0; i < r; ++i) {
      auto& h = f.rmsgs[i].msg_hdr;
      int64_t rx = 0;
      int ttl = 0;
      for (auto* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec ts;
          std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
          rx = int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
        } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
                   || (c->cmsg_level == IPPROTO_IPV6
                       && c->cmsg_type == IPV6_HOPLIMIT)) {
          std::memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
        }
      }
      if (rx == 0)
        rx = real_now_ns();
      handle(f, f.rbuf[i], f.rmsgs[i].msg_len, rx, ttl);
    }
    if (static_cast<size_t>(r) < recv_batch)
      return;
  }
}

void icmp_engine::handle(family& f, const uint8_t* d, size_t len, int64_t rx_ns,
                         int ttl) {
  if (f.raw && !f.v6) { // raw IPv4 includes the IP header
    if (len < 20)
      return;
    size_t ihl = static_cast<size_t>(d[0] & 0xf) * 4;
    ttl = d[8];
    if (len < ihl + 8)
      return;
    d += ihl;
    len -= ihl;
  }
  if (len < 8)
    return;
  const uint8_t reply = f.v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY;
  const uint8_t unreach = f.v6 ? ICMP6_DST_UNREACH : ICMP_DEST_UNREACH;
  bool is_unreach = d[0] == unreach;
  if (is_unreach) { // our echo request is quoted after the ICMP header
    d += 8;
    len -= 8;
    size_t ih = f.v6 ? 40 : (len > 0 ? static_cast<size_t>(d[0] & 0xf) * 4 : 0);
    if (len < ih + packet_len)
      return;
    d += ih;
    len -= ih;
  } else if (d[0] != reply) {
    ++counters_.foreign;
    return;
  }
  if (len < packet_len || load32(d + 8) != cookie_) {
    ++counters_.foreign;
    return;
  }
  uint16_t id;
  std::memcpy(&id, d + 4, 2);
  if (f.raw && ntohs(id) != ident_) {
    ++counters_.foreign;
    return;
  }
  uint32_t slot = load32(d + 12), g = load32(d + 16);
  if (!pending(slot, g)) {
    ++counters_.late;
    return;
  }
  if (is_unreach)
    complete(slot, g, outcome::unreachable, -1);
  else
    complete(slot, g, outcome::ok, std::max<int64_t>(0, rx_ns - sent_at(slot)),
             static_cast<uint8_t>(ttl));
}

} // namespace kc::probes
