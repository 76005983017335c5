// Expressions with gdb's value semantics over the built-in xnu-1699 layouts. Expected values are
// computed here by hand from xnu-layouts.md's offsets (proc.p_pid 0x10, proc.task 0x18,
// proc.p_comm 0x2cc, sizeof(struct proc) 0x440, task.bsd_info 0x2d8) and C's rules, never taken
// from the evaluator.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "kgm/expr.h"
#include "kgm/globals.h"
#include "kgm/layouts_xnu1699.h"
#include "tests/kgm/test_memory.h"
#include "tools/fixtures/testkernel/testkernel_writer.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

constexpr uint64_t kKextAlloc = 0xffffff8000201100;    // code
constexpr uint64_t kAllproc = 0xffffff8000204100;
constexpr uint64_t kKernproc = 0xffffff8000204108;     // struct proc *kernproc
constexpr uint64_t kKernelTask = 0xffffff8000204110;   // struct task *kernel_task
constexpr uint64_t kAllocBase = 0xffffff8000204118;    // untyped
constexpr uint64_t kProc = 0xffffff8000abc000;
constexpr uint64_t kTask = 0xffffff8000def000;
constexpr uint64_t kStack = 0xffffff8000e03f00;

class Bytes64 {
 public:
  void u64(uint64_t a, uint64_t v) { put(a, v, 8); }
  void u32(uint64_t a, uint32_t v) { put(a, v, 4); }
  void str(uint64_t a, std::string_view s) {
    for (size_t i = 0; i < s.size(); ++i) bytes_[a + i] = static_cast<uint8_t>(s[i]);
    bytes_[a + s.size()] = 0;
  }
  std::optional<uint8_t> at(uint64_t a) const {
    auto it = bytes_.find(a);
    if (it == bytes_.end()) return std::nullopt;
    return it->second;
  }

 private:
  void put(uint64_t a, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_[a + i] = static_cast<uint8_t>(v >> (8 * i));
  }
  std::map<uint64_t, uint8_t> bytes_;
};

const Bytes64& kernel_bytes() {
  static const Bytes64 b = [] {
    Bytes64 m;
    m.u64(kAllproc, kProc);
    m.u64(kKernproc, kProc);
    m.u64(kKernelTask, kTask);
    m.u64(kAllocBase, 0xffffff7f80000000);
    for (uint64_t off = 0; off < 0x440; off += 8) m.u64(kProc + off, 0);  // the whole struct proc
    m.u32(kProc + 0x10, 42);             // p_pid
    m.u64(kProc + 0x18, kTask);          // task
    m.u64(kProc + 0x20, kProc);          // p_pptr: its own parent, as kernproc
    m.str(kProc + 0x2cc, "launchd");     // p_comm
    m.u64(kTask + 0x2d8, kProc);         // bsd_info
    m.u64(kStack, 0x1122334455667788);
    m.u64(kStack + 8, kKextAlloc + 0x10);
    return m;
  }();
  return b;
}

test::FnMemory& memory() {
  static test::FnMemory m([](uint64_t a) { return kernel_bytes().at(a); });
  return m;
}

const TypeModel& types() {
  static const TypeModel model = [] {
    auto m = builtin_types_for(macho::kLionVersion);
    REQUIRE(m);
    return std::move(*m);
  }();
  return model;
}

const MapSymbolSource& symbols() {
  static const MapSymbolSource s({{"kext_alloc", kKextAlloc}, {"allproc", kAllproc}, {"kernproc", kKernproc},
                                  {"kernel_task", kKernelTask}, {"kext_alloc_base", kAllocBase}});
  return s;
}

ExprContext context() {
  ExprContext c;
  c.symbols = &symbols();
  c.memory = &memory();
  c.types = [] { return &types(); };
  c.symbol_type = [](std::string_view name, uint64_t address) -> std::optional<TypeRef> {
    if (address == kKextAlloc) {
      TypeRef f;
      f.kind = TypeKind::kFunction;
      f.size = 1;
      return f;
    }
    return declared_global_type(name, &types());
  };
  c.read_register = [](std::string_view name) -> Expected<uint64_t> {
    if (name == "rip") return kKextAlloc + 4;
    if (name == "rsp") return kStack;
    if (name == "rbp") return kStack + 0x80;
    if (name == "rax") return uint64_t{0xfffffffffffffffe};
    if (name == "rflags") return uint64_t{0x246};
    return usage_error("no register named '" + std::string(name) + "'");
  };
  return c;
}

ExprValue value(std::string_view text, const ExprContext& c = context()) {
  auto v = evaluate(text, c);
  REQUIRE_MESSAGE(v, (v ? "" : v.error().message()));
  return *v;
}

int64_t number(std::string_view text, const ExprContext& c = context()) {
  auto n = value_as_signed(value(text, c));
  REQUIRE_MESSAGE(n, (n ? "" : n.error().message()));
  return *n;
}

uint64_t address(std::string_view text, const ExprContext& c = context()) {
  auto a = evaluate_address(text, c);
  REQUIRE_MESSAGE(a, (a ? "" : a.error().message()));
  return *a;
}

std::string type_of(std::string_view text) { return type_text(value(text).type, context()); }

std::string error(std::string_view text, const ExprContext& c = context()) {
  auto v = evaluate(text, c);
  REQUIRE_FALSE(v);
  return v.error().message();
}

}  // namespace

TEST_CASE("a symbol is an lvalue of its declared type: a cast applies to its value") {
  // The wrong answer this replaces: `*(struct proc *)kernproc` read the 8-byte variable itself.
  ExprValue proc = value("*(struct proc *)kernproc");
  CHECK(type_text(proc.type, context()) == "struct proc");
  CHECK(proc.place == ExprValue::Place::kMemory);
  CHECK(proc.address == kProc);
  CHECK(value("*kernproc").address == kProc);
  CHECK(number("kernproc->p_pid") == 42);
  CHECK(type_of("kernproc->p_pid") == "int");
  CHECK(number("(*kernproc).p_pid") == 42);
  CHECK(number("kernproc.p_pid") == 42);  // gdb takes . through a pointer too
  CHECK(type_of("kernproc") == "struct proc *");
  CHECK(value("kernproc").bits == kProc);
  CHECK(value("&kernproc").bits == kKernproc);
  CHECK(type_of("&kernproc") == "struct proc **");
  CHECK(number("kernproc->p_comm[0]") == 'l');
  CHECK(value("kernproc->p_comm").address == kProc + 0x2cc);
  CHECK(address("kernproc->p_comm") == kProc + 0x2cc);  // an array is its address
  CHECK(value("kernproc->task").bits == kTask);          // void * in the layouts
  CHECK(value("kernel_task->bsd_info").bits == kProc);
  CHECK(number("((struct proc *)kernel_task->bsd_info)->p_pid") == 42);
  CHECK(number("kernproc->p_pptr->p_pptr->p_pid") == 42);
  CHECK(value("&kernproc->p_pid").bits == kProc + 0x10);
}

TEST_CASE("an untyped symbol is an unsigned long lvalue; a function is its address") {
  ExprContext untyped = context();
  untyped.symbol_type = nullptr;
  CHECK(value("kernproc", untyped).bits == kProc);
  CHECK(type_text(value("kernproc", untyped).type, untyped) == "unsigned long");
  CHECK(value("*(struct proc *)kernproc", untyped).address == kProc);
  CHECK(number("((struct proc *)kernproc)->p_pid", untyped) == 42);
  CHECK(address("kext_alloc_base") == 0xffffff7f80000000);
  CHECK(address("&kext_alloc_base") == kAllocBase);
  CHECK(address("kernel_task") == kTask);  // showtask kernel_task: the task, not the variable
  CHECK(address("kext_alloc") == kKextAlloc);
  CHECK(address("kext_alloc+4") == kKextAlloc + 4);
  CHECK(address("&kext_alloc") == kKextAlloc);
  CHECK(address("*kext_alloc") == kKextAlloc);
  // `*` of an integer reads an address-sized word there (kdpctl's habit; gdb reads an int).
  CHECK(address("*&kernproc") == kProc);
  CHECK(address("*(&kernproc)") == kProc);
}

TEST_CASE("C's precedence, literal types, promotions and integer arithmetic") {
  CHECK(number("1 + 2 * 3") == 7);
  CHECK(number("(1 + 2) * 3") == 9);
  CHECK(number("10 - 4 - 3") == 3);
  CHECK(number("7 / -2") == -3);
  CHECK(number("-7 % 3") == -1);
  CHECK(number("1 << 4 | 1") == 17);
  CHECK(number("6 & 3 ^ 1") == 3);  // & binds tighter than ^
  CHECK(number("2 < 3 == 1") == 1);
  CHECK(number("3 > 2 && 0") == 0);
  CHECK(number("0 || 5") == 1);
  CHECK(number("!0") == 1);
  CHECK(number("~0") == -1);
  CHECK(number("010") == 8);
  CHECK(number("'a'") == 97);
  CHECK(number("-1 < 0u") == 0);  // -1 converts to unsigned int
  CHECK(number("-1 < 0") == 1);
  CHECK(number("-1L < 1") == 1);
  CHECK(type_of("0x7fffffff") == "int");
  CHECK(type_of("0xffffffff") == "unsigned int");
  CHECK(type_of("4294967296") == "long");
  CHECK(type_of("2147483648") == "long");
  CHECK(type_of("1 + 1UL") == "unsigned long");
  CHECK(type_of("'a' + 'b'") == "int");
  CHECK(number("(char)300") == 44);
  CHECK(number("(unsigned char)-1") == 255);
  CHECK(number("(short)0x18000") == -32768);
  CHECK(number("0xffffffff + 1") == 0);  // unsigned int wraps
  CHECK(number("2147483647 + 1") == -2147483648LL);
  CHECK(address("0x10+8") == 0x18);
  CHECK(address("-8") == 0xfffffffffffffff8);  // gdb's `x/8gx -8`
  CHECK(address("0-1") == 0xffffffffffffffff);
  CHECK(number("sizeof(struct proc)") == 0x440);
  CHECK(number("sizeof(struct task)") == 0x388);
  CHECK(number("sizeof(int)") == 4);
  CHECK(number("sizeof(char *)") == 8);
  CHECK(number("sizeof kernproc->p_comm") == 17);
  CHECK(type_of("sizeof(int)") == "unsigned long");
}

TEST_CASE("sizeof reads nothing; && and || do not evaluate what they do not need") {
  test::FnMemory failing([](uint64_t) { return std::nullopt; });
  failing.failure = Error(ErrorKind::kTimeout, "no reply");
  ExprContext c = context();
  c.memory = &failing;
  c.symbol_type = [](std::string_view name, uint64_t) { return declared_global_type(name, &types()); };
  CHECK(number("sizeof kernproc->p_pid", c) == 4);
  CHECK(number("sizeof(*kernproc)", c) == 0x440);
  CHECK(number("0 && *(int *)0", context()) == 0);
  CHECK(number("1 || *(int *)0", context()) == 1);
  CHECK(failing.calls == 0);
}

TEST_CASE("pointer arithmetic scales by the target's size") {
  CHECK(value("kernproc + 1").bits == kProc + 0x440);
  CHECK(value("(char *)kernproc + 1").bits == kProc + 1);
  CHECK(value("&kernproc[2]").bits == kProc + 0x880);
  CHECK(value("(int *)0x1000 + 3").bits == 0x100c);
  CHECK(value("3 + (int *)0x1000").bits == 0x100c);
  CHECK(value("(long *)0x1000 - 1").bits == 0xff8);
  CHECK(number("(long *)0x1010 - (long *)0x1000") == 2);
  CHECK(value("(void *)0x1000 + 1").bits == 0x1001);
  CHECK(number("kernproc == kernproc->p_pptr") == 1);
  CHECK(number("kernproc != 0") == 1);
  CHECK(number("(struct proc *)0 < kernproc") == 1);
  CHECK(value("&kernproc->p_comm[3]").bits == kProc + 0x2cc + 3);
  CHECK(number("kernproc->p_comm[1] - 'a'") == 0);
}

TEST_CASE("registers: $pc $sp $fp $rip $eflags with gdb's types") {
  CHECK(address("$pc") == kKextAlloc + 4);
  CHECK(address("$rip-5") == kKextAlloc - 1);
  CHECK(type_of("$pc") == "void (*)()");
  CHECK(type_of("$sp") == "void *");
  CHECK(address("$sp") == kStack);
  CHECK(address("$fp") == kStack + 0x80);
  CHECK(number("$rax") == -2);
  CHECK(type_of("$rax") == "long");
  CHECK(number("$eflags") == 0x246);
  CHECK(number("*(long *)$sp") == 0x1122334455667788);
  CHECK(address("((void **)$sp)[1]") == kKextAlloc + 0x10);
  CHECK(address("$pc + 1") == kKextAlloc + 5);  // a code pointer steps by 1, as gdb's
}

TEST_CASE("errors read like gdb's") {
  CHECK(error("kernproc->p_pidd") == "There is no member named p_pidd.");
  CHECK(error("foo") == "No symbol \"foo\" in current context.");
  CHECK(error("1 +") == "A syntax error in expression, near `'.");
  CHECK(error("kernproc->") == "A syntax error in expression, near `'.");
  CHECK(error("(1 + 2") == "A syntax error in expression, near `'.");
  CHECK(error("1 2") == "A syntax error in expression, near `2'.");
  CHECK(error("allproc+)") == "A syntax error in expression, near `)'.");
  CHECK(error("1 / 0") == "Division by zero");
  CHECK(error("1 % 0") == "Division by zero");
  CHECK(error("*(struct nosuch *)0") == "No struct type named nosuch.");
  CHECK(error("kext_alloc_base.x") == "Attempt to extract a component of a value that is not a structure.");
  CHECK(error("(struct proc)1") == "Invalid cast.");
  CHECK(error("&1") == "Attempt to take address of value not located in memory.");
  CHECK(error("*(void *)0x10") == "Attempt to take contents of a non-pointer value.");
  CHECK(error("12ab") == "Invalid number \"12ab\".");
  CHECK(error("0x") == "Invalid number \"0x\".");
  CHECK(error("0x1ffffffffffffffff") == "Numeric constant too large.");
  CHECK(error("") == "Argument required (expression to compute).");
  CHECK(error("$1") == "History has not yet reached $1.");
  CHECK(error("$") == "History is empty.");
  CHECK(error(std::string(100, '(') + "1" + std::string(100, ')')) == "expression nests deeper than 64");
  CHECK(error(std::string(100, '-') + "1") == "expression nests deeper than 64");
  auto whole = evaluate_address("*kernproc", context());
  REQUIRE_FALSE(whole);
  CHECK(whole.error().message() == "Value can't be converted to integer.");
  CHECK(error("kernproc = 0") == "Assignments need `set var EXPR = VALUE`.");
}

TEST_CASE("a failed read keeps its kind and fault address") {
  auto wild = evaluate("((struct proc *)0x10)->p_pid", context());
  REQUIRE_FALSE(wild);
  CHECK(wild.error().kind() == ErrorKind::kNotFound);
  CHECK(wild.error().fault_address() == 0x20);
  test::FnMemory failing([](uint64_t a) { return kernel_bytes().at(a); });
  failing.failure = Error(ErrorKind::kTimeout, "no reply to KDP_READMEM64").with_fault_address(kKernproc);
  ExprContext c = context();
  c.memory = &failing;
  auto v = evaluate("kernproc", c);
  REQUIRE_FALSE(v);
  CHECK(v.error().kind() == ErrorKind::kTimeout);
  CHECK(v.error().fault_address() == kKernproc);
}

TEST_CASE("without a target or a kernel file the error says what is missing") {
  ExprContext none;
  CHECK(error("kext_alloc", none).starts_with("No symbol table is loaded"));
  CHECK(error("*(long *)0x1000", none).find("reading memory needs a connected target or a core file") !=
        std::string::npos);
  CHECK(error("$rip", none) == "$rip: registers need a connected target or a core file");
  CHECK(address("0x1000+0x10", none) == 0x1010);
  CHECK(number("sizeof(long)", none) == 8);
}

TEST_CASE("value history and convenience variables come from the caller") {
  ExprContext c = context();
  c.variable = [](std::string_view name) -> std::optional<ExprValue> {
    ExprValue v;
    if (name == "1" || name == "") {  // $1, the last value: kernproc's proc
      v.type = *declared_global_type("kernproc", &types());
      v.bits = kProc;
      return v;
    }
    if (name == "p") {
      v.type = *declared_global_type("kernel_task", &types());
      v.bits = kTask;
      v.place = ExprValue::Place::kVariable;
      v.name = "p";
      return v;
    }
    return std::nullopt;
  };
  CHECK(number("$1->p_pid", c) == 42);
  CHECK(number("$->p_pid + 1", c) == 43);
  CHECK(value("$p->bsd_info", c).bits == kProc);
  CHECK(error("$2", c) == "History has not yet reached $2.");
  CHECK(value("$unset", c).type.kind == TypeKind::kVoid);
}

TEST_CASE("assignment converts to the target's type and hands the store to the caller") {
  std::vector<std::pair<ExprValue, ExprValue>> stores;
  ExprContext c = context();
  c.assign = [&stores](const ExprValue& target, const ExprValue& v) -> Status {
    stores.emplace_back(target, v);
    return {};
  };
  value("kernproc->p_pid = 0x100000007", c);
  REQUIRE(stores.size() == 1);
  CHECK(stores[0].first.address == kProc + 0x10);
  CHECK(stores[0].second.type.size == 4);
  CHECK(stores[0].second.bits == 7);  // truncated to the int it is stored in
  value("$x = kernproc", c);
  REQUIRE(stores.size() == 2);
  CHECK(stores[1].first.place == ExprValue::Place::kVariable);
  CHECK(stores[1].first.name == "x");
  CHECK(type_text(stores[1].second.type, c) == "struct proc *");
  value("$rip = $rip + 1", c);
  REQUIRE(stores.size() == 3);
  CHECK(stores[2].first.place == ExprValue::Place::kRegister);
  CHECK(stores[2].second.bits == kKextAlloc + 5);
  auto constant = evaluate("1 = 2", c);
  REQUIRE_FALSE(constant);
  CHECK(constant.error().message() == "Left operand of assignment is not an lvalue.");
}

TEST_CASE("type names in casts: C keywords, the kernel's typedefs") {
  CHECK(type_of("(unsigned long)1") == "unsigned long");
  CHECK(type_of("(unsigned)1") == "unsigned int");
  CHECK(type_of("(long long)1") == "long");
  CHECK(type_of("(uint64_t)1") == "uint64_t");
  CHECK(type_of("(task_t)0") == "struct task *");
  CHECK(type_of("(struct proc **)0") == "struct proc **");
  CHECK(type_of("(const char *)0") == "char *");
}
