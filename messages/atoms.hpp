#pragma once

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

// CAF 0.17.6 predefines these texts; alias them instead of re-adding
// (pitfall 9).
namespace kc::atom {
using get = caf::get_atom;
using put = caf::put_atom;
using tick = caf::tick_atom;
using ok = caf::ok_atom;
constexpr auto get_v = caf::get_atom_v;
constexpr auto put_v = caf::put_atom_v;
constexpr auto tick_v = caf::tick_atom_v;
constexpr auto ok_v = caf::ok_atom_v;
using spawn = caf::spawn_atom;
using subscribe = caf::subscribe_atom;
using remove = caf::delete_atom;
constexpr auto spawn_v = caf::spawn_atom_v;
constexpr auto subscribe_v = caf::subscribe_atom_v;
constexpr auto remove_v = caf::delete_atom_v;
} // namespace kc::atom

/// Run one reconcile pass for a key.
CAF_ADD_ATOM(kc_atoms, kc::atom, reconcile, "reconcile")
/// Ask an actor for its status summary.
CAF_ADD_ATOM(kc_atoms, kc::atom, status, "status")
/// Run one probe now.
CAF_ADD_ATOM(kc_atoms, kc::atom, probe, "probe")
/// A batch of probe results.
CAF_ADD_ATOM(kc_atoms, kc::atom, results, "results")
/// An informer event.
CAF_ADD_ATOM(kc_atoms, kc::atom, event, "event")
/// An informer finished its first full list.
CAF_ADD_ATOM(kc_atoms, kc::atom, synced, "synced")
/// An asynchronous HTTP call finished.
CAF_ADD_ATOM(kc_atoms, kc::atom, http_done, "http_done")
/// Stop gracefully.
CAF_ADD_ATOM(kc_atoms, kc::atom, shutdown, "shutdown")
/// Restart a supervised child after its backoff (runtime, internal).
CAF_ADD_ATOM(kc_atoms, kc::atom, restart, "restart")
/// A watch stream ended (informer, internal).
CAF_ADD_ATOM(kc_atoms, kc::atom, watch_end, "watch_end")
/// A reconcile pass finished (per-key actor, internal).
CAF_ADD_ATOM(kc_atoms, kc::atom, done, "done")
/// Run a key again after a delay or backoff (per-key actor, internal).
CAF_ADD_ATOM(kc_atoms, kc::atom, requeue, "requeue")
