// The session agent's pieces that need no kernel: the frame codec (untrusted input from the
// socket), the private runtime directory, socket permissions and the same-user peer check.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "cli/agent/frames.h"
#include "cli/agent/unix_socket.h"
#include "tests/cli/e2e_support.h"

using namespace kdp;
using namespace kdp::cli::agent;
using kdp::cli::test::TempDir;

namespace {

Bytes be32(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

// A frame written byte by byte from the format in frames.h, independent of encode_frame.
Bytes hand_frame(uint8_t type, const Bytes& payload) {
  Bytes out = be32(static_cast<uint32_t>(payload.size() + 1));
  out.push_back(type);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Expected<std::optional<Frame>> read_one(const Bytes& bytes) {
  FrameReader reader;
  reader.feed(bytes);
  return reader.next();
}

}  // namespace

TEST_CASE("agent frames: a request built by hand decodes to its argv and cwd") {
  const Bytes payload = cat({{1}, be32(2), be32(6), text("kdpctl"), be32(4), text("regs"), be32(4), text("/tmp")});
  auto frame = read_one(hand_frame(1, payload));
  REQUIRE(frame);
  REQUIRE(*frame);
  CHECK((*frame)->type == FrameType::kRequest);
  auto request = decode_request((*frame)->payload);
  REQUIRE(request);
  CHECK(request->argv == std::vector<std::string>{"kdpctl", "regs"});
  CHECK(request->cwd == "/tmp");
  CHECK_FALSE(request->stderr_terminal);  // an older client's request: no flags byte
  CHECK(encode_request(*request) == hand_frame(1, cat({payload, {0}})));
}

TEST_CASE("agent frames: the request's flags byte says whether the client's stderr is a terminal") {
  const Bytes payload = cat({{1}, be32(1), be32(4), text("dump"), be32(1), text("/"), {1}});
  auto request = decode_request(payload);
  REQUIRE(request);
  CHECK(request->stderr_terminal);
  CHECK(encode_request(*request) == hand_frame(1, payload));
  CHECK_FALSE(decode_request(cat({{1}, be32(1), be32(4), text("dump"), be32(1), text("/"), {2}})));  // unknown flag
  CHECK_FALSE(decode_request(cat({{1}, be32(1), be32(4), text("dump"), be32(1), text("/"), {1, 0}})));  // then more
}

TEST_CASE("agent frames: split deliveries wait for the whole frame; two frames come out in order") {
  const Bytes both = cat({hand_frame(18, text("out")), hand_frame(20, be32(3))});
  FrameReader reader;
  reader.feed(ByteView(both).first(6));
  auto none = reader.next();
  REQUIRE(none);
  CHECK_FALSE(*none);
  reader.feed(ByteView(both).subspan(6));
  auto first = reader.next();
  REQUIRE((first && *first));
  CHECK((*first)->type == FrameType::kOut);
  CHECK((*first)->payload == text("out"));
  auto second = reader.next();
  REQUIRE((second && *second));
  CHECK(decode_exit((*second)->payload).value() == 3);
}

TEST_CASE("agent frames: malformed input is an error, never a crash") {
  CHECK_FALSE(read_one(hand_frame(99, {})));                    // unknown type
  CHECK_FALSE(read_one(cat({be32(0), {1}})));                   // zero length
  CHECK_FALSE(read_one(cat({be32(kMaxFrame + 1), {1}})));       // too long
  CHECK_FALSE(decode_request(cat({{2}, be32(1), be32(1), text("x"), be32(0)})));  // version 2
  CHECK_FALSE(decode_request(cat({{1}, be32(0), be32(0)})));                      // no argv
  CHECK_FALSE(decode_request(cat({{1}, be32(1), be32(100), text("x")})));         // string past the end
  CHECK_FALSE(decode_request(cat({{1}, be32(1), be32(1), text("x"), be32(0), {7}})));  // trailing byte
  CHECK_FALSE(decode_request(cat({{1}, be32(0xffffffff)})));                     // absurd argc
  CHECK_FALSE(decode_exit(be32(256)));
  CHECK_FALSE(decode_exit(Bytes{0, 0}));
  CHECK_FALSE(decode_info(cat({be32(1), Bytes(8, 0), {3}, be32(0)})));  // session state 3
  AgentInfo info{42, 1500, SessionState::kRunning, "macvm:41139"};
  auto frame = read_one(encode_info(info));
  REQUIRE((frame && *frame));
  auto back = decode_info((*frame)->payload);
  REQUIRE(back);
  CHECK(back->pid == 42);
  CHECK(back->idle_ms == 1500);
  CHECK(back->session == SessionState::kRunning);
  CHECK(back->target == "macvm:41139");
}

TEST_CASE("agent runtime directory: private, and refused when others can enter it") {
  TempDir tmp;
  const std::string dir = tmp.file("run");
  ::setenv("KDPCTL_RUNTIME_DIR", dir.c_str(), 1);
  auto made = runtime_dir();
  REQUIRE(made);
  struct stat st {};
  REQUIRE(::stat(dir.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  ::chmod(dir.c_str(), 0755);
  CHECK_FALSE(runtime_dir());
  const std::string link = tmp.file("link");
  REQUIRE(::symlink(tmp.path().c_str(), link.c_str()) == 0);
  ::setenv("KDPCTL_RUNTIME_DIR", link.c_str(), 1);
  CHECK_FALSE(runtime_dir());  // a symlink is not our directory
  ::unsetenv("KDPCTL_RUNTIME_DIR");
}

TEST_CASE("agent socket: mode 0600, the peer is this user, a regular file is never replaced") {
  TempDir tmp;
  const std::string path = tmp.file("a.sock");
  auto listener = listen_unix(path);
  REQUIRE(listener);
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0600);
  auto client = connect_unix(path, std::chrono::milliseconds(1000));
  REQUIRE(client);
  auto served = accept_unix(listener->get());
  REQUIRE(served);
  CHECK(peer_uid(served->get()).value() == ::geteuid());
  CHECK(peer_uid(client->get()).value() == ::geteuid());
  CHECK(check_peer(served->get(), ::geteuid()));
  CHECK_FALSE(check_peer(served->get(), ::geteuid() + 1));

  listener->reset();
  auto stale = connect_unix(path, std::chrono::milliseconds(1000));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().message() == "refused");  // how a client recognizes a dead agent

  const std::string file = tmp.file("plain");
  std::ofstream(file) << "keep me";
  CHECK_FALSE(listen_unix(file));
  std::ifstream in(file);
  std::string kept;
  std::getline(in, kept);
  CHECK(kept == "keep me");
}

TEST_CASE("agent socket: another user cannot connect (root only: a setuid child tries)") {
  if (::geteuid() != 0) {
    MESSAGE("skipped: needs root to run a child as another user (the peer check is tested above)");
    return;
  }
  TempDir tmp;
  const std::string dir = tmp.file("run");
  ::setenv("KDPCTL_RUNTIME_DIR", dir.c_str(), 1);
  REQUIRE(runtime_dir());
  ::unsetenv("KDPCTL_RUNTIME_DIR");
  const std::string path = socket_path(dir, "127.0.0.1:41139");
  auto listener = listen_unix(path);
  REQUIRE(listener);
  ::chmod(tmp.path().c_str(), 0755);  // the temporary parent is not what protects the socket
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    auto fd = connect_unix(path, std::chrono::milliseconds(1000));
    ::_exit(fd ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);  // refused by the 0700 directory and the 0600 socket
}
