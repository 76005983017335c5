#include "macho/kext_bundle.h"

#include <filesystem>

#include "macho/format.h"
#include "macho/mapped_file.h"

namespace kdp::macho {
namespace {

namespace fs = std::filesystem;

// A kext's Info.plist is a few KiB; anything near this is not one.
constexpr size_t kMaxPlistBytes = 1 << 20;
// A kext's header and load commands fit in its first pages; more is a damaged header.
constexpr uint64_t kMaxHeaderBytes = 64 * 1024;
constexpr uint64_t kMachHeader64Bytes = 32;

std::optional<std::string> beside(const fs::path& path) {
  fs::path bundle = path;
  bundle += ".dSYM";
  std::error_code ec;
  if (!fs::is_directory(bundle, ec)) return std::nullopt;
  return bundle.string();
}

// The five predefined XML entities; character references are left as they are (bundle ids and
// executable names have no use for them).
std::string unescape_xml(std::string_view text) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& entity : kEntities)
      if (text.substr(i).starts_with(entity.first)) {
        out.push_back(entity.second);
        i += entity.first.size();
        replaced = true;
        break;
      }
    if (!replaced) out.push_back(text[i++]);
  }
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

Expected<std::string> read_plist(const std::string& path) {
  KDP_TRY(MappedFile file, MappedFile::open(path, "Info.plist"));
  const ByteView bytes = file.bytes();
  if (bytes.size() > kMaxPlistBytes)
    return malformed(path + ": " + std::to_string(bytes.size()) + " bytes, more than an Info.plist's limit of " +
                     std::to_string(kMaxPlistBytes));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Expected<KextFiles> locate_bundle(const fs::path& bundle) {
  const std::string plist_path = (bundle / "Contents" / "Info.plist").string();
  std::error_code ec;
  if (!fs::is_regular_file(plist_path, ec))
    return Error(ErrorKind::kNotFound, bundle.string() + ": no Contents/Info.plist (is it a .kext bundle?)");
  KDP_TRY(std::string xml, read_plist(plist_path));
  KDP_TRY(auto executable, plist_string(xml, "CFBundleExecutable", plist_path));
  KDP_TRY(auto bundle_id, plist_string(xml, "CFBundleIdentifier", plist_path));
  if (!executable || executable->empty() || executable->find('/') != std::string::npos)
    return Error(ErrorKind::kNotFound, plist_path + ": no CFBundleExecutable naming a file in Contents/MacOS");
  if (!bundle_id || bundle_id->empty()) return Error(ErrorKind::kNotFound, plist_path + ": no CFBundleIdentifier");
  KextFiles files;
  files.executable = (bundle / "Contents" / "MacOS" / *executable).string();
  if (!fs::is_regular_file(files.executable, ec))
    return Error(ErrorKind::kNotFound, bundle.string() + ": its executable " + files.executable + " is missing");
  files.bundle_id = std::move(bundle_id);
  files.dsym = beside(bundle);
  return files;
}

}  // namespace

Expected<std::optional<std::string>> plist_string(std::string_view xml, std::string_view key, std::string_view what) {
  if (xml.starts_with("bplist"))
    return malformed(std::string(what) + ": a binary property list; convert it with `plutil -convert xml1`");
  const std::string tag = "<key>" + std::string(key) + "</key>";
  // One pass over the tags, counting open <dict>s: only the top-level dictionary's key counts (a
  // nested one of the same name is another thing). Linear, whatever the file repeats.
  int depth = 0;
  for (size_t at = xml.find('<'); at != std::string_view::npos; at = xml.find('<', at + 1)) {
    const std::string_view rest = xml.substr(at);
    if (rest.starts_with("<dict>")) ++depth;
    else if (rest.starts_with("</dict>")) --depth;
    if (depth != 1 || !rest.starts_with(tag)) continue;
    size_t value = at + tag.size();
    while (value < xml.size() && is_space(xml[value])) ++value;
    constexpr std::string_view kOpen = "<string>", kClose = "</string>";
    if (!xml.substr(value).starts_with(kOpen))
      return malformed(std::string(what) + ": " + std::string(key) + " is not a <string>");
    const size_t start = value + kOpen.size();
    const size_t end = xml.find(kClose, start);
    if (end == std::string_view::npos) return malformed(std::string(what) + ": " + std::string(key) + "'s <string> is not closed");
    return std::optional<std::string>(unescape_xml(xml.substr(start, end - start)));
  }
  return std::optional<std::string>();
}

Expected<KextFiles> locate_kext(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::path(path).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "DebugTest.kext/"
  if (fs::is_directory(p, ec)) return locate_bundle(p);
  if (!fs::exists(p, ec)) return Error(ErrorKind::kNotFound, path + ": no such file or directory");
  KextFiles files;
  files.executable = p.string();
  files.dsym = beside(p);
  return files;
}

Expected<uint64_t> header_extent(ByteView header, std::string_view what) {
  ByteReader r(header, what);
  KDP_TRY(uint32_t magic, r.u32("mach_header_64.magic"));
  if (magic != kMhMagic64) return malformed(std::string(what) + ": no 64-bit Mach-O header (magic " + hex(magic) + ")");
  KDP_TRY(uint32_t cputype, r.u32("mach_header_64.cputype"));
  if (cputype != kCpuTypeX86_64) return malformed(std::string(what) + ": the Mach-O header is not x86_64's");
  KDP_TRY_STATUS(r.skip(12, "mach_header_64.cpusubtype..ncmds"));
  KDP_TRY(uint32_t sizeofcmds, r.u32("mach_header_64.sizeofcmds"));
  if (sizeofcmds > kMaxHeaderBytes - kMachHeader64Bytes)
    return malformed(std::string(what) + ": sizeofcmds " + hex(sizeofcmds) + " is larger than a kext's header");
  return kMachHeader64Bytes + sizeofcmds;
}

Expected<std::optional<Uuid>> header_uuid(ByteView header, std::string_view what) {
  KDP_TRY(uint64_t extent, header_extent(header, what));
  ByteReader r(header, what);
  KDP_TRY_STATUS(r.skip(16, "mach_header_64.magic..filetype"));
  KDP_TRY(uint32_t ncmds, r.u32("mach_header_64.ncmds"));
  KDP_TRY(ByteReader commands, r.sub(kMachHeader64Bytes, extent - kMachHeader64Bytes, "load commands"));
  for (uint32_t i = 0; i < ncmds; ++i) {
    const uint64_t start = commands.offset();
    KDP_TRY(uint32_t cmd, commands.u32("load_command.cmd"));
    KDP_TRY(uint32_t cmdsize, commands.u32("load_command.cmdsize"));
    if (cmdsize < 8) return malformed(std::string(what) + ": load command " + std::to_string(i) + " has cmdsize " + std::to_string(cmdsize));
    if (cmd == kLcUuid) {
      KDP_TRY(ByteView bytes, commands.bytes(16, "uuid_command.uuid"));
      Uuid uuid{};
      std::copy(bytes.begin(), bytes.end(), uuid.begin());
      return std::optional<Uuid>(uuid);
    }
    KDP_TRY_STATUS(commands.seek(start + cmdsize, "load command"));
  }
  return std::optional<Uuid>();
}

}  // namespace kdp::macho
