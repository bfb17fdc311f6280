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

  // ---- ttq_book (hw/rtl/ttq_book.sv, docs/rtl_book.md) ---------------------------------------
  // One op of the book stage: an MBP entry (46/32, price already PRICE9), a clear or a configure
  // of one slot's book (MbpBook::apply / clear / configure).
  localparam logic [1:0] BOOK_OP_ENTRY  = 2'd0;
  localparam logic [1:0] BOOK_OP_CLEAR  = 2'd1;
  localparam logic [1:0] BOOK_OP_CONFIG = 2'd2;
  // Entry types ('0', '1', 'E', 'F', 'J').
  localparam logic [2:0] BOOK_T_BID       = 3'd0;
  localparam logic [2:0] BOOK_T_ASK       = 3'd1;
  localparam logic [2:0] BOOK_T_IMP_BID   = 3'd2;
  localparam logic [2:0] BOOK_T_IMP_ASK   = 3'd3;
  localparam logic [2:0] BOOK_T_RESET     = 3'd4;
  // Result codes: 0..2 are ttq::ApplyResult; 3 is the card's own refusal (docs/rtl_book.md).
  localparam logic [1:0] BOOK_RES_APPLIED = 2'd0;
  localparam logic [1:0] BOOK_RES_BEYOND  = 2'd1;
  localparam logic [1:0] BOOK_RES_CORRUPT = 2'd2;
  localparam logic [1:0] BOOK_RES_REFUSED = 2'd3;

  typedef struct packed {
    logic [1:0]  kind;           // BOOK_OP_*
    logic [15:0] slot;           // < N_INSTR
    logic [2:0]  etype;          // ENTRY: BOOK_T_*
    logic [2:0]  action;         // ENTRY: MDUpdateAction 0 New .. 5 Overlay
    logic [7:0]  level;          // ENTRY: MDPriceLevel (ignored by DeleteThru and 'J')
    logic [63:0] px;             // ENTRY: PRICE9 int64
    logic [31:0] size;           // ENTRY: int32
    logic        known;          // CLEAR: the empty book is the truth (complete)
    logic [7:0]  depth;          // CONFIG: 1..DEPTH
    logic [7:0]  implied_depth;  // CONFIG: 0..IMPL_DEPTH
  } book_op_t;
  localparam book_op_t BOOK_OP_ZERO = '0;
  localparam int unsigned BOOK_OP_W = $bits(BOOK_OP_ZERO);  // 145

  // One result per op: the outcome and the slot's consolidated top (MbpBook::top()) after it.
  typedef struct packed {
    logic [15:0] slot;
    logic [1:0]  result;         // BOOK_RES_*
    logic        complete;       // MbpBook::complete()
    logic        bid_present;    // outright or implied bid level 1 occupied
    logic        ask_present;
    logic [63:0] bid_px;         // 0 / 0 when the side is empty
    logic [31:0] bid_sz;
    logic [63:0] ask_px;
    logic [31:0] ask_sz;
  } book_res_t;
  localparam book_res_t BOOK_RES_ZERO = '0;
  localparam int unsigned BOOK_RES_W = $bits(BOOK_RES_ZERO);  // 213
  // ---- end ttq_book ----------------------------------------------------------------------------

  // ---- ttq_mdp_framer (hw/rtl/ttq_mdp_framer.sv, docs/rtl_mdp_framer.md) ----------------------
  // Events of the MDP 3.0 framer: the hardware form of mdp3::decode_packet's handler callbacks,
  // one per m_axis_ev beat, in callback order. Which fields each kind fills: docs/rtl_mdp_framer.md.
  localparam logic [3:0] MDP_EV_PKT_HDR = 4'd0;  // packet header + first message header are in
  localparam logic [3:0] MDP_EV_BOOK    = 4'd1;  // one 46/32 entry (on_book_entry)
  localparam logic [3:0] MDP_EV_SEQ     = 4'd2;  // one 42/48, 37, 33-35, 49-51 entry
  localparam logic [3:0] MDP_EV_RESET   = 4'd3;  // template 4 (on_channel_reset)
  localparam logic [3:0] MDP_EV_STATUS  = 4'd4;  // template 30 (on_security_status)
  localparam logic [3:0] MDP_EV_MSG_END = 4'd5;  // on_message_end
  localparam logic [3:0] MDP_EV_PKT_END = 4'd6;  // the packet's verdict (decode_packet's result)
  // mdp3::MsgError, same numbers.
  localparam logic [3:0] MDP_OK                  = 4'd0;
  localparam logic [3:0] MDP_PACKET_TOO_SHORT    = 4'd1;
  localparam logic [3:0] MDP_MSG_HDR_TRUNCATED   = 4'd2;
  localparam logic [3:0] MDP_MSG_SIZE_TOO_SMALL  = 4'd3;
  localparam logic [3:0] MDP_MSG_SIZE_OVERRUN    = 4'd4;
  localparam logic [3:0] MDP_BAD_SCHEMA_ID       = 4'd5;
  localparam logic [3:0] MDP_ROOT_TOO_SHORT      = 4'd6;
  localparam logic [3:0] MDP_GROUP_OVERRUN       = 4'd7;
  localparam logic [3:0] MDP_ENTRY_TOO_SHORT     = 4'd8;
  localparam logic [3:0] MDP_BAD_ACTION          = 4'd9;
  localparam logic [3:0] MDP_BAD_ENTRY_TYPE      = 4'd10;
  localparam logic [3:0] MDP_BAD_LEVEL           = 4'd11;
  localparam logic [3:0] MDP_NULL_PRICE_OR_SIZE  = 4'd12;

  typedef struct packed {
    logic [3:0]  kind;         // MDP_EV_*
    logic [3:0]  err;          // PKT_END: MDP_OK or the first malformed message's MsgError
    logic        plausible;    // PKT_HDR, PKT_END: mdp3::plausible_packet (PKT_HDR: see doc)
    logic [6:0]  spare;        // 0
    logic [15:0] msg_index;    // message events: MsgCtx::index; PKT_END: messages completed
    logic [15:0] template_id;  // BOOK, SEQ, RESET, STATUS, MSG_END
    logic [7:0]  entry_index;  // BOOK: entry index in its message
    logic [7:0]  mei;          // MSG_END: MatchEventIndicator (0 for templates without one)
    logic [7:0]  level;        // BOOK: MDPriceLevel
    logic [7:0]  action;       // BOOK: MDUpdateAction
    logic [7:0]  entry_type;   // BOOK: MDEntryType; STATUS: SecurityTradingStatus
    logic [31:0] seq_num;      // PKT_HDR, PKT_END: MsgSeqNum
    logic [31:0] security_id;  // BOOK, SEQ, STATUS
    logic [31:0] rpt_seq;      // BOOK, SEQ
    logic [31:0] size;         // BOOK: MDEntrySize (int32)
    logic [63:0] price;        // BOOK: raw mantissa; STATUS: SecurityGroup bytes 0..5 in [47:0]
  } mdp_ev_t;
  localparam mdp_ev_t MDP_EV_ZERO = '0;
  localparam int unsigned MDP_EV_W = $bits(MDP_EV_ZERO);  // 280
  // ---- end ttq_mdp_framer ----------------------------------------------------------------------

  /* verilator lint_on UNUSEDPARAM */
endpackage

`resetall
