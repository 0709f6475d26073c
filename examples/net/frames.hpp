// examples/net: the frames the two guests exchange. Ethernet II with ARP (request/reply for
// IPv4 over Ethernet), IPv4 + ICMP echo (request/reply, Internet checksum), and a bulk frame of
// a local experimental EtherType carrying a sequence number, used to measure throughput.
// Freestanding: plain byte arrays, no library calls.
#pragma once

#include <cstddef>
#include <cstdint>

#include <xenabi/netfront.hpp>

namespace netex {

using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;

inline constexpr u16 eth_arp = 0x0806;   ///< EtherType ARP.
inline constexpr u16 eth_ipv4 = 0x0800;  ///< EtherType IPv4.
inline constexpr u16 eth_bulk = 0x88b5;  ///< IEEE local experimental EtherType 1: bulk frames.
inline constexpr std::size_t eth_hlen = 14;
inline constexpr xenabi::mac_addr broadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

inline u16 get16(const u8* p) { return static_cast<u16>(p[0] << 8 | p[1]); }
inline u32 get32(const u8* p) {
  return static_cast<u32>(p[0]) << 24 | static_cast<u32>(p[1]) << 16 | static_cast<u32>(p[2]) << 8 | p[3];
}
inline void put16(u8* p, u16 v) {
  p[0] = static_cast<u8>(v >> 8);
  p[1] = static_cast<u8>(v);
}
inline void put32(u8* p, u32 v) {
  put16(p, static_cast<u16>(v >> 16));
  put16(p + 2, static_cast<u16>(v));
}
inline void put_mac(u8* p, const xenabi::mac_addr& m) {
  for (int i = 0; i < 6; ++i) p[i] = m.b[i];
}
inline xenabi::mac_addr get_mac(const u8* p) {
  xenabi::mac_addr m;
  for (int i = 0; i < 6; ++i) m.b[i] = p[i];
  return m;
}

/// Writes the Ethernet header; returns the payload pointer.
inline u8* eth(u8* f, const xenabi::mac_addr& dst, const xenabi::mac_addr& src, u16 type) {
  put_mac(f, dst);
  put_mac(f + 6, src);
  put16(f + 12, type);
  return f + eth_hlen;
}
inline u16 eth_type(const u8* f) { return get16(f + 12); }

/// The Internet checksum (RFC 1071) of \p n bytes.
inline u16 inet_checksum(const u8* p, std::size_t n) {
  u32 sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += get16(p + i);
  if ((n & 1u) != 0) sum += static_cast<u32>(p[n - 1]) << 8;
  while ((sum >> 16) != 0) sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<u16>(~sum);
}

/// ARP for IPv4 over Ethernet: \p op 1 request, 2 reply. Returns the frame length (42).
inline u16 arp(u8* f, u16 op, const xenabi::mac_addr& dst, const xenabi::mac_addr& sha, u32 spa,
               const xenabi::mac_addr& tha, u32 tpa) {
  u8* a = eth(f, dst, sha, eth_arp);
  put16(a, 1);          // hardware: Ethernet
  put16(a + 2, eth_ipv4);
  a[4] = 6;
  a[5] = 4;
  put16(a + 6, op);
  put_mac(a + 8, sha);
  put32(a + 14, spa);
  put_mac(a + 18, tha);
  put32(a + 24, tpa);
  return eth_hlen + 28;
}
/// An ARP packet's fields (of a frame of at least 42 bytes).
struct arp_view {
  u16 op;
  xenabi::mac_addr sha;
  u32 spa;
  u32 tpa;
};
inline bool parse_arp(const u8* f, u16 len, arp_view& v) {
  if (len < eth_hlen + 28 || eth_type(f) != eth_arp) return false;
  const u8* a = f + eth_hlen;
  if (get16(a) != 1 || get16(a + 2) != eth_ipv4 || a[4] != 6 || a[5] != 4) return false;
  v.op = get16(a + 6);
  v.sha = get_mac(a + 8);
  v.spa = get32(a + 14);
  v.tpa = get32(a + 24);
  return true;
}

/// IPv4 + ICMP echo (\p type 8 request, 0 reply) with \p data_len payload bytes copied from
/// \p data. Returns the frame length.
inline u16 icmp_echo(u8* f, const xenabi::mac_addr& dst, const xenabi::mac_addr& src, u32 sip, u32 dip, u8 type,
                     u16 ident, u16 seq, const u8* data, u16 data_len) {
  u8* ip = eth(f, dst, src, eth_ipv4);
  const u16 ip_len = static_cast<u16>(20 + 8 + data_len);
  ip[0] = 0x45;
  ip[1] = 0;
  put16(ip + 2, ip_len);
  put16(ip + 4, seq);  // identification
  put16(ip + 6, 0x4000);  // don't fragment
  ip[8] = 64;
  ip[9] = 1;  // ICMP
  put16(ip + 10, 0);
  put32(ip + 12, sip);
  put32(ip + 16, dip);
  put16(ip + 10, inet_checksum(ip, 20));
  u8* ic = ip + 20;
  ic[0] = type;
  ic[1] = 0;
  put16(ic + 2, 0);
  put16(ic + 4, ident);
  put16(ic + 6, seq);
  for (u16 i = 0; i < data_len; ++i) ic[8 + i] = data[i];
  put16(ic + 2, inet_checksum(ic, 8u + data_len));
  return static_cast<u16>(eth_hlen + ip_len);
}
/// An ICMP echo's fields, with both checksums verified.
struct icmp_view {
  u32 sip, dip;
  u8 type;
  u16 ident, seq;
  const u8* data;
  u16 data_len;
};
inline bool parse_icmp_echo(const u8* f, u16 len, icmp_view& v) {
  if (len < eth_hlen + 28 || eth_type(f) != eth_ipv4) return false;
  const u8* ip = f + eth_hlen;
  if (ip[0] != 0x45 || ip[9] != 1 || inet_checksum(ip, 20) != 0) return false;
  const u16 ip_len = get16(ip + 2);
  if (ip_len < 28 || eth_hlen + ip_len > len) return false;
  const u8* ic = ip + 20;
  if (inet_checksum(ic, ip_len - 20u) != 0) return false;
  v.sip = get32(ip + 12);
  v.dip = get32(ip + 16);
  v.type = ic[0];
  v.ident = get16(ic + 4);
  v.seq = get16(ic + 6);
  v.data = ic + 8;
  v.data_len = static_cast<u16>(ip_len - 28);
  return (v.type == 8 || v.type == 0) && ic[1] == 0;
}

/// Bulk frame kinds (first payload byte).
enum class bulk : u8 { data = 1, end = 2, report = 3 };
/// A bulk frame: kind, then a 32-bit sequence number (data), frame count (end) or the
/// receiver's counts (report: frames, then kilobytes). Returns the payload pointer.
inline u8* bulk_frame(u8* f, const xenabi::mac_addr& dst, const xenabi::mac_addr& src, bulk kind, u32 a, u32 b) {
  u8* p = eth(f, dst, src, eth_bulk);
  p[0] = static_cast<u8>(kind);
  put32(p + 1, a);
  put32(p + 5, b);
  return p;
}

}  // namespace netex
