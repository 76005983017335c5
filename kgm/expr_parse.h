// The syntax of kgm expressions (kgm/expr.h): C's expression grammar as gdb parses it, into a
// tree the evaluator walks. Precedence, lowest first: `=`, `||`, `&&`, `|`, `^`, `&`, `== !=`,
// `< > <= >=`, `<< >>`, `+ -`, `* / %`, unary (`- + ! ~ * & sizeof` and casts), postfix
// (`[] . ->`). Type names inside casts and sizeof are kept as text for the evaluator to resolve.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kdp/base/error.h"

namespace kdp::kgm::expr {

enum class NodeKind {
  kNumber,      // number (with its C type decided by the parser: int, long, unsigned ...)
  kSymbol,      // name
  kDollar,      // $rip, $1, $, $$2, $p: `text` is what follows the '$'
  kUnary,       // op: - + ! ~ * &
  kBinary,      // op: + - * / % << >> < > <= >= == != & ^ | && ||
  kAssign,      // a = b
  kMember,      // a.name (op ".") or a->name (op "->")
  kIndex,       // a[b]
  kCast,        // (type_text) a
  kSizeofType,  // sizeof(type_text)
  kSizeofExpr,  // sizeof a
};

struct Node {
  NodeKind kind = NodeKind::kNumber;
  std::string op;
  std::string text;  // symbol, member, dollar name, type name
  uint64_t number = 0;
  bool number_unsigned = false;  // the literal's C type: int/long, unsigned when it needs it or says so
  bool number_long = false;
  std::unique_ptr<Node> a;
  std::unique_ptr<Node> b;
};

// `is_type_name` says whether a word starts a type name (struct, int, uint64_t ...), which tells a
// cast "(int)x" from a parenthesised expression "(x)". kUsage errors in gdb's words: "A syntax
// error in expression, near `)'."
using TypeNameTest = std::function<bool(std::string_view word)>;
Expected<std::unique_ptr<Node>> parse(std::string_view text, const TypeNameTest& is_type_name);

}  // namespace kdp::kgm::expr
