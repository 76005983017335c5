// Fuzz target for kgm address expressions. Properties checked on every input:
//   * evaluate_address() returns a value or an error, never crashes (deep nesting included);
//   * when "X" evaluates to v, "(X)" and "X+0" evaluate to v too.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kgm/expr.h"
#include "kgm/memory_read.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

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

ExprContext fuzz_context() {
  static FuzzMemory memory;
  ExprContext c;
  c.memory = &memory;
  c.read_register = [](std::string_view name) -> Expected<uint64_t> {
    if (name == "rip") return uint64_t{0xffffff8000201404};
    return usage_error("no register named '" + std::string(name) + "'");
  };
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ExprContext context = fuzz_context();
  std::string text(reinterpret_cast<const char*>(data), size);
  auto value = evaluate_address(text, context);
  if (!value) return 0;
  auto wrapped = evaluate_address("(" + text + ")", context);
  auto plus_zero = evaluate_address(text + "+0", context);
  bool nesting_limit = wrapped.has_value() == false &&
                       wrapped.error().message().find("nests deeper") != std::string::npos;
  if ((!wrapped && !nesting_limit) || (wrapped && *wrapped != *value) || !plus_zero || *plus_zero != *value) {
    std::fprintf(stderr, "fuzz_expr: '%s' = %llx but its variants disagree\n", text.c_str(),
                 static_cast<unsigned long long>(*value));
    std::abort();
  }
  return 0;
}
