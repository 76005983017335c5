// Loading a dSYM: our container check, then LLVM's DWARFContext over the __DWARF sections only;
// and the name lookups every other dwarf_*.cpp uses.
#include <filesystem>

#include "kgm/dwarf_impl.h"

namespace kdp::kgm {
namespace {

namespace fs = std::filesystem;

// LLVM reports damaged DWARF through these; a library that prints nothing drops them, and the
// lookup that hit the damage answers "not found".
void ignore_llvm_error(llvm::Error error) { llvm::consumeError(std::move(error)); }

bool is_type_tag(llvm::dwarf::Tag tag) {
  using namespace llvm::dwarf;
  return tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type ||
         tag == DW_TAG_enumeration_type || tag == DW_TAG_typedef || tag == DW_TAG_base_type;
}

// One pass over every DIE of every unit: the fallback when the file has no accelerator tables.
void scan_names(llvm::DWARFContext& context, std::multimap<std::string, uint64_t, std::less<>>& types,
                std::multimap<std::string, uint64_t, std::less<>>& functions) {
  for (const auto& unit : context.info_section_units()) {
    for (const llvm::DWARFDebugInfoEntry& entry : unit->dies()) {
      llvm::DWARFDie die(unit.get(), &entry);
      const char* name = die.getName(llvm::DINameKind::ShortName);
      if (name == nullptr || *name == '\0') continue;
      if (is_type_tag(die.getTag())) types.emplace(name, die.getOffset());
      if (die.getTag() == llvm::dwarf::DW_TAG_subprogram) functions.emplace(name, die.getOffset());
    }
  }
}

// A name has a handful of DIEs (declarations, one definition per unit that uses it); a damaged
// table may claim billions, so a lookup stops after this many.
constexpr size_t kMaxMatches = 256;

std::vector<uint64_t> from_apple(const llvm::AppleAcceleratorTable& table, std::string_view name) {
  std::vector<uint64_t> offsets;
  for (const auto& entry : table.equal_range(llvm::StringRef(name.data(), name.size()))) {
    if (auto offset = entry.getDIESectionOffset()) offsets.push_back(*offset);
    if (offsets.size() >= kMaxMatches) break;
  }
  return offsets;
}

std::vector<uint64_t> from_debug_names(const llvm::DWARFDebugNames& table, std::string_view name) {
  std::vector<uint64_t> offsets;
  for (const auto& entry : table.equal_range(llvm::StringRef(name.data(), name.size()))) {
    if (auto cu = entry.getCUOffset(); cu)
      if (auto die = entry.getDIEUnitOffset(); die) offsets.push_back(*cu + *die);
    if (offsets.size() >= kMaxMatches) break;
  }
  return offsets;
}

}  // namespace

llvm::DWARFDie DwarfInfo::Impl::die_at(uint64_t offset) { return context->getDIEForOffset(offset); }

std::vector<uint64_t> DwarfInfo::Impl::type_offsets(std::string_view name) {
  if (usable_apple("apple_types")) return from_apple(context->getAppleTypes(), name);
  if (usable_debug_names()) return from_debug_names(context->getDebugNames(), name);
  if (!scanned_types) scan_names(*context, scanned_types.emplace(), scanned_functions.emplace());
  std::vector<uint64_t> offsets;
  for (auto [it, end] = scanned_types->equal_range(name); it != end; ++it) offsets.push_back(it->second);
  return offsets;
}

std::vector<uint64_t> DwarfInfo::Impl::function_offsets(std::string_view name) {
  if (usable_apple("apple_names")) return from_apple(context->getAppleNames(), name);
  if (usable_debug_names()) return from_debug_names(context->getDebugNames(), name);
  if (!scanned_functions) scan_names(*context, scanned_types.emplace(), scanned_functions.emplace());
  std::vector<uint64_t> offsets;
  for (auto [it, end] = scanned_functions->equal_range(name); it != end; ++it) offsets.push_back(it->second);
  return offsets;
}

DwarfInfo::DwarfInfo(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  types_ = make_dwarf_type_provider(*impl_);
}
DwarfInfo::~DwarfInfo() = default;

Expected<std::shared_ptr<DwarfInfo>> DwarfInfo::load(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return Error(ErrorKind::kNotFound, "dSYM DWARF file " + path + ": not a regular file");
  const uint64_t size = fs::file_size(path, ec);
  if (ec || size > kDsymMaxFileBytes)
    return malformed("dSYM DWARF file " + path + ": larger than " + std::to_string(kDsymMaxFileBytes >> 20) + " MiB");
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  KDP_TRY(macho::MappedFile mapped, macho::MappedFile::open(path));
  impl->mapped.emplace(std::move(mapped));
  impl->data = impl->mapped->bytes();
  return from_impl(std::move(impl));
}

Expected<std::shared_ptr<DwarfInfo>> DwarfInfo::from_bytes(Bytes bytes, std::string name) {
  auto impl = std::make_unique<Impl>();
  impl->path = std::move(name);
  impl->bytes = std::move(bytes);
  impl->data = impl->bytes;
  return from_impl(std::move(impl));
}

Expected<std::shared_ptr<DwarfInfo>> DwarfInfo::from_impl(std::unique_ptr<Impl> impl) {
  if (impl->data.size() > kDsymMaxFileBytes) return malformed(impl->path + ": larger than the dSYM size limit");
  KDP_TRY(impl->container, read_dsym_container(ByteReader(impl->data, impl->path)));
  for (const auto& [section, view] : impl->container.sections) {
    llvm::StringRef data(reinterpret_cast<const char*>(view.data()), view.size());
    impl->sections[section] = llvm::MemoryBuffer::getMemBuffer(data, section, false);
  }
  impl->context = llvm::DWARFContext::create(impl->sections, 8, true, ignore_llvm_error, ignore_llvm_error);
  return std::shared_ptr<DwarfInfo>(new DwarfInfo(std::move(impl)));
}

const std::string& DwarfInfo::path() const { return impl_->path; }
const std::optional<macho::Uuid>& DwarfInfo::uuid() const { return impl_->container.uuid; }
// The provider refers to this DwarfInfo's LLVM context, so it keeps the DwarfInfo alive.
std::shared_ptr<const TypeProvider> DwarfInfo::types() const {
  return std::shared_ptr<const TypeProvider>(shared_from_this(), types_.get());
}

std::optional<std::string> dsym_beside(const std::string& kernel_path) {
  const fs::path kernel(kernel_path);
  const fs::path candidate = fs::path(kernel_path + ".dSYM") / "Contents" / "Resources" / "DWARF" / kernel.filename();
  std::error_code ec;
  if (!fs::is_regular_file(candidate, ec)) return std::nullopt;
  return candidate.string();
}

Expected<std::string> resolve_dsym_path(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return path;
  fs::path bundle = fs::path(path).lexically_normal();
  if (!bundle.has_filename()) bundle = bundle.parent_path();  // "K.dSYM/"
  const fs::path dwarf = bundle / "Contents" / "Resources" / "DWARF";
  if (fs::is_directory(dwarf, ec)) {
    fs::path named = dwarf / bundle.filename().replace_extension("");
    if (fs::is_regular_file(named, ec)) return named.string();
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dwarf, ec))
      if (entry.is_regular_file(ec)) files.push_back(entry.path());
    if (files.size() == 1) return files.front().string();
  }
  return Error(ErrorKind::kNotFound, "--dsym " + path + ": neither a DWARF file nor a .dSYM bundle with one "
                                     "file in Contents/Resources/DWARF");
}

}  // namespace kdp::kgm
