#include "cli/shell/stream_source.h"

#include <istream>

namespace kdp::cli::shell {

InputLine StreamLineSource::read_line() {
  std::string line;
  bool any = false;
  for (int c = in_.get(); c != std::char_traits<char>::eof(); c = in_.get()) {
    any = true;
    if (c == '\n') break;
    if (c == '\0') return {InputLine::Kind::kError, "a NUL byte in a script line"};
    if (line.size() == kLongestScriptLine)
      return {InputLine::Kind::kError, "a line longer than " + std::to_string(kLongestScriptLine) + " bytes"};
    line.push_back(static_cast<char>(c));
  }
  if (!any) return {InputLine::Kind::kEnd, ""};
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return {InputLine::Kind::kLine, std::move(line)};
}

}  // namespace kdp::cli::shell
