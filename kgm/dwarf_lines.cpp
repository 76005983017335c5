// Line tables and subprograms: what `info line`, `list` and bt's source-level frames ask.
#include "kgm/dwarf_impl.h"

namespace kdp::kgm {
namespace {

using llvm::DWARFDie;
using namespace llvm::dwarf;
using FileKind = llvm::DILineInfoSpecifier::FileLineInfoKind;

std::optional<SourceLine> source_of(const llvm::DWARFDebugLine::LineTable& table, uint64_t file, uint32_t line,
                                    llvm::StringRef comp_dir) {
  SourceLine s;
  s.line = line;
  if (!table.getFileNameByIndex(file, comp_dir, FileKind::RawValue, s.file)) return std::nullopt;
  table.getFileNameByIndex(file, comp_dir, FileKind::AbsoluteFilePath, s.full_path);
  return s;
}

llvm::StringRef comp_dir_of(llvm::DWARFUnit& unit) { return unit.getCompilationDir() ? unit.getCompilationDir() : ""; }

// DW_AT_frame_base: DW_OP_reg6 (rbp, clang -O0 and xnu's frame-pointer code) or
// DW_OP_call_frame_cfa (rbp + 16 once the prologue has pushed rbp).
FrameBase frame_base_of(const DWARFDie& subprogram) {
  auto v = subprogram.find(DW_AT_frame_base);
  if (!v) return FrameBase::kUnknown;
  auto block = v->getAsBlock();
  if (!block || block->size() != 1) return FrameBase::kUnknown;
  if ((*block)[0] == DW_OP_reg6) return FrameBase::kRbp;
  if ((*block)[0] == DW_OP_call_frame_cfa) return FrameBase::kCallFrameCfa;
  return FrameBase::kUnknown;
}

bool read_sleb(llvm::ArrayRef<uint8_t> bytes, size_t at, int64_t& value) {
  uint64_t result = 0;
  unsigned shift = 0;
  for (size_t i = at; i < bytes.size() && shift < 64; ++i, shift += 7) {
    result |= uint64_t(bytes[i] & 0x7f) << shift;
    if ((bytes[i] & 0x80) == 0) {
      if (shift + 7 < 64 && (bytes[i] & 0x40)) result |= ~uint64_t{0} << (shift + 7);
      value = static_cast<int64_t>(result);
      return i + 1 == bytes.size();  // the whole expression is this one operation
    }
  }
  return false;
}

ParamLocation location_of(const DWARFDie& param) {
  ParamLocation where;
  auto v = param.find(DW_AT_location);
  if (!v) return where;
  auto block = v->getAsBlock();  // a location list (sec_offset) stays kUnknown
  if (!block || block->empty()) return where;
  const uint8_t op = (*block)[0];
  if (op == DW_OP_fbreg && read_sleb(*block, 1, where.offset)) {
    where.kind = ParamLocation::Kind::kFrameBase;
  } else if (op >= DW_OP_breg0 && op <= DW_OP_breg31 && read_sleb(*block, 1, where.offset)) {
    where.kind = ParamLocation::Kind::kRegister;
    where.dwarf_register = op - DW_OP_breg0;
  }
  return where;
}

std::optional<FunctionInfo> function_from(DWARFDie die, DwarfInfo::Impl& impl) {
  if (!die.isValid() || die.getTag() != DW_TAG_subprogram) return std::nullopt;
  FunctionInfo f;
  const char* name = die.getName(llvm::DINameKind::ShortName);
  if (name == nullptr) return std::nullopt;
  f.name = name;
  uint64_t low = 0, high = 0, section = 0;
  if (!die.getLowAndHighPC(low, high, section)) return std::nullopt;
  f.low_pc = low;
  f.high_pc = high;
  f.frame_base = frame_base_of(die);
  for (const DWARFDie& child : die.children()) {
    if (child.getTag() != DW_TAG_formal_parameter) continue;
    const char* param = child.getName(llvm::DINameKind::ShortName);
    f.params.push_back({param ? param : "", dwarf_type_of(child, impl), location_of(child)});
  }
  if (const uint64_t line = die.getDeclLine(); line != 0) {
    SourceLine s;
    s.line = static_cast<uint32_t>(line);
    s.file = die.getDeclFile(FileKind::RawValue);
    s.full_path = die.getDeclFile(FileKind::AbsoluteFilePath);
    f.declared = s;
  }
  return f;
}

}  // namespace

std::optional<LineRange> DwarfInfo::line_at(uint64_t address) const {
  llvm::DWARFCompileUnit* unit = impl_->context->getCompileUnitForAddress(address);
  if (unit == nullptr) return std::nullopt;
  const llvm::DWARFDebugLine::LineTable* table = impl_->context->getLineTableForUnit(unit);
  if (table == nullptr) return std::nullopt;
  const uint32_t row = table->lookupAddress({address, llvm::object::SectionedAddress::UndefSection});
  if (row == table->UnknownRowIndex || row >= table->Rows.size()) return std::nullopt;
  const auto& rows = table->Rows;
  auto source = source_of(*table, rows[row].File, rows[row].Line, comp_dir_of(*unit));
  if (!source) return std::nullopt;
  // The run of rows of this line around the address (a compiler emits several rows per line, for
  // columns): from its first row to the next row of another line, as gdb reports a line's code.
  size_t first = row;
  while (first > 0 && !rows[first - 1].EndSequence && rows[first - 1].Line == rows[row].Line) --first;
  uint64_t end = rows[row].Address.Address;
  for (size_t next = row + 1; next < rows.size(); ++next) {
    end = rows[next].Address.Address;
    if (rows[next].Line != rows[row].Line || rows[next].EndSequence) break;
  }
  const uint64_t start = rows[first].Address.Address;
  return LineRange{std::move(*source), start, end};
}

std::optional<FunctionInfo> DwarfInfo::function_at(uint64_t address) const {
  llvm::DWARFCompileUnit* unit = impl_->context->getCompileUnitForAddress(address);
  if (unit == nullptr) return std::nullopt;
  DWARFDie die = unit->getSubroutineForAddress(address);
  while (die.isValid() && die.getTag() != DW_TAG_subprogram) die = die.getParent();  // inlined: the outer function
  return function_from(die, *impl_);
}

std::optional<FunctionInfo> DwarfInfo::function_named(std::string_view name) const {
  for (uint64_t offset : impl_->function_offsets(name))
    if (auto f = function_from(impl_->die_at(offset), *impl_)) return f;
  return std::nullopt;
}

std::optional<uint64_t> DwarfInfo::after_prologue(const FunctionInfo& f) const {
  // The first row past low_pc whose line differs from the opening brace's (clang's prologue_end
  // row); without one, low_pc.
  auto first = line_at(f.low_pc);
  if (!first) return std::nullopt;
  for (uint64_t at = first->end; at > f.low_pc && at < f.high_pc;) {
    auto next = line_at(at);
    if (!next || next->end <= at) break;
    if (next->source.line != first->source.line) return at;
    at = next->end;
  }
  return f.low_pc;
}

}  // namespace kdp::kgm
