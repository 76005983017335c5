// kdpctl list [ADDR|*ADDR|FUNC|FILE:LINE]: gdb's `list` over the kernel's dSYM. Ten lines around the
// spot ("107\t    code"), the source found in --source-dir DIRs (gdb's `dir`) or where the build
// machine had it; without it, gdb's "102\tkext_alloc.c: No such file or directory.".
#include <ostream>

#include "cli/command.h"
#include "cli/debug_info.h"
#include "cli/source_location.h"
#include "cli/target_memory.h"
#include "kdp/base/json.h"
#include "kgm/source_file.h"

namespace kdp::cli {
namespace {

struct Listing {
  SourceSpot spot;
  kgm::ListWindow window;
  std::optional<std::string> path;  // the file found
  std::vector<std::string> lines;   // the whole file when found
};

// A function's listing centres on its declaration line, an address's on its line (gdb).
uint32_t centre_of(const SourceSpot& spot, std::string_view text) {
  if (spot.function && spot.function->declared && spot.function->name == text) return spot.function->declared->line;
  return spot.source.line;
}

void print_text(Invocation& inv, const Listing& l) {
  if (!l.path) {
    inv.out << l.window.first << "\t" << l.spot.source.file << ": No such file or directory.\n";
    return;
  }
  for (uint32_t n = l.window.first; n <= l.window.last && n <= l.lines.size(); ++n)
    inv.out << n << "\t" << l.lines[n - 1] << "\n";
}

void print_json(Invocation& inv, const Listing& l) {
  JsonWriter j;
  j.begin_object().field("file", l.spot.source.file).field("line", l.spot.source.line);
  j.field("path", l.path).field("first", l.window.first).key("lines").begin_array();
  for (uint32_t n = l.window.first; l.path && n <= l.window.last && n <= l.lines.size(); ++n)
    j.begin_object().field("line", n).field("text", l.lines[n - 1]).end_object();
  inv.out << j.end_array().end_object().str() << "\n";
}

Status run_list(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(0, 1, "[ADDR|*ADDR|FUNC|FILE:LINE]"));
  KDP_TRY(State state, inv.load_state());
  // No argument: around where the kernel stopped (the stopped CPU's, or the core's, RIP), as gdb
  // lists around the current frame.
  std::string location = inv.args.empty() ? std::string() : inv.args[0];
  Listing listing;
  const TargetWork work = [&](TargetView& target) -> Status {
    if (target.hooks.debug_modules().empty()) return no_debug_info("list");
    if (location.empty()) {
      KDP_TRY(wire::X86ThreadState64 regs, target.registers());
      location = "*" + hex(regs.rip());
    }
    KDP_TRY(listing.spot, resolve_spot(location, target.hooks));
    return {};
  };
  // Around the stop needs the stopped CPU's RIP; a named spot only the kernel file and its dSYM.
  if (location.empty() || names_register(location))
    KDP_TRY_STATUS(with_target_memory(inv, state, work));
  else
    KDP_TRY_STATUS(with_kernel_file_memory(inv, state, work));
  listing.window = kgm::list_window(centre_of(listing.spot, location));
  listing.path = kgm::find_source(listing.spot.source, inv.global.source_dirs);
  if (listing.path) {
    KDP_TRY(listing.lines, kgm::read_source_lines(*listing.path));
    // gdb's words, naming the first line of the window it could not print.
    if (listing.window.first > listing.lines.size())
      return Error(ErrorKind::kNotFound, "Line number " + std::to_string(listing.window.first) + " out of range; \"" +
                                             listing.spot.source.file + "\" has " +
                                             std::to_string(listing.lines.size()) + " lines.");
  }
  if (inv.global.json)
    print_json(inv, listing);
  else
    print_text(inv, listing);
  return {};
}

const CommandSpec kList{
    .name = "list",
    .usage = "list [ADDR|*ADDR|FUNC|FILE:LINE]",
    .summary = "source lines around an address, function or FILE:LINE (needs the kernel's dSYM; --source-dir DIR)",
    .details = "Prints ten lines around the spot, as gdb's list does; with no argument, around where the\n"
               "kernel stopped (the CPU's RIP, or the core's first thread). Sources are looked up in each\n"
               "--source-dir DIR (repeatable, like gdb's `dir`): DIR/FILE as the dSYM names it, then\n"
               "DIR/<its base name>, then the path the kernel was built at. The dSYM is --dsym PATH, or\n"
               "KERNEL.dSYM beside --kernel.",
    .run = run_list,
};

}  // namespace

const CommandSpec& list_command() { return kList; }
}  // namespace kdp::cli
