// kdpctl ptype[/o] TYPE: gdb's ptype over the kernel's types, no target needed: --types FILE.json
// (Volatility ISF), else the dSYM (--dsym, or KERNEL.dSYM beside --kernel), else the built-in
// xnu-1699.24.23 layouts (--layouts release|debug).
#include <cxxopts.hpp>
#include <optional>
#include <ostream>

#include "cli/command.h"
#include "cli/debug_info.h"
#include "cli/kernel_context.h"
#include "cli/kext_modules.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/ptype.h"

namespace kdp::cli {
namespace {

Expected<kgm::TypeModel> types_for(const Invocation& inv) {
  if (inv.global.types) return load_types_file(*inv.global.types);
  std::optional<macho::KernelImage> kernel;
  if (inv.global.kernel) {
    KDP_TRY(macho::KernelImage image, macho::load_kernel_image(*inv.global.kernel));
    kernel = std::move(image);
  }
  if (inv.global.dsym || kernel) {
    // The dSYM of --dsym, or beside --kernel (checked against that kernel file's UUID).
    KDP_TRY(auto dwarf, load_debug_info(inv, kernel ? &*kernel : nullptr));
    if (dwarf) return kgm::TypeModel(dwarf->types());
  }
  // A kernel file says which release it is: the built-in 10.7.3 layouts only for that release
  // (another one's structs differ, and printing them at 10.7.3's offsets would be wrong answers).
  if (kernel && !kernel->version_string().empty()) return kgm::builtin_types_for(kernel->version_string());
  std::string layouts = "release";
  if (inv.flags && inv.flags->count("layouts")) layouts = (*inv.flags)["layouts"].as<std::string>();
  if (layouts != "release" && layouts != "debug") return usage_error("ptype: --layouts must be release or debug");
  return kgm::TypeModel(kgm::xnu1699_layouts(layouts == "debug" ? kgm::KernelConfig::kDebug : kgm::KernelConfig::kRelease));
}

// The user's kexts (--kext, else the remembered ones) that have a dSYM: their own types
// (`ptype struct debugtest_state`) where the kernel's have none of that name.
Expected<std::vector<kgm::TypeModel>> kext_types(const Invocation& inv) {
  std::vector<std::string> given = inv.global.kexts;
  if (given.empty())
    if (auto state = inv.load_state()) given = state->kexts;  // ptype needs no state: none, no kexts
  KextTarget files_only;
  files_only.force = inv.global.force;
  if (given.size() == 1) files_only.dsym = inv.global.kext_dsym;
  std::vector<kgm::TypeModel> models;
  for (const std::string& text : given) {
    KDP_TRY(KextSpec spec, parse_kext_spec(text));
    auto kext = load_kext(spec, files_only);
    if (!kext) return std::move(kext).error().context("--kext " + text);
    if (kext->dwarf) models.emplace_back(kext->dwarf->types());
  }
  return models;
}

// The kernel's type first; when it has none of that name (or no kernel types are known), a kext's.
template <typename Render>
Expected<std::string> render_type(const Invocation& inv, const Render& render) {
  auto kernel = types_for(inv);
  Expected<std::string> text = kernel ? render(*kernel) : Expected<std::string>(std::move(kernel).error());
  if (text) return text;
  KDP_TRY(std::vector<kgm::TypeModel> kexts, kext_types(inv));
  for (const kgm::TypeModel& model : kexts)
    if (auto from_kext = render(model)) return from_kext;
  return text;
}

Status run_ptype(Invocation& inv) {
  if (inv.args.empty()) return usage_error("ptype: expected a type (struct proc, union NAME, enum NAME)");
  KDP_TRY(bool offsets, single_letter_format(inv, 'o', "offsets and sizes"));
  std::string type;
  for (const std::string& word : inv.args) type += (type.empty() ? "" : " ") + word;
  if (inv.global.json) {
    KDP_TRY(std::string json, render_type(inv, [&](const kgm::TypeModel& types) { return kgm::ptype_json(types, type); }));
    inv.out << json << "\n";
    return {};
  }
  KDP_TRY(std::string text, render_type(inv, [&](const kgm::TypeModel& types) { return kgm::ptype_text(types, type, offsets); }));
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
