// kdpctl frame [N], up [N], down [N], info frame: gdb's frame selection over the selected thread's
// stack (bt's frames). The selected frame is kept in the state file (through the agent too) until
// the kernel runs; regs, info registers, x and print then read that frame's registers.
#include <ostream>

#include "cli/backtrace_view.h"
#include "cli/command.h"
#include "cli/core/frame_json.h"
#include "cli/core/number.h"
#include "cli/core/user_text.h"
#include "cli/frame_commands.h"
#include "cli/frame_selection.h"
#include "kdp/base/bytes.h"
#include "kdp/base/json.h"
#include "kgm/dwarf_info.h"
#include "kgm/source_file.h"

namespace kdp::cli {
namespace {

enum class Move { kTo, kUp, kDown };

// The stack the selection is over, and where it stands.
struct Stack {
  kgm::Backtrace bt;
  wire::X86ThreadState64 cpu;
  std::optional<Selection> current;
  std::string source_line;  // of the frame shown: gdb's "LINE\tTEXT", empty without line info
};

// gdb prints the frame's source line after it: "107\t    code", or that the file is missing.
std::string source_line_text(const TargetView& target, const Invocation& inv, const kgm::Frame& frame, size_t level) {
  auto dwarf = target.hooks.debug_info();
  if (!dwarf || !frame.source || frame.source->file.empty()) return {};
  // A caller's pc is its return address: the call is the instruction before it (as gdb looks it up).
  const uint64_t pc = frame.pc - target.hooks.slide() - (level > 0 ? 1 : 0);
  auto range = dwarf->line_at(pc);
  if (!range) return {};
  const std::string number = std::to_string(range->source.line);
  auto path = kgm::find_source(range->source, inv.global.source_dirs);
  if (!path) return number + "\t" + range->source.file + ": No such file or directory.\n";
  auto lines = kgm::read_source_lines(*path);
  if (!lines || range->source.line == 0 || range->source.line > lines->size()) return {};
  return number + "\t" + (*lines)[range->source.line - 1] + "\n";
}

// The selected thread's stack as bt walks it, and the selection standing at this stop.
Status read_stack(TargetView& target, const Invocation& inv, const State& state, Stack& stack) {
  KDP_TRY(stack.cpu, target.cpu_registers());
  stack.current = current_selection(state.selection, stack.cpu);
  stack.bt = symbolic_backtrace(target, thread_registers(stack.current, stack.cpu), inv.global.types);
  if (stack.bt.error) return *stack.bt.error;
  return {};
}

// gdb's rules: `up`/`down` with no count must move; with a count they go as far as the stack allows.
Expected<size_t> target_level(Move move, std::optional<size_t> count, size_t from, size_t frames) {
  const size_t outermost = frames - 1;
  switch (move) {
    case Move::kTo:
      if (!count) return from;
      if (*count > outermost) return usage_error("No frame at level " + std::to_string(*count) + ".");
      return *count;
    case Move::kUp:
      if (!count && from == outermost) return usage_error("Initial frame selected; you cannot go up.");
      return std::min(outermost, from + count.value_or(1));
    case Move::kDown:
      if (!count && from == 0) return usage_error("Bottom (innermost) frame selected; you cannot go down.");
      return from - std::min(from, count.value_or(1));
  }
  return from;
}

Expected<std::optional<size_t>> count_argument(const Invocation& inv, std::string_view name) {
  KDP_TRY_STATUS(inv.expect_args(0, 1, "[N]"));
  if (inv.args.empty()) return std::optional<size_t>();
  auto n = parse_u64(inv.args[0], "frame level");
  if (!n || *n > kMaxSelectableFrame)
    return usage_error(std::string(name) + ": expected a frame level 0.." + std::to_string(kMaxSelectableFrame) +
                       ", got " + quote_user_text(inv.args[0]));
  return std::optional<size_t>(static_cast<size_t>(*n));
}

// The frame line with its source line, gdb's output of frame, up and down.
std::string frame_text(const Stack& stack, size_t level) {
  return kgm::render_frame(stack.bt.frames[level], level) + stack.source_line;
}

Status run_move(Invocation& inv, Move move, std::string_view name) {
  KDP_TRY(std::optional<size_t> count, count_argument(inv, name));
  KDP_TRY(State state, inv.load_state());
  std::optional<Stack> stack;
  size_t level = 0;
  const TargetWork work = [&](TargetView& target) -> Status {
    KDP_TRY_STATUS(read_stack(target, inv, state, stack.emplace()));
    KDP_TRY(level, target_level(move, count, stack->current ? stack->current->frame : 0, stack->bt.frames.size()));
    stack->source_line = source_line_text(target, inv, stack->bt.frames[level], level);
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("level", level).key("frame");
    write_frame_json(j, stack->bt.frames[level]);
    inv.out << j.end_object().str() << "\n";
  } else {
    inv.out << frame_text(*stack, level);
  }
  Selection selected = selection_at(stack->cpu, stack->current);
  selected.frame = level;
  return inv.update_state_after_output([&](State& now) -> Status {
    now.selection = selected;
    return {};
  });
}

// gdb's function name for a frame: the dSYM's, else the symbol without its offset.
std::string function_name(const kgm::Frame& f) {
  if (f.source) return f.source->function;
  if (!f.symbol) return {};
  std::string name = *f.symbol;
  const size_t plus = name.find_first_of("+ ");
  return plus == std::string::npos ? name : name.substr(0, plus);
}

// gdb's `frame at`: the canonical frame address, above the saved rbp and return address.
std::optional<uint64_t> frame_address(const kgm::Frame& f) {
  if (f.frame_pointer == 0) return std::nullopt;
  return f.frame_pointer + 16;
}

struct FrameInfo {
  size_t level = 0;
  const kgm::Frame* frame = nullptr;
  std::optional<uint64_t> at, called_by, caller_of, saved_rip;
};

FrameInfo describe_frame(const kgm::Backtrace& bt, size_t level) {
  FrameInfo info;
  info.level = level;
  info.frame = &bt.frames[level];
  info.at = frame_address(bt.frames[level]);
  if (level + 1 < bt.frames.size()) {
    info.called_by = frame_address(bt.frames[level + 1]);
    info.saved_rip = bt.frames[level + 1].pc;
  } else if (bt.stop == kgm::StopReason::kNullReturnAddress) {
    info.saved_rip = 0;
  }
  if (level > 0) info.caller_of = frame_address(bt.frames[level - 1]);
  return info;
}

// gdb's `info frame` (frame_info_command_core), for a frame-pointer frame.
std::string info_frame_text(const FrameInfo& i) {
  const kgm::Frame& f = *i.frame;
  std::string out = "Stack level " + std::to_string(i.level) + ", frame at " + (i.at ? hex(*i.at) : "<unknown>") + ":\n";
  out += " rip = " + hex(f.pc);
  if (const std::string name = function_name(f); !name.empty()) out += " in " + name;
  if (f.source && !f.source->file.empty()) out += " (" + f.source->file + ":" + std::to_string(f.source->line) + ")";
  out += "; saved rip = " + (i.saved_rip ? hex(*i.saved_rip) : std::string("<not saved>")) + "\n";
  if (i.called_by) out += " called by frame at " + hex(*i.called_by);
  if (i.called_by && i.caller_of) out += ",";
  if (i.caller_of) out += " caller of frame at " + hex(*i.caller_of);
  if (i.called_by || i.caller_of) out += "\n";
  out += " Arglist at " + hex(f.frame_pointer) + ", args: ";
  if (f.source)
    for (size_t a = 0; a < f.source->args.size(); ++a)
      out += (a ? ", " : "") + f.source->args[a].first + "=" + f.source->args[a].second;
  out += "\n Locals at " + hex(f.frame_pointer) + ", Previous frame's sp is " + (i.at ? hex(*i.at) : "<unknown>") + "\n";
  if (i.at) out += " Saved registers:\n  rbp at " + hex(*i.at - 16) + ", rip at " + hex(*i.at - 8) + "\n";
  return out;
}

void info_frame_json(Invocation& inv, const FrameInfo& i) {
  JsonWriter j;
  j.begin_object().field("level", i.level).key("frame");
  write_frame_json(j, *i.frame);
  j.field("function", function_name(*i.frame));
  const std::pair<std::string_view, const std::optional<uint64_t>*> addresses[] = {
      {"frame_address", &i.at}, {"saved_rip", &i.saved_rip}, {"called_by", &i.called_by}, {"caller_of", &i.caller_of}};
  for (const auto& a : addresses) {
    if (*a.second) j.hex_field(a.first, **a.second);
    else j.key(a.first).null();
  }
  if (i.at) j.key("saved_registers").begin_object().hex_field("rbp", *i.at - 16).hex_field("rip", *i.at - 8).end_object();
  inv.out << j.end_object().str() << "\n";
}

}  // namespace

Status info_frame(Invocation& inv) {
  KDP_TRY(State state, inv.load_state());
  std::optional<Stack> stack;
  const TargetWork work = [&](TargetView& target) { return read_stack(target, inv, state, stack.emplace()); };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  const size_t level = stack->current ? stack->current->frame : 0;
  if (level >= stack->bt.frames.size()) return usage_error("No frame at level " + std::to_string(level) + ".");
  const FrameInfo info = describe_frame(stack->bt, level);
  if (inv.global.json)
    info_frame_json(inv, info);
  else
    inv.out << info_frame_text(info);
  return {};
}

namespace {

Status run_frame(Invocation& inv) { return run_move(inv, Move::kTo, "frame"); }
Status run_up(Invocation& inv) { return run_move(inv, Move::kUp, "up"); }
Status run_down(Invocation& inv) { return run_move(inv, Move::kDown, "down"); }

const CommandSpec kFrame{
    .name = "frame",
    .usage = "frame [N]",
    .summary = "select frame N of the selected thread's stack (bt's numbers) and print it; "
               "regs, x and print then read its registers (also: f)",
    .details = "As gdb's frame: the frame line as bt prints it and, with the kernel's dSYM, its source line.\n"
               "The selection lasts until the kernel runs (continue, step). `info frame` describes it.",
    .run = run_frame,
};
const CommandSpec kUp{
    .name = "up",
    .usage = "up [N]",
    .summary = "select the frame N (default 1) levels out (toward the caller)",
    .run = run_up,
};
const CommandSpec kDown{
    .name = "down",
    .usage = "down [N]",
    .summary = "select the frame N (default 1) levels in (toward the innermost frame)",
    .run = run_down,
};

}  // namespace

const CommandSpec& frame_command() { return kFrame; }
const CommandSpec& up_command() { return kUp; }
const CommandSpec& down_command() { return kDown; }
}  // namespace kdp::cli
