#include "k8s/api/kubecombo/formats.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace kc::k8s::kubecombo {

namespace {

using u128 = unsigned __int128;

// Largest quantity we accept, in milli units (10^15 base units: 888 TiB of
// memory or a million TiB of CPU; nothing real comes close).
constexpr int64_t max_milli = 1'000'000'000'000'000'000;
constexpr u128 saturated = u128{1} << 126;

bool fail(std::string* why, std::string text) {
  if (why)
    *why = std::move(text);
  return false;
}

// Multiplies with saturation at 2^126.
u128 mul(u128 a, u128 b) {
  if (a != 0 && b > saturated / a)
    return saturated;
  return a * b;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Suffix → (power of two, power of ten); false when unknown.
bool suffix_scale(std::string_view s, int& bin, int& dec) {
  static constexpr std::array<std::pair<std::string_view, int>, 6> binary{
      {{"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}}};
  static constexpr std::array<std::pair<std::string_view, int>, 10> decimal{
      {{"", 0},
       {"n", -9},
       {"u", -6},
       {"m", -3},
       {"k", 3},
       {"M", 6},
       {"G", 9},
       {"T", 12},
       {"P", 15},
       {"E", 18}}};
  bin = dec = 0;
  for (auto& [name, p] : binary)
    if (s == name) {
      bin = p;
      return true;
    }
  for (auto& [name, p] : decimal)
    if (s == name) {
      dec = p;
      return true;
    }
  if (s.size() >= 2 && (s[0] == 'e' || s[0] == 'E')) {
    auto rest = s.substr(1);
    bool neg = false;
    if (rest[0] == '+' || rest[0] == '-') {
      neg = rest[0] == '-';
      rest.remove_prefix(1);
    }
    if (rest.empty() || rest.size() > 3)
      return false;
    int e = 0;
    for (char c : rest) {
      if (!is_digit(c))
        return false;
      e = e * 10 + (c - '0');
    }
    dec = neg ? -e : e;
    return true;
  }
  return false;
}

} // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_quantity_milli(std::string_view text,
                                            std::string* why) {
  constexpr auto syntax = "must match the regular expression "
                          "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' "
                          "(e.g. 500m, 1, 1.5Gi, 256Mi)";
  auto s = text;
  if (s.empty())
    return fail(why, "quantity must not be empty"), std::nullopt;
  if (s[0] == '+')
    s.remove_prefix(1);
  if (!s.empty() && s[0] == '-')
    return fail(why, "quantity must not be negative"), std::nullopt;
  std::string digits;
  size_t i = 0, frac = 0;
  bool dot = false, any = false;
  for (; i < s.size(); ++i) {
    if (is_digit(s[i])) {
      any = true;
      if (digits.empty() && s[i] == '0' && !dot)
        continue; // leading zero
      digits += s[i];
      frac += dot ? 1 : 0;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any)
    return fail(why, syntax), std::nullopt;
  // Trailing zeros of the fraction carry no value.
  while (frac > 0 && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    --frac;
  }
  int bin = 0, dec = 0;
  if (!suffix_scale(s.substr(i), bin, dec))
    return fail(why, syntax), std::nullopt;
  if (digits.size() > 24 || frac > 18)
    return fail(why, "quantity has too many digits"), std::nullopt;
  u128 n = 0;
  for (char c : digits)
    n = n * 10 + static_cast<unsigned>(c - '0');
  n = mul(n, 1000);
  n = mul(n, u128{1} << bin);
  int d = dec - static_cast<int>(frac);
  for (; d > 0; --d)
    n = mul(n, 10);
  if (d < -38) {
    n = n > 0 ? 1 : 0;
  } else {
    u128 div = 1;
    for (; d < 0; ++d)
      div *= 10;
    n = n / div + (n % div != 0 ? 1 : 0); // round up, like MilliValue
  }
  if (n > static_cast<u128>(max_milli))
    return fail(why, "quantity is too large"), std::nullopt;
  return static_cast<int64_t>(n);
}

std::optional<int64_t> parse_duration_ms(std::string_view text,
                                         std::string* why) {
  constexpr auto syntax
      = "must be a duration such as 30s, 1m30s or 250ms (units ms, s, m, h)";
  if (text.empty())
    return fail(why, syntax), std::nullopt;
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (is_digit(text[i]) || text[i] == '.'))
      ++i;
    auto num = text.substr(start, i - start);
    if (num.empty() || num.front() == '.' || num.back() == '.'
        || num.find('.') != num.rfind('.') || num.size() > 12)
      return fail(why, syntax), std::nullopt;
    size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      ++i;
    auto unit = text.substr(ustart, i - ustart);
    double scale = unit == "ms"  ? 1
                   : unit == "s" ? 1e3
                   : unit == "m" ? 6e4
                   : unit == "h" ? 3.6e6
                                 : 0;
    if (scale == 0)
      return fail(why, syntax), std::nullopt;
    total += std::stod(std::string(num)) * scale;
  }
  if (total < 1)
    return fail(why, "duration must be at least 1ms"), std::nullopt;
  if (total > 366.0 * 24 * 3.6e6)
    return fail(why, "duration must be at most a year"), std::nullopt;
  return static_cast<int64_t>(total);
}

namespace {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// Reads exactly n digits at s[pos]; -1 when they are not digits.
int digits_at(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size())
    return -1;
  int v = 0;
  for (size_t k = 0; k < n; ++k) {
    if (!is_digit(s[pos + k]))
      return -1;
    v = v * 10 + (s[pos + k] - '0');
  }
  return v;
}

} // namespace

std::optional<int64_t> parse_run_at(std::string_view s, std::string* why) {
  constexpr auto forms
      = "must be an RFC 3339 timestamp (e.g. 2026-11-28T16:00:00Z) or epoch "
        "seconds (e.g. 1795881600)";
  s = trim(s);
  if (s.empty())
    return fail(why, forms), std::nullopt;
  if (s.size() <= 12 && s.find_first_not_of("0123456789") == s.npos)
    return std::stoll(std::string(s));
  int y = digits_at(s, 0, 4), mo = digits_at(s, 5, 2), d = digits_at(s, 8, 2),
      h = digits_at(s, 11, 2), mi = digits_at(s, 14, 2),
      se = digits_at(s, 17, 2);
  if (s.size() < 20 || y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0
      || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60 || s[4] != '-'
      || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':'
      || s[16] != ':')
    return fail(why, forms), std::nullopt;
  static constexpr std::array<int, 12> mdays{31, 29, 31, 30, 31, 30,
                                             31, 31, 30, 31, 30, 31};
  if (d > mdays[static_cast<size_t>(mo - 1)]
      || (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
    return fail(why, forms), std::nullopt;
  size_t i = 19;
  if (s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && is_digit(s[i]))
      ++i;
    if (i == start)
      return fail(why, forms), std::nullopt;
  }
  int64_t offset = 0;
  auto zone = s.substr(i);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-')
             && zone[3] == ':') {
    int oh = digits_at(zone, 1, 2), om = digits_at(zone, 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59)
      return fail(why, forms), std::nullopt;
    offset = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return fail(why, forms), std::nullopt;
  }
  int64_t days
      = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + se - offset;
}

namespace {

// A cron value: a number in [lo, hi] or a name from `names` (index + base).
int cron_value(std::string_view v, int lo, int hi,
               const std::vector<std::string_view>& names, int base) {
  if (!v.empty() && v.size() <= 2
      && v.find_first_not_of("0123456789") == v.npos) {
    int n = std::stoi(std::string(v));
    return n >= lo && n <= hi ? n : -1;
  }
  for (size_t k = 0; k < names.size(); ++k) {
    std::string up;
    for (char c : v)
      up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (up == names[k])
      return static_cast<int>(k) + base;
  }
  return -1;
}

} // namespace

std::vector<std::string_view> cron_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
      ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t')
      ++i;
    if (i > start)
      fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

std::string check_cron(std::string_view text) {
  constexpr auto forms = "must be a 5-field cron expression (minute hour "
                         "day-of-month month day-of-week), e.g. \"0 3 * * *\"";
  auto fields = cron_fields(text);
  if (fields.size() != 5)
    return std::string(forms) + "; found " + std::to_string(fields.size())
           + " fields";
  static const std::vector<std::string_view> none;
  static const std::vector<std::string_view> months{"JAN", "FEB", "MAR", "APR",
                                                    "MAY", "JUN", "JUL", "AUG",
                                                    "SEP", "OCT", "NOV", "DEC"};
  static const std::vector<std::string_view> days{"SUN", "MON", "TUE", "WED",
                                                  "THU", "FRI", "SAT"};
  struct range {
    const char* what;
    int lo, hi;
    const std::vector<std::string_view>* names;
    int base;
  };
  const std::array<range, 5> ranges{{{"minute", 0, 59, &none, 0},
                                     {"hour", 0, 23, &none, 0},
                                     {"day-of-month", 1, 31, &none, 0},
                                     {"month", 1, 12, &months, 1},
                                     {"day-of-week", 0, 7, &days, 0}}};
  for (size_t f = 0; f < 5; ++f) {
    auto& r = ranges[f];
    auto bad = std::string(forms) + "; bad " + r.what + " field \""
               + std::string(fields[f]) + "\"";
    std::string_view rest = fields[f];
    while (true) {
      auto comma = rest.find(',');
      auto item = rest.substr(0, comma);
      auto slash = item.find('/');
      auto base = item.substr(0, slash);
      if (slash != item.npos) {
        auto step = item.substr(slash + 1);
        if (step.empty() || step.size() > 2
            || step.find_first_not_of("0123456789") != step.npos
            || std::stoi(std::string(step)) == 0)
          return bad;
      }
      if (base != "*") {
        auto dash = base.find('-');
        int a = cron_value(base.substr(0, dash), r.lo, r.hi, *r.names, r.base);
        int b = dash == base.npos ? a
                                  : cron_value(base.substr(dash + 1), r.lo,
                                               r.hi, *r.names, r.base);
        if (a < 0 || b < 0 || b < a)
          return bad;
      }
      if (comma == rest.npos)
        break;
      rest = rest.substr(comma + 1);
    }
  }
  return {};
}

std::string check_bandwidth(std::string_view text) {
  if (text.empty() || text.size() > 9
      || text.find_first_not_of("0123456789") != text.npos
      || text.find_first_not_of('0') == text.npos)
    return "must be a positive integer rate in Mbit/s (e.g. 100)";
  return {};
}

} // namespace kc::k8s::kubecombo
