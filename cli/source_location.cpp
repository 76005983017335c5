#include "cli/source_location.h"

#include "cli/core/number.h"
#include "cli/core/user_text.h"
#include "cli/debug_modules.h"

namespace kdp::cli {
namespace {

std::optional<SourceSpot> at_address(uint64_t address, const KernelHooks& hooks) {
  auto module = module_at(hooks, address);
  if (!module) return std::nullopt;
  const uint64_t slide = module->slide;
  auto range = module->dwarf->line_at(address - slide);
  if (!range) return std::nullopt;
  SourceSpot spot{range->source, address, *range, module->dwarf->function_at(address - slide)};
  spot.range->start += slide;
  spot.range->end += slide;
  return spot;
}

std::optional<SourceSpot> at_file_line(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto line = parse_u64(text.substr(colon + 1), "line");
  if (!line || *line == 0 || *line > UINT32_MAX) return std::nullopt;
  SourceSpot spot;
  spot.source.file = std::string(text.substr(0, colon));
  spot.source.line = static_cast<uint32_t>(*line);
  return spot;
}

}  // namespace

std::string address_with_symbol(uint64_t address, const KernelHooks& hooks) {
  std::string text = hex(address);
  if (auto lookup = hooks.symbols())
    if (auto hit = lookup(address)) text += " <" + hit->name + (hit->offset ? "+" + std::to_string(hit->offset) : "") + ">";
  return text;
}

Expected<SourceSpot> resolve_spot(std::string_view text, const KernelHooks& hooks) {
  if (text.starts_with("*")) text.remove_prefix(1);
  else if (auto spot = at_file_line(text)) return *spot;
  else if (auto f = function_named(hooks, text)) {
    // gdb: a function's line is where its code starts (the opening line of its definition).
    auto spot = at_address(f->function.low_pc + f->module.slide, hooks);
    if (spot) return *spot;
  }
  KDP_TRY(uint64_t address, resolve_address(text, hooks));
  auto spot = at_address(address, hooks);
  if (!spot)
    return Error(ErrorKind::kNotFound, "No line number information available for address " +
                                           address_with_symbol(address, hooks));
  return *spot;
}

}  // namespace kdp::cli
