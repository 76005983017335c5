#include "tests/cli/cli_suite.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace kdp::cli::test {
namespace {


// "...\"rip\":\"0xffffff8000396210\"..." -> "0xffffff8000396210"
std::string json_hex(const std::string& json, const std::string& key) {
  const std::string pattern = "\"" + key + "\":\"";
  const size_t at = json.find(pattern);
  if (at == std::string::npos) return "";
  return json.substr(at + pattern.size(), 18);
}

// "0xffffff8000396215 in ?? ()\n" -> "0xffffff8000396215"
std::string frame_address(const std::string& line) { return line.substr(0, line.find(' ')); }

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void attach_and_query(Suite& s) {
  const SuiteTarget& t = s.target();
  std::vector<std::string> attach = {"reattach", t.target};
  attach.insert(attach.end(), t.attach_flags.begin(), t.attach_flags.end());
  std::string out = s.run(attach);
  CHECK(contains(out, "Attached to " + t.host + " (" + t.address + ") with KDP_REATTACH + KDP_CONNECT\n"));
  CHECK(contains(out, "Kernel UUID: 2B6D3C1A-5F0E-3A47-9E8B-7C0D1A2B3C4D\n"));
  CHECK(contains(out, "KDP protocol version 12, features 0x1 (kernel-managed breakpoints)\n"));
  CHECK(contains(out, "Host: x86_64 (cpu_type 0x1000007, cpu_subtype 4), 2 CPUs (mask 0x3)\n"));
  out = s.run({"--json", "reattach"});
  CHECK(out.rfind("{\"attached\":true,", 0) == 0);
  CHECK(contains(out, "\"protocol_version\":12,\"features\":1,\"kernel_breakpoints\":true"));
  // The kernel is held by kdpctl's own (the previous command's) session: connect goes on with it.
  CHECK(contains(s.run({"connect"}), "Attached to " + t.host + " (" + t.address + ") with the session kdpctl already holds\n"));
  out = s.run({"version"});
  CHECK(out.rfind("KDP protocol version 12\nFeatures: 0x1 (kernel-managed breakpoints)\nKernel version: Darwin Kernel Version 11.3.0", 0) == 0);
  CHECK(contains(s.run({"--json", "version"}), "\"protocol_version\":12"));
  CHECK(s.run({"hostinfo"}) == "cpus_mask:   0x3 (2 CPUs)\ncpu_type:    0x1000007 (x86_64)\ncpu_subtype: 4\n");
  CHECK(s.run({"--json", "hostinfo"}) ==
        "{\"cpus_mask\":3,\"cpus\":2,\"cpu_type\":16777223,\"cpu_type_name\":\"x86_64\",\"cpu_subtype\":4}\n");
}

// Returns the stopped RIP.
std::string registers(Suite& s) {
  const std::string rip = json_hex(s.run({"--json", "regs"}), "rip");
  REQUIRE(rip.size() == 18);
  const std::string out = s.run({"regs"});
  CHECK(std::count(out.begin(), out.end(), '\n') == 21);
  CHECK(contains(out, "\nrip            " + rip + "  " + rip + "\n"));
  CHECK(contains(out, "\neflags         0x246               [ PF ZF IF ]\n"));
  CHECK(s.run({"info", "registers"}) == out);
  return rip;
}

// The demo snapshot's thread is stopped in Debugger, called through panic <- kalloc_canblock <-
// kalloc <- kext_alloc (tools/fixtures/mksnapshot/demo_kernel.h).
void backtrace(Suite& s) {
  CHECK(s.run({"bt"}) ==
        "#0  0xffffff8000396210 in ?? ()\n"
        "#1  0xffffff80002df055 in ?? ()\n"
        "#2  0xffffff800021c615 in ?? ()\n"
        "#3  0xffffff80002b0c55 in ?? ()\n"
        "#4  0xffffff8000210a15 in ?? ()\n");
  if (demo_kernel_path().empty()) return;
  CHECK(s.run({"--kernel", demo_kernel_path(), "bt"}) ==
        "#0  0xffffff8000396210 in Debugger+0x10 ()\n"
        "#1  0xffffff80002df055 in panic+0x15 ()\n"
        "#2  0xffffff800021c615 in kalloc_canblock+0x15 ()\n"
        "#3  0xffffff80002b0c55 in kalloc+0x15 ()\n"
        "#4  0xffffff8000210a15 in kext_alloc+0x15 ()\n");
  CHECK(s.run({"--kernel", demo_kernel_path(), "info", "symbol", "$rip"}) == "Debugger + 16\n");
}

void examine_memory(Suite& s, const std::string& rip) {
  // The demo kernel's Mach-O header: MH_MAGIC_64, CPU_TYPE_X86_64, CPU_SUBTYPE 3, MH_EXECUTE.
  std::string out = s.run({"x/4gx", "0xffffff8000200000"});
  CHECK(out.rfind("0xffffff8000200000:\t0x01000007feedfacf\t0x0000000200000003\n0xffffff8000200010:\t", 0) == 0);
  CHECK(s.run({"x"}).rfind("0xffffff8000200020:\t", 0) == 0);  // continues, 4 giants again
  out = s.run({"x/2"});
  CHECK(out.rfind("0xffffff8000200040:\t0x", 0) == 0);
  CHECK(std::count(out.begin(), out.end(), '\t') == 2);
  CHECK(s.run({"x/s", "0xffffff8000800000"}) ==
        "0xffffff8000800000:\t\"Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; "
        "root:xnu-1699.24.23~1/RELEASE_X86_64\"\n");
  CHECK(s.run({"x/16bx", "0xffffff8000800100"}) ==
        "0xffffff8000800100:\t0xef\t0xbe\t0xfe\t0xca\t0xce\t0xfa\t0xed\t0xfe\n"
        "0xffffff8000800108:\t0x00\t0x00\t0x00\t0x00\t0x01\t0x00\t0x00\t0x00\n");
  CHECK(s.run({"x/4wx", "0xffffff8000800100"}) == "0xffffff8000800100:\t0xcafebeef\t0xfeedface\t0x00000000\t0x00000001\n");
  CHECK(s.run({"x/2gd", "0xffffff8000800100"}) == "0xffffff8000800100:\t-77129852519530769\t4294967296\n");
  CHECK(s.run({"x/6c", "0xffffff8000800000"}) == "0xffffff8000800000:\t68 'D'\t97 'a'\t114 'r'\t119 'w'\t105 'i'\t110 'n'\n");
  CHECK(s.run({"x/a", "0xffffff8000200038"}) == "0xffffff8000200038:\t0xffffff8000200000\n");
  out = s.run({"x/3i", rip});
  CHECK(out.rfind("   " + rip + ":\tcallq  0x", 0) == 0);
  CHECK(std::count(out.begin(), out.end(), '\n') == 3);
  CHECK(contains(s.run({"--json", "x/2gx", "0xffffff8000800100"}), "\"text\":\"0xfeedfacecafebeef\""));
  CHECK(s.run({"x/2gx", "0xffffff8000400000"}, 1).empty());  // the hole after __TEXT
  CHECK(contains(s.last_err(), "kdpctl: Cannot access memory at address 0xffffff8000400000\n"));
  s.run({"x/q", "0"}, 2);
  CHECK(contains(s.last_err(), "Undefined output format \"q\"."));
}

void breakpoint_flow(Suite& s, const std::string& rip) {
  const std::string original_byte = s.run({"x/bx", rip});
  CHECK(s.run({"break", rip}) == "Breakpoint 1 at " + rip + "\n");
  s.run({"break", rip}, 2);
  s.run({"break", "0xffffff8000400000"}, 1);
  CHECK(s.run({"info", "breakpoints"}) ==
        "Num     Type           Disp Enb Address            What\n1       breakpoint     keep y   " + rip + " \n");
  // The default script loops through the function: the stop comes back to RIP, whose breakpoint
  // the continue first steps over.
  const std::string hit1 = "Continuing.\n\nBreakpoint 1, " + rip + " in ?? ()\n";
  CHECK(s.run({"continue"}) == hit1);
  CHECK(json_hex(s.run({"--json", "regs"}), "rip") == rip);  // rewound onto the int3's address
  CHECK(s.run({"x/bx", rip}) == original_byte);               // no int3 left in memory
  CHECK(s.run({"continue"}) == hit1);
  CHECK(contains(s.run({"info", "breakpoints"}), "\tbreakpoint already hit 2 times\n"));

  const std::string step = s.run({"step"});
  const std::string rip2 = frame_address(step);
  CHECK(step == rip2 + " in ?? ()\n");
  CHECK(rip2 != rip);
  CHECK(contains(s.run({"--json", "step"}), "\"stop\":{\"exception\":6,\"code\":3,"));
  CHECK(s.run({"break", rip2}) == "Breakpoint 2 at " + rip2 + "\n");
  CHECK(s.run({"delete", rip}) == "Deleted breakpoint 1\n");
  CHECK(s.run({"continue"}) == "Continuing.\n\nBreakpoint 2, " + rip2 + " in ?? ()\n");
  // The stop's frame is bt's frame object (no --kernel here: no symbol).
  CHECK(contains(s.run({"--json", "continue"}), "\"rip\":\"" + rip2 + "\",\"breakpoint_hit\":true,\"breakpoint\":2,"
                 "\"frame\":{\"pc\":\"" + rip2 + "\",\"frame_pointer\":\"0x"));
  CHECK(s.run({"--json", "info", "breakpoints"}) ==
        "{\"breakpoints\":[{\"number\":2,\"address\":\"" + rip2 + "\",\"hits\":2}]}\n");
  CHECK(s.run({"break", rip}) == "Breakpoint 3 at " + rip + "\n");
  CHECK(s.run({"delete", "3"}) == "Deleted breakpoint 3\n");  // gdb's delete by number
  s.run({"delete", "3"}, 2);  // a number names a breakpoint, never address 3 (gdb's words)
  CHECK(contains(s.last_err(), "No breakpoint number 3."));
  CHECK(s.run({"delete"}) == "Deleted breakpoint 2\n");
  CHECK(s.run({"info", "breakpoints"}) == "No breakpoints or watchpoints.\n");
  s.run({"delete", "0x1234"}, 2);
  CHECK(contains(s.last_err(), "No breakpoint at 0x1234."));
}

void dumps_and_decoding(Suite& s) {
  CHECK(contains(s.run({"dumpinfo"}), "\nport:     "));
  CHECK(contains(s.run({"--json", "dumpinfo"}), "\"type\":"));
  const std::string text = s.file("text.bin"), hole = s.file("hole.bin");
  CHECK(s.run({"dump", "0xffffff8000200000", "16K", "-o", text}) ==
        "Wrote 16384 bytes from 0xffffff8000200000 to " + text + "\n");
  const std::string bytes = file_bytes(text);
  CHECK(bytes.size() == 16384);
  CHECK(bytes.substr(0, 4) == "\xcf\xfa\xed\xfe");
  s.run({"dump", "0xffffff80003ff000", "0x2000", "-o", hole}, 1);
  CHECK_FALSE(std::filesystem::exists(hole));
  CHECK(contains(s.last_err(), "read 4096 of 8192 bytes, nothing written"));
  CHECK(contains(s.run({"dump", "0xffffff80003ff000", "0x2000", "-o", hole, "--partial"}), "Wrote 4096 bytes"));
  CHECK(std::filesystem::file_size(hole) == 4096);
  CHECK(s.run({"decode", "92", "00", "08", "00", "00000000"}) == "KDP_REATTACH reply seq=0 key=0x0\n");
  CHECK(s.run({"--json", "decode", "0x92000800", "00:00:00:00"}) ==
        "{\"bytes\":8,\"hex\":\"9200080000000000\",\"description\":\"KDP_REATTACH reply seq=0 key=0x0\"}\n");
  s.run({"decode", "zz"}, 2);
  s.run({"frobnicate"}, 2);
}

// The elapsed time a timeout message reports ("no reply to X after 9 attempts in 500 ms", or "in 1.2 s"), or a huge value.
double seconds_reported(const std::string& message) {
  const size_t after = message.find(" after ");
  const size_t at = after == std::string::npos ? after : message.find(" in ", after);
  if (at == std::string::npos) return 1e9;
  const char* start = message.c_str() + at + 4;
  char* end = nullptr;
  const double value = std::strtod(start, &end);
  if (end == start) return 1e9;
  return std::string_view(end).rfind(" ms", 0) == 0 ? value / 1000 : value;
}

void reboot_and_detach(Suite& s, const std::string& boot_rip) {
  const SuiteTarget& t = s.target();
  CHECK(s.run({"step"}) != "");  // move away from the boot RIP so the reboot is visible
  CHECK(s.run({"reboot"}) == "Sent KDP_HOSTREBOOT to " + t.host + " (" + t.address + ").\n");
  CHECK(json_hex(s.run({"--json", "regs"}), "rip") == boot_rip);
  CHECK(s.run({"detach"}) == "Detached from " + t.host + " (" + t.address + "); the kernel is running.\n");
  s.run({"--timeout", "0.5", "version"}, 3);  // a running kernel does not answer
  // --timeout bounds the handshake too: the reattach gives up long before the default 10 s.
  s.run({"--timeout", "0.5", "reattach", t.target}, 3);
  CHECK(contains(s.last_err(), "no reply to KDP_REATTACH"));
  CHECK(seconds_reported(s.last_err()) < 5.0);
}

}  // namespace

std::string Suite::run(const std::vector<std::string>& args, int expected_exit) {
  ProcessResult r = runner_(args);
  std::string command;
  for (const std::string& a : args) command += a + " ";
  INFO("kdpctl " << command << "\nstdout:\n" << r.out << "stderr:\n" << r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == expected_exit);
  last_err_ = r.err;
  transcript_.push_back({normalize(command), r.exit_code, normalize(r.out)});
  return r.out;
}

// The address is replaced only where it is whole, so numbers that merely contain a port's digits
// (4294967296 with port 49672) stay intact.
std::string Suite::normalize(const std::string& text) const {
  return replace_all(replace_all(text, target_.address, "ADDRESS"), target_.dir, "DIR");
}

std::vector<Entry> run_cli_suite(Suite& s) {
  attach_and_query(s);
  const std::string rip = registers(s);
  backtrace(s);
  examine_memory(s, rip);
  breakpoint_flow(s, rip);
  dumps_and_decoding(s);
  reboot_and_detach(s, rip);
  return s.transcript();
}

void compare_transcripts(const std::vector<Entry>& reference, const std::vector<Entry>& lossy) {
  REQUIRE(lossy.size() == reference.size());
  for (size_t i = 0; i < reference.size(); ++i) {
    INFO("step " << i << ": kdpctl " << reference[i].command);
    CHECK(lossy[i].exit_code == reference[i].exit_code);
    CHECK(lossy[i].out == reference[i].out);
  }
}

}  // namespace kdp::cli::test
