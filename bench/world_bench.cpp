// Fixture-world build speed (issue #7: a 5,000-process world builds well under a second): the
// median of several in-memory builds (kernel file, memory, model) and of encoding the core, per
// world size, plus the sizes of what mkworld would write.
//
//   world_bench [--runs N] [--debug]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/fixtures/world/world.h"

using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 5;
  bool debug = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else if (std::strcmp(argv[i], "--debug") == 0) debug = true;
    else {
      std::fprintf(stderr, "usage: world_bench [--runs N] [--debug]\n");
      return 2;
    }
  }
  std::printf("%8s %12s %12s %12s %12s %10s\n", "procs", "build ms", "encode ms", "core bytes", "manifest", "threads");
  for (size_t procs : {10, 40, 1000, 5000}) {
    std::vector<double> build, encode;
    size_t core_size = 0, manifest_size = 0, threads = 0;
    for (int r = 0; r < runs; ++r) {
      auto start = Clock::now();
      auto world = kdp::world::build_world({procs, 1, debug});
      build.push_back(ms_since(start));
      if (!world) {
        std::fprintf(stderr, "world_bench: %s\n", world.error().message().c_str());
        return 1;
      }
      start = Clock::now();
      auto core = kdp::macho::encode_core(world->core);
      encode.push_back(ms_since(start));
      core_size = core ? core->size() : 0;
      manifest_size = kdp::world::manifest_json(world->model).size();
      threads = world->model.threads.size();
    }
    std::printf("%8zu %12.1f %12.1f %12zu %12zu %10zu\n", procs, median(build), median(encode), core_size,
                manifest_size, threads);
  }
  return 0;
}
