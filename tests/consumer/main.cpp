// Uses xenabi (the guest side) and hv (which brings GSL) from an installed prefix.
#include <xenabi/xenabi.hpp>

#include <gsl/span>

int main() {
  constexpr xenabi::result<int> r = xenabi::errc::enosys;
  int buf[2] = {1, 2};
  gsl::span<int> s{buf};
  return (!r.has_value() && r.error() == xenabi::errc::enosys && s.size() == 2) ? 0 : 1;
}
