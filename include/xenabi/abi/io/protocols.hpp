/// \file
/// Xen's `io/protocols.h`: the names of the structure layouts a front end may speak, written
/// by it into its "protocol" xenstore key so that a back end of another width can follow.
#pragma once

#include <xenabi/core/macro_shield_begin.inc>

namespace xenabi::abi {

/// Xen's `XEN_IO_PROTO_ABI_*` strings.
namespace XEN_IO_PROTO_ABI {
inline constexpr char X86_32[] = "x86_32-abi";  ///< i386 layouts (e.g. 108-byte blkif requests).
inline constexpr char X86_64[] = "x86_64-abi";  ///< x86_64 layouts (e.g. 112-byte blkif requests).
inline constexpr char ARM[] = "arm-abi";        ///< Arm layouts.
#if defined(__x86_64__)
/// The compiling guest's own layouts.
inline constexpr const char* NATIVE = X86_64;
#elif defined(__i386__)
inline constexpr const char* NATIVE = X86_32;
#else
#error "xenabi/abi/io/protocols.hpp: unsupported architecture"
#endif
}  // namespace XEN_IO_PROTO_ABI

}  // namespace xenabi::abi

#include <xenabi/core/macro_shield_end.inc>
