// write_body() for replies (spec §3.3). Acks and header-only replies use the Empty writer.
#include "kdp/wire/body_writers.h"

namespace kdp::wire::detail {

Status write_body(const ErrorReply& b, BodyWriter& w) {
  w.out.u32(b.error);
  return {};
}

Status write_body(const HostInfoReply& b, BodyWriter& w) {
  w.out.u32(b.cpus_mask);
  w.out.u32(b.cpu_type);
  w.out.u32(b.cpu_subtype);
  return {};
}

// pad0/pad1 are written as given, so a replayed reply is byte-identical to the captured one.
Status write_body(const VersionReply& b, BodyWriter& w) {
  w.out.u32(b.version);
  w.out.u32(b.feature);
  w.out.u32(b.pad0);
  w.out.u32(b.pad1);
  return {};
}

Status write_body(const MaxBytesReply& b, BodyWriter& w) {
  w.out.u32(b.max_bytes);
  return {};
}

Status write_body(const DataReply& b, BodyWriter& w) {
  w.out.u32(b.error);
  w.out.bytes(b.data);
  return {};
}

Status write_body(const MsrReadReply& b, BodyWriter& w) {
  w.out.u32(b.error);
  if (b.value) w.out.u64(*b.value);
  return {};
}

Status write_body(const RegionsReply& b, BodyWriter& w) {
  w.out.u32(static_cast<uint32_t>(b.regions.size()));
  for (const Region& r : b.regions) {
    w.out.u32(r.address);
    w.out.u32(r.nbytes);
    w.out.u32(r.protection);
  }
  return {};
}

Status write_body(const ImagePathReply& b, BodyWriter& w) { return w.c_string(b.path, "path"); }

Status write_body(const KernelVersionReply& b, BodyWriter& w) {
  return w.c_string(b.version, "version");
}

}  // namespace kdp::wire::detail
