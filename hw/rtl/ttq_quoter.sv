// Quoter stage of the card: level 0 of ttq::compute_quotes and FastPath::requote's decision, bit
// for bit with host/src/quoter.cpp, one request per cycle, LATENCY = 5. Stateless: each request
// carries its slot's registers and last sent level 0. docs/rtl_quoter.md: stages and proofs.
`default_nettype none

module ttq_quoter #(
  parameter int FIFO_DEPTH = 8  // output skid FIFO: a power of 2, >= LATENCY for 1 request/cycle
) (
  input  logic              clk,
  input  logic              rst,

  // Quote request: one per published top of book.
  input  logic              s_axis_req_tvalid,
  output logic              s_axis_req_tready,
  input  logic [15:0]       s_axis_req_slot,
  input  logic [31:0]       s_axis_req_seq,          // passed through to the record
  input  logic [31:0]       s_axis_req_security_id,  // passed through to the record
  input  logic [63:0]       s_axis_req_bid_px,       // B, PRICE9 int64
  input  logic [63:0]       s_axis_req_ask_px,       // A
  input  logic [31:0]       s_axis_req_bid_sz,       // int32; the side is present when > 0
  input  logic [31:0]       s_axis_req_ask_sz,
  input  logic [7:0]        s_axis_req_pull,         // kQuotePull* bits from upstream
  // Slot registers, written by the host (ttq::sim::quoter_card_regs in sim/quoter_regs.hpp).
  input  logic [39:0]       s_axis_req_tick,         // T, 0 < T < 2^40
  input  logic [5:0]        s_axis_req_recip_sh,     // s = 40 - l, l = ceil(log2 T)
  input  logic [25:0]       s_axis_req_recip,        // r = floor(2^65 / (T << s))
  input  logic [55:0]       s_axis_req_d_lim,        // (max_spread_ticks + 1) * T
  // QuoterParams, in the ranges validate() accepts.
  input  logic              s_axis_req_mid,          // ref_mode: 0 join, 1 mid
  input  logic [21:0]       s_axis_req_bid_off,      // signed, [-2^20, 2^20]
  input  logic [21:0]       s_axis_req_ask_off,      // signed, [-2^20, 2^20]
  input  logic [15:0]       s_axis_req_min_spread,   // [0, 65535]
  input  logic [30:0]       s_axis_req_order_size,   // [0, 2^30]
  input  logic [20:0]       s_axis_req_tol,          // requote_tolerance_ticks, [0, 2^20]
  input  logic [63:0]       s_axis_req_price_floor,  // int64
  input  logic [63:0]       s_axis_req_price_ceil,   // int64, >= floor
  // SkewRegs.
  input  logic [21:0]       s_axis_req_shift_ticks,  // signed, [-2^20, 2^20]
  input  logic [31:0]       s_axis_req_size_adj,     // signed, [-2^30, 2^30]
  // Level 0 last sent for this slot (all zero before the first one).
  input  logic [63:0]       s_axis_req_prev_bid_px,
  input  logic [63:0]       s_axis_req_prev_ask_px,
  input  logic [31:0]       s_axis_req_prev_bid_sz,
  input  logic [31:0]       s_axis_req_prev_ask_sz,
  input  logic [7:0]        s_axis_req_prev_flags,

  // Result: one per request, in request order. tdata is a QuoteRecord (ttq_pkg::quote_rec_t)
  // for level 0 in canonical form; tuser[0] = send (emit it: needs_requote(prev, level) and
  // something was or is live), tuser[1] = upd (needs_requote: it becomes the slot's prev).
  output logic                            m_axis_quote_tvalid,
  input  logic                            m_axis_quote_tready,
  output logic [ttq_pkg::QUOTE_REC_W-1:0] m_axis_quote_tdata,
  output logic [1:0]                      m_axis_quote_tuser
);

  // LATENCY: a request accepted in cycle t (tvalid && tready) is on m_axis_quote in cycle t + 5
  // when the output is not back-pressured (tb_quoter asserts it). Logic cK loads the stage K+1
  // registers (suffix _qK+1, comb signals _cK); c4 loads the output register or the FIFO.
  //   c0  d = A - B (65 bit); rule 4-7 constants and thresholds; tol * T (3 DSPs) and its
  //       sum; size sums; prev-level equalities
  //   c1  estimate n_e: (d << s)[55:39] * recip (1 DSP); rules 2-3 range checks; d - k*T;
  //       prev sizes == the unclamped size sums
  //   c2  h_e * T (2 DSPs), c = [d >= (n_e + 1) T] + [d >= (n_e + 2) T]; the rule 4-7 case of
  //       each side for n = n_e + c, c = 0, 1, 2, picked by c; Q * T for four tick constants
  //       (12 DSPs) and K = B + Q * T; prev -/+ max(tol * T, 1); size clamps and the pick of
  //       prev size == size
  //   c3  prices K + {0, 1, 2} * h_e * T + j * T, 65 bit
  //   c4  rules 10-11, requote rule, emit decision
  localparam int LATENCY = 5;
  localparam int TW      = 25;  // tick-domain values: |x| < 2^22 with validated parameters
  localparam int PW      = 65;  // prices and price bounds before the int64 check
  localparam int RW      = 42;  // d - (n_e + k) * T is in (-2^41, 2^41): computed mod 2^42
  localparam int PTR_W   = $clog2(FIFO_DEPTH);
  localparam int CNT_W   = $clog2(FIFO_DEPTH + 1);
  // Stored per result: {flags, slot, seq, security_id, ask_sz, bid_sz, ask_px, bid_px, upd, send}.
  localparam int OUT_W   = 8 + 16 + 32 + 32 + 32 + 32 + 64 + 64 + 2;
  localparam logic [7:0] PULL_UPSTREAM =
      ttq_pkg::QF_PULL_STALE | ttq_pkg::QF_PULL_HALT | ttq_pkg::QF_PULL_KILL;

`ifndef SYNTHESIS
  if (FIFO_DEPTH < LATENCY || (1 << PTR_W) != FIFO_DEPTH) begin : g_bad_depth
    $fatal(1, "ttq_quoter: FIFO_DEPTH must be a power of 2 and >= LATENCY");
  end
`endif

  // Candidate case of one side (rules 4-7 folded into price = K + coef * h*T + j*T).
  //   ksel: 0 -> K = B, 1 -> K = B + Q1*T, 2 -> K = B + Q2*T
  //   coef: 0, 1 or 2 times h_e*T;  j: -1..3 times T
  localparam int CASE_W = 7;  // {ksel[1:0], coef[1:0], j[2:0]}

  // ------------------------------------------------------------------------------------------
  // Flow control. Every cycle the pipeline advances; results that find the output register
  // busy wait in the skid FIFO. cnt counts requests in stages 1-4 plus the FIFO, so accepting
  // only while cnt < FIFO_DEPTH means the FIFO can never overflow, and tready is a register.
  // A stage's data registers load only when the stage before holds a request (one clock enable
  // per stage). No two stages share an enable, so synthesis keeps the delay lines as flip-flops
  // instead of SRL16E shift registers, whose slow clock-to-out would sit in front of c4's logic.
  // ------------------------------------------------------------------------------------------
  logic             acc;
  logic             v_q1, v_q2, v_q3, v_q4;
  logic [CNT_W-1:0] cnt_q, cnt_d;
  logic             tready_q;
  logic [PTR_W-1:0] wr_ptr_q, rd_ptr_q;
  logic [CNT_W-1:0] fifo_cnt_q;
  logic             out_free, fifo_empty, from_fifo, direct, push;
  logic [OUT_W-1:0] res_c4, fifo_head;
  logic [OUT_W-1:0] fifo_mem [FIFO_DEPTH];
  logic             m_valid_q;
  logic [OUT_W-1:0] m_data_q;

  assign s_axis_req_tready = tready_q;
  assign acc = s_axis_req_tvalid && tready_q;

  // ------------------------------------------------------------------------------------------
  // c0: request -> stage 1. d, and everything that depends only on the request's parameters:
  // the tick-domain constants and thresholds of rules 4-7, tol * T, the size sums and the
  // prev-level equalities.
  // ------------------------------------------------------------------------------------------
  logic [64:0]    d_c0;
  logic           sides_c0;
  logic [41:0]    t3_c0;
  logic [TW-1:0]  bo_c0, ao_c0, sh_c0, mn_c0, cb_c0, ca_c0, cw_c0, cwp_c0;
  logic [TW-1:0]  g0_c0, f0_c0, q1bs_c0, q1bs1_c0, q1as_c0, ua0s_c0;
  logic [TW-1:0]  q1b_c0, q1a_c0, ub1_c0, ua0_c0, ua1_c0;
  logic [TW-1:0]  vw_c0, vwm1_c0, vb2m1_c0, va2_c0, va2m1_c0;
  logic           cwpos_c0, sel_c0, xb_c0, xa_c0;
  logic [32:0]    szb_c0, sza_c0;
  logic [37:0]    tp0_c0, tp1_c0;
  logic [26:0]    tp2_c0;
  logic [60:0]    thr_c0;

  always_comb begin
    // Rule 3: d = A - B exactly.
    d_c0  = {s_axis_req_ask_px[63], s_axis_req_ask_px} -
            {s_axis_req_bid_px[63], s_axis_req_bid_px};
    // Rule 2: both sides present.
    sides_c0 = !s_axis_req_bid_sz[31] && (s_axis_req_bid_sz != '0) &&
               !s_axis_req_ask_sz[31] && (s_axis_req_ask_sz != '0);
    t3_c0  = {2'b0, s_axis_req_tick} + {1'b0, s_axis_req_tick, 1'b0};
    // Rule 5 at level 0: bk = rb + cb, ak = ra + ca. Rule 6: w = cw - (ra - rb). Each constant
    // is a sum of the inputs (no sum of sums where a direct one does), and the ones that depend
    // on sel / xb / xa are computed for both values of these and selected, so that the compare
    // cw > 0 is not in series with the sums.
    bo_c0 = {{(TW-22){s_axis_req_bid_off[21]}}, s_axis_req_bid_off};
    ao_c0 = {{(TW-22){s_axis_req_ask_off[21]}}, s_axis_req_ask_off};
    sh_c0 = {{(TW-22){s_axis_req_shift_ticks[21]}}, s_axis_req_shift_ticks};
    mn_c0 = {{(TW-16){1'b0}}, s_axis_req_min_spread};
    cb_c0    = '0 - bo_c0 - sh_c0;
    ca_c0    = ao_c0 - sh_c0;
    cw_c0    = mn_c0 - ao_c0 - bo_c0;
    cwp_c0   = mn_c0 - ao_c0 - bo_c0 + TW'(1);
    vw_c0    = mn_c0 - ao_c0 - bo_c0 - TW'(1);  // cw - 1: join case 1 <=> n <= cw - 1
    vwm1_c0  = mn_c0 - ao_c0 - bo_c0 - TW'(2);  // cw - 2
    vb2m1_c0 = '0 - bo_c0 - sh_c0 - TW'(1);     // cb - 1
    va2_c0   = sh_c0 - ao_c0;                   // -ca
    va2m1_c0 = sh_c0 - ao_c0 - TW'(1);          // -ca - 1
    // Case 1 (mid, or join with w > 0): bk1 = h + Q1b + (p & xb), ak1 = h + Q1a + (p & xa).
    cwpos_c0 = !vw_c0[TW-1];  // cw > 0
    sel_c0   = !s_axis_req_mid || cwpos_c0;
    xb_c0    = cwpos_c0 && cw_c0[0];
    xa_c0    = !cwpos_c0 || cw_c0[0];
    g0_c0    = {cwp_c0[TW-1], cwp_c0[TW-1:1]};  // (cw + 1) >> 1
    f0_c0    = {cw_c0[TW-1], cw_c0[TW-1:1]};    // cw >> 1
    q1bs_c0  = cb_c0 - g0_c0;                   // Q1b when sel
    q1bs1_c0 = cb_c0 + ~g0_c0;                  // Q1b - 1 when sel
    q1as_c0  = ca_c0 + f0_c0;                   // Q1a when sel
    ua0s_c0  = va2_c0 - f0_c0;                  // -Q1a when sel
    q1b_c0   = sel_c0 ? q1bs_c0 : cb_c0;
    q1a_c0   = sel_c0 ? q1as_c0 : ca_c0;
    // Post-only thresholds. Case 1: bid post <=> h <= Ub(p), ask post <=> h <= Ua(p), with
    // Ub(0) = Q1b, Ub(1) = Q1b - !xb, Ua(0) = -Q1a, Ua(1) = -Q1a - xa (!sel: xb = 0, xa = 1).
    // Case 2 (join, w <= 0): bid post <=> n <= cb, ask post <=> n <= -ca.
    ub1_c0   = !sel_c0 ? vb2m1_c0 : xb_c0 ? q1bs_c0 : q1bs1_c0;
    ua0_c0   = sel_c0 ? ua0s_c0 : va2_c0;
    ua1_c0   = !sel_c0 ? va2m1_c0 : xa_c0 ? ~q1as_c0 : ua0s_c0;
    // Rule 9 before the clamp: order_size -/+ size_adj, in [-2^30, 2^31].
    szb_c0 = {2'b0, s_axis_req_order_size} - {s_axis_req_size_adj[31], s_axis_req_size_adj};
    sza_c0 = {2'b0, s_axis_req_order_size} + {s_axis_req_size_adj[31], s_axis_req_size_adj};
    // Requote threshold tol * T < 2^61, in three DSP products.
    tp0_c0 = {17'b0, s_axis_req_tol} * {21'b0, s_axis_req_tick[16:0]};
    tp1_c0 = {17'b0, s_axis_req_tol} * {21'b0, s_axis_req_tick[33:17]};
    tp2_c0 = {6'b0, s_axis_req_tol} * {21'b0, s_axis_req_tick[39:34]};
    thr_c0 = {23'b0, tp0_c0} + {6'b0, tp1_c0, 17'b0} + {tp2_c0, 34'b0};
  end

  logic [79:0]       id_q1, id_q3, id_q4;  // {slot, seq, security_id}
  logic [7:0]        pull_q1, pull_q3, pull_q4;
  logic              pull_any_q1, pull_any_q3, pull_any_q4;
  logic [64:0]       d_q1;
  logic [55:0]       d_lim_q1;
  logic              sides_q1;
  logic [25:0]       recip_q1;
  logic [5:0]        recip_sh_q1;
  logic              book_ok_q3, book_ok_q4;
  logic [63:0]       b_q1, b_q3;
  logic [39:0]       t_q1, t_q3;
  logic [41:0]       t3_q1, t3_q3;
  logic              mid_q1, xb_q1, xa_q1;
  logic [TW-1:0]     cb_q1, ca_q1, q1b_q1, q1a_q1, ub1_q1, ua0_q1, ua1_q1;
  logic [TW-1:0]     vw_q1, vwm1_q1, vb2m1_q1, va2_q1, va2m1_q1;
  logic [60:0]       thr_q1;
  logic              tol0_q1;
  logic [63:0]       floor_q1, floor_q3, floor_q4;
  logic [63:0]       ceil_q1, ceil_q3, ceil_q4;
  logic [32:0]       szb_q1, sza_q1;
  logic [31:0]       pbsz_q1, pasz_q1;
  logic              pbszm_q1, paszm_q1;  // prev size == 2^31 - 1
  logic [63:0]       pbpx_q1, papx_q1;
  // Requote rule 1-2 ingredients: the new flags are pull, 0x20 or {al, bl}; the new sizes are
  // 0 or the clamped size. Compare prev with each possibility early, pick at c4.
  logic              eq_pull_q1, eq_book_q1, pf_hi0_q1, pbsz0_q1, pasz0_q1;
  logic [1:0]        pf_lo_q1;

  always_ff @(posedge clk) begin
    if (acc) begin  // a bubble leaves the stage as it was
      id_q1       <= {s_axis_req_slot, s_axis_req_seq, s_axis_req_security_id};
      pull_q1     <= s_axis_req_pull;
      pull_any_q1 <= s_axis_req_pull != '0;
      d_q1        <= d_c0;
      d_lim_q1    <= s_axis_req_d_lim;
      sides_q1    <= sides_c0;
      recip_q1    <= s_axis_req_recip;
      recip_sh_q1 <= s_axis_req_recip_sh;
      b_q1        <= s_axis_req_bid_px;
      t_q1        <= s_axis_req_tick;
      t3_q1       <= t3_c0;
      mid_q1      <= s_axis_req_mid;
      xb_q1       <= xb_c0;
      xa_q1       <= xa_c0;
      cb_q1       <= cb_c0;
      ca_q1       <= ca_c0;
      q1b_q1      <= q1b_c0;
      q1a_q1      <= q1a_c0;
      ub1_q1      <= ub1_c0;
      ua0_q1      <= ua0_c0;
      ua1_q1      <= ua1_c0;
      vw_q1       <= vw_c0;
      vwm1_q1     <= vwm1_c0;
      vb2m1_q1    <= vb2m1_c0;
      va2_q1      <= va2_c0;
      va2m1_q1    <= va2m1_c0;
      thr_q1      <= thr_c0;
      tol0_q1     <= s_axis_req_tol == '0;
      floor_q1    <= s_axis_req_price_floor;
      ceil_q1     <= s_axis_req_price_ceil;
      szb_q1      <= szb_c0;
      sza_q1      <= sza_c0;
      pbsz_q1     <= s_axis_req_prev_bid_sz;
      pasz_q1     <= s_axis_req_prev_ask_sz;
      pbpx_q1     <= s_axis_req_prev_bid_px;
      papx_q1     <= s_axis_req_prev_ask_px;
      eq_pull_q1  <= s_axis_req_prev_flags == s_axis_req_pull;
      eq_book_q1  <= s_axis_req_prev_flags == ttq_pkg::QF_PULL_BOOK;
      pf_hi0_q1   <= s_axis_req_prev_flags[7:2] == '0;
      pf_lo_q1    <= s_axis_req_prev_flags[1:0];
      pbsz0_q1    <= s_axis_req_prev_bid_sz == '0;
      pasz0_q1    <= s_axis_req_prev_ask_sz == '0;
      pbszm_q1    <= s_axis_req_prev_bid_sz == 32'h7fff_ffff;
      paszm_q1    <= s_axis_req_prev_ask_sz == 32'h7fff_ffff;
    end
  end

  // ------------------------------------------------------------------------------------------
  // c1: stage 1 -> stage 2. The spread estimate n_e: d << s, then one DSP. Rules 2-3 and
  // d - k * T, from d's register; prev sizes == the unclamped size sums. The rest of stage 1
  // moves on unchanged.
  // ------------------------------------------------------------------------------------------
  logic [55:0] dn_c1;
  logic [16:0] dt_c1;
  logic [42:0] pe_c1;
  logic        unused_c1;
  logic        book_ok_c1;
  logic [41:0] dm1_c1, dm2_c1, dm3_c1;

  always_comb begin
    // dn = d << s puts T' = T << s in (2^39, 2^40]; for a book that passes the range checks
    // T' <= dn < 2^56, and n_e = (dn[55:39] * r) >> 26 is n, n - 1 or n - 2.
    dn_c1 = d_q1[55:0] << recip_sh_q1;
    dt_c1 = dn_c1[55:39];
    pe_c1 = {26'b0, dt_c1} * {17'b0, recip_q1};
    unused_c1 = ^{dn_c1[38:0], pe_c1[25:0]};
    // Rules 2-3 without dividing: n == 0 <=> d < T, n > max <=> d >= (max + 1) * T.
    book_ok_c1 = sides_q1 && ($signed(d_q1) >= $signed({25'b0, t_q1})) &&
                 ($signed(d_q1) < $signed({9'b0, d_lim_q1}));
    // d - k*T mod 2^42 for the correction at c2.
    dm1_c1 = d_q1[41:0] - {2'b0, t_q1};
    dm2_c1 = d_q1[41:0] - {1'b0, t_q1, 1'b0};
    dm3_c1 = d_q1[41:0] - t3_q1;
  end

  logic [16:0] ne_q2;  // n_e = ne_q2, h_e = ne_q2[16:1], p_e = ne_q2[0]
  logic [79:0] id_q2;
  logic [7:0] pull_q2;
  logic pull_any_q2, book_ok_q2, mid_q2, xb_q2, xa_q2, tol0_q2, pbszm_q2, paszm_q2, eq_pull_q2;
  logic eq_book_q2, pf_hi0_q2, pbsz0_q2, pasz0_q2;
  logic [41:0] dm1_q2, dm2_q2, dm3_q2, t3_q2;
  logic [63:0] b_q2, floor_q2, ceil_q2, pbpx_q2, papx_q2;
  logic [39:0] t_q2;
  logic [TW-1:0] cb_q2, ca_q2, q1b_q2, q1a_q2, ub1_q2, ua0_q2, ua1_q2, vw_q2, vwm1_q2, vb2m1_q2;
  logic [TW-1:0] va2_q2, va2m1_q2;
  logic [60:0] thr_q2;
  logic [32:0] szb_q2, sza_q2;
  logic        pbsze_q2, pasze_q2;  // prev size == the unclamped sum's low 32 bits
  logic [1:0] pf_lo_q2;

  always_ff @(posedge clk) begin
    if (v_q1) begin  // a bubble leaves the stage as it was
      ne_q2       <= pe_c1[42:26];
      id_q2       <= id_q1;
      pull_q2     <= pull_q1;
      pull_any_q2 <= pull_any_q1;
      book_ok_q2  <= book_ok_c1;
      dm1_q2      <= dm1_c1;
      dm2_q2      <= dm2_c1;
      dm3_q2      <= dm3_c1;
      b_q2        <= b_q1;
      t_q2        <= t_q1;
      t3_q2       <= t3_q1;
      mid_q2      <= mid_q1;
      xb_q2       <= xb_q1;
      xa_q2       <= xa_q1;
      cb_q2       <= cb_q1;
      ca_q2       <= ca_q1;
      q1b_q2      <= q1b_q1;
      q1a_q2      <= q1a_q1;
      ub1_q2      <= ub1_q1;
      ua0_q2      <= ua0_q1;
      ua1_q2      <= ua1_q1;
      vw_q2       <= vw_q1;
      vwm1_q2     <= vwm1_q1;
      vb2m1_q2    <= vb2m1_q1;
      va2_q2      <= va2_q1;
      va2m1_q2    <= va2m1_q1;
      thr_q2      <= thr_q1;
      tol0_q2     <= tol0_q1;
      floor_q2    <= floor_q1;
      ceil_q2     <= ceil_q1;
      szb_q2      <= szb_q1;
      sza_q2      <= sza_q1;
      pbsze_q2    <= pbsz_q1 == szb_q1[31:0];
      pasze_q2    <= pasz_q1 == sza_q1[31:0];
      pbszm_q2    <= pbszm_q1;
      paszm_q2    <= paszm_q1;
      pbpx_q2     <= pbpx_q1;
      papx_q2     <= papx_q1;
      eq_pull_q2  <= eq_pull_q1;
      eq_book_q2  <= eq_book_q1;
      pf_hi0_q2   <= pf_hi0_q1;
      pf_lo_q2    <= pf_lo_q1;
      pbsz0_q2    <= pbsz0_q1;
      pasz0_q2    <= pasz0_q1;
    end
  end

  // ------------------------------------------------------------------------------------------
  // c2: stage 2 -> stage 3. h_e * T and the correction c; the rule 4-7 case of each side for
  // the three candidates n_e + c, picked by c; K = B + Q * T; the requote bounds; size clamps.
  // ------------------------------------------------------------------------------------------
  logic [15:0]   he_c2;
  logic          pe0_c2;
  logic [TW-1:0] ne_x_c2, he_x_c2;
  logic [41:0]   hpl_c2;               // h_e * T[25:0]
  logic [29:0]   hph_c2;               // h_e * T[39:26]
  logic [55:0]   ht_c2;
  logic [42:0]   q1bp0_c2, q1bp1_c2, cbp0_c2, cbp1_c2, q1ap0_c2, q1ap1_c2, cap0_c2, cap1_c2;
  logic [30:0]   q1bp2_c2, cbp2_c2, q1ap2_c2, cap2_c2;  // |Q * T[39:34]| < 2^30
  logic [41:0]   dd1_c2, dd2_c2, x1_c2, x2_c2;
  logic          c1_c2, c2_c2;
  // Kept: yosys 0.23's abc takes every carry-chain output (the compares, c) as arriving at time
  // 0; without these nets it merges the candidate cases into the selection by c, which then
  // sits two to three levels behind c instead of one.
  (* keep *) logic [3*CASE_W-1:0] cand_b_c2, cand_a_c2;
  logic [CASE_W-1:0]   case_b_c2, case_a_c2;
  logic [PW-1:0] bx_c2, k1b_c2, k2b_c2, k1a_c2, k2a_c2, thx_c2;
  logic [PW-1:0] hib_c2, lob_c2, hia_c2, loa_c2;
  logic [31:0]   szb_c2, sza_c2;

  // Q * T from its three products, sign-extended to PW bits.
  function automatic logic [PW-1:0] qt_sum(input logic [42:0] p0, input logic [42:0] p1,
                                          input logic [30:0] p2);
    qt_sum = {{(PW-43){p0[42]}}, p0} + {{(PW-60){p1[42]}}, p1, 17'b0} + {p2, 34'b0};
  endfunction

  assign he_c2   = ne_q2[16:1];
  assign pe0_c2  = ne_q2[0];
  assign ne_x_c2 = {{(TW-17){1'b0}}, ne_q2};
  assign he_x_c2 = {{(TW-16){1'b0}}, he_c2};

  always_comb begin
    // h_e * T: with the correction c, gives h * T and n * T = 2 h T + p T.
    hpl_c2 = {26'b0, he_c2} * {16'b0, t_q2[25:0]};
    hph_c2 = {14'b0, he_c2} * {16'b0, t_q2[39:26]};
    ht_c2  = {14'b0, hpl_c2} + {hph_c2, 26'b0};
    // Correction: n = n_e + c with c = [x1 >= 0] + [x2 >= 0], x_k = d - (n_e + k) * T
    // = d - (k + p_e) * T - 2 h_e T, mod 2^42.
    dd1_c2 = pe0_c2 ? dm2_q2 : dm1_q2;
    dd2_c2 = pe0_c2 ? dm3_q2 : dm2_q2;
    x1_c2  = dd1_c2 - {ht_c2[40:0], 1'b0};
    x2_c2  = dd2_c2 - {ht_c2[40:0], 1'b0};
    c1_c2  = !x1_c2[RW-1];
    c2_c2  = !x2_c2[RW-1];
    // Q * T for the four tick constants, T cut in 17 + 17 + 6 bits; K = B + Q * T.
    q1bp0_c2 = $signed(q1b_q2) * $signed({1'b0, t_q2[16:0]});
    q1bp1_c2 = $signed(q1b_q2) * $signed({1'b0, t_q2[33:17]});
    q1bp2_c2 = $signed(q1b_q2) * $signed({1'b0, t_q2[39:34]});
    cbp0_c2  = $signed(cb_q2) * $signed({1'b0, t_q2[16:0]});
    cbp1_c2  = $signed(cb_q2) * $signed({1'b0, t_q2[33:17]});
    cbp2_c2  = $signed(cb_q2) * $signed({1'b0, t_q2[39:34]});
    q1ap0_c2 = $signed(q1a_q2) * $signed({1'b0, t_q2[16:0]});
    q1ap1_c2 = $signed(q1a_q2) * $signed({1'b0, t_q2[33:17]});
    q1ap2_c2 = $signed(q1a_q2) * $signed({1'b0, t_q2[39:34]});
    cap0_c2  = $signed(ca_q2) * $signed({1'b0, t_q2[16:0]});
    cap1_c2  = $signed(ca_q2) * $signed({1'b0, t_q2[33:17]});
    cap2_c2  = $signed(ca_q2) * $signed({1'b0, t_q2[39:34]});
    bx_c2  = {b_q2[63], b_q2};
    k1b_c2 = bx_c2 + qt_sum(q1bp0_c2, q1bp1_c2, q1bp2_c2);
    k2b_c2 = bx_c2 + qt_sum(cbp0_c2, cbp1_c2, cbp2_c2);
    k1a_c2 = bx_c2 + qt_sum(q1ap0_c2, q1ap1_c2, q1ap2_c2);
    k2a_c2 = bx_c2 + qt_sum(cap0_c2, cap1_c2, cap2_c2);
    // Requote rule 3: moved <=> |px - prev| >= max(tol * T, 1), as px >= hi or px <= lo.
    thx_c2 = {4'b0, thr_q2[60:1], thr_q2[0] | tol0_q2};  // tol = 0 gives thr = 0
    hib_c2 = {pbpx_q2[63], pbpx_q2} + thx_c2;
    lob_c2 = {pbpx_q2[63], pbpx_q2} - thx_c2;
    hia_c2 = {papx_q2[63], papx_q2} + thx_c2;
    loa_c2 = {papx_q2[63], papx_q2} - thx_c2;
    // Rule 9 clamp to [0, 2^31 - 1].
    szb_c2 = szb_q2[32] ? 32'd0 : szb_q2[31] ? 32'h7fff_ffff : szb_q2[31:0];
    sza_c2 = sza_q2[32] ? 32'd0 : sza_q2[31] ? 32'h7fff_ffff : sza_q2[31:0];
  end

  // The case of each side for n = n_e + c. With h = n >> 1, p = n & 1:
  //   c = 0: h = h_e, p = p_e;   c = 1: h = h_e + p_e, p = !p_e;   c = 2: h = h_e + 1, p = p_e.
  // n <= V is tested as n_e <= V - c; h <= U(p) as a compare of h_e with U(0) or U(1). Each
  // compare is the sign of one subtraction (one carry chain), and the case code is a table of
  // the compare results (no adder after them), so that c can pick it in the same cycle.
  function automatic logic le_f(input logic [TW-1:0] x, input logic [TW-1:0] v);  // x <= v
    logic [TW:0] t;
    t    = {v[TW-1], v} - {x[TW-1], x};
    le_f = !t[TW];
  endfunction
  function automatic logic lt_f(input logic [TW-1:0] x, input logic [TW-1:0] v);  // x < v
    logic [TW:0] t;
    t    = {v[TW-1], v} + ~{x[TW-1], x};  // v - x - 1
    lt_f = !t[TW];
  endfunction

  for (genvar c = 0; c < 3; c++) begin : g_cand
    logic       wpos, nb_le, na_le, hb_p1, hb_p0, ha_p1, ha_p0, p, ch;
    logic       case1, hb_le, ha_le, bpost, apost, qb, qa;
    logic [2:0] jbp, jb1, ja1, ja2;
    // hb_p1 / ha_p1: the compare when p_e = 1; hb_p0 / ha_p0: when p_e = 0.
    if (c == 0) begin : g_c0
      assign wpos  = le_f(ne_x_c2, vw_q2);
      assign nb_le = le_f(ne_x_c2, cb_q2);
      assign na_le = le_f(ne_x_c2, va2_q2);
      assign hb_p1 = le_f(he_x_c2, ub1_q2);
      assign hb_p0 = le_f(he_x_c2, q1b_q2);
      assign ha_p1 = le_f(he_x_c2, ua1_q2);
      assign ha_p0 = le_f(he_x_c2, ua0_q2);
      assign p     = pe0_c2;
      assign ch    = 1'b0;
    end else if (c == 1) begin : g_c1
      assign wpos  = le_f(ne_x_c2, vwm1_q2);
      assign nb_le = le_f(ne_x_c2, vb2m1_q2);
      assign na_le = le_f(ne_x_c2, va2m1_q2);
      assign hb_p1 = lt_f(he_x_c2, q1b_q2);
      assign hb_p0 = le_f(he_x_c2, ub1_q2);
      assign ha_p1 = lt_f(he_x_c2, ua0_q2);
      assign ha_p0 = le_f(he_x_c2, ua1_q2);
      assign p     = !pe0_c2;
      assign ch    = pe0_c2;
    end else begin : g_c2
      assign wpos  = lt_f(ne_x_c2, vwm1_q2);
      assign nb_le = lt_f(ne_x_c2, vb2m1_q2);
      assign na_le = lt_f(ne_x_c2, va2m1_q2);
      assign hb_p1 = lt_f(he_x_c2, ub1_q2);
      assign hb_p0 = lt_f(he_x_c2, q1b_q2);
      assign ha_p1 = lt_f(he_x_c2, ua1_q2);
      assign ha_p0 = lt_f(he_x_c2, ua0_q2);
      assign p     = pe0_c2;
      assign ch    = 1'b1;
    end
    assign case1 = mid_q2 || wpos;
    assign hb_le = pe0_c2 ? hb_p1 : hb_p0;
    assign ha_le = pe0_c2 ? ha_p1 : ha_p0;
    assign bpost = case1 ? hb_le : nb_le;
    assign apost = case1 ? ha_le : na_le;
    assign qb    = p && xb_q2;
    assign qa    = p && xa_q2;
    // j with h = h_e + ch folded in (j + coef * ch), as tables:
    //   bid post (coef 2): p - 1 + 2ch;  case 1 (coef 1): (p & xb) + ch;  case 2: 0.
    //   ask post (coef 0): 1;  case 1 (coef 1): (p & xa) + ch;  case 2 (coef 2): p + 2ch.
    assign jbp = !ch ? (p ? 3'd0 : 3'b111) : (p ? 3'd2 : 3'd1);
    assign jb1 = !ch ? {2'b0, qb} : (qb ? 3'd2 : 3'd1);
    assign ja1 = !ch ? {2'b0, qa} : (qa ? 3'd2 : 3'd1);
    assign ja2 = {1'b0, ch, p};
    // {ksel, coef, j}. Bid: post -> n - 1 = 2h + p - 1; case 1 -> h + Q1b + (p & xb);
    // case 2 -> cb. Ask: post -> 1; case 1 -> h + Q1a + (p & xa); case 2 -> n + ca.
    assign cand_b_c2[c*CASE_W +: CASE_W] = bpost ? {2'd0, 2'd2, jbp} :
                                           case1 ? {2'd1, 2'd1, jb1} : {2'd2, 2'd0, 3'd0};
    assign cand_a_c2[c*CASE_W +: CASE_W] = apost ? {2'd0, 2'd0, 3'd1} :
                                           case1 ? {2'd1, 2'd1, ja1} : {2'd2, 2'd2, ja2};
  end

  // Pick the candidate case with the correction c = c1 + c2 (c2 implies c1).
  assign case_b_c2 = c2_c2 ? cand_b_c2[2*CASE_W +: CASE_W] :
                     c1_c2 ? cand_b_c2[CASE_W +: CASE_W] : cand_b_c2[0 +: CASE_W];
  assign case_a_c2 = c2_c2 ? cand_a_c2[2*CASE_W +: CASE_W] :
                     c1_c2 ? cand_a_c2[CASE_W +: CASE_W] : cand_a_c2[0 +: CASE_W];

  logic [CASE_W-1:0] case_b_q3, case_a_q3;
  logic [55:0]   ht_q3;
  logic [PW-1:0] k1b_q3, k2b_q3, k1a_q3, k2a_q3;
  logic [PW-1:0] hib_q3, lob_q3, hia_q3, loa_q3, hib_q4, lob_q4, hia_q4, loa_q4;
  logic [31:0]   szb_q3, szb_q4, sza_q3, sza_q4;
  logic          bpos_q3, bpos_q4, apos_q3, apos_q4;  // clamped size > 0
  // Requote ingredients, loaded by c2 and carried to c4 in one vector.
  localparam int RQ_W = 7;
  logic [RQ_W-1:0] rq_q3, rq_q4;    // {eq_pull, eq_book, pf_hi0, pf_lo (2 bits), pb0, pa0}
  logic [1:0]      eqs_q3, eqs_q4;  // {prev_bid_sz == szb, prev_ask_sz == sza}

  always_ff @(posedge clk) begin
    if (v_q2) begin  // a bubble leaves the stage as it was
      id_q3       <= id_q2;
      pull_q3     <= pull_q2;
      pull_any_q3 <= pull_any_q2;
      book_ok_q3  <= book_ok_q2;
      b_q3        <= b_q2;
      t_q3        <= t_q2;
      t3_q3       <= t3_q2;
      case_b_q3   <= case_b_c2;
      case_a_q3   <= case_a_c2;
      ht_q3       <= ht_c2;
      k1b_q3      <= k1b_c2;
      k2b_q3      <= k2b_c2;
      k1a_q3      <= k1a_c2;
      k2a_q3      <= k2a_c2;
      hib_q3      <= hib_c2;
      lob_q3      <= lob_c2;
      hia_q3      <= hia_c2;
      loa_q3      <= loa_c2;
      szb_q3      <= szb_c2;
      sza_q3      <= sza_c2;
      bpos_q3     <= !szb_q2[32] && (szb_q2[31:0] != '0);
      apos_q3     <= !sza_q2[32] && (sza_q2[31:0] != '0);
      floor_q3    <= floor_q2;
      ceil_q3     <= ceil_q2;
      rq_q3       <= {eq_pull_q2, eq_book_q2, pf_hi0_q2, pf_lo_q2, pbsz0_q2, pasz0_q2};
      // prev size == the clamped size: the clamp's two constants compared at c0, the sum at c1.
      eqs_q3      <= {szb_q2[32] ? pbsz0_q2 : szb_q2[31] ? pbszm_q2 : pbsze_q2,
                      sza_q2[32] ? pasz0_q2 : sza_q2[31] ? paszm_q2 : pasze_q2};
    end
  end

  // ------------------------------------------------------------------------------------------
  // c3: stage 3 -> stage 4. price = K + coef * h_e*T + j*T, exact in 65 bits.
  // ------------------------------------------------------------------------------------------
  function automatic logic [PW-1:0] price(input logic [CASE_W-1:0] cs, input logic [PW-1:0] b,
                                          input logic [PW-1:0] k1, input logic [PW-1:0] k2,
                                          input logic [55:0] ht, input logic [39:0] t,
                                          input logic [41:0] t3);
    logic [PW-1:0] k, h, j;
    logic          cin;
    k   = (cs[6:5] == 2'd1) ? k1 : (cs[6:5] == 2'd2) ? k2 : b;
    h   = (cs[4:3] == 2'd1) ? {9'b0, ht} : (cs[4:3] == 2'd2) ? {8'b0, ht, 1'b0} : '0;
    j   = (cs[2:0] == 3'd1) ? {25'b0, t} :
          (cs[2:0] == 3'd2) ? {24'b0, t, 1'b0} :
          (cs[2:0] == 3'd3) ? {23'b0, t3} :
          (cs[2:0] == 3'b111) ? ~{25'b0, t} : '0;
    cin = cs[2:0] == 3'b111;  // -T = ~T + 1
    price = k + h + j + {{(PW-1){1'b0}}, cin};
  endfunction

  logic [PW-1:0] bpx_c3, apx_c3;
  assign bpx_c3 = price(case_b_q3, {b_q3[63], b_q3}, k1b_q3, k2b_q3, ht_q3, t_q3, t3_q3);
  assign apx_c3 = price(case_a_q3, {b_q3[63], b_q3}, k1a_q3, k2a_q3, ht_q3, t_q3, t3_q3);

  logic [PW-1:0] bpx_q4, apx_q4;

  always_ff @(posedge clk) begin
    if (v_q3) begin  // a bubble leaves the stage as it was
      id_q4       <= id_q3;
      pull_q4     <= pull_q3;
      pull_any_q4 <= pull_any_q3;
      book_ok_q4  <= book_ok_q3;
      bpx_q4      <= bpx_c3;
      apx_q4      <= apx_c3;
      hib_q4      <= hib_q3;
      lob_q4      <= lob_q3;
      hia_q4      <= hia_q3;
      loa_q4      <= loa_q3;
      szb_q4      <= szb_q3;
      sza_q4      <= sza_q3;
      bpos_q4     <= bpos_q3;
      apos_q4     <= apos_q3;
      floor_q4    <= floor_q3;
      ceil_q4     <= ceil_q3;
      rq_q4       <= rq_q3;
      eqs_q4      <= eqs_q3;
    end
  end

  // ------------------------------------------------------------------------------------------
  // c4: rules 10-11 and the requote rule.
  // ------------------------------------------------------------------------------------------
  logic       quote_c4, bl_c4, al_c4, mb_c4, ma_c4;
  logic       eq_pull_c4, eq_book_c4, pf_hi0_c4, pb0_c4, pa0_c4, flags_eq_c4, upd_c4, send_c4;
  logic [1:0] pf_lo_c4;
  logic [7:0] flags_c4;

  always_comb begin
    {eq_pull_c4, eq_book_c4, pf_hi0_c4, pf_lo_c4, pb0_c4, pa0_c4} = rq_q4;
    quote_c4 = !pull_any_q4 && book_ok_q4;
    // Rule 10: strict floor / ceiling, and a price outside int64 is not quoted.
    bl_c4 = quote_c4 && bpos_q4 && (bpx_q4[64] == bpx_q4[63]) &&
            ($signed(bpx_q4) <= $signed({ceil_q4[63], ceil_q4}));
    al_c4 = quote_c4 && apos_q4 && (apx_q4[64] == apx_q4[63]) &&
            ($signed(apx_q4) >= $signed({floor_q4[63], floor_q4}));
    mb_c4 = ($signed(bpx_q4) >= $signed(hib_q4)) || ($signed(bpx_q4) <= $signed(lob_q4));
    ma_c4 = ($signed(apx_q4) >= $signed(hia_q4)) || ($signed(apx_q4) <= $signed(loa_q4));
    // Rule 1, 2-3 and 11.
    flags_c4 = pull_any_q4 ? pull_q4 : !book_ok_q4 ? ttq_pkg::QF_PULL_BOOK :
               (al_c4 ? ttq_pkg::QF_ASK_LIVE : 8'h00) | (bl_c4 ? ttq_pkg::QF_BID_LIVE : 8'h00);
    flags_eq_c4 = pull_any_q4 ? eq_pull_c4 : !book_ok_q4 ? eq_book_c4 :
                  pf_hi0_c4 && (pf_lo_c4 == {al_c4, bl_c4});
    // needs_requote, then FastPath::requote's silent case: nothing live before or after.
    upd_c4  = !flags_eq_c4 ||
              !(bl_c4 ? eqs_q4[1] : pb0_c4) || !(al_c4 ? eqs_q4[0] : pa0_c4) ||
              (bl_c4 && mb_c4) || (al_c4 && ma_c4);
    send_c4 = upd_c4 && (pf_lo_c4 != 2'b00 || bl_c4 || al_c4);
    res_c4 = {flags_c4, id_q4, al_c4 ? sza_q4 : 32'd0, bl_c4 ? szb_q4 : 32'd0,
              al_c4 ? apx_q4[63:0] : 64'd0, bl_c4 ? bpx_q4[63:0] : 64'd0, upd_c4, send_c4};
  end

  // ------------------------------------------------------------------------------------------
  // Valids, output register and skid FIFO.
  // ------------------------------------------------------------------------------------------
  assign out_free   = !m_valid_q || m_axis_quote_tready;
  assign fifo_empty = fifo_cnt_q == '0;
  assign from_fifo  = out_free && !fifo_empty;
  assign direct     = out_free && fifo_empty && v_q4;
  assign push       = v_q4 && !direct;
  assign fifo_head  = fifo_mem[rd_ptr_q];
  assign cnt_d      = cnt_q + CNT_W'(acc) - CNT_W'(from_fifo || direct);

  always_ff @(posedge clk) begin
    if (push) fifo_mem[wr_ptr_q] <= res_c4;
    if (out_free) m_data_q <= from_fifo ? fifo_head : res_c4;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      v_q1       <= 1'b0;
      v_q2       <= 1'b0;
      v_q3       <= 1'b0;
      v_q4       <= 1'b0;
      cnt_q      <= '0;
      tready_q   <= 1'b0;
      wr_ptr_q   <= '0;
      rd_ptr_q   <= '0;
      fifo_cnt_q <= '0;
      m_valid_q  <= 1'b0;
    end else begin
      v_q1       <= acc;
      v_q2       <= v_q1;
      v_q3       <= v_q2;
      v_q4       <= v_q3;
      cnt_q      <= cnt_d;
      tready_q   <= cnt_d < CNT_W'(FIFO_DEPTH);
      wr_ptr_q   <= wr_ptr_q + PTR_W'(push);
      rd_ptr_q   <= rd_ptr_q + PTR_W'(from_fifo);
      fifo_cnt_q <= fifo_cnt_q + CNT_W'(push) - CNT_W'(from_fifo);
      if (out_free) m_valid_q <= !fifo_empty || v_q4;
    end
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst) begin
      assert (!(push && fifo_cnt_q == CNT_W'(FIFO_DEPTH)));
      assert (cnt_q <= CNT_W'(FIFO_DEPTH));
      // Upstream pulls only for stale / halt / kill: other bits would break the canonical form.
      assert (!acc || (s_axis_req_pull & ~PULL_UPSTREAM) == '0);
    end
  end
`endif

  ttq_pkg::quote_rec_t rec;
  always_comb begin
    rec.reserved = '0;
    rec.level    = '0;
    {rec.flags, rec.slot, rec.seq, rec.security_id, rec.ask_sz, rec.bid_sz, rec.ask_px,
     rec.bid_px, m_axis_quote_tuser} = m_data_q;
  end
  assign m_axis_quote_tvalid = m_valid_q;
  assign m_axis_quote_tdata  = rec;

endmodule

`resetall
