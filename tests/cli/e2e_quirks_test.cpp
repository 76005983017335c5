// kdpctl against a third-party KDP stub: kdp-sim --quirks lldbagility behaves as quarkslab/
// LLDBagility's kdpserver.py (no MAXBYTES, no sequence check, REATTACH ignored while connected).
// Direct mode, agent mode and the kgm commands all work against it; the expected texts are what
// the same commands print against kdp-sim with xnu's rules.
#include <doctest/doctest.h>

#include "tests/cli/agent_cli.h"
#include "tests/cli/demo_world.h"
#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

namespace {

const std::vector<std::string> kLldbagility = {"--quirks", "lldbagility"};

}  // namespace

TEST_CASE("lldbagility stub, direct mode: reattach, the next commands and reattach again all work") {
  if (!binaries_available()) return;
  Sim xnu;
  Sim stub(kLldbagility);
  REQUIRE(xnu.ready());
  REQUIRE(stub.ready());
  Kdpctl reference, cli;
  REQUIRE(reference.run({"reattach", xnu.target()}).exit_code == 0);
  ProcessResult attached = cli.run({"-v", "reattach", stub.target()});
  INFO("reattach stderr: " << attached.err);
  REQUIRE(attached.exit_code == 0);
  CHECK(contains(attached.err, "no reply to KDP_MAXBYTES: using the protocol's default of 1024 bytes"));
  CHECK(contains(read_file(cli.state_path()), "\nsession "));  // the conversation is kept
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"regs"}, {"x/8gx", "0xffffff8000200000"}, {"hostinfo"}, {"x/4wx", "0xffffff8000800100"}}) {
    ProcessResult got = cli.run(command);
    INFO(command.front() << " stderr: " << got.err);
    CHECK(got.exit_code == 0);
    CHECK(got.out == reference.run(command).out);
  }
  // reattach again: the stub ignores the REATTACH (it is connected) and answers the conversation's CONNECT.
  ProcessResult again = cli.run({"-v", "reattach"});
  INFO("second reattach stderr: " << again.err);
  CHECK(again.exit_code == 0);
  CHECK(contains(again.err, "ignored KDP_REATTACH while connected"));
  CHECK(contains(again.err, "LLDBagility"));
  CHECK(cli.run({"regs"}).out == reference.run({"regs"}).out);
}

TEST_CASE("lldbagility stub, agent mode: reattach and commands through the agent") {
  if (!binaries_available()) return;
  Sim xnu;
  Sim stub(kLldbagility);
  REQUIRE(xnu.ready());
  REQUIRE(stub.ready());
  Kdpctl reference;
  REQUIRE(reference.run({"reattach", xnu.target()}).exit_code == 0);
  AgentCli cli;
  ProcessResult attached = cli.run({"reattach", stub.target(), "--idle", "60"});
  INFO("reattach stderr: " << attached.err);
  REQUIRE(attached.exit_code == 0);
  CHECK(cli.agent_pid(stub.target()) > 0);
  CHECK(cli.run({"regs"}).out == reference.run({"regs"}).out);
  CHECK(cli.run({"x/8gx", "0xffffff8000200000"}).out == reference.run({"x/8gx", "0xffffff8000200000"}).out);
  CHECK(cli.run({"detach"}).exit_code == 0);
  CHECK(cli.agent_gone(stub.target()));
}

TEST_CASE("lldbagility stub: kgm commands print what they print against xnu's rules") {
  const std::string world = demo_world_dir();
  if (!binaries_available() || world.empty()) return;
  const std::vector<std::string> serve = serve_world_flags(world);
  std::vector<std::string> quirky = serve;
  quirky.insert(quirky.end(), kLldbagility.begin(), kLldbagility.end());
  Sim xnu(serve);
  Sim stub(quirky);
  REQUIRE(xnu.ready());
  REQUIRE(stub.ready());
  const std::string kernel = world + "/mach_kernel";
  Kdpctl reference, cli;
  REQUIRE(reference.run({"--kernel", kernel, "reattach", xnu.target()}).exit_code == 0);
  REQUIRE(cli.run({"--kernel", kernel, "reattach", stub.target()}).exit_code == 0);
  for (const char* macro : {"showalltasks", "showproctree", "showallkmods"}) {
    ProcessResult expected = reference.run({macro});
    ProcessResult got = cli.run({macro});
    INFO(macro << " stderr: " << got.err);
    CHECK(expected.exit_code == 0);
    CHECK(got.exit_code == 0);
    CHECK(got.out == expected.out);
    CHECK(!got.out.empty());
  }
}
