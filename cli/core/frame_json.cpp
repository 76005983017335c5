#include "cli/core/frame_json.h"

namespace kdp::cli {

void write_frame_json(JsonWriter& j, const kgm::Frame& f) {
  j.begin_object().hex_field("pc", f.pc).hex_field("frame_pointer", f.frame_pointer);
  j.field("symbol", f.symbol);
  if (f.source) {
    j.field("function", f.source->function).key("args").begin_array();
    for (const auto& arg : f.source->args) j.begin_object().field("name", arg.first).field("value", arg.second).end_object();
    j.end_array();
    if (!f.source->file.empty()) j.field("file", f.source->file).field("line", f.source->line);
  }
  j.end_object();
}

}  // namespace kdp::cli
