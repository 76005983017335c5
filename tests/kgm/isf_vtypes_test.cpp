// The ISF importer on real data: the 10.7.3 RELEASE kernel's Volatility-2 vtypes (../shared,
// vtypes.json, format in its PROVENANCE.md) are converted here, at test time, into a Volatility 3
// ISF document, imported, and every field of the built-in layouts (kgm/layouts_xnu1699*.cpp,
// RELEASE) is checked against it: same offset, same size. Two independent descriptions of one
// kernel (the layouts were written from xnu-layouts.md) must agree wherever both name a field.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "kgm/isf.h"
#include "kgm/layouts_xnu1699.h"
#include "tests/support/requirements.h"
#include "tests/support/vtypes_isf.h"

using namespace kdp;
using namespace kdp::kgm;
using kdp::test::Json;
using kdp::test::VtypesConverter;

namespace {

const std::string kVtypes = kdp::test::vtypes_path(KDPCTL_SHARED_DIR);
const std::set<std::string> kGenericLinkStructs = {"list_entry", "list_head", "tailq_entry", "tailq_head"};

}  // namespace

TEST_SUITE_BEGIN("needs-input");

TEST_CASE("ISF from the real 10.7.3 vtypes: every built-in layout field has the same offset and size") {
  std::ifstream in(kVtypes);
  if (!kdp::test::require_input(in.good(), "real 10.7.3 data (" + kVtypes + ")")) return;
  std::stringstream text;
  text << in.rdbuf();
  VtypesConverter converter;
  const std::string isf_text = converter.convert(Json::parse(text.str())).dump();
  MESSAGE("bitfields with impossible bit ranges left out: " << converter.dropped);
  auto isf = parse_isf(isf_text, "vtypes-as-isf.json");
  REQUIRE_MESSAGE(isf, (isf ? "" : isf.error().message()));
  CHECK((*isf)->struct_count() > 3000);

  auto builtin = std::dynamic_pointer_cast<const MapTypeProvider>(xnu1699_layouts(KernelConfig::kRelease));
  REQUIRE(builtin);
  size_t compared = 0;
  std::set<std::string> absent;
  for (const std::string& name : builtin->struct_names()) {
    // The built-in names for <sys/queue.h>'s anonymous link structs are kdpctl's own; in the
    // vtypes `list_head` is an unrelated pf struct (PROVENANCE.md: same-named types merged).
    if (kGenericLinkStructs.count(name)) continue;
    const StructType* mine = builtin->find(name);
    const StructType* theirs = (*isf)->find(name);
    if (theirs == nullptr) {
      absent.insert(name);
      continue;
    }
    for (const Field& f : mine->fields) {
      CAPTURE(name + "." + f.name);
      const Field* other = theirs->field(f.name);
      CHECK(other != nullptr);
      if (other == nullptr) continue;
      if (f.type.kind == TypeKind::kBitfield) {
        // vtypes bitfields carry no storage type (the converter guesses one): compare the bits.
        CHECK(8 * other->offset + other->type.bit_offset == 8 * f.offset + f.type.bit_offset);
        CHECK(other->type.bit_width == f.type.bit_width);
      } else {
        CHECK(other->offset == f.offset);
        CHECK(other->type.size == f.type.size);
      }
      ++compared;
    }
  }
  MESSAGE("compared " << compared << " fields; built-in structs the vtypes name differently: " << absent.size());
  // The structs the kgmacros walk must be among those compared.
  for (const char* core : {"proc", "task", "thread", "kmod_info", "ucred", "uthread", "vm_map", "zone", "processor"}) {
    CAPTURE(core);
    CHECK_FALSE(absent.count(core));
  }
  CHECK(compared > 200);
}

TEST_SUITE_END();
