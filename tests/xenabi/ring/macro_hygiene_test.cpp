// The ring and io protocol headers must compile after the C library's errno macros (EOPNOTSUPP,
// ENOMEM, ...) and after the macros kernels commonly define (DEBUG, NULL), since hosted back ends
// and guest kernels include them first.
#include <cerrno>
#include <cstddef>
#ifndef DEBUG
#define DEBUG 1
#endif

#include <xenabi/abi/io/blkif.hpp>
#include <xenabi/abi/io/console.hpp>
#include <xenabi/abi/io/netif.hpp>
#include <xenabi/abi/io/protocols.hpp>
#include <xenabi/abi/io/ring.hpp>
#include <xenabi/abi/io/xenbus.hpp>
#include <xenabi/abi/io/xs_wire.hpp>
#include <xenabi/byte_ring.hpp>
#include <xenabi/ring.hpp>

#include "xenabi_test.hpp"

TEST_CASE("io headers coexist with errno and common kernel macros", "[ring][abi]") {
  XENABI_BOTH_REQUIRE(static_cast<int>(xenabi::abi::BLKIF_RSP::eopnotsupp) == -2);
  XENABI_BOTH_REQUIRE(static_cast<int>(xenabi::abi::NETIF_RSP::null) == 1);
  XENABI_BOTH_REQUIRE(xenabi::abi::xsd_error_from_name("ENOMEM", 6) == xenabi::errc::enomem);
  REQUIRE(EOPNOTSUPP != 0);  // the macro really was defined before our headers
}
