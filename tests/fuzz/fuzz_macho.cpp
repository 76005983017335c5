// Fuzz target for the kernel loader (macho/). Properties checked on every input:
//   * load_kernel_image_from_bytes() returns an image or an error, never crashes or hangs;
//   * an error names the file ("fuzz.kernel: …");
//   * in a loaded image, every named N_SECT symbol is found by name and its address symbolizes
//     at offset 0 (the two indexes agree), and sliding there and back restores every address.
// Seeds in tests/fuzz/corpus/macho are kernel-shaped files written by the test-kernel writer:
//   mkkernel --minimal thin; mkkernel --minimal --fat fat;
//   mkkernel --minimal --stabs 8 stabs; mkkernel --minimal --symbols 40 fill
// They are larger than libFuzzer's default 4,096-byte -max_len; tests/fuzz/macho.options raises it:
//   fuzz_macho -max_total_time=60 -max_len=32768 corpus tests/fuzz/corpus/macho
#include <cstdio>
#include <cstdlib>

#include "macho/format.h"
#include "macho/kernel_image.h"

using namespace kdp;
using namespace kdp::macho;

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_macho: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_indexes_agree(const KernelImage& image) {
  const SymbolIndex& index = image.symbols();
  size_t checked = 0;
  for (const Symbol& s : index.symbols()) {
    if (s.name.empty() || s.kind() != kNSect || ++checked > 2000) continue;
    if (!index.find(s.name)) fail("find() misses a symbol", std::string(s.name));
    auto at = index.symbolize(index.address_of(s));
    if (!at || at->offset != 0) fail("a symbol's own address does not symbolize at +0", std::string(s.name));
  }
}

void check_slide_round_trip(KernelImage image) {
  std::vector<uint64_t> before;
  for (const Segment& s : image.segments()) before.push_back(s.vmaddr);
  image.set_slide(0x2a800000);
  image.set_slide(0);
  for (size_t i = 0; i < before.size(); ++i)
    if (image.segments()[i].vmaddr != before[i]) fail("slide round trip", image.segments()[i].name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto image = load_kernel_image_from_bytes(ByteView(data, size), "fuzz.kernel");
  if (!image) {
    if (image.error().message().rfind("fuzz.kernel: ", 0) != 0) fail("error without the file name", image.error().message());
    return 0;
  }
  check_indexes_agree(*image);
  check_slide_round_trip(std::move(*image));
  return 0;
}
