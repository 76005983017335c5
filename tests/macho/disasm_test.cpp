// Disassembly records and gdb `x/i` lines over the test kernel's real code.
#include <doctest/doctest.h>

#include "macho/disasm.h"
#include "test_kernels.h"

using namespace kdp;
using namespace kdp::macho;
using namespace kdp::macho::testing;

namespace {

ByteView text_at(const TestKernel& k, uint64_t address, size_t size) {
  return ByteView(k.text).subspan(address - k.text_address, size);
}

}  // namespace

TEST_CASE("kext_alloc disassembles with symbolicated call targets, in AT&T syntax by default") {
  const TestKernel& k = lion_kernel();
  const SymbolIndex& symbols = lion_image().symbols();
  auto insns = disassemble(text_at(k, 0xffffff80002a5180, 32), 0xffffff80002a5180, 5, &symbols);
  REQUIRE(insns);
  REQUIRE(insns->size() == 5);
  const Instruction& call = (*insns)[2];
  CHECK(call.mnemonic == "callq");
  CHECK(call.target_kind == Instruction::TargetKind::kBranch);
  CHECK(call.target == 0xffffff8000226740);
  CHECK(call.target_symbol == "kalloc");
  CHECK(call.bytes.size() == 5);
  // AT&T as gdb prints it: size suffixes, %registers, source before destination, no space after
  // the comma.
  CHECK(render_instructions(*insns, 0xffffff80002a5184) ==
        "   0xffffff80002a5180 <kext_alloc>:\tpushq  %rbp\n"
        "   0xffffff80002a5181 <kext_alloc+0x1>:\tmovq   %rsp,%rbp\n"
        "=> 0xffffff80002a5184 <kext_alloc+0x4>:\tcallq  0xffffff8000226740 <kalloc>\n"
        "   0xffffff80002a5189 <kext_alloc+0x9>:\tpopq   %rbp\n"
        "   0xffffff80002a518a <kext_alloc+0xa>:\tretq\n");
}

TEST_CASE("Intel syntax on request (gdb's set disassembly-flavor intel)") {
  const TestKernel& k = lion_kernel();
  const SymbolIndex& symbols = lion_image().symbols();
  auto insns = disassemble(text_at(k, 0xffffff80002a5180, 32), 0xffffff80002a5180, 5, &symbols, Syntax::kIntel);
  REQUIRE(insns);
  CHECK(render_instructions(*insns, 0xffffff80002a5184) ==
        "   0xffffff80002a5180 <kext_alloc>:\tpush   rbp\n"
        "   0xffffff80002a5181 <kext_alloc+0x1>:\tmov    rbp, rsp\n"
        "=> 0xffffff80002a5184 <kext_alloc+0x4>:\tcall   0xffffff8000226740 <kalloc>\n"
        "   0xffffff80002a5189 <kext_alloc+0x9>:\tpop    rbp\n"
        "   0xffffff80002a518a <kext_alloc+0xa>:\tret\n");
}

TEST_CASE("AT&T memory operands: displacement(base,index,scale) without spaces, immediates with $") {
  // movl $0x0, -0x18(%rbp) (the seed's `movl $0x00000000,0xe8(%rbp)`) and
  // lea 0x8(%rax,%rbx,4), %rcx, encoded by hand.
  const Bytes code = {0xc7, 0x45, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x48, 0x8d, 0x4c, 0x98, 0x08};
  auto insns = disassemble(code, 0x1000, 2, nullptr);
  REQUIRE(insns);
  REQUIRE(insns->size() == 2);
  CHECK(render_instruction((*insns)[0]) == "   0x1000:\tmovl   $0,-0x18(%rbp)");
  CHECK(render_instruction((*insns)[1]) == "   0x1007:\tleaq   8(%rax,%rbx,4),%rcx");
}

TEST_CASE("the int3 in Debugger and calls into the middle of functions") {
  const TestKernel& k = lion_kernel();
  const SymbolIndex& symbols = lion_image().symbols();
  auto insns = disassemble(text_at(k, 0xffffff80002c5c40, 8), 0xffffff80002c5c40, 4, &symbols);
  REQUIRE(insns);
  CHECK((*insns)[2].mnemonic == "int3");
  CHECK(render_instruction((*insns)[2]) == "   0xffffff80002c5c44 <Debugger+0x4>:\tint3");
  // call kalloc+0x8 (a target in the middle of a function), encoded by hand: rel32 = 0.
  const Bytes call = {0xe8, 0x00, 0x00, 0x00, 0x00};
  auto mid = disassemble(call, 0xffffff8000226748 - 5, 1, &symbols);
  REQUIRE(mid);
  CHECK((*mid)[0].target_symbol == "kalloc+0x8");
  CHECK(render_instruction((*mid)[0]) ==
        "   0xffffff8000226743 <kalloc+0x3>:\tcallq  0xffffff8000226748 <kalloc+0x8>");
}

TEST_CASE("rip-relative operands get gdb's '# address <symbol>' comment") {
  const SymbolIndex& symbols = lion_image().symbols();
  // mov rax, qword ptr [rip + disp] at 0xffffff80002a5000, disp chosen to reach allproc.
  uint64_t at = 0xffffff80002a5000;
  uint32_t disp = static_cast<uint32_t>(0xffffff80008d9e40 - (at + 7));
  ByteWriter w;
  w.bytes(Bytes{0x48, 0x8b, 0x05});
  w.u32(disp);
  auto insns = disassemble(w.data(), at, 1, &symbols);
  REQUIRE(insns);
  CHECK((*insns)[0].target_kind == Instruction::TargetKind::kMemory);
  CHECK((*insns)[0].target == 0xffffff80008d9e40);
  CHECK(render_instruction((*insns)[0]).ends_with("\t# 0xffffff80008d9e40 <allproc>"));
}

TEST_CASE("undecodable bytes become (bad) and the walk continues") {
  const Bytes bytes = {0x06, 0x90, 0x48};  // push es (invalid in 64-bit mode), nop, lone REX
  auto insns = disassemble(bytes, 0x1000, 10, nullptr);
  REQUIRE(insns);
  REQUIRE(insns->size() == 3);
  CHECK((*insns)[0].mnemonic == "(bad)");
  CHECK((*insns)[1].mnemonic == "nop");
  CHECK((*insns)[2].mnemonic == "(bad)");
  CHECK((*insns)[2].address == 0x1002);
  CHECK(render_instruction((*insns)[0]) == "   0x1000:\t(bad)");
}

TEST_CASE("count limits the output; no bytes gives no instructions") {
  const Bytes nops(16, 0x90);
  CHECK(disassemble(nops, 0x1000, 3, nullptr)->size() == 3);
  CHECK(disassemble(ByteView{}, 0x1000, 3, nullptr)->empty());
}
