// The one error shape of --json: {"message", "exit_code", "fault_address" when memory could not be
// read}. The error document is {"error": <it>}; a result that fails after its data (decode of a
// datagram that does not decode) carries the same object under "error".
#pragma once

#include "kdp/base/error.h"
#include "kdp/base/json.h"

namespace kdp::cli {

void write_error_object(JsonWriter& j, const Error& error);

}  // namespace kdp::cli
