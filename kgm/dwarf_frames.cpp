#include "kgm/dwarf_frames.h"

#include "kgm/value_tree.h"

namespace kdp::kgm {
namespace {

constexpr unsigned kDwarfRbp = 6;
constexpr uint64_t kMaxArgBytes = 64;  // scalars and small structs; gdb shows structs as "..."

std::optional<uint64_t> arg_address(const FunctionInfo& f, const ParamLocation& where, uint64_t rbp) {
  using Kind = ParamLocation::Kind;
  if (where.kind == Kind::kRegister && where.dwarf_register == kDwarfRbp) return rbp + where.offset;
  if (where.kind != Kind::kFrameBase) return std::nullopt;
  // After `push rbp; mov rbp, rsp` the CFA (the caller's rsp before the call) is rbp + 16.
  if (f.frame_base == FrameBase::kRbp) return rbp + where.offset;
  if (f.frame_base == FrameBase::kCallFrameCfa) return rbp + 16 + where.offset;
  return std::nullopt;
}

std::string arg_value(const FunctionInfo& f, const FunctionParam& param, uint64_t rbp, Memory& memory,
                      const TypeProvider& types) {
  if (param.type.is_aggregate()) return "...";  // gdb's default `set print frame-arguments scalars`
  auto address = arg_address(f, param.location, rbp);
  if (!address || param.type.size == 0 || param.type.size > kMaxArgBytes) return "<optimized out>";
  auto bytes = memory.read(*address, param.type.size);
  if (!bytes) return "<error: Cannot access memory at address " + hex(*address) + ">";
  DecodeOptions options;
  options.hex = true;  // the seed's form: size=0x3000, fixed=0x0
  auto value = decode_value(param.type, *bytes, types, options);
  return value ? value->text : "<optimized out>";
}

}  // namespace

std::optional<SourceFrame> source_frame(const DwarfInfo& dwarf, uint64_t pc, uint64_t rbp, bool caller,
                                        Memory& memory, uint64_t slide, std::optional<uint64_t> rsp) {
  const uint64_t lookup = pc - slide - (caller ? 1 : 0);
  auto f = dwarf.function_at(lookup);
  if (!f) return std::nullopt;
  // The rbp `push rbp; mov rbp, rsp` is about to make: one push away at entry, rsp after the push.
  if (rsp && lookup == f->low_pc) rbp = *rsp - 8;
  if (rsp && lookup == f->low_pc + 1) rbp = *rsp;
  SourceFrame frame;
  frame.function = f->name;
  auto types = dwarf.types();
  for (const FunctionParam& param : f->params) frame.args.emplace_back(param.name, arg_value(*f, param, rbp, memory, *types));
  if (auto line = dwarf.line_at(lookup)) {
    frame.file = line->source.file;
    frame.line = line->source.line;
    frame.at_line_start = !caller && line->start == lookup;
  }
  return frame;
}

void add_source_frames(Backtrace& bt, const DwarfInfo& dwarf, Memory& memory, uint64_t slide,
                       std::optional<uint64_t> rsp) {
  for (size_t i = 0; i < bt.frames.size(); ++i) {
    Frame& f = bt.frames[i];
    f.source = source_frame(dwarf, f.pc, f.frame_pointer, i > 0, memory, slide, i == 0 ? rsp : std::nullopt);
  }
}

}  // namespace kdp::kgm
