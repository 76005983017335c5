// A kext as the user names it: a .kext bundle (Contents/Info.plist's CFBundleExecutable under
// Contents/MacOS, its bundle id from CFBundleIdentifier) or its bare Mach-O, and the .dSYM that
// dsymutil leaves beside either (DebugTest.kext.dSYM, DebugTest.dSYM). Also the LC_UUID of a
// kext's Mach-O header as it lies in kernel memory, to compare with the file's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "macho/layout.h"

namespace kdp::macho {

struct KextFiles {
  std::string executable;                // the Mach-O to load
  std::optional<std::string> bundle_id;  // CFBundleIdentifier; none for a bare Mach-O
  std::optional<std::string> dsym;       // PATH.dSYM beside the bundle or the Mach-O, when present
};

// `path`: a directory (a .kext bundle) or a file (its Mach-O). kNotFound naming what is missing.
Expected<KextFiles> locate_kext(const std::string& path);

// The top-level <string> value of `key` in an XML property list; nullopt when absent. A binary
// plist is refused (kMalformed, saying how to convert it); `what` names the file in errors.
Expected<std::optional<std::string>> plist_string(std::string_view xml, std::string_view key, std::string_view what);

// The header's 32 bytes: how many bytes the header and its load commands take (kMalformed when
// it is no 64-bit x86_64 Mach-O header).
Expected<uint64_t> header_extent(ByteView header, std::string_view what);
// The LC_UUID among the load commands of a header read whole (header_extent bytes); nullopt when
// it has none.
Expected<std::optional<Uuid>> header_uuid(ByteView header, std::string_view what);

}  // namespace kdp::macho
