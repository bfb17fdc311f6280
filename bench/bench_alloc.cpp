// Allocation check for the per-packet path: the fast path must not allocate after start-up
// (CONVENTIONS: hot path, no allocation), and the whole replay loop must not allocate per frame.
// Counts every operator new and every malloc/calloc/realloc of the process (libpcap, libstdc++,
// fmt included) while frames go through; exits 1 with the counts when any happened. Run by ctest.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "ttq/capgen.hpp"
#include "ttq/fast_path.hpp"
#include "ttq/pcap_source.hpp"
#include "ttq/replay.hpp"

// Sanitizer runtimes own malloc: only count operator new there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TTQ_COUNT_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define TTQ_COUNT_MALLOC 0
#endif
#endif
#ifndef TTQ_COUNT_MALLOC
#define TTQ_COUNT_MALLOC 1
#endif

namespace {
// Plain counters: the checked code is single-threaded.
std::uint64_t g_news = 0;
std::uint64_t g_mallocs = 0;  // includes the mallocs behind operator new

void* counted_new(std::size_t n) {
  ++g_news;
  if (n == 0) n = 1;
  if (void* p = std::malloc(n)) return p;
  throw std::bad_alloc();
}
void* counted_new_aligned(std::size_t n, std::align_val_t al) {
  ++g_news;
  const std::size_t a = static_cast<std::size_t>(al);
  void* p = std::aligned_alloc(a, (n + a - 1) / a * a);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) {
  return counted_new(n);
}
void* operator new[](std::size_t n) {
  return counted_new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++g_news;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  ++g_news;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(std::size_t n, std::align_val_t al) {
  return counted_new_aligned(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al) {
  return counted_new_aligned(n, al);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

#if TTQ_COUNT_MALLOC
// glibc supports replacing malloc in the executable; these forward to its allocator and count, so
// C libraries (libpcap) are covered too. memalign/aligned_alloc stay glibc's (same heap, same
// free).
extern "C" {
void* __libc_malloc(std::size_t) noexcept;
void* __libc_calloc(std::size_t, std::size_t) noexcept;
void* __libc_realloc(void*, std::size_t) noexcept;
void __libc_free(void*) noexcept;
void* malloc(std::size_t n) noexcept {
  ++g_mallocs;
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t m) noexcept {
  ++g_mallocs;
  return __libc_calloc(n, m);
}
void* realloc(void* p, std::size_t n) noexcept {
  ++g_mallocs;
  return __libc_realloc(p, n);
}
void free(void* p) noexcept {
  __libc_free(p);
}
}
#endif

namespace {

using namespace ttq;

struct Counts {
  std::uint64_t news = 0, mallocs = 0;
  static Counts now() { return Counts{g_news, g_mallocs}; }
  Counts operator-(const Counts& o) const { return Counts{news - o.news, mallocs - o.mallocs}; }
  bool zero() const { return news == 0 && mallocs == 0; }
};

struct Loaded {
  std::vector<std::uint8_t> arena;
  std::vector<Frame> frames;
};

bool load(const std::string& path, Loaded& out) {
  std::string err;
  auto src = PcapSource::open(path, err);
  if (!src) {
    std::fprintf(stderr, "ttq_alloc_check: %s\n", err.c_str());
    return false;
  }
  std::vector<std::size_t> offs;
  Frame f{};
  while (src->next(f)) {
    offs.push_back(out.arena.size());
    out.arena.insert(out.arena.end(), f.data, f.data + f.len);
    out.frames.push_back(f);
  }
  for (std::size_t i = 0; i < offs.size(); ++i) out.frames[i].data = out.arena.data() + offs[i];
  return true;
}

// Frames through a FastPath in bursts of 32 with collect() after each, as the replay loop does.
std::uint64_t run_frames(FastPath& fp, const std::vector<Frame>& frames, std::size_t from,
                         std::vector<QuoteRecord>& recs) {
  std::uint64_t quotes = 0;
  for (std::size_t i = from; i < frames.size(); ++i) {
    fp.process(frames[i]);
    if ((i + 1) % 32 == 0) {
      while (const std::size_t n = fp.collect(recs)) quotes += n;
    }
  }
  fp.finish();
  while (const std::size_t n = fp.collect(recs)) quotes += n;
  return quotes;
}

bool report(const char* what, const Counts& c, std::uint64_t frames) {
  std::printf("  %-58s frames %8llu  operator new %6llu  malloc %6llu  %s\n", what,
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(c.news),
              static_cast<unsigned long long>(c.mallocs), c.zero() ? "ok" : "FAIL");
  return c.zero();
}

}  // namespace

int main() {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/ttq_alloc_" + std::to_string(::getpid());
  const std::string clean_small = dir + "_clean.pcap";
  const std::string rough_small = dir + "_rough_small.pcap";
  const std::string rough_large = dir + "_rough_large.pcap";

  // A clean capture, and impaired ones that drive every per-packet branch: A/B loss and
  // duplicates, reordering (held packets), gaps, garbage frames, VLAN tags, IP options, snapshot
  // recoveries, halts.
  GenOptions clean;
  clean.events = 20000;
  clean.instruments = 4;
  clean.seed = 11;
  GenOptions rough = clean;
  rough.seed = 12;
  rough.loss_a = rough.loss_b = 0.01;
  rough.loss_both = 0.002;
  rough.dup = 0.01;
  rough.reorder = 0.01;
  rough.garbage = 0.01;
  rough.snapshot_every = 500;
  rough.vlan = 0.1;
  rough.ip_options = 0.05;
  rough.halt = 0.001;
  GenOptions rough_big = rough;
  rough_big.events = 80000;
  generate_capture(clean, clean_small, nullptr, nullptr);
  generate_capture(rough, rough_small, nullptr, nullptr);
  generate_capture(rough_big, rough_large, nullptr, nullptr);

  bool ok = true;
  std::printf("ttq_alloc_check: allocations while frames go through (%s counted)\n",
              TTQ_COUNT_MALLOC ? "operator new and malloc" : "operator new only");
  {  // the counters must see an allocation, or every check below passes vacuously
    const Counts c0 = Counts::now();
    auto probe = std::make_unique<std::uint64_t>(1);
    void* volatile raw = std::malloc(16);
    std::free(raw);
    const Counts d = Counts::now() - c0;
    if (d.news != 1 || (TTQ_COUNT_MALLOC && d.mallocs < 2) || *probe != 1) {
      std::printf("  counting allocator not in effect (new %llu, malloc %llu)\n",
                  static_cast<unsigned long long>(d.news),
                  static_cast<unsigned long long>(d.mallocs));
      return 1;
    }
  }

  // 1. FastPath alone. Start-up = construction plus the first frames (definitions, instruments
  //    created); everything after that is the per-packet path and must not allocate.
  for (const std::string* path : {&clean_small, &rough_small}) {
    Loaded cap;
    if (!load(*path, cap)) return 1;
    std::vector<QuoteRecord> recs(4096);
    const PipelineConfig cfg{};
    {  // a whole capture on a fresh path (start-up frames included)
      FastPath fp(cfg);
      const Counts c0 = Counts::now();
      run_frames(fp, cap.frames, 0, recs);
      ok &= report(("fast path, fresh, all frames: " + path->substr(dir.size() + 1)).c_str(),
                   Counts::now() - c0, cap.frames.size());
    }
    {  // warmed: the first 64 frames uncounted, the rest counted
      FastPath fp(cfg);
      const std::size_t warm = std::min<std::size_t>(64, cap.frames.size());
      for (std::size_t i = 0; i < warm; ++i) fp.process(cap.frames[i]);
      while (fp.collect(recs) != 0) {
      }
      const Counts c0 = Counts::now();
      const std::uint64_t quotes = run_frames(fp, cap.frames, warm, recs);
      ok &= report(("fast path, warmed, frames after 64: " + path->substr(dir.size() + 1)).c_str(),
                   Counts::now() - c0, cap.frames.size() - warm);
      if (fp.counters().book_entries == 0 || quotes == 0) {
        std::printf("  no book entries or quotes: the check exercised nothing\n");
        ok = false;
      }
    }
  }

  // 2. The whole replay loop (pcap read -> driver -> OrderManager/RiskGate -> LogVenue): its
  //    start-up allocations are a constant, so a capture 4x longer must allocate exactly as often.
  {
    ReplayOptions opt;
    opt.backend = "sw";
    ReplayResult small_r, large_r;
    std::string err;
    opt.capture = rough_small;
    Counts c0 = Counts::now();
    if (!run_replay(opt, small_r, err)) {
      std::fprintf(stderr, "ttq_alloc_check: %s\n", err.c_str());
      return 1;
    }
    const Counts small_c = Counts::now() - c0;
    opt.capture = rough_large;
    c0 = Counts::now();
    if (!run_replay(opt, large_r, err)) {
      std::fprintf(stderr, "ttq_alloc_check: %s\n", err.c_str());
      return 1;
    }
    const Counts large_c = Counts::now() - c0;
    std::printf(
        "  run_replay start-up (small capture, %llu frames): operator new %llu, malloc "
        "%llu\n",
        static_cast<unsigned long long>(small_r.pipeline.frames),
        static_cast<unsigned long long>(small_c.news),
        static_cast<unsigned long long>(small_c.mallocs));
    const Counts extra{large_c.news - small_c.news, large_c.mallocs - small_c.mallocs};
    const bool same = large_c.news == small_c.news && large_c.mallocs == small_c.mallocs;
    std::printf("  %-58s frames %8llu  operator new %6lld  malloc %6lld  %s\n",
                "run_replay, 4x capture minus 1x capture",
                static_cast<unsigned long long>(large_r.pipeline.frames - small_r.pipeline.frames),
                static_cast<long long>(extra.news), static_cast<long long>(extra.mallocs),
                same ? "ok" : "FAIL");
    ok &= same;
  }

  std::remove(clean_small.c_str());
  std::remove(rough_small.c_str());
  std::remove(rough_large.c_str());
  std::printf("ttq_alloc_check: %s\n", ok ? "no allocation on the per-packet path" : "FAILED");
  return ok ? 0 : 1;
}
