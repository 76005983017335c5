// Every test executable's main: doctest, plus the skip exit code of tests/support/requirements.h
// (a run that passed but lacked an input reports "skipped" to ctest instead of "passed").
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "tests/support/requirements.h"

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit() || result != 0) return result;
  return kdp::test::skipped_inputs() > 0 ? kdp::test::kSkipExitCode : 0;
}
