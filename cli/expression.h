// Expressions as print and set see them: the kernel's (KernelHooks::expression_context) plus
// gdb's value history ($, $$, $N, $$N) and convenience variables ($name), kept in the state file
// between commands.
#pragma once

#include <string>

#include "cli/core/state.h"
#include "kgm/expr.h"

namespace kdp::cli {

// `context` extended with the state's history and variables (read when an expression names one).
kgm::ExprContext with_values(kgm::ExprContext context, const State& state);

// How a value is kept in the state: its type as a cast spells it, bits, and address in memory.
StoredValue store_value(const kgm::ExprValue& value, const kgm::ExprContext& context);

// Records `value` as history number `number` (dropping the oldest beyond kMaxStoredHistory).
void record_history(State& state, uint64_t number, StoredValue value);

}  // namespace kdp::cli
