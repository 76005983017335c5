#include "kdp/base/bytes.h"

#include <cctype>
#include <cstring>

namespace kdp {

std::string hex(uint64_t v) {
  static const char kDigits[] = "0123456789abcdef";
  char buf[19];
  int i = 18;
  buf[i] = '\0';
  do {
    buf[--i] = kDigits[v & 0xf];
    v >>= 4;
  } while (v != 0);
  buf[--i] = 'x';
  buf[--i] = '0';
  return std::string(buf + i);
}

Error ByteReader::out_of_bounds(std::string_view field, uint64_t at, uint64_t wanted) const {
  uint64_t available = at <= data_.size() ? data_.size() - at : 0;
  return malformed(what_ + ": " + std::string(field) + " at offset " + hex(base_ + at) +
                   ": needs " + std::to_string(wanted) + " bytes, " + std::to_string(available) +
                   " available");
}

Status ByteReader::seek(uint64_t offset, std::string_view field) {
  if (offset > data_.size()) return out_of_bounds(field, offset, 0);
  pos_ = static_cast<size_t>(offset);
  return {};
}

Status ByteReader::skip(uint64_t count, std::string_view field) {
  if (count > remaining()) return out_of_bounds(field, pos_, count);
  pos_ += static_cast<size_t>(count);
  return {};
}

Expected<uint64_t> ByteReader::integer(std::string_view field, size_t width, Endian endian) {
  if (width > remaining()) return out_of_bounds(field, pos_, width);
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    uint64_t byte = data_[pos_ + i];
    if (endian == Endian::kLittle)
      v |= byte << (8 * i);
    else
      v = (v << 8) | byte;
  }
  pos_ += width;
  return v;
}

Expected<uint64_t> ByteReader::uint(uint64_t width, std::string_view field, Endian endian) {
  if (width == 0 || width > 8)
    return Error(ErrorKind::kMalformed, std::string(what_) + ": " + std::string(field) + " is " +
                                            std::to_string(width) + " bytes wide; integers are 1 to 8");
  return integer(field, static_cast<size_t>(width), endian);
}

Expected<uint8_t> ByteReader::u8(std::string_view field) {
  KDP_TRY(uint64_t v, integer(field, 1, Endian::kLittle));
  return static_cast<uint8_t>(v);
}
Expected<uint16_t> ByteReader::u16(std::string_view field, Endian endian) {
  KDP_TRY(uint64_t v, integer(field, 2, endian));
  return static_cast<uint16_t>(v);
}
Expected<uint32_t> ByteReader::u32(std::string_view field, Endian endian) {
  KDP_TRY(uint64_t v, integer(field, 4, endian));
  return static_cast<uint32_t>(v);
}
Expected<uint64_t> ByteReader::u64(std::string_view field, Endian endian) {
  return integer(field, 8, endian);
}

Expected<ByteView> ByteReader::bytes(uint64_t count, std::string_view field) {
  if (count > remaining()) return out_of_bounds(field, pos_, count);
  ByteView v = data_.subspan(pos_, static_cast<size_t>(count));
  pos_ += static_cast<size_t>(count);
  return v;
}

ByteView ByteReader::rest() {
  ByteView v = data_.subspan(pos_);
  pos_ = data_.size();
  return v;
}

Expected<std::string> ByteReader::fixed_string(uint64_t width, std::string_view field) {
  KDP_TRY(ByteView raw, bytes(width, field));
  size_t n = 0;
  while (n < raw.size() && raw[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(raw.data()), n);
}

Expected<std::string> ByteReader::c_string(std::string_view field) {
  const uint8_t* start = data_.data() + pos_;
  const void* nul = std::memchr(start, 0, remaining());
  if (nul == nullptr)
    return malformed(what_ + ": " + std::string(field) + " at offset " + hex(base_ + pos_) +
                     ": string is not NUL-terminated within the " + std::to_string(remaining()) +
                     " remaining bytes");
  size_t n = static_cast<size_t>(static_cast<const uint8_t*>(nul) - start);
  std::string s(reinterpret_cast<const char*>(start), n);
  pos_ += n + 1;
  return s;
}

Expected<ByteReader> ByteReader::sub(uint64_t offset, uint64_t count, std::string_view field) const {
  if (offset > data_.size() || count > data_.size() - offset)
    return malformed(what_ + ": " + std::string(field) + " [" + hex(base_ + offset) + ", +" +
                     hex(count) + ") extends past the end (size " + hex(data_.size()) + ")");
  return ByteReader(data_.subspan(static_cast<size_t>(offset), static_cast<size_t>(count)), what_,
                    base_ + offset);
}

void ByteWriter::integer(uint64_t v, size_t width, Endian endian) {
  for (size_t i = 0; i < width; ++i) {
    size_t shift = endian == Endian::kLittle ? i : width - 1 - i;
    out_.push_back(static_cast<uint8_t>(v >> (8 * shift)));
  }
}

void ByteWriter::c_string(std::string_view s) {
  out_.insert(out_.end(), s.begin(), s.end());
  out_.push_back(0);
}

void ByteWriter::fixed_string(std::string_view s, size_t width) {
  size_t n = s.size() < width ? s.size() : width;
  out_.insert(out_.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
  out_.insert(out_.end(), width - n, 0);
}

void ByteWriter::patch_u16(size_t at, uint16_t v) {
  out_.at(at) = static_cast<uint8_t>(v);
  out_.at(at + 1) = static_cast<uint8_t>(v >> 8);
}

void ByteWriter::patch_u32(size_t at, uint32_t v) {
  for (size_t i = 0; i < 4; ++i) out_.at(at + i) = static_cast<uint8_t>(v >> (8 * i));
}

std::string to_hex_string(ByteView bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 0xf]);
  }
  return s;
}

Expected<Bytes> from_hex_string(std::string_view text) {
  Bytes out;
  int pending = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == ':' || c == ',') continue;
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else return usage_error("hex text: unexpected character '" + std::string(1, c) + "' at position " + std::to_string(i));
    if (pending < 0) {
      pending = v;
    } else {
      out.push_back(static_cast<uint8_t>(pending << 4 | v));
      pending = -1;
    }
  }
  if (pending >= 0) return usage_error("hex text: odd number of hex digits");
  return out;
}

}  // namespace kdp
