/// \file
/// \ingroup drivers
/// How the block back end reaches guest memory: only through grants the front end gave, mapped
/// with `hv::grant_map` into the back end's (driver domain's) maptrack and read or written
/// through `hv::granted_frame`.
///
/// Two regimes:
/// - **per request**: each segment's grant is mapped for the request (read-only when the back
///   end only reads the page, i.e. for a disk write) and unmapped when the request completes;
/// - **persistent** (`feature-persistent` negotiated by both ends): a grant, once mapped, stays
///   mapped until the connection ends, so the front end may keep reusing the same granted pages
///   and neither side pays a map/unmap per request. Up to `capacity` grants are kept; beyond
///   that a request falls back to per-request mappings for the grants not in the cache.
///
/// A persistent grant is mapped writable if the front end allows it (so it serves reads and
/// writes), else read-only (it then serves only disk writes; a disk read into it fails).
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <hv/hypercalls.hpp>

namespace hv::blk {

/// The grant mappings of one block connection (thread-safe).
class grant_access {
 public:
  /// Mappings made by \p backend of grants of domain \p frontend; \p persistent enables the
  /// cache of up to \p capacity mappings.
  grant_access(domain& backend, std::uint16_t frontend, bool persistent, std::size_t capacity)
      : be_(backend), fe_(frontend), persistent_(persistent), capacity_(capacity) {}
  grant_access(const grant_access&) = delete;
  grant_access& operator=(const grant_access&) = delete;
  /// Unmaps every persistent mapping.
  ~grant_access() { clear(); }

  /// The per-request mappings of one request, unmapped by `release`.
  struct scratch {
    std::vector<std::uint32_t> handles;  ///< Handles to unmap when the request completes.
  };

  /// The 4096 bytes of grant \p gref, writable if \p write (the back end will store into the
  /// page: a disk read), for a request whose temporary mappings go to \p s. Fails with `eacces`
  /// if the grant cannot be mapped with that access (bad reference, not granted to the back
  /// end, read-only grant for a write, frame outside the front end's RAM).
  [[nodiscard]] result<std::byte*> get(std::uint32_t gref, bool write, scratch& s) {
    if (persistent_) {
      std::uint32_t handle = 0;
      bool cached = false, ro = false;
      {
        std::lock_guard lock(mu_);
        if (auto it = cache_.find(gref); it != cache_.end()) {
          cached = true;
          handle = it->second.handle;
          ro = it->second.readonly;
        }
      }
      if (!cached) {
        auto m = grant_map(be_, fe_, gref, false);
        ro = false;
        if (m.status != abi::GNTST::okay) {
          m = grant_map(be_, fe_, gref, true);
          ro = true;
        }
        if (m.status != abi::GNTST::okay) return errc::eacces;
        handle = m.handle;
        {
          std::lock_guard lock(mu_);
          auto [it, inserted] = cache_.try_emplace(gref, entry{handle, ro});
          if (!inserted) {  // another worker cached it meanwhile: use theirs
            const std::uint32_t mine = handle;
            handle = it->second.handle;
            ro = it->second.readonly;
            s.handles.push_back(mine);
          } else if (cache_.size() > capacity_) {
            cache_.erase(it);
            s.handles.push_back(handle);  // cache full: a per-request mapping
          }
        }
        ++maps_;
      }
      if (write && ro) return errc::eacces;
      return frame(handle);
    }
    auto m = grant_map(be_, fe_, gref, !write);
    if (m.status != abi::GNTST::okay) return errc::eacces;
    ++maps_;
    s.handles.push_back(m.handle);
    return frame(m.handle);
  }

  /// Unmaps the per-request mappings of \p s.
  void release(scratch& s) {
    for (std::uint32_t h : s.handles) (void)grant_unmap(be_, h);
    s.handles.clear();
  }

  /// Unmaps every persistent mapping (at disconnect).
  void clear() {
    std::unordered_map<std::uint32_t, entry> old;
    {
      std::lock_guard lock(mu_);
      old.swap(cache_);
    }
    for (auto& [gref, e] : old) (void)grant_unmap(be_, e.handle);
  }

  /// Grants currently kept mapped.
  [[nodiscard]] std::size_t persistent_count() const {
    std::lock_guard lock(mu_);
    return cache_.size();
  }
  /// Grant maps performed so far (persistent hits do not count).
  [[nodiscard]] std::uint64_t maps() const noexcept { return maps_.load(); }
  /// True if persistent grants are in use.
  [[nodiscard]] bool persistent() const noexcept { return persistent_; }

 private:
  struct entry {
    std::uint32_t handle;
    bool readonly;
  };
  result<std::byte*> frame(std::uint32_t handle) {
    auto v = granted_frame(be_, handle);
    if (!v) return errc::eacces;
    return v.value().bytes.data();
  }

  domain& be_;
  std::uint16_t fe_;
  bool persistent_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::uint32_t, entry> cache_;
  std::atomic<std::uint64_t> maps_{0};
};

}  // namespace hv::blk
