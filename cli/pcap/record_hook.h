// The two places kdpctl's sessions meet captures, kept out of session_open.cpp:
//   --record FILE: every session of the command wraps its transport in a RecordingTransport
//     writing to one capture (opened by the first session, so a session that starts over keeps
//     appending to it);
//   --replay FILE: the session comes from the capture (replay_session.h), no network at all.
#pragma once

#include <memory>
#include <optional>

#include "kdp/client/session.h"
#include "cli/invocation.h"

namespace kdp::cli {

// Sets options.wrap_transport when --record was given.
void add_recording(const Invocation& inv, client::SessionOptions& options);

// The replay session when --replay was given, else nullopt (then open a live session).
std::optional<Expected<std::unique_ptr<client::Session>>> replay_session_if_requested(const Invocation& inv);

}  // namespace kdp::cli
