// The one bounds-checked reader and writer for every untrusted byte in kdpctl: KDP datagrams,
// Mach-O files, core files, pcaps and kernel memory. Reads never go past the end, never overlay
// structs on raw bytes, and fail with an Error that names the field, its offset, and how many bytes
// were wanted versus available. Integers are assembled byte by byte so host endianness and
// alignment never matter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/error.h"

namespace kdp {

enum class Endian { kLittle, kBig };

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

class ByteReader {
 public:
  // `what` names the whole buffer in errors ("KDP_READMEM64 reply", "mach_kernel"); `base` is the
  // offset of data[0] within that larger object, so errors report absolute offsets.
  explicit ByteReader(ByteView data, std::string_view what = "buffer", uint64_t base = 0)
      : data_(data), what_(what), base_(base) {}

  size_t offset() const { return pos_; }          // relative to data[0]
  uint64_t absolute_offset() const { return base_ + pos_; }
  size_t size() const { return data_.size(); }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  ByteView data() const { return data_; }
  std::string_view what() const { return what_; }

  Status seek(uint64_t offset, std::string_view field);
  Status skip(uint64_t count, std::string_view field);

  Expected<uint8_t> u8(std::string_view field);
  Expected<uint16_t> u16(std::string_view field, Endian endian = Endian::kLittle);
  Expected<uint32_t> u32(std::string_view field, Endian endian = Endian::kLittle);
  Expected<uint64_t> u64(std::string_view field, Endian endian = Endian::kLittle);
  // An unsigned integer of `width` bytes, 1..8 (a C type's size from a type description).
  Expected<uint64_t> uint(uint64_t width, std::string_view field, Endian endian = Endian::kLittle);
  Expected<uint16_t> u16be(std::string_view field) { return u16(field, Endian::kBig); }
  Expected<uint32_t> u32be(std::string_view field) { return u32(field, Endian::kBig); }

  // Exactly `count` bytes (a view into the buffer, valid as long as the buffer).
  Expected<ByteView> bytes(uint64_t count, std::string_view field);
  // Everything up to the end.
  ByteView rest();
  // A fixed-width field holding a NUL-padded string (Mach-O segname, DUMPINFO name); the string
  // stops at the first NUL or at the field's end.
  Expected<std::string> fixed_string(uint64_t width, std::string_view field);
  // A NUL-terminated string that must end inside the buffer; the NUL is consumed.
  Expected<std::string> c_string(std::string_view field);

  // A reader over [offset, offset+count) of this buffer, with absolute offsets preserved.
  Expected<ByteReader> sub(uint64_t offset, uint64_t count, std::string_view field) const;

  // The error every failed read returns; exposed so callers report their own range checks alike.
  Error out_of_bounds(std::string_view field, uint64_t at, uint64_t wanted) const;

 private:
  Expected<uint64_t> integer(std::string_view field, size_t width, Endian endian);

  ByteView data_;
  std::string what_;
  uint64_t base_ = 0;
  size_t pos_ = 0;
};

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v, Endian endian = Endian::kLittle) { integer(v, 2, endian); }
  void u32(uint32_t v, Endian endian = Endian::kLittle) { integer(v, 4, endian); }
  void u64(uint64_t v, Endian endian = Endian::kLittle) { integer(v, 8, endian); }
  void u16be(uint16_t v) { u16(v, Endian::kBig); }
  void u32be(uint32_t v) { u32(v, Endian::kBig); }
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void zeros(size_t count) { out_.insert(out_.end(), count, 0); }
  // NUL-terminated.
  void c_string(std::string_view s);
  // Exactly `width` bytes: s truncated or NUL-padded.
  void fixed_string(std::string_view s, size_t width);
  // Overwrite an already written little-endian field (e.g. a length known only at the end).
  void patch_u16(size_t at, uint16_t v);
  void patch_u32(size_t at, uint32_t v);

  size_t size() const { return out_.size(); }
  const Bytes& data() const& { return out_; }
  Bytes take() && { return std::move(out_); }

 private:
  void integer(uint64_t v, size_t width, Endian endian);
  Bytes out_;
};

// "0x1f" style hex, used in every error and describe() line.
std::string hex(uint64_t v);
// Lower-case hex dump without separators ("92000800"), and its inverse for `kdpctl decode`.
std::string to_hex_string(ByteView bytes);
Expected<Bytes> from_hex_string(std::string_view text);

}  // namespace kdp
