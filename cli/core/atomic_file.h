// Whole-file writes that never leave a half-written file behind: the bytes go to a temporary file
// in the same directory, are flushed to disk, and replace the target with one rename(2). A reader
// sees either the old contents or the new ones; a crash or full disk loses nothing the user had.
#pragma once

#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

namespace kdp::cli {

// `mode` applies to a newly created file (the umask still narrows it).
Status write_file_atomically(const std::string& path, ByteView bytes, unsigned mode = 0644);

// The whole file; nullopt-like kNotFound error when it does not exist.
Expected<std::string> read_text_file(const std::string& path);

}  // namespace kdp::cli
