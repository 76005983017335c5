// zprint (kgmacros.md §3): one row per zone on the first_zone chain.
#include "kgm/commands_impl.h"
#include "kgm/object.h"
#include "kgm/walk.h"

namespace kdp::kgm::cmd {
namespace {

constexpr uint64_t kMaxZoneName = 1024;
constexpr std::string_view kPad = "        ";  // showptrhdrpad

struct ZoneRow {
  uint64_t zone = 0;
  int32_t count = 0;
  uint64_t cur_size = 0, max_size = 0, elem_size = 0, alloc_size = 0;
  uint32_t num_allocs = 0, num_frees = 0;
  std::string name;
  bool exhaustible = false, collectable = false, expandable = false, noencrypt = false;
};

// gdb's printf passes %d/%x arguments as int: values are truncated to 32 bits, as it printed them.
unsigned low32(uint64_t v) { return static_cast<unsigned>(v); }

std::string render_text(const ZoneRow& z) {
  std::string s = showptr(z.zone) + cformat("  %8d ", z.count) + cformat("%8x ", low32(z.cur_size));
  s += cformat("%8x ", low32(z.max_size)) + cformat("%8d ", static_cast<int>(low32(z.elem_size)));
  s += cformat("%8x ", low32(z.alloc_size)) + cformat(" %16ld ", static_cast<long>(z.num_allocs));
  s += cformat("%16ld ", static_cast<long>(z.num_frees)) + z.name + " ";
  if (z.exhaustible) s += "H";
  if (z.collectable) s += "C";
  if (z.expandable) s += "X";
  if (z.noencrypt) s += "$";
  return s + "\n";
}

void write_json(JsonWriter& j, const ZoneRow& z) {
  j.field("type", "zone").hex_field("zone", z.zone).field("count", z.count).field("cur_size", z.cur_size);
  j.field("max_size", z.max_size).field("elem_size", z.elem_size).field("alloc_size", z.alloc_size);
  j.field("num_allocs", z.num_allocs).field("num_frees", z.num_frees).field("name", z.name);
  j.field("exhaustible", z.exhaustible).field("collectable", z.collectable);
  j.field("expandable", z.expandable).field("noencrypt", z.noencrypt);
}

Expected<uint64_t> add_zone(const KernelContext& ctx, Report& report, uint64_t address) {
  static constexpr std::string_view kFields[] = {
      "count", "cur_size", "max_size", "elem_size", "alloc_size", "exhaustible", "collectable",
      "expandable", "noencrypt", "next_zone", "zone_name", "num_allocs", "num_frees"};
  KDP_TRY(Object o, read_object(ctx.memory, ctx.types, "zone", address, kFields));
  ZoneRow z;
  z.zone = address;
  KDP_TRY(int64_t count, o.i("count"));
  z.count = static_cast<int32_t>(count);
  KDP_TRY(z.cur_size, o.u("cur_size"));
  KDP_TRY(z.max_size, o.u("max_size"));
  KDP_TRY(z.elem_size, o.u("elem_size"));
  KDP_TRY(z.alloc_size, o.u("alloc_size"));
  KDP_TRY(uint64_t allocs, o.u("num_allocs"));
  KDP_TRY(uint64_t frees, o.u("num_frees"));
  z.num_allocs = static_cast<uint32_t>(allocs), z.num_frees = static_cast<uint32_t>(frees);
  bool* flags[] = {&z.exhaustible, &z.collectable, &z.expandable, &z.noencrypt};
  for (size_t i = 0; i < 4; ++i) {
    KDP_TRY(uint64_t bit, o.u(kFields[5 + i]));
    *flags[i] = bit != 0;
  }
  KDP_TRY(uint64_t name, o.u("zone_name"));
  if (name == 0) {
    z.name = "(null)";
  } else {
    KDP_TRY(CString s, read_c_string(ctx.memory, name, kMaxZoneName));
    z.name = std::move(s.text);
  }
  report.add(z);
  return o.u("next_zone");
}

}  // namespace

CommandResult zprint(const KernelContext& ctx, Arg) {
  Report report("zprint");
  report.text("ZONE      " + std::string(kPad) +
              "     COUNT   TOT_SZ   MAX_SZ   ELT_SZ ALLOC_SZ         TOT_ALLOC         TOT_FREE NAME\n");
  auto run = [&]() -> Status {
    KDP_TRY(uint64_t head, ctx.global("first_zone"));
    KDP_TRY(uint64_t first, read_u64(ctx.memory, head, "first_zone"));
    return walk_list({"first_zone", first, 0}, [&](uint64_t zone) { return add_zone(ctx, report, zone); });
  };
  Status status = run();
  if (status) report.text("\n");
  return std::move(report).finish(std::move(status));
}

}  // namespace kdp::kgm::cmd
