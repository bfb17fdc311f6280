// Shared types of the ttq card: the quote record the core emits on m_axis_quote, and the
// reasons frames and packets are dropped. Layouts match host/include/ttq/quote.hpp and net.hpp
// bit for bit (the first member of a packed struct is the most significant).
`default_nettype none

package ttq_pkg;
  // Every block uses only part of the package: unused constants are expected here, nowhere else.
  /* verilator lint_off UNUSEDPARAM */

  // QuoteRecord (40 bytes, little-endian on the host): bid_px is bits [63:0].
  typedef struct packed {
    logic [31:0] reserved;
    logic [7:0]  flags;
    logic [7:0]  level;
    logic [15:0] slot;
    logic [31:0] seq;
    logic [31:0] security_id;
    logic [31:0] ask_sz;
    logic [31:0] bid_sz;
    logic [63:0] ask_px;
    logic [63:0] bid_px;
  } quote_rec_t;

  // $bits of a value, not of the type: yosys 0.23 cannot parse $bits(<typedef>).
  localparam quote_rec_t QUOTE_REC_ZERO = '0;
  localparam int unsigned QUOTE_REC_W = $bits(QUOTE_REC_ZERO);  // 320

  // QuoteFlag bits (quote.hpp).
  localparam logic [7:0] QF_BID_LIVE   = 8'h01;
  localparam logic [7:0] QF_ASK_LIVE   = 8'h02;
  localparam logic [7:0] QF_PULL_STALE = 8'h04;
  localparam logic [7:0] QF_PULL_HALT  = 8'h08;
  localparam logic [7:0] QF_PULL_KILL  = 8'h10;
  localparam logic [7:0] QF_PULL_BOOK  = 8'h20;

  // FrameDrop (net.hpp), in the same order.
  typedef enum logic [3:0] {
    DROP_RUNT           = 4'd0,
    DROP_NOT_IPV4       = 4'd1,
    DROP_BAD_IP_HEADER  = 4'd2,
    DROP_BAD_IP_CSUM    = 4'd3,
    DROP_IP_FRAGMENT    = 4'd4,
    DROP_NOT_UDP        = 4'd5,
    DROP_BAD_UDP_LENGTH = 4'd6,
    DROP_TRUNCATED      = 4'd7,
    DROP_BAD_FCS        = 4'd8,
    DROP_UNKNOWN_LINE   = 4'd9,
    DROP_NONE           = 4'd10
  } frame_drop_e;

  /* verilator lint_on UNUSEDPARAM */
endpackage

`resetall
