#include "cli/core/int3_journal.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <sstream>

#include "cli/core/atomic_file.h"
#include "cli/core/number.h"
#include "cli/core/state_lock.h"

namespace kdp::cli {
namespace {

constexpr size_t kMaxJournalBytes = 1 << 20;

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < line.size()) {
    const size_t start = line.find_first_not_of(" \t\r", at);
    if (start == std::string_view::npos) break;
    const size_t end = std::min(line.find_first_of(" \t\r", start), line.size());
    out.push_back(line.substr(start, end - start));
    at = end;
  }
  return out;
}

Expected<Int3Entry> parse_entry(std::string_view line) {
  const std::vector<std::string_view> w = split_words(line);
  if (w.size() != 5 || w[0] != "int3") return usage_error("expected \"int3 TARGET PID ADDRESS ORIGINAL-BYTE\"");
  Int3Entry entry;
  entry.target = std::string(w[1]);
  KDP_TRY(uint64_t pid, parse_u64(w[2], "pid"));
  KDP_TRY(entry.address, parse_u64(w[3], "address"));
  KDP_TRY(uint64_t original, parse_u64(w[4], "original byte"));
  if (pid == 0 || pid > INT32_MAX) return usage_error("pid " + std::string(w[2]) + " is not a process id");
  if (original > 0xff) return usage_error("original byte " + std::string(w[4]) + " is not a byte");
  entry.writer = static_cast<pid_t>(pid);
  entry.original = static_cast<uint8_t>(original);
  return entry;
}

// A killed process nobody has reaped yet (an agent's parent is init, which may take its time, or
// never come in a container) still answers kill(pid, 0): Linux shows it as state Z.
bool is_zombie(pid_t pid) {
  auto stat = read_regular_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  if (!stat) return false;  // no procfs (macOS): launchd reaps at once
  const size_t end_of_name = stat->rfind(") ");
  return end_of_name != std::string::npos && end_of_name + 2 < stat->size() &&
         ((*stat)[end_of_name + 2] == 'Z' || (*stat)[end_of_name + 2] == 'X');
}

// The writer of an entry still runs (and is not this process): it takes its int3s out itself.
bool runs_elsewhere(pid_t writer) {
  if (writer == ::getpid()) return false;
  if (::kill(writer, 0) != 0 && errno != EPERM) return false;
  return !is_zombie(writer);
}

}  // namespace

Expected<std::vector<Int3Entry>> parse_int3_journal(std::string_view text, std::string_view path) {
  std::vector<Int3Entry> entries;
  size_t number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    if (split_words(line).empty() || line.front() == '#') continue;
    auto entry = parse_entry(line);
    if (!entry) return std::move(entry).error().context(std::string(path) + ":" + std::to_string(number));
    entries.push_back(std::move(entry).value());
  }
  return entries;
}

std::string serialize_int3_journal(const std::vector<Int3Entry>& entries) {
  std::ostringstream out;
  out << "# kdpctl int3 journal: the original bytes under breakpoints written into kernel memory\n";
  for (const Int3Entry& e : entries)
    out << "int3 " << e.target << " " << e.writer << " " << hex(e.address) << " " << hex(e.original) << "\n";
  return out.str();
}

std::string int3_journal_path(const std::string& state_path) { return state_path + ".int3"; }

Status Int3JournalFile::update(const Change& change) const {
  KDP_TRY(std::string real, resolve_symlinks(path_));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(real).parent_path(), ec);
  KDP_TRY(StateLock lock, StateLock::acquire(real));
  std::vector<Int3Entry> entries;
  auto text = read_regular_file(real, kMaxJournalBytes);
  if (text) {
    KDP_TRY(entries, parse_int3_journal(*text, path_));
  } else if (text.error().kind() != ErrorKind::kNotFound) {
    return std::move(text).error();
  }
  const std::vector<Int3Entry> before = entries;
  change(entries);
  if (entries == before) return {};
  const std::string out = serialize_int3_journal(entries);
  return write_file(real, ByteView(reinterpret_cast<const uint8_t*>(out.data()), out.size()), 0600);
}

Status Int3JournalFile::planting(const std::string& target, uint64_t address, uint8_t original) {
  Status done = update([&](std::vector<Int3Entry>& entries) {
    std::erase_if(entries, [&](const Int3Entry& e) { return e.target == target && e.address == address; });
    entries.push_back({target, writer_, address, original});
  });
  if (!done) return std::move(done).error().context("record the byte under a breakpoint in " + path_ + " (nothing was written)");
  return {};
}

Status Int3JournalFile::lifted(const std::string& target, uint64_t address) {
  return update([&](std::vector<Int3Entry>& entries) {
    std::erase_if(entries, [&](const Int3Entry& e) { return e.target == target && e.address == address; });
  });
}

Expected<std::vector<Int3Entry>> Int3JournalFile::orphans(const std::string& target) const {
  auto text = read_regular_file(path_, kMaxJournalBytes);
  if (!text && text.error().kind() == ErrorKind::kNotFound) return std::vector<Int3Entry>{};
  if (!text) return std::move(text).error();
  KDP_TRY(std::vector<Int3Entry> entries, parse_int3_journal(*text, path_));
  std::erase_if(entries, [&](const Int3Entry& e) { return e.target != target || runs_elsewhere(e.writer); });
  return entries;
}

Status restore_int3s(client::Session& session, Int3JournalFile& journal) {
  const std::string& target = session.target().address;
  KDP_TRY(std::vector<Int3Entry> orphans, journal.orphans(target));
  for (const Int3Entry& e : orphans) {
    auto now = session.read_memory_partial(e.address, 1);
    if (!now) return std::move(now).error().context("check the byte under a breakpoint an earlier kdpctl left");
    // Anything but our 0xCC there is someone else's now (or unreadable): only the record goes.
    if (now->empty() || (*now)[0] != 0xcc) {
      KDP_TRY_STATUS(journal.lifted(target, e.address));
      continue;
    }
    // Adopted, then removed: the original byte goes back and the session's bookkeeping clears the entry.
    Status restored = session.adopt_breakpoint(e.address, e.original);
    if (restored) restored = session.remove_breakpoint(e.address);
    if (!restored) return std::move(restored).error().context("restore the byte under a breakpoint an earlier kdpctl left");
  }
  return {};
}

}  // namespace kdp::cli
