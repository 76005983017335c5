// The one place kgm includes LLVM's DWARF headers (only kgm/dwarf_*.cpp see them).
//
// LLVM 14's DWARFRelocMap.h includes Object/RelocationResolver.h, which pulls in every object
// format and, through ELFObjectFile.h, Support/JSON.h; clang 14 cannot compile that header in
// C++20 mode against libstdc++ 12 (it instantiates std::vector's constexpr members over the still
// incomplete json::Value), so the fuzz/sanitizer build would fail. A dSYM is a linked file and we
// never resolve relocations: under clang, that header is skipped and the one alias
// DWARFRelocMap.h uses is declared here, with LLVM's signature.
#pragma once

#include <cstdint>

#if defined(__clang__)
#define LLVM_OBJECT_RELOCATIONRESOLVER_H
#include <llvm/Object/ObjectFile.h>
namespace llvm::object {
using RelocationResolver = uint64_t (*)(uint64_t Type, uint64_t Offset, uint64_t S, uint64_t LocData, int64_t Addend);
}  // namespace llvm::object
#endif

#include <llvm/ADT/StringMap.h>
#include <llvm/DebugInfo/DWARF/DWARFAcceleratorTable.h>
#include <llvm/DebugInfo/DWARF/DWARFCompileUnit.h>
#include <llvm/DebugInfo/DWARF/DWARFContext.h>
#include <llvm/DebugInfo/DWARF/DWARFDebugLine.h>
#include <llvm/DebugInfo/DWARF/DWARFDie.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>
