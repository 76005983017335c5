#include "cli/core/state_lock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace kdp::cli {
namespace {

std::mutex& process_mutex() {
  static std::mutex mutex;
  return mutex;
}

Error lock_error(const std::string& what, const std::string& path, int err) {
  return Error(err == EINTR ? ErrorKind::kInterrupted : ErrorKind::kIo, what + " " + path + ": " + std::strerror(err));
}

}  // namespace

struct StateLock::Held {
  std::unique_lock<std::mutex> thread_lock{process_mutex()};
  int fd = -1;
  ~Held() {
    if (fd >= 0) ::close(fd);  // closing releases the record lock
  }
};

StateLock::StateLock(std::unique_ptr<Held> held) : held_(std::move(held)) {}
StateLock::StateLock(StateLock&&) noexcept = default;
StateLock& StateLock::operator=(StateLock&&) noexcept = default;
StateLock::~StateLock() = default;

Expected<StateLock> StateLock::acquire(const std::string& state_path) {
  const std::string path = state_path + ".lock";
  auto held = std::make_unique<Held>();
  held->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
  if (held->fd < 0) return lock_error("cannot open the lock file", path, errno);
  struct stat st;
  if (::fstat(held->fd, &st) != 0) return lock_error("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return usage_error("the lock file " + path + " is not a regular file");
  struct flock whole {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  // EINTR is Ctrl-C (the only signal kdpctl handles): the user gave up waiting.
  if (::fcntl(held->fd, F_SETLKW, &whole) != 0) return lock_error("cannot lock", path, errno);
  return StateLock(std::move(held));
}

}  // namespace kdp::cli
