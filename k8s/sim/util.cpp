#include "k8s/sim/util.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

namespace kc::sim {

namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

} // namespace

std::string rfc3339(std::chrono::system_clock::time_point t) {
  auto secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string now_rfc3339() {
  return rfc3339(std::chrono::system_clock::now());
}

std::string now_micro() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
              now.time_since_epoch())
              .count()
            % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof(out), "%s.%06ldZ", buf, static_cast<long>(us));
  return out;
}

std::chrono::system_clock::time_point parse_rfc3339(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  if (!strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm))
    return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string random_uuid() {
  std::array<uint8_t, 16> b;
  auto a = rng()();
  auto c = rng()();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(a >> (i * 8));
    b[i + 8] = static_cast<uint8_t>(c >> (i * 8));
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 15];
  }
  return out;
}

std::string random_suffix(std::size_t n) {
  static constexpr std::string_view alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<std::size_t> d(0, alphabet.size() - 1);
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += alphabet[d(rng())];
  return out;
}

std::string random_hex(std::size_t n) {
  static constexpr std::string_view hex = "0123456789abcdef";
  std::uniform_int_distribution<std::size_t> d(0, 15);
  std::string out;
  for (std::size_t i = 0; i < n; ++i)
    out += hex[d(rng())];
  return out;
}

std::string meta_str(const json::object& o, std::string_view key) {
  auto m = obj_at(o, "metadata");
  return m ? str_at(*m, key) : std::string{};
}

json::object& metadata_of(json::object& o) {
  auto& v = o["metadata"];
  if (!v.is_object())
    v = json::object{};
  return v.as_object();
}

bool parse_u64(std::string_view text, uint64_t& out) {
  if (text.empty())
    return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && p == text.data() + text.size();
}

bool parse_go_bool(std::string_view t, bool& out) {
  if (t == "1" || t == "t" || t == "T" || t == "true" || t == "TRUE"
      || t == "True") {
    out = true;
    return true;
  }
  if (t == "0" || t == "f" || t == "F" || t == "false" || t == "FALSE"
      || t == "False") {
    out = false;
    return true;
  }
  return false;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string::npos)
      j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool array_allows(const json::object& o, std::string_view key,
                  const std::string& v) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_array())
    return false;
  for (auto& e : it->value().as_array())
    if (e.is_string() && (e.as_string() == "*" || e.as_string() == v))
      return true;
  return false;
}

} // namespace kc::sim
