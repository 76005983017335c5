// kdpctl print[/FMT] EXPR: gdb's print over the invocation's memory (live, --core, or the kernel
// file), with the kernel's types (--types FILE.json, the dSYM, else the built-in layouts chosen
// from its version): `print kernproc->p_pid`, `print *(struct proc *)kernproc`, `print $pc`,
// `print/x $1`. The older `print 'struct proc' ADDR` reads the struct at ADDR.
#include <cxxopts.hpp>
#include <ostream>

#include "cli/command.h"
#include "cli/expression.h"
#include "cli/kernel_context.h"
#include "cli/target_memory.h"
#include "kdp/base/json.h"
#include "kgm/context.h"
#include "kgm/expr_print.h"
#include "kgm/layouts_xnu1699.h"

namespace kdp::cli {
namespace {

constexpr unsigned kDefaultDepth = 20;  // gdb's default `set print max-depth`
constexpr std::string_view kPrintFormats = "xduotcasz";

Expected<unsigned> depth_option(const Invocation& inv) {
  if (!inv.flags || !inv.flags->count("depth")) return kDefaultDepth;
  const int depth = (*inv.flags)["depth"].as<int>();
  if (depth < 0 || depth > 1000) return usage_error("print: --depth must be between 0 and 1000");
  return static_cast<unsigned>(depth);
}

// print/FMT: one of gdb's print format letters, or 0 without one.
Expected<char> print_format(const Invocation& inv) {
  const std::string_view word = inv.word;
  const size_t slash = word.find('/');
  if (slash == std::string_view::npos) return '\0';
  const std::string_view format = word.substr(slash + 1);
  if (format.size() == 1 && kPrintFormats.find(format[0]) != std::string_view::npos) return format[0];
  return usage_error("Undefined output format \"" + std::string(format) + "\" (print takes one of /x /d /u /o /t /c /a /s /z).");
}

bool starts_with_aggregate_keyword(std::string_view text) {
  return text.starts_with("struct ") || text.starts_with("union ") || text.starts_with("enum ");
}

// The words after print form one expression, as gdb reads the rest of the line; two words of
// which the first is a type keep their older meaning, the type's object at ADDR.
Expected<std::string> print_expression(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("print: expected an expression (print EXPR, or print 'struct NAME' ADDR)");
  if (args.size() == 2 && starts_with_aggregate_keyword(args[0])) return "*(" + args[0] + " *)(" + args[1] + ")";
  std::string text;
  for (const std::string& a : args) text += (text.empty() ? "" : " ") + a;
  return text;
}

struct Printed {
  kgm::PrintedValue shown;
  std::string type;
  std::optional<uint64_t> address;
  StoredValue stored;
};

Status evaluate_and_render(const std::string& expression, const kgm::ExprContext& context, char format,
                           kgm::DecodeOptions options, Printed& printed) {
  KDP_TRY(kgm::ExprValue value, kgm::evaluate(expression, context));
  KDP_TRY(printed.shown, kgm::print_value(value, format, context, options));
  printed.type = kgm::type_text(value.type, context);
  printed.address.reset();
  if (value.place == kgm::ExprValue::Place::kMemory) printed.address = value.address;
  printed.stored = store_value(value, context);
  return {};
}

// Without a target, a core or a kernel file, gdb still prints what needs no memory (`p 1+2`,
// `p sizeof(struct proc)`, `p $1`): over --types, else the built-in RELEASE layouts.
Status print_without_target(const Invocation& inv, const State& state, const std::string& expression, char format,
                            const kgm::DecodeOptions& options, Printed& printed) {
  std::optional<kgm::TypeModel> types;
  if (inv.global.types) {
    KDP_TRY(types, load_types_file(*inv.global.types));
  } else {
    types.emplace(kgm::xnu1699_layouts(kgm::KernelConfig::kRelease));
  }
  kgm::ExprContext context = with_values({}, state);
  context.types = [&types] { return &*types; };
  return evaluate_and_render(expression, context, format, options, printed);
}

Status run_print(Invocation& inv) {
  KDP_TRY(char format, print_format(inv));
  KDP_TRY(unsigned depth, depth_option(inv));
  KDP_TRY(std::string expression, print_expression(inv.args));
  KDP_TRY(State state, inv.load_state());
  Printed printed;
  kgm::DecodeOptions options;
  options.max_depth = depth;
  if (!choose_memory_source(inv, state)) {
    KDP_TRY_STATUS(print_without_target(inv, state, expression, format, options, printed));
  } else {
    const TargetWork work = [&](TargetView& target) -> Status {
      std::optional<kgm::SymbolIndexSource> symbols;
      if (const macho::SymbolIndex* index = target.hooks.symbol_index()) symbols.emplace(*index);
      kgm::DecodeOptions here = options;
      here.symbols = symbols ? &*symbols : nullptr;
      here.memory = &target.memory;
      return evaluate_and_render(expression, with_values(target.hooks.expression_context(), state), format, here,
                                 printed);
    };
    KDP_TRY_STATUS(with_target_memory(inv, state, work));
  }
  // gdb's value history: every printed value gets the next $N, kept across commands in the state.
  uint64_t number = state.next_value.value_or(1);
  Status saved = inv.update_state([&](State& now) -> Status {
    number = now.next_value.value_or(1);
    now.next_value = number + 1;
    record_history(now, number, printed.stored);
    return {};
  });
  if (inv.global.json) {
    JsonWriter j;
    j.begin_object().field("history", number).field("type", printed.type);
    if (printed.address) j.hex_field("address", *printed.address);
    else j.key("address").null();
    inv.out << j.key("value").str() << printed.shown.json << "}\n";
  } else {
    inv.out << "$" << number << " = " << printed.shown.text << "\n";
  }
  if (!saved) return inv.result_printed_state_not_saved(saved.error());
  return {};
}

const CommandSpec kPrint{
    .name = "print",
    .usage = "print[/FMT] EXPR",
    .summary = "the value of a C expression, as gdb prints it (print kernproc->p_pid, print $pc, print/x $1)",
    .details = "EXPR is a C expression as gdb evaluates it: symbols are their variables (kernproc is the\n"
               "pointer stored there, &kernproc its address, a function its code), -> . [] * & casts to\n"
               "any known type, arithmetic with C's precedence and pointer scaling, comparisons, sizeof,\n"
               "registers ($rip $pc $sp $fp $rax ...), the value history ($, $$, $N) and convenience\n"
               "variables (set $p = EXPR). A struct prints as gdb does with `set print pretty on`: nested\n"
               "structs indented, arrays with <repeats N times>, char arrays as strings, pointers as\n"
               "0x... <symbol>, enums by name, bitfields. FMT is one of gdb's letters x d u o t c a s z\n"
               "(structs take /x). `print 'struct proc' ADDR` is `print *(struct proc *)ADDR`. --depth N\n"
               "prints structs nested deeper than N as {...} (gdb's max-depth, default 20). The types come\n"
               "from --types FILE.json (Volatility ISF), the kernel's dSYM, else the built-in layouts\n"
               "chosen from the kernel's version. --json: one document.",
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
