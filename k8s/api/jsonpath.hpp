#pragma once

// The subset of kubectl/apiserver JSONPath that CRD printer columns
// (additionalPrinterColumns[].jsonPath) use, evaluated to ONE value the way
// the apiserver's table convertor does (the first result):
//
//   .a.b  {.a.b}  $.a  .a[0]  .a[-1]  .a['x.y']  .metadata.labels.app\.io/n
//   .status.conditions[?(@.type=="Ready")].status    (filter: == or !=
//        against a quoted string, number, true/false/null; or ?(@.f) = exists)
//
//   auto* v = kc::k8s::eval_jsonpath(obj,
//   R"(.status.conditions[?(@.type=="Ready")].status)");

#include <boost/json/value.hpp>

#include <string_view>

namespace kc::k8s {

/// The first value `path` selects in `root`, or null if none (absent field,
/// no matching element, or a path outside the subset above).
const boost::json::value* eval_jsonpath(const boost::json::value& root,
                                        std::string_view path);

} // namespace kc::k8s
