// `--gateway auto`: the default gateway parsed from /proc/net/route text.
#include "probes/default_route.hpp"

#include <boost/test/unit_test.hpp>

using kc::probes::default_gateway_from;

BOOST_AUTO_TEST_SUITE(default_route)

BOOST_AUTO_TEST_CASE(finds_the_up_gateway_route) {
  const char* table
      = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU"
        "\tWindow\tIRTT\n"
        "eth0\t0012A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        "eth1\t00000000\t0101A8C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth0\t00000000\t010012C6\t0003\t0\t0\t100\t00000000\t0\t0\t0\n";
  // eth1's default route is not up (flags 0002); eth0's is: 198.18.0.1.
  auto gw = default_gateway_from(table);
  BOOST_REQUIRE(gw.has_value());
  BOOST_TEST(*gw == "198.18.0.1");
}

BOOST_AUTO_TEST_CASE(none_without_a_default_route) {
  BOOST_TEST(!default_gateway_from("Iface\tDestination\n").has_value());
  BOOST_TEST(!default_gateway_from(
                  "h\neth0\t0012A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n")
                  .has_value());
  BOOST_TEST(!default_gateway_from("h\ngarbage line\n").has_value());
  BOOST_TEST(!kc::probes::default_gateway("/nonexistent/route").has_value());
}

BOOST_AUTO_TEST_SUITE_END()
