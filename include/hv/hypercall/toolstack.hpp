/// \file
/// The toolstack and device-model hypercalls a PVH domU can reach — platform_op, sysctl,
/// domctl, paging_domctl_cont, mmuext_op, dm_op — refused in Xen 4.17's order (argument read,
/// interface version, domain lookup, then privilege).
#pragma once

#include <cstdint>
#include <string>

#include <hv/hypercall/common.hpp>

namespace hv {
namespace detail {

/// Toolstack hypercalls (platform_op, sysctl, domctl) from a domain that is not the control
/// domain, in Xen's order: the argument structure of \p size bytes is read (-EFAULT), its
/// interface_version checked against \p version (-EACCES), then privilege (-EPERM).
inline std::int64_t privileged_struct_op(hcall& c, std::uint64_t size, std::uint32_t version) {
  const auto arg = c.a.a[0];
  c.arg("op", hex(arg));
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(size));
  if (!c.g.copy_from_guest(buf.data(), virt_addr{arg}, size)) return c.fail(errc::efault, "bad argument pointer");
  std::uint32_t cmd = 0, iv = 0;
  std::memcpy(&cmd, buf.data(), 4);
  std::memcpy(&iv, buf.data() + 4, 4);
  c.arg("cmd", std::to_string(cmd));
  c.arg("interface_version", hex(iv));
  if (iv != version) return c.fail(errc::eacces, "interface_version is not " + hex(version));
  return c.fail(errc::eperm, "privileged: control domain only");
}

/// paging_domctl_cont (Xen-internal number 49): the continuation of a shadow-paging domctl.
inline std::int64_t paging_domctl_cont(hcall& c) {
  const auto arg = c.a.a[0];
  c.arg("op", hex(arg));
  std::uint8_t buf[144];  // struct xen_domctl
  if (!c.g.copy_from_guest(buf, virt_addr{arg}, sizeof buf)) return c.fail(errc::efault, "bad argument pointer");
  std::uint32_t cmd = 0, iv = 0;
  std::uint16_t dom = 0;
  std::memcpy(&cmd, buf, 4);
  std::memcpy(&iv, buf + 4, 4);
  std::memcpy(&dom, buf + 8, 2);
  if (iv != 0x15 || cmd != 10) return c.fail(errc::eopnotsupp, "only a XEN_DOMCTL_shadow_op of interface 0x15 continues");
  if (dom == abi::DOMID::SELF || find_domain(c, dom) == nullptr) return c.fail(errc::esrch, "no such domain");
  return c.fail(errc::eperm, "privileged: control domain only");
}

/// mmuext_op(ops, count, done, foreigndom) from a PVH guest: Xen lets it act only on a PV
/// domain's pages (a PVH toolstack building PV guests); xenhv has no PV domains, so the owner
/// lookup decides: itself or another (HVM) domain -EINVAL, its own id or no such domain
/// -ESRCH; DOMID_IO/DOMID_XEN get as far as reading the operations.
inline std::int64_t mmuext_op(hcall& c) {
  const auto ops = c.a.a[0];
  const auto count = static_cast<std::uint32_t>(c.a.a[1]);
  const auto fd = static_cast<std::uint16_t>(c.a.a[3]);
  c.arg("ops", hex(ops));
  c.arg("count", std::to_string(count));
  c.arg("foreigndom", dom_name(fd));
  if (fd == abi::DOMID::SELF) return c.fail(errc::einval, "a PVH caller may only act on PV domains");
  if (fd == c.d.id) return c.fail(errc::esrch, "own id as foreign domain");
  if (fd == abi::DOMID::IO || fd == abi::DOMID::XEN) {
    const std::uint32_t n = count & 0x7fffffffu;  // MMU_UPDATE_PREEMPTED is bit 31
    std::uint8_t op[24];                              // struct mmuext_op
    if (n != 0 && !c.g.copy_from_guest(op, virt_addr{ops}, sizeof op)) return c.fail(errc::efault, "bad ops pointer");
    if (n == 0) return 0;
    return c.fail(errc::enosys, "MMUEXT operations on DOMID_IO/DOMID_XEN are not implemented by xenhv");
  }
  if (find_domain(c, fd) == nullptr) return c.fail(errc::esrch, "no such domain");
  return c.fail(errc::einval, "a PVH caller may only act on PV domains");
}

/// dm_op(domid, nr_bufs, bufs): device-model operations on another HVM domain; refused, in
/// Xen's order, for a domain that is not that domain's device model.
inline std::int64_t dm_op(hcall& c) {
  const auto domid = static_cast<std::uint16_t>(c.a.a[0]);
  const auto nr = static_cast<std::uint32_t>(c.a.a[1]);
  const auto bufs = c.a.a[2];
  c.arg("domid", dom_name(domid));
  c.arg("nr_bufs", std::to_string(nr));
  if (nr > 2) return c.fail(errc::e2big, "at most 2 buffers");
  std::uint8_t b[32];
  if (nr != 0 && !c.g.copy_from_guest(b, virt_addr{bufs}, nr * 16u)) return c.fail(errc::efault, "bad buffer array");
  if (nr == 0) return c.fail(errc::enodata, "no buffer");
  if (domid == c.d.id) return c.fail(errc::eperm, "a domain is not its own device model");
  if (domid == abi::DOMID::SELF || find_domain(c, domid) == nullptr) return c.fail(errc::esrch, "no such domain");
  return c.fail(errc::eperm, "not the device model of that domain");
}

}  // namespace detail
}  // namespace hv
