// Fixture worlds for the kgmacros end-to-end tests: a world built from a seed and written to a
// private directory (mach_kernel, world.core, kernel_version.txt, manifest.json), the kgmacros
// command lines that fit it, and the expected texts of showalltasks and showproctree computed from
// the builder's own record (its WorldModel, checked equal to the manifest.json written beside the
// core) with kgmacros' algorithms and format strings written here again (kgmacros.md §3), never
// taken from kdpctl's renderers.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/cli/e2e_support.h"
#include "tools/fixtures/world/world.h"

namespace kdp::cli::test {

class WorldFiles {
 public:
  explicit WorldFiles(world::World built) : world_(std::move(built)) {}
  const world::World& world() const { return world_; }
  const world::WorldModel& model() const { return world_.model; }
  std::string core() const { return dir_.file("world.core"); }
  std::string kernel() const { return dir_.file("mach_kernel"); }
  // The text of kernel_version.txt, as the demo passes it to kdp-sim --kernel-version.
  std::string kernel_version() const;
  const std::string& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
  world::World world_;
};

// Builds and writes the world (REQUIRE on failure).
std::unique_ptr<WorldFiles> make_world(const world::WorldOptions& options);

// kdp-sim serving the world; `extra` adds fault flags (--loss ... --seed N, --script ...).
std::vector<std::string> sim_flags(const WorldFiles& world, const std::vector<std::string>& extra = {});

// Every kgmacros command, with arguments taken from the world (a task, a pid, a proc, a kext).
std::vector<std::vector<std::string>> kgm_command_lines(const world::WorldModel& m);

// The expected texts, from the model with kgmacros' formats.
std::string expected_showalltasks(const world::WorldModel& m);
// pid 0: the whole tree from initproc; pid > 0 with children: that pid's subtree.
std::string expected_showproctree(const world::WorldModel& m, int pid);

}  // namespace kdp::cli::test
