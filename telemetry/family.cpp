// Metric families: child lookup, creation and removal, and exposition.

#include "telemetry/family.hpp"

#include "telemetry/exposition.hpp"

#include <stdexcept>

namespace kc::telemetry {

namespace detail {

family_base::family_base(std::string name, std::string help, metric_type type,
                         std::vector<std::string> label_names)
  : name_(std::move(name)), help_(sanitize_utf8(help)), type_(type),
    label_names_(std::move(label_names)) {}

family_base::~family_base() = default;

} // namespace detail

namespace {

using detail::append_sample;

std::string with_le(const std::string& pairs, const std::string& le) {
  std::string result = pairs;
  if (!result.empty())
    result.push_back(',');
  result.append("le=\"").append(le).push_back('"');
  return result;
}

void expose_child(std::string& out, const std::string& name,
                  const std::string& pairs, const counter& c,
                  const std::vector<std::string>&) {
  append_sample(out, name, "", pairs, c.value());
}

void expose_child(std::string& out, const std::string& name,
                  const std::string& pairs, const gauge& g,
                  const std::vector<std::string>&) {
  append_sample(out, name, "", pairs, g.value());
}

void expose_child(std::string& out, const std::string& name,
                  const std::string& pairs, const histogram& h,
                  const std::vector<std::string>& les) {
  auto snap = h.collect();
  for (std::size_t i = 0; i < les.size(); ++i)
    append_sample(out, name, "_bucket", with_le(pairs, les[i]),
                  snap.cumulative[i]);
  append_sample(out, name, "_sum", pairs, snap.sum);
  append_sample(out, name, "_count", pairs, snap.count);
}

template <class Range>
std::vector<std::string> to_strings(const Range& values) {
  std::vector<std::string> result;
  result.reserve(values.size());
  for (std::string_view v : values)
    result.push_back(detail::sanitize_utf8(v));
  return result;
}

} // namespace

// -- family -------------------------------------------------------------------

template <class T>
family<T>::family(std::string name, std::string help, metric_type type,
                  std::vector<std::string> label_names,
                  std::vector<double> bounds)
  : family_base(std::move(name), std::move(help), type, std::move(label_names)),
    bounds_(std::move(bounds)) {}

template <class T>
template <class Range>
auto family<T>::with_range(const Range& values) -> handle {
  if (values.size() != label_names_.size())
    throw std::invalid_argument(
        "metric \"" + name_ + "\" takes " + std::to_string(label_names_.size())
        + " label values, got " + std::to_string(values.size()));
  for (std::string_view v : values)
    if (!detail::valid_utf8(v))
      return with_range(to_strings(values));
  {
    std::shared_lock lock{mtx_};
    if (auto i = children_.find(values); i != children_.end())
      return i->second;
  }
  std::unique_lock lock{mtx_};
  auto [i, added] = children_.try_emplace(to_strings(values), nullptr);
  if (added) {
    if constexpr (std::is_same_v<T, histogram>)
      i->second = std::make_shared<T>(bounds_);
    else
      i->second = std::make_shared<T>();
  }
  return i->second;
}

template <class T>
auto family<T>::with(std::initializer_list<std::string_view> values) -> handle {
  return with_range(values);
}

template <class T>
auto family<T>::with(const std::vector<std::string>& values) -> handle {
  return with_range(values);
}

template <class T>
template <class Range>
bool family<T>::remove_range(const Range& values) {
  auto key = to_strings(values);
  std::unique_lock lock{mtx_};
  return children_.erase(key) > 0;
}

template <class T>
bool family<T>::remove(std::initializer_list<std::string_view> values) {
  return remove_range(values);
}

template <class T>
bool family<T>::remove(const std::vector<std::string>& values) {
  return remove_range(values);
}

template <class T>
void family<T>::clear() {
  std::unique_lock lock{mtx_};
  children_.clear();
}

template <class T>
std::size_t family<T>::size() const {
  std::shared_lock lock{mtx_};
  return children_.size();
}

template <class T>
void family<T>::expose(std::string& out) const {
  std::vector<std::string> les;
  if constexpr (std::is_same_v<T, histogram>) {
    for (double b : bounds_) {
      les.emplace_back();
      detail::append_value(les.back(), b);
    }
    les.emplace_back("+Inf");
  }
  std::shared_lock lock{mtx_};
  if (children_.empty())
    return;
  detail::append_header(out, name_, help_, type_);
  for (const auto& [values, child] : children_)
    expose_child(out, name_, detail::label_pairs(label_names_, values), *child,
                 les);
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

} // namespace kc::telemetry
