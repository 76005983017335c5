#include "tests/support/requirements.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>

namespace kdp::test {
namespace {

std::atomic<int> skipped{0};

}  // namespace

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

bool require_input(bool present, const std::string& what) {
  if (present) return true;
  if (running_in_ci()) {
    const std::string failure = "missing test input in CI (CI=true): " + what;
    FAIL_CHECK(failure);
  } else {
    const std::string note = "SKIPPED: missing test input: " + what;
    MESSAGE(note);
    ++skipped;
  }
  return false;
}

int skipped_inputs() { return skipped.load(); }

}  // namespace kdp::test
