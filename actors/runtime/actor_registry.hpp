#pragma once

// The registry behind /debug/actors (issue 4 item 6): one entry per live
// actor with its DESIGN §3 name and parent, a state summary, messages
// handled, backlog (mailbox size), restarts and the last error.
//
// Thread-safe. SUPERVISORS create and remove the entries of their children
// (child_context::entry); an actor updates its own entry from its handlers:
//   ctx.entry->handled(self);            // top of a handler: count + backlog
//   ctx.entry->set_state("watching rv=42");
// Plug it into the admin listener:
//   routes.debug_actors = kc::runtime::debug_actors_route(registry);

#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kc::runtime {

/// A copy of one entry, for rendering and tests.
struct actor_view {
  std::string name;
  std::string parent;
  uint64_t id = 0;
  std::string state;
  uint64_t handled = 0;
  uint64_t backlog = 0;
  uint64_t restarts = 0;
  std::string last_error;
};

/// The live statistics of one actor. Counters are relaxed atomics; the
/// strings are guarded by a mutex. Any thread may read or write.
class actor_entry {
public:
  actor_entry(std::string name, std::string parent);

  const std::string& name() const noexcept {
    return name_;
  }
  const std::string& parent() const noexcept {
    return parent_;
  }

  /// Counts one handled message and samples the mailbox size. Call it on
  /// the actor's own thread only (it reads the actor's mailbox).
  template <class Self>
  void handled(Self* self) {
    handled_.fetch_add(1, std::memory_order_relaxed);
    backlog_.store(self->mailbox().size(), std::memory_order_relaxed);
  }
  /// Counts one handled message without a backlog sample.
  void count_message() noexcept {
    handled_.fetch_add(1, std::memory_order_relaxed);
  }
  void set_id(uint64_t id) noexcept {
    id_.store(id, std::memory_order_relaxed);
  }
  void set_state(std::string summary);
  void set_error(std::string error);
  void set_restarts(uint64_t n) noexcept {
    restarts_.store(n, std::memory_order_relaxed);
  }
  uint64_t restarts() const noexcept {
    return restarts_.load(std::memory_order_relaxed);
  }
  std::string last_error() const;

  actor_view view() const;

private:
  const std::string name_;
  const std::string parent_;
  std::atomic<uint64_t> id_{0};
  std::atomic<uint64_t> handled_{0};
  std::atomic<uint64_t> backlog_{0};
  std::atomic<uint64_t> restarts_{0};
  mutable std::mutex mtx_;
  std::string state_;
  std::string last_error_;
};

using entry_ptr = std::shared_ptr<actor_entry>;

/// All live actors of a process.
class actor_registry {
public:
  /// Adds an entry (names need not be unique: a restarting child may
  /// briefly overlap its predecessor).
  entry_ptr add(std::string name, std::string parent);
  /// Removes exactly this entry; no-op if absent.
  void remove(const entry_ptr& entry);
  /// The first entry with this name, or null.
  entry_ptr find(std::string_view name) const;
  /// Every entry, sorted by name.
  std::vector<actor_view> list() const;
  std::size_t size() const;
  /// {"actors":[{"name":..,"parent":..,"id":..,"state":..,"handled":..,
  ///   "backlog":..,"restarts":..,"last_error":..}, ...]} sorted by name.
  std::string to_json() const;

private:
  mutable std::mutex mtx_;
  std::vector<entry_ptr> entries_;
};

/// Removes its entry from the registry when destroyed (keep it in the
/// state of an actor that registers itself, e.g. `root`).
class scoped_registration {
public:
  scoped_registration() = default;
  scoped_registration(actor_registry& reg, std::string name,
                      std::string parent);
  scoped_registration(scoped_registration&& other) noexcept;
  scoped_registration& operator=(scoped_registration&& other) noexcept;
  ~scoped_registration();
  const entry_ptr& entry() const noexcept {
    return entry_;
  }

private:
  actor_registry* reg_ = nullptr;
  entry_ptr entry_;
};

/// The process-wide registry the controller and the agents use.
actor_registry& global_actor_registry();

/// The admin listener's `debug_actors` callback for `reg`.
std::function<std::string()> debug_actors_route(const actor_registry& reg);

} // namespace kc::runtime
