#include "cli/expression.h"

#include <charconv>

#include "kgm/expr_types.h"

namespace kdp::cli {
namespace {

std::optional<uint64_t> decimal(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// "" ($) is the last value, "$" ($$) the one before, "$N" ($$N) N back, "N" ($N) number N.
std::optional<uint64_t> history_number(std::string_view name, const State& state) {
  const uint64_t last = state.next_value.value_or(1) - 1;
  if (auto n = decimal(name)) return *n;
  uint64_t back = 0;
  if (name == "$") {
    back = 1;
  } else if (name.starts_with("$")) {
    auto n = decimal(name.substr(1));
    if (!n) return std::nullopt;
    back = *n;
  } else if (!name.empty()) {
    return std::nullopt;
  }
  if (back >= last) return std::nullopt;
  return last - back;
}

// A type kept as text comes back through the cast parser; what it cannot spell (function
// pointers, arrays) comes back as an address-sized integer with the same bits.
kgm::TypeRef restored_type(const std::string& text, const kgm::ExprContext& context) {
  if (text == "void (*)()") return kgm::expr::pointer_to(kgm::expr::function_type());
  auto type = kgm::parse_type_name(text, context);
  return type ? *type : kgm::expr::unsigned_long_type();
}

kgm::ExprValue restore(const StoredValue& stored, const kgm::ExprContext& context) {
  kgm::ExprValue v;
  v.type = restored_type(stored.type, context);
  v.bits = stored.bits;
  if (stored.address) {
    v.place = kgm::ExprValue::Place::kMemory;
    v.address = *stored.address;
  }
  return v;
}

bool printable(const std::string& text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return !text.empty();
}

}  // namespace

kgm::ExprContext with_values(kgm::ExprContext context, const State& state) {
  const kgm::ExprContext base = context;
  context.variable = [&state, base](std::string_view name) -> std::optional<kgm::ExprValue> {
    std::string key(name);
    const bool history = name.empty() || name.front() == '$' || decimal(name);
    if (history) {
      auto number = history_number(name, state);
      if (!number) return std::nullopt;
      key = std::to_string(*number);
    }
    auto it = state.values.find(key);
    if (it == state.values.end()) return std::nullopt;
    kgm::ExprValue v = restore(it->second, base);
    if (!history) {  // a convenience variable is itself assignable
      v.place = kgm::ExprValue::Place::kVariable;
      v.name = key;
    }
    return v;
  };
  return context;
}

StoredValue store_value(const kgm::ExprValue& value, const kgm::ExprContext& context) {
  StoredValue stored;
  stored.type = kgm::type_text(value.type, context);
  if (!printable(stored.type)) stored.type = "unsigned long";
  stored.bits = value.bits;
  if (value.place == kgm::ExprValue::Place::kMemory && !kgm::expr::is_scalar(value.type))
    stored.address = value.address;
  return stored;
}

void record_history(State& state, uint64_t number, StoredValue value) {
  state.values[std::to_string(number)] = std::move(value);
  if (number <= kMaxStoredHistory) return;
  const uint64_t oldest = number - kMaxStoredHistory;
  std::erase_if(state.values, [oldest](const auto& entry) {
    auto n = decimal(entry.first);
    return n && *n <= oldest;
  });
}

}  // namespace kdp::cli
