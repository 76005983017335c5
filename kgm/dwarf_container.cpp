#include "kgm/dwarf_container.h"

#include <algorithm>
#include <iterator>

#include "macho/format.h"

namespace kdp::kgm {
namespace {

Error bad(const ByteReader& r, const std::string& problem) { return malformed(std::string(r.what()) + ": " + problem); }

// One section_64 of the __DWARF segment: kept when its bytes lie inside the slice.
Status read_section(ByteReader& cmd, const ByteReader& slice, DsymContainer& out) {
  KDP_TRY(std::string name, cmd.fixed_string(16, "section_64.sectname"));
  KDP_TRY_STATUS(cmd.skip(16 + 8, "section_64.segname/addr"));
  KDP_TRY(uint64_t size, cmd.u64("section_64.size"));
  KDP_TRY(uint32_t offset, cmd.u32("section_64.offset"));
  KDP_TRY_STATUS(cmd.skip(4 * 4 + 4 * 3, "section_64.align..reserved3"));
  if (offset > slice.size() || size > slice.size() - offset)
    return bad(slice, "section " + name + " (offset " + hex(offset) + ", size " + hex(size) +
                          ") extends past the end of the file");
  if (!name.starts_with("__")) return {};
  out.sections.insert_or_assign(name.substr(2), slice.data().subspan(offset, size));
  return {};
}

Status read_segment(ByteReader& cmd, const ByteReader& slice, DsymContainer& out) {
  KDP_TRY(std::string segname, cmd.fixed_string(16, "segment_command_64.segname"));
  KDP_TRY_STATUS(cmd.skip(8 * 4 + 4 * 2, "segment_command_64.vmaddr..initprot"));
  KDP_TRY(uint32_t nsects, cmd.u32("segment_command_64.nsects"));
  KDP_TRY_STATUS(cmd.skip(4, "segment_command_64.flags"));
  if (nsects > cmd.remaining() / macho::kSection64Size)
    return bad(slice, "segment " + segname + ": " + std::to_string(nsects) + " sections do not fit in its load command");
  if (segname != "__DWARF") return {};
  if (out.sections.size() + nsects > kDsymMaxSections) return bad(slice, "too many __DWARF sections");
  for (uint32_t i = 0; i < nsects; ++i) KDP_TRY_STATUS(read_section(cmd, slice, out));
  return {};
}

Status read_uuid(ByteReader& cmd, DsymContainer& out) {
  KDP_TRY(ByteView raw, cmd.bytes(16, "uuid_command.uuid"));
  macho::Uuid uuid{};
  std::copy(raw.begin(), raw.end(), uuid.begin());
  out.uuid = uuid;
  return {};
}

Status read_commands(ByteReader& r, const ByteReader& slice, uint32_t ncmds, DsymContainer& out) {
  for (uint32_t i = 0; i < ncmds; ++i) {
    const size_t start = r.offset();
    KDP_TRY(uint32_t cmd, r.u32("load_command.cmd"));
    KDP_TRY(uint32_t cmdsize, r.u32("load_command.cmdsize"));
    if (cmdsize < 8 || cmdsize > r.remaining() + 8)
      return bad(slice, "load command " + std::to_string(i) + ": cmdsize " + hex(cmdsize) + " is out of range");
    KDP_TRY(ByteReader body, r.sub(start + 8, cmdsize - 8, "load command"));
    if (cmd == macho::kLcSegment64) KDP_TRY_STATUS(read_segment(body, slice, out));
    if (cmd == macho::kLcUuid) KDP_TRY_STATUS(read_uuid(body, out));
    KDP_TRY_STATUS(r.seek(start + cmdsize, "load command"));
  }
  return {};
}

// The forms LLVM reads without surprises: fixed-size data, flags and references, ULEB data.
bool plain_form(uint64_t form) {
  constexpr uint64_t kForms[] = {0x05, 0x06, 0x07, 0x0b, 0x0c, 0x0d, 0x0f, 0x11, 0x12, 0x13, 0x14, 0x15, 0x19};
  return std::find(std::begin(kForms), std::end(kForms), form) != std::end(kForms);
}

Expected<uint64_t> uleb(ByteReader& r) {
  uint64_t value = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    KDP_TRY(uint8_t byte, r.u8("uleb128"));
    value |= uint64_t(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return malformed("uleb128 too long");
}

// Code, tag, then (index, form) pairs up to (0, 0); the table ends with code 0.
bool abbreviations_plain(ByteReader r) {
  for (unsigned count = 0; count < 4096; ++count) {
    auto code = uleb(r);
    if (!code) return false;
    if (*code == 0) return true;
    if (!uleb(r)) return false;  // tag
    for (unsigned attrs = 0;; ++attrs) {
      auto index = uleb(r);
      auto form = uleb(r);
      if (!index || !form || attrs > 64) return false;
      if (*index == 0 && *form == 0) break;
      if (!plain_form(*form)) return false;
    }
  }
  return false;
}

bool strings_inside(ByteReader offsets, uint32_t count, ByteView debug_str) {
  for (uint32_t i = 0; i < count; ++i) {
    auto offset = offsets.u32("string offset");
    if (!offset || *offset >= debug_str.size()) return false;
    if (std::find(debug_str.begin() + *offset, debug_str.end(), 0) == debug_str.end()) return false;
  }
  return true;
}

// One name index unit, `r` positioned after its unit_length and holding exactly its bytes.
bool name_index_usable(ByteReader r, ByteView debug_str) {
  auto version = r.u16("version");
  auto padding = r.u16("padding");
  auto cus = r.u32("comp_unit_count");
  auto local_tus = r.u32("local_type_unit_count");
  auto foreign_tus = r.u32("foreign_type_unit_count");
  auto buckets = r.u32("bucket_count");
  auto names = r.u32("name_count");
  auto abbrev_size = r.u32("abbrev_table_size");
  auto augmentation = r.u32("augmentation_string_size");
  if (!version || !padding || !cus || !local_tus || !foreign_tus || !buckets || !names || !abbrev_size || !augmentation)
    return false;
  if (*version != 5) return false;
  const uint64_t tables = (uint64_t{*augmentation} + 3) / 4 * 4 + 4 * uint64_t{*cus} + 4 * uint64_t{*local_tus} +
                          8 * uint64_t{*foreign_tus} + 4 * uint64_t{*buckets} +
                          (*buckets ? 4 * uint64_t{*names} : 0);
  if (tables > r.remaining() || !r.skip(tables, "name index tables")) return false;
  auto strings = r.sub(r.offset(), 4 * uint64_t{*names}, "string offsets");
  if (!strings || !strings_inside(*strings, *names, debug_str)) return false;
  if (!r.skip(4 * uint64_t{*names}, "string offsets")) return false;
  auto entries = r.sub(r.offset(), 4 * uint64_t{*names}, "entry offsets");
  if (!entries || !r.skip(4 * uint64_t{*names}, "entry offsets")) return false;
  auto abbrevs = r.sub(r.offset(), *abbrev_size, "abbreviations");
  if (!abbrevs || !abbreviations_plain(*abbrevs) || !r.skip(*abbrev_size, "abbreviations")) return false;
  for (uint32_t i = 0; i < *names; ++i) {
    auto entry = entries->u32("entry offset");
    if (!entry || *entry >= r.remaining()) return false;
  }
  return true;
}

}  // namespace

bool debug_names_usable(ByteView section, ByteView debug_str) {
  ByteReader r(section, ".debug_names");
  for (unsigned units = 0; !r.at_end(); ++units) {
    auto length = r.u32("unit_length");
    if (!length || *length >= 0xfffffff0 || units > 4096) return false;  // no 64-bit DWARF
    auto unit = r.sub(r.offset(), *length, "name index");
    if (!unit || !name_index_usable(*unit, debug_str) || !r.skip(*length, "name index")) return false;
  }
  return true;
}

bool apple_table_usable(ByteView section) {
  ByteReader r(section, "apple table");
  auto magic = r.u32("magic");
  auto version = r.u16("version");
  auto hash_function = r.u16("hash_function");
  auto buckets = r.u32("bucket_count");
  auto hashes = r.u32("hashes_count");
  auto header_data = r.u32("header_data_length");
  if (!magic || !version || !hash_function || !buckets || !hashes || !header_data) return false;
  if (*magic != 0x48415348 || *version != 1 || *hash_function != 0 || *buckets == 0) return false;
  auto die_offset_base = r.u32("die_offset_base");
  auto atoms = r.u32("atom_count");
  if (!die_offset_base || !atoms || *atoms == 0 || *atoms > 16 || *header_data < 8 + 4 * uint64_t{*atoms}) return false;
  // LLVM decodes each atom with its form and jumps through garbage on forms it does not expect:
  // only the plain forms dsymutil writes are let through.
  for (uint32_t i = 0; i < *atoms; ++i) {
    auto type = r.u16("atom type");
    auto form = r.u16("atom form");
    if (!type || !form) return false;
    if (!plain_form(*form)) return false;
  }
  const uint64_t tables = 20 + uint64_t{*header_data} + 4 * uint64_t{*buckets} + 8 * uint64_t{*hashes};
  return tables <= section.size();
}

Expected<DsymContainer> read_dsym_container(const ByteReader& file) {
  KDP_TRY(macho::Slice slice, macho::select_x86_64_slice(file));
  ByteReader r(slice.bytes, file.what(), slice.offset);
  KDP_TRY(uint32_t magic, r.u32("mach_header_64.magic"));
  if (magic != macho::kMhMagic64) return bad(r, "not a 64-bit Mach-O (magic " + hex(magic) + ")");
  KDP_TRY_STATUS(r.skip(8, "mach_header_64.cputype"));
  KDP_TRY(uint32_t filetype, r.u32("mach_header_64.filetype"));
  if (filetype != macho::kMhDsym && filetype != macho::kMhExecute)
    return bad(r, "filetype " + hex(filetype) + " is neither MH_DSYM nor MH_EXECUTE");
  KDP_TRY(uint32_t ncmds, r.u32("mach_header_64.ncmds"));
  KDP_TRY(uint32_t sizeofcmds, r.u32("mach_header_64.sizeofcmds"));
  KDP_TRY_STATUS(r.skip(8, "mach_header_64.flags/reserved"));
  KDP_TRY(ByteReader commands, r.sub(macho::kMachHeader64Size, sizeofcmds, "load commands"));
  if (ncmds > sizeofcmds / 8) return bad(r, "ncmds " + std::to_string(ncmds) + " cannot fit in sizeofcmds");
  DsymContainer out;
  KDP_TRY_STATUS(read_commands(commands, r, ncmds, out));
  if (!out.sections.contains("debug_info"))
    return Error(ErrorKind::kNotFound, std::string(file.what()) + ": no __DWARF,__debug_info section: not a dSYM with debug info");
  return out;
}

}  // namespace kdp::kgm
