#include "kgm/expr.h"

#include <string>

#include "kdp/base/bytes.h"
#include "kgm/memory_read.h"

namespace kdp::kgm {
namespace {

bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '.'; }
int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A recursive-descent parser that evaluates as it goes.
class Evaluator {
 public:
  Evaluator(std::string_view text, const ExprContext& context) : text_(text), context_(context) {}

  Expected<uint64_t> run() {
    skip_spaces();
    if (at_end()) return usage_error("empty address expression");
    KDP_TRY(uint64_t value, expr());
    if (!at_end()) return unexpected();
    return value;
  }

 private:
  Expected<uint64_t> expr();
  Expected<uint64_t> unary();
  Expected<uint64_t> primary();
  Expected<uint64_t> number();
  Expected<uint64_t> symbol();
  Expected<uint64_t> reg();

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  void skip_spaces() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  std::string_view take_name() {
    size_t start = pos_;
    while (!at_end() && is_name_char(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  Error unexpected() const {
    std::string what = at_end() ? "end of expression" : "'" + std::string(1, peek()) + "'";
    return usage_error("unexpected " + what + " at position " + std::to_string(pos_ + 1) + " in '" +
                       std::string(text_) + "'");
  }

  std::string_view text_;
  const ExprContext& context_;
  size_t pos_ = 0;
  int depth_ = 0;
  static constexpr int kMaxDepth = 64;
};

Expected<uint64_t> Evaluator::expr() {
  KDP_TRY(uint64_t value, unary());
  for (;;) {
    skip_spaces();
    char op = peek();
    if (op != '+' && op != '-') return value;
    ++pos_;
    KDP_TRY(uint64_t rhs, unary());
    value = op == '+' ? value + rhs : value - rhs;
  }
}

Expected<uint64_t> Evaluator::unary() {
  skip_spaces();
  // Bounds the recursion, so "((((…" or "****…" from a script cannot exhaust the stack.
  if (++depth_ > kMaxDepth) return usage_error("address expression nests deeper than " + std::to_string(kMaxDepth));
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{depth_};
  if (peek() == '-') {  // gdb reads `-8` as 0xfffffffffffffff8 (two's complement, 64 bits)
    ++pos_;
    KDP_TRY(uint64_t operand, unary());
    return uint64_t{0} - operand;
  }
  if (peek() != '*') return primary();
  size_t start = pos_++;
  KDP_TRY(uint64_t address, unary());
  std::string operand(text_.substr(start, pos_ - start));
  if (context_.memory == nullptr)
    return usage_error(operand + ": reading memory needs a connected target or a core file");
  auto value = read_u64(*context_.memory, address);
  if (!value) return value.error().context(operand + ": reading " + hex(address));
  return *value;
}

Expected<uint64_t> Evaluator::primary() {
  skip_spaces();
  char c = peek();
  if (c == '(') {
    ++pos_;
    KDP_TRY(uint64_t value, expr());
    skip_spaces();
    if (peek() != ')') return unexpected();
    ++pos_;
    return value;
  }
  if (c >= '0' && c <= '9') return number();
  if (c == '$') return reg();
  if (is_name_start(c)) return symbol();
  return unexpected();
}

Expected<uint64_t> Evaluator::number() {
  size_t start = pos_;
  unsigned base = 10;
  if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
    base = 16;
    pos_ += 2;
  }
  size_t digits_start = pos_;
  uint64_t value = 0;
  for (int d; !at_end() && (d = digit_value(text_[pos_])) >= 0 && d < static_cast<int>(base); ++pos_) {
    if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / base)
      return usage_error("number '" + std::string(text_.substr(start, pos_ - start + 1)) +
                         "...' does not fit in 64 bits");
    value = value * base + static_cast<uint64_t>(d);
  }
  if (pos_ == digits_start || (!at_end() && is_name_char(text_[pos_])))
    return usage_error("malformed number at position " + std::to_string(start + 1) + " in '" +
                       std::string(text_) + "'");
  return value;
}

Expected<uint64_t> Evaluator::symbol() {
  std::string_view name = take_name();
  if (context_.symbols == nullptr)
    return Error(ErrorKind::kNotFound,
                 "no symbol named '" + std::string(name) + "' (no kernel file loaded)");
  auto address = context_.symbols->lookup(name);
  if (!address) return Error(ErrorKind::kNotFound, "no symbol named '" + std::string(name) + "'");
  return *address;
}

Expected<uint64_t> Evaluator::reg() {
  ++pos_;  // '$'
  std::string_view name = take_name();
  if (name.empty()) return unexpected();
  if (!context_.read_register)
    return usage_error("$" + std::string(name) + ": registers need a connected target or a core file");
  return context_.read_register(name);
}

}  // namespace

Expected<uint64_t> evaluate_address(std::string_view text, const ExprContext& context) {
  return Evaluator(text, context).run();
}

}  // namespace kdp::kgm
