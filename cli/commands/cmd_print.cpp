// kdpctl print[/x] 'struct proc' ADDR | '*(struct proc *)ADDR': gdb's print of a kernel struct
// read through the invocation's memory (live, --core, or the kernel file), with the kernel's types
// (--types FILE.json, else the built-in layouts chosen from its version).
#include <cxxopts.hpp>
#include <ostream>

#include "cli/command.h"
#include "cli/kernel_context.h"
#include "kdp/base/json.h"
#include "kgm/value_print.h"

namespace kdp::cli {
namespace {

constexpr unsigned kDefaultDepth = 20;  // gdb's default `set print max-depth`

Expected<unsigned> depth_option(const Invocation& inv) {
  if (!inv.flags || !inv.flags->count("depth")) return kDefaultDepth;
  const int depth = (*inv.flags)["depth"].as<int>();
  if (depth < 0 || depth > 1000) return usage_error("print: --depth must be between 0 and 1000");
  return static_cast<unsigned>(depth);
}

// ADDR: a symbol of the kernel's symbols (--kernel's, or the ISF file's), else a number or an
// expression as x takes it.
Expected<uint64_t> address_of(const std::string& text, const kgm::KernelContext& kernel, const TargetView& target) {
  if (auto address = kernel.symbols.address_of(text)) return *address;
  return resolve_address(text, target.hooks);
}

Status run_print(Invocation& inv) {
  KDP_TRY(bool hex, single_letter_format(inv, 'x', "integers in hex"));
  KDP_TRY(unsigned depth, depth_option(inv));
  KDP_TRY(kgm::PrintTarget what, kgm::parse_print_arguments(inv.args));
  KDP_TRY(State state, inv.load_state());
  std::optional<kgm::Value> value;
  uint64_t address = 0;
  const TargetWork work = [&](TargetView& target) -> Status {
    value.reset();
    KDP_TRY(auto kernel, KernelModel::open(target, "print", inv.global.types));
    const kgm::KernelContext& k = kernel->context();
    KDP_TRY(address, address_of(what.address_text, k, target));
    kgm::DecodeOptions options;
    options.hex = hex;
    options.max_depth = depth;
    options.symbols = &k.symbols;
    options.memory = &target.memory;
    KDP_TRY(value, kgm::read_typed_value(target.memory, k.types, what.type_text, address, options));
    return {};
  };
  KDP_TRY_STATUS(with_target_memory(inv, state, work));
  // gdb's value history: every printed value gets the next $N, kept across commands in the state.
  uint64_t number = state.next_value.value_or(1);
  Status saved = inv.update_state([&](State& now) -> Status {
    number = now.next_value.value_or(1);
    now.next_value = number + 1;
    return {};
  });
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("history", number).field("type", what.type_text).hex_field("address", address).key("value");
    inv.out << j.str() << kgm::value_json(*value) << "}\n";
  } else {
    inv.out << "$" << number << " = " << kgm::value_text(*value) << "\n";
  }
  if (!saved) return inv.result_printed_state_not_saved(saved.error());
  return {};
}

const CommandSpec kPrint{
    .name = "print",
    .usage = "print[/x] TYPE ADDR",
    .summary = "a kernel struct in memory, laid out like gdb's print",
    .details = "TYPE ADDR: `print 'struct proc' ADDR`, or gdb's own form `print '*(struct proc *)ADDR'`.\n"
               "Reads the struct at ADDR (a number, a symbol, or an expression as x takes it) and prints it\n"
               "as gdb does with `set print pretty on`: nested structs indented, arrays with <repeats N\n"
               "times>, char arrays as strings, pointers as 0x... <symbol>, enums by name, bitfields.\n"
               "print/x prints every integer in hex. --depth N prints structs nested deeper than N as {...}\n"
               "(gdb's max-depth, default 20). The types come from --types FILE.json (Volatility ISF), else\n"
               "the built-in layouts chosen from the kernel's version (needs --kernel). --json: one document.",
    .add_options =
        [](cxxopts::Options& o) {
          o.add_options("print")("depth", "print structs nested deeper than N as {...} (default 20)",
                                 cxxopts::value<int>(), "N");
        },
    .run = run_print,
    .takes_format = true,
};

}  // namespace

const CommandSpec& print_command() { return kPrint; }
}  // namespace kdp::cli
