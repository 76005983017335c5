#include "macho/lief_check.h"

#include <LIEF/MachO.hpp>
#include <LIEF/logging.hpp>

#include <exception>
#include <mutex>
#include <string>
#include <vector>

#include "macho/format.h"

namespace kdp::macho {
namespace {

// LIEF 0.9 logs warnings to stderr by itself; library code must not print, so its logger is
// switched off once for the process.
void silence_lief() {
  static std::once_flag once;
  std::call_once(once, [] { LIEF::Logger::disable(); });
}

std::string describe_segment(const std::string& name, uint64_t vmaddr, uint64_t vmsize,
                             uint64_t fileoff, uint64_t filesize) {
  return name + " [" + hex(vmaddr) + ", +" + hex(vmsize) + ") file [" + hex(fileoff) + ", +" +
         hex(filesize) + ")";
}

std::string describe_section(const std::string& segment, const std::string& name, uint64_t address,
                             uint64_t size) {
  return segment + "," + name + " [" + hex(address) + ", +" + hex(size) + ")";
}

// The first row where LIEF's table and ours differ, or a count mismatch.
Status compare_tables(const char* what, const std::vector<std::string>& theirs,
                      const std::vector<std::string>& ours, const std::string& name) {
  for (size_t i = 0; i < theirs.size() && i < ours.size(); ++i)
    if (theirs[i] != ours[i])
      return malformed(name + ": LIEF reads " + what + " " + std::to_string(i) + " as " + theirs[i] +
                       ", kdpctl as " + ours[i]);
  if (theirs.size() != ours.size())
    return malformed(name + ": LIEF sees " + std::to_string(theirs.size()) + " " + what + "s, kdpctl " +
                     std::to_string(ours.size()));
  return {};
}

Status compare_with(const LIEF::MachO::Binary& bin, const MachOLayout& layout, const std::string& name) {
  std::vector<std::string> theirs, ours;
  for (const LIEF::MachO::SegmentCommand& s : bin.segments())
    theirs.push_back(describe_segment(s.name(), s.virtual_address(), s.virtual_size(), s.file_offset(), s.file_size()));
  for (const Segment& s : layout.segments)
    ours.push_back(describe_segment(s.name, s.vmaddr, s.vmsize, s.fileoff, s.filesize));
  KDP_TRY_STATUS(compare_tables("segment", theirs, ours, name));
  theirs.clear();
  ours.clear();
  for (const LIEF::MachO::Section& s : bin.sections())
    theirs.push_back(describe_section(s.segment_name(), s.name(), s.address(), s.size()));
  for (const Section& s : layout.sections)
    ours.push_back(describe_section(s.segment_name, s.name, s.address, s.size));
  return compare_tables("section", theirs, ours, name);
}

}  // namespace

Status cross_check_with_lief(const MachOLayout& layout, const std::string& name) {
  silence_lief();
  // LIEF gets the header and load commands only. Fed the whole slice it copies it once and every
  // segment's contents once more: for a 7 MB kernel that is 14 MB of fresh memory and 40-50 ms on
  // a VM with slow page faults, against 0.5 ms for the commands. Its symbol table is the part we
  // distrust anyway (LIEF 0.9 silently drops symbols when LC_SYMTAB is out of range, which is
  // also what makes this truncated view parse cleanly).
  auto header = layout.slice.bytes.first(kMachHeader64Size + layout.sizeofcmds);
  std::vector<uint8_t> bytes(header.begin(), header.end());
  try {
    std::unique_ptr<LIEF::MachO::FatBinary> fat =
        LIEF::MachO::Parser::parse(bytes, name, LIEF::MachO::ParserConfig::quick());
    if (!fat || fat->size() != 1)
      return malformed(name + ": LIEF did not find exactly one Mach-O image in the x86_64 slice");
    return compare_with(fat->at(0), layout, name);
  } catch (const std::exception& e) {
    return malformed(name + ": LIEF rejects the file: " + e.what());
  }
}

}  // namespace kdp::macho
