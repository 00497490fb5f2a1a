#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>

namespace kc::k8s::cells {

// The row cells of the built-in printers (k8s pkg/printers/internalversion),
// always in the wide column order. [added by B; internal]

using clock_point = std::chrono::system_clock::time_point;

boost::json::array pod_cells(const boost::json::object& o, clock_point now);
boost::json::array node_cells(const boost::json::object& o, clock_point now);
boost::json::array deployment_cells(const boost::json::object& o, clock_point now);
boost::json::array daemonset_cells(const boost::json::object& o, clock_point now);
boost::json::array namespace_cells(const boost::json::object& o, clock_point now);
boost::json::array configmap_cells(const boost::json::object& o, clock_point now);
boost::json::array secret_cells(const boost::json::object& o, clock_point now);
boost::json::array service_cells(const boost::json::object& o, clock_point now);
boost::json::array core_event_cells(const boost::json::object& o, clock_point now);
boost::json::array events_v1_cells(const boost::json::object& o, clock_point now);
boost::json::array lease_cells(const boost::json::object& o, clock_point now);
boost::json::array serviceaccount_cells(const boost::json::object& o, clock_point now);
boost::json::array created_at_cells(const boost::json::object& o, clock_point now);
boost::json::array binding_cells(const boost::json::object& o, clock_point now);
boost::json::array webhook_cells(const boost::json::object& o, clock_point now);
boost::json::array endpoints_cells(const boost::json::object& o, clock_point now);

} // namespace kc::k8s::cells
