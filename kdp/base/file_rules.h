// Who may make us write where: the rules every writer of a user-named file applies (dump -o,
// --state, --record), so that root running kdpctl in /tmp cannot be steered into another user's
// files. kdpctl resolves symlinks itself (to replace a link's target atomically), so the kernel's
// fs.protected_symlinks never judges those links: resolve_symlinks applies its rule instead.
#pragma once

#include <sys/stat.h>

#include <string>

#include "kdp/base/error.h"

namespace kdp {

// `path` with its symlinks followed (at most 32 links); the result may not exist yet. A symlink in
// a sticky, world-writable directory (/tmp) is followed only when it belongs to us or to the
// directory's owner (protected_symlinks); any other is refused (kUsage) naming link and owner.
Expected<std::string> resolve_symlinks(const std::string& path);

// A regular file that belongs to another user is never replaced or emptied, even by root (it
// would become root's, or root's bytes would land in someone else's file). kUsage when it is not
// ours; `file_stat` is the file's stat.
Status check_ours_to_replace(const std::string& path, const struct stat& file_stat);

// "a directory", "a FIFO", "a character device", ... for messages refusing what is not a file.
const char* file_type_name(mode_t mode);

}  // namespace kdp
