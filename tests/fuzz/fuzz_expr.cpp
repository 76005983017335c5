// Fuzz target for kgm expressions (kgm/expr.h) and print's rendering of their values
// (kgm/expr_print.h), over the built-in xnu-1699 layouts and a few typed kernel symbols. Properties
// checked on every input:
//   * evaluate() returns a value or an error, never crashes (deep nesting included), and so does
//     printing the value;
//   * when "X" evaluates to a scalar v, "(X)" and "(X)+0" evaluate to v too.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kgm/expr.h"
#include "kgm/expr_print.h"
#include "kgm/globals.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/memory_read.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

constexpr char kVersion[] =
    "Darwin Kernel Version 11.3.0: Thu Jan 12 18:47:41 PST 2012; root:xnu-1699.24.23~1/RELEASE_X86_64";

// Every address is readable except those divisible by 3; a byte's value mixes its address.
class FuzzMemory final : public Memory {
 public:
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override {
    Bytes out;
    for (uint64_t a = address; out.size() < size && a % 3 != 0; ++a)
      out.push_back(static_cast<uint8_t>((a * 0x9e3779b97f4a7c15ULL) >> 56));
    return out;
  }
  Expected<Bytes> read(uint64_t address, uint64_t size) override {
    KDP_TRY(Bytes partial, read_partial(address, size));
    return require_all(std::move(partial), address, size);
  }
  uint64_t max_request() const override { return 1024; }
  MemoryStats stats() const override { return {}; }
  std::string source() const override { return "fuzz"; }
};

const TypeModel* fuzz_types() {
  static const std::optional<TypeModel> model = [] {
    auto m = builtin_types_for(kVersion);
    return m ? std::optional<TypeModel>(std::move(*m)) : std::nullopt;
  }();
  return model ? &*model : nullptr;
}

ExprContext fuzz_context() {
  static FuzzMemory memory;
  static const MapSymbolSource symbols({{"kext_alloc", 0xffffff8000201100}, {"kernproc", 0xffffff8000204108},
                                        {"kernel_task", 0xffffff8000204110}, {"tasks", 0xffffff8000204120},
                                        {"allproc", 0xffffff8000204101}});
  ExprContext c;
  c.memory = &memory;
  c.symbols = &symbols;
  c.types = fuzz_types;
  c.symbol_type = [](std::string_view name, uint64_t address) -> std::optional<TypeRef> {
    if (address == 0xffffff8000201100) {
      TypeRef f;
      f.kind = TypeKind::kFunction;
      f.size = 1;
      return f;
    }
    return declared_global_type(name, fuzz_types());
  };
  c.read_register = [](std::string_view name) -> Expected<uint64_t> {
    if (name == "rip") return uint64_t{0xffffff8000201404};
    if (name == "rsp") return uint64_t{0xffffff8000e03f01};
    return usage_error("no register named '" + std::string(name) + "'");
  };
  return c;
}

bool is_scalar_value(const ExprValue& v) {
  return v.type.kind == TypeKind::kInteger || v.type.kind == TypeKind::kChar || v.type.kind == TypeKind::kEnum ||
         v.type.kind == TypeKind::kPointer || v.type.kind == TypeKind::kBool;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ExprContext context = fuzz_context();
  std::string text(reinterpret_cast<const char*>(data), size);
  auto value = evaluate(text, context);
  if (!value) return 0;
  DecodeOptions options;
  options.memory = context.memory;
  options.symbols = context.symbols;
  options.max_depth = 2;
  for (char format : {'\0', 'x', 'd', 'c', 'a', 't', 'o', 'z'}) (void)print_value(*value, format, context, options);
  if (!is_scalar_value(*value)) return 0;
  auto wrapped = evaluate("(" + text + ")", context);
  auto plus_zero = evaluate("(" + text + ")+0", context);
  const bool nesting_limit = !wrapped && wrapped.error().message().find("nests deeper") != std::string::npos;
  if (nesting_limit) return 0;
  // A pointer keeps its bits; an integer its value (promotion may widen its type).
  auto same = [&](const Expected<ExprValue>& other) {
    if (!other) return false;
    if (value->type.kind == TypeKind::kPointer) return other->bits == value->bits;
    auto a = value_as_signed(*value), b = value_as_signed(*other);
    return a && b && *a == *b;
  };
  if (!same(wrapped) || !same(plus_zero)) {
    std::fprintf(stderr, "fuzz_expr: '%s' = %llx but its variants disagree\n", text.c_str(),
                 static_cast<unsigned long long>(value->bits));
    std::abort();
  }
  return 0;
}
