// Capture reading with libpcap: pcap (us or ns timestamps) and pcapng, Ethernet link type only.
#include "ttq/pcap_source.hpp"

#include <pcap/pcap.h>
#include <sys/stat.h>

#include <cstring>

namespace ttq {

namespace {
constexpr std::size_t kArenaBytes = 4u << 20;  // one batch of frames (up to 64 jumbo frames)
}

std::unique_ptr<PcapSource> PcapSource::open(const std::string& path, std::string& error) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* h = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO,
                                                       errbuf);
  if (!h) {
    error = "cannot read capture '" + path + "': " + errbuf;
    return nullptr;
  }
  if (pcap_datalink(h) != DLT_EN10MB) {
    const char* link = pcap_datalink_val_to_name(pcap_datalink(h));
    error = "capture '" + path + "' has link type " + std::string(link ? link : "unknown") +
            "; ttq reads Ethernet (EN10MB) captures only";
    pcap_close(h);
    return nullptr;
  }
  std::unique_ptr<PcapSource> s(new PcapSource());
  s->handle_ = h;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) s->file_size_ = static_cast<std::uint64_t>(st.st_size);
  s->arena_ = std::make_unique<std::uint8_t[]>(kArenaBytes);
  s->arena_size_ = kArenaBytes;
  return s;
}

PcapSource::~PcapSource() {
  if (handle_) pcap_close(handle_);
}

bool PcapSource::next(Frame& f) {
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_, &hdr, &data);
  if (rc == 1) {
    f.data = data;
    f.len = hdr->caplen;
    f.wire_len = hdr->len;
    f.ts_ns = static_cast<std::uint64_t>(hdr->ts.tv_sec) * 1000000000ull +
              static_cast<std::uint64_t>(hdr->ts.tv_usec);  // ns: opened with NANO precision
    f.bad_fcs = false;
    return true;
  }
  if (rc == PCAP_ERROR) error_ = pcap_geterr(handle_);
  return false;
}

std::size_t PcapSource::next_batch(std::span<Frame> out) {
  std::size_t n = 0;
  std::size_t used = 0;
  Frame f{};
  while (n < out.size()) {
    if (used + 65536 > arena_size_) break;  // keep room for the largest frame
    if (!next(f)) break;
    const std::size_t len = std::min<std::size_t>(f.len, 65535);
    std::memcpy(arena_.get() + used, f.data, len);
    f.data = arena_.get() + used;
    f.len = static_cast<std::uint32_t>(len);
    out[n++] = f;
    used += (len + 63) & ~std::size_t{63};
  }
  return n;
}

std::uint64_t PcapSource::file_offset() const {
  FILE* fp = pcap_file(handle_);
  if (!fp) return 0;
  const long off = std::ftell(fp);
  return off < 0 ? 0 : static_cast<std::uint64_t>(off);
}

}  // namespace ttq
