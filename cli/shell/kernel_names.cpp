#include "cli/shell/kernel_names.h"

#include <memory>
#include <sstream>

#include "cli/kernel_hooks.h"
#include "kgm/expr.h"
#include "kgm/file_memory.h"
#include "macho/symbol_index.h"
#include "macho/symbols.h"

namespace kdp::cli::shell {
namespace {

// The kernel file's bytes where it has them (its version string opens the built-in layouts), zeros
// everywhere else: enough to learn an expression's type without reading the kernel.
class FileOrZeroMemory : public kgm::Memory {
 public:
  void open(const std::string& path) {
    if (auto file = kgm::FileMemory::open(path)) file_ = std::move(*file);
  }
  Expected<Bytes> read(uint64_t address, uint64_t size) override { return read_partial(address, size); }
  Expected<Bytes> read_partial(uint64_t address, uint64_t size) override {
    Bytes bytes;
    if (file_) {
      if (auto found = file_->read_partial(address, bounded(size))) bytes = std::move(*found);
    }
    bytes.resize(bounded(size), 0);
    return bytes;
  }
  uint64_t max_request() const override { return kLargest; }
  kgm::MemoryStats stats() const override { return {}; }
  std::string source() const override { return "completion (the kernel file, zeros elsewhere)"; }

 private:
  static constexpr uint64_t kLargest = 1 << 20;
  static size_t bounded(uint64_t size) { return static_cast<size_t>(std::min(size, kLargest)); }
  std::unique_ptr<kgm::FileMemory> file_;
};

// The kernel file's hooks, loaded once, over FileOrZeroMemory, with their messages kept out of the
// terminal.
class KernelFile {
 public:
  explicit KernelFile(const Invocation& inv)
      : quiet_{inv.global, inv.word, {}, inv.flags, sink_, sink_, inv.context} {}

  const KernelHooks* hooks() {
    if (tried_) return hooks_.get();
    tried_ = true;
    auto state = quiet_.load_state();
    if (!state) return nullptr;
    const std::optional<std::string> path = quiet_.global.kernel ? quiet_.global.kernel : state->kernel;
    if (path) memory_.open(*path);
    auto loaded = load_kernel_hooks(quiet_, *state, HookTarget{nullptr, &memory_, {}, true});
    if (loaded) hooks_ = std::move(*loaded);
    return hooks_.get();
  }

 private:
  std::ostringstream sink_;
  Invocation quiet_;
  FileOrZeroMemory memory_;
  std::unique_ptr<KernelHooks> hooks_;
  bool tried_ = false;
};

std::vector<std::string> symbol_names(KernelFile& kernel) {
  const KernelHooks* hooks = kernel.hooks();
  const macho::SymbolIndex* index = hooks ? hooks->symbol_index() : nullptr;
  std::vector<std::string> names;
  if (!index) return names;
  names.reserve(index->size());
  for (const macho::Symbol& s : index->symbols()) names.emplace_back(macho::display_name(s.name));
  return names;
}

std::vector<std::string> field_names(KernelFile& kernel, const std::string& expression) {
  const KernelHooks* hooks = kernel.hooks();
  if (!hooks) return {};
  const kgm::ExprContext context = hooks->expression_context();
  auto value = kgm::evaluate(expression, context);
  if (!value || !context.types) return {};
  const kgm::TypeRef* type = &value->type;
  if (type->kind == kgm::TypeKind::kPointer && type->element) type = type->element.get();
  const kgm::TypeModel* model = context.types();
  if (!type->is_aggregate() || !model) return {};
  auto found = model->type(type->name);
  if (!found) return {};
  std::vector<std::string> names;
  for (const kgm::Field& f : (*found)->fields) names.push_back(f.name);
  return names;
}

}  // namespace

NameSources kernel_names(const Invocation& inv) {
  auto kernel = std::make_shared<KernelFile>(inv);
  return {[kernel] { return symbol_names(*kernel); },
          [kernel](const std::string& expression) { return field_names(*kernel, expression); }};
}

}  // namespace kdp::cli::shell
