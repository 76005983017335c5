// A kext as the user names it (macho/kext_bundle.h): Info.plist's top-level strings, the .kext
// bundle and bare Mach-O layouts, and the LC_UUID of a Mach-O header read from kernel memory.
// Inputs are written here by hand; damaged ones must come back as errors, never crash or hang.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "macho/kext_bundle.h"

using namespace kdp;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPlist = R"(<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>OSBundleLibraries</key>
	<dict>
		<key>CFBundleIdentifier</key>
		<string>nested.not.this.one</string>
	</dict>
	<key>CFBundleExecutable</key>
	<string>DebugTest</string>
	<key>CFBundleIdentifier</key>
	<string>ax.ho.kext.A&amp;B</string>
	<key>CFBundleVersion</key>
	<integer>1</integer>
</dict>
</plist>
)";

void u32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// mach_header_64 + one 72-byte LC_SEGMENT_64 (zeroed) + LC_UUID 00 01 .. 0f.
Bytes header_with_uuid(uint32_t segment_cmdsize = 72) {
  Bytes b;
  u32(b, 0xfeedfacf), u32(b, 0x01000007), u32(b, 3), u32(b, 0xb), u32(b, 2), u32(b, segment_cmdsize + 24), u32(b, 0), u32(b, 0);
  u32(b, 0x19), u32(b, segment_cmdsize);
  b.resize(b.size() + segment_cmdsize - 8, 0);
  u32(b, 0x1b), u32(b, 24);
  for (uint8_t i = 0; i < 16; ++i) b.push_back(i);
  return b;
}

}  // namespace

TEST_CASE("kext plist: top-level strings only, entities decoded, binary plists refused") {
  auto exe = macho::plist_string(kPlist, "CFBundleExecutable", "Info.plist");
  REQUIRE(exe.has_value());
  CHECK(*exe == std::optional<std::string>("DebugTest"));
  auto id = macho::plist_string(kPlist, "CFBundleIdentifier", "Info.plist");
  REQUIRE(id.has_value());
  CHECK(*id == std::optional<std::string>("ax.ho.kext.A&B"));
  auto absent = macho::plist_string(kPlist, "CFBundleName", "Info.plist");
  REQUIRE(absent.has_value());
  CHECK(!absent->has_value());
  auto not_string = macho::plist_string(kPlist, "CFBundleVersion", "Info.plist");
  CHECK(!not_string.has_value());
  auto unclosed = macho::plist_string("<dict><key>CFBundleExecutable</key><string>Debug", "CFBundleExecutable", "P");
  CHECK(!unclosed.has_value());
  auto binary = macho::plist_string("bplist00\x01\x02", "CFBundleExecutable", "P");
  REQUIRE(!binary.has_value());
  CHECK(binary.error().message().find("plutil -convert xml1") != std::string::npos);
}

TEST_CASE("kext plist: a file of a megabyte repeating the key in nested dictionaries is read in one pass") {
  // Each nested occurrence once meant a rescan of the file from its start (quadratic).
  std::string xml = "<plist><dict>";
  for (int i = 0; i < 25000; ++i) xml += "<dict><key>CFBundleIdentifier</key><string>nested</string></dict>";
  xml += "<key>CFBundleIdentifier</key><string>top</string></dict></plist>";
  REQUIRE(xml.size() > 1'500'000);
  auto id = macho::plist_string(xml, "CFBundleIdentifier", "Info.plist");
  REQUIRE(id.has_value());
  CHECK(*id == std::optional<std::string>("top"));
}

TEST_CASE("kext header: LC_UUID found after other commands; damaged headers are errors") {
  const Bytes good = header_with_uuid();
  auto extent = macho::header_extent(good, "header");
  REQUIRE(extent.has_value());
  CHECK(*extent == good.size());
  auto uuid = macho::header_uuid(good, "header");
  REQUIRE(uuid.has_value());
  REQUIRE(uuid->has_value());
  CHECK(macho::format_uuid(**uuid) == "00010203-0405-0607-0809-0A0B0C0D0E0F");

  Bytes no_magic = good;
  no_magic[0] = 0;
  CHECK(!macho::header_uuid(no_magic, "header").has_value());
  Bytes zero_cmdsize = header_with_uuid();
  zero_cmdsize[32 + 4] = 0;  // the segment's cmdsize: would loop forever if taken
  CHECK(!macho::header_uuid(zero_cmdsize, "header").has_value());
  Bytes truncated(good.begin(), good.end() - 8);
  CHECK(!macho::header_uuid(truncated, "header").has_value());
  Bytes huge = good;
  huge[20] = 0xff, huge[21] = 0xff, huge[22] = 0xff;  // sizeofcmds ~16 MiB
  CHECK(!macho::header_extent(huge, "header").has_value());
}

TEST_CASE("kext files: a bundle's executable, bundle id and dSYM beside it; a bare Mach-O; missing parts named") {
  const fs::path dir = fs::temp_directory_path() / ("kdpctl-kext-bundle-" + std::to_string(::getpid()));
  const fs::path bundle = dir / "DebugTest.kext";
  fs::create_directories(bundle / "Contents" / "MacOS");
  std::ofstream(bundle / "Contents" / "Info.plist") << kPlist;
  auto missing = macho::locate_kext(bundle.string());
  std::ofstream(bundle / "Contents" / "MacOS" / "DebugTest") << "x";
  auto no_dsym = macho::locate_kext(bundle.string() + "/");
  fs::create_directories(dir / "DebugTest.kext.dSYM");
  auto with_dsym = macho::locate_kext(bundle.string());
  auto bare = macho::locate_kext((bundle / "Contents" / "MacOS" / "DebugTest").string());
  auto nothing = macho::locate_kext((dir / "Nothing.kext").string());
  fs::remove_all(dir);

  REQUIRE(!missing.has_value());
  CHECK(missing.error().message().find("Contents/MacOS/DebugTest is missing") != std::string::npos);
  REQUIRE(no_dsym.has_value());
  CHECK(no_dsym->executable == (bundle / "Contents" / "MacOS" / "DebugTest").string());
  CHECK(no_dsym->bundle_id == std::optional<std::string>("ax.ho.kext.A&B"));
  CHECK(!no_dsym->dsym);
  REQUIRE(with_dsym.has_value());
  CHECK(with_dsym->dsym == std::optional<std::string>((dir / "DebugTest.kext.dSYM").string()));
  REQUIRE(bare.has_value());
  CHECK(!bare->bundle_id);
  REQUIRE(!nothing.has_value());
  CHECK(nothing.error().kind() == ErrorKind::kNotFound);
}
