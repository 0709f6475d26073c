// expect: fail CONSOLEIO::read writes its buffer
// Reading the console into a const buffer.
#include <xenabi/hypercall.hpp>
namespace abi = xenabi::abi;
xenabi::result<long> f(const char* b) { return xenabi::console_io<abi::CONSOLEIO::read>(b, 4); }
