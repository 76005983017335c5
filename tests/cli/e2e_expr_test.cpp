// gdb's expressions end to end: the real kdpctl over fixture worlds written by the test, offline
// (--core and --kernel). Expected values come from the world builder's record (its WorldModel:
// where kernproc's and launchd's procs are, their pids and names, the globals' addresses) and
// gdb's documented print and error texts, never from kdpctl's renderers.
#include <doctest/doctest.h>

#include "tests/cli/world_support.h"

using namespace kdp::cli::test;

namespace {

uint64_t global(const kdp::world::WorldModel& m, const std::string& name) {
  for (const auto& g : m.globals)
    if (g.name == name) return g.address;
  FAIL("the world has no global " << name);
  return 0;
}

struct WorldRun {
  std::unique_ptr<WorldFiles> world;
  Kdpctl kdpctl;
  explicit WorldRun(uint64_t seed) : world(make_world({.procs = 12, .seed = seed})) {}
  ProcessResult run(std::vector<std::string> args) const {
    const std::vector<std::string> files = {"--core", world->core(), "--kernel", world->kernel()};
    args.insert(args.begin(), files.begin(), files.end());
    return kdpctl.run(args);
  }
  const kdp::world::WorldModel& model() const { return world->model(); }
};

}  // namespace

TEST_CASE("print '*(struct proc *)kernproc' prints kernproc's proc, not the variable") {
  if (!binaries_available()) return;
  WorldRun w(21);
  const auto& m = w.model();
  ProcessResult kernel = w.run({"print", "*(struct proc *)kernproc"});
  INFO(kernel.err);
  REQUIRE(kernel.exit_code == 0);
  CHECK(kernel.out.starts_with("$1 = {\n  p_list = {\n"));
  CHECK(kernel.out.find("\n  p_pid = 0,\n") != std::string::npos);
  CHECK(kernel.out.find("\n  p_comm = \"kernel_task\\000\\000\\000\\000\\000\",\n") != std::string::npos);
  ProcessResult launchd = w.run({"print", "*(struct proc *)initproc"});
  CHECK(launchd.out.find("\n  p_pid = 1,\n") != std::string::npos);
  CHECK(launchd.out.find("\n  p_comm = \"launchd") != std::string::npos);
  CHECK(w.run({"print", "*kernproc"}).out.substr(4) == kernel.out.substr(4));
  ProcessResult json = w.run({"--json", "print", "*initproc"});
  CHECK(json.out.starts_with("{\"history\":4,\"type\":\"struct proc\",\"address\":\"" + hex_of(m.initproc) + "\",\"value\":{"));
}

TEST_CASE("print EXPR: members, pointers with their type, registers, formats, history, variables") {
  if (!binaries_available()) return;
  WorldRun w(22);
  const auto& m = w.model();
  const kdp::world::ProcModel* launchd = m.proc_at(m.initproc);
  REQUIRE(launchd);
  CHECK(w.run({"print", "kernproc->p_pid"}).out == "$1 = 0\n");
  CHECK(w.run({"print", "initproc->p_pid"}).out == "$2 = 1\n");
  CHECK(w.run({"print", "initproc->p_ppid", "+", "1"}).out == "$3 = 1\n");  // the words form one expression
  CHECK(w.run({"print", "initproc"}).out == "$4 = (struct proc *) " + hex_of(m.initproc) + "\n");
  CHECK(w.run({"print", "&kernproc"}).out ==
        "$5 = (struct proc **) " + hex_of(global(m, "kernproc")) + " <kernproc>\n");
  CHECK(w.run({"print", "$4->p_pptr == kernproc"}).out == "$6 = 1\n");
  CHECK(w.run({"print", "initproc->task == kernel_task"}).out == "$7 = 0\n");
  CHECK(w.run({"print/x", "sizeof(struct proc)"}).out == "$8 = 0x440\n");
  CHECK(w.run({"print", "(char *)initproc + 0x10 == (char *)&initproc->p_pid"}).out == "$9 = 1\n");
  CHECK(w.run({"print", "$pc"}).out.starts_with("$10 = (void (*)()) " + hex_of(m.registers.rip()) + " <"));
  CHECK(w.run({"print/x", "$sp"}).out == "$11 = " + hex_of(m.registers.rsp()) + "\n");
  CHECK(w.run({"print", "$$2"}).out == "$12 = 1\n");  // two back from $11: $9
  CHECK(w.run({"print", "$1 + $2 + $3 + 40"}).out == "$13 = 42\n");
  CHECK(w.run({"print/t", "5"}).out == "$14 = 101\n");
  CHECK(w.run({"print/o", "8"}).out == "$15 = 010\n");
  CHECK(w.run({"print/c", "65"}).out == "$16 = 65 'A'\n");
  CHECK(w.run({"print/x", "-1"}).out == "$17 = 0xffffffff\n");
  CHECK(w.run({"print", "initproc->p_comm"}).out.starts_with("$18 = \"" + launchd->comm));

  CHECK(w.run({"set", "$p", "=", "initproc"}).exit_code == 0);
  CHECK(w.run({"print", "$p->p_pid + 1"}).out == "$19 = 2\n");
  CHECK(w.run({"print", "$nothing"}).out == "$20 = void\n");
}

TEST_CASE("gdb's errors for expressions: no member, no symbol, syntax") {
  if (!binaries_available()) return;
  WorldRun w(23);
  ProcessResult member = w.run({"print", "kernproc->p_pidd"});
  CHECK(member.exit_code != 0);
  CHECK(member.err.find("There is no member named p_pidd.") != std::string::npos);
  CHECK(member.out.empty());
  ProcessResult symbol = w.run({"print", "no_such_thing + 1"});
  CHECK(symbol.exit_code != 0);
  CHECK(symbol.err.find("No symbol \"no_such_thing\" in current context.") != std::string::npos);
  ProcessResult syntax = w.run({"print", "1 +"});
  CHECK(syntax.exit_code == 2);
  CHECK(syntax.err.find("A syntax error in expression, near `'.") != std::string::npos);
}

TEST_CASE("showtask kernel_task shows the kernel task: the symbol's value, as kgmacros' showtask takes it") {
  if (!binaries_available()) return;
  WorldRun w(24);
  const auto& m = w.model();
  ProcessResult by_symbol = w.run({"showtask", "kernel_task"});
  ProcessResult by_address = w.run({"showtask", hex_of(m.kernel_task)});
  INFO(by_symbol.err);
  CHECK(by_symbol.exit_code == 0);
  CHECK(by_address.exit_code == 0);
  CHECK(by_symbol.out == by_address.out);
  CHECK(by_symbol.out.find("kernel_task") != std::string::npos);
  CHECK(w.run({"showproc", "initproc"}).out == w.run({"showproc", hex_of(m.initproc)}).out);
}

TEST_CASE("x with expressions: 0x10+8, &symbol, a pointer's value") {
  if (!binaries_available()) return;
  WorldRun w(25);
  const auto& m = w.model();
  const uint64_t kernproc = global(m, "kernproc");
  CHECK(w.run({"x/gx", "&kernproc"}).out == hex_of(kernproc) + " <kernproc>:\t" + padded_hex_of(m.kernproc) + "\n");
  CHECK(w.run({"x/gx", "(char *)&kernproc+8"}).out.starts_with(hex_of(kernproc + 8) + " <"));
  // Without parentheses, and in words: gdb reads the rest of the line.
  ProcessResult sum = w.run({"x/2gx", "0x10+8"});
  CHECK(sum.err.find("Cannot access memory at address 0x18") != std::string::npos);
  ProcessResult words = w.run({"x/gx", "&kernproc", "+", "0"});
  CHECK(words.out == hex_of(kernproc) + " <kernproc>:\t" + padded_hex_of(m.kernproc) + "\n");
  // kernproc's value is where it points: its proc's first word, p_list.le_next.
  ProcessResult value = w.run({"x/gx", "kernproc"});
  CHECK(value.out.starts_with(hex_of(m.kernproc) + ":\t0x"));
}

TEST_CASE("info registers NAME shows only the registers named") {
  if (!binaries_available()) return;
  WorldRun w(26);
  const auto& m = w.model();
  ProcessResult rip = w.run({"info", "registers", "rip"});
  INFO(rip.err);
  REQUIRE(rip.exit_code == 0);
  // gdb's columns: the name padded to 15, the raw value to 34 (kernel addresses are 18 characters).
  CHECK(rip.out.starts_with("rip            " + hex_of(m.registers.rip()) + "  " + hex_of(m.registers.rip()) + " <"));
  CHECK(rip.out.find('\n') == rip.out.size() - 1);  // one line
  ProcessResult two = w.run({"info", "reg", "rsp", "pc"});
  CHECK(two.out.starts_with("rsp            " + hex_of(m.registers.rsp()) + "  "));
  CHECK(two.out.find("\npc             " + hex_of(m.registers.rip()) + "  ") != std::string::npos);
  ProcessResult bad = w.run({"info", "registers", "xyz"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("Invalid register `xyz'") != std::string::npos);
  CHECK(w.run({"--json", "regs", "rip"}).out == "{\"rip\":\"" + hex_of(m.registers.rip()) + "\"}\n");
}

TEST_CASE("showpid and showproctree of a pid no process has: say so, exit non-zero") {
  if (!binaries_available()) return;
  WorldRun w(27);
  ProcessResult pid = w.run({"showpid", "99999"});
  CHECK(pid.exit_code != 0);
  CHECK(pid.err.find("no process with pid 99999") != std::string::npos);
  ProcessResult tree = w.run({"showproctree", "99999"});
  CHECK(tree.exit_code != 0);
  CHECK(tree.out.empty());
  CHECK(tree.err.find("no process with pid 99999") != std::string::npos);
}

TEST_CASE("showproctree --json carries the true pointer of the root line; the text keeps kgmacros' quirk") {
  if (!binaries_available()) return;
  WorldRun w(28);
  const auto& m = w.model();
  ProcessResult text = w.run({"showproctree"});
  CHECK(text.out == expected_showproctree(m, 0));
  ProcessResult json = w.run({"--json", "showproctree"});
  CHECK(json.out.find("\"kind\":\"root\",\"depth\":0,\"pid\":0,\"command\":\"kernel_task\",\"proc\":\"" +
                      hex_of(m.kernproc) + "\"") != std::string::npos);
  CHECK(json.out.find("\"kind\":\"start\",\"depth\":0,\"pid\":1,\"command\":\"launchd\",\"proc\":\"" +
                      hex_of(m.initproc) + "\"") != std::string::npos);
}

TEST_CASE("delete N with no breakpoint N: gdb's \"No breakpoint number N.\", not an address") {
  if (!binaries_available()) return;
  Kdpctl kdpctl;
  ProcessResult missing = kdpctl.run({"delete", "7"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("No breakpoint number 7.") != std::string::npos);
}
