#include "kgm/globals.h"

#include <array>

#include "kgm/expr_types.h"

namespace kdp::kgm {
namespace {

struct Declared {
  std::string_view name;
  std::string_view type;  // as a cast spells it
};

constexpr std::array<Declared, 15> kDeclared = {{
    {"version", "char []"},
    {"kernproc", "struct proc *"},        {"initproc", "struct proc *"},
    {"allproc", "struct list_head"},      {"zombproc", "struct list_head"},
    {"kernel_task", "struct task *"},     {"tasks", "struct queue_entry"},
    {"threads", "struct queue_entry"},    {"tasks_count", "int"},
    {"threads_count", "int"},             {"kmod", "struct kmod_info *"},
    {"processor_list", "struct processor *"}, {"first_zone", "struct zone *"},
    {"debug_buf_ptr", "char *"},          {"kdp_flag", "int"},
}};

}  // namespace

std::optional<TypeRef> declared_global_type(std::string_view name, const TypeModel* types) {
  for (const Declared& d : kDeclared) {
    if (d.name != name) continue;
    // "char []": an array whose bound the table does not know (x and & need only its address).
    const bool unbounded = d.type.ends_with(" []");
    auto type = expr::type_named(unbounded ? d.type.substr(0, d.type.size() - 3) : d.type, types);
    if (!type) return std::nullopt;
    return unbounded ? array_type(std::move(*type), 0) : *type;
  }
  return std::nullopt;
}

}  // namespace kdp::kgm
