/// \file
/// `hv::host`: the domains of one xenhv process, by id, so event channels can connect them; the
/// C++ API to create, start, pause, unpause and destroy them (binding ports between two domains:
/// `evtchn_connect` in hv/event_channel.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include <hv/domain.hpp>

namespace hv {

/// The set of domains in this process.
class host {
 public:
  /// A host whose domains trace into \p tr.
  explicit host(tracer& tr) : trace_(tr) {}

  /// Creates domain \p id (throws if it exists).
  domain& create_domain(std::uint16_t id, std::uint64_t mem_bytes, std::uint32_t nvcpus, std::uint32_t tsc_khz,
                        std::int64_t tsc_offset) {
    std::lock_guard lock(mu_);
    if (domains_.count(id) != 0) throw std::invalid_argument("domain " + std::to_string(id) + " exists");
    auto d = std::make_unique<domain>(this, id, mem_bytes, nvcpus, tsc_khz, tsc_offset, trace_);
    auto& ref = *d;
    domains_.emplace(id, std::move(d));
    return ref;
  }
  /// The domain with id \p id, or null.
  [[nodiscard]] domain* find(std::uint16_t id) const {
    std::lock_guard lock(mu_);
    auto it = domains_.find(id);
    return it == domains_.end() ? nullptr : it->second.get();
  }
  /// Starts domain \p id through its platform's starter (`domain::start`): `esrch` if there is
  /// no such domain, `einval` if it was started already, `enosys` if its platform cannot be
  /// started this way.
  [[nodiscard]] result<void> start(std::uint16_t id) {
    domain* d = find(id);
    if (d == nullptr) return errc::esrch;
    return d->start();
  }
  /// Pauses domain \p id (`domain::pause`: returns once none of its vCPUs executes guest code;
  /// its timers stop firing). Pauses nest. `esrch` if there is no such domain.
  [[nodiscard]] result<void> pause(std::uint16_t id) {
    domain* d = find(id);
    if (d == nullptr) return errc::esrch;
    d->pause();
    return {};
  }
  /// Undoes one `pause` of domain \p id: `esrch` if there is no such domain, `einval` if it is
  /// not paused.
  [[nodiscard]] result<void> unpause(std::uint16_t id) {
    domain* d = find(id);
    if (d == nullptr) return errc::esrch;
    return d->unpause();
  }
  /// Destroys domain \p id (its threads must have stopped).
  void destroy(std::uint16_t id) {
    std::unique_ptr<domain> d;
    {
      std::lock_guard lock(mu_);
      auto it = domains_.find(id);
      if (it == domains_.end()) return;
      d = std::move(it->second);
      domains_.erase(it);
    }
  }
  /// The trace sink.
  [[nodiscard]] tracer& trace() noexcept { return trace_; }

 private:
  tracer& trace_;
  mutable std::mutex mu_;
  std::map<std::uint16_t, std::unique_ptr<domain>> domains_;
};

}  // namespace hv
