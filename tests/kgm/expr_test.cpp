// Address expressions: symbols, numbers, registers, dereference, + and - chains, errors.
#include <doctest/doctest.h>

#include <map>

#include "kgm/expr.h"
#include "tests/kgm/test_memory.h"
#include "macho/kernel_image.h"
#include "tools/fixtures/testkernel/testkernel_writer.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

const macho::KernelImage& image() {
  static const macho::KernelImage k = [] {
    auto written = macho::write_test_kernel(macho::minimal_kernel_spec());
    REQUIRE(written);
    auto loaded = macho::load_kernel_image_from_bytes(written->file, "min.kernel");
    REQUIRE(loaded);
    return std::move(*loaded);
  }();
  return k;
}

// kernproc (0xffffff8000204108) points at a proc at 0xffffff8000abc000.
const std::map<uint64_t, uint64_t> kMemory = {
    {0xffffff8000204108, 0xffffff8000abc000},
    {0xffffff8000abc010, 0xffffff8000def000},
};

test::FnMemory& memory() {
  static test::FnMemory m(test::words(kMemory));
  return m;
}

ExprContext context() {
  ExprContext c;
  c.symbols = &image().symbols();
  c.memory = &memory();
  c.read_register = [](std::string_view name) -> Expected<uint64_t> {
    if (name == "rip") return uint64_t{0xffffff8000201404};
    if (name == "rbp") return uint64_t{0xffffff8000e03f80};
    return usage_error("no register named '" + std::string(name) + "'");
  };
  return c;
}

uint64_t eval(std::string_view text) {
  auto v = evaluate_address(text, context());
  REQUIRE_MESSAGE(v, (v ? "" : v.error().message()));
  return *v;
}

std::string eval_error(std::string_view text, const ExprContext& c = context()) {
  auto v = evaluate_address(text, c);
  REQUIRE_FALSE(v);
  return v.error().message();
}

}  // namespace

TEST_CASE("symbols, numbers and registers") {
  CHECK(eval("kext_alloc") == 0xffffff8000201100);
  CHECK(eval("_kext_alloc") == 0xffffff8000201100);
  CHECK(eval("_mh_execute_header") == 0xffffff8000200000);
  CHECK(eval("0xffffff8000200000") == 0xffffff8000200000);
  CHECK(eval("0XFFFFFF8000200000") == 0xffffff8000200000);
  CHECK(eval("4096") == 4096);
  CHECK(eval("0") == 0);
  CHECK(eval("$rip") == 0xffffff8000201404);
}

TEST_CASE("+ and - chains, parentheses, spaces") {
  CHECK(eval("allproc+8") == 0xffffff8000204108);
  CHECK(eval("allproc + 8") == 0xffffff8000204108);
  CHECK(eval("_mh_execute_header+4") == 0xffffff8000200004);
  CHECK(eval("kalloc-0x100+0x10-1") == 0xffffff8000201200 - 0x100 + 0x10 - 1);
  CHECK(eval("(allproc)") == 0xffffff8000204100);
  CHECK(eval("(allproc+8)-(8)") == 0xffffff8000204100);
  CHECK(eval("$rbp+16") == 0xffffff8000e03f90);
  CHECK(eval("0-1") == 0xffffffffffffffff);  // wraps like the target's arithmetic
}

TEST_CASE("unary minus: -8 is 0xfffffffffffffff8, as gdb reads `x/8gx -8`") {
  CHECK(eval("-8") == 0xfffffffffffffff8);
  CHECK(eval("- 8") == 0xfffffffffffffff8);
  CHECK(eval("-0x10+8") == 0xfffffffffffffff8);     // binds tighter than binary +
  CHECK(eval("--8") == 8);
  CHECK(eval("allproc - -8") == 0xffffff8000204108);
  CHECK(eval("-(allproc)") == 0 - uint64_t{0xffffff8000204100});
  CHECK(eval("-*kernproc") == 0 - uint64_t{0xffffff8000abc000});
  CHECK(eval_error("-") == "unexpected end of expression at position 2 in '-'");
}

TEST_CASE("* reads a pointer and binds tighter than + and -") {
  CHECK(eval("*kernproc") == 0xffffff8000abc000);
  CHECK(eval("*kernproc+0x10") == 0xffffff8000abc010);
  CHECK(eval("*(*kernproc+0x10)") == 0xffffff8000def000);
  CHECK(eval("*(allproc+8)") == 0xffffff8000abc000);  // allproc+8 is kernproc
  CHECK(eval_error("**(allproc+8)") ==
        "**(allproc+8): reading 0xffffff8000abc000: Cannot access memory at address 0xffffff8000abc000");
}

TEST_CASE("errors say what was unknown or wrong, and where") {
  CHECK(eval_error("foo") == "no symbol named 'foo'");
  CHECK(eval_error("allproc+foo") == "no symbol named 'foo'");
  CHECK(eval_error("") == "empty address expression");
  CHECK(eval_error("   ") == "empty address expression");
  CHECK(eval_error("allproc+)") == "unexpected ')' at position 9 in 'allproc+)'");
  CHECK(eval_error("allproc+") == "unexpected end of expression at position 9 in 'allproc+'");
  CHECK(eval_error("(allproc") == "unexpected end of expression at position 9 in '(allproc'");
  CHECK(eval_error("allproc 8") == "unexpected '8' at position 9 in 'allproc 8'");
  CHECK(eval_error("0x") == "malformed number at position 1 in '0x'");
  CHECK(eval_error("12ab") == "malformed number at position 1 in '12ab'");
  CHECK(eval_error("0x1ffffffffffffffff") == "number '0x1ffffffffffffffff...' does not fit in 64 bits");
  CHECK(eval_error("$foo") == "no register named 'foo'");
  CHECK(eval_error("$") == "unexpected end of expression at position 2 in '$'");
  CHECK(eval_error("*allproc") ==
        "*allproc: reading 0xffffff8000204100: Cannot access memory at address 0xffffff8000204100");
  CHECK(eval_error(std::string(100, '(') + "1" + std::string(100, ')')) ==
        "address expression nests deeper than 64");
}

TEST_CASE("a failed read keeps its kind and fault address through the expression's context") {
  test::FnMemory failing(test::words(kMemory));
  failing.failure = Error(ErrorKind::kTimeout, "no reply to KDP_READMEM64").with_fault_address(0xffffff8000204108);
  ExprContext c = context();
  c.memory = &failing;
  auto v = evaluate_address("*kernproc", c);
  REQUIRE_FALSE(v);
  CHECK(v.error().kind() == ErrorKind::kTimeout);
  CHECK(v.error().fault_address() == 0xffffff8000204108);
  CHECK(v.error().message() == "*kernproc: reading 0xffffff8000204108: no reply to KDP_READMEM64");
  auto unmapped = evaluate_address("*(*kernproc+8)", context());
  REQUIRE_FALSE(unmapped);
  CHECK(unmapped.error().kind() == ErrorKind::kNotFound);
  CHECK(unmapped.error().fault_address() == 0xffffff8000abc008);
}

TEST_CASE("without a target or a kernel file the error says what is missing") {
  ExprContext none;
  CHECK(eval_error("kext_alloc", none) == "no symbol named 'kext_alloc' (no kernel file loaded)");
  CHECK(eval_error("*0x1000", none) == "*0x1000: reading memory needs a connected target or a core file");
  CHECK(eval_error("$rip", none) == "$rip: registers need a connected target or a core file");
  auto v = evaluate_address("0x1000+0x10", none);
  REQUIRE(v);
  CHECK(*v == 0x1010);
}
