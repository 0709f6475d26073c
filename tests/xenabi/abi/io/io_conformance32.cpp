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
  const auto& c = io_conformance::total();
  std::printf("io ABI conformance (i386): %d structures, %d fields, %d constants via the hooks\n",
              c.structs, c.fields, c.constants);
  return (c.structs >= 15 && c.fields >= 60 && c.constants >= 100) ? 0 : 1;
}
