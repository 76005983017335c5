// The demo world the build writes (mkworld --procs 40 --seed 1 -o demo_world): the files kdp-sim
// and kdpctl are given in tools/demo.sh must fit together — the core loads as kdp-sim loads it,
// and the kernel file's LC_UUID is the UUID in the KERNELVERSION text kdp-sim will send.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "kdp/client/kernel_version.h"
#include "tools/kdp-sim/snapshot.h"
#include "macho/kernel_image.h"
#include "macho/kernel_match.h"
#include "tools/fixtures/world/world.h"

using namespace kdp;

namespace {

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string kDir = KDP_DEMO_WORLD;

}  // namespace

TEST_CASE("the demo world's kernel matches the KERNELVERSION text kdp-sim is given") {
  std::string text = file_text(kDir + "/kernel_version.txt");
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  text.pop_back();
  auto fields = client::parse_kernel_version(text);
  REQUIRE(fields.uuid.has_value());
  auto image = macho::load_kernel_image(kDir + "/mach_kernel");
  REQUIRE_MESSAGE(image.has_value(), (image ? "" : image.error().message()));
  auto check = macho::check_uuid(*fields.uuid, *image);
  REQUIRE(check.has_value());
  CHECK(*check == macho::UuidCheck::kMatch);
  REQUIRE(image->uuid().has_value());
  CHECK(macho::format_uuid(*image->uuid()) == *fields.uuid);
  CHECK(text.rfind(image->version_string() + "; UUID=", 0) == 0);
}

TEST_CASE("the demo world's core loads as kdp-sim loads it and equals a fresh build") {
  auto snapshot = stub::load_snapshot(kDir + "/world.core");
  REQUIRE_MESSAGE(snapshot.has_value(), (snapshot ? "" : snapshot.error().message()));
  Bytes magic = snapshot->memory.read(0xffffff8000200000ULL, 4);
  CHECK(magic == Bytes{0xcf, 0xfa, 0xed, 0xfe});
  Bytes catfish = snapshot->memory.read(0xffffff8000002000ULL, 8);
  CHECK(std::string(catfish.begin(), catfish.end()) == "Catfish ");
  auto world = world::build_world({40, 1});
  REQUIRE(world.has_value());
  CHECK(snapshot->registers == world->core.threads.front());
  CHECK(file_text(kDir + "/manifest.json") == world::manifest_json(world->model));
  std::string manifest = file_text(kDir + "/manifest.json");
  CHECK(manifest.find("\"format\":\"kdpctl-world/1\"") != std::string::npos);
}
