#include "cli/core/json_error.h"

#include "cli/core/exit_codes.h"

namespace kdp::cli {

void write_error_object(JsonWriter& j, const Error& error) {
  j.begin_object().field("message", error.message());
  if (error.fault_address()) j.hex_field("fault_address", *error.fault_address());
  j.field("exit_code", int(exit_code_for(error))).end_object();
}

}  // namespace kdp::cli
