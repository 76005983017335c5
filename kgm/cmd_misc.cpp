// showversion, showbootargs, paniclog (kgmacros.md §3): single texts read from kernel globals.
#include "kgm/commands_impl.h"
#include "kgm/memory_read.h"
#include "kgm/object.h"

namespace kdp::kgm::cmd {
namespace {

// debug_buf is char[3 * PAGE_SIZE] on Mac OS X (kgmacros.md §3 paniclog).
constexpr uint64_t kDebugBufSize = 3 * 4096;

struct TextRecord {
  std::string_view type;
  std::string text;     // the value
  std::string printed;  // what kgmacros prints for it
};

std::string render_text(const TextRecord& r) { return r.printed; }
void write_json(JsonWriter& j, const TextRecord& r) { j.field("type", r.type).field("text", r.text); }

Expected<std::string> boot_args(const KernelContext& ctx) {
  KDP_TRY(uint64_t pe_state, ctx.global("PE_state"));
  KDP_TRY(Object pe, read_object(ctx.memory, ctx.types, "PE_state", pe_state, {"bootArgs"}));
  KDP_TRY(uint64_t args, pe.u("bootArgs"));
  KDP_TRY(Object boot, read_object(ctx.memory, ctx.types, "boot_args", args, {"CommandLine"}));
  return boot.str("CommandLine");
}

// The bytes of debug_buf up to debug_buf_ptr, as paniclog prints them (a NUL prints nothing).
Status panic_log(const KernelContext& ctx, Report& report) {
  KDP_TRY(uint64_t buf, ctx.global("debug_buf"));
  KDP_TRY(uint64_t ptr_global, ctx.global("debug_buf_ptr"));
  KDP_TRY(uint64_t end, read_u64(ctx.memory, ptr_global, "debug_buf_ptr"));
  uint64_t length = end > buf ? end - buf : 0;
  uint64_t readable = std::min(length, kDebugBufSize);
  KDP_TRY(Bytes bytes, ctx.memory.read(buf, readable));
  std::string text;
  for (uint8_t b : bytes)
    if (b != 0) text += static_cast<char>(b);
  report.add(TextRecord{"paniclog", text, text});
  if (length > kDebugBufSize)
    return Error(ErrorKind::kMalformed, "paniclog: debug_buf_ptr " + hex(end) + " is past the end of debug_buf (" +
                                            hex(buf) + " + " + std::to_string(kDebugBufSize) + " bytes)");
  return {};
}

}  // namespace

// kgmacros' showversion is gdb's kdp-kernelversion: the KDP_KERNELVERSION reply, which the kernel
// serves from kdp_kernelversion_string (`version` + "; UUID=" + kernel_uuid, built by kdp_init).
// Reading that buffer gives live and offline runs the same text; a kernel whose buffer is empty or
// absent (the kernel file alone, a kernel before kdp_init) has only `version`.
Expected<std::string> kernelversion_text(const KernelContext& ctx) {
  auto buffer = ctx.symbols.address_of("kdp_kernelversion_string");
  if (!buffer) return ctx.version;
  auto text = read_c_string(ctx.memory, *buffer, 256);
  if (!text && is_unmapped(text.error())) return ctx.version;
  if (!text) return std::move(text).error().context("reading kdp_kernelversion_string");
  if (text->text.empty()) return ctx.version;
  return std::move(text->text);
}

CommandResult showversion(const KernelContext& ctx, Arg) {
  Report report("showversion");
  auto text = kernelversion_text(ctx);
  if (!text) return std::move(report).finish(std::move(text).error());
  report.add(TextRecord{"version", *text, *text + "\n"});
  return std::move(report).finish({});
}

CommandResult showbootargs(const KernelContext& ctx, Arg) {
  Report report("showbootargs");
  auto args = boot_args(ctx);
  if (!args) return std::move(report).finish(std::move(args).error());
  report.add(TextRecord{"bootargs", *args, *args + "\n"});
  return std::move(report).finish({});
}

CommandResult paniclog(const KernelContext& ctx, Arg) {
  Report report("paniclog");
  Status status = panic_log(ctx, report);
  return std::move(report).finish(std::move(status));
}

}  // namespace kdp::kgm::cmd
