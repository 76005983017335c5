#include "kdp/base/file_rules.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace kdp {
namespace {

constexpr int kMaxSymlinks = 32;

std::string directory_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorKind::kIo, what + " " + path + ": " + std::strerror(err));
}

Status check_symlink_may_be_followed(const std::string& link, const struct stat& link_stat) {
  if (link_stat.st_uid == ::geteuid()) return {};
  const std::string dir = directory_of(link);
  struct stat dir_stat;
  if (::stat(dir.c_str(), &dir_stat) != 0) return io_error("cannot stat", dir, errno);
  const bool sticky_world_writable = (dir_stat.st_mode & S_ISVTX) != 0 && (dir_stat.st_mode & S_IWOTH) != 0;
  if (!sticky_world_writable || link_stat.st_uid == dir_stat.st_uid) return {};
  return usage_error("refusing to follow the symlink " + link + ": it belongs to another user (uid " +
                     std::to_string(link_stat.st_uid) + ") in the sticky, world-writable directory " + dir +
                     " (the protected_symlinks rule); nothing written");
}

}  // namespace

Expected<std::string> resolve_symlinks(const std::string& path) {
  std::string current = path;
  for (int links = 0; links <= kMaxSymlinks; ++links) {
    struct stat st;
    if (::lstat(current.c_str(), &st) != 0) {
      if (errno == ENOENT) return current;  // a new file, or the missing target of a dangling link
      return io_error("cannot stat", current, errno);
    }
    if (!S_ISLNK(st.st_mode)) return current;
    KDP_TRY_STATUS(check_symlink_may_be_followed(current, st));
    std::vector<char> target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1);
    const ssize_t n = ::readlink(current.c_str(), target.data(), target.size());
    if (n < 0) return io_error("cannot read the symlink", current, errno);
    if (static_cast<size_t>(n) >= target.size()) return usage_error("the symlink " + current + " changed while being read");
    const std::string to(target.data(), static_cast<size_t>(n));
    current = to.starts_with('/') ? to : directory_of(current) + "/" + to;
  }
  return usage_error(path + ": more than " + std::to_string(kMaxSymlinks) + " symlinks (a loop?)");
}

Status check_ours_to_replace(const std::string& path, const struct stat& file_stat) {
  if (!S_ISREG(file_stat.st_mode) || file_stat.st_uid == ::geteuid()) return {};
  return usage_error("refusing to replace " + path + ": it belongs to another user (uid " +
                     std::to_string(file_stat.st_uid) + "); nothing written");
}

const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symlink";
  if (S_ISREG(mode)) return "a regular file";
  return "not a regular file";
}

}  // namespace kdp
