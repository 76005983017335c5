#include "cli/core/registers_format.h"

#include <array>
#include <string_view>

#include "kdp/base/bytes.h"

namespace kdp::cli {
namespace {

enum class Natural { kSigned, kDataPointer, kCodePointer, kFlags };

struct RegisterRow {
  std::string_view gdb_name;
  std::string_view wire_name;
  Natural natural;
};

constexpr std::array<RegisterRow, 21> kRows = {{
    {"rax", "rax", Natural::kSigned},     {"rbx", "rbx", Natural::kSigned},
    {"rcx", "rcx", Natural::kSigned},     {"rdx", "rdx", Natural::kSigned},
    {"rsi", "rsi", Natural::kSigned},     {"rdi", "rdi", Natural::kSigned},
    {"rbp", "rbp", Natural::kDataPointer}, {"rsp", "rsp", Natural::kDataPointer},
    {"r8", "r8", Natural::kSigned},       {"r9", "r9", Natural::kSigned},
    {"r10", "r10", Natural::kSigned},     {"r11", "r11", Natural::kSigned},
    {"r12", "r12", Natural::kSigned},     {"r13", "r13", Natural::kSigned},
    {"r14", "r14", Natural::kSigned},     {"r15", "r15", Natural::kSigned},
    {"rip", "rip", Natural::kCodePointer}, {"eflags", "rflags", Natural::kFlags},
    {"cs", "cs", Natural::kSigned},       {"fs", "fs", Natural::kSigned},
    {"gs", "gs", Natural::kSigned},
}};

struct Flag {
  int bit;
  std::string_view name;
};
constexpr std::array<Flag, 16> kEflags = {{{0, "CF"},  {2, "PF"},  {4, "AF"},   {6, "ZF"},
                                          {7, "SF"},  {8, "TF"},  {9, "IF"},   {10, "DF"},
                                          {11, "OF"}, {14, "NT"}, {16, "RF"},  {17, "VM"},
                                          {18, "AC"}, {19, "VIF"}, {20, "VIP"}, {21, "ID"}}};

// gdb's pad_to_column: always one space, then up to the column.
void pad_to_column(std::string& line, size_t column) {
  line += ' ';
  if (line.size() < column) line.append(column - line.size(), ' ');
}

std::string natural_value(uint64_t v, Natural kind, const SymbolLookup& symbols) {
  switch (kind) {
    case Natural::kDataPointer: return hex(v);
    case Natural::kCodePointer: return gdb_address(v, symbols);
    case Natural::kFlags: return gdb_eflags(v);
    case Natural::kSigned: break;
  }
  return std::to_string(static_cast<int64_t>(v));
}

}  // namespace

std::string gdb_eflags(uint64_t rflags) {
  std::string out = "[";
  for (const Flag& f : kEflags)
    if ((rflags >> f.bit) & 1) out += " " + std::string(f.name);
  return out + " ]";
}

std::vector<std::string> format_registers(const wire::X86ThreadState64& state, const SymbolLookup& symbols) {
  constexpr size_t kValueColumn1 = 15;
  constexpr size_t kValueColumn2 = kValueColumn1 + 2 + 16 + 2;
  std::vector<std::string> lines;
  for (const RegisterRow& row : kRows) {
    const uint64_t v = state.regs[*wire::X86ThreadState64::index_of(row.wire_name)];
    std::string line(row.gdb_name);
    pad_to_column(line, kValueColumn1);
    line += hex(v);
    pad_to_column(line, kValueColumn2);
    line += natural_value(v, row.natural, symbols);
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace kdp::cli
