// Tests for xenabi/core/types.hpp: strong types and checked arithmetic.
#include <xenabi/core/types.hpp>

#include <type_traits>

#include "xenabi_test.hpp"

using namespace xenabi;

static_assert(!std::is_convertible_v<pfn, phys_addr>, "a frame is not an address");
static_assert(!std::is_convertible_v<u64, phys_addr>, "no implicit wrapping");
static_assert(!std::is_convertible_v<gfn, mfn>, "frame kinds do not mix");
static_assert(!std::is_convertible_v<port, grant_ref>, "ports are not grant refs");
static_assert(sizeof(port) == 4 && sizeof(domain_id) == 2 && sizeof(phys_addr) == 8);
static_assert(std::is_trivially_copyable_v<phys_addr>);

TEST_CASE("checked arithmetic reports overflow", "[core][types]") {
  XENABI_BOTH_REQUIRE(checked_add<u32>(0xFFFFFFFEu, 1u).value() == 0xFFFFFFFFu);
  XENABI_BOTH_REQUIRE(checked_add<u32>(0xFFFFFFFFu, 1u) == errc::eoverflow);
  XENABI_BOTH_REQUIRE(checked_sub<u64>(1, 2) == errc::eoverflow);
  XENABI_BOTH_REQUIRE(checked_mul<u64>(1ull << 32, 1ull << 32) == errc::eoverflow);
  XENABI_BOTH_REQUIRE(checked_mul<u64>(1ull << 31, 1ull << 32).value() == 1ull << 63);
  XENABI_BOTH_REQUIRE(checked_narrow<u16>(u32{65536}) == errc::erange);
  XENABI_BOTH_REQUIRE(checked_narrow<u16>(u32{65535}).value() == 65535);
}

TEST_CASE("addresses and frames convert with checks", "[core][types]") {
  constexpr phys_addr a{0x12345};
  XENABI_BOTH_REQUIRE(pfn::containing(a) == pfn{0x12});
  XENABI_BOTH_REQUIRE(a.page_offset() == 0x345);
  XENABI_BOTH_REQUIRE(a.page_base() == phys_addr{0x12000});
  XENABI_BOTH_REQUIRE(!a.is_aligned(8) && phys_addr{0x1000}.is_aligned(0x1000));
  XENABI_BOTH_REQUIRE(pfn{0x12}.address().value() == phys_addr{0x12000});
  XENABI_BOTH_REQUIRE(pfn{~0ull}.address() == errc::eoverflow);
  XENABI_BOTH_REQUIRE(phys_addr{~0ull}.offset(1) == errc::eoverflow);
  XENABI_BOTH_REQUIRE(phys_addr{1}.offset(2).value() == phys_addr{3});
  XENABI_BOTH_REQUIRE(mfn{~0ull}.next() == errc::eoverflow);
  XENABI_BOTH_REQUIRE(port{3} < port{4});
}
