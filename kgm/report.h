// How a command's records become output. A command adds records one by one; each goes through its
// two renderers at once: the kgmacros text renderer (bytes exactly as gdb printed them) and the
// JSON renderer. Text that is not a record (headers, blank lines) is text-only.
//
// The JSON document: {"command":"showalltasks","records":[{"type":"task",...},...],
//                     "complete":true|false,"error":null|{"message":"...","fault_address":"0x..."}}
// (kdpctl adds the error's "exit_code", json_with_exit_code: the one error shape of its --json).
#pragma once

#include <cstdarg>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kdp/base/error.h"
#include "kdp/base/json.h"

namespace kdp::kgm {

struct CommandResult {
  std::string text;            // what kgmacros would have printed, up to where the command stopped
  std::string json;            // the same records as one JSON document
  std::optional<Error> error;  // where and why the command stopped early (the CLI exits 1)
  size_t error_object_end = 0;  // where in `json` the error object's closing brace is
  bool ok() const { return !error.has_value(); }
  // `json` with "exit_code" added to its error object (the process's exit code is the CLI's).
  std::string json_with_exit_code(int exit_code) const;
};

// printf into a std::string: kgmacros' format strings are C printf strings, and using them
// verbatim is the surest way to match them byte for byte.
std::string cformat(const char* format, ...) __attribute__((format(printf, 1, 2)));

// kgmacros' showptr on LP64: "0x%016llx".
std::string showptr(uint64_t pointer);

// Where the text of the Reports made on this thread goes as it is made, while the scope lives, so
// that a long walk's first lines reach the user while it goes on (CommandResult::text still holds
// all of it).
class ScopedTextSink {
 public:
  explicit ScopedTextSink(std::function<void(std::string_view)> sink);
  ~ScopedTextSink();
  ScopedTextSink(const ScopedTextSink&) = delete;
  ScopedTextSink& operator=(const ScopedTextSink&) = delete;

 private:
  std::function<void(std::string_view)> previous_;
};

class Report {
 public:
  explicit Report(std::string_view command);

  void text(std::string_view s) {
    text_ += s;
    if (sink_) sink_(s);
  }

  // A record: render_text(r) and write_json(JsonWriter&, r) are found by argument-dependent lookup.
  template <class Record>
  void add(const Record& r) {
    text(render_text(r));
    json_.begin_object();
    write_json(json_, r);
    json_.end_object();
  }

  CommandResult finish(Status status) &&;

 private:
  std::string text_;
  JsonWriter json_;
  std::function<void(std::string_view)> sink_;
};

}  // namespace kdp::kgm
