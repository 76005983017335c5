#include "kgm/object.h"

#include "kgm/memory_read.h"

#include <algorithm>

namespace kdp::kgm {

Expected<Range> field_span(const TypeModel& types, std::string_view type_name, FieldList fields) {
  uint64_t first = UINT64_MAX, last = 0;
  for (std::string_view path : fields) {
    KDP_TRY(ResolvedField f, types.field(type_name, path));
    first = std::min(first, f.offset);
    last = std::max(last, f.end());
  }
  if (fields.empty()) return Range{0, 0};
  return Range{first, last - first};
}

Expected<Object> read_object(Memory& memory, const TypeModel& types, std::string_view type_name,
                             uint64_t address, FieldList fields) {
  KDP_TRY(Range span, field_span(types, type_name, fields));
  std::string where = "cannot read " + std::string(type_name) + " at " + hex(address);
  if (address + span.address < address || address + span.end() < address)
    return Error(ErrorKind::kNotFound, where + ": the object would wrap around the address space")
        .with_fault_address(address);
  Range absolute{address + span.address, span.size};
  // Tell a caching layer the whole span first: it reads it in the fewest MAXBYTES requests.
  (void)memory.prefetch(std::span<const Range>(&absolute, 1));
  auto bytes = memory.read(absolute.address, absolute.size);
  if (!bytes) return std::move(bytes).error().context(where);
  return Object(types, std::string(type_name), address, span.address, std::move(*bytes));
}

Expected<ByteReader> Object::field_bytes(const ResolvedField& f) const {
  if (f.offset < span_start_ || f.end() > span_start_ + bytes_.size())
    return Error(ErrorKind::kUsage, type_name_ + "." + f.path + " was not in the fields read");
  ByteReader all(bytes_, type_name_ + " at " + hex(address_), span_start_);
  return all.sub(f.offset - span_start_, f.type.size, f.path);
}

Expected<uint64_t> Object::u(std::string_view path) const {
  KDP_TRY(ResolvedField f, types_->field(type_name_, path));
  if (f.type.kind == TypeKind::kArray || f.type.is_aggregate() || f.type.size > 8)
    return Error(ErrorKind::kUsage, type_name_ + "." + std::string(path) + " is not a scalar");
  KDP_TRY(ByteReader r, field_bytes(f));
  KDP_TRY(uint64_t v, r.uint(f.type.size, path));  // kernel memory is little-endian (x86_64)
  if (f.type.kind == TypeKind::kBitfield) {
    v >>= f.type.bit_offset;
    if (f.type.bit_width < 64) v &= (uint64_t{1} << f.type.bit_width) - 1;
  }
  return v;
}

Expected<int64_t> Object::i(std::string_view path) const {
  KDP_TRY(ResolvedField f, types_->field(type_name_, path));
  KDP_TRY(uint64_t v, u(path));
  unsigned bits = f.type.kind == TypeKind::kBitfield ? f.type.bit_width : 8 * f.type.size;
  if (f.type.is_signed && bits < 64 && (v >> (bits - 1)) & 1) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

Expected<std::string> Object::str(std::string_view path) const {
  KDP_TRY(ResolvedField f, types_->field(type_name_, path));
  if (f.type.kind != TypeKind::kArray)
    return Error(ErrorKind::kUsage, type_name_ + "." + std::string(path) + " is not a char array");
  KDP_TRY(ByteReader r, field_bytes(f));
  return r.fixed_string(f.type.size, path);
}

Expected<uint64_t> Object::address_of(std::string_view path) const {
  KDP_TRY(ResolvedField f, types_->field(type_name_, path));
  return address_ + f.offset;
}

Expected<CString> read_c_string(Memory& memory, uint64_t address, uint64_t max_length) {
  KDP_TRY(Bytes bytes, memory.read_partial(address, max_length));
  auto nul = std::find(bytes.begin(), bytes.end(), uint8_t{0});
  if (nul != bytes.end()) return CString{std::string(bytes.begin(), nul), true};
  if (bytes.size() < max_length)
    return Error(ErrorKind::kNotFound, "Cannot access memory at address " + hex(address + bytes.size()))
        .with_fault_address(address + bytes.size());
  return CString{std::string(bytes.begin(), bytes.end()), false};
}

}  // namespace kdp::kgm

namespace kdp::kgm {

Expected<uint64_t> read_u64(Memory& memory, uint64_t address, std::string_view what) {
  auto value = kgm::read_u64(memory, address);  // memory_read.h: the one checked 8-byte read
  if (!value) return std::move(value).error().context("cannot read " + std::string(what) + " at " + hex(address));
  return value;
}

}  // namespace kdp::kgm
