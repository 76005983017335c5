#!/usr/bin/env python3
"""ctest `json_output`: every command `kdpctl --json help` lists runs with --json once where it
succeeds and once where it fails, against a kdp-sim on 127.0.0.1, the demo world's core and the
DWARF test kernel; each run's stdout must be exactly one JSON document valid against
tests/json/kdpctl-output.schema.json (the command's $defs entry on success, the error document,
or a kgmacro's report with its error, on failure), and its exit code must agree with it.

Usage: check_json_output.py KDPCTL KDP_SIM DEMO_CORE DEMO_KERNEL WORLD_DIR DWARF_KERNEL PCAP SCHEMA
(DWARF_KERNEL may be "": its two successes are then skipped, and fail when CI=true.)"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from schema_subset import errors  # noqa: E402

kdpctl, sim_bin, demo_core, demo_kernel, world, dwarf_kernel, pcap, schema_path = sys.argv[1:9]
schema = json.load(open(schema_path))
problems = []


def check_validator():
    """The validator must reject what the schema forbids, or every pass below means nothing."""
    bad = [({"error": {"message": "x"}}, "error_document"),
           ({"error": {"message": "x", "exit_code": 7}}, "error_document"),
           ({"address": "0x1", "count": 1, "format": "i", "unit_bytes": 1, "next_address": "0x2",
             "items": [{"address": "0x1", "bytes": "", "text": "nop"}]}, "x_instructions"),
           ({"stop": {"exception": 6, "code": 3, "subcode": 0, "description": "", "rip": "0x1",
                      "breakpoint_hit": False, "breakpoint": None, "frame": "Debugger+0x10"}}, "stop")]
    for doc, name in bad:
        if not errors(doc, {"$ref": "#/$defs/" + name}, schema):
            problems.append(f"validator accepts an invalid {name}: {doc}")


def run(args, state):
    env = dict(os.environ, CI="true")  # direct mode: no agent outlives the test
    p = subprocess.run([kdpctl, "--json", "--state", state] + args, capture_output=True, text=True,
                       env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def check(name, args, state, definition, expect_success):
    code, out, err = run(args, state)
    label = f"{name}: kdpctl --json {' '.join(args)}"
    if (code == 0) != expect_success:
        problems.append(f"{label}: exit {code}, expected {'success' if expect_success else 'failure'}; stderr: {err.strip()}")
        return None
    try:
        doc = json.loads(out)
    except ValueError as e:
        problems.append(f"{label}: stdout is not one JSON document ({e}): {out[:200]!r}")
        return None
    if expect_success:
        target = {"$ref": "#/$defs/" + definition}
    else:
        target = {"anyOf": [{"$ref": "#/$defs/error_document"}, {"$ref": "#/$defs/kgm_report"},
                            {"$ref": "#/$defs/decode"}]}
    found = errors(doc, target, schema)
    if not expect_success and not found:
        found = [] if doc.get("error") and doc["error"].get("exit_code") == code else \
            [f"the document's error does not say exit code {code}"]
    for e in found:
        problems.append(f"{label}: {e}")
    return doc


def start_sim(extra):
    p = subprocess.Popen([sim_bin, "--listen", "127.0.0.1:0", "--log-level", "off", "--core", demo_core] + extra,
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    prefix = "kdp-sim listening on "
    if not line.startswith(prefix):
        p.kill()
        sys.exit(f"kdp-sim did not start: {line!r}")
    return p, line[len(prefix):].strip()


def main():
    check_validator()
    work = tempfile.mkdtemp()
    os.environ["KDPCTL_RUNTIME_DIR"] = os.path.join(work, "run")  # agents of this run only
    live = os.path.join(work, "live.state")
    fresh = os.path.join(work, "fresh.state")  # never attached: "no target" failures
    sim, target = start_sim([])
    rebootable, reboot_target = start_sim([])
    core = ["--core", os.path.join(world, "world.core"), "--kernel", os.path.join(world, "mach_kernel")]
    nowhere = "127.0.0.1:1"  # nothing listens: fails at once
    try:
        help_doc = check("help", ["help"], fresh, "help", True)
        commands = [c["name"] for c in help_doc["commands"]] if help_doc else []
        check("help", ["help", "x"], fresh, "help", True)
        check("help", ["break", "--help"], fresh, "help", True)
        check("help", ["help", "nosuch"], fresh, None, False)
        covered = {"help"}

        def both(name, ok_args, fail_args, definition=None, state=live):
            covered.add(name)
            check(name, ok_args, state, definition or name, True)
            check(name, fail_args, fresh, None, False)

        both("reattach", ["reattach", target], ["reattach", nowhere])
        both("connect", ["connect"], ["connect", nowhere])
        both("version", ["version"], ["version"])
        both("hostinfo", ["hostinfo"], ["hostinfo"])
        check("version", ["version"] + core, fresh, "version", True)
        check("hostinfo", ["hostinfo"] + core[:2], fresh, "hostinfo", True)
        both("x", ["x/4gx", "0xffffff8000200000"], ["--target", target, "x/2gx", "0xffffff8000400000"])
        check("x", ["--kernel", demo_kernel, "x/3i", "0xffffff8000200000"], live, "x_instructions", True)
        both("regs", ["regs"], ["regs"])
        both("bt", ["--kernel", demo_kernel, "bt"], ["bt"])
        both("info", ["info", "registers"], ["info", "frob"])
        check("info", ["info", "breakpoints"], live, "info", True)
        check("info", ["--kernel", demo_kernel, "info", "symbol", "0xffffff8000396210"], live, "info", True)
        check("info", ["--kernel", demo_kernel, "info", "line", "kext_alloc"], fresh, None, False)
        regs = json.loads(run(["regs"], live)[1])
        both("break", ["break", regs["rip"]], ["break", "no_such_symbol"])
        both("continue", ["--kernel", demo_kernel, "continue"], ["continue"])
        both("step", ["--kernel", demo_kernel, "step"], ["step"])
        both("nexti", ["nexti"], ["nexti"])
        both("tbreak", ["tbreak", "0xffffff8000200000"], ["tbreak", "no_such_symbol"])
        both("delete", ["delete", "1"], ["delete", "7"])
        both("dumpinfo", ["dumpinfo"], ["dumpinfo"])
        both("dump", ["dump", "0xffffff8000200000", "64", "-o", os.path.join(work, "d.bin")],
             ["dump", "0xffffff8000200000", "64"])
        both("decode", ["decode", "12", "00", "0a", "00", "00", "00", "00", "00", "a0", "a0"], ["decode", "01"])
        selection = os.path.join(work, "selection.state")  # frames and threads of the world's core

        def selects(name, ok_args, definition=None):
            covered.add(name)
            check(name, ok_args + core, selection, definition or name, True)
            check(name, ok_args, fresh, None, False)

        selects("frame", ["frame", "1"], "frame_selection")
        selects("up", ["up"])
        selects("down", ["down"])
        check("info", ["info", "frame"] + core, selection, "info", True)
        threads = check("info", ["info", "threads"] + core, selection, "info", True) or {"threads": []}
        stacked = [t for t in threads["threads"] if "saved_rip" in t] or [{"id": 1, "thread": "0x0"}]
        selects("thread", ["thread", str(stacked[0]["id"])])
        check("thread", ["thread"] + core, selection, "thread", True)
        selects("switchtoact", ["switchtoact", stacked[-1]["thread"]])
        selects("disassemble", ["disassemble", "Debugger"])
        for name in ("showact", "showactstack"):
            covered.add(name)
            check(name, [name, stacked[-1]["thread"]] + core, fresh, "kgmacro", True)
            check(name, [name, stacked[-1]["thread"]] + core[:2], fresh, None, False)
        both("print", ["print", "struct proc", "kernproc"] + core, ["print", "struct proc", "kernproc"])
        both("ptype", ["ptype", "struct proc"], ["ptype", "struct no_such_struct"])
        both("set", ["set", "disassembly-flavor", "intel"], ["set", "frob", "on"])
        both("status", ["status"], ["status", "extra"])
        kexts = os.path.join(work, "kexts.state")  # remembered kexts only
        both("kext", ["kext", "list"], ["kext", "add", os.path.join(work, "missing.kext")], state=kexts)
        check("kext", ["kext", "frob"], kexts, None, False)
        both("pcap", ["pcap", "decode", pcap], ["pcap", "decode", os.path.join(work, "missing.pcap")])
        check("pcap", ["pcap", "stats", pcap], fresh, "pcap", True)
        # An agent (started as agent mode does) for `agent stop` to end.
        subprocess.run([kdpctl, "--state", live, "reattach", target, "--idle", "60"], capture_output=True,
                       env=dict(os.environ, CI="false"), timeout=120)
        both("agent", ["agent", "stop", target], ["agent", "stop", nowhere])
        both("detach", ["detach"], ["detach"])
        both("reboot", ["--target", reboot_target, "reboot"], ["reboot"])
        if dwarf_kernel:
            both("list", ["--kernel", dwarf_kernel, "list", "kext_alloc"], ["list", "kext_alloc"], state=fresh)
            check("info", ["--kernel", dwarf_kernel, "info", "line", "kext_alloc"], fresh, "info", True)
        elif os.environ.get("CI") == "true":
            problems.append("no DWARF test kernel: list and info line cannot succeed (CI=true: failing)")
        else:
            print("json_output: no DWARF test kernel; list and info line checked failing only")
            covered.add("list")
            check("list", ["list", "kext_alloc"], fresh, None, False)
        for name in commands:
            if name in covered:
                continue
            # A kgmacro: over the demo world's core, then without the kernel's symbols.
            args = [name] + {"showtask": ["0xffffff8007c00000"], "showpid": ["1"], "showproc": ["0xffffff8007400000"],
                             "showprocinfo": ["0xffffff8007400000"], "showkmodaddr": ["0xffffff8000200000"]}.get(name, [])
            covered.add(name)
            check(name, args + core, fresh, "kgmacro", True)
            check(name, args + core[:2], fresh, None, False)
        check("showtask", ["showtask", "0x10"] + core, fresh, None, False)  # a report with its error
        missing = [c for c in commands if c not in covered]
        if missing:
            problems.append(f"commands without a case: {missing}")
    finally:
        for p in (sim, rebootable):
            p.kill()
            p.wait()
    for p in problems:
        print("FAIL", p)
    print(f"json_output: {len(problems)} problems")
    return 1 if problems else 0


sys.exit(main())
