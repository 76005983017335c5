#include "cli/core/target_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace kdp::cli {
namespace {

// The locks this process holds, by path: a nested acquire must not wait for itself.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<TargetLock::Held>> held;
};

Registry& registry() {
  static Registry r;
  return r;
}

Error lock_error(const std::string& what, const std::string& path, int err) {
  return Error(err == EINTR ? ErrorKind::kInterrupted : ErrorKind::kIo, what + " " + path + ": " + std::strerror(err));
}

std::string read_holder(int fd) {
  char text[256];
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return "another kdpctl process";
  std::string holder(text, static_cast<size_t>(n));
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
  return holder.empty() ? "another kdpctl process" : holder;
}

void write_holder(int fd, const std::string& holder) {
  const std::string text = "pid " + std::to_string(::getpid()) + ": " + holder + "\n";
  if (::ftruncate(fd, 0) != 0) return;  // only a note for waiters
  (void)!::pwrite(fd, text.data(), text.size(), 0);
}

// flock(LOCK_EX), given up when `interrupt` is set: SIGINT ends the wait with EINTR (kdpctl's
// handler does not restart system calls).
Status wait_for_lock(int fd, const std::string& path, const std::atomic<bool>* interrupt) {
  for (;;) {
    if (::flock(fd, LOCK_EX) == 0) return {};
    if (errno != EINTR) return lock_error("cannot lock", path, errno);
    if (interrupt != nullptr && interrupt->load())
      return Error(ErrorKind::kInterrupted, "interrupted while waiting for the kdpctl that uses the target");
  }
}

}  // namespace

struct TargetLock::Held {
  int fd = -1;
  ~Held() {
    if (fd >= 0) ::close(fd);  // closing the last descriptor of the open file releases the flock
  }
};

TargetLock::TargetLock(std::shared_ptr<Held> held) : held_(std::move(held)) {}
TargetLock::TargetLock(TargetLock&&) noexcept = default;
TargetLock& TargetLock::operator=(TargetLock&&) noexcept = default;
TargetLock::~TargetLock() = default;

std::string TargetLock::path_for(const std::string& state_path, const std::string& target) {
  std::string name = target;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return state_path + ".target-" + name + ".lock";
}

Expected<TargetLock> TargetLock::acquire(const std::string& state_path, const std::string& target,
                                         const std::string& holder, const std::atomic<bool>* interrupt,
                                         const std::function<void(const std::string&)>& on_wait) {
  const std::string path = path_for(state_path, target);
  Registry& r = registry();
  std::unique_lock<std::mutex> guard(r.mutex);
  if (auto shared = r.held[path].lock()) return TargetLock(std::move(shared));
  auto held = std::make_shared<Held>();
  held->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
  if (held->fd < 0) return lock_error("cannot open the lock file", path, errno);
  struct stat st {};
  if (::fstat(held->fd, &st) != 0) return lock_error("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return usage_error("the lock file " + path + " is not a regular file");
  if (::flock(held->fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return lock_error("cannot lock", path, errno);
    guard.unlock();  // other threads of this process may share or release their locks meanwhile
    if (on_wait) on_wait(read_holder(held->fd));
    KDP_TRY_STATUS(wait_for_lock(held->fd, path, interrupt));
    guard.lock();
  }
  write_holder(held->fd, holder);
  r.held[path] = held;
  return TargetLock(std::move(held));
}

}  // namespace kdp::cli
