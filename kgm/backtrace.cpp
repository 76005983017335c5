#include "kgm/backtrace.h"

#include <cstdio>

#include "kdp/base/bytes.h"
#include "kgm/memory_read.h"

namespace kdp::kgm {
namespace {

std::optional<std::string> caller_symbol(const macho::Symbolizer* symbolizer, uint64_t pc) {
  if (symbolizer == nullptr || pc == 0) return std::nullopt;
  auto s = symbolizer->symbolize(pc - 1);
  if (!s) return std::nullopt;
  s->offset += 1;
  return macho::format_symbol_offset(*s);
}

Backtrace stopped(Backtrace bt, StopReason reason, std::string detail) {
  bt.stop = reason;
  bt.detail = std::move(detail);
  return bt;
}

}  // namespace

Backtrace walk_frames(uint64_t rip, uint64_t rbp, Memory& memory, const macho::Symbolizer* symbolizer,
                      size_t max_frames) {
  Backtrace bt;
  if (max_frames == 0) return stopped(std::move(bt), StopReason::kFrameLimit, "");
  bt.frames.push_back({rip, rbp, macho::format_address_symbol(symbolizer, rip), std::nullopt});
  uint64_t fp = rbp;
  for (;;) {
    if (fp == 0) return stopped(std::move(bt), StopReason::kNullFramePointer, "");
    if (fp % 8 != 0) return stopped(std::move(bt), StopReason::kMisalignedFramePointer, "rbp " + hex(fp));
    if (bt.frames.size() >= max_frames) return stopped(std::move(bt), StopReason::kFrameLimit, "");
    auto words = memory.read(fp, 16);
    if (!words && is_unmapped(words.error()))
      return stopped(std::move(bt), StopReason::kUnreadableFrame, words.error().message());
    if (!words) {
      Error error = std::move(words).error().context("reading the frame at rbp " + hex(fp));
      bt = stopped(std::move(bt), StopReason::kReadFailed, error.message());
      bt.error = std::move(error);
      return bt;
    }
    ByteReader frame(*words, "frame at " + hex(fp));
    const uint64_t saved_fp = frame.u64("saved rbp").value();  // 16 bytes were read
    const uint64_t ret = frame.u64("return address").value();
    if (ret == 0) return stopped(std::move(bt), StopReason::kNullReturnAddress, "");
    bt.frames.push_back({ret, saved_fp, caller_symbol(symbolizer, ret), std::nullopt});
    if (saved_fp != 0 && saved_fp <= fp)
      return stopped(std::move(bt), StopReason::kNonIncreasingFramePointer,
                     "rbp " + hex(fp) + " -> " + hex(saved_fp));
    fp = saved_fp;
  }
}

std::string describe(StopReason reason) {
  switch (reason) {
    case StopReason::kNullFramePointer: return "outermost frame (rbp is 0)";
    case StopReason::kNullReturnAddress: return "outermost frame (return address is 0)";
    case StopReason::kMisalignedFramePointer: return "frame pointer is not 8-byte aligned (corrupt stack?)";
    case StopReason::kNonIncreasingFramePointer: return "previous frame inner to this frame (corrupt stack?)";
    case StopReason::kUnreadableFrame: return "cannot read the frame";
    case StopReason::kReadFailed: return "reading the frame failed";
    case StopReason::kFrameLimit: return "frame limit reached (more stack frames follow)";
  }
  return "unknown";
}

std::string source_frame_text(const SourceFrame& frame) {
  std::string text = frame.function + " (";
  for (size_t i = 0; i < frame.args.size(); ++i)
    text += (i ? ", " : "") + frame.args[i].first + "=" + frame.args[i].second;
  text += ")";
  if (!frame.file.empty()) text += " at " + frame.file + ":" + std::to_string(frame.line);
  return text;
}

std::string render_frame(const Frame& f, size_t level) {
  char head[48];
  if (f.source && f.source->at_line_start)
    std::snprintf(head, sizeof head, "#%-3zu", level);
  else
    std::snprintf(head, sizeof head, "#%-3zu0x%016llx in ", level, static_cast<unsigned long long>(f.pc));
  return head + (f.source ? source_frame_text(*f.source) : f.symbol.value_or("??") + " ()") + "\n";
}

std::string render_backtrace(const Backtrace& bt) {
  std::string out;
  for (size_t i = 0; i < bt.frames.size(); ++i) out += render_frame(bt.frames[i], i);
  bool normal_end = bt.stop == StopReason::kNullFramePointer || bt.stop == StopReason::kNullReturnAddress;
  // A failed read is the caller's error to report, not a stop of the stack.
  if (!normal_end && bt.stop != StopReason::kReadFailed) {
    out += "Backtrace stopped: " + describe(bt.stop);
    if (!bt.detail.empty()) out += ": " + bt.detail;
    out += "\n";
  }
  return out;
}

}  // namespace kdp::kgm
