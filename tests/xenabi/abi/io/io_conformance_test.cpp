// io protocol headers against libxen-dev, x86_64 (the -m32 twin is io_conformance32.cpp).
#include "io_conformance.hpp"

#include <cstdio>

#include "xenabi_test.hpp"

TEST_CASE("io ABI structures and constants match libxen-dev (x86_64, compile time)",
          "[abi][io][conformance]") {
  // The static_asserts are the test; the counts show that the hooks saw the headers' facts.
  const auto& c = io_conformance::total();
  std::printf("io ABI conformance (x86_64): %d structures, %d fields, %d constants via the hooks\n",
              c.structs, c.fields, c.constants);
  REQUIRE(c.structs >= 15);
  REQUIRE(c.fields >= 60);
  REQUIRE(c.constants >= 100);
  REQUIRE(sizeof(xenabi::abi::blkif_request) == sizeof(::blkif_request));
}

TEST_CASE("xenstore error table matches libxen-dev's xsd_errors", "[abi][io][conformance]") {
  REQUIRE(io_conformance::xsd_errors_match());
}

TEST_CASE("xenstore error names round-trip", "[abi][io][xs_wire]") {
  namespace abi = xenabi::abi;
  for (const auto& e : abi::xsd_error_table) {
    REQUIRE(abi::xsd_error_name(e.errnum) == e.errstring);
    std::string s = e.errstring;
    REQUIRE(abi::xsd_error_from_name(s.c_str(), s.size()) == e.errnum);
    REQUIRE(abi::xsd_error_from_name(s.c_str(), s.size() + 1) == e.errnum);  // with the nul
  }
  REQUIRE(abi::xsd_error_name(xenabi::errc::etimedout) == nullptr);
  REQUIRE(abi::xsd_error_from_name("EWHAT", 5) == xenabi::errc::einval);
  REQUIRE(abi::xsd_error_from_name("ENOENTX", 6) == xenabi::errc::enoent);  // length-bounded
  XENABI_BOTH_REQUIRE(abi::xsd_error_from_name("EEXIST", 6) == xenabi::errc::eexist);
}
