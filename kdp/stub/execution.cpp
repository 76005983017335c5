// Leaving and re-entering the debugger (xnu kdp_raise_exception) and the scripted "CPU".
#include "kdp/stub/stub_engine.h"

#include <algorithm>
#include <utility>

#include "kdp/wire/names.h"

namespace kdp::stub {
namespace {

constexpr uint32_t kExcBreakpoint = 6, kExcI386BptFlt = 3;

}  // namespace

void StubEngine::leave_debugger(Time now) {
  if (!session_.connected) {
    breakpoints_.remove_all(memory_);
    log("Remote debugger disconnected.");
  }
  if (reattach_wait_)
    enter_waiting();  // REATTACH, or DISCONNECT after DUMPINFO NORESUME: stay stopped
  else
    start_running(now);
}

void StubEngine::enter_waiting() {
  state_ = State::kWaiting;
  expected_seq_ = 0;
  reattach_wait_ = false;
  boot_done_.reset();
  next_step_.reset();
  stop_at_.reset();
  notification_.reset();
  log("Waiting for remote debugger connection.");
}

void StubEngine::disconnect_session() { session_ = Session{}; }

void StubEngine::start_running(Time now) {
  state_ = State::kRunning;
  locate_cursor();
  bool single_step = (registers_.rflags() & wire::X86ThreadState64::kTrapFlag) != 0;
  bool walking = !script_.path.empty() && !idle_;
  next_step_.reset();
  if (walking || single_step) next_step_ = now + script_.step;
  if (script_.stop_after_resume) stop_at_ = now + *script_.stop_after_resume;
  log("kdp-sim: kernel running from rip " + hex(registers_.rip()) + (single_step ? " (single step)" : ""));
}

void StubEngine::locate_cursor() {
  const auto& path = script_.path;
  if (path.empty()) return;
  uint64_t rip = registers_.rip();
  if (path[cursor_] == rip) return;
  if (auto it = std::find(path.begin(), path.end(), rip); it != path.end()) {
    cursor_ = static_cast<size_t>(it - path.begin());
    idle_ = false;
    return;
  }
  // One past an element: stopped on an int3 there and resumed without rewinding RIP.
  if (rip == path[cursor_] + 1 && !idle_) {
    if (cursor_ + 1 < path.size())
      ++cursor_;
    else if (script_.loop)
      cursor_ = 0;
  }
  // Anywhere else: the script continues where it left off.
}

void StubEngine::step(Time at) {
  const auto& path = script_.path;
  if (!path.empty() && !idle_) {
    uint64_t address = path[cursor_];
    if (memory_.byte_at(address) == kBreakInstruction) {
      registers_.rip() = address + 1;  // int3 leaves RIP after itself
      trap(kExcBreakpoint, kExcI386BptFlt, 0, at);
      return;
    }
    if (cursor_ + 1 < path.size())
      ++cursor_;
    else if (script_.loop)
      cursor_ = 0;
    else
      idle_ = true;
    registers_.rip() = path[cursor_];
  }
  if (registers_.rflags() & wire::X86ThreadState64::kTrapFlag) {
    trap(kExcBreakpoint, kExcI386BptFlt, 0, at);  // T_DEBUG is reported like a breakpoint
    return;
  }
  next_step_.reset();
  if (!path.empty() && !idle_) next_step_ = at + script_.step;
}

void StubEngine::trap(uint32_t exception, uint32_t code, uint32_t subcode, Time now) {
  if (state_ != State::kRunning) {
    log("kdp-sim: trap " + wire::exception_name(exception) + " ignored: the kernel is already stopped");
    return;
  }
  next_step_.reset();
  stop_at_.reset();
  log("kdp-sim: kernel stopped: " + wire::exception_name(exception) + " code " + hex(code) +
      " subcode " + hex(subcode) + " at rip " + hex(registers_.rip()));
  if (!session_.connected) {  // no notification for a stop nobody is attached to
    enter_waiting();
    return;
  }
  state_ = State::kAwaitingAck;
  notification_ = Notification{wire::ExceptionInfo{0, exception, code, subcode}};
  send_notification(now);
}

void StubEngine::reboot(Time now) {
  ++stats_.reboots;
  log("kdp: HOSTREBOOT: restarting the simulated machine");
  breakpoints_.remove_all(memory_);
  session_ = Session{};
  cached_reply_.reset();
  registers_ = boot_registers_;
  cursor_ = 0;
  idle_ = false;
  noresume_on_disconnect_ = false;
  if (installed_version_) config_.kernel_version = *std::exchange(installed_version_, std::nullopt);
  if (config_.boot_time <= Duration::zero()) return enter_waiting();
  state_ = State::kBooting;
  next_step_.reset();
  stop_at_.reset();
  notification_.reset();
  boot_done_ = now + config_.boot_time;
}

}  // namespace kdp::stub
