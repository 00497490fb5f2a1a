#include "probes/target.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <fstream>

namespace kc::probes {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty()
         && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'
             || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty()
         && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'
             || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool valid_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253)
    return false;
  size_t label = 0;
  for (char c : h) {
    if (c == '.') {
      if (label == 0)
        return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok || ++label > 63)
      return false;
  }
  return true;
}

bool parse_port(std::string_view s, uint16_t& port, std::string& error) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v == 0
      || v > 65535) {
    error = "port \"" + std::string(s) + "\" is not a number in 1..65535";
    return false;
  }
  port = static_cast<uint16_t>(v);
  return true;
}

// Splits "host:port" / "[v6]:port" / "host" (port optional if !need_port).
bool split_host_port(std::string_view s, bool need_port, std::string& host,
                     uint16_t& port, std::string& error) {
  std::string_view h = s, p;
  bool has_port = false;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos) {
      error = "missing ']' after an IPv6 address";
      return false;
    }
    h = s.substr(1, close - 1);
    auto rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        error = "expected ':PORT' after ']'";
        return false;
      }
      p = rest.substr(1);
      has_port = true;
    }
    if (!is_ip_literal(h) || h.find(':') == std::string_view::npos) {
      error = "\"" + std::string(h) + "\" is not an IPv6 address";
      return false;
    }
  } else if (auto colon = s.rfind(':'); colon != std::string_view::npos) {
    if (s.find(':') != colon) { // bare IPv6 literal
      if (need_port) {
        error = "write an IPv6 address with a port as [ADDRESS]:PORT";
        return false;
      }
      if (!is_ip_literal(s)) {
        error = "\"" + std::string(s) + "\" is not an IP address";
        return false;
      }
    } else {
      h = s.substr(0, colon);
      p = s.substr(colon + 1);
      has_port = true;
    }
  }
  if (need_port && !has_port) {
    error = "missing ':PORT'";
    return false;
  }
  if (has_port && !parse_port(p, port, error))
    return false;
  if (!is_ip_literal(h) && !valid_hostname(h)) {
    error
        = "\"" + std::string(h) + "\" is neither an IP address nor a hostname";
    return false;
  }
  host = std::string(h);
  return true;
}

} // namespace

bool is_ip_literal(std::string_view host) {
  std::string h(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, h.c_str(), buf) == 1
         || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string_view flag_of(protocol p) {
  switch (p) {
    case protocol::icmp:
      return "--ping";
    case protocol::tcp:
      return "--tcpping";
    case protocol::udp:
      return "--udpping";
    case protocol::dns:
      return "--dnslookup";
  }
  return "?";
}

bool parse_target(protocol proto, std::string_view text, target_spec& out,
                  std::string& error) {
  text = trim(text);
  out = {};
  out.proto = proto;
  out.text = std::string(text);
  switch (proto) {
    case protocol::icmp:
      if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
      if (is_ip_literal(text) || valid_hostname(text)) {
        out.host = std::string(text);
        return true;
      }
      error = "not an IP address or hostname";
      return false;
    case protocol::tcp:
    case protocol::udp:
      return split_host_port(text, true, out.host, out.port, error);
    case protocol::dns: {
      auto at = text.find('@');
      auto name = text.substr(0, at);
      if (!valid_hostname(name)) {
        error = "\"" + std::string(name) + "\" is not a DNS name";
        return false;
      }
      out.host = std::string(name);
      if (at == std::string_view::npos)
        return true;
      std::string server;
      uint16_t port = 0;
      if (!split_host_port(text.substr(at + 1), false, server, port, error))
        return false;
      if (!is_ip_literal(server)) {
        error = "DNS server \"" + server + "\" must be an IP address";
        return false;
      }
      bool v6 = server.find(':') != std::string::npos;
      out.server = v6 ? "[" + server + "]" : server;
      if (port != 0 || v6)
        out.server += ":" + std::to_string(port == 0 ? 53 : port);
      out.port = port;
      return true;
    }
  }
  return false;
}

target_list parse_target_list(protocol p, std::string_view list) {
  target_list result;
  auto add = [&](std::string_view entry, const std::string& where) {
    entry = trim(entry);
    if (entry.empty())
      return;
    target_spec spec;
    std::string error;
    if (parse_target(p, entry, spec, error))
      result.good.push_back(std::move(spec));
    else
      result.errors.push_back(std::string(flag_of(p)) + ": bad target \""
                              + std::string(entry) + "\"" + where + ": "
                              + error);
  };
  while (!list.empty()) {
    auto comma = list.find(',');
    auto entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{}
                                           : list.substr(comma + 1);
    if (!entry.empty() && entry.front() == '@') {
      std::string path(entry.substr(1));
      std::ifstream in(path);
      if (!in) {
        result.errors.push_back(std::string(flag_of(p))
                                + ": cannot read "
                                  "target file \""
                                + path + "\"");
        continue;
      }
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) {
        auto l = trim(line);
        if (!l.empty() && l.front() != '#')
          add(l, " (" + path + ":" + std::to_string(n) + ")");
      }
      continue;
    }
    add(entry, "");
  }
  return result;
}

} // namespace kc::probes
