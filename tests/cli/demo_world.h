// The build's demo world (build/demo_world: 40 processes, from tools/fixtures/world) for the
// test_cli cases that serve it with kdp-sim. KDPCTL_DEMO_WORLD_DIR is set for test_cli only.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kdp::cli::test {

// "" when the demo world is not part of the build.
inline std::string demo_world_dir() {
#ifdef KDPCTL_DEMO_WORLD_DIR
  return KDPCTL_DEMO_WORLD_DIR;
#else
  return "";
#endif
}

// kdp-sim's flags that serve the world in `dir`: its core and its kernel's version string.
inline std::vector<std::string> serve_world_flags(const std::string& dir) {
  std::ifstream in(dir + "/kernel_version.txt");
  std::string version((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return {"--core", dir + "/world.core", "--kernel-version", version};
}

}  // namespace kdp::cli::test
