// kdpctl bt: the stopped CPU's call stack by walking saved frame pointers (kgm::walk_frames),
// every frame symbolicated when a kernel is loaded, printed like gdb's `bt`.
#include <ostream>

#include "cli/command.h"
#include "kdp/base/json.h"
#include "cli/kernel_hooks.h"
#include "cli/session_open.h"

#include "kgm/backtrace.h"

namespace kdp::cli {
namespace {

// Kernel memory is untrusted: each saved rbp / return address goes through the checked reader.
kgm::ReadU64 stack_reader(client::Session& session) {
  return [&session](uint64_t address) -> Expected<uint64_t> {
    KDP_TRY(Bytes bytes, session.read_memory(address, 8));
    ByteReader reader(bytes, "stack at " + hex(address));
    return reader.u64("frame word");
  };
}

void print_json(Invocation& inv, const kgm::Backtrace& bt) {
  JsonWriter j;
  j.begin_object().key("frames").begin_array();
  for (const kgm::Frame& f : bt.frames) {
    j.begin_object().hex_field("pc", f.pc).hex_field("frame_pointer", f.frame_pointer);
    j.field("symbol", f.symbol).end_object();
  }
  j.end_array().field("stop", kgm::describe(bt.stop)).field("detail", bt.detail);
  inv.out << j.end_object().str() << "\n";
}

Status run_bt(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 0, ""));
  KDP_TRY(State state, inv.load_state());
  KDP_TRY(StoppedCpu cpu, open_session_with_registers(inv, state));
  KDP_TRY(auto hooks, load_kernel_hooks(inv, state, cpu.session.get()));
  kgm::Backtrace bt = kgm::walk_frames(cpu.registers.rip(), cpu.registers.rbp(),
                                       stack_reader(*cpu.session), hooks->symbolizer());
  if (inv.global.json)
    print_json(inv, bt);
  else
    inv.out << kgm::render_backtrace(bt);
  return {};
}

const CommandSpec kBt{
    .name = "bt",
    .usage = "bt",
    .summary = "backtrace of the stopped CPU (frame-pointer walk, symbols with --kernel)",
    .run = run_bt,
};

}  // namespace

const CommandSpec& bt_command() { return kBt; }
}  // namespace kdp::cli
