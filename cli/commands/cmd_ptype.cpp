// kdpctl ptype[/o] TYPE: gdb's ptype over the kernel's types, no target needed: --types FILE.json
// (Volatility ISF), else the dSYM (--dsym, or KERNEL.dSYM beside --kernel), else the built-in
// xnu-1699.24.23 layouts (--layouts release|debug).
#include <cxxopts.hpp>
#include <ostream>

#include "cli/command.h"
#include "cli/debug_info.h"
#include "cli/kernel_context.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/ptype.h"

namespace kdp::cli {
namespace {

// The dSYM of --dsym, or beside --kernel (checked against that kernel file's UUID); null without.
Expected<std::shared_ptr<kgm::DwarfInfo>> dsym_for(const Invocation& inv) {
  if (!inv.global.kernel) return load_debug_info(inv, nullptr);
  KDP_TRY(macho::KernelImage kernel, macho::load_kernel_image(*inv.global.kernel));
  return load_debug_info(inv, &kernel);
}

Expected<kgm::TypeModel> types_for(const Invocation& inv) {
  if (inv.global.types) return load_types_file(*inv.global.types);
  if (inv.global.dsym || inv.global.kernel) {
    KDP_TRY(auto dwarf, dsym_for(inv));
    if (dwarf) return kgm::TypeModel(dwarf->types());
  }
  std::string layouts = "release";
  if (inv.flags && inv.flags->count("layouts")) layouts = (*inv.flags)["layouts"].as<std::string>();
  if (layouts != "release" && layouts != "debug") return usage_error("ptype: --layouts must be release or debug");
  return kgm::TypeModel(kgm::xnu1699_layouts(layouts == "debug" ? kgm::KernelConfig::kDebug : kgm::KernelConfig::kRelease));
}

Status run_ptype(Invocation& inv) {
  if (inv.args.empty()) return usage_error("ptype: expected a type (struct proc, union NAME, enum NAME)");
  KDP_TRY(bool offsets, single_letter_format(inv, 'o', "offsets and sizes"));
  std::string type;
  for (const std::string& word : inv.args) type += (type.empty() ? "" : " ") + word;
  KDP_TRY(kgm::TypeModel types, types_for(inv));
  if (inv.global.json) {
    KDP_TRY(std::string json, kgm::ptype_json(types, type));
    inv.out << json << "\n";
    return {};
  }
  KDP_TRY(std::string text, kgm::ptype_text(types, type, offsets));
  inv.out << text;
  return {};
}

const CommandSpec kPtype{
    .name = "ptype",
    .usage = "ptype[/o] TYPE",
    .summary = "a kernel struct's declaration like gdb's ptype; /o adds offsets, sizes and holes",
    .details = "TYPE is `struct NAME`, `union NAME`, `enum NAME` or a bare NAME. The types come from --types\n"
               "FILE.json (a Volatility 3 ISF file), else the kernel's dSYM (--dsym PATH, or KERNEL.dSYM\n"
               "beside --kernel), else the built-in xnu-1699.24.23 layouts (--layouts\n"
               "release, the default, or debug). No target is needed. ptype/o prints each field's offset and\n"
               "size like gdb's ptype/o, spelling out nested structs and marking holes and padding.\n"
               "--json prints the fields with offsets, sizes and C types.",
    .add_options =
        [](cxxopts::Options& o) {
          o.add_options("ptype")("layouts", "built-in layouts without --types: release (default) or debug",
                                 cxxopts::value<std::string>(), "release|debug");
        },
    .run = run_ptype,
    .takes_format = true,
};

}  // namespace

const CommandSpec& ptype_command() { return kPtype; }
}  // namespace kdp::cli
