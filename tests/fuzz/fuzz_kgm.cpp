// Fuzz target for the kgmacros commands: the input is kernel memory. It is mapped flat at a low
// base address (so small little-endian pointers in the input point back into it), every global the
// commands read lives in its first bytes, and every command runs over it with RELEASE or DEBUG
// layouts. Properties checked on every input:
//   * every command returns (no crash, no hang: walks detect cycles and are bounded);
//   * a failed command says why in one line, and its JSON says "complete":false;
//   * a command that succeeds twice over the same memory prints the same bytes.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kgm/commands.h"
#include "kgm/layouts_xnu1699.h"

using namespace kdp;
using namespace kdp::kgm;

namespace {

constexpr uint64_t kBase = 0x10000;

class FlatMemory : public Memory {
 public:
  explicit FlatMemory(ByteView image) : image_(image) {}
  Expected<Bytes> read(uint64_t address, uint64_t size) override {
    Bytes out = prefix(address, size);
    if (out.size() == size) return out;
    uint64_t fault = address + out.size();
    return Error(ErrorKind::kNotFound, "Cannot access memory at address " + hex(fault)).with_fault_address(fault);
  }
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override { return prefix(address, size); }
  uint64_t max_request() const override { return 1024; }
  MemoryStats stats() const override { return {}; }
  std::string source() const override { return "fuzz input"; }

 private:
  Bytes prefix(uint64_t address, uint64_t size) const {
    if (address < kBase || address - kBase >= image_.size()) return {};
    uint64_t start = address - kBase;
    uint64_t n = std::min<uint64_t>(size, image_.size() - start);
    return Bytes(image_.begin() + start, image_.begin() + start + n);
  }
  ByteView image_;
};

MapSymbolSource fuzz_symbols() {
  const char* globals[] = {"tasks", "allproc", "zombproc", "kernproc", "initproc", "kmod",
                           "processor_list", "first_zone", "debug_buf", "debug_buf_ptr", "PE_state",
                           "kernel_stack_size", "version"};
  MapSymbolSource s;
  uint64_t at = kBase;
  for (const char* name : globals) s.add(name, at), at += 16;
  s.add("_mh_execute_header", kBase + 0x100);
  s.add("last_kernel_symbol", kBase + 0x400);
  return s;
}

void fail(const char* what, const CommandSpec& c) {
  std::fprintf(stderr, "fuzz_kgm: %s: %s\n", std::string(c.name).c_str(), what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const MapSymbolSource symbols = fuzz_symbols();
  static const TypeModel release(xnu1699_layouts(KernelConfig::kRelease));
  static const TypeModel debug(xnu1699_layouts(KernelConfig::kDebug));
  if (size < 9) return 0;
  const TypeModel& types = (data[0] & 1) ? debug : release;
  uint64_t arg = 0;
  for (int i = 0; i < 8; ++i) arg |= static_cast<uint64_t>(data[1 + i]) << (8 * i);
  FlatMemory memory(ByteView(data, size));
  KernelContext ctx{memory, types, symbols, "fuzz"};
  for (const CommandSpec& c : kgmacros_commands()) {
    std::vector<std::string> args;
    if (c.arg != ArgKind::kNone) args.push_back(hex(c.arg == ArgKind::kAddress ? arg : arg % 100000));
    CommandResult first = run_command(c, ctx, args);
    if (!first.ok()) {
      if (first.error->message().empty() || first.error->message().find('\n') != std::string::npos)
        fail("the stop reason is not one line", c);
      if (first.error->kind() != ErrorKind::kUsage && first.json.find("\"complete\":false") == std::string::npos)
        fail("a failed command's JSON does not say so", c);
      continue;
    }
    CommandResult second = run_command(c, ctx, args);
    if (!second.ok() || second.text != first.text) fail("two runs over the same memory differ", c);
  }
  return 0;
}
