// The type model, the built-in layouts and their selection, the read planner, the command table
// and the JSON shape.
#include <doctest/doctest.h>

#include "expected.h"
#include "kgm/commands.h"
#include "kgm/kexts.h"
#include "kgm/layouts_xnu1699.h"
#include "kgm/object.h"
#include "world.h"

using namespace kgm_test;
using namespace kgm_test::addr;
using kdp::kgm::builtin_types_for;
using Args = std::vector<std::string>;

std::string expected_allstacks();
std::string expected_currentthreads();
std::string expected_zprint();

TEST_CASE("fields by name and dotted path, at xnu-layouts.md offsets") {
  auto types = builtin_types_for(kReleaseVersion);
  REQUIRE(types);
  struct Row {
    const char* type;
    const char* path;
    uint64_t offset, size;
  } rows[] = {{"proc", "p_list.le_next", 0x0, 8}, {"proc", "p_sibling.le_next", 0x78, 8},
              {"proc", "p_children.lh_first", 0x88, 8}, {"proc", "p_comm", 0x2cc, 17},
              {"proc", "p_name", 0x2dd, 33}, {"proc", "p_dispatchqueue_offset", 0x438, 8},
              {"task", "tasks.next", 0x28, 8}, {"task", "bsd_info", 0x2d8, 8},
              {"task", "extmod_statistics", 0x358, 48}, {"ucred", "cr_posix.cr_svuid", 0x20, 4},
              {"kmod_info", "address", 0x9c, 8}, {"thread", "task_threads.next", 0x2d0, 8},
              {"uthread", "uu_kwe.kwe_kwqqueue", 0x2c0, 8}, {"zone", "num_frees", 0x204, 4}};
  for (const Row& r : rows) {
    CAPTURE(r.path);
    auto f = types->field(r.type, r.path);
    REQUIRE(f);
    CHECK(f->offset == r.offset);
    CHECK(f->type.size == r.size);
  }
  CHECK(*types->size_of("proc") == 0x440);
  CHECK(*types->size_of("task") == 0x388);
  CHECK(*types->size_of("kmod_info") == 0xc4);
  CHECK((*types->type("proc"))->fields.size() == 115);  // every field of xnu-layouts.md §2
  CHECK((*types->type("task"))->fields.size() == 68);   // and of §3
}

TEST_CASE("kinds: signed and unsigned ints, chars, pointers, arrays, nested structs, bitfields") {
  auto types = builtin_types_for(kReleaseVersion);
  REQUIRE(types);
  using kdp::kgm::TypeKind;
  CHECK(types->field("proc", "p_pid")->type.is_signed);
  CHECK_FALSE(types->field("proc", "p_flag")->type.is_signed);
  CHECK(types->field("proc", "p_stat")->type.kind == TypeKind::kChar);
  CHECK(types->field("proc", "p_pptr")->type.kind == TypeKind::kPointer);
  CHECK(types->field("proc", "p_pptr")->type.name == "proc");
  auto comm = types->field("proc", "p_comm");
  CHECK(comm->type.kind == TypeKind::kArray);
  CHECK(comm->type.count == 17);
  CHECK(types->field("task", "ext_actionstate")->type.kind == TypeKind::kStruct);
  auto bg = types->field("task", "ext_actionstate.hw_bg");
  CHECK(bg->type.kind == TypeKind::kBitfield);
  CHECK(bg->type.bit_offset == 56);
  CHECK(bg->type.bit_width == 8);
  CHECK(types->field("task", "role")->type.kind == TypeKind::kEnum);
}

TEST_CASE("typed decoding: sign extension, bitfields, bounded strings") {
  auto w = build_world();
  auto o = kdp::kgm::read_object(w->memory, *w->types, "thread", TH1, {"static_param", "sched_pri", "ext_actionstate"});
  REQUIRE(o);
  CHECK(*o->u("static_param") == 1);
  CHECK(*o->u("ext_actionstate.hw_disk") == 3);
  CHECK(*o->u("ext_actionstate.hw_bg") == 0);
  w->memory.u32(TH1 + 0x90, 0xfffffffe);
  auto neg = kdp::kgm::read_object(w->memory, *w->types, "thread", TH1, {"sched_pri"});
  CHECK(*neg->i("sched_pri") == -2);
  CHECK(*neg->u("sched_pri") == 0xfffffffe);
  auto unread = neg->u("thread_id");
  REQUIRE_FALSE(unread);
  CHECK(unread.error().message().find("not in the fields read") != std::string::npos);
}

TEST_CASE("a missing type or field names it and the layouts it was looked up in") {
  auto types = builtin_types_for(kDebugVersion);
  REQUIRE(types);
  auto field = types->field("proc", "p_nosuch");
  REQUIRE_FALSE(field);
  CHECK(field.error().message() ==
        "struct proc has no field 'p_nosuch' (looking up proc.p_nosuch) in the built-in layouts for "
        "xnu-1699.24.23 DEBUG_X86_64");
  auto type = types->type("vnode_nosuch");
  REQUIRE_FALSE(type);
  CHECK(type.error().message() == "no type 'struct vnode_nosuch' in the built-in layouts for xnu-1699.24.23 DEBUG_X86_64");
  auto not_struct = types->field("proc", "p_pid.x");
  REQUIRE_FALSE(not_struct);
  CHECK(not_struct.error().message().find("'p_pid' is not a struct or union") != std::string::npos);
}

TEST_CASE("every struct the built-in layouts hold by value is defined, at the size its field says") {
  for (const std::string& version : {kReleaseVersion, kDebugVersion}) {
    auto provider = std::dynamic_pointer_cast<const kdp::kgm::MapTypeProvider>(
        kdp::kgm::xnu1699_layouts(version == kReleaseVersion ? kdp::kgm::KernelConfig::kRelease
                                                             : kdp::kgm::KernelConfig::kDebug));
    REQUIRE(provider);
    for (const std::string& name : provider->struct_names()) {
      for (const kdp::kgm::Field& f : provider->find(name)->fields) {
        const kdp::kgm::TypeRef* t = &f.type;
        while (t->kind == kdp::kgm::TypeKind::kArray && t->element) t = t->element.get();
        if (!t->is_aggregate()) continue;
        CAPTURE(version);
        CAPTURE(name + "." + f.name + ": " + t->name);
        const kdp::kgm::StructType* inner = provider->find(t->name);
        REQUIRE(inner != nullptr);  // else print shows `<incomplete type>` (was: p_mlock, lck_mtx_t)
        CHECK(inner->size == t->size);
      }
    }
  }
  // BSD sees the locks as opaque words (osfmk/i386/locks.h outside MACH_KERNEL_PRIVATE).
  auto types = builtin_types_for(kReleaseVersion);
  REQUIRE(types);
  CHECK(types->field("proc", "p_mlock.opaque")->type.count == 2);
  CHECK(types->field("proc", "p_slock.opaque")->type.count == 10);
  CHECK(types->field("proc", "p_start.tv_usec")->offset == 0x418);
  CHECK(types->field("proc", "p_realtimer.it_value.tv_sec")->offset == 0x190);
  CHECK(types->field("task", "exc_actions")->type.element->size == 24);
}

TEST_CASE("the layouts are chosen from the version string; DEBUG moves thread, processor and zone") {
  auto release = builtin_types_for(kReleaseVersion);
  auto debug = builtin_types_for(kDebugVersion + "; UUID=1D4B4A8C-5E4B-3B0A-9E3A-0D1B2C3D4E5F");
  REQUIRE(release);
  REQUIRE(debug);
  CHECK(release->field("thread", "task")->offset == 0x348);
  CHECK(debug->field("thread", "task")->offset == 0x488);
  CHECK(release->field("thread", "kernel_stack")->offset == 0x70);
  CHECK(debug->field("thread", "kernel_stack")->offset == 0xf0);
  CHECK(*release->size_of("thread") == 0x540);
  CHECK(*debug->size_of("thread") == 0x680);
  CHECK(debug->field("processor", "processor_list")->offset == 0x1978);
  CHECK(debug->field("zone", "num_allocs")->offset == 0x210);
  CHECK(release->field("proc", "p_comm")->offset == debug->field("proc", "p_comm")->offset);

  auto newer = builtin_types_for("Darwin Kernel Version 12.0.0: Sun Jun 24 23:00:16 PDT 2012; "
                                 "root:xnu-2050.7.9~1/RELEASE_X86_64");
  REQUIRE_FALSE(newer);
  CHECK(newer.error().kind() == kdp::ErrorKind::kNotFound);
  CHECK(newer.error().message().find("xnu-2050.7.9") != std::string::npos);
  CHECK(newer.error().message().find("--types FILE.json (Volatility ISF) or the kernel's dSYM") != std::string::npos);
  CHECK_FALSE(builtin_types_for("Linux version 6.1"));
  CHECK_FALSE(builtin_types_for("Darwin Kernel Version 11.3.0: root:xnu-1699.24.23~1/DEVELOPMENT_X86_64"));
}

TEST_CASE("a DEBUG kernel's world renders like the RELEASE one through the DEBUG layouts") {
  auto w = build_world(true);
  REQUIRE(w->types);
  auto ctx = w->context();
  auto stacks = kdp::kgm::run_command(*kdp::kgm::find_command("showallstacks"), ctx, {});
  CHECK(stacks.ok());
  CHECK(stacks.text == expected_allstacks());
  auto current = kdp::kgm::run_command(*kdp::kgm::find_command("showcurrentthreads"), ctx, {});
  CHECK(current.text == expected_currentthreads());
  auto zones = kdp::kgm::run_command(*kdp::kgm::find_command("zprint"), ctx, {});
  CHECK(zones.text == expected_zprint());
  // The RELEASE layouts on the DEBUG world read the wrong words: the output differs.
  auto release = builtin_types_for(kReleaseVersion);
  kdp::kgm::KernelContext wrong{w->memory, *release, w->symbols, kReleaseVersion};
  auto wrong_stacks = kdp::kgm::run_command(*kdp::kgm::find_command("showallstacks"), wrong, {});
  CHECK(wrong_stacks.text != expected_allstacks());
}

TEST_CASE("the version is read from the `version` symbol offline") {
  auto w = build_world();
  auto v = kdp::kgm::read_kernel_version(w->memory, w->symbols);
  REQUIRE(v);
  CHECK(*v == kReleaseVersion);
  kdp::kgm::MapSymbolSource none;
  CHECK_FALSE(kdp::kgm::read_kernel_version(w->memory, none));
}

TEST_CASE("planner: each task and proc is one prefetched span, read in the fewest requests") {
  auto w = build_world();
  // Spans from xnu-layouts.md: task map (+0x20) .. actionstate end (+0x320); proc p_pid (+0x10) ..
  // p_wqptr end (+0x3b8); workqueue wq_itemcount (+0x2028) .. wq_thidlecount end (+0x2054).
  const Range task{T1 + 0x20, 0x300}, proc{P1 + 0x10, 0x3a8}, wq{W1 + 0x2028, 0x2c};
  for (uint64_t max : {uint64_t{1024}, uint64_t{512}, uint64_t{0x4000}}) {
    CAPTURE(max);
    w->memory.set_max_request(max);
    w->memory.reset_counts();
    auto r = kdp::kgm::run_command(*kdp::kgm::find_command("showtask"), w->context(), Args{kdp::hex(T1)});
    CHECK(r.ok());
    CHECK(w->memory.prefetched == std::vector<Range>{task, proc, wq});
    auto requests = [max](const Range& r) { return (r.size + max - 1) / max; };
    CHECK(w->memory.stats().requests == requests(task) + requests(proc) + requests(wq));
  }
}

TEST_CASE("command table: names, usage errors, numbers and the ADDR resolver") {
  using kdp::kgm::find_command;
  CHECK(kdp::kgm::kgmacros_commands().size() == 18);  // with showact and showactstack
  CHECK(kdp::kgm::kCommandGroupTitle == "kernel (kgmacros)");
  CHECK(find_command("nosuch") == nullptr);
  auto w = build_world();
  auto ctx = w->context();
  auto missing = kdp::kgm::run_command(*find_command("showtask"), ctx, {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error->kind() == kdp::ErrorKind::kUsage);
  CHECK(missing.error->message() == "showtask: missing argument (usage: showtask ADDR)");
  CHECK(missing.text.empty());
  auto extra = kdp::kgm::run_command(*find_command("allproc"), ctx, Args{"1"});
  CHECK(extra.error->message() == "allproc: too many arguments (usage: allproc)");
  auto bad = kdp::kgm::run_command(*find_command("showpid"), ctx, Args{"twelve"});
  CHECK(bad.error->message() == "showpid: 'twelve' is not a number (usage: showpid PID)");
  CHECK(*kdp::kgm::parse_number("0x1f") == 31);
  CHECK(*kdp::kgm::parse_number("31") == 31);
  CHECK_FALSE(kdp::kgm::parse_number("0x"));
  std::vector<std::string> seen;
  auto resolver = [&](std::string_view text) -> kdp::Expected<uint64_t> {
    seen.emplace_back(text);
    return T1;
  };
  auto resolved = kdp::kgm::run_command(*find_command("showtask"), ctx, Args{"*launchd_task"}, resolver);
  CHECK(resolved.ok());
  CHECK(seen == std::vector<std::string>{"*launchd_task"});
  CHECK(resolved.text.find(P(T1)) == kTaskHeader.size());
}

TEST_CASE("JSON: one document with the command, its records, complete and error") {
  auto w = build_world();
  auto ctx = w->context();
  auto kmods = kdp::kgm::run_command(*kdp::kgm::find_command("showallkmods"), ctx, {});
  CHECK(kmods.json ==
        "{\"command\":\"showallkmods\",\"records\":["
        "{\"type\":\"kmod\",\"kmod_info\":\"0xffffff7f80a3e0a0\",\"address\":\"0xffffff7f80a00000\","
        "\"size\":\"0x0000000000040000\",\"id\":12,\"reference_count\":3,\"version\":\"1.4\","
        "\"name\":\"com.apple.driver.AppleACPIPlatform\"},"
        "{\"type\":\"kmod\",\"kmod_info\":\"0xffffff7f80c050a0\",\"address\":\"0xffffff7f80c00000\","
        "\"size\":\"0x0000000000005000\",\"id\":11,\"reference_count\":8,\"version\":\"1.4.0\","
        "\"name\":\"com.apple.iokit.IOACPIFamily\"}],\"complete\":true,\"error\":null}");
  auto tasks = kdp::kgm::run_command(*kdp::kgm::find_command("showtask"), ctx, Args{kdp::hex(T1)});
  CHECK(tasks.json ==
        "{\"command\":\"showtask\",\"records\":[{\"type\":\"task\",\"task\":\"0xffffff8007d12b90\","
        "\"vm_map\":\"0xffffff8006d1b000\",\"ipc_space\":\"0xffffff8006e9c000\",\"thread_count\":1,"
        "\"proc\":{\"address\":\"0xffffff80073e8560\",\"pid\":1,\"rage\":true,\"io_policy\":3,"
        "\"workqueue\":{\"nthreads\":2,\"idle_threads\":1,\"item_count\":0},\"command\":\"launchd\"}}],"
        "\"complete\":true,\"error\":null}");
  auto tree = kdp::kgm::run_command(*kdp::kgm::find_command("showproctree"), ctx, Args{"10"});
  CHECK(tree.json == "{\"command\":\"showproctree\",\"records\":[],\"complete\":true,\"error\":null}");
  w->memory.unmap(kZombproc);
  auto failed = kdp::kgm::run_command(*kdp::kgm::find_command("zombproc"), ctx, {});
  CHECK(failed.json == "{\"command\":\"zombproc\",\"records\":[],\"complete\":false,\"error\":{\"message\":"
                       "\"cannot read zombproc.lh_first at 0xffffff80008d9e38: Cannot access memory at address "
                       "0xffffff80008d9e38\",\"fault_address\":\"0xffffff80008d9e38\"}}");
}

TEST_CASE("every record of every command writes valid-looking JSON") {
  auto w = build_world();
  auto ctx = w->context();
  for (const auto& c : kdp::kgm::kgmacros_commands()) {
    std::vector<std::string> args;
    if (c.arg == kdp::kgm::ArgKind::kAddress) args.push_back(kdp::hex(c.name == "showproc" || c.name == "showprocinfo" ? P1 : T1));
    if (c.arg == kdp::kgm::ArgKind::kNumber) args.push_back("1");
    auto r = kdp::kgm::run_command(c, ctx, args);
    CAPTURE(c.name);
    CHECK(r.json.rfind("{\"command\":\"" + std::string(c.name) + "\",\"records\":[", 0) == 0);
    CHECK(r.json.size() > 2);
    CHECK(r.json.back() == '}');
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char ch : r.json) {
      if (in_string) {
        if (escaped) escaped = false;
        else if (ch == '\\') escaped = true;
        else if (ch == '"') in_string = false;
        continue;
      }
      if (ch == '"') in_string = true;
      if (ch == '{' || ch == '[') ++depth;
      if (ch == '}' || ch == ']') --depth;
      CHECK(depth >= 0);
    }
    CHECK(depth == 0);
  }
}

TEST_CASE("kext addresses are named from the kmod list; kernel ones from the kernel's symbols") {
  auto w = build_world();
  auto ctx = w->context();
  kdp::kgm::KextNamer kexts(ctx);
  auto inside = kexts.describe(K1Text + 0x1f0);
  REQUIRE(inside);
  CHECK(*inside == std::optional<std::string>("com.apple.driver.AppleACPIPlatform + 0x1f0"));
  CHECK(*kexts.describe(K2Text + 0x4fff) == std::optional<std::string>("com.apple.iokit.IOACPIFamily + 0x4fff"));
  CHECK(*kexts.describe(K2Text + 0x5000) == std::nullopt);
  CHECK(*kexts.describe(kThreadBlockReason) == std::nullopt);  // at or above the kernel header
  CHECK(w->symbols.is_kernel_address(kThreadBlockReason));
  CHECK_FALSE(w->symbols.is_kernel_address(K1Text));
  CHECK_FALSE(w->symbols.is_kernel_address(kLastKernelSymbol));
  CHECK(w->symbols.format(kThreadBlockReason + 0x1a) == std::optional<std::string>("thread_block_reason+0x1a"));
  kdp::kgm::KernelAndKextSymbolizer names(ctx);
  CHECK(kdp::macho::format_address_symbol(&names, kThreadBlockReason + 0x1a) ==
        std::optional<std::string>("thread_block_reason+0x1a"));
  CHECK(kdp::macho::format_address_symbol(&names, K1Text + 0x1f0) ==
        std::optional<std::string>("com.apple.driver.AppleACPIPlatform+0x1f0"));
  CHECK(kdp::macho::format_address_symbol(&names, kHeapEvent) == std::nullopt);
}
