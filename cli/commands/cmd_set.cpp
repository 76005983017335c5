// kdpctl set disassembly-flavor att|intel: gdb's setting, remembered in the state file for every
// later x/i (--syntax overrides it for one command). kdpctl set var EXPR = VALUE and
// set $NAME = VALUE: gdb's assignments, to kernel memory and registers of a live target (through
// the session; the memory cache is dropped) and to convenience variables (kept in the state file).
#include <ostream>

#include "cli/command.h"
#include "cli/core/user_text.h"
#include "cli/expression.h"
#include "cli/target_memory.h"
#include "kdp/wire/x86_state.h"
#include "kdp/base/json.h"

namespace kdp::cli {
namespace {

Status set_flavor(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(2, 2, "disassembly-flavor att|intel"));
  const std::string& flavor = inv.args[1];
  if (flavor != "att" && flavor != "intel")
    return usage_error("Undefined item: " + quote_user_text(flavor) + ". (disassembly-flavor is att or intel)");
  KDP_TRY_STATUS(inv.update_state([&](State& now) -> Status {
    now.disassembly_flavor = flavor;
    return {};
  }));
  // gdb's `set` says nothing; --json says what is now set (one document per run).
  if (inv.global.json) inv.out << JsonWriter().begin_object().field("disassembly_flavor", flavor).end_object().str() << "\n";
  return {};
}

Bytes little_endian(uint64_t bits, uint64_t size) {
  Bytes out;
  for (uint64_t i = 0; i < size && i < 8; ++i) out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
  return out;
}

// Stores one assignment: memory and registers through the live session, variables for the state.
Status store(TargetView& target, const kgm::ExprValue& where, const kgm::ExprValue& value, const kgm::ExprContext& context,
             std::map<std::string, StoredValue>& variables) {
  using Place = kgm::ExprValue::Place;
  if (where.place == Place::kVariable) {
    variables[where.name] = store_value(value, context);
    return {};
  }
  if (!target.session)
    return usage_error("cannot write " + std::string(where.place == Place::kRegister ? "registers" : "memory") +
                       " of a core file or a kernel file: attach to the kernel (kdpctl reattach)");
  if (where.place == Place::kRegister) {
    const auto index = wire::X86ThreadState64::index_of(where.name);
    if (!index) return usage_error("cannot write register $" + where.name);
    KDP_TRY(wire::X86ThreadState64 regs, target.session->read_registers());
    regs.regs[*index] = value.bits;
    return target.session->write_registers(regs);
  }
  Status written = target.session->write_memory(where.address, little_endian(value.bits, value.type.size));
  target.memory.invalidate();  // even a failed write may have changed some bytes
  return written;
}

Status set_expression(Invocation& inv, const std::string& expression) {
  KDP_TRY(State state, inv.load_state());
  std::map<std::string, StoredValue> variables;
  const TargetWork work = [&](TargetView& target) -> Status {
    variables.clear();
    kgm::ExprContext context = with_values(target.hooks.expression_context(), state);
    context.assign = [&](const kgm::ExprValue& where, const kgm::ExprValue& value) {
      return store(target, where, value, context, variables);
    };
    KDP_TRY(kgm::ExprValue ignored, kgm::evaluate(expression, context));
    (void)ignored;
    return {};
  };
  // `set $n = 4` needs no target: tried first without one (it cannot reach memory or registers).
  kgm::ExprContext offline = with_values({}, state);
  offline.assign = [&](const kgm::ExprValue& where, const kgm::ExprValue& value) -> Status {
    if (where.place != kgm::ExprValue::Place::kVariable) return usage_error("needs the target");
    variables[where.name] = store_value(value, offline);
    return {};
  };
  if (!kgm::evaluate(expression, offline)) {
    variables.clear();
    KDP_TRY_STATUS(with_target_memory(inv, state, work));
  }
  if (variables.empty()) return {};
  return inv.update_state([&](State& now) -> Status {
    for (const auto& [name, value] : variables) now.values[name] = value;
    return {};
  });
}

Status run_set(Invocation& inv) {
  KDP_TRY_STATUS(inv.expect_args(1, 64, "disassembly-flavor att|intel | var EXPR = VALUE | $NAME = VALUE"));
  const std::string& first = inv.args[0];
  if (first == "disassembly-flavor") return set_flavor(inv);
  const bool var = first == "var" || first == "variable";
  if (!var && !first.starts_with("$"))
    return usage_error("set: unknown setting " + quote_user_text(first) +
                       " (disassembly-flavor, var EXPR = VALUE, $NAME = VALUE)");
  std::string expression;
  for (size_t i = var ? 1 : 0; i < inv.args.size(); ++i) expression += (expression.empty() ? "" : " ") + inv.args[i];
  inv.args.clear();
  if (expression.find('=') == std::string::npos) return usage_error("set " + first + ": expected EXPR = VALUE");
  return set_expression(inv, expression);
}

const CommandSpec kSet{
    .name = "set",
    .usage = "set disassembly-flavor att|intel | set var EXPR = VALUE | set $NAME = VALUE",
    .summary = "x/i syntax from now on (att, the default, or intel); assign to kernel memory, a register or a "
               "convenience variable",
    .run = run_set,
};

}  // namespace

const CommandSpec& set_command() { return kSet; }
}  // namespace kdp::cli
