#include "cli/core/examine.h"

#include <algorithm>
#include <cstdio>

#include "cli/core/gdb_text.h"
#include "kgm/memory_read.h"

namespace kdp::cli {
namespace {

using kgm::cannot_access;

int64_t sign_extend(uint64_t raw, uint64_t bytes) {
  if (bytes >= 8) return static_cast<int64_t>(raw);
  const unsigned shift = static_cast<unsigned>(64 - 8 * bytes);
  return static_cast<int64_t>(raw << shift) >> shift;
}

std::string zero_padded_hex(uint64_t raw, uint64_t bytes) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*llx", static_cast<int>(2 * bytes), static_cast<unsigned long long>(raw));
  return buf;
}

std::string octal(uint64_t raw) {
  if (raw == 0) return "0";
  char buf[32];
  std::snprintf(buf, sizeof buf, "0%llo", static_cast<unsigned long long>(raw));
  return buf;
}

std::string binary(uint64_t raw, uint64_t bytes) {
  std::string bits;
  for (int bit = static_cast<int>(8 * bytes) - 1; bit >= 0; --bit) bits += ((raw >> bit) & 1) ? '1' : '0';
  return bits;
}

uint64_t little_endian(ByteView bytes) {
  uint64_t v = 0;
  for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | bytes[i];
  return v;
}

// Units per output line (do_examine's maxelts).
size_t units_per_line(const ExamineFormat& f) {
  if (f.format == 's' || f.format == 'i') return 1;
  if (f.size == 'w') return 4;
  if (f.size == 'g') return 2;
  return 8;
}

std::string label(uint64_t address, const SymbolLookup& symbols) { return gdb_address(address, symbols) + ":"; }

void examine_units(const ExamineFormat& f, uint64_t address, kgm::Memory& memory,
                   const SymbolLookup& symbols, ExamineOutput& out) {
  const uint64_t unit = f.unit_bytes();
  out.next_address = address;
  auto data = memory.read_partial(address, unit * static_cast<uint64_t>(f.count));
  if (!data) {
    out.error = std::move(data).error();
    return;
  }
  const size_t complete = std::min<size_t>(data->size() / unit, static_cast<size_t>(f.count));
  const size_t per_line = units_per_line(f);
  for (size_t i = 0; i < complete; ++i) {
    const uint64_t at = address + i * unit;
    ByteView bytes = ByteView(*data).subspan(i * unit, unit);
    std::string text = format_unit(little_endian(bytes), f, symbols);
    if (i % per_line == 0) out.lines.push_back(label(at, symbols));
    out.lines.back() += "\t" + text;
    out.items.push_back({at, Bytes(bytes.begin(), bytes.end()), std::move(text)});
  }
  out.next_address = address + complete * unit;
  if (complete < static_cast<size_t>(f.count)) out.error = kgm::unreadable(memory, out.next_address);
}

// One x/s string at `address` (valprint.c val_print_string with gdb's default print elements 200).
// Returns false when memory ran out before a NUL, after emitting gdb's "<error: ...>" line.
bool examine_string(uint64_t address, kgm::Memory& memory, const SymbolLookup& symbols,
                    ExamineOutput& out) {
  auto data = memory.read_partial(address, kGdbPrintMax);
  if (!data) {
    out.error = std::move(data).error();
    return false;
  }
  const auto nul = std::find(data->begin(), data->end(), 0);
  const bool found_nul = nul != data->end();
  const size_t consumed = found_nul ? static_cast<size_t>(nul - data->begin()) + 1 : data->size();
  const ByteView chars(data->data(), consumed);
  bool ellipsis = false;
  if (!found_nul && data->size() == kGdbPrintMax) {
    // gdb peeks at the next character: a non-NUL one means the string goes on.
    auto peek = memory.read_partial(address + kGdbPrintMax, 1);
    if (!peek) {
      out.error = std::move(peek).error();
      return false;
    }
    ellipsis = !peek->empty() && (*peek)[0] != 0;
  }
  const bool truncated_by_fault = !found_nul && data->size() < kGdbPrintMax;
  std::string text = consumed > 0 ? gdb_string_literal(chars, ellipsis) : "";
  if (truncated_by_fault) text += "<error: " + cannot_access(address + consumed).message() + ">";
  out.lines.push_back(label(address, symbols) + "\t" + text);
  const size_t shown = found_nul ? consumed - 1 : consumed;
  out.items.push_back({address, Bytes(chars.begin(), chars.begin() + shown), text});
  out.next_address = address + consumed;
  if (truncated_by_fault) out.error = kgm::unreadable(memory, address + consumed);
  return !truncated_by_fault;
}

void examine_instructions(const ExamineFormat& f, uint64_t address, kgm::Memory& memory,
                          const ExamineHooks& hooks, ExamineOutput& out) {
  out.next_address = address;
  if (!hooks.disassemble) {
    out.error = Error(ErrorKind::kNotFound, "x/i needs a disassembler, which arrives with kernel loading (--kernel)");
    return;
  }
  for (int i = 0; i < f.count; ++i) {
    auto insn = hooks.disassemble(out.next_address, memory);
    if (!insn) {
      out.error = std::move(insn).error();
      return;
    }
    // gdb marks the current pc with "=> "; kdpctl does not know it here, so every line gets the
    // three-space indent gdb uses for the others.
    out.lines.push_back("   " + label(out.next_address, hooks.symbols) + "\t" + insn->text);
    out.items.push_back({out.next_address, insn->bytes, insn->text});
    out.next_address += std::max<uint64_t>(insn->length, 1);
  }
}

}  // namespace

std::string format_unit(uint64_t raw, const ExamineFormat& f, const SymbolLookup& symbols) {
  const uint64_t bytes = f.unit_bytes();
  switch (f.format) {
    case 'x':
    case 'z':
      return zero_padded_hex(raw, bytes);
    case 'u':
      return std::to_string(raw);
    case 'o':
      return octal(raw);
    case 't':
      return binary(raw, bytes);
    case 'a':
      return gdb_address(static_cast<uint64_t>(sign_extend(raw, bytes)), symbols);
    case 'c':
      return gdb_char_literal(static_cast<int8_t>(raw & 0xff));
    default:  // 'd' and gdb's natural format for integers
      return std::to_string(sign_extend(raw, bytes));
  }
}

ExamineOutput examine(const ExamineFormat& format, uint64_t address, kgm::Memory& memory,
                      const ExamineHooks& hooks) {
  ExamineOutput out;
  out.next_address = address;
  if (format.format == 'i') {
    examine_instructions(format, address, memory, hooks, out);
  } else if (format.format == 's') {
    for (int i = 0; i < format.count; ++i)
      if (!examine_string(out.next_address, memory, hooks.symbols, out)) break;
  } else {
    examine_units(format, address, memory, hooks.symbols, out);
  }
  return out;
}

}  // namespace kdp::cli
