// Deliberately broken fixture for the freestanding check: it depends on the hosted C library.
// The freestanding probe test expects the link of a TU including this header to fail.
#pragma once
#include <stdio.h>

inline int broken_hello() { return printf("hello from a header that is not freestanding\n"); }
static int broken_use = broken_hello();
