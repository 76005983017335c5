// kdp-sim --quirks lldbagility: the departures from xnu of quarkslab/LLDBagility's kdpserver.py
// (read in its source: no MAXBYTES handler, no sequence check, `assert not connected` in its
// REATTACH handler), each against what xnu does in the same place.
#include "tests/stub/harness.h"

using namespace kdp;
using namespace kdp::stub;
using namespace kdp::stub::testing;

namespace {

TargetConfig lldbagility() {
  TargetConfig config;
  config.quirks = kLldbagilityQuirks;
  return config;
}

}  // namespace

TEST_CASE("lldbagility quirks: MAXBYTES goes unanswered (xnu answers it)") {
  Harness xnu;
  xnu.connect();
  CHECK(xnu.send(request(Command::kMaxBytes, 1)).size() == 1);
  Harness stub(lldbagility());
  stub.connect();
  CHECK(stub.send(request(Command::kMaxBytes, 1)).empty());
  CHECK(stub.send(request(Command::kVersion, 1)).size() == 1);  // the next request is served as usual
}

TEST_CASE("lldbagility quirks: any seq is served, a retransmission runs again (xnu drops or replays)") {
  Harness stub(lldbagility());
  stub.connect();
  auto out = stub.send(request(Command::kReadMem64, 77, wire::MemReadRequest{kText, 16}));
  REQUIRE(out.size() == 1);
  CHECK(decode_ok(out[0].bytes).header.seq == 77);
  CHECK(stub.send(request(Command::kHostInfo, 77)).size() == 1);
  CHECK(stub.engine.stats().replayed_replies == 0);
  Harness xnu;
  xnu.connect();
  CHECK(xnu.send(request(Command::kReadMem64, 77, wire::MemReadRequest{kText, 16})).empty());
  CHECK(xnu.engine.stats().out_of_sequence == 1);
}

TEST_CASE("lldbagility quirks: REATTACH is ignored while connected; any CONNECT connects again") {
  Harness stub(lldbagility());
  stub.connect(stub.debugger, 0x1111);
  CHECK(stub.send(request(Command::kReattach, 0, wire::ReattachRequest{stub.debugger.port})).empty());
  CHECK(stub.engine.connected());
  CHECK(stub.log_contains("REATTACH while connected: ignored"));
  // xnu would refuse this one (another key): KDPERR_ALREADY_CONNECTED.
  Packet again = stub.exchange(request(Command::kConnect, 5, wire::ConnectRequest{stub.debugger.port, stub.debugger.port, "x"}, 0x2222));
  CHECK(std::get<wire::ErrorReply>(again.body).error == 0);
  CHECK(stub.engine.connected());
  // Not connected, REATTACH is answered as xnu does.
  Harness waiting(lldbagility());
  CHECK(waiting.send(request(Command::kReattach, 0, wire::ReattachRequest{waiting.debugger.port})).size() == 1);
}
