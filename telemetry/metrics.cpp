// The registry: registration rules, callback metrics, name validation.

#include "telemetry/metrics.hpp"

#include "telemetry/exposition.hpp"

#include <cmath>
#include <stdexcept>

namespace kc::telemetry {

// -- callbacks ----------------------------------------------------------------

namespace {

std::vector<std::string> to_strings(const std::vector<std::string>& values) {
  std::vector<std::string> result;
  result.reserve(values.size());
  for (std::string_view v : values)
    result.push_back(detail::sanitize_utf8(v));
  return result;
}

class callback_family final : public detail::family_base {
public:
  using function = std::function<std::vector<callback_sample>()>;
  callback_family(std::string name, std::string help, metric_type type,
                  std::vector<std::string> label_names, function fn)
    : family_base(std::move(name), std::move(help), type,
                  std::move(label_names)),
      fn_(std::move(fn)) {}

  void expose(std::string& out) const override {
    std::vector<callback_sample> samples;
    try {
      samples = fn_();
    } catch (...) {
      return; // a failing callback drops its series for this scrape only
    }
    bool first = true;
    for (auto& s : samples) {
      if (s.label_values.size() != label_names_.size())
        continue;
      if (first)
        detail::append_header(out, name_, help_, type_);
      first = false;
      detail::append_sample(
          out, name_, "",
          detail::label_pairs(label_names_, to_strings(s.label_values)),
          s.value);
    }
  }

private:
  function fn_;
};

} // namespace

// -- registry -----------------------------------------------------------------

bool valid_metric_name(std::string_view name) {
  if (name.empty())
    return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
              || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok)
      return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__"))
    return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
              || (i > 0 && c >= '0' && c <= '9');
    if (!ok)
      return false;
  }
  return true;
}

namespace {

constexpr std::string_view histogram_suffixes[] = {"_bucket", "_sum", "_count"};

std::string full_name(metric_type type, std::string_view name) {
  std::string result{name};
  if (type == metric_type::counter && !result.ends_with("_total"))
    result += "_total";
  return result;
}

void validate(const std::string& name, metric_type type,
              const std::vector<std::string>& label_names) {
  if (!valid_metric_name(name))
    throw std::invalid_argument("invalid metric name \"" + name
                                + "\": must match [a-zA-Z_:][a-zA-Z0-9_:]*");
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const auto& label = label_names[i];
    if (!valid_label_name(label))
      throw std::invalid_argument(
          "metric \"" + name + "\": invalid label name \"" + label
          + "\": must match [a-zA-Z_][a-zA-Z0-9_]* without a leading __");
    if (type == metric_type::histogram && label == "le")
      throw std::invalid_argument("histogram \"" + name
                                  + "\": label name \"le\" is reserved");
    for (std::size_t j = 0; j < i; ++j)
      if (label_names[j] == label)
        throw std::invalid_argument(
            "metric \"" + name + "\": duplicate label name \"" + label + "\"");
  }
}

} // namespace

registry::registry() = default;

registry::~registry() = default;

template <class F>
F& registry::add_family(std::string_view name, std::string_view help,
                        metric_type type, std::vector<std::string> label_names,
                        std::vector<double> bounds) {
  auto full = full_name(type, name);
  validate(full, type, label_names);
  if (type == metric_type::histogram)
    (void)histogram{
        bounds}; // validates the bounds before anything is registered
  std::lock_guard lock{mtx_};
  if (auto i = families_.find(full); i != families_.end()) {
    auto* existing = dynamic_cast<F*>(i->second.get());
    if (existing && existing->type() == type
        && existing->label_names() == label_names
        && existing->bounds() == bounds)
      return *existing;
    throw std::invalid_argument("metric \"" + full
                                + "\" is already registered with another "
                                  "type, labels or buckets");
  }
  for (auto suffix : histogram_suffixes) {
    auto clash = [&](const std::string& other) {
      throw std::invalid_argument("metric \"" + full
                                  + "\" collides with "
                                    "the series of histogram \""
                                  + other + "\"");
    };
    if (full.ends_with(suffix)) {
      auto base = full.substr(0, full.size() - suffix.size());
      if (auto i = families_.find(base);
          i != families_.end() && i->second->type() == metric_type::histogram)
        clash(base);
    }
    if (type == metric_type::histogram
        && families_.count(full + std::string{suffix}) > 0)
      clash(full);
  }
  auto family = std::make_unique<F>(full, std::string{help}, type,
                                    std::move(label_names), std::move(bounds));
  auto& result = *family;
  families_.emplace(full, std::move(family));
  return result;
}

counter& registry::add_counter(std::string_view name, std::string_view help) {
  return *add_counter_family(name, help, {}).with({});
}

gauge& registry::add_gauge(std::string_view name, std::string_view help) {
  return *add_gauge_family(name, help, {}).with({});
}

histogram& registry::add_histogram(std::string_view name, std::string_view help,
                                   std::vector<double> bounds) {
  return *add_histogram_family(name, help, {}, std::move(bounds)).with({});
}

family<counter>&
registry::add_counter_family(std::string_view name, std::string_view help,
                             std::vector<std::string> label_names) {
  return add_family<family<counter>>(name, help, metric_type::counter,
                                     std::move(label_names), {});
}

family<gauge>&
registry::add_gauge_family(std::string_view name, std::string_view help,
                           std::vector<std::string> label_names) {
  return add_family<family<gauge>>(name, help, metric_type::gauge,
                                   std::move(label_names), {});
}

family<histogram>&
registry::add_histogram_family(std::string_view name, std::string_view help,
                               std::vector<std::string> label_names,
                               std::vector<double> bounds) {
  return add_family<family<histogram>>(name, help, metric_type::histogram,
                                       std::move(label_names),
                                       std::move(bounds));
}

void registry::add_callback(metric_type type, std::string_view name,
                            std::string_view help, std::function<double()> fn) {
  add_callback_family(type, name, help, {},
                      [fn = std::move(fn)]() -> std::vector<callback_sample> {
                        return {callback_sample{{}, fn()}};
                      });
}

void registry::add_callback_family(
    metric_type type, std::string_view name, std::string_view help,
    std::vector<std::string> label_names,
    std::function<std::vector<callback_sample>()> fn) {
  if (type == metric_type::histogram)
    throw std::invalid_argument("callback metric \"" + std::string{name}
                                + "\" must be a counter or a gauge");
  auto full = full_name(type, name);
  validate(full, type, label_names);
  std::lock_guard lock{mtx_};
  auto i = families_.find(full);
  if (i != families_.end() && !dynamic_cast<callback_family*>(i->second.get()))
    throw std::invalid_argument("metric \"" + full
                                + "\" is already registered");
  // Re-registering a callback replaces it (a restarted component).
  auto family = std::make_unique<callback_family>(
      full, std::string{help}, type, std::move(label_names), std::move(fn));
  if (i != families_.end())
    i->second = std::move(family);
  else
    families_.emplace(full, std::move(family));
}

bool registry::remove_callback(std::string_view name) {
  std::lock_guard lock{mtx_};
  for (auto type : {metric_type::gauge, metric_type::counter}) {
    auto i = families_.find(full_name(type, name));
    if (i != families_.end()
        && dynamic_cast<callback_family*>(i->second.get())) {
      families_.erase(i);
      return true;
    }
  }
  return false;
}

void registry::expose(std::string& out) const {
  std::lock_guard lock{mtx_};
  for (const auto& [name, family] : families_)
    family->expose(out);
}

std::string registry::expose() const {
  std::string out;
  expose(out);
  return out;
}

registry& global_registry() {
  static registry instance;
  return instance;
}

} // namespace kc::telemetry
