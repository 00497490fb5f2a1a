#pragma once

#include "k8s/api/resource_type.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace kc::k8s {

/// What each Table row carries in `object` (api:T2).
enum class include_object { none, metadata, object };

/// Parses the `includeObject` query parameter (default: metadata).
include_object parse_include_object(const std::string& text);

/// True if an Accept header asks for `as=Table` (api:T1).
bool wants_table(const std::string& accept);

/// Builds a meta.k8s.io/v1 Table (api:T1–T4) for `objects` of `type`.
/// Built-ins get kubectl's usual columns (pods: Name, Ready, Status,
/// Restarts, Age; wide: IP, Node, ...); custom resources get their printer
/// columns. `with_columns` = false omits columnDefinitions (watch events
/// after the first). `now` renders Age cells ("5m").
boost::json::object
make_table(const resource_type& type,
           const std::vector<std::shared_ptr<const boost::json::object>>& objects,
           include_object include, bool with_columns,
           const std::string& resource_version,
           std::chrono::system_clock::time_point now);

/// Renders an age the way kubectl does: "5s", "3m", "2d3h", ...
std::string human_duration(std::chrono::seconds age);

} // namespace kc::k8s
