// Fuzz target for the Volatility ISF importer (kgm/isf.h) and what consumes its types. The input
// is an ISF JSON document. Properties checked on every input:
//   * parse_isf returns a provider or a kMalformed error that names the file, never crashes;
//   * for an accepted document, ptype (plain and /o) of every struct and enum, and print of every
//     struct over bytes that repeat the input, finish (nesting and counts are bounded).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kgm/isf.h"
#include "kgm/ptype.h"
#include "kgm/value_print.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

constexpr size_t kMaxTypesRendered = 64;
constexpr uint64_t kMaxValueBytes = 1 << 16;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_isf: %s: %s\n", what, detail.c_str());
  std::abort();
}

void render_all(const IsfTypeProvider& provider, std::string_view input) {
  TypeModel model(std::shared_ptr<const IsfTypeProvider>(&provider, [](const IsfTypeProvider*) {}));
  size_t rendered = 0;
  for (const std::string& name : provider.struct_names()) {
    if (++rendered > kMaxTypesRendered) break;
    const StructType* s = provider.find(name);
    const std::string spelled = std::string(s->is_union ? "union " : "struct ") + name;
    auto plain = ptype_text(model, spelled, false);
    auto offsets = ptype_text(model, spelled, true);
    if (!plain || !offsets) fail("ptype refused a type the provider holds", spelled);
    if (s->size > kMaxValueBytes) continue;
    Bytes bytes(static_cast<size_t>(s->size));
    for (size_t i = 0; i < bytes.size() && !input.empty(); ++i) bytes[i] = static_cast<uint8_t>(input[i % input.size()]);
    TypeRef type = s->is_union ? union_type(name, s->size) : struct_type(name, s->size);
    auto value = decode_value(type, bytes, provider, {});
    if (value) {
      (void)value_text(*value);
      (void)value_json(*value);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto provider = parse_isf(text, "fuzz.json");
  if (!provider) {
    const Error& e = provider.error();
    if (e.kind() != ErrorKind::kMalformed || e.message().rfind("ISF file fuzz.json: ", 0) != 0)
      fail("an error that does not name the file", e.message());
    return 0;
  }
  render_all(**provider, text);
  return 0;
}
