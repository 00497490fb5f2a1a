#pragma once

// The user scripts of the `debug` container (ADR 0045): the ConfigMap is
// mounted read-only at <scripts-dir>/custom-src; at start the agent copies its
// files into the writable <scripts-dir>/custom, so the errlogs of custom
// checks land at the contract path <scripts-dir>/custom/errlog/<run-id>.log.

#include <string>

namespace kc::cmd::debugger {

/// Copies every regular file (symlinks followed, as a ConfigMap volume's
/// keys are; "..*" entries skipped) of <scripts_dir>/custom-src into
/// <scripts_dir>/custom (created), each with the source's permission bits
/// exactly (a script without the x bit stays without it). Returns the log
/// line ("custom scripts: N copied from …", plus the files that failed), or
/// "" when custom-src does not exist (nothing changes).
std::string copy_user_scripts(const std::string& scripts_dir);

} // namespace kc::cmd::debugger
