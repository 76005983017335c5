#include "kgm/expr_parse.h"

#include <algorithm>
#include <array>
#include <optional>

namespace kdp::kgm::expr {
namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
int digit_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct BinaryLevel {
  int level;
  std::string_view op;
};
// Longest spellings first, so "<<" is not read as "<" and "&&" not as "&".
constexpr std::array<BinaryLevel, 18> kBinaryOps = {{
    {1, "||"}, {2, "&&"}, {6, "=="}, {6, "!="}, {7, "<="}, {7, ">="}, {8, "<<"}, {8, ">>"},
    {3, "|"}, {4, "^"}, {5, "&"}, {7, "<"}, {7, ">"}, {9, "+"}, {9, "-"}, {10, "*"}, {10, "/"}, {10, "%"},
}};
constexpr int kLowestBinary = 1;
constexpr int kHighestBinary = 10;
constexpr int kMaxDepth = 64;

std::unique_ptr<Node> make(NodeKind kind, std::string op = {}, std::unique_ptr<Node> a = nullptr,
                           std::unique_ptr<Node> b = nullptr) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  n->op = std::move(op);
  n->a = std::move(a);
  n->b = std::move(b);
  return n;
}

class Parser {
 public:
  Parser(std::string_view text, const TypeNameTest& is_type_name) : text_(text), is_type_name_(is_type_name) {}

  Expected<std::unique_ptr<Node>> run() {
    skip_spaces();
    if (at_end()) return usage_error("Argument required (expression to compute).");
    KDP_TRY(auto node, assignment());
    skip_spaces();
    if (!at_end()) return syntax_error();
    return node;
  }

 private:
  using NodePtr = std::unique_ptr<Node>;

  Expected<NodePtr> assignment();
  Expected<NodePtr> binary(int level);
  Expected<NodePtr> unary();
  Expected<NodePtr> postfix();
  Expected<NodePtr> primary();
  Expected<NodePtr> number();
  Expected<NodePtr> char_literal();
  Expected<NodePtr> dollar();
  Expected<std::string> type_text();  // after '(' up to and past ')'
  Expected<std::string> member_name();

  bool at_end() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  void skip_spaces() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  bool accept(std::string_view s) {
    skip_spaces();
    if (text_.substr(pos_, s.size()) != s) return false;
    pos_ += s.size();
    return true;
  }
  std::string_view word_at(size_t at) const {
    size_t end = at;
    while (end < text_.size() && is_name_char(text_[end])) ++end;
    return text_.substr(at, end - at);
  }
  std::string_view take_name() {
    std::string_view name = word_at(pos_);
    pos_ += name.size();
    return name;
  }
  // The binary operator at the cursor, if any ("=" alone is assignment, not "==").
  std::optional<BinaryLevel> peek_binary() {
    skip_spaces();
    for (const BinaryLevel& b : kBinaryOps)
      if (text_.substr(pos_, b.op.size()) == b.op) {
        // "->" is member access, not minus; "&=" and friends are not supported operators.
        if (b.op == "-" && peek(1) == '>') return std::nullopt;
        return b;
      }
    return std::nullopt;
  }
  Error syntax_error() const {
    return usage_error("A syntax error in expression, near `" + std::string(text_.substr(std::min(pos_, text_.size()))) + "'.");
  }

  std::string_view text_;
  const TypeNameTest& is_type_name_;
  size_t pos_ = 0;
  int depth_ = 0;
};

Expected<std::unique_ptr<Node>> Parser::assignment() {
  KDP_TRY(NodePtr left, binary(kLowestBinary));
  skip_spaces();
  if (peek() != '=' || peek(1) == '=') return left;
  ++pos_;
  KDP_TRY(NodePtr right, assignment());
  return make(NodeKind::kAssign, "=", std::move(left), std::move(right));
}

Expected<std::unique_ptr<Node>> Parser::binary(int level) {
  if (level > kHighestBinary) return unary();
  KDP_TRY(NodePtr left, binary(level + 1));
  for (;;) {
    auto op = peek_binary();
    if (!op || op->level != level) return left;
    pos_ += op->op.size();
    KDP_TRY(NodePtr right, binary(level + 1));
    left = make(NodeKind::kBinary, std::string(op->op), std::move(left), std::move(right));
  }
}

Expected<std::unique_ptr<Node>> Parser::unary() {
  skip_spaces();
  // Bounds the recursion, so "((((…" or "----…" from a script cannot exhaust the stack.
  if (++depth_ > kMaxDepth) return usage_error("expression nests deeper than " + std::to_string(kMaxDepth));
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{depth_};
  const char c = peek();
  if (c == '-' || c == '+' || c == '!' || c == '~' || c == '*' || (c == '&' && peek(1) != '&')) {
    ++pos_;
    KDP_TRY(NodePtr operand, unary());
    return make(NodeKind::kUnary, std::string(1, c), std::move(operand));
  }
  if (word_at(pos_) == "sizeof") {
    pos_ += 6;
    skip_spaces();
    const size_t open = pos_;
    if (accept("(")) {
      skip_spaces();
      if (is_type_name_(word_at(pos_))) {
        NodePtr node = make(NodeKind::kSizeofType);
        KDP_TRY(node->text, type_text());
        return node;
      }
      pos_ = open;
    }
    KDP_TRY(NodePtr operand, unary());
    return make(NodeKind::kSizeofExpr, "sizeof", std::move(operand));
  }
  if (c == '(') {
    size_t after = pos_ + 1;
    while (after < text_.size() && (text_[after] == ' ' || text_[after] == '\t')) ++after;
    if (is_type_name_(word_at(after))) {
      ++pos_;
      NodePtr node = make(NodeKind::kCast);
      KDP_TRY(node->text, type_text());
      KDP_TRY(node->a, unary());
      return node;
    }
  }
  return postfix();
}

Expected<std::string> Parser::type_text() {
  const size_t start = pos_;
  while (!at_end() && peek() != ')') {
    if (!is_name_char(peek()) && peek() != '*' && peek() != ' ' && peek() != '\t') return syntax_error();
    ++pos_;
  }
  if (at_end()) return syntax_error();
  std::string text(text_.substr(start, pos_ - start));
  ++pos_;  // ')'
  return text;
}

Expected<std::string> Parser::member_name() {
  skip_spaces();
  std::string_view name = take_name();
  if (name.empty() || is_digit(name.front())) return syntax_error();
  return std::string(name);
}

Expected<std::unique_ptr<Node>> Parser::postfix() {
  KDP_TRY(NodePtr node, primary());
  for (;;) {
    skip_spaces();
    if (accept("[")) {
      KDP_TRY(NodePtr index, assignment());
      if (!accept("]")) return syntax_error();
      node = make(NodeKind::kIndex, "[]", std::move(node), std::move(index));
    } else if (accept("->") || (peek() == '.' && accept("."))) {
      const bool arrow = text_[pos_ - 1] == '>';
      NodePtr member = make(NodeKind::kMember, arrow ? "->" : ".", std::move(node));
      KDP_TRY(member->text, member_name());
      node = std::move(member);
    } else {
      return node;
    }
  }
}

Expected<std::unique_ptr<Node>> Parser::primary() {
  skip_spaces();
  const char c = peek();
  if (c == '(') {
    ++pos_;
    KDP_TRY(NodePtr inner, assignment());
    if (!accept(")")) return syntax_error();
    return inner;
  }
  if (is_digit(c)) return number();
  if (c == '\'') return char_literal();
  if (c == '$') return dollar();
  if (is_name_start(c)) {
    NodePtr node = make(NodeKind::kSymbol);
    node->text = std::string(take_name());
    return node;
  }
  return syntax_error();
}

Expected<std::unique_ptr<Node>> Parser::number() {
  const size_t start = pos_;
  unsigned base = 10;
  if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
    base = 16;
    pos_ += 2;
  } else if (peek() == '0') {
    base = 8;  // C's octal, as gdb reads 010
  }
  const size_t digits_start = pos_;
  uint64_t value = 0;
  bool too_large = false;
  for (int d; !at_end() && (d = digit_value(peek())) >= 0 && d < static_cast<int>(base); ++pos_) {
    if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / base) too_large = true;
    value = value * base + static_cast<uint64_t>(d);
  }
  bool has_u = false, has_l = false;
  while (!at_end() && (peek() == 'u' || peek() == 'U' || peek() == 'l' || peek() == 'L')) {
    (peek() == 'u' || peek() == 'U' ? has_u : has_l) = true;
    ++pos_;
  }
  if ((pos_ == digits_start && base == 16) || (!at_end() && is_name_char(peek()))) {
    while (!at_end() && is_name_char(peek())) ++pos_;
    return usage_error("Invalid number \"" + std::string(text_.substr(start, pos_ - start)) + "\".");
  }
  if (too_large) return usage_error("Numeric constant too large.");
  NodePtr node = make(NodeKind::kNumber);
  node->number = value;
  // C's rule for the literal's type: the first of int, (unsigned int,) long, unsigned long that
  // holds it; unsigned int only for hex and octal.
  node->number_long = has_l || value > UINT32_MAX || (base == 10 && !has_u && value > INT32_MAX);
  node->number_unsigned = has_u || value > INT64_MAX || (base != 10 && !node->number_long && value > INT32_MAX);
  return node;
}

Expected<std::unique_ptr<Node>> Parser::char_literal() {
  ++pos_;  // '\''
  if (at_end()) return syntax_error();
  char c = text_[pos_++];
  if (c == '\\') {
    if (at_end()) return syntax_error();
    const char e = text_[pos_++];
    c = e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : e == 'r' ? '\r' : e;
  }
  if (peek() != '\'') return usage_error("Unmatched single quote.");
  ++pos_;
  NodePtr node = make(NodeKind::kNumber);
  node->number = static_cast<uint8_t>(c);
  return node;
}

Expected<std::unique_ptr<Node>> Parser::dollar() {
  ++pos_;  // '$'
  NodePtr node = make(NodeKind::kDollar);
  if (peek() == '$') {
    ++pos_;
    node->text = "$";
  }
  node->text += std::string(take_name());
  return node;
}

}  // namespace

Expected<std::unique_ptr<Node>> parse(std::string_view text, const TypeNameTest& is_type_name) {
  return Parser(text, is_type_name).run();
}

}  // namespace kdp::kgm::expr
