// Frame source from a capture file (pcap or pcapng, through libpcap), streamed: the file is read
// frame by frame and never held in memory, so a replay's memory does not grow with its size.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "ttq/net.hpp"

struct pcap;

namespace ttq {

class PcapSource {
 public:
  // Opens `path`; on failure returns nullptr and a message naming the file and the reason.
  static std::unique_ptr<PcapSource> open(const std::string& path, std::string& error);
  ~PcapSource();
  PcapSource(const PcapSource&) = delete;
  PcapSource& operator=(const PcapSource&) = delete;

  // Next frame, or false at the end of the file (or on a read error: see error()). The frame's
  // bytes stay valid until the next call.
  bool next(Frame& f);

  // Fills up to out.size() frames whose bytes are copied into an internal arena (valid until the
  // next call); returns how many, 0 at the end.
  std::size_t next_batch(std::span<Frame> out);

  std::uint64_t file_size() const { return file_size_; }
  std::uint64_t file_offset() const;  // bytes consumed so far (for progress)
  const std::string& error() const { return error_; }

 private:
  PcapSource() = default;
  pcap* handle_ = nullptr;
  std::uint64_t file_size_ = 0;
  std::string error_;
  std::unique_ptr<std::uint8_t[]> arena_;
  std::size_t arena_size_ = 0;
};

}  // namespace ttq
