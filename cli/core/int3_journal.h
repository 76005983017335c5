// The int3 journal: a small file beside the state file ("<state>.int3") that holds, for every
// 0xCC a kdpctl session wrote into kernel memory and has not yet taken out, the kernel, the
// address, the original byte and the process that wrote it. An entry reaches the disk (fsync'd,
// replaced atomically, under a lock) before the 0xCC is sent and leaves it after the original
// byte is back, so a kdpctl or agent killed at any moment leaves either nothing to undo or a
// record of it. The next session restores those bytes (restore_int3s) unless their writer still
// runs (it takes them out itself); an entry whose byte is no longer 0xCC is dropped, not
// "restored" over someone else's write.
//
//   # kdpctl int3 journal: the original bytes under breakpoints written into kernel memory
//   int3 127.0.0.1:41139 4242 0xffffff8000201234 0x55
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kdp/base/error.h"
#include "kdp/client/session.h"

namespace kdp::cli {

struct Int3Entry {
  std::string target;  // the kernel's resolved address (client::TargetInfo::address)
  pid_t writer = 0;
  uint64_t address = 0;
  uint8_t original = 0;
  friend bool operator==(const Int3Entry&, const Int3Entry&) = default;
};

Expected<std::vector<Int3Entry>> parse_int3_journal(std::string_view text, std::string_view path);
std::string serialize_int3_journal(const std::vector<Int3Entry>& entries);

// "<state path>.int3".
std::string int3_journal_path(const std::string& state_path);

class Int3JournalFile final : public client::Int3Journal {
 public:
  // `writer`: the pid recorded with this process's entries.
  explicit Int3JournalFile(std::string path, pid_t writer = ::getpid()) : path_(std::move(path)), writer_(writer) {}

  Status planting(const std::string& target, uint64_t address, uint8_t original) override;
  Status lifted(const std::string& target, uint64_t address) override;

  // The entries for `target` whose writer no longer runs (or is this process: a session of ours
  // that ended without taking them out); kNotFound never (no file: none).
  Expected<std::vector<Int3Entry>> orphans(const std::string& target) const;
  const std::string& path() const { return path_; }

 private:
  using Change = std::function<void(std::vector<Int3Entry>&)>;
  Status update(const Change& change) const;

  std::string path_;
  pid_t writer_;
};

// Gives back the bytes under the orphaned int3s of session's kernel: each one still 0xCC gets its
// original byte (adopt, then remove: the session's own bookkeeping clears the entry), any other
// is dropped from the journal.
Status restore_int3s(client::Session& session, Int3JournalFile& journal);

}  // namespace kdp::cli
