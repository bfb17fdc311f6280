// Look-aside data movers for the XRT backend (drivers/xrt/xrt_driver.cpp): HLS kernels between
// host buffers and the ttq core's AXI-Streams. UNTRIED (no v++ here); docs/card.md gives the
// buffer formats. Frame buffer: per frame {u32 len, u32 wire_len, u64 ts_ns} + bytes, padded to
// 64 bytes. Quote buffer: QuoteRecord (40 bytes, host/include/ttq/quote.hpp), count in `count[0]`.
#include <ap_axi_sdata.h>
#include <ap_int.h>
#include <hls_stream.h>

typedef ap_axiu<64, 1, 1, 1> word_t;  // tuser: start of frame

extern "C" void ttq_mm2s(const ap_uint<64>* frames, unsigned bytes, hls::stream<word_t>& out) {
#pragma HLS INTERFACE m_axi port = frames offset = slave bundle = gmem
#pragma HLS INTERFACE axis port = out
  unsigned off = 0;
  while (off < bytes) {
    const ap_uint<64> h0 = frames[off / 8];
    const unsigned len = h0.range(31, 0);
    const unsigned words = (len + 7) / 8;
    for (unsigned w = 0; w < words; ++w) {
#pragma HLS PIPELINE II = 1
      word_t x;
      x.data = frames[off / 8 + 2 + w];
      const unsigned left = len - w * 8;
      x.keep = left >= 8 ? ap_uint<8>(0xff) : ap_uint<8>((1u << left) - 1);
      x.user = w == 0;
      x.last = w + 1 == words;
      out.write(x);
    }
    off += (16 + len + 63) / 64 * 64;
  }
}

extern "C" void ttq_s2mm(ap_uint<64>* quotes, unsigned max_records, unsigned* count,
                         hls::stream<word_t>& in) {
#pragma HLS INTERFACE m_axi port = quotes offset = slave bundle = gmem
#pragma HLS INTERFACE m_axi port = count offset = slave bundle = gmem
#pragma HLS INTERFACE axis port = in
  unsigned n = 0;
  while (n < max_records && !in.empty()) {
    for (unsigned w = 0; w < 5; ++w) {  // 40-byte record = 5 words
#pragma HLS PIPELINE II = 1
      quotes[n * 5 + w] = in.read().data;
    }
    ++n;
  }
  count[0] = n;
}
