#include "kgm/report.h"

#include <utility>

#include <cstdio>

#include "kdp/base/bytes.h"

namespace kdp::kgm {

std::string cformat(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string out;
  if (n > 0) {
    out.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(out.data(), out.size(), format, args);
    out.resize(static_cast<size_t>(n));
  }
  va_end(args);
  return out;
}

std::string showptr(uint64_t pointer) {
  return cformat("0x%016llx", static_cast<unsigned long long>(pointer));
}

namespace {
thread_local std::function<void(std::string_view)> current_text_sink;
}  // namespace

ScopedTextSink::ScopedTextSink(std::function<void(std::string_view)> sink)
    : previous_(std::exchange(current_text_sink, std::move(sink))) {}

ScopedTextSink::~ScopedTextSink() { current_text_sink = std::move(previous_); }

Report::Report(std::string_view command) : sink_(current_text_sink) {
  json_.begin_object().field("command", command).key("records").begin_array();
}

CommandResult Report::finish(Status status) && {
  json_.end_array().field("complete", status.has_value()).key("error");
  CommandResult result;
  if (status) {
    json_.null();
  } else {
    const Error& e = status.error();
    json_.begin_object().field("message", e.message());
    if (e.fault_address())
      json_.hex_field("fault_address", *e.fault_address());
    result.error_object_end = json_.str().size();
    json_.end_object();
    result.error = std::move(status).error();
  }
  json_.end_object();
  result.text = std::move(text_);
  result.json = json_.str();
  return result;
}

std::string CommandResult::json_with_exit_code(int exit_code) const {
  if (!error) return json;
  std::string out = json;
  out.insert(error_object_end, ",\"exit_code\":" + std::to_string(exit_code));
  return out;
}

}  // namespace kdp::kgm
