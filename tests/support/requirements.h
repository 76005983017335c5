// Inputs a test needs but the repository does not ship: the real 10.7.3 data in ../shared, and
// external tools (llvm-nm, llvm-objdump, tshark). Where one is absent the test cannot pass
// honestly, so:
//   - in CI (CI=true in the environment) the test FAILS: CI must have every input, and a green run
//     that silently skipped is how a missing install step hides;
//   - elsewhere the test is counted as skipped, and doctest_main.cpp exits with kSkipExitCode when
//     the run passed but skipped something, which ctest shows as "Skipped" (SKIP_RETURN_CODE).
// Test cases that need inputs live in TEST_SUITE("needs-input"); tests/CMakeLists.txt registers
// them as a separate ctest entry (kdpctl_add_tests), so a skip never hides the other cases.
#pragma once

#include <string>

namespace kdp::test {

inline constexpr int kSkipExitCode = 77;

// True when `present`. Otherwise fails the current test case in CI, or records a skip naming
// `what` ("real 10.7.3 data (../shared/data/.../symbols.tsv)", "llvm-nm") and returns false.
bool require_input(bool present, const std::string& what);

// How many inputs were missing in this run (the exit code's business, see above).
int skipped_inputs();

bool running_in_ci();

}  // namespace kdp::test
