// Files the user names (--state, dump -o, ...) may be anything: a regular file, a symlink to one,
// /dev/stdout, /dev/null, a FIFO, a directory. These functions never rename over or truncate
// anything that is not a regular file, and never read without bound or block on a FIFO.
//
// Writes to a regular file are atomic: the bytes go to a temporary file in the same directory, are
// flushed to disk, and replace the target with one rename(2). A reader sees either the old contents
// or the new ones; a crash or full disk loses nothing the user had.
#pragma once

#include <cstddef>
#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"
#include "kdp/base/file_rules.h"

namespace kdp::cli {

// Writes `bytes` to `path`, whatever it turns out to be:
//   * a regular file of ours, or nothing yet: replaced atomically. A symlink is followed and the
//     file it points at is replaced (the link stays a link); an existing file keeps its permission
//     bits, a new one gets `mode` (narrowed by the umask). Another user's file, or a symlink
//     protected_symlinks would not follow (kdp/base/file_rules.h), is refused;
//   * a character device or a FIFO (/dev/stdout, /dev/null, a pipe): written in place, never
//     created, renamed over or truncated;
//   * anything else (a directory, a socket, a block device): refused with a usage error.
Status write_file(const std::string& path, ByteView bytes, unsigned mode = 0644);
// Files of kernel memory the user asked for (dump -o): readable by their owner only.
constexpr unsigned kOutputFileMode = 0600;

// True when `path` (after symlinks) is a character device or a FIFO: output written there is a
// stream, so a summary printed next to it belongs on stderr.
bool is_stream_file(const std::string& path);

// The contents of a regular file of at most `max_bytes`; kNotFound when it does not exist. A
// FIFO, device or directory is refused before anything is read (the open never blocks), and a
// larger file is an error instead of an unbounded read.
Expected<std::string> read_regular_file(const std::string& path, size_t max_bytes);

using kdp::resolve_symlinks;  // follows only the symlinks protected_symlinks would

}  // namespace kdp::cli
