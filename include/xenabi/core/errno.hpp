/// \file
/// Xen's error numbers (xen/include/public/errno.h) as a fixed-width enum with names.
///
/// Hypercalls return a negative Xen errno on failure. The values are Xen's own and are not the
/// host C library's (they happen to match Linux's). Enumerators are spelled `e` + Xen's name in
/// lower case (`errc::enosys` is Xen's `XEN_ENOSYS`) so they never collide with `<cerrno>` macros.
#pragma once

#include <cstdint>

namespace xenabi {

/// The X-macro list of Xen error numbers: `X(enumerator, "NAME", "description")`.
/// Aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK) are not repeated.
#define XENABI_XEN_ERRNO_LIST(X)                                               \
  X(eperm, "EPERM", "Operation not permitted")                              \
  X(enoent, "ENOENT", "No such file or directory")                          \
  X(esrch, "ESRCH", "No such process")                                      \
  X(eintr, "EINTR", "Interrupted system call")                              \
  X(eio, "EIO", "I/O error")                                                \
  X(enxio, "ENXIO", "No such device or address")                            \
  X(e2big, "E2BIG", "Arg list too long")                                    \
  X(enoexec, "ENOEXEC", "Exec format error")                                \
  X(ebadf, "EBADF", "Bad file number")                                      \
  X(echild, "ECHILD", "No child processes")                                \
  X(eagain, "EAGAIN", "Try again")                                         \
  X(enomem, "ENOMEM", "Out of memory")                                     \
  X(eacces, "EACCES", "Permission denied")                                 \
  X(efault, "EFAULT", "Bad address")                                       \
  X(ebusy, "EBUSY", "Device or resource busy")                             \
  X(eexist, "EEXIST", "File exists")                                       \
  X(exdev, "EXDEV", "Cross-device link")                                   \
  X(enodev, "ENODEV", "No such device")                                    \
  X(enotdir, "ENOTDIR", "Not a directory")                                 \
  X(eisdir, "EISDIR", "Is a directory")                                    \
  X(einval, "EINVAL", "Invalid argument")                                  \
  X(enfile, "ENFILE", "File table overflow")                               \
  X(emfile, "EMFILE", "Too many open files")                               \
  X(enospc, "ENOSPC", "No space left on device")                           \
  X(erofs, "EROFS", "Read-only file system")                               \
  X(emlink, "EMLINK", "Too many links")                                    \
  X(edom, "EDOM", "Math argument out of domain of func")                   \
  X(erange, "ERANGE", "Math result not representable")                     \
  X(edeadlk, "EDEADLK", "Resource deadlock would occur")                   \
  X(enametoolong, "ENAMETOOLONG", "File name too long")                    \
  X(enolck, "ENOLCK", "No record locks available")                         \
  X(enosys, "ENOSYS", "Function not implemented")                          \
  X(enotempty, "ENOTEMPTY", "Directory not empty")                         \
  X(enodata, "ENODATA", "No data available")                               \
  X(etime, "ETIME", "Timer expired")                                       \
  X(ebadmsg, "EBADMSG", "Not a data message")                              \
  X(eoverflow, "EOVERFLOW", "Value too large for defined data type")       \
  X(eilseq, "EILSEQ", "Illegal byte sequence")                             \
  X(erestart, "ERESTART", "Interrupted system call should be restarted")   \
  X(enotsock, "ENOTSOCK", "Socket operation on non-socket")                \
  X(emsgsize, "EMSGSIZE", "Message too large")                             \
  X(eopnotsupp, "EOPNOTSUPP", "Operation not supported on transport endpoint") \
  X(eaddrinuse, "EADDRINUSE", "Address already in use")                    \
  X(eaddrnotavail, "EADDRNOTAVAIL", "Cannot assign requested address")     \
  X(enobufs, "ENOBUFS", "No buffer space available")                      \
  X(eisconn, "EISCONN", "Transport endpoint is already connected")        \
  X(enotconn, "ENOTCONN", "Transport endpoint is not connected")          \
  X(etimedout, "ETIMEDOUT", "Connection timed out")                       \
  X(econnrefused, "ECONNREFUSED", "Connection refused")

/// A Xen error number (positive). Hypercalls return its negation.
enum class errc : std::int32_t {
  eperm = 1,        ///< EPERM: Operation not permitted
  enoent = 2,       ///< ENOENT: No such file or directory
  esrch = 3,        ///< ESRCH: No such process
  eintr = 4,        ///< EINTR: Interrupted system call
  eio = 5,          ///< EIO: I/O error
  enxio = 6,        ///< ENXIO: No such device or address
  e2big = 7,        ///< E2BIG: Arg list too long
  enoexec = 8,      ///< ENOEXEC: Exec format error
  ebadf = 9,        ///< EBADF: Bad file number
  echild = 10,      ///< ECHILD: No child processes
  eagain = 11,      ///< EAGAIN: Try again
  enomem = 12,      ///< ENOMEM: Out of memory
  eacces = 13,      ///< EACCES: Permission denied
  efault = 14,      ///< EFAULT: Bad address
  ebusy = 16,       ///< EBUSY: Device or resource busy
  eexist = 17,      ///< EEXIST: File exists
  exdev = 18,       ///< EXDEV: Cross-device link
  enodev = 19,      ///< ENODEV: No such device
  enotdir = 20,     ///< ENOTDIR: Not a directory
  eisdir = 21,      ///< EISDIR: Is a directory
  einval = 22,      ///< EINVAL: Invalid argument
  enfile = 23,      ///< ENFILE: File table overflow
  emfile = 24,      ///< EMFILE: Too many open files
  enospc = 28,      ///< ENOSPC: No space left on device
  erofs = 30,       ///< EROFS: Read-only file system
  emlink = 31,      ///< EMLINK: Too many links
  edom = 33,        ///< EDOM: Math argument out of domain of func
  erange = 34,      ///< ERANGE: Math result not representable
  edeadlk = 35,     ///< EDEADLK: Resource deadlock would occur
  enametoolong = 36,///< ENAMETOOLONG: File name too long
  enolck = 37,      ///< ENOLCK: No record locks available
  enosys = 38,      ///< ENOSYS: Function not implemented
  enotempty = 39,   ///< ENOTEMPTY: Directory not empty
  enodata = 61,     ///< ENODATA: No data available
  etime = 62,       ///< ETIME: Timer expired
  ebadmsg = 74,     ///< EBADMSG: Not a data message
  eoverflow = 75,   ///< EOVERFLOW: Value too large for defined data type
  eilseq = 84,      ///< EILSEQ: Illegal byte sequence
  erestart = 85,    ///< ERESTART: Interrupted system call should be restarted
  enotsock = 88,    ///< ENOTSOCK: Socket operation on non-socket
  emsgsize = 90,    ///< EMSGSIZE: Message too large
  eopnotsupp = 95,  ///< EOPNOTSUPP: Operation not supported on transport endpoint
  eaddrinuse = 98,  ///< EADDRINUSE: Address already in use
  eaddrnotavail = 99,///< EADDRNOTAVAIL: Cannot assign requested address
  enobufs = 105,    ///< ENOBUFS: No buffer space available
  eisconn = 106,    ///< EISCONN: Transport endpoint is already connected
  enotconn = 107,   ///< ENOTCONN: Transport endpoint is not connected
  etimedout = 110,  ///< ETIMEDOUT: Connection timed out
  econnrefused = 111,///< ECONNREFUSED: Connection refused
};

/// Xen's alias EWOULDBLOCK == EAGAIN.
inline constexpr errc ewouldblock = errc::eagain;
/// Xen's alias EDEADLOCK == EDEADLK.
inline constexpr errc edeadlock = errc::edeadlk;

/// Xen's name for \p e ("ENOSYS"), or "E?" for a number Xen does not define.
[[nodiscard]] constexpr const char* errc_name(errc e) noexcept {
  switch (e) {
#define XENABI_X(e, n, d) \
  case errc::e:              \
    return n;
    XENABI_XEN_ERRNO_LIST(XENABI_X)
#undef XENABI_X
  }
  return "E?";
}

/// Xen's description for \p e ("Function not implemented").
[[nodiscard]] constexpr const char* errc_description(errc e) noexcept {
  switch (e) {
#define XENABI_X(e, n, d) \
  case errc::e:              \
    return d;
    XENABI_XEN_ERRNO_LIST(XENABI_X)
#undef XENABI_X
  }
  return "unknown Xen error";
}

/// True if \p v (positive) is an error number Xen defines.
[[nodiscard]] constexpr bool is_xen_errno(std::int64_t v) noexcept {
#define XENABI_X(e, n, d) \
  if (v == static_cast<std::int64_t>(errc::e)) return true;
  XENABI_XEN_ERRNO_LIST(XENABI_X)
#undef XENABI_X
  return false;
}

/// The number of distinct Xen error numbers (aliases excluded).
inline constexpr int errc_count = 0
#define XENABI_X(e, n, d) +1
    XENABI_XEN_ERRNO_LIST(XENABI_X)
#undef XENABI_X
    ;

/// The raw hypercall return value for error \p e (its negation, as Xen returns it).
[[nodiscard]] constexpr std::int64_t to_hypercall_rc(errc e) noexcept {
  return -static_cast<std::int64_t>(e);
}

}  // namespace xenabi
