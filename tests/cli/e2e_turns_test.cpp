// Direct-mode kdpctl processes on one target take turns (cli/core/target_lock.h): concurrent
// commands never take the kernel from each other, and "another debugger" is never said of one.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

namespace {

constexpr const char* kFalseBlame = "another debugger";

size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  size_t n = 0;
  for (size_t at = text.find("\n" + prefix); at != std::string::npos; at = text.find("\n" + prefix, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("20 kdpctl --no-agent break at once on one target: all kept, numbered 1-20, none blames another debugger") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  Kdpctl cli;
  REQUIRE(cli.run({"reattach", sim.target()}).exit_code == 0);
  constexpr int kBreaks = 20;
  std::vector<ProcessResult> results(kBreaks);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBreaks; ++i)
    threads.emplace_back([&, i] {
      char address[32];
      std::snprintf(address, sizeof address, "0xffffff80002%05x", 16 * (i + 1));
      results[static_cast<size_t>(i)] = cli.run({"break", address});
    });
  for (std::thread& t : threads) t.join();
  std::set<std::string> numbers;
  for (const ProcessResult& r : results) {
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(!contains(r.err, kFalseBlame));
    CHECK(r.out.rfind("Breakpoint ", 0) == 0);
    numbers.insert(r.out.substr(11, r.out.find(' ', 11) - 11));
  }
  std::set<std::string> expected;
  for (int i = 1; i <= kBreaks; ++i) expected.insert(std::to_string(i));
  CHECK(numbers == expected);
  CHECK(count_lines_starting(read_file(cli.state_path()), "breakpoint ") == kBreaks);
  // Every one of them is in, and the conversation was never lost: the next command goes on with it.
  ProcessResult listed = cli.run({"-v", "info", "breakpoints"});
  CHECK(listed.exit_code == 0);
  CHECK(count_lines_starting("\n" + listed.out, "") >= kBreaks);
  ProcessResult hostinfo = cli.run({"-v", "hostinfo"});
  CHECK(hostinfo.exit_code == 0);
  CHECK(!contains(hostinfo.err, "KDP_REATTACH"));  // went on with the kept conversation
}

TEST_CASE("a dump running while another --no-agent command starts: both complete, the second waits its turn") {
  if (!binaries_available()) return;
  // 1 ms each way: 2 MiB take seconds, so the second command starts in the middle of the dump, and
  // after the first 2 s in which a freshly attached session takes a kernel back once.
  Sim sim({"--delay", "1"});
  REQUIRE(sim.ready());
  Kdpctl cli;
  REQUIRE(cli.run({"reattach", sim.target()}).exit_code == 0);
  const std::string file = cli.file("dump.bin");
  std::vector<std::string> dump = cli.argv({"-v", "dump", "0xffffff8000200000", "2M", "-o", file});
  // With -v the dump logs every packet: its read at 1.5 MiB comes to us, everything else is
  // drained into a file (a pipe nobody reads would stop the dump), and its exit code into another.
  const std::string rest = cli.file("dump.out"), rc = cli.file("dump.rc");
  const std::string script =
      "{ \"$0\" \"$@\" 2>&1; echo $? > " + rc + "; } | { while IFS= read -r l; do case \"$l\" in "
      "*address=0xffffff8000380000*) printf '%s\\n' \"$l\"; break;; esac; done; cat > " + rest + "; }";
  dump.insert(dump.begin(), {"/bin/sh", "-c", script});
  BackgroundProcess running(dump);
  REQUIRE(running.first_line(std::chrono::seconds(60)).rfind("--> KDP_READMEM64", 0) == 0);
  ProcessResult regs = cli.run({"regs"});
  running.finish();
  const std::string code = read_file(rc);
  const int dump_exit = code.empty() ? -1 : std::stoi(code);
  const std::string dumped = read_file(rest);
  INFO("dump output (end): " << dumped.substr(dumped.size() > 2000 ? dumped.size() - 2000 : 0));
  INFO("regs stderr: " << regs.err);
  CHECK(dump_exit == 0);
  CHECK(contains(dumped, "Wrote 2097152 bytes from 0xffffff8000200000 to " + file));
  CHECK(read_file(file).size() == 2097152);
  CHECK(regs.exit_code == 0);
  CHECK(contains(regs.out, "rip"));
  CHECK(!contains(dumped, kFalseBlame));
  CHECK(!contains(regs.err, kFalseBlame));
}
