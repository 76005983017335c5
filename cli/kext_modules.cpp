#include "cli/kext_modules.h"

#include "cli/core/number.h"
#include "cli/core/user_text.h"
#include "kgm/kexts.h"
#include "macho/kext_bundle.h"

namespace kdp::cli {
namespace {

// Where the kext's __TEXT (its Mach-O header) is in the file: the load address minus this is
// its slide.
uint64_t file_base(const macho::KernelImage& image) {
  const macho::Segment* text = image.segment("__TEXT");
  return text ? text->vmaddr : 0;
}

Expected<uint64_t> kmod_address(const std::string& bundle_id, const KextTarget& target) {
  KDP_TRY(const kgm::KernelContext* kernel, target.kernel());
  kgm::KextNamer kmods(*kernel);
  auto found = kmods.find_named(bundle_id);
  if (!found) return std::move(found).error().context("looking for " + bundle_id + " in the kmod list");
  if (!*found) return Error(ErrorKind::kNotFound, bundle_id + " is not loaded (no kmod_info of that name in the kmod list)");
  return (*found)->address;
}

// The LC_UUID of the Mach-O header at `address` in kernel memory.
Expected<std::optional<macho::Uuid>> loaded_uuid(kgm::Memory& memory, uint64_t address) {
  const std::string what = "the kext's Mach-O header at " + hex(address);
  KDP_TRY(Bytes start, memory.read(address, 32));
  KDP_TRY(uint64_t extent, macho::header_extent(start, what));
  KDP_TRY(Bytes header, memory.read(address, extent));
  return macho::header_uuid(header, what);
}

Status check_uuid(const LoadedKext& kext, const std::string& path, uint64_t address, const KextTarget& target) {
  KDP_TRY(auto running, loaded_uuid(*target.memory, address));
  if (!kext.image.uuid() || !running || *running == *kext.image.uuid() || target.force) return {};
  return usage_error("kext UUID mismatch: " + path + " has UUID " + macho::format_uuid(*kext.image.uuid()) +
                     ", the kext loaded at " + hex(address) + " (" + kext.name + ") has UUID " +
                     macho::format_uuid(*running) + "; was it rebuilt and not reloaded? (--force loads it anyway)");
}

Expected<std::shared_ptr<kgm::DwarfInfo>> load_kext_dsym(const std::optional<std::string>& path, const LoadedKext& kext,
                                                         bool force) {
  if (!path) return std::shared_ptr<kgm::DwarfInfo>();
  KDP_TRY(std::string file, kgm::resolve_dsym_path(*path));
  KDP_TRY(auto dwarf, kgm::DwarfInfo::load(file));
  const auto& mine = kext.image.uuid();
  if (!force && mine && dwarf->uuid() && *mine != *dwarf->uuid())
    return usage_error("dSYM UUID mismatch: " + kext.image.path() + " has UUID " + macho::format_uuid(*mine) + ", " +
                       file + " has UUID " + macho::format_uuid(*dwarf->uuid()) + " (--force loads it anyway)");
  return dwarf;
}

}  // namespace

Expected<KextSpec> parse_kext_spec(std::string_view text) {
  KextSpec spec;
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos) {
    spec.path = std::string(text);
  } else {
    spec.path = std::string(text.substr(0, at));
    auto address = parse_u64(text.substr(at + 1), "kext load address");
    if (!address) return usage_error("--kext " + quote_user_text(text) + ": expected PATH or PATH@ADDR (" + address.error().message() + ")");
    spec.address = *address;
  }
  if (spec.path.empty()) return usage_error("--kext needs a path: PATH or PATH@ADDR");
  return spec;
}

bool LoadedKext::contains(uint64_t address) const {
  for (const macho::Segment& s : image.segments())
    if (s.vmsize != 0 && s.contains(address) && s.name != "__LINKEDIT") return true;
  return false;
}

Expected<LoadedKext> load_kext(const KextSpec& spec, const KextTarget& target) {
  KDP_TRY(macho::KextFiles files, macho::locate_kext(spec.path));
  KDP_TRY(macho::KernelImage image, macho::load_kernel_image(files.executable, macho::ImageKind::kKext));
  LoadedKext kext{files.bundle_id.value_or(files.executable), std::move(image), nullptr};
  if (target.memory) {
    uint64_t address = 0;
    if (spec.address) address = *spec.address;
    else if (files.bundle_id) {
      KDP_TRY(address, kmod_address(*files.bundle_id, target));
    } else
      return usage_error(spec.path + " is a bare Mach-O without a bundle id: give PATH@ADDR, or the .kext bundle");
    KDP_TRY_STATUS(check_uuid(kext, files.executable, address, target));
    kext.image.set_slide(address - file_base(kext.image));
  } else if (spec.address) {
    kext.image.set_slide(*spec.address - file_base(kext.image));
  }
  KDP_TRY(kext.dwarf, load_kext_dsym(target.dsym ? target.dsym : files.dsym, kext, target.force));
  return kext;
}

std::optional<macho::SymbolOffset> ModuleSymbolizer::symbolize(uint64_t address) const {
  for (const LoadedKext& k : kexts_)
    if (k.contains(address)) return k.image.symbols().symbolize(address);
  return others_ ? others_->symbolize(address) : std::nullopt;
}

std::optional<uint64_t> ModuleSymbolSource::address_of(std::string_view name) const {
  if (kernel_)
    if (auto a = kernel_->lookup(name)) return a;
  for (const LoadedKext& k : kexts_)
    if (auto a = k.image.symbols().lookup(name)) return a;
  return std::nullopt;
}

std::optional<kgm::SymbolRef> ModuleSymbolSource::symbolize(uint64_t address) const {
  auto s = symbolizer_.symbolize(address);
  if (!s) return std::nullopt;
  return kgm::SymbolRef{std::string(s->name), s->offset};
}

bool ModuleSymbolSource::is_kernel_address(uint64_t address) const {
  return kernel_ && kernel_->is_kernel_address(address);
}

std::vector<DebugModule> debug_modules(std::shared_ptr<kgm::DwarfInfo> kernel, uint64_t kernel_slide,
                                       const std::vector<LoadedKext>& kexts) {
  std::vector<DebugModule> modules;
  if (kernel) modules.push_back({std::move(kernel), kernel_slide});
  for (const LoadedKext& k : kexts)
    if (k.dwarf) modules.push_back({k.dwarf, k.slide()});
  return modules;
}

}  // namespace kdp::cli
