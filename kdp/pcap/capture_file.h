// Reading the records of a pcap or pcapng file through libpcap (the file formats are libpcap's
// job; the frames inside are decoded by frame_decoder.h with ByteReader). Every record comes out
// with its number (1-based, as Wireshark counts) and the file offset where libpcap started reading
// it, so a damaged file is reported as "capture.pcap: packet 12 (file offset 0x4d2): ...".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "kdp/base/bytes.h"
#include "kdp/base/error.h"

struct pcap;

namespace kdp::pcap {

struct CaptureRecord {
  uint64_t number = 0;       // 1-based
  uint64_t file_offset = 0;  // where libpcap began reading this record (pcapng: its block)
  int64_t time_ns = 0;       // since the Unix epoch
  int linktype = 0;          // DLT_* of the interface
  uint32_t original_length = 0;
  ByteView data;             // captured bytes; valid until the next call to next()
};

class CaptureFile {
 public:
  // `name` is used in errors. The FILE is owned (closed) by the CaptureFile from then on.
  static Expected<std::unique_ptr<CaptureFile>> open(const std::string& path);
  // An in-memory capture (fuzzing, tests); `bytes` must outlive the CaptureFile.
  static Expected<std::unique_ptr<CaptureFile>> from_memory(ByteView bytes, const std::string& name);
  ~CaptureFile();
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;

  // The next record; nullopt at the end of the file; an Error (kMalformed) for a truncated or
  // damaged record, naming the packet number and file offset.
  Expected<std::optional<CaptureRecord>> next();

  const std::string& name() const { return name_; }
  int linktype() const;

 private:
  CaptureFile(::pcap* handle, std::FILE* file, std::string name) : handle_(handle), file_(file), name_(std::move(name)) {}
  static Expected<std::unique_ptr<CaptureFile>> from_stream(std::FILE* file, std::string name);

  ::pcap* handle_;
  std::FILE* file_;  // owned by handle_ (pcap_close closes it); kept for ftell
  std::string name_;
  uint64_t count_ = 0;
};

}  // namespace kdp::pcap
