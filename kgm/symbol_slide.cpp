#include "kgm/symbol_slide.h"

#include "kdp/base/bytes.h"

namespace kdp::kgm {
namespace {

// The kernel's Mach-O header sits at the start of __TEXT; ISF files keep the Mach-O name with its
// leading underscore, and the importer adds the C name.
std::optional<uint64_t> text_start(const SymbolMap& symbols) {
  for (std::string_view name : {"_mh_execute_header", "mh_execute_header"})
    if (auto it = symbols.find(name); it != symbols.end()) return it->second;
  return std::nullopt;
}

}  // namespace

Expected<SymbolMap> slid_symbols(SymbolMap symbols, std::optional<uint64_t> running_stext, std::string_view source) {
  if (!running_stext) return symbols;
  const std::optional<uint64_t> text = text_start(symbols);
  if (!text)
    return Error(ErrorKind::kUsage, "the running kernel is slid (stext " + hex(*running_stext) + ") and " +
                                        std::string(source) +
                                        " has no _mh_execute_header symbol to measure the slide from; "
                                        "give --kernel PATH");
  if (*running_stext < *text)
    return Error(ErrorKind::kUsage, "stext " + hex(*running_stext) + " lies below " + std::string(source) +
                                        "'s _mh_execute_header " + hex(*text) + "; kernels only slide upwards");
  const uint64_t slide = *running_stext - *text;
  for (auto& [name, address] : symbols) address += slide;
  return symbols;
}

}  // namespace kdp::kgm
