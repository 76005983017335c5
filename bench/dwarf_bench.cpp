// dwarf_bench: time to the first `ptype/o struct proc` on a kernel-sized dSYM, next to
// `llvm-dwarfdump --name=proc` on the same file. A program to run by hand; its figures go into the
// README's Performance section.
//
//   dwarf_bench [--structs 20000] [--runs 5] [--work DIR]
//
// Generates a C file with N structs (each a global, so clang emits its type), N/4 typedefs and N/4
// functions plus tests/dwarf's xnu-shaped struct proc; compiles it with clang for x86_64 macOS,
// links with ld64.lld and runs dsymutil. Then, RUNS times (the dSYM in the page cache after the
// first): load the dSYM (a fresh kgm::DwarfInfo), resolve struct proc and every struct its fields
// name, nested, and render ptype/o — and time llvm-dwarfdump --name=proc.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "kgm/dwarf_info.h"
#include "kgm/ptype.h"

using namespace kdp;
using Clock = std::chrono::steady_clock;

namespace {

void write_program(const std::string& path, int structs) {
  std::ofstream c(path);
  c << "#include \"xnu_proc.h\"\n";
  for (int i = 0; i < structs; ++i) {
    c << "struct s" << i << " { int a; long b; char name[16]; unsigned flag : 3;";
    if (i > 0) c << " struct s" << i - 1 << " *prev;";
    c << " };\nstruct s" << i << " g" << i << ";\n";
    if (i % 4 == 0) c << "typedef struct s" << i << " s" << i << "_t;\nint f" << i << "(s" << i << "_t *p, int k) { return p->a + k; }\n";
  }
  c << "struct proc proc0;\nvoid start(void) {}\n";
}

bool run(const std::string& command) {
  std::printf("+ %s\n", command.c_str());
  return std::system(command.c_str()) == 0;
}

// Every struct or union reachable from `name` through fields by value, arrays and pointers.
size_t resolve_all(const kgm::TypeProvider& types, const std::string& name) {
  std::set<std::string> seen;
  std::vector<std::string> todo{name};
  while (!todo.empty()) {
    std::string next = todo.back();
    todo.pop_back();
    if (!seen.insert(next).second) continue;
    const kgm::StructType* s = types.find(next);
    if (s == nullptr) continue;
    for (const kgm::Field& f : s->fields) {
      const kgm::TypeRef* t = &f.type;
      while (t->element) t = t->element.get();
      if (t->is_aggregate()) todo.push_back(t->name);
    }
  }
  return seen.size();
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  int structs = 20000, runs = 5;
  std::string work = "/tmp/kdpctl-dwarf-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--structs") structs = std::atoi(argv[i + 1]);
    if (flag == "--runs") runs = std::atoi(argv[i + 1]);
    if (flag == "--work") work = argv[i + 1];
  }
  std::filesystem::create_directories(work);
  const std::string c = work + "/kernel.c", o = work + "/kernel.o", kernel = work + "/mach_kernel";
  const std::string dwarf = kernel + ".dSYM/Contents/Resources/DWARF/mach_kernel";
  write_program(c, structs);
  const auto build = Clock::now();
  if (!run(std::string(KDPCTL_CLANG) + " -target x86_64-apple-macosx10.7 -g -O0 -ffreestanding -I" + KDPCTL_XNU_HEADERS +
           " -c " + c + " -o " + o) ||
      !run(std::string(KDPCTL_LD64_LLD) + " -arch x86_64 -platform_version macos 10.7 10.7 -e _start -o " + kernel + " " + o) ||
      !run(std::string(KDPCTL_DSYMUTIL) + " " + kernel + " -o " + kernel + ".dSYM"))
    return 1;
  std::printf("built %d structs in %.1f s; dSYM DWARF %.1f MB\n", structs, ms_since(build) / 1000,
              std::filesystem::file_size(dwarf) / 1e6);
  for (int r = 0; r < runs; ++r) {
    const auto start = Clock::now();
    auto info = kgm::DwarfInfo::load(dwarf);
    if (!info) {
      std::fprintf(stderr, "%s\n", info.error().message().c_str());
      return 1;
    }
    const size_t resolved = resolve_all(*(*info)->types(), "proc");
    auto text = kgm::ptype_text(kgm::TypeModel((*info)->types()), "struct proc", true);
    const double ours = ms_since(start);
    const auto dump = Clock::now();
    run(std::string(KDPCTL_LLVM_DWARFDUMP) + " --name=proc " + dwarf + " > /dev/null");
    std::printf("run %d: kdpctl load + struct proc (%zu structs resolved, ptype/o %zu bytes): %.1f ms; "
                "llvm-dwarfdump --name=proc: %.1f ms\n",
                r + 1, resolved, text ? text->size() : 0, ours, ms_since(dump));
  }
  return 0;
}
