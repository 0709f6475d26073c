// Conformance of xenabi/abi with Xen's own public headers (libxen-dev, Xen 4.17), for the width
// this file is compiled for (the build compiles it twice: x86_64 and i386 with -m32).
//
// Nothing here lists a structure, a field or a constant: the xenabi headers replay their own
// XENABI_LAYOUT / XENABI_LAYOUT_W / XENABI_CONSTANTS lines into the hooks defined below, and each
// replayed fact is compared with Xen's same-named struct or macro at compile time:
//   struct:   sizeof and alignof equal to Xen's;
//   field:    offsetof and sizeof equal to Xen's, same signedness for integers;
//   constant: value equal to Xen's macro `prefix##name` (compared as mathematical integers).
// Width-tagged structures and constants (abi::x86_64::..., abi::x86_32::...) are compared only in
// the compilation of their width (Xen's headers define one width at a time). The program prints
// how many structures, fields and constants were checked and fails if a count is zero.
#include <cstddef>
#include <stdint.h>  // Xen's headers expect uint32_t etc. in the global namespace
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>

#include "../../../support/conformance_compare.hpp"

// Xen's public headers, guest view (no __XEN__ / __XEN_TOOLS__), at the interface version we
// implement: Xen 4.17's latest.
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/elfnote.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/nmi.h>
#include <xen/physdev.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/hvm_vcpu.h>
#include <xen/hvm/params.h>

// Xen's function-like macros, captured as functions before they are #undef'd: xenabi has
// same-named constexpr functions, which the macros would otherwise rewrite.
namespace xen_fn {
#if defined(__x86_64__)
constexpr unsigned long pfn_to_cr3(unsigned long pfn) { return xen_pfn_to_cr3(pfn); }
constexpr unsigned long cr3_to_pfn(unsigned long cr3) { return xen_cr3_to_pfn(cr3); }
#else
constexpr unsigned pfn_to_cr3(unsigned pfn) { return xen_pfn_to_cr3(pfn); }
constexpr unsigned cr3_to_pfn(unsigned cr3) { return xen_cr3_to_pfn(cr3); }
#endif
constexpr uint32_t physid_to_apicid(uint64_t id) { return xen_vcpu_physid_to_x86_apicid(id); }
constexpr uint32_t physid_to_acpiid(uint64_t id) { return xen_vcpu_physid_to_x86_acpiid(id); }
constexpr unsigned memf_node(unsigned n) { return XENMEMF_node(n); }
constexpr unsigned memf_get_node(unsigned x) { return XENMEMF_get_node(x); }
constexpr unsigned memf_exact_node(unsigned n) { return XENMEMF_exact_node(n); }
constexpr unsigned memf_address_bits(unsigned n) { return XENMEMF_address_bits(n); }
constexpr unsigned memf_get_address_bits(unsigned x) { return XENMEMF_get_address_bits(x); }
constexpr unsigned long long ioreq_frame(unsigned long long n) {
  return XENMEM_resource_ioreq_server_frame_ioreq(n);
}
}  // namespace xen_fn
#undef xen_pfn_to_cr3
#undef xen_cr3_to_pfn
#undef xen_vcpu_physid_to_x86_apicid
#undef xen_vcpu_physid_to_x86_acpiid

namespace conf {
struct counts {
  int structs = 0;
  int fields = 0;
  int constants = 0;
};
inline counts& total() {
  static counts c;
  return c;
}
inline const char* checked_structs[1024];
inline int add_struct(const char* xen_name, int nfields) {
  if (total().structs < 1024) checked_structs[total().structs] = xen_name;
  ++total().structs;
  total().fields += nfields;
  return 0;
}
// The Xen spellings of the constants checked, for `--list-constants` (the coverage test
// compares them with every macro Xen's headers define).
inline const char* checked_names[4096];
inline int add_constant(const char* xen_name) {
  if (total().constants < 4096) checked_names[total().constants] = xen_name;
  ++total().constants;
  return 0;
}
// Every width-tagged layout as compiled here (both widths, whatever the target), for
// `--list-layouts`: the cross-width test checks that each width's layout compiled for the other
// width is byte for byte the one compiled for its own (a 64-bit hypervisor reads 32-bit guests).
struct layout_record {
  const char* width;
  const char* name;
  std::size_t size;
  std::size_t align;
  const std::size_t* offsets;
  std::size_t n;
};
inline layout_record layouts[512];
inline int nlayouts = 0;
inline int add_layout(const char* width, const char* name, std::size_t size, std::size_t align,
                      const std::size_t* offsets, std::size_t n) {
  if (nlayouts < 512) layouts[nlayouts++] = {width, name, size, align, offsets, n};
  return 0;
}
using xenabi_conformance::integral_value;
using xenabi_conformance::same_value;
using xenabi_conformance::same_kind;
}  // namespace conf

#define CONF_FIELD_TYPE_(T, f) decltype(std::declval<T&>().f)
#define CONF_FIELD2_(X, O, f, o)                                                              \
  static_assert(offsetof(X, f) == offsetof(O, f), "offset of " #O "::" #f " != Xen's");      \
  static_assert(sizeof(CONF_FIELD_TYPE_(X, f)) == sizeof(CONF_FIELD_TYPE_(O, f)),             \
                "size of " #O "::" #f " != Xen's");                                          \
  static_assert(::conf::same_kind<CONF_FIELD_TYPE_(X, f), CONF_FIELD_TYPE_(O, f)>(),          \
                "signedness of " #O "::" #f " != Xen's");
#define CONF_FIELD_(XO, f, o) XENABI_PP_CALL_(CONF_FIELD2_, (XENABI_PP_UNPAREN_ XO, f, o))
#define CONF_ONE_(XO, f, o) +1

#define XENABI_CONFORMANCE_HOOK(xen, ours, size, ...)                                        \
  static_assert(sizeof(::xen) == sizeof(ours), "sizeof " #ours " != Xen's " #xen);           \
  static_assert(alignof(::xen) == alignof(ours), "alignof " #ours " != Xen's " #xen);        \
  XENABI_PP_FOR_EACH_PAIR_(CONF_FIELD_, (::xen, ours), __VA_ARGS__)                          \
  [[maybe_unused]] static const int XENABI_PP_CAT_(conformance_struct_, __COUNTER__) =       \
      ::conf::add_struct(#xen, 0 XENABI_PP_FOR_EACH_PAIR_(CONF_ONE_, _, __VA_ARGS__));

#define CONF_CONST2_(scope, prefix, name)                                                    \
  static_assert(::conf::same_value(scope::name, prefix##name),                               \
                #scope "::" #name " != Xen's " #prefix #name);                               \
  [[maybe_unused]] static const int XENABI_PP_CAT_(conformance_const_, __COUNTER__) =        \
      ::conf::add_constant(#prefix #name);
#define CONF_CONST_(SP, name) XENABI_PP_CALL_(CONF_CONST2_, (XENABI_PP_UNPAREN_ SP, name))
#define XENABI_CONFORMANCE_CONSTANTS(scope, prefix, ...) \
  XENABI_PP_FOR_EACH_(CONF_CONST_, (scope, prefix), __VA_ARGS__)

// Width-tagged hooks fire only in the compilation of their width.
#if defined(__x86_64__)
#define CONF_IF_x86_64(...) __VA_ARGS__
#define CONF_IF_x86_32(...)
#define CONF_WIDTH_NAME "x86_64"
#elif defined(__i386__)
#define CONF_IF_x86_64(...)
#define CONF_IF_x86_32(...) __VA_ARGS__
#define CONF_WIDTH_NAME "i386"
#endif
#define CONF_OFFSET_(T, f, o) offsetof(T, f),
#define CONF_LAYOUT_(n, width, xen, ours, ...)                                              \
  static constexpr std::size_t XENABI_PP_CAT_(conformance_offsets_, n)[] = {                \
      XENABI_PP_FOR_EACH_PAIR_(CONF_OFFSET_, ours, __VA_ARGS__)};                            \
  [[maybe_unused]] static const int XENABI_PP_CAT_(conformance_layout_, n) =                 \
      ::conf::add_layout(#width, #xen, sizeof(ours), alignof(ours),                          \
                         XENABI_PP_CAT_(conformance_offsets_, n),                            \
                         sizeof(XENABI_PP_CAT_(conformance_offsets_, n)) / sizeof(std::size_t));
#define XENABI_CONFORMANCE_HOOK_W(width, xen, ours, size, ...)           \
  CONF_IF_##width(XENABI_CONFORMANCE_HOOK(xen, ours, size, __VA_ARGS__)) \
  CONF_LAYOUT_(__COUNTER__, width, xen, ours, __VA_ARGS__)
#define XENABI_CONFORMANCE_CONSTANTS_W(width, scope, prefix, ...) \
  CONF_IF_##width(XENABI_CONFORMANCE_CONSTANTS(scope, prefix, __VA_ARGS__))

// Every core ABI header (generated list: include/xenabi/abi/**, not the io/ protocols, which
// tests/xenabi/abi/io checks). A new header mirroring another Xen header fails to compile here
// until that header is added to the Xen includes above.
#include "conformance_abi_headers.hpp"

// Guest handles: Xen's XEN_GUEST_HANDLE(T) is a struct holding one pointer.
static_assert(sizeof(xenabi::abi::guest_handle<void>) == sizeof(XEN_GUEST_HANDLE(void)));
static_assert(alignof(xenabi::abi::guest_handle<void>) == alignof(XEN_GUEST_HANDLE(void)));
static_assert(sizeof(xenabi::abi::xen_ulong_t) == sizeof(::xen_ulong_t));
static_assert(sizeof(xenabi::abi::xen_pfn_t) == sizeof(::xen_pfn_t));
static_assert(sizeof(xenabi::abi::domid_t) == sizeof(::domid_t));

// The few facts the hooks cannot replay by name.
// `CALLBACKOP_register`: `register` is a C++ keyword, so ours is spelled `register_`.
static_assert(conf::same_value(xenabi::abi::CALLBACKOP::register_, CALLBACKOP_register));
// Xen's function-like macros against our constexpr functions, over sample inputs.
namespace conf {
constexpr bool same_functions() {
  namespace abi = xenabi::abi;
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0x12345}, uint64_t{0xfffff},
                     uint64_t{0x100000}, uint64_t{0xabcdef12}, uint64_t{0x1'0000'0000}}) {
    const auto w = static_cast<xenabi::abi::xen_pfn_t>(v);
    if (abi::native::xen_pfn_to_cr3(w) != xen_fn::pfn_to_cr3(w)) return false;
    if (abi::native::xen_cr3_to_pfn(w) != xen_fn::cr3_to_pfn(w)) return false;
    if (abi::xen_vcpu_physid_to_x86_apicid(v << 20) != xen_fn::physid_to_apicid(v << 20)) return false;
    if (abi::xen_vcpu_physid_to_x86_acpiid(v << 20) != xen_fn::physid_to_acpiid(v << 20)) return false;
    if (abi::XENMEM_resource_ioreq_server_frame::ioreq(v) != xen_fn::ioreq_frame(v)) return false;
  }
  for (unsigned n = 0; n < 255; ++n) {
    if (abi::XENMEMF::node(n) != xen_fn::memf_node(n)) return false;
    if (abi::XENMEMF::exact_node(n) != xen_fn::memf_exact_node(n)) return false;
    if (abi::XENMEMF::get_node(xen_fn::memf_node(n)) != xen_fn::memf_get_node(xen_fn::memf_node(n))) return false;
    if (abi::XENMEMF::address_bits(n) != xen_fn::memf_address_bits(n)) return false;
    if (abi::XENMEMF::get_address_bits(n | 0x300u) != xen_fn::memf_get_address_bits(n | 0x300u)) return false;
  }
  return true;
}
static_assert(same_functions(), "a helper differs from Xen's function-like macro");
}  // namespace conf

// The GNTST_* messages (Xen's GNTTABOP_error_msgs initializer), compared string by string.
namespace conf {
constexpr const char* xen_gnttab_msgs[] = GNTTABOP_error_msgs;
constexpr bool same_string(const char* a, const char* b) {
  while (*a != 0 && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}
constexpr bool same_gnttab_msgs() {
  constexpr auto n = sizeof(xen_gnttab_msgs) / sizeof(xen_gnttab_msgs[0]);
  if (n != sizeof(xenabi::abi::gnttabop_error_msgs) / sizeof(xenabi::abi::gnttabop_error_msgs[0])) {
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!same_string(xen_gnttab_msgs[i], xenabi::abi::gnttabop_error_msgs[i])) return false;
  }
  return true;
}
static_assert(same_gnttab_msgs(), "GNTTABOP_error_msgs differ");
}  // namespace conf

int main(int argc, char** argv) {
  const auto& c = conf::total();
  if (argc > 1 && std::strcmp(argv[1], "--list-constants") == 0) {
    for (int i = 0; i < c.constants && i < 4096; ++i) std::printf("%s\n", conf::checked_names[i]);
    return 0;
  }
  if (argc > 1 && std::strcmp(argv[1], "--list-layouts") == 0) {
    for (int i = 0; i < conf::nlayouts; ++i) {
      const auto& l = conf::layouts[i];
      std::printf("%s::%s size %zu align %zu offsets", l.width, l.name, l.size, l.align);
      for (std::size_t j = 0; j < l.n; ++j) std::printf(" %zu", l.offsets[j]);
      std::printf("\n");
    }
    return 0;
  }
  if (argc > 1 && std::strcmp(argv[1], "--list-structs") == 0) {
    for (int i = 0; i < c.structs && i < 1024; ++i) std::printf("%s\n", conf::checked_structs[i]);
    return 0;
  }
  std::printf("xenabi/abi conformance with Xen 4.17 (interface 0x%08x), %s: "
              "%d structures, %d fields, %d constants checked\n",
              __XEN_INTERFACE_VERSION__, CONF_WIDTH_NAME, c.structs, c.fields, c.constants);
  return (c.structs > 0 && c.fields > 0 && c.constants > 0) ? 0 : 1;
}
