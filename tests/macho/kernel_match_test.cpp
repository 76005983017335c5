// UUID comparison with the running kernel and the slide from stext.
#include <doctest/doctest.h>

#include "macho/kernel_match.h"
#include "test_kernels.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;

TEST_CASE("a matching UUID passes, in either case") {
  const KernelImage& image = lion_image();
  CHECK(*check_uuid("3C1F5E2A-9B40-3D61-8A77-0E15C24DA910", image) == UuidCheck::kMatch);
  CHECK(*check_uuid("3c1f5e2a-9b40-3d61-8a77-0e15c24da910", image) == UuidCheck::kMatch);
  CHECK(*check_uuid(std::nullopt, image) == UuidCheck::kNotReported);
}

TEST_CASE("a mismatch names both UUIDs") {
  auto r = check_uuid("87641697-A3DD-30C4-B010-E65ECE57550B", lion_image());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind() == ErrorKind::kUsage);
  CHECK(r.error().message() ==
        "kernel UUID mismatch: the running kernel has UUID 87641697-A3DD-30C4-B010-E65ECE57550B, "
        "lion.kernel has UUID 3C1F5E2A-9B40-3D61-8A77-0E15C24DA910; its symbols would be wrong");
}

TEST_CASE("a malformed reported UUID, or a file without LC_UUID, is an error") {
  auto bad = check_uuid("3C1F5E2A-9B40", lion_image());
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "KERNELVERSION: UUID '3C1F5E2A-9B40' is not 8-4-4-4-12 hex digits");
  CHECK_FALSE(parse_uuid("3C1F5E2A-9B40-3D61-8A77-0E15C24DA91G"));
  CHECK_FALSE(parse_uuid("3C1F5E2A+9B40-3D61-8A77-0E15C24DA910"));

  Bytes file = minimal_kernel().file;
  file[0x338] = 0x99;  // LC_UUID becomes an unknown command
  KernelImage no_uuid = load_or_fail(file, "nouuid.kernel");
  CHECK_FALSE(no_uuid.uuid());
  auto r = check_uuid("00112233-4455-4677-8899-AABBCCDDEEFF", no_uuid);
  REQUIRE_FALSE(r);
  CHECK(r.error().message() ==
        "the running kernel has UUID 00112233-4455-4677-8899-AABBCCDDEEFF but nouuid.kernel has no "
        "LC_UUID to compare");
}

TEST_CASE("the slide is stext minus the file's __TEXT vmaddr") {
  const KernelImage& image = lion_image();
  CHECK(*compute_slide(std::nullopt, image) == 0);
  CHECK(*compute_slide(0xffffff8000200000, image) == 0);
  CHECK(*compute_slide(0xffffff802aa00000, image) == 0x2a800000);
  auto below = compute_slide(0xffffff8000100000, image);
  REQUIRE_FALSE(below);
  CHECK(below.error().message() ==
        "stext 0xffffff8000100000 lies below lion.kernel's __TEXT vmaddr 0xffffff8000200000; kernels "
        "only slide upwards");
}

TEST_CASE("applying the computed slide makes symbols match the running addresses") {
  KernelImage image = load_or_fail(lion_kernel().file, "lion.kernel");
  image.set_slide(*compute_slide(0xffffff802aa00000, image));
  CHECK(image.symbols().lookup("_mh_execute_header") == 0xffffff802aa00000);
  CHECK(image.symbols().lookup("allproc") == 0xffffff80008d9e40 + 0x2a800000);
  CHECK(image.symbols().format(0xffffff80002a5184 + 0x2a800000) == "kext_alloc+0x4");
}
