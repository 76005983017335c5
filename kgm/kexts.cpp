#include "kgm/kexts.h"

#include "kgm/object.h"
#include "kgm/report.h"

namespace kdp::kgm {

Expected<Kext> read_kext(const KernelContext& ctx, uint64_t kmod_info, uint64_t* next) {
  KDP_TRY(Object k, read_object(ctx.memory, ctx.types, "kmod_info", kmod_info, kKmodFields));
  Kext kext;
  kext.kmod_info = kmod_info;
  KDP_TRY(kext.address, k.u("address"));
  KDP_TRY(kext.size, k.u("size"));
  KDP_TRY(uint64_t id, k.u("id"));
  KDP_TRY(int64_t refs, k.i("reference_count"));
  kext.id = static_cast<uint32_t>(id), kext.reference_count = static_cast<int32_t>(refs);
  KDP_TRY(kext.version, k.str("version"));
  KDP_TRY(kext.name, k.str("name"));
  KDP_TRY(*next, k.u("next"));
  return kext;
}

Status KextNamer::read_more() {
  if (!started_) {
    started_ = true;
    KDP_TRY(uint64_t head, ctx_.global("kmod"));
    KDP_TRY(next_, read_u64(ctx_.memory, head, "kmod"));
  }
  if (next_ == 0) {
    complete_ = true;
    return {};
  }
  KDP_TRY_STATUS(guard_.visit(next_));
  uint64_t next = 0;
  auto kext = read_kext(ctx_, next_, &next);
  if (!kext) return guard_.stopped(std::move(kext).error());
  kexts_.push_back(std::move(*kext));
  next_ = next;
  return {};
}

Expected<std::optional<KextOffset>> KextNamer::find(uint64_t address) {
  auto header = ctx_.symbols.address_of("_mh_execute_header");
  if (header && address >= *header) return std::optional<KextOffset>();
  for (size_t i = 0;; ++i) {
    while (i == kexts_.size() && !complete_) KDP_TRY_STATUS(read_more());
    if (i == kexts_.size()) return std::optional<KextOffset>();
    const Kext& k = kexts_[i];
    uint64_t offset = address - k.address;
    if (k.address <= address && offset < k.size) return std::optional<KextOffset>(KextOffset{&k, offset});
  }
}

Expected<std::optional<Kext>> KextNamer::find_named(std::string_view name) {
  for (size_t i = 0;; ++i) {
    while (i == kexts_.size() && !complete_) KDP_TRY_STATUS(read_more());
    if (i == kexts_.size()) return std::optional<Kext>();
    if (kexts_[i].name == name) return std::optional<Kext>(kexts_[i]);
  }
}

Expected<std::string> KextNamer::showkmodaddr(uint64_t address) {
  std::string s = showptr(address);
  KDP_TRY(auto found, find(address));
  if (found)
    s += cformat(" <%s + 0x%x>", found->kext->name.c_str(), static_cast<unsigned>(found->offset));
  return s;
}

Expected<std::optional<std::string>> KextNamer::describe(uint64_t address) {
  KDP_TRY(auto found, find(address));
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(found->kext->name + " + " + hex(found->offset));
}

std::optional<macho::SymbolOffset> KernelAndKextSymbolizer::symbolize(uint64_t address) const {
  if (ctx_.symbols.is_kernel_address(address)) {
    auto s = ctx_.symbols.symbolize(address);
    if (!s) return std::nullopt;
    last_name_ = std::move(s->name);
    return macho::SymbolOffset{last_name_, s->offset};
  }
  auto found = kexts_.find(address);
  if (!found || !*found) return std::nullopt;
  last_name_ = (*found)->kext->name;
  return macho::SymbolOffset{last_name_, (*found)->offset};
}

std::string render_text(const Kext& k) {
  return showptr(k.kmod_info) + "  " + showptr(k.address) + "  " + showptr(k.size) + "  " +
         cformat("%3d  ", static_cast<int>(k.id)) + cformat("%5d  ", k.reference_count) +
         cformat("%10s  ", k.version.c_str()) + k.name + "\n";
}

void write_json(JsonWriter& j, const Kext& k) {
  j.field("type", "kmod").hex_field("kmod_info", k.kmod_info).hex_field("address", k.address);
  j.hex_field("size", k.size).field("id", k.id).field("reference_count", k.reference_count);
  j.field("version", k.version).field("name", k.name);
}

}  // namespace kdp::kgm
