#include "probes/default_route.hpp"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace kc::probes {

std::optional<std::string> default_gateway_from(std::string_view table) {
  std::istringstream in{std::string{table}};
  std::string line;
  std::getline(in, line); // header
  constexpr unsigned rtf_up = 0x1, rtf_gateway = 0x2;
  while (std::getline(in, line)) {
    std::istringstream fields{line};
    std::string iface, dest, gw, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> dest >> gw >> flags >> refcnt >> use >> metric
          >> mask))
      continue;
    unsigned long d = 0, g = 0, f = 0, m = 0;
    try {
      d = std::stoul(dest, nullptr, 16);
      g = std::stoul(gw, nullptr, 16);
      f = std::stoul(flags, nullptr, 16);
      m = std::stoul(mask, nullptr, 16);
    } catch (const std::exception&) {
      continue;
    }
    if (d != 0 || m != 0 || g == 0 || (f & rtf_up) == 0
        || (f & rtf_gateway) == 0)
      continue;
    // The kernel prints the address in host (little-endian) byte order.
    char buf[16];
    std::snprintf(buf, sizeof buf, "%lu.%lu.%lu.%lu", g & 0xff, (g >> 8) & 0xff,
                  (g >> 16) & 0xff, (g >> 24) & 0xff);
    return std::string{buf};
  }
  return std::nullopt;
}

std::optional<std::string> default_gateway(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return default_gateway_from(text.str());
}

} // namespace kc::probes
