#include "kgm/source_file.h"

#include <filesystem>

#include "kgm/bounded_file.h"

namespace kdp::kgm {

std::optional<std::string> find_source(const SourceLine& source, const std::vector<std::string>& dirs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path recorded(source.file);
  std::vector<fs::path> candidates;
  for (const std::string& dir : dirs) {
    if (recorded.is_relative()) candidates.push_back(fs::path(dir) / recorded);
    candidates.push_back(fs::path(dir) / recorded.filename());
  }
  if (!source.full_path.empty()) candidates.emplace_back(source.full_path);
  for (const fs::path& candidate : candidates)
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  return std::nullopt;
}

Expected<std::vector<std::string>> read_source_lines(const std::string& path) {
  KDP_TRY(Bytes bytes, read_regular_file(path, "source file", kMaxSourceFileBytes));
  std::vector<std::string> lines;
  std::string current;
  for (uint8_t byte : bytes) {
    if (byte == '\n') {
      lines.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(static_cast<char>(byte));
    }
  }
  if (!current.empty()) lines.push_back(std::move(current));
  return lines;
}

ListWindow list_window(uint32_t line) {
  const uint32_t first = line > 5 ? line - 5 : 1;
  return {first, first + 9};
}

}  // namespace kdp::kgm
