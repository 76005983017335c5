#include "kdp/pcap/capture_file.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "kdp/base/file_rules.h"

namespace kdp::pcap {

Expected<std::unique_ptr<CaptureFile>> CaptureFile::from_stream(std::FILE* file, std::string name) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // Nanosecond precision: libpcap scales microsecond files up, so one code path serves both.
  ::pcap* handle = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    std::fclose(file);
    return malformed(name + ": not a readable pcap or pcapng file: " + errbuf);
  }
  return std::unique_ptr<CaptureFile>(new CaptureFile(handle, file, std::move(name)));
}

Expected<std::unique_ptr<CaptureFile>> CaptureFile::open(const std::string& path) {
  // O_NONBLOCK: a FIFO must not block the open (where no signal would end the wait); only a
  // regular file is read.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return Error(err == ENOENT ? ErrorKind::kNotFound : ErrorKind::kIo,
                 "cannot open capture " + path + ": " + std::strerror(err));
  }
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  std::FILE* file = regular ? ::fdopen(fd, "rb") : nullptr;
  if (file == nullptr) {
    const int err = errno;
    ::close(fd);
    if (!regular)
      return usage_error("capture " + path + " is " + file_type_name(st.st_mode) + ", not a regular file; nothing read");
    return Error(ErrorKind::kIo, "cannot open capture " + path + ": " + std::strerror(err));
  }
  return from_stream(file, path);
}

Expected<std::unique_ptr<CaptureFile>> CaptureFile::from_memory(ByteView bytes, const std::string& name) {
  if (bytes.empty()) return malformed(name + ": empty file (no pcap header)");
  // fmemopen never writes through a "rb" stream, so casting away const is safe.
  std::FILE* file = fmemopen(const_cast<uint8_t*>(bytes.data()), bytes.size(), "rb");
  if (file == nullptr) return Error(ErrorKind::kIo, name + ": fmemopen failed: " + std::strerror(errno));
  return from_stream(file, name);
}

CaptureFile::~CaptureFile() { pcap_close(handle_); }

int CaptureFile::linktype() const { return pcap_datalink(handle_); }

Expected<std::optional<CaptureRecord>> CaptureFile::next() {
  const long offset = std::ftell(file_);
  struct pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_, &header, &data);
  if (rc == PCAP_ERROR_BREAK) return std::optional<CaptureRecord>();  // end of file
  const uint64_t number = count_ + 1;
  if (rc != 1) {
    return malformed(name_ + ": packet " + std::to_string(number) + " (file offset " +
                     hex(offset < 0 ? 0 : static_cast<uint64_t>(offset)) + "): " + pcap_geterr(handle_));
  }
  count_ = number;
  CaptureRecord record;
  record.number = number;
  record.file_offset = offset < 0 ? 0 : static_cast<uint64_t>(offset);
  record.time_ns = static_cast<int64_t>(header->ts.tv_sec) * 1000000000 + static_cast<int64_t>(header->ts.tv_usec);
  record.linktype = pcap_datalink(handle_);
  record.original_length = header->len;
  record.data = ByteView(data, header->caplen);
  return std::optional<CaptureRecord>(record);
}

}  // namespace kdp::pcap
