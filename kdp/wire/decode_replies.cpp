// read_body() for replies (spec §3.3). Acks and header-only replies use the Empty reader.
#include "kdp/wire/body_readers.h"

namespace kdp::wire::detail {

Expected<ErrorReply> read_body(Tag<ErrorReply>, ByteReader& r, Command) {
  ErrorReply b;
  KDP_TRY(b.error, r.u32("error"));
  return b;
}

Expected<HostInfoReply> read_body(Tag<HostInfoReply>, ByteReader& r, Command) {
  HostInfoReply b;
  KDP_TRY(b.cpus_mask, r.u32("cpus_mask"));
  KDP_TRY(b.cpu_type, r.u32("cpu_type"));
  KDP_TRY(b.cpu_subtype, r.u32("cpu_subtype"));
  return b;
}

Expected<VersionReply> read_body(Tag<VersionReply>, ByteReader& r, Command) {
  VersionReply b;
  KDP_TRY(b.version, r.u32("version"));
  KDP_TRY(b.feature, r.u32("feature"));
  KDP_TRY(b.pad0, r.u32("pad0"));
  KDP_TRY(b.pad1, r.u32("pad1"));
  return b;
}

Expected<MaxBytesReply> read_body(Tag<MaxBytesReply>, ByteReader& r, Command) {
  MaxBytesReply b;
  KDP_TRY(b.max_bytes, r.u32("max_bytes"));
  return b;
}

Expected<DataReply> read_body(Tag<DataReply>, ByteReader& r, Command) {
  DataReply b;
  KDP_TRY(b.error, r.u32("error"));
  b.data = read_rest(r);
  return b;
}

// xnu appends the value only on success: len 12 means "no value", len 20 carries one.
Expected<MsrReadReply> read_body(Tag<MsrReadReply>, ByteReader& r, Command) {
  MsrReadReply b;
  KDP_TRY(b.error, r.u32("error"));
  if (r.at_end()) return b;
  KDP_TRY(b.value, r.u64("data"));
  return b;
}

namespace {

Status read_region(ByteReader& r, Region& region) {
  KDP_TRY(region.address, r.u32("region address"));
  KDP_TRY(region.nbytes, r.u32("region nbytes"));
  KDP_TRY(region.protection, r.u32("region protection"));
  return {};
}

}  // namespace

Expected<RegionsReply> read_body(Tag<RegionsReply>, ByteReader& r, Command) {
  RegionsReply b;
  KDP_TRY(b.regions, read_records<Region>(r, "nregions", 12, read_region));
  return b;
}

Expected<ImagePathReply> read_body(Tag<ImagePathReply>, ByteReader& r, Command) {
  ImagePathReply b;
  KDP_TRY(b.path, r.c_string("path"));
  return b;
}

Expected<KernelVersionReply> read_body(Tag<KernelVersionReply>, ByteReader& r, Command) {
  KernelVersionReply b;
  KDP_TRY(b.version, r.c_string("version"));
  return b;
}

}  // namespace kdp::wire::detail
