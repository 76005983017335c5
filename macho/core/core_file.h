// Mach-O core files (MH_CORE) as XNU writes them (bsd/kern/kern_core.c; kernel cores likewise):
// a mach_header_64, one LC_SEGMENT_64 per memory region, one LC_THREAD per thread holding
// {flavor, count, state} triples, then the region contents. kdp-sim serves its memory from such a
// file, and the same file can be read offline.
//
// The reader treats the file as hostile input: every field is read through ByteReader, load
// commands must fit their cmdsize and sizeofcmds, segment data must lie inside the file after the
// load commands, and segments may not overlap in memory or in the file. Errors name the file and
// the problem.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/wire/x86_state.h"
#include "macho/format.h"  // kMhMagic64, kLcSegment64, kX86ThreadState64Count, ... shared with kernel files

namespace kdp::macho {

inline constexpr uint32_t kMhCore = 4;
inline constexpr uint32_t kLcThread = 0x4;
inline constexpr uint32_t kVmProtAll = 7;  // VM_PROT_READ | WRITE | EXECUTE

struct CoreSegment {
  std::string name;  // segname: at most 16 characters, often empty in real cores
  uint64_t vmaddr = 0;
  uint64_t vmsize = 0;  // at least data.size(); memory past the data reads as zero
  uint32_t maxprot = kVmProtAll;
  uint32_t initprot = kVmProtAll;
  Bytes data;  // the filesize bytes stored in the file
  friend bool operator==(const CoreSegment&, const CoreSegment&) = default;
};

struct CoreFile {
  uint32_t cpu_type = kCpuTypeX86_64;
  uint32_t cpu_subtype = kCpuSubtypeX86_64All;
  std::vector<CoreSegment> segments;
  std::vector<wire::X86ThreadState64> threads;  // x86_THREAD_STATE64 of each LC_THREAD
  friend bool operator==(const CoreFile&, const CoreFile&) = default;
};

// The file image: header, LC_SEGMENT_64s, LC_THREADs (flavor 4, count 42), then each segment's
// data at a page-aligned offset. Fails (kUsage) on names longer than 16 characters, data larger
// than vmsize, or overlapping segments.
Expected<Bytes> encode_core(const CoreFile& core);
Status write_core_file(const CoreFile& core, const std::string& path);

// `name` prefixes every error ("demo.core: load command 2 (LC_SEGMENT_64) ...").
Expected<CoreFile> parse_core(ByteView file, std::string_view name);
Expected<CoreFile> read_core_file(const std::string& path);

}  // namespace kdp::macho
