// Internal to kdp_wire: one read_body() overload per Body shape, split by direction over
// decode_requests.cpp and decode_replies.cpp, plus the counting helpers they share. Each reader
// starts at offset 8 and stops after its last field; decode() judges what is left (see decode.cpp).
#pragma once

#include <string_view>
#include <type_traits>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/wire/packet.h"

namespace kdp::wire::detail {

template <class T>
using Tag = std::type_identity<T>;

// A u32 address for the 32-bit commands (zero-extended), else a u64.
Expected<uint64_t> read_address(ByteReader& r, Command command);
// `count` items of `unit` bytes each must fill exactly the rest of the datagram; `at` is where the
// count field itself sits, for the error.
Status check_count(const ByteReader& r, std::string_view field, uint64_t at, uint64_t count,
                   uint64_t unit);
// nbytes data bytes that must be exactly the rest of the datagram.
Expected<Bytes> read_counted_data(ByteReader& r, uint64_t nbytes_at, uint64_t nbytes);
Bytes read_rest(ByteReader& r);

// A u32 count followed by exactly that many records of `unit` bytes, each read by `read_one`
// (REGIONS, EXCEPTION).
template <class Item, class ReadOne>
Expected<std::vector<Item>> read_records(ByteReader& r, std::string_view count_field,
                                         uint64_t unit, ReadOne read_one) {
  uint64_t count_at = r.absolute_offset();
  KDP_TRY(uint32_t count, r.u32(count_field));
  KDP_TRY_STATUS(check_count(r, count_field, count_at, count, unit));
  std::vector<Item> items(count);  // bounded: check_count proved count * unit bytes are present
  for (Item& item : items) KDP_TRY_STATUS(read_one(r, item));
  return items;
}

Expected<Empty> read_body(Tag<Empty>, ByteReader&, Command);
Expected<ConnectRequest> read_body(Tag<ConnectRequest>, ByteReader&, Command);
Expected<ReattachRequest> read_body(Tag<ReattachRequest>, ByteReader&, Command);
Expected<MemReadRequest> read_body(Tag<MemReadRequest>, ByteReader&, Command);
Expected<PhysReadRequest> read_body(Tag<PhysReadRequest>, ByteReader&, Command);
Expected<MemWriteRequest> read_body(Tag<MemWriteRequest>, ByteReader&, Command);
Expected<PhysWriteRequest> read_body(Tag<PhysWriteRequest>, ByteReader&, Command);
Expected<ReadRegsRequest> read_body(Tag<ReadRegsRequest>, ByteReader&, Command);
Expected<WriteRegsRequest> read_body(Tag<WriteRegsRequest>, ByteReader&, Command);
Expected<LoadRequest> read_body(Tag<LoadRequest>, ByteReader&, Command);
Expected<ResumeRequest> read_body(Tag<ResumeRequest>, ByteReader&, Command);
Expected<BreakpointRequest> read_body(Tag<BreakpointRequest>, ByteReader&, Command);
Expected<IoPortReadRequest> read_body(Tag<IoPortReadRequest>, ByteReader&, Command);
Expected<IoPortWriteRequest> read_body(Tag<IoPortWriteRequest>, ByteReader&, Command);
Expected<MsrReadRequest> read_body(Tag<MsrReadRequest>, ByteReader&, Command);
Expected<MsrWriteRequest> read_body(Tag<MsrWriteRequest>, ByteReader&, Command);
Expected<DumpInfo> read_body(Tag<DumpInfo>, ByteReader&, Command);
Expected<ExceptionNotification> read_body(Tag<ExceptionNotification>, ByteReader&, Command);
Expected<TerminationNotification> read_body(Tag<TerminationNotification>, ByteReader&, Command);

Expected<ErrorReply> read_body(Tag<ErrorReply>, ByteReader&, Command);
Expected<HostInfoReply> read_body(Tag<HostInfoReply>, ByteReader&, Command);
Expected<VersionReply> read_body(Tag<VersionReply>, ByteReader&, Command);
Expected<MaxBytesReply> read_body(Tag<MaxBytesReply>, ByteReader&, Command);
Expected<DataReply> read_body(Tag<DataReply>, ByteReader&, Command);
Expected<MsrReadReply> read_body(Tag<MsrReadReply>, ByteReader&, Command);
Expected<RegionsReply> read_body(Tag<RegionsReply>, ByteReader&, Command);
Expected<ImagePathReply> read_body(Tag<ImagePathReply>, ByteReader&, Command);
Expected<KernelVersionReply> read_body(Tag<KernelVersionReply>, ByteReader&, Command);

}  // namespace kdp::wire::detail
