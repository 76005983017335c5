// Inputs as they come (kdpctl and kdp-sim end to end): huge and special files refused before they
// are read, an agent socket path that cannot work, captures without registers, i386 targets,
// kernels of another release read with the built-in layouts.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/agent/agent_key.h"
#include "cli/agent/unix_socket.h"
#include "tests/cli/agent_cli.h"
#include "tests/cli/e2e_support.h"

using namespace kdp::cli::test;

namespace {

constexpr const char* kText = "0xffffff8000200000";  // the demo kernel's first byte (Mach-O header)

// A file of `size` bytes that takes no disk: zeros, as a truncated download or a wrong path would.
std::string sparse_file(const TempDir& dir, const std::string& name, off_t size) {
  const std::string path = dir.file(name);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, size) == 0);
  ::close(fd);
  return path;
}

// A program that reads a 4 GiB file into memory peaks at 4 GiB resident or more; one that maps
// it and checks its header stays far below 1 GiB (an ASan build included). Measured rather than
// limited: ASan's shadow maps count against RLIMIT_DATA, so a data limit kills it at start.
constexpr long kFlatMemoryKiB = 1L << 20;

void check_flat_memory(const ProcessResult& r) {
  REQUIRE(r.peak_rss_kib > 0);
  CHECK(r.peak_rss_kib < kFlatMemoryKiB);
}

}  // namespace

TEST_CASE("a 4 GiB sparse --core or --kernel fails at its header, with flat memory") {
  if (!binaries_available()) return;
  TempDir dir;
  const std::string huge = sparse_file(dir, "huge", off_t{4} << 30);
  Kdpctl cli;
  ProcessResult core = run_process(cli.argv({"--core", huge, "bt"}));
  CHECK(core.exit_code == 1);  // was 4.25 GB resident, bad_alloc under a 1 GiB data limit
  check_flat_memory(core);
  CHECK(contains(core.err, huge + ": not a Mach-O file (magic 0x0)"));
  ProcessResult kernel = run_process(cli.argv({"--kernel", huge, "x/2gx", kText}));
  CHECK(kernel.exit_code == 1);
  CHECK(contains(kernel.err, "not a Mach-O file"));
  check_flat_memory(kernel);
  Sim sim;
  REQUIRE(sim.ready());
  ProcessResult kernel_beside_target = run_process(cli.argv({"--target", sim.target(), "--kernel", huge, "bt"}));
  CHECK(kernel_beside_target.exit_code != 0);
  CHECK(kernel_beside_target.exit_code != 134);
  CHECK(contains(kernel_beside_target.err, "not a Mach-O file"));
  check_flat_memory(kernel_beside_target);
  ProcessResult sim_core = run_process({sim_path(), "--listen", "127.0.0.1:0", "--core", huge});
  CHECK(sim_core.exit_code == 1);
  CHECK(contains(sim_core.err, "not a Mach-O file (magic 0x0)"));
  check_flat_memory(sim_core);
}

TEST_CASE("special files are refused before they are opened for reading: FIFOs, /dev/zero") {
  if (!binaries_available()) return;
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // A writer that never writes (this process holds the FIFO open): a read would wait forever.
  const int writer = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  REQUIRE(writer >= 0);
  Kdpctl cli;
  Sim sim;
  REQUIRE(sim.ready());
  for (const std::string& kernel : {fifo, std::string("/dev/zero")}) {
    CAPTURE(kernel);
    ProcessResult offline = cli.run({"--kernel", kernel, "x/2gx", kText});
    CHECK_FALSE(offline.timed_out);
    CHECK(offline.exit_code == 2);
    CHECK(contains(offline.err, "kernel file " + kernel + " is not a regular file"));
    ProcessResult live = cli.run({"--target", sim.target(), "--kernel", kernel, "x/2gx", kText});
    CHECK_FALSE(live.timed_out);
    CHECK(live.exit_code == 2);  // --kernel /dev/zero beside a target read 256 MiB first
    CHECK(contains(live.err, kernel + " is not a regular file"));
    ProcessResult core = cli.run({"--core", kernel, "bt"});
    CHECK(core.exit_code == 2);
    CHECK(contains(core.err, "core file " + kernel + " is not a regular file"));
  }
  ProcessResult replay = cli.run({"--replay", fifo, "bt"});
  CHECK_FALSE(replay.timed_out);
  CHECK(replay.exit_code == 2);
  CHECK(contains(replay.err, "capture " + fifo + " is a FIFO, not a regular file"));
  ProcessResult from_pcap = run_process({sim_path(), "--listen", "127.0.0.1:0", "--from-pcap", fifo},
                                        {}, std::chrono::seconds(30));
  CHECK_FALSE(from_pcap.timed_out);  // the open waited for a writer, and SIGINT could not end it
  CHECK(from_pcap.exit_code != 0);
  CHECK(contains(from_pcap.err, "is a FIFO, not a regular file"));
  ::close(writer);
}

TEST_CASE("agent: a runtime directory too deep for a socket address runs the command directly, saying why") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli agents;
  std::string deep = agents.runtime();
  while (deep.size() < 120) deep += "/deeper-directory";
  std::filesystem::create_directories(deep);
  ::chmod(deep.c_str(), 0700);
  std::vector<std::string> argv = agents.argv({"reattach", sim.target()});
  argv[2] = "KDPCTL_RUNTIME_DIR=" + deep;
  ProcessResult attached = run_process(argv);
  INFO(attached.err);
  CHECK(attached.exit_code == 0);  // was: 5 s, then "cannot start the agent" (exit 1)
  CHECK(contains(attached.out, "Attached to 127.0.0.1"));
  CHECK(contains(attached.err, "more than a Unix socket address holds (107)"));
  CHECK(contains(attached.err, "running without the agent"));
}

TEST_CASE("agent: something that is not a socket at the socket path is left alone and the command runs directly") {
  if (!binaries_available()) return;
  Sim sim;
  REQUIRE(sim.ready());
  AgentCli agents;
  std::filesystem::create_directories(agents.runtime());
  ::chmod(agents.runtime().c_str(), 0700);
  const std::string path = kdp::cli::agent::socket_path(agents.runtime(), kdp::cli::agent::agent_key(sim.target()));
  { std::ofstream(path) << "not a socket"; }
  ProcessResult attached = agents.run({"reattach", sim.target()});
  INFO(attached.err);
  CHECK(attached.exit_code == 0);  // was: 5 s, then "cannot start the agent" (exit 1)
  CHECK(contains(attached.err, path + " is a regular file, not the agent's socket"));
  CHECK(read_file(path) == "not a socket");
}

TEST_CASE("kdp-sim --from-pcap of a capture without READREGS: registers are an error, never zeros") {
  if (!binaries_available()) return;
  Kdpctl cli;
  Sim live;
  REQUIRE(live.ready());
  const std::string capture = cli.file("no_regs.pcap");
  REQUIRE(cli.run({"--record", capture, "--target", live.target(), "x/2gx", kText}).exit_code == 0);
  ProcessResult replayed = cli.run({"--replay", capture, "bt"});
  CHECK(replayed.exit_code != 0);
  Sim from_capture({"--from-pcap", capture});
  REQUIRE(from_capture.ready());
  ProcessResult bt = cli.run({"--target", from_capture.target(), "bt"});
  CHECK(bt.exit_code == 1);  // was: "#0  0x0000000000000000 in ?? ()", exit 0
  CHECK(contains(bt.err, "KDPERR_BADFLAVOR"));
  CHECK_FALSE(contains(bt.out, "0x0000000000000000"));
  ProcessResult memory = cli.run({"--target", from_capture.target(), "x/2gx", kText});
  CHECK(memory.exit_code == 0);  // what the capture holds is still served
}

TEST_CASE("an i386 target is refused: 32-bit kernels are not supported yet") {
  if (!binaries_available()) return;
  Sim sim({"--cpu-type", "7", "--cpu-subtype", "3"});
  REQUIRE(sim.ready());
  Kdpctl cli;
  for (const char* command : {"regs", "bt"}) {
    ProcessResult r = cli.run({"--target", sim.target(), command});
    CAPTURE(command);
    CHECK(r.exit_code == 2);  // was: 64-bit registers read from a 32-bit kernel, exit 0
    CHECK(contains(r.err, "32-bit kernels are not supported yet"));
    CHECK(r.out.empty());
  }
  ProcessResult hostinfo = cli.run({"--target", sim.target(), "hostinfo"});
  CHECK(hostinfo.exit_code == 0);
  CHECK(contains(hostinfo.out, "cpu_type:    0x7"));
}

TEST_CASE("ptype --kernel of another release (10.8's xnu-2050) without a dSYM or --types is refused, not shown 10.7.3's layouts") {
  if (!binaries_available() || demo_kernel_path().empty()) return;
  std::string bytes = read_file(demo_kernel_path());
  const std::string lion = "xnu-1699.24.23", mountain_lion = "xnu-2050.18.24";  // same length: offsets stay
  size_t patched = 0;
  for (size_t at = bytes.find(lion); at != std::string::npos; at = bytes.find(lion, at)) {
    bytes.replace(at, lion.size(), mountain_lion);
    ++patched;
  }
  REQUIRE(patched > 0);
  Kdpctl cli;
  const std::string kernel = cli.file("mach_kernel_10_8");
  { std::ofstream(kernel, std::ios::binary) << bytes; }
  ProcessResult refused = cli.run({"--kernel", kernel, "ptype", "struct", "proc"});
  CHECK(refused.exit_code == 2);  // was: 10.7.3's struct proc, exit 0
  CHECK(contains(refused.err, "no built-in struct layouts for this kernel (xnu-2050.18.24"));
  CHECK(refused.out.empty());
  ProcessResult lion_kernel = cli.run({"--kernel", demo_kernel_path(), "ptype", "struct", "proc"});
  CHECK(lion_kernel.exit_code == 0);
  CHECK(contains(lion_kernel.out, "type = struct proc {"));
}

TEST_CASE("version and hostinfo with --core answer from the core, inventing nothing") {
  if (!binaries_available() || demo_core_path().empty()) return;
  Kdpctl cli;
  ProcessResult hostinfo = cli.run({"--core", demo_core_path(), "hostinfo"});
  CHECK(hostinfo.exit_code == 0);  // was: "no target"
  CHECK(contains(hostinfo.out, "cpus_mask:   unknown (core "));
  CHECK(contains(hostinfo.out, "cpu_type:    0x1000007 (x86_64)\n"));
  ProcessResult version = cli.run({"--core", demo_core_path(), "--kernel", demo_kernel_path(), "version"});
  CHECK(version.exit_code == 0);
  CHECK(contains(version.out, "Kernel version: Darwin Kernel Version 11.3.0"));
  CHECK_FALSE(contains(version.out, "KDP protocol version"));
  ProcessResult no_symbols = cli.run({"--core", demo_core_path(), "version"});
  CHECK(no_symbols.exit_code == 2);
  CHECK(contains(no_symbols.err, "give --kernel PATH"));
}
