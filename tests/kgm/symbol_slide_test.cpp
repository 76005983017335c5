// Symbols of an ISF file for a slid kernel (kgm/symbol_slide.h).
#include <doctest/doctest.h>

#include "kgm/symbol_slide.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

// As Volatility's mac ISF files list them (unslid, with the Mach-O underscore), plus the C names
// the importer adds.
SymbolMap isf_symbols() {
  return {{"_mh_execute_header", 0xffffff8000200000},
          {"mh_execute_header", 0xffffff8000200000},
          {"_allproc", 0xffffff8000c52f00},
          {"allproc", 0xffffff8000c52f00}};
}

}  // namespace

TEST_CASE("a kernel that reports no stext (10.7, no KASLR) keeps the file's addresses") {
  auto symbols = slid_symbols(isf_symbols(), std::nullopt, "ISF file k.json");
  REQUIRE(symbols);
  CHECK(*symbols == isf_symbols());
}

TEST_CASE("a slid kernel moves every symbol by stext minus the Mach-O header's address") {
  // The slide of the spec's example, 0x2a800000: stext 0xffffff802aa00000.
  auto symbols = slid_symbols(isf_symbols(), 0xffffff802aa00000, "ISF file k.json");
  REQUIRE(symbols);
  CHECK(symbols->at("allproc") == 0xffffff8000c52f00 + 0x2a800000);
  CHECK(symbols->at("_allproc") == 0xffffff802b452f00);
  CHECK(symbols->at("mh_execute_header") == 0xffffff802aa00000);
  CHECK(slid_symbols(isf_symbols(), 0xffffff8000200000, "x")->at("allproc") == 0xffffff8000c52f00);  // slide 0
}

TEST_CASE("a slide that cannot be measured is an error naming the file") {
  SymbolMap no_header = {{"allproc", 0xffffff8000c52f00}};
  auto missing = slid_symbols(no_header, 0xffffff802aa00000, "ISF file k.json");
  REQUIRE(!missing);
  CHECK(missing.error().message() ==
        "the running kernel is slid (stext 0xffffff802aa00000) and ISF file k.json has no _mh_execute_header "
        "symbol to measure the slide from; give --kernel PATH");
  auto below = slid_symbols(isf_symbols(), 0xffffff8000100000, "ISF file k.json");
  REQUIRE(!below);
  CHECK(below.error().message() ==
        "stext 0xffffff8000100000 lies below ISF file k.json's _mh_execute_header 0xffffff8000200000; kernels "
        "only slide upwards");
}
