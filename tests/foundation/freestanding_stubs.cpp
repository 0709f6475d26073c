// The only things a freestanding xenabi user must provide: the four memory functions the
// compiler may call on its own, and an entry point. Linked with -nostdlib -static.
#include <cstddef>

extern "C" {
void* memcpy(void* d, const void* s, std::size_t n) {
  auto* dp = static_cast<unsigned char*>(d);
  const auto* sp = static_cast<const unsigned char*>(s);
  while (n--) *dp++ = *sp++;
  return d;
}
void* memmove(void* d, const void* s, std::size_t n) {
  auto* dp = static_cast<unsigned char*>(d);
  const auto* sp = static_cast<const unsigned char*>(s);
  if (dp < sp) {
    while (n--) *dp++ = *sp++;
  } else {
    while (n--) dp[n] = sp[n];
  }
  return d;
}
void* memset(void* d, int c, std::size_t n) {
  auto* dp = static_cast<unsigned char*>(d);
  while (n--) *dp++ = static_cast<unsigned char>(c);
  return d;
}
int memcmp(const void* a, const void* b, std::size_t n) {
  const auto* ap = static_cast<const unsigned char*>(a);
  const auto* bp = static_cast<const unsigned char*>(b);
  for (; n; --n, ++ap, ++bp)
    if (*ap != *bp) return *ap < *bp ? -1 : 1;
  return 0;
}
[[noreturn]] void xenabi_freestanding_entry() {
  for (;;) {
  }
}
}
