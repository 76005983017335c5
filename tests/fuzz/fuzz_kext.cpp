// Fuzz target for the two readers of a user's kext that take untrusted bytes (macho/kext_bundle):
// the Info.plist reader and the in-memory Mach-O header's LC_UUID reader. Properties checked on
// every input:
//   * plist_string() returns a value, nullopt or an error, never crashes or hangs; an error names
//     the file ("fuzz.plist: …"), and a value found for a key is found again on a second call;
//   * header_extent() accepts only what covers the 32-byte header; header_uuid() over those bytes
//     returns a UUID, nullopt or an error naming "fuzz.header".
// Seeds in tests/fuzz/corpus/kext: the test kext's Info.plist and a kext-shaped Mach-O header.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "macho/kext_bundle.h"

using namespace kdp;
using namespace kdp::macho;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_kext: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_plist(std::string_view xml) {
  for (std::string_view key : {"CFBundleIdentifier", "CFBundleExecutable"}) {
    auto value = plist_string(xml, key, "fuzz.plist");
    if (!value) {
      if (value.error().message().find("fuzz.plist") == std::string::npos) fail("unnamed error", value.error().message());
      continue;
    }
    auto again = plist_string(xml, key, "fuzz.plist");
    if (!again || *again != *value) fail("a second read differs", std::string(key));
  }
}

void check_header(ByteView bytes) {
  auto extent = header_extent(bytes, "fuzz.header");
  if (!extent) return;
  if (*extent < 32) fail("header extent below the header itself", std::to_string(*extent));
  if (*extent > bytes.size()) return;  // the caller reads that many bytes first
  auto uuid = header_uuid(bytes.subspan(0, static_cast<size_t>(*extent)), "fuzz.header");
  if (!uuid && uuid.error().message().find("fuzz.header") == std::string::npos)
    fail("unnamed error", uuid.error().message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check_plist(std::string_view(reinterpret_cast<const char*>(data), size));
  check_header(ByteView(data, size));
  return 0;
}
