// Helpers shared by the model-checker tests: run a checker at run time (in heap storage; its
// tables are too big for the stack) and print its result.
#pragma once

#include <hv/verify/trace_print.hpp>
#include <xenabi/verify/checker.hpp>

#include <cstdio>
#include <memory>

namespace verify_test {

template <class P, xenabi::verify::memory_model M = xenabi::verify::memory_model::tso,
          std::uint32_t Cap = (1u << 14),
          xenabi::verify::reduction R = xenabi::verify::reduction::on>
xenabi::verify::result run() {
  auto c = std::make_unique<
      xenabi::verify::checker<P, M, Cap, xenabi::verify::default_depth_capacity, R>>();
  return c->run();
}

inline void show(const char* title, const xenabi::verify::result& r) {
  std::printf("== %s\n", title);
  hv::verify::print(stdout, r);
  std::fflush(stdout);
}

}  // namespace verify_test
