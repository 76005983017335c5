#include "kdp/pcap/capture_writer.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kdp/base/file_rules.h"

namespace kdp::pcap {
namespace {

constexpr int kSnapLength = 65535;

Error io_error(const std::string& what, const std::string& path, int err) {
  return Error(ErrorKind::kIo, what + " " + path + ": " + std::strerror(err));
}

// Whether we may write into what `fd` refers to, and whether to empty it first.
Status check_target(int fd, const std::string& path, bool& truncate) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return io_error("cannot inspect", path, errno);
  truncate = false;
  if (S_ISREG(st.st_mode)) {
    KDP_TRY_STATUS(check_ours_to_replace(path, st));
    truncate = true;
    return {};
  }
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode)) return {};
  return Error(ErrorKind::kIo, "refusing to write a capture to " + path + ": not a regular file, pipe or terminal");
}

// A pipe, terminal or device is streamed to where the path leads (/dev/stdout's link into /proc
// cannot be resolved by hand); a file is opened at the end of the symlinks we checked, no further.
Expected<int> open_checked(const std::string& path) {
  KDP_TRY(std::string real, resolve_symlinks(path));
  struct stat st {};
  const bool stream = ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
  // Kernel memory and session contents: readable by us only.
  const int fd = stream ? ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC)
                        : ::open(real.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open", path, errno);
  return fd;
}

}  // namespace

Expected<std::FILE*> open_for_capture(const std::string& path) {
  // No O_TRUNC: what the path names is checked before anything in it is touched.
  KDP_TRY(int fd, open_checked(path));
  bool truncate = false;
  Status ok = check_target(fd, path, truncate);
  if (ok && truncate && ::ftruncate(fd, 0) != 0) ok = io_error("cannot empty", path, errno);
  std::FILE* file = ok ? ::fdopen(fd, "wb") : nullptr;
  if (ok && file == nullptr) ok = io_error("cannot open", path, errno);
  if (!ok) {
    ::close(fd);
    return std::move(ok).error();
  }
  return file;
}

Expected<std::unique_ptr<CaptureWriter>> CaptureWriter::create(const std::string& path) {
  KDP_TRY(std::FILE * file, open_for_capture(path));
  return over(file, path);
}

Expected<std::unique_ptr<CaptureWriter>> CaptureWriter::over(std::FILE* stream, const std::string& name) {
  ::pcap* dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, kSnapLength, PCAP_TSTAMP_PRECISION_MICRO);
  if (dead == nullptr) {
    std::fclose(stream);
    return Error(ErrorKind::kIo, "cannot start capture " + name + ": libpcap refused");
  }
  pcap_dumper_t* dumper = pcap_dump_fopen(dead, stream);
  if (dumper == nullptr) {
    std::string why = pcap_geterr(dead);
    std::fclose(stream);
    pcap_close(dead);
    return Error(ErrorKind::kIo, "cannot start capture " + name + ": " + why);
  }
  if (pcap_dump_flush(dumper) != 0) {
    pcap_dump_close(dumper);
    pcap_close(dead);
    return Error(ErrorKind::kIo, "cannot write capture header to " + name);
  }
  return std::unique_ptr<CaptureWriter>(new CaptureWriter(dead, dumper, name));
}

CaptureWriter::~CaptureWriter() {
  pcap_dump_close(dumper_);  // closes the FILE
  pcap_close(dead_);
}

Status CaptureWriter::write_frame(int64_t time_ns, ByteView frame) {
  if (frame.size() > kSnapLength) return usage_error("capture frame of " + std::to_string(frame.size()) + " bytes is too large");
  struct pcap_pkthdr header {};
  const int64_t usec = time_ns / 1000;
  header.ts.tv_sec = static_cast<decltype(header.ts.tv_sec)>(usec / 1000000);
  header.ts.tv_usec = static_cast<decltype(header.ts.tv_usec)>(usec % 1000000);
  header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data());
  if (pcap_dump_flush(dumper_) != 0) return Error(ErrorKind::kIo, "cannot write capture " + name_ + ": " + std::strerror(errno));
  ++records_;
  return {};
}

Status CaptureWriter::write_udp(int64_t time_ns, SocketAddress source, SocketAddress destination, ByteView payload) {
  FrameSpec spec{source, destination, next_ip_id_++};
  KDP_TRY(Bytes frame, build_udp_frame(spec, payload));
  return write_frame(time_ns, frame);
}

}  // namespace kdp::pcap
