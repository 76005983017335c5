#include "cli/shell/history_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/core/atomic_file.h"
#include "cli/shell/words.h"

namespace kdp::cli::shell {
namespace {

// Lines longer than this are not commands anyone typed; the file is bounded by both.
constexpr size_t kLongestLine = 4096;
constexpr size_t kLargestFile = kHistoryLines * (kLongestLine + 1);

// Ok when nothing is at `path` or a regular file of ours is; why not otherwise.
Status ours_or_absent(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return Error(ErrorKind::kIo, "history file " + path + ": " + std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode)) return Error(ErrorKind::kIo, "history file " + path + " is a symlink; not used");
  if (!S_ISREG(st.st_mode)) return Error(ErrorKind::kIo, "history file " + path + " is not a regular file; not used");
  if (st.st_uid != ::geteuid())
    return Error(ErrorKind::kIo, "history file " + path + " belongs to uid " + std::to_string(st.st_uid) + "; not used");
  return {};
}

}  // namespace

Expected<std::string> default_history_path(const char* xdg_state_home, const char* home) {
  if (xdg_state_home && *xdg_state_home) return std::string(xdg_state_home) + "/kdpctl/history";
  if (home && *home) return std::string(home) + "/.local/state/kdpctl/history";
  return usage_error("no history file: neither XDG_STATE_HOME nor HOME is set");
}

Expected<std::vector<std::string>> load_history(const std::string& path) {
  KDP_TRY_STATUS(ours_or_absent(path));
  auto text = read_regular_file(path, kLargestFile);
  if (!text && text.error().kind() == ErrorKind::kNotFound) return std::vector<std::string>{};
  if (!text) return std::move(text).error().context("history file");
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text->size()) {
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(at, end - at);
    if (line.size() <= kLongestLine && !is_blank_or_comment(line)) lines.push_back(std::move(line));
    at = end + 1;
  }
  if (lines.size() > kHistoryLines) lines.erase(lines.begin(), lines.end() - kHistoryLines);
  return lines;
}

Status save_history(const std::string& path, const std::vector<std::string>& lines) {
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  KDP_TRY_STATUS(ours_or_absent(path));
  std::string text;
  const size_t first = lines.size() > kHistoryLines ? lines.size() - kHistoryLines : 0;
  for (size_t i = first; i < lines.size(); ++i)
    if (lines[i].size() <= kLongestLine && lines[i].find('\n') == std::string::npos) text += lines[i] + "\n";
  return write_file(path, ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0600);
}

Status append_history(const std::string& path, const std::string& line) {
  KDP_TRY(std::vector<std::string> lines, load_history(path));
  lines.push_back(line);
  return save_history(path, lines);
}

}  // namespace kdp::cli::shell
