// A script's lines: `kdpctl -x FILE` or `kdpctl < FILE`. Lines are bounded (a file of one endless
// line is refused, not read into memory); a NUL byte or a line too long ends the script with an
// error naming the line.
#pragma once

#include <iosfwd>

#include "cli/shell/line_source.h"

namespace kdp::cli::shell {

constexpr size_t kLongestScriptLine = 64 * 1024;

class StreamLineSource : public LineSource {
 public:
  explicit StreamLineSource(std::istream& in) : in_(in) {}
  InputLine read_line() override;

 private:
  std::istream& in_;
};

}  // namespace kdp::cli::shell
