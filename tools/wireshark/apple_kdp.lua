-- Wireshark/tshark dissector for Apple's Kernel Debugger Protocol (KDP) on UDP 41139 (preference
-- apple_kdp.port), and on any other port through a heuristic (a simulator's or a forwarded port),
-- as the xnu-1699 (Mac OS X 10.7) kernel speaks it. Field names follow kdp_protocol.h; the layouts are
-- those of kdpctl's spec (docs/kdp-protocol.md §2-§3). Wireshark's own "kdp" is an unrelated
-- protocol, hence "apple_kdp".
--
-- Use: wireshark -X lua_script:tools/wireshark/apple_kdp.lua capture.pcap
--      tshark -X lua_script:tools/wireshark/apple_kdp.lua -r capture.pcap -V
--      tshark -X lua_script:tools/wireshark/apple_kdp.lua -o apple_kdp.port:5000 -r capture.pcap
-- or copy this file into ~/.local/lib/wireshark/plugins/.
--
-- Every read is bounded by the datagram's length, so a short or damaged packet gets an expert
-- note instead of a Lua error. Retransmitted requests (the same bytes as the previous request)
-- and repeated replies and notifications are flagged with expert info.

local KDP_PORT = 41139

local p = Proto("apple_kdp", "XNU KDP (Apple Kernel Debugger Protocol)")

local commands = {
  [0x00] = "KDP_CONNECT", [0x01] = "KDP_DISCONNECT", [0x02] = "KDP_HOSTINFO", [0x03] = "KDP_VERSION",
  [0x04] = "KDP_MAXBYTES", [0x05] = "KDP_READMEM", [0x06] = "KDP_WRITEMEM", [0x07] = "KDP_READREGS",
  [0x08] = "KDP_WRITEREGS", [0x09] = "KDP_LOAD", [0x0a] = "KDP_IMAGEPATH", [0x0b] = "KDP_SUSPEND",
  [0x0c] = "KDP_RESUMECPUS", [0x0d] = "KDP_EXCEPTION", [0x0e] = "KDP_TERMINATION",
  [0x0f] = "KDP_BREAKPOINT_SET", [0x10] = "KDP_BREAKPOINT_REMOVE", [0x11] = "KDP_REGIONS",
  [0x12] = "KDP_REATTACH", [0x13] = "KDP_HOSTREBOOT", [0x14] = "KDP_READMEM64", [0x15] = "KDP_WRITEMEM64",
  [0x16] = "KDP_BREAKPOINT64_SET", [0x17] = "KDP_BREAKPOINT64_REMOVE", [0x18] = "KDP_KERNELVERSION",
  [0x19] = "KDP_READPHYSMEM64", [0x1a] = "KDP_WRITEPHYSMEM64", [0x1b] = "KDP_READIOPORT",
  [0x1c] = "KDP_WRITEIOPORT", [0x1d] = "KDP_READMSR64", [0x1e] = "KDP_WRITEMSR64", [0x1f] = "KDP_DUMPINFO",
}
local errors = {
  [0] = "KDPERR_NO_ERROR", [1] = "KDPERR_ALREADY_CONNECTED", [2] = "KDPERR_BAD_NBYTES",
  [3] = "KDPERR_BADFLAVOR", [4] = "KDPERR_BAD_ACCESS", [100] = "KDPERR_MAX_BREAKPOINTS",
  [101] = "KDPERR_BREAKPOINT_NOT_FOUND", [102] = "KDPERR_BREAKPOINT_ALREADY_SET",
}
local flavors = { [4] = "x86_THREAD_STATE64", [5] = "x86_FLOAT_STATE64", [6] = "x86_EXCEPTION_STATE64" }
local exceptions = {
  [1] = "EXC_BAD_ACCESS", [2] = "EXC_BAD_INSTRUCTION", [3] = "EXC_ARITHMETIC", [4] = "EXC_EMULATION",
  [5] = "EXC_SOFTWARE", [6] = "EXC_BREAKPOINT", [7] = "EXC_SYSCALL", [8] = "EXC_MACH_SYSCALL",
  [9] = "EXC_RPC_ALERT", [10] = "EXC_CRASH",
}
local term_codes = { [0] = "KDP_FAULT", [1] = "KDP_EXIT", [2] = "KDP_POWEROFF", [3] = "KDP_REBOOT", [4] = "KDP_COMMAND_MODE" }
local dump_types = {
  [0x0] = "KDP_DUMPINFO_GETINFO", [0x1] = "KDP_DUMPINFO_SETINFO", [0x100] = "KDP_DUMPINFO_DUMP",
  [0x102] = "KDP_DUMPINFO_CORE", [0x103] = "KDP_DUMPINFO_PANICLOG", [0x104] = "KDP_DUMPINFO_SYSTEMLOG",
  [0x105] = "KDP_DUMPINFO_DISABLE",
}
local registers = { "rax", "rbx", "rcx", "rdx", "rdi", "rsi", "rbp", "rsp", "r8", "r9", "r10", "r11", "r12",
                    "r13", "r14", "r15", "rip", "rflags", "cs", "fs", "gs" }

local f = {}
local function field(name, ctor, label, ...)
  f[name] = ctor("apple_kdp." .. name, label, ...)
end
-- Header
field("request", ProtoField.uint8, "Request", base.HEX, commands, 0x7f)
field("is_reply", ProtoField.bool, "Is reply", 8, nil, 0x80)
field("command", ProtoField.string, "Command")
field("seq", ProtoField.uint8, "Sequence", base.DEC)
field("len", ProtoField.uint16, "Length", base.DEC)
field("key", ProtoField.uint32, "Session key", base.HEX)
-- Bodies
field("req_reply_port", ProtoField.uint16, "Reply port", base.DEC)
field("exc_note_port", ProtoField.uint16, "Exception port", base.DEC)
field("greeting", ProtoField.stringz, "Greeting")
field("error", ProtoField.uint32, "Error", base.DEC, errors)
field("address", ProtoField.uint64, "Address", base.HEX)
field("address32", ProtoField.uint32, "Address", base.HEX)
field("nbytes", ProtoField.uint32, "Byte count", base.DEC)
field("nbytes16", ProtoField.uint16, "Byte count", base.DEC)
field("lcpu", ProtoField.uint16, "Logical CPU", base.HEX)
field("data", ProtoField.bytes, "Data")
field("cpu", ProtoField.uint32, "CPU", base.DEC)
field("flavor", ProtoField.uint32, "Flavor", base.DEC, flavors)
field("state", ProtoField.bytes, "Thread state")
for _, r in ipairs(registers) do field("reg." .. r, ProtoField.uint64, r, base.HEX) end
field("file_args", ProtoField.stringz, "File arguments")
field("cpu_mask", ProtoField.uint32, "CPU mask", base.HEX)
field("cpus_mask", ProtoField.uint32, "CPUs mask", base.HEX)
field("cpu_type", ProtoField.uint32, "CPU type", base.HEX)
field("cpu_subtype", ProtoField.uint32, "CPU subtype", base.DEC)
field("version", ProtoField.uint32, "Protocol version", base.DEC)
field("feature", ProtoField.uint32, "Features", base.HEX)
field("pad0", ProtoField.uint32, "Padding 0 (unspecified)", base.HEX)
field("pad1", ProtoField.uint32, "Padding 1 (unspecified)", base.HEX)
field("max_bytes", ProtoField.uint32, "Max bytes", base.DEC)
field("n_exc_info", ProtoField.uint32, "Exception count", base.DEC)
field("exc_cpu", ProtoField.uint32, "Exception CPU", base.DEC)
field("exception", ProtoField.uint32, "Exception", base.DEC, exceptions)
field("code", ProtoField.uint32, "Code", base.DEC)
field("subcode", ProtoField.uint32, "Subcode", base.HEX)
field("term_code", ProtoField.uint32, "Termination code", base.DEC, term_codes)
field("exit_code", ProtoField.uint32, "Exit code", base.DEC)
field("nregions", ProtoField.uint32, "Region count", base.DEC)
field("region_address", ProtoField.uint32, "Region address", base.HEX)
field("region_nbytes", ProtoField.uint32, "Region size", base.HEX)
field("protection", ProtoField.uint32, "Protection", base.HEX)
field("path", ProtoField.stringz, "Image path")
field("kernel_version", ProtoField.stringz, "Kernel version")
field("ioport", ProtoField.uint16, "I/O port", base.HEX)
field("msr", ProtoField.uint32, "MSR", base.HEX)
field("value", ProtoField.uint64, "Value", base.HEX)
field("dump_name", ProtoField.string, "Core file name")
field("destip", ProtoField.string, "Destination IP")
field("routerip", ProtoField.string, "Router IP")
field("dump_port", ProtoField.uint32, "kdumpd port", base.DEC)
field("dump_type", ProtoField.uint32, "Dump type", base.HEX)
field("retransmission", ProtoField.bool, "Retransmission")
field("duplicate", ProtoField.bool, "Duplicate")
local fields = {}
for _, v in pairs(f) do fields[#fields + 1] = v end
p.fields = fields

local ef = {
  retransmission = ProtoExpert.new("apple_kdp.retransmission", "Retransmitted request",
                                   expert.group.SEQUENCE, expert.severity.NOTE),
  duplicate = ProtoExpert.new("apple_kdp.duplicate", "Repeated reply or notification",
                              expert.group.SEQUENCE, expert.severity.NOTE),
  short = ProtoExpert.new("apple_kdp.short", "Datagram shorter than its layout",
                          expert.group.MALFORMED, expert.severity.WARN),
  len_mismatch = ProtoExpert.new("apple_kdp.len_mismatch", "Header length differs from the datagram size",
                                 expert.group.PROTOCOL, expert.severity.NOTE),
}
p.experts = { ef.retransmission, ef.duplicate, ef.short, ef.len_mismatch }

-- A bounded reader over the datagram: each call adds one field, or notes the shortfall once.
local Reader = {}
Reader.__index = Reader
local function reader(buf, tree) return setmetatable({ buf = buf, tree = tree, at = 8, short = false }, Reader) end
function Reader:room(n)
  if self.at + n <= self.buf:len() then return true end
  if not self.short then
    self.tree:add_proto_expert_info(ef.short)
    self.short = true
  end
  return false
end
function Reader:le(name, n)
  if not self:room(n) then return nil end
  local range = self.buf(self.at, n)
  self.tree:add_le(f[name], range)
  self.at = self.at + n
  return n == 8 and range:le_uint64() or range:le_uint()
end
function Reader:be(name, n)
  if not self:room(n) then return nil end
  self.tree:add(f[name], self.buf(self.at, n))
  self.at = self.at + n
end
function Reader:rest(name)
  local n = self.buf:len() - self.at
  if n > 0 then self.tree:add(f[name], self.buf(self.at, n)) end
  self.at = self.buf:len()
  return n
end
function Reader:cstring(name)
  local n = self.buf:len() - self.at
  if n <= 0 then return self:room(1) end
  self.tree:add(f[name], self.buf(self.at, n))
  self.at = self.buf:len()
end
function Reader:fixed(name, n)
  if not self:room(n) then return end
  self.tree:add(f[name], self.buf(self.at, n), self.buf(self.at, n):stringz())
  self.at = self.at + n
end
function Reader:registers()
  local n = self.buf:len() - self.at
  if n ~= 168 then return self:rest("state") end
  local sub = self.tree:add(f.state, self.buf(self.at, n))
  for i, r in ipairs(registers) do sub:add_le(f["reg." .. r], self.buf(self.at + (i - 1) * 8, 8)) end
  self.at = self.at + n
end

local function dumpinfo(r)
  r:fixed("dump_name", 50); r:fixed("destip", 16); r:fixed("routerip", 16)
  r:le("dump_port", 4); r:le("dump_type", 4)
end

-- Request bodies by code.
local request_body = {
  [0x00] = function(r) r:be("req_reply_port", 2); r:be("exc_note_port", 2); r:cstring("greeting") end,
  [0x05] = function(r) r:le("address32", 4); r:le("nbytes", 4) end,
  [0x06] = function(r) r:le("address32", 4); r:le("nbytes", 4); r:rest("data") end,
  [0x07] = function(r) r:le("cpu", 4); r:le("flavor", 4) end,
  [0x08] = function(r)
    r:le("cpu", 4)
    if r:le("flavor", 4) == 4 then r:registers() else r:rest("state") end
  end,
  [0x09] = function(r) r:cstring("file_args") end,
  [0x0c] = function(r) r:le("cpu_mask", 4) end,
  [0x0d] = function(r)
    local n = r:le("n_exc_info", 4) or 0
    for _ = 1, math.min(n, 64) do
      r:le("exc_cpu", 4); r:le("exception", 4); r:le("code", 4); r:le("subcode", 4)
    end
  end,
  [0x0e] = function(r) r:le("term_code", 4); r:le("exit_code", 4) end,
  [0x0f] = function(r) r:le("address32", 4) end,
  [0x10] = function(r) r:le("address32", 4) end,
  [0x12] = function(r) r:be("req_reply_port", 2) end,
  [0x14] = function(r) r:le("address", 8); r:le("nbytes", 4) end,
  [0x15] = function(r) r:le("address", 8); r:le("nbytes", 4); r:rest("data") end,
  [0x16] = function(r) r:le("address", 8) end,
  [0x17] = function(r) r:le("address", 8) end,
  [0x19] = function(r) r:le("address", 8); r:le("nbytes", 4); r:le("lcpu", 2) end,
  [0x1a] = function(r) r:le("address", 8); r:le("nbytes", 4); r:le("lcpu", 2); r:rest("data") end,
  [0x1b] = function(r) r:le("lcpu", 2); r:le("ioport", 2); r:le("nbytes16", 2) end,
  [0x1c] = function(r) r:le("lcpu", 2); r:le("ioport", 2); r:le("nbytes16", 2); r:rest("data") end,
  [0x1d] = function(r) r:le("msr", 4); r:le("lcpu", 2) end,
  [0x1e] = function(r) r:le("msr", 4); r:le("lcpu", 2); r:le("value", 8) end,
  [0x1f] = dumpinfo,
}

local function error_only(r) r:le("error", 4) end
local function error_and_data(r) r:le("error", 4); r:rest("data") end
-- Reply bodies by code; codes absent here have header-only replies (DISCONNECT, SUSPEND,
-- RESUMECPUS, REATTACH, the exception ack).
local reply_body = {
  [0x00] = error_only, [0x06] = error_only, [0x08] = error_only, [0x09] = error_only,
  [0x0f] = error_only, [0x10] = error_only, [0x15] = error_only, [0x16] = error_only,
  [0x17] = error_only, [0x1a] = error_only, [0x1c] = error_only, [0x1e] = error_only,
  [0x02] = function(r) r:le("cpus_mask", 4); r:le("cpu_type", 4); r:le("cpu_subtype", 4) end,
  [0x03] = function(r) r:le("version", 4); r:le("feature", 4); r:le("pad0", 4); r:le("pad1", 4) end,
  [0x04] = function(r) r:le("max_bytes", 4) end,
  [0x05] = error_and_data, [0x14] = error_and_data, [0x19] = error_and_data, [0x1b] = error_and_data,
  [0x07] = function(r)
    r:le("error", 4)
    if r.buf:len() - r.at == 168 then r:registers() else r:rest("data") end
  end,
  [0x0a] = function(r) r:cstring("path") end,
  [0x11] = function(r)
    local n = r:le("nregions", 4) or 0
    for _ = 1, math.min(n, 64) do r:le("region_address", 4); r:le("region_nbytes", 4); r:le("protection", 4) end
  end,
  [0x18] = function(r) r:cstring("kernel_version") end,
  [0x1d] = function(r) r:le("error", 4); if r.buf:len() - r.at >= 8 then r:le("value", 8) end end,
  [0x1f] = dumpinfo,
}

-- Retransmission bookkeeping, computed on the first (in-order) pass and remembered per frame.
local recent_requests = {}      -- bytes of the last 16 requests (a client may keep two in flight)
local answered = {}             -- "code:seq" -> count of replies since that request was sent
local last_notification = nil
local marks = {}                -- frame number -> "retransmission" | "duplicate"

function p.init()
  recent_requests, answered, last_notification, marks = {}, {}, nil, {}
end

local function classify(pinfo, bytes, code, is_reply, to_target)
  if pinfo.visited then return marks[pinfo.number] end
  local key = code .. ":" .. bytes:byte(2)
  local mark = nil
  if to_target and not is_reply then
    for _, earlier in ipairs(recent_requests) do
      if earlier == bytes then mark = "retransmission" end
    end
    if not mark then
      answered[key] = 0
      table.insert(recent_requests, bytes)
      if #recent_requests > 16 then table.remove(recent_requests, 1) end
    end
  elseif not to_target and is_reply then
    answered[key] = (answered[key] or 0) + 1
    if answered[key] > 1 then mark = "duplicate" end
  elseif not to_target and (code == 0x0d or code == 0x0e) then
    if bytes == last_notification then mark = "duplicate" end
    last_notification = bytes
  end
  marks[pinfo.number] = mark
  return mark
end

function p.dissector(buf, pinfo, tree)
  if buf:len() < 8 then return 0 end
  pinfo.cols.protocol = "XNU KDP"
  local first = buf(0, 1):uint()
  local code, is_reply = bit.band(first, 0x7f), bit.band(first, 0x80) ~= 0
  local name = commands[code] or string.format("KDP_UNKNOWN(0x%02x)", code)
  local subtree = tree:add(p, buf(), "XNU KDP, " .. name .. (is_reply and " reply" or ""))
  subtree:add(f.request, buf(0, 1))
  subtree:add(f.is_reply, buf(0, 1))
  subtree:add(f.command, buf(0, 1), name)
  subtree:add(f.seq, buf(1, 1))
  local len_item = subtree:add_le(f.len, buf(2, 2))
  subtree:add_le(f.key, buf(4, 4))
  if buf(2, 2):le_uint() ~= buf:len() then len_item:add_proto_expert_info(ef.len_mismatch) end

  -- The kernel's port is the one this dissector was registered or "decoded as" for.
  local to_target
  if pinfo.match_uint == p.prefs.port then
    to_target = pinfo.dst_port == pinfo.match_uint
  else
    -- Found by the heuristic: the debugger sends requests and acknowledges notifications.
    to_target = (not is_reply) ~= (code == 0x0d or code == 0x0e)
  end
  local mark = classify(pinfo, buf:raw(), code, is_reply, to_target)
  if mark == "retransmission" then
    subtree:add(f.retransmission, true):set_generated()
    subtree:add_proto_expert_info(ef.retransmission)
  elseif mark == "duplicate" then
    subtree:add(f.duplicate, true):set_generated()
    subtree:add_proto_expert_info(ef.duplicate)
  end

  -- An exception ack is header-only whatever its len says (LLDB sends 28 on 8 bytes).
  local body = is_reply and reply_body[code] or (not is_reply and request_body[code])
  if body and not (is_reply and code == 0x0d) then body(reader(buf, subtree)) end

  local info = name .. (is_reply and " reply" or "") .. " seq=" .. buf(1, 1):uint()
  if mark then info = info .. " [" .. mark .. "]" end
  pinfo.cols.info = info
  return buf:len()
end

p.prefs.port = Pref.uint("UDP port", KDP_PORT, "The kernel's KDP port (xnu: 41139)")
local registered_port = KDP_PORT
DissectorTable.get("udp.port"):add(registered_port, p)

function p.prefs_changed()
  if p.prefs.port == registered_port then return end
  DissectorTable.get("udp.port"):remove(registered_port, p)
  registered_port = p.prefs.port
  DissectorTable.get("udp.port"):add(registered_port, p)
end

-- The shortest datagram each command can be, by direction (header 8 bytes, then the body's
-- fixed fields); the heuristic wants the layout the reply bit announces to fit.
local min_request_len = {
  [0x00] = 12, [0x05] = 16, [0x06] = 16, [0x07] = 16, [0x08] = 16, [0x0c] = 12, [0x0d] = 12,
  [0x0e] = 16, [0x0f] = 12, [0x10] = 12, [0x12] = 10, [0x14] = 20, [0x15] = 20, [0x16] = 16,
  [0x17] = 16, [0x19] = 22, [0x1a] = 22, [0x1b] = 14, [0x1c] = 14, [0x1d] = 14, [0x1e] = 22,
}
local min_reply_len = { [0x02] = 20, [0x03] = 24, [0x04] = 12, [0x05] = 12, [0x07] = 12, [0x14] = 12,
                        [0x19] = 12, [0x1b] = 12, [0x1d] = 12 }
for code, body in pairs(reply_body) do
  if body == error_only then min_reply_len[code] = 12 end
end

-- KDP on a port other than the preference's: a known command, a length field equal to the UDP
-- payload, and a body that fits what the reply bit says it is. A match claims the conversation.
local function heuristic(buf, pinfo, tree)
  if buf:len() < 8 then return false end
  local first = buf(0, 1):uint()
  local code, is_reply = bit.band(first, 0x7f), bit.band(first, 0x80) ~= 0
  if commands[code] == nil or buf(2, 2):le_uint() ~= buf:len() then return false end
  local minimum = (is_reply and min_reply_len[code] or (not is_reply and min_request_len[code])) or 8
  if buf:len() < minimum then return false end
  pinfo.conversation = p
  p.dissector(buf, pinfo, tree)
  return true
end
p:register_heuristic("udp", heuristic)
