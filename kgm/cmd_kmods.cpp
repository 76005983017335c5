// showallkmods and showkmodaddr (kgmacros.md §3).
#include "kgm/commands_impl.h"
#include "kgm/kexts.h"
#include "kgm/object.h"

namespace kdp::kgm::cmd {
namespace {

constexpr std::string_view kPad = "        ";

struct KmodAddress {
  uint64_t address = 0;
  std::string text;  // showkmodaddr's bytes (no newline: the macro prints none)
  std::optional<std::string> kext;
  uint64_t offset = 0;
};

std::string render_text(const KmodAddress& a) { return a.text; }

void write_json(JsonWriter& j, const KmodAddress& a) {
  j.field("type", "kmod_address").hex_field("address", a.address).field("kext", a.kext);
  if (a.kext) j.hex_field("offset", a.offset);
}

}  // namespace

CommandResult showallkmods(const KernelContext& ctx, Arg) {
  Report report("showallkmods");
  report.text(std::string("kmod_info ") + std::string(kPad) + "  address   " + std::string(kPad) +
              "  size      " + std::string(kPad) + "  id    refs     version  name\n");
  auto run = [&]() -> Status {
    KDP_TRY(uint64_t head, ctx.global("kmod"));
    KDP_TRY(uint64_t first, read_u64(ctx.memory, head, "kmod"));
    return walk_list({"kmod", first, 0}, [&](uint64_t kmod_info) -> Expected<uint64_t> {
      uint64_t next = 0;
      KDP_TRY(Kext k, read_kext(ctx, kmod_info, &next));
      report.add(k);
      return next;
    });
  };
  return std::move(report).finish(run());
}

CommandResult showkmodaddr(const KernelContext& ctx, Arg address) {
  Report report("showkmodaddr");
  auto run = [&]() -> Status {
    KextNamer namer(ctx);
    KmodAddress a;
    a.address = address.value_or(0);
    KDP_TRY(auto found, namer.find(a.address));
    KDP_TRY(a.text, namer.showkmodaddr(a.address));
    if (found) a.kext = found->kext->name, a.offset = found->offset;
    report.add(a);
    return {};
  };
  return std::move(report).finish(run());
}

}  // namespace kdp::kgm::cmd
