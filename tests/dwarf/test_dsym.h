// The test kernel's dSYM loaded by kgm's reader, for the unit tests (null when the build could not
// make it: dwarf_file has recorded the skip, or the CI failure).
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "kgm/dwarf_info.h"
#include "tests/dwarf/dwarf_support.h"

namespace kdp::test {

inline std::shared_ptr<kgm::DwarfInfo> load_test_dsym(const std::string& variant = "mach_kernel") {
  const std::string path = dwarf_file(variant);
  if (path.empty()) return nullptr;
  auto info = kgm::DwarfInfo::load(path);
  REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message()));
  return *info;
}

}  // namespace kdp::test
