#include "cli/agent/doorman.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace kdp::cli::agent {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kFirstFrameWait{5000};  // a connected client that sends nothing is dropped
constexpr milliseconds kLongestSleep{1000};

int poll_timeout(Clock::time_point now, Clock::time_point deadline) {
  if (deadline <= now) return 0;
  return static_cast<int>(std::chrono::duration_cast<milliseconds>(deadline - now).count()) + 1;
}

}  // namespace

Doorman::Doorman(int listener, std::string target, std::atomic<bool>& interrupt)
    : listener_(listener), target_(std::move(target)), interrupt_(interrupt) {
  if (::pipe(wake_) != 0) wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { run(); });
}

Doorman::~Doorman() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake();
  thread_.join();
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

void Doorman::wake() {
  if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
}

std::optional<Job> Doorman::next(milliseconds wait) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!queued_.wait_for(lock, wait, [this] { return !queue_.empty() || stopping_; }) || queue_.empty())
    return std::nullopt;
  const uint64_t id = queue_.front();
  queue_.pop_front();
  for (Connection& c : connections_) {
    if (c.id != id) continue;
    c.stage = Stage::kRunning;
    busy_ = true;
    return Job{c.id, c.fd.get(), c.release, c.request};
  }
  return std::nullopt;
}

void Doorman::finished(const Job& job) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    busy_ = false;
    for (Connection& c : connections_)
      if (c.id == job.id) c.stage = Stage::kDone;
  }
  wake();  // the thread closes it
}

Status Doorman::await_file_done(const Job& job) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    auto c = std::find_if(connections_.begin(), connections_.end(), [&](const Connection& x) { return x.id == job.id; });
    if (c == connections_.end() || c->hung_up) return Error(ErrorKind::kIo, "the client went away before it wrote the file");
    if (c->file_done) {
      const std::string problem = std::exchange(c->file_done, std::nullopt).value();
      if (problem.empty()) return {};
      return Error(ErrorKind::kIo, problem);
    }
    if (interrupt_) return Error(ErrorKind::kInterrupted, "interrupted before the file was written");
    file_done_.wait_for(lock, milliseconds(50));
  }
}

void Doorman::publish(SessionState session, Clock::time_point last_used) {
  std::lock_guard<std::mutex> lock(mutex_);
  session_ = session;
  last_used_ = last_used;
}

void Doorman::publish(SessionState session) {
  std::lock_guard<std::mutex> lock(mutex_);
  session_ = session;
}

AgentInfo Doorman::info() const {
  const auto idle = busy_ ? milliseconds(0) : std::chrono::duration_cast<milliseconds>(Clock::now() - last_used_);
  return AgentInfo{static_cast<uint32_t>(::getpid()), static_cast<uint64_t>(idle.count()), session_, target_};
}

void Doorman::run() {
  std::vector<pollfd> fds;
  std::vector<uint64_t> ids;
  for (;;) {
    fds.clear();
    ids.clear();
    Clock::time_point deadline = Clock::now() + kLongestSleep;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
      connections_.remove_if([](const Connection& c) { return c.stage == Stage::kDone; });
      for (const Connection& c : connections_) {
        if (c.hung_up) continue;
        fds.push_back({c.fd.get(), POLLIN, 0});
        ids.push_back(c.id);
        if (c.stage == Stage::kFirstFrame) deadline = std::min(deadline, c.since + kFirstFrameWait);
      }
    }
    fds.push_back({listener_, POLLIN, 0});
    fds.push_back({wake_[0], POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), wake_[0] >= 0 ? poll_timeout(Clock::now(), deadline) : 20);
    if (ready < 0) continue;
    if (fds.back().revents != 0) {
      char drain[64];
      (void)!::read(wake_[0], drain, sizeof drain);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (fds[i].revents == 0) continue;
      for (auto it = connections_.begin(); it != connections_.end(); ++it) {
        if (it->id != ids[i]) continue;
        if (!read_from(*it)) {
          if (it->stage == Stage::kRunning) {
            it->hung_up = true;  // the agent still writes (and fails) until it is done
            interrupt_ = true;
            file_done_.notify_all();
          } else {
            std::erase(queue_, it->id);
            connections_.erase(it);
          }
        }
        break;
      }
    }
    const auto now = Clock::now();
    connections_.remove_if(
        [&](const Connection& c) { return c.stage == Stage::kFirstFrame && now - c.since >= kFirstFrameWait; });
    if (fds[fds.size() - 2].revents != 0) accept_one();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.clear();
  // A running command's connection is the agent's until it finishes; the rest close now.
  connections_.remove_if([](const Connection& c) { return c.stage != Stage::kRunning; });
}

void Doorman::accept_one() {
  auto client = accept_unix(listener_);
  if (!client) return;
  if (!check_peer(client->get(), ::geteuid())) return;  // another user: not a word
  Connection c;
  c.id = next_id_++;
  c.fd = std::move(*client);
  c.since = Clock::now();
  connections_.push_back(std::move(c));
}

bool Doorman::read_from(Connection& c) {
  auto bytes = read_some(c.fd.get());
  if (!bytes || bytes->empty()) return false;
  c.reader.feed(*bytes);
  for (;;) {
    auto frame = c.reader.next();
    if (!frame) return false;  // malformed: the connection is dropped
    if (!*frame) return true;
    if (c.stage == Stage::kRunning) {
      if ((*frame)->type == FrameType::kInterrupt) interrupt_ = true;
      if ((*frame)->type == FrameType::kFileDone) c.file_done = std::string((*frame)->payload.begin(), (*frame)->payload.end());
      file_done_.notify_all();
      continue;
    }
    if (c.stage != Stage::kFirstFrame) continue;  // a queued client has nothing more to say
    if (!handle_first_frame(c, **frame)) return false;
  }
}

bool Doorman::handle_first_frame(Connection& c, const Frame& frame) {
  if (frame.type == FrameType::kStatus) {
    (void)write_all(c.fd.get(), encode_info(info()));
    return false;
  }
  if (frame.type == FrameType::kRequest) {
    auto request = decode_request(frame.payload);
    if (!request) {
      (void)write_all(c.fd.get(), encode_text_frame(FrameType::kErr, "kdpctl agent: " + request.error().message() + "\n"));
      (void)write_all(c.fd.get(), encode_exit(1));
      return false;
    }
    c.request = std::move(request).value();
  } else if (frame.type != FrameType::kRelease) {
    return false;
  }
  c.release = frame.type == FrameType::kRelease;
  // Said at once, so the client waits for its turn however long the commands ahead (or the
  // agent's check of its kernel) take, instead of taking a quiet agent for a hung one.
  const size_t ahead = queue_.size() + (busy_ ? 1 : 0);
  (void)write_all(c.fd.get(), encode_text_frame(FrameType::kWaiting, std::to_string(ahead) + " ahead"));
  c.stage = Stage::kQueued;
  queue_.push_back(c.id);
  queued_.notify_one();
  return true;
}

}  // namespace kdp::cli::agent
