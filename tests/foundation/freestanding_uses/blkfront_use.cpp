// Freestanding use of xenabi/blkfront.hpp and blkfront_xenbus.hpp (porting-guide
// 09-split-drivers.md): a block front end over the kernel's grant table, event channel and
// xenstore client, all in static storage. Linked -nostdlib.
#include <xenabi/blkfront_xenbus.hpp>
#include <xenabi/event_channel.hpp>
#include <xenabi/grant_table.hpp>

namespace {

alignas(4096) xenabi::abi::grant_entry_v1 grant_entries[512];
xenabi::grant_table<512> grants(grant_entries);

struct blk_env {
  xenabi::port chan{};
  xenabi::result<xenabi::grant_ref> grant(xenabi::domain_id d, xenabi::gfn f, bool ro) {
    return grants.grant_access(d, f, ro);
  }
  xenabi::result<void> end_grant(xenabi::grant_ref r) { return grants.end_access(r); }
  xenabi::gfn frame_of(const void* p) {
    return xenabi::gfn{static_cast<xenabi::u64>(reinterpret_cast<__UINTPTR_TYPE__>(p) >> 12)};
  }
  void notify() { (void)xenabi::evtchn::send(chan); }
};

struct store_env {
  void notify() {}
  void wait() {}
};

struct kernel {
  xenabi::result<xenabi::port> alloc_unbound(xenabi::domain_id be) { return xenabi::evtchn::alloc_unbound(be); }
  void close(xenabi::port p) { (void)xenabi::evtchn::close(p); }
};

using engine = xenabi::blkfront<blk_env, 64, 256>;
alignas(4096) engine::page ring_page;
alignas(4096) engine::page indirect[engine::indirect_pages];
alignas(4096) xenabi::abi::xenstore_domain_interface store_page;
blk_env env;
store_env senv;
kernel k;
engine blk(env, ring_page, indirect);
xenabi::xenstore_client<store_env> xs(store_page, senv);
xenabi::blkfront_device<xenabi::xenstore_client<store_env>, kernel, engine> dev(xs, k, blk, 51712);
alignas(4096) unsigned char buffer[65536];

}  // namespace

extern "C" int blkfront_example() {
  if (!dev.start("vbd-be")) return -1;
  if (!dev.step([](xenabi::u64, xenabi::s16) {})) return -2;  // on each watch event
  env.chan = dev.event_port();
  if (!blk.write(0, buffer, sizeof buffer, 1)) return -3;
  if (blk.features().barrier && !blk.barrier_write(128, buffer, 4096, 2)) return -4;
  blk.publish();
  auto n = blk.poll([](xenabi::u64, xenabi::s16) {});
  return n ? static_cast<int>(n.value()) : -5;
}
