// The kernel core file back-end: memory and threads of a Mach-O MH_CORE (macho/core), read
// offline (`kdpctl --core FILE`). Inside a segment the bytes come from the file and past its
// filesize read as zero; outside every segment memory is unmapped ("Cannot access memory at
// address 0x...").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kgm/segment_map.h"
#include "macho/core/core_file.h"

namespace kdp::kgm {

class CoreMemory final : public SegmentMemory {
 public:
  // Maps the file (a regular file only), validates it (macho::parse_core) header first, and keeps
  // a copy of the segments' bytes.
  static Expected<std::unique_ptr<CoreMemory>> open(const std::string& path);
  CoreMemory(macho::CoreFile core, std::string name);

  std::string source() const override { return "core " + name_; }

  // x86_THREAD_STATE64 of each LC_THREAD (the first is the CPU that stopped).
  const std::vector<wire::X86ThreadState64>& threads() const { return core_.threads; }
  // The Mach-O header's CPU (the machine the core was taken on).
  uint32_t cpu_type() const { return core_.cpu_type; }
  uint32_t cpu_subtype() const { return core_.cpu_subtype; }

 private:
  macho::CoreFile core_;  // the segments' bytes, viewed by the map
  std::string name_;
};

}  // namespace kdp::kgm
