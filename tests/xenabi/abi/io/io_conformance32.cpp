// io protocol headers against libxen-dev, i386: compiled and run with -m32. The static_asserts
// in io_conformance.hpp are checked at compile time; the error table at run time.
#include <cstdio>

#include "io_conformance.hpp"

static_assert(sizeof(void*) == 4, "this file is the i386 check");

int main() {
  if (!io_conformance::xsd_errors_match()) {
    std::puts("xsd_errors differ from libxen-dev's");
    return 1;
  }
  std::puts("io ABI conformance (i386): ok");
  return 0;
}
