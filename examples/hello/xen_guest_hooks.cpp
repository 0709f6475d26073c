// The kernel hooks of a front-end kernel built on xen_guest.hpp (add this file to its
// xenabi_add_pvh_kernel sources): console output through the console ring (console_io before
// it is up), shutdown through SCHEDOP_shutdown, and the event upcall through guest::upcall.
#include <cstddef>

#include "kernel.hpp"
#include "xen_guest.hpp"

namespace kernel {
void console_write(const char* s, std::size_t n) { guest::console_write(s, n); }
[[noreturn]] void shutdown(xenabi::abi::SHUTDOWN reason) { guest::shutdown(reason); }
}  // namespace kernel

extern "C" void hello_upcall() { guest::upcall(); }
