/// \file
/// The layout-assertion macro: one line after each ABI structure states its size and the
/// offset of every field, and the compiler checks them.
///
/// \code
/// struct vcpu_time_info { ... };
/// XENABI_LAYOUT(vcpu_time_info, 32,
///               version, 0, pad0, 4, tsc_timestamp, 8, system_time, 16,
///               tsc_to_system_mul, 24, tsc_shift, 28, flags, 29, pad1, 30);
/// \endcode
/// Up to 48 (field, offset) pairs. The same facts are checked against Xen's own headers by the
/// conformance tests.
#pragma once

#include <cstddef>  // offsetof
#include <type_traits>

/// \cond XENABI_INTERNAL
#define XENABI_LAYOUT_OFF_(T, f, o) \
  static_assert(offsetof(T, f) == (o), "offset of " #T "::" #f " differs from Xen's");
#define XENABI_LAYOUT_EXPAND_(x) x
#define XENABI_LAYOUT_P0_(T)
#define XENABI_LAYOUT_P1_(T, f, o) XENABI_LAYOUT_OFF_(T, f, o)
#define XENABI_LAYOUT_P2_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P1_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P3_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P2_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P4_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P3_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P5_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P4_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P6_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P5_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P7_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P6_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P8_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P7_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P9_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P8_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P10_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P9_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P11_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P10_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P12_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P11_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P13_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P12_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P14_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P13_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P15_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P14_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P16_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P15_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P17_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P16_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P18_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P17_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P19_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P18_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P20_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P19_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P21_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P20_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P22_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P21_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P23_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P22_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P24_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P23_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P25_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P24_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P26_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P25_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P27_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P26_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P28_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P27_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P29_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P28_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P30_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P29_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P31_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P30_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P32_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P31_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P33_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P32_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P34_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P33_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P35_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P34_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P36_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P35_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P37_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P36_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P38_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P37_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P39_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P38_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P40_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P39_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P41_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P40_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P42_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P41_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P43_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P42_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P44_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P43_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P45_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P44_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P46_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P45_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P47_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P46_(T, __VA_ARGS__))
#define XENABI_LAYOUT_P48_(T, f, o, ...) XENABI_LAYOUT_OFF_(T, f, o) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_P47_(T, __VA_ARGS__))
#define XENABI_LAYOUT_PICK_(_1,_2,_3,_4,_5,_6,_7,_8,_9,_10,_11,_12,_13,_14,_15,_16,_17,_18,_19,_20, \
  _21,_22,_23,_24,_25,_26,_27,_28,_29,_30,_31,_32,_33,_34,_35,_36,_37,_38,_39,_40,_41,_42,_43,_44, \
  _45,_46,_47,_48,_49,_50,_51,_52,_53,_54,_55,_56,_57,_58,_59,_60,_61,_62,_63,_64,_65,_66,_67,_68, \
  _69,_70,_71,_72,_73,_74,_75,_76,_77,_78,_79,_80,_81,_82,_83,_84,_85,_86,_87,_88,_89,_90,_91,_92, \
  _93,_94,_95,_96,N,...) N
#define XENABI_LAYOUT_COUNT_(...) XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_PICK_(__VA_ARGS__, \
  P48_,err,P47_,err,P46_,err,P45_,err,P44_,err,P43_,err,P42_,err,P41_,err,P40_,err,P39_,err, \
  P38_,err,P37_,err,P36_,err,P35_,err,P34_,err,P33_,err,P32_,err,P31_,err,P30_,err,P29_,err, \
  P28_,err,P27_,err,P26_,err,P25_,err,P24_,err,P23_,err,P22_,err,P21_,err,P20_,err,P19_,err, \
  P18_,err,P17_,err,P16_,err,P15_,err,P14_,err,P13_,err,P12_,err,P11_,err,P10_,err,P9_,err,  \
  P8_,err,P7_,err,P6_,err,P5_,err,P4_,err,P3_,err,P2_,err,P1_,err))
#define XENABI_LAYOUT_CAT_(a, b) a##b
#define XENABI_LAYOUT_DISPATCH_(n) XENABI_LAYOUT_CAT_(XENABI_LAYOUT_, n)
/// \endcond

/// Asserts `sizeof(T) == size` and, for each following (field, offset) pair, the field's offset.
/// Use at namespace scope right after the structure.
#define XENABI_LAYOUT(T, size, ...)                                                   \
  static_assert(sizeof(T) == (size), "size of " #T " differs from Xen's");            \
  static_assert(std::is_standard_layout_v<T>, #T " must be standard-layout");          \
  XENABI_LAYOUT_EXPAND_(XENABI_LAYOUT_DISPATCH_(XENABI_LAYOUT_COUNT_(__VA_ARGS__))(T, __VA_ARGS__))

/// Asserts only the size of \p T (for unions and opaque blobs).
#define XENABI_LAYOUT_SIZE(T, size) \
  static_assert(sizeof(T) == (size), "size of " #T " differs from Xen's")
