#include "k8s/api/kubecombo/cron.hpp"

#include "k8s/api/kubecombo/formats.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <ctime>
#include <string>
#include <vector>

namespace kc::k8s::kubecombo {

namespace {

struct cron_sets {
  std::bitset<60> minute;
  std::bitset<24> hour;
  std::bitset<32> dom;
  std::bitset<13> month;
  std::bitset<8> dow;
  bool dom_star = false;
  bool dow_star = false;
};

int value_of(std::string_view v, const std::array<std::string_view, 12>* names,
             int base) {
  if (!v.empty() && v.find_first_not_of("0123456789") == v.npos)
    return std::stoi(std::string(v));
  if (names)
    for (size_t k = 0; k < names->size(); ++k) {
      auto& n = (*names)[k];
      if (n.empty() || v.size() != n.size())
        continue;
      bool same = true;
      for (size_t i = 0; i < v.size(); ++i)
        same = same && std::toupper(static_cast<unsigned char>(v[i])) == n[i];
      if (same)
        return static_cast<int>(k) + base;
    }
  return -1;
}

// Sets the bits of one field (syntax already checked by check_cron).
template <size_t N>
void fill(std::bitset<N>& bits, std::string_view field, int lo, int hi,
          const std::array<std::string_view, 12>* names, int base) {
  while (!field.empty()) {
    auto comma = field.find(',');
    auto item = field.substr(0, comma);
    field = comma == field.npos ? std::string_view{} : field.substr(comma + 1);
    auto slash = item.find('/');
    int step = slash == item.npos
                   ? 1
                   : std::stoi(std::string(item.substr(slash + 1)));
    auto range = item.substr(0, slash);
    int a = lo, b = hi;
    if (range != "*") {
      auto dash = range.find('-');
      a = value_of(range.substr(0, dash), names, base);
      b = dash != range.npos   ? value_of(range.substr(dash + 1), names, base)
          : slash != item.npos ? hi
                               : a;
    }
    for (int v = a; v >= lo && v <= b && v <= hi; v += step)
      bits.set(static_cast<size_t>(v));
  }
}

std::optional<cron_sets> parse(std::string_view text) {
  if (!check_cron(text).empty())
    return std::nullopt;
  auto f = cron_fields(text);
  static constexpr std::array<std::string_view, 12> months{
      "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  static constexpr std::array<std::string_view, 12> days{
      "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "", "", "", "", ""};
  cron_sets s;
  fill(s.minute, f[0], 0, 59, nullptr, 0);
  fill(s.hour, f[1], 0, 23, nullptr, 0);
  fill(s.dom, f[2], 1, 31, nullptr, 0);
  fill(s.month, f[3], 1, 12, &months, 1);
  fill(s.dow, f[4], 0, 7, &days, 0);
  if (s.dow.test(7))
    s.dow.set(0);
  s.dom_star = f[2].front() == '*';
  s.dow_star = f[4].front() == '*';
  return s;
}

bool day_matches(const cron_sets& s, const std::tm& tm) {
  bool dom = s.dom.test(static_cast<size_t>(tm.tm_mday));
  bool dow = s.dow.test(static_cast<size_t>(tm.tm_wday));
  if (s.dom_star || s.dow_star)
    return dom && dow;
  return dom || dow;
}

std::optional<int64_t> next_of(const cron_sets* s, int64_t after) {
  int64_t t = after - ((after % 60) + 60) % 60 + 60;
  const int64_t limit = after + 5 * 366 * 86400LL;
  for (int guard = 0; guard < 100000 && t <= limit; ++guard) {
    auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    if (!s->month.test(static_cast<size_t>(tm.tm_mon + 1))) {
      tm.tm_mon += 1;
      tm.tm_mday = 1;
      tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
      t = timegm(&tm);
    } else if (!day_matches(*s, tm)) {
      tm.tm_mday += 1;
      tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
      t = timegm(&tm);
    } else if (!s->hour.test(static_cast<size_t>(tm.tm_hour))) {
      tm.tm_hour += 1;
      tm.tm_min = tm.tm_sec = 0;
      t = timegm(&tm);
    } else if (!s->minute.test(static_cast<size_t>(tm.tm_min))) {
      t += 60;
    } else {
      return t;
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<int64_t> next_cron(std::string_view expr, int64_t after) {
  auto s = parse(expr);
  return s ? next_of(&*s, after) : std::nullopt;
}

std::optional<int64_t> last_cron_in(std::string_view expr, int64_t after,
                                    int64_t until, int64_t window) {
  auto s = parse(expr);
  if (!s)
    return std::nullopt;
  auto t = next_of(&*s, std::max(after, until - window));
  if (!t || *t > until)
    return std::nullopt;
  for (int guard = 0; guard < 2000; ++guard) {
    auto n = next_of(&*s, *t);
    if (!n || *n > until)
      break;
    t = n;
  }
  return t;
}

} // namespace kc::k8s::kubecombo
