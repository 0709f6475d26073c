/// \file
/// The layout-assertion macros: one line after each ABI structure states its size and the
/// offset of every field, and the compiler checks them.
///
/// \code
/// struct vcpu_time_info { ... };
/// XENABI_LAYOUT(vcpu_time_info, 32,
///               version, 0, pad0, 4, tsc_timestamp, 8, system_time, 16,
///               tsc_to_system_mul, 24, tsc_shift, 28, flags, 29, pad1, 30);
/// \endcode
/// Up to 64 (field, offset) pairs; a field may be a nested member path (`u.interdomain.port`).
/// Besides size and offsets, the macro checks that the list is complete: listed in offset order
/// (members of a union's alternatives may go back within the union),
/// each field where the compiler would place the next field after those
/// listed before it (so no unlisted field hides in a gap), and only alignment padding at the tail — so a field left out of the list is a compile error.
///
/// Structures whose layout differs between x86_64 and i386 are templates over a width
/// (xenabi/abi/width.hpp) and are asserted once per width with XENABI_LAYOUT_W.
///
/// Constants are listed after their definition with XENABI_CONSTANTS (scope, Xen's macro prefix,
/// the names), so that a test can compare each against Xen's own macro.
///
/// **Conformance hooks.** A test that defines, before including any xenabi header,
/// - `XENABI_CONFORMANCE_HOOK(xen_name, T, size, field, offset, ...)`,
/// - `XENABI_CONFORMANCE_HOOK_W(width, xen_name, T, size, field, offset, ...)`,
/// - `XENABI_CONFORMANCE_CONSTANTS(scope, xen_prefix, name...)`,
/// - `XENABI_CONFORMANCE_CONSTANTS_W(width, scope, xen_prefix, name...)`,
///
/// receives every structure's and every constant's definition replayed, at namespace scope in
/// `xenabi::abi`, and can compare them with Xen's headers without typing any list twice
/// (tests/xenabi/abi/conformance/ does). Without them the hooks expand to nothing.
#pragma once

#include <cstddef>  // offsetof, size_t
#include <type_traits>
#include <utility>  // declval

/// \cond XENABI_INTERNAL
#define XENABI_PP_EXPAND_(x) x
#define XENABI_PP_CAT_(a, b) XENABI_PP_CAT2_(a, b)
#define XENABI_PP_CAT2_(a, b) a##b
#define XENABI_PP_PAIR1_(M, X, f, o) M(X, f, o)
#define XENABI_PP_PAIR2_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR1_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR3_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR2_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR4_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR3_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR5_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR4_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR6_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR5_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR7_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR6_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR8_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR7_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR9_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR8_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR10_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR9_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR11_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR10_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR12_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR11_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR13_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR12_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR14_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR13_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR15_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR14_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR16_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR15_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR17_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR16_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR18_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR17_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR19_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR18_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR20_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR19_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR21_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR20_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR22_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR21_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR23_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR22_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR24_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR23_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR25_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR24_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR26_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR25_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR27_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR26_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR28_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR27_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR29_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR28_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR30_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR29_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR31_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR30_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR32_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR31_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR33_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR32_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR34_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR33_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR35_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR34_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR36_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR35_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR37_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR36_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR38_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR37_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR39_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR38_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR40_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR39_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR41_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR40_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR42_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR41_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR43_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR42_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR44_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR43_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR45_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR44_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR46_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR45_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR47_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR46_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR48_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR47_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR49_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR48_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR50_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR49_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR51_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR50_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR52_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR51_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR53_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR52_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR54_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR53_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR55_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR54_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR56_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR55_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR57_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR56_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR58_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR57_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR59_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR58_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR60_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR59_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR61_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR60_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR62_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR61_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR63_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR62_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR64_(M, X, f, o, ...) M(X, f, o) XENABI_PP_EXPAND_(XENABI_PP_PAIR63_(M, X, __VA_ARGS__))
#define XENABI_PP_PAIR_PICK_(_1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,_21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44,_45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64,_65,_66,_67,_68,_69,_70,_71,_72,_73,_74,_75,_76,_77,_78,_79,_80,_81,_82,_83,_84,_85,_86,_87,_88,_89,_90,_91,_92,_93,_94,_95,_96,_97,_98,_99,_100,_101,_102,_103,_104,_105,_106,_107,_108,_109,_110,_111,_112,_113,_114,_115,_116,_117,_118,_119,_120,_121,_122,_123,_124,_125,_126,_127,_128, N, ...) N
#define XENABI_PP_PAIR_COUNT_(...) XENABI_PP_EXPAND_(XENABI_PP_PAIR_PICK_(__VA_ARGS__, PAIR64_, err, PAIR63_, err, PAIR62_, err, PAIR61_, err, PAIR60_, err, PAIR59_, err, PAIR58_, err, PAIR57_, err, PAIR56_, err, PAIR55_, err, PAIR54_, err, PAIR53_, err, PAIR52_, err, PAIR51_, err, PAIR50_, err, PAIR49_, err, PAIR48_, err, PAIR47_, err, PAIR46_, err, PAIR45_, err, PAIR44_, err, PAIR43_, err, PAIR42_, err, PAIR41_, err, PAIR40_, err, PAIR39_, err, PAIR38_, err, PAIR37_, err, PAIR36_, err, PAIR35_, err, PAIR34_, err, PAIR33_, err, PAIR32_, err, PAIR31_, err, PAIR30_, err, PAIR29_, err, PAIR28_, err, PAIR27_, err, PAIR26_, err, PAIR25_, err, PAIR24_, err, PAIR23_, err, PAIR22_, err, PAIR21_, err, PAIR20_, err, PAIR19_, err, PAIR18_, err, PAIR17_, err, PAIR16_, err, PAIR15_, err, PAIR14_, err, PAIR13_, err, PAIR12_, err, PAIR11_, err, PAIR10_, err, PAIR9_, err, PAIR8_, err, PAIR7_, err, PAIR6_, err, PAIR5_, err, PAIR4_, err, PAIR3_, err, PAIR2_, err, PAIR1_, err))
#define XENABI_PP_FOR_EACH_PAIR_(M, X, ...) \
  XENABI_PP_EXPAND_(XENABI_PP_CAT_(XENABI_PP_, XENABI_PP_PAIR_COUNT_(__VA_ARGS__))(M, X, __VA_ARGS__))
#define XENABI_PP_ONE1_(M, X, a) M(X, a)
#define XENABI_PP_ONE2_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE1_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE3_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE2_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE4_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE3_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE5_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE4_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE6_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE5_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE7_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE6_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE8_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE7_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE9_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE8_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE10_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE9_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE11_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE10_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE12_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE11_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE13_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE12_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE14_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE13_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE15_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE14_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE16_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE15_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE17_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE16_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE18_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE17_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE19_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE18_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE20_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE19_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE21_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE20_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE22_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE21_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE23_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE22_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE24_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE23_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE25_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE24_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE26_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE25_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE27_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE26_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE28_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE27_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE29_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE28_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE30_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE29_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE31_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE30_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE32_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE31_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE33_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE32_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE34_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE33_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE35_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE34_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE36_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE35_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE37_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE36_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE38_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE37_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE39_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE38_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE40_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE39_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE41_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE40_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE42_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE41_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE43_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE42_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE44_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE43_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE45_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE44_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE46_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE45_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE47_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE46_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE48_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE47_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE49_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE48_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE50_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE49_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE51_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE50_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE52_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE51_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE53_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE52_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE54_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE53_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE55_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE54_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE56_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE55_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE57_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE56_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE58_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE57_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE59_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE58_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE60_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE59_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE61_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE60_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE62_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE61_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE63_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE62_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE64_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE63_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE65_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE64_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE66_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE65_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE67_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE66_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE68_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE67_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE69_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE68_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE70_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE69_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE71_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE70_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE72_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE71_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE73_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE72_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE74_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE73_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE75_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE74_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE76_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE75_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE77_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE76_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE78_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE77_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE79_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE78_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE80_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE79_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE81_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE80_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE82_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE81_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE83_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE82_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE84_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE83_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE85_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE84_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE86_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE85_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE87_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE86_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE88_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE87_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE89_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE88_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE90_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE89_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE91_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE90_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE92_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE91_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE93_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE92_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE94_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE93_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE95_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE94_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE96_(M, X, a, ...) M(X, a) XENABI_PP_EXPAND_(XENABI_PP_ONE95_(M, X, __VA_ARGS__))
#define XENABI_PP_ONE_PICK_(_1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20,_21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44,_45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64,_65,_66,_67,_68,_69,_70,_71,_72,_73,_74,_75,_76,_77,_78,_79,_80,_81,_82,_83,_84,_85,_86,_87,_88,_89,_90,_91,_92,_93,_94,_95,_96, N, ...) N
#define XENABI_PP_ONE_COUNT_(...) XENABI_PP_EXPAND_(XENABI_PP_ONE_PICK_(__VA_ARGS__, ONE96_, ONE95_, ONE94_, ONE93_, ONE92_, ONE91_, ONE90_, ONE89_, ONE88_, ONE87_, ONE86_, ONE85_, ONE84_, ONE83_, ONE82_, ONE81_, ONE80_, ONE79_, ONE78_, ONE77_, ONE76_, ONE75_, ONE74_, ONE73_, ONE72_, ONE71_, ONE70_, ONE69_, ONE68_, ONE67_, ONE66_, ONE65_, ONE64_, ONE63_, ONE62_, ONE61_, ONE60_, ONE59_, ONE58_, ONE57_, ONE56_, ONE55_, ONE54_, ONE53_, ONE52_, ONE51_, ONE50_, ONE49_, ONE48_, ONE47_, ONE46_, ONE45_, ONE44_, ONE43_, ONE42_, ONE41_, ONE40_, ONE39_, ONE38_, ONE37_, ONE36_, ONE35_, ONE34_, ONE33_, ONE32_, ONE31_, ONE30_, ONE29_, ONE28_, ONE27_, ONE26_, ONE25_, ONE24_, ONE23_, ONE22_, ONE21_, ONE20_, ONE19_, ONE18_, ONE17_, ONE16_, ONE15_, ONE14_, ONE13_, ONE12_, ONE11_, ONE10_, ONE9_, ONE8_, ONE7_, ONE6_, ONE5_, ONE4_, ONE3_, ONE2_, ONE1_))
#define XENABI_PP_FOR_EACH_(M, X, ...) \
  XENABI_PP_EXPAND_(XENABI_PP_CAT_(XENABI_PP_, XENABI_PP_ONE_COUNT_(__VA_ARGS__))(M, X, __VA_ARGS__))

#define XENABI_PP_CALL_(m, args) m args
#define XENABI_PP_UNPAREN_(...) __VA_ARGS__

#define XENABI_LAYOUT_OFF_(T, f, o) \
  static_assert(offsetof(T, f) == (o), "offset of " #T "::" #f " differs from Xen's");
#define XENABI_LAYOUT_SPAN_(T, f, o)                                          \
  ::xenabi::detail::field_span{offsetof(T, f), sizeof(decltype(std::declval<T&>().f)), \
                               alignof(decltype(std::declval<T&>().f))},
#define XENABI_LAYOUT_CHECKS_(T, size, ...)                                                 \
  static_assert(sizeof(T) == (size), "size of " #T " differs from Xen's");                 \
  static_assert(std::is_standard_layout_v<T>, #T " must be standard-layout");               \
  XENABI_PP_FOR_EACH_PAIR_(XENABI_LAYOUT_OFF_, T, __VA_ARGS__)                              \
  static_assert(::xenabi::detail::layout_complete(sizeof(T), alignof(T),                    \
                  {XENABI_PP_FOR_EACH_PAIR_(XENABI_LAYOUT_SPAN_, T, __VA_ARGS__)}),         \
                #T ": fields not listed in offset order, or a field is missing from the list");
#define XENABI_CONSTANT_EXISTS_(scope, name) \
  static_assert(sizeof(scope::name) > 0, #scope "::" #name " is listed but not defined");

namespace xenabi::detail {
struct field_span {
  std::size_t offset;
  std::size_t size;
  std::size_t align;
};
constexpr std::size_t round_up(std::size_t v, std::size_t a) { return (v + a - 1) / a * a; }
template <std::size_t N>
constexpr bool layout_complete(std::size_t size, std::size_t align, const field_span (&f)[N]) {
  std::size_t end = 0;
  for (std::size_t i = 0; i < N; ++i) {
    // Out of offset order only inside what is already covered (members of a union listed
    // after one another: `u.a.x, u.a.y, u.b.x`).
    if (i > 0 && f[i].offset < f[i - 1].offset && f[i].offset + f[i].size > end) return false;
    // A field after the end of everything listed so far must sit exactly where the compiler puts
    // the next field; a larger gap hides a field missing from the list.
    if (f[i].offset > end && f[i].offset != round_up(end, f[i].align)) return false;
    if (f[i].offset + f[i].size > end) end = f[i].offset + f[i].size;
  }
  return size == round_up(end, align);  // only tail padding after the last field
}
}  // namespace xenabi::detail

#ifndef XENABI_CONFORMANCE_HOOK
#define XENABI_CONFORMANCE_HOOK(xen_name, T, size, ...)
#endif
#ifndef XENABI_CONFORMANCE_HOOK_W
#define XENABI_CONFORMANCE_HOOK_W(width, xen_name, T, size, ...)
#endif
#ifndef XENABI_CONFORMANCE_CONSTANTS
#define XENABI_CONFORMANCE_CONSTANTS(scope, xen_prefix, ...)
#endif
#ifndef XENABI_CONFORMANCE_CONSTANTS_W
#define XENABI_CONFORMANCE_CONSTANTS_W(width, scope, xen_prefix, ...)
#endif
/// \endcond

/// Asserts `sizeof(T) == size`, standard layout, each following (field, offset) pair, and that
/// the list names every field. \p T has the same layout on x86_64 and i386 and Xen's name.
/// Use at namespace scope right after the structure.
#define XENABI_LAYOUT(T, size, ...)              \
  XENABI_LAYOUT_CHECKS_(T, size, __VA_ARGS__)    \
  XENABI_CONFORMANCE_HOOK(T, T, size, __VA_ARGS__)

/// Like XENABI_LAYOUT for the width-specific instance `width::T` (`width` is `x86_64` or
/// `x86_32`) of a structure whose layout differs between the widths; Xen names it \p T.
#define XENABI_LAYOUT_W(width, T, size, ...)              \
  XENABI_LAYOUT_CHECKS_(width::T, size, __VA_ARGS__)      \
  XENABI_CONFORMANCE_HOOK_W(width, T, width::T, size, __VA_ARGS__)

/// Like XENABI_LAYOUT for a structure with no Xen counterpart of its own (a helper, or a member
/// type Xen leaves unnamed, which the conformance test checks through its enclosing structure).
#define XENABI_LAYOUT_LOCAL(T, size, ...) XENABI_LAYOUT_CHECKS_(T, size, __VA_ARGS__)

/// Asserts only the size of \p T (for unions and opaque blobs).
#define XENABI_LAYOUT_SIZE(T, size) \
  static_assert(sizeof(T) == (size), "size of " #T " differs from Xen's")

/// Lists the constants `scope::name...` whose Xen spelling is `xen_prefix##name` (e.g.
/// `XENABI_CONSTANTS(EVTCHNOP, EVTCHNOP_, send, close)` for `EVTCHNOP_send`...). Checks that each
/// exists; the conformance test compares each value with Xen's macro. Up to 96 names.
#define XENABI_CONSTANTS(scope, xen_prefix, ...)                    \
  XENABI_PP_FOR_EACH_(XENABI_CONSTANT_EXISTS_, scope, __VA_ARGS__)  \
  XENABI_CONFORMANCE_CONSTANTS(scope, xen_prefix, __VA_ARGS__)

/// Like XENABI_CONSTANTS for width-specific constants `width::scope::name` (Xen defines them
/// only when compiling for that width).
#define XENABI_CONSTANTS_W(width, scope, xen_prefix, ...)                  \
  XENABI_PP_FOR_EACH_(XENABI_CONSTANT_EXISTS_, width::scope, __VA_ARGS__)  \
  XENABI_CONFORMANCE_CONSTANTS_W(width, width::scope, xen_prefix, __VA_ARGS__)
