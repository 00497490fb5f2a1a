#include "actors/runtime/actor_registry.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace kc::runtime {

actor_entry::actor_entry(std::string name, std::string parent)
  : name_(std::move(name)), parent_(std::move(parent)) {
}

void actor_entry::set_state(std::string summary) {
  std::lock_guard guard{mtx_};
  state_ = std::move(summary);
}

void actor_entry::set_error(std::string error) {
  std::lock_guard guard{mtx_};
  last_error_ = std::move(error);
}

std::string actor_entry::last_error() const {
  std::lock_guard guard{mtx_};
  return last_error_;
}

actor_view actor_entry::view() const {
  actor_view v;
  v.name = name_;
  v.parent = parent_;
  v.id = id_.load(std::memory_order_relaxed);
  v.handled = handled_.load(std::memory_order_relaxed);
  v.backlog = backlog_.load(std::memory_order_relaxed);
  v.restarts = restarts_.load(std::memory_order_relaxed);
  std::lock_guard guard{mtx_};
  v.state = state_;
  v.last_error = last_error_;
  return v;
}

entry_ptr actor_registry::add(std::string name, std::string parent) {
  auto e = std::make_shared<actor_entry>(std::move(name), std::move(parent));
  std::lock_guard guard{mtx_};
  entries_.push_back(e);
  return e;
}

void actor_registry::remove(const entry_ptr& entry) {
  if (!entry)
    return;
  std::lock_guard guard{mtx_};
  auto i = std::find(entries_.begin(), entries_.end(), entry);
  if (i != entries_.end()) {
    *i = std::move(entries_.back());
    entries_.pop_back();
  }
}

entry_ptr actor_registry::find(std::string_view name) const {
  std::lock_guard guard{mtx_};
  for (auto& e : entries_)
    if (e->name() == name)
      return e;
  return nullptr;
}

std::vector<actor_view> actor_registry::list() const {
  std::vector<entry_ptr> copy;
  {
    std::lock_guard guard{mtx_};
    copy = entries_;
  }
  std::vector<actor_view> result;
  result.reserve(copy.size());
  for (auto& e : copy)
    result.push_back(e->view());
  std::sort(result.begin(), result.end(),
            [](const actor_view& a, const actor_view& b) {
              return a.name != b.name ? a.name < b.name : a.id < b.id;
            });
  return result;
}

std::size_t actor_registry::size() const {
  std::lock_guard guard{mtx_};
  return entries_.size();
}

std::string actor_registry::to_json() const {
  boost::json::array actors;
  for (auto& v : list()) {
    boost::json::object o;
    o["name"] = v.name;
    o["parent"] = v.parent;
    o["id"] = v.id;
    o["state"] = v.state;
    o["handled"] = v.handled;
    o["backlog"] = v.backlog;
    o["restarts"] = v.restarts;
    o["last_error"] = v.last_error;
    actors.push_back(std::move(o));
  }
  boost::json::object doc;
  doc["actors"] = std::move(actors);
  return boost::json::serialize(doc);
}

scoped_registration::scoped_registration(actor_registry& reg, std::string name,
                                         std::string parent)
  : reg_(&reg), entry_(reg.add(std::move(name), std::move(parent))) {
}

scoped_registration::scoped_registration(scoped_registration&& other) noexcept
  : reg_(other.reg_), entry_(std::move(other.entry_)) {
  other.reg_ = nullptr;
}

scoped_registration&
scoped_registration::operator=(scoped_registration&& other) noexcept {
  if (this != &other) {
    if (reg_)
      reg_->remove(entry_);
    reg_ = other.reg_;
    entry_ = std::move(other.entry_);
    other.reg_ = nullptr;
  }
  return *this;
}

scoped_registration::~scoped_registration() {
  if (reg_)
    reg_->remove(entry_);
}

actor_registry& global_actor_registry() {
  static actor_registry instance;
  return instance;
}

std::function<std::string()> debug_actors_route(const actor_registry& reg) {
  return [&reg] { return reg.to_json(); };
}

} // namespace kc::runtime
