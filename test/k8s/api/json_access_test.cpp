// The shared JSON accessors (k8s/api/json_access.hpp).

#include "k8s/api/json_access.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using namespace kc::k8s;

BOOST_AUTO_TEST_SUITE(json_access)

BOOST_AUTO_TEST_CASE(typed_reads_fall_back_on_absent_or_mistyped_keys) {
  auto o = json::parse(R"({"s":"x","b":true,"i":-3,"u":18446744073709551,
                           "o":{},"a":[],"wrong":"7"})").as_object();
  BOOST_TEST(str_at(o, "s") == "x");
  BOOST_TEST(str_at(o, "i") == "");
  BOOST_TEST(bool_at(o, "b"));
  BOOST_TEST(!bool_at(o, "s"));
  BOOST_TEST(int_at(o, "i") == -3);
  BOOST_TEST(int_at(o, "u") == 18446744073709551);
  BOOST_TEST(int_at(o, "wrong") == 0);
  BOOST_TEST(int_at(o, "missing") == 0);
  BOOST_TEST(obj_at(o, "o") != nullptr);
  BOOST_TEST(obj_at(o, "a") == nullptr);
  BOOST_TEST(arr_at(o, "a") != nullptr);
  BOOST_TEST(arr_at(o, "o") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
