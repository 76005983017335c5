#include "test_kernels.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace kdp::macho::testing {

TestKernel write_or_fail(const TestKernelSpec& spec) {
  auto k = write_test_kernel(spec);
  REQUIRE_MESSAGE(k.has_value(), (k ? "" : k.error().message()));
  return std::move(*k);
}

KernelImage load_spec(const TestKernelSpec& spec) { return load_or_fail(write_or_fail(spec).file); }

const TestKernel& lion_kernel() {
  static const TestKernel k = write_or_fail(lion_10_7_3_spec());
  return k;
}

const TestKernel& minimal_kernel() {
  static const TestKernel k = write_or_fail(minimal_kernel_spec());
  return k;
}

const KernelImage& lion_image() {
  static const KernelImage image = load_or_fail(lion_kernel().file, "lion.kernel");
  return image;
}

KernelImage load_or_fail(const Bytes& file, const std::string& name) {
  auto image = load_kernel_image_from_bytes(file, name);
  REQUIRE_MESSAGE(image.has_value(), (image ? "" : image.error().message()));
  return std::move(*image);
}

std::string load_error(const Bytes& file, const std::string& name) {
  auto image = load_kernel_image_from_bytes(file, name);
  return image ? "" : image.error().message();
}

const PlacedFunction& function_named(const TestKernel& k, const std::string& name) {
  for (const PlacedFunction& f : k.functions)
    if (f.name == name) return f;
  FAIL("no function " << name);
  return k.functions.front();
}

std::string write_temp_file(const Bytes& bytes, const std::string& stem) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/kdpctl_" + stem + "_XXXXXX";
  int fd = mkstemp(path.data());
  REQUIRE(fd >= 0);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    REQUIRE(n > 0);
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return path;
}

std::optional<std::string> run_command(const std::string& command) {
  std::FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buffer[1 << 14];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) out.append(buffer, n);
  if (pclose(p) != 0) return std::nullopt;
  return out;
}

bool have_tool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace kdp::macho::testing
