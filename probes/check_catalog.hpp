#pragma once

// The check library on disk: finding checks under the scripts directory and
// keeping the per-category errlogs (`<scripts>/<category>/errlog/<run>.log`).

#include "probes/check_result.hpp"

#include <string>
#include <vector>

namespace kc::checks {

/// The built-in categories, in report order.
inline const std::vector<std::string> builtin_categories
    = {"disk", "net", "mem", "svc"};

/// Returns the checks in `<scripts_dir>/<category>/` for each category, sorted
/// by name: every entry that is (or links to) a regular file, except hidden
/// names (ConfigMap bookkeeping) and `*.md` documentation.
std::vector<check_spec>
discover_checks(const std::string& scripts_dir,
                const std::vector<std::string>& categories);

/// Returns true if `<scripts_dir>/custom/` holds at least one check.
bool has_user_scripts(const std::string& scripts_dir);

/// Returns the errlog directory of `category`, creating it:
/// `<scripts_dir>/<category>/errlog`, or, when that cannot be created (a
/// read-only ConfigMap mount), `<tmp>/kubecombo-errlog/<category>/errlog`.
/// Sets `note` to a readable line when the fallback was used.
std::string errlog_dir(const std::string& scripts_dir,
                       const std::string& category, std::string& note);

/// Creates the errlog directories of `categories`; returns readable notes.
std::vector<std::string>
ensure_errlog_dirs(const std::string& scripts_dir,
                   const std::vector<std::string>& categories);

/// Appends the failed checks (problem or unknown) of `results` to
/// `<errlog dir>/<run_id>.log` per category, keeps the newest `keep` logs per
/// category, and returns the paths written. Writes nothing for a category
/// without failures.
std::vector<std::string> write_errlogs(const std::string& scripts_dir,
                                       const std::string& run_id,
                                       const std::vector<check_result>& results,
                                       std::size_t keep = 30);

/// Returns the current UTC time as RFC 3339 (`2026-11-28T16:00:00Z`).
std::string utc_timestamp();

/// Returns the run id of the current instant (`YYYYMMDD-HHMMSS`, UTC).
std::string run_id_now();

/// Returns true if `id` has the run id form `YYYYMMDD-HHMMSS`.
bool valid_run_id(const std::string& id);

} // namespace kc::checks
