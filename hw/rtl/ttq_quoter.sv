// Quoter stage of the card: level 0 of ttq::compute_quotes and FastPath::requote's decision, bit
// for bit with host/src/quoter.cpp, one request per cycle, LATENCY = 6. Stateless: each request
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

  // LATENCY: a request accepted in cycle t (tvalid && tready) is on m_axis_quote in cycle t + 6
  // when the output is not back-pressured (tb_quoter asserts it). Logic cK loads the stage K+1
  // registers (suffix _qK+1, comb signals _cK); c5 loads the output register or the FIFO.
  //   c0  d = A - B (65 bit); tick-domain parameter sums; size sums; prev-level equalities
  //   c1  estimate n_e: (d << s)[55:39] * recip (1 DSP); rules 2-3 range checks; d - k*T;
  //       rule 6-7 constants; size clamps; tol * T (3 DSPs)
  //   c2  h_e * T (2 DSPs); Q * T for four tick constants (12 DSPs); the rule 4-7 case of each
  //       side for n = n_e + c, c = 0, 1, 2; tol * T sum
  //   c3  c = [d >= (n_e + 1) T] + [d >= (n_e + 2) T]; pick the case; h_e * T; K = B + Q * T;
  //       prev -/+ max(tol * T, 1)
  //   c4  prices K + {0, 1, 2} * h_e * T + j * T, 65 bit
  //   c5  rules 10-11, requote rule, emit decision
  localparam int LATENCY = 6;
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
  // busy wait in the skid FIFO. cnt counts requests in stages 1-5 plus the FIFO, so accepting
  // only while cnt < FIFO_DEPTH means the FIFO can never overflow, and tready is a register.
  // A stage's data registers load only when the stage before holds a request (one clock enable
  // per stage). No two stages share an enable, so synthesis keeps the delay lines as flip-flops
  // instead of SRL16E shift registers, whose slow clock-to-out would sit in front of c5's logic.
  // ------------------------------------------------------------------------------------------
  logic             acc;
  logic             v_q1, v_q2, v_q3, v_q4, v_q5;
  logic [CNT_W-1:0] cnt_q, cnt_d;
  logic             tready_q;
  logic [PTR_W-1:0] wr_ptr_q, rd_ptr_q;
  logic [CNT_W-1:0] fifo_cnt_q;
  logic             out_free, fifo_empty, from_fifo, direct, push;
  logic [OUT_W-1:0] res_c5, fifo_head;
  logic [OUT_W-1:0] fifo_mem [FIFO_DEPTH];
  logic             m_valid_q;
  logic [OUT_W-1:0] m_data_q;

  assign s_axis_req_tready = tready_q;
  assign acc = s_axis_req_tvalid && tready_q;

  // ------------------------------------------------------------------------------------------
  // c0: request -> stage 1
  // ------------------------------------------------------------------------------------------
  logic [64:0]    d_c0;
  logic [TW-1:0]  bo_c0, ao_c0, sh_c0, cb_c0, ca_c0, cw_c0, cwp_c0;
  logic [32:0]    szb_c0, sza_c0;
  logic [41:0]    t3_c0;

  always_comb begin
    // Rule 3: d = A - B exactly.
    d_c0  = {s_axis_req_ask_px[63], s_axis_req_ask_px} -
            {s_axis_req_bid_px[63], s_axis_req_bid_px};
    bo_c0 = {{(TW-22){s_axis_req_bid_off[21]}}, s_axis_req_bid_off};
    ao_c0 = {{(TW-22){s_axis_req_ask_off[21]}}, s_axis_req_ask_off};
    sh_c0 = {{(TW-22){s_axis_req_shift_ticks[21]}}, s_axis_req_shift_ticks};
    // Rule 5 at level 0: bk = rb + cb, ak = ra + ca. Rule 6: w = cw - (ra - rb).
    cb_c0  = '0 - bo_c0 - sh_c0;
    ca_c0  = ao_c0 - sh_c0;
    cw_c0  = {{(TW-16){1'b0}}, s_axis_req_min_spread} - ao_c0 - bo_c0;
    cwp_c0 = {{(TW-16){1'b0}}, s_axis_req_min_spread} - ao_c0 - bo_c0 + TW'(1);
    // Rule 9 before the clamp: order_size -/+ size_adj, in [-2^30, 2^31].
    szb_c0 = {2'b0, s_axis_req_order_size} - {s_axis_req_size_adj[31], s_axis_req_size_adj};
    sza_c0 = {2'b0, s_axis_req_order_size} + {s_axis_req_size_adj[31], s_axis_req_size_adj};
    t3_c0  = {2'b0, s_axis_req_tick} + {1'b0, s_axis_req_tick, 1'b0};
  end

  logic [79:0]       id_q1, id_q2, id_q3, id_q4, id_q5;  // {slot, seq, security_id}
  logic [7:0]        pull_q1, pull_q2, pull_q3, pull_q4, pull_q5;
  logic [64:0]       d_q1;
  logic [63:0]       b_q1, b_q2, b_q3, b_q4;
  logic [39:0]       t_q1, t_q2, t_q3, t_q4;
  logic [41:0]       t3_q1, t3_q2, t3_q3, t3_q4;
  logic [25:0]       recip_q1;
  logic [5:0]        recip_sh_q1;
  logic [55:0]       d_lim_q1;
  logic              mid_q1;
  logic [TW-1:0]     cb_q1, ca_q1, cw_q1, cwp_q1;
  logic [20:0]       tol_q1;
  logic [63:0]       floor_q1, floor_q2, floor_q3, floor_q4, floor_q5;
  logic [63:0]       ceil_q1, ceil_q2, ceil_q3, ceil_q4, ceil_q5;
  logic [32:0]       szb_q1, sza_q1;
  logic              sides_q1;
  logic [31:0]       pbsz_q1, pasz_q1;
  logic [63:0]       pbpx_q1, pbpx_q2, pbpx_q3;
  logic [63:0]       papx_q1, papx_q2, papx_q3;
  // Requote rule 1-2 ingredients: the new flags are pull, 0x20 or {al, bl}; the new sizes are
  // 0 or the clamped size. Compare prev with each possibility early, pick at c5.
  logic              eq_pull_q1, eq_book_q1, pf_hi0_q1, pbsz0_q1, pasz0_q1;
  logic [1:0]        pf_lo_q1;

  always_ff @(posedge clk) begin
    if (acc) begin  // a bubble leaves the stage as it was
      id_q1       <= {s_axis_req_slot, s_axis_req_seq, s_axis_req_security_id};
      pull_q1     <= s_axis_req_pull;
      d_q1        <= d_c0;
      b_q1        <= s_axis_req_bid_px;
      t_q1        <= s_axis_req_tick;
      t3_q1       <= t3_c0;
      recip_q1    <= s_axis_req_recip;
      recip_sh_q1 <= s_axis_req_recip_sh;
      d_lim_q1    <= s_axis_req_d_lim;
      mid_q1      <= s_axis_req_mid;
      cb_q1       <= cb_c0;
      ca_q1       <= ca_c0;
      cw_q1       <= cw_c0;
      cwp_q1      <= cwp_c0;
      tol_q1      <= s_axis_req_tol;
      floor_q1    <= s_axis_req_price_floor;
      ceil_q1     <= s_axis_req_price_ceil;
      szb_q1      <= szb_c0;
      sza_q1      <= sza_c0;
      sides_q1    <= !s_axis_req_bid_sz[31] && (s_axis_req_bid_sz != '0) &&
                     !s_axis_req_ask_sz[31] && (s_axis_req_ask_sz != '0);
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
    end
  end

  // ------------------------------------------------------------------------------------------
  // c1: stage 1 -> stage 2
  // ------------------------------------------------------------------------------------------
  logic [55:0]   dn_c1;
  logic [16:0]   dt_c1;
  logic [42:0]   pe_c1;
  logic          unused_c1;
  logic          book_ok_c1;
  logic [41:0]   dm1_c1, dm2_c1, dm3_c1;
  logic          cwpos_c1, sel_c1;
  logic [TW-1:0] g0_c1, f0_c1, gs_c1, fs_c1;
  logic [TW-1:0] q1b_c1, q1a_c1, ub1_c1, ua0_c1, ua1_c1;
  logic [TW-1:0] vw_c1, vwm1_c1, vb2m1_c1, va2_c1, va2m1_c1;
  logic          xb_c1, xa_c1;
  logic [31:0]   szb_c1, sza_c1;
  logic [37:0]   tp0_c1, tp1_c1;
  logic [26:0]   tp2_c1;

  always_comb begin
    // Spread estimate. dn = d << s puts T' = T << s in (2^39, 2^40]; for a book that passes the
    // range checks T' <= dn < 2^56, and n_e = (dn[55:39] * r) >> 26 is n, n - 1 or n - 2.
    dn_c1 = d_q1[55:0] << recip_sh_q1;
    dt_c1 = dn_c1[55:39];
    pe_c1 = {26'b0, dt_c1} * {17'b0, recip_q1};
    unused_c1 = ^{dn_c1[38:0], pe_c1[25:0]};
    // Rules 2-3 without dividing: n == 0 <=> d < T, n > max <=> d >= (max + 1) * T.
    book_ok_c1 = sides_q1 && ($signed(d_q1) >= $signed({25'b0, t_q1})) &&
                 ($signed(d_q1) < $signed({9'b0, d_lim_q1}));
    // d - k*T mod 2^42 for the correction at c3.
    dm1_c1 = d_q1[41:0] - {2'b0, t_q1};
    dm2_c1 = d_q1[41:0] - {1'b0, t_q1, 1'b0};
    dm3_c1 = d_q1[41:0] - t3_q1;
    // Rules 6-7 constants. cw = min - ao - bo; in join mode w = cw - n, in mid mode w = cw - p.
    // Case 1 (mid, or join with w > 0): bk1 = h + Q1b + (p & xb), ak1 = h + Q1a + (p & xa).
    cwpos_c1 = !cw_q1[TW-1] && (cw_q1 != '0);
    sel_c1   = !mid_q1 || cwpos_c1;
    g0_c1    = {cwp_q1[TW-1], cwp_q1[TW-1:1]};  // (cw + 1) >> 1
    f0_c1    = {cw_q1[TW-1], cw_q1[TW-1:1]};    // cw >> 1
    gs_c1    = sel_c1 ? g0_c1 : '0;
    fs_c1    = sel_c1 ? f0_c1 : '0;
    xb_c1    = cwpos_c1 && cw_q1[0];
    xa_c1    = !cwpos_c1 || cw_q1[0];
    q1b_c1   = cb_q1 - gs_c1;
    q1a_c1   = ca_q1 + fs_c1;
    // Post-only thresholds. Case 1: bid post <=> h <= Ub(p), ask post <=> h <= Ua(p).
    // Case 2 (join, w <= 0): bid post <=> n <= cb, ask post <=> n <= -ca. w > 0 <=> n <= cw - 1.
    ub1_c1   = cb_q1 - gs_c1 - TW'(!xb_c1);
    ua0_c1   = '0 - ca_q1 - fs_c1;
    ua1_c1   = '0 - ca_q1 - fs_c1 - TW'(xa_c1);
    vw_c1    = cw_q1 - TW'(1);
    vwm1_c1  = cw_q1 - TW'(2);
    vb2m1_c1 = cb_q1 - TW'(1);
    va2_c1   = '0 - ca_q1;
    va2m1_c1 = ~ca_q1;  // -ca - 1
    // Rule 9 clamp to [0, 2^31 - 1].
    szb_c1 = szb_q1[32] ? 32'd0 : szb_q1[31] ? 32'h7fff_ffff : szb_q1[31:0];
    sza_c1 = sza_q1[32] ? 32'd0 : sza_q1[31] ? 32'h7fff_ffff : sza_q1[31:0];
    // Requote threshold tol * T < 2^61, in three DSP products.
    tp0_c1 = {17'b0, tol_q1} * {21'b0, t_q1[16:0]};
    tp1_c1 = {17'b0, tol_q1} * {21'b0, t_q1[33:17]};
    tp2_c1 = {6'b0, tol_q1} * {21'b0, t_q1[39:34]};
  end

  logic [16:0]   pe_q2;  // n_e = pe_q2, h_e = pe_q2[16:1], p_e = pe_q2[0]
  logic          book_ok_q2, book_ok_q3, book_ok_q4, book_ok_q5;
  logic [41:0]   dm1_q2, dm2_q2, dm3_q2;
  logic          mid_q2, xb_q2, xa_q2;
  logic [TW-1:0] cb_q2, ca_q2, q1b_q2, q1a_q2, ub1_q2, ua0_q2, ua1_q2;
  logic [TW-1:0] vw_q2, vwm1_q2, vb2m1_q2, va2_q2, va2m1_q2;
  logic [31:0]   szb_q2, szb_q3, szb_q4, szb_q5;
  logic [31:0]   sza_q2, sza_q3, sza_q4, sza_q5;
  logic          bpos_q2, bpos_q3, bpos_q4, bpos_q5;  // clamped size > 0
  logic          apos_q2, apos_q3, apos_q4, apos_q5;
  logic          eqbs_q2, eqas_q2;
  logic [37:0]   tp0_q2, tp1_q2;
  logic [26:0]   tp2_q2;
  logic          tol0_q2, tol0_q3;
  logic          pull_any_q2, pull_any_q3, pull_any_q4, pull_any_q5;
  logic          eq_pull_q2, eq_book_q2, pf_hi0_q2, pbsz0_q2, pasz0_q2;
  logic [1:0]    pf_lo_q2;
  // Requote ingredients carried from c2 to c5 in one vector.
  localparam int RQ_W = 7;
  logic [RQ_W-1:0] rq_q3, rq_q4, rq_q5;  // {eq_pull, eq_book, pf_hi0, pf_lo, pb0, pa0}
  logic [1:0]         eqs_q3, eqs_q4, eqs_q5;       // {prev_bid_sz == szb, prev_ask_sz == sza}

  always_ff @(posedge clk) begin
    if (v_q1) begin  // a bubble leaves the stage as it was
      id_q2       <= id_q1;
      pull_q2     <= pull_q1;
      pull_any_q2 <= pull_q1 != '0;
      pe_q2       <= pe_c1[42:26];
      book_ok_q2  <= book_ok_c1;
      b_q2        <= b_q1;
      t_q2        <= t_q1;
      t3_q2       <= t3_q1;
      dm1_q2      <= dm1_c1;
      dm2_q2      <= dm2_c1;
      dm3_q2      <= dm3_c1;
      mid_q2      <= mid_q1;
      xb_q2       <= xb_c1;
      xa_q2       <= xa_c1;
      cb_q2       <= cb_q1;
      ca_q2       <= ca_q1;
      q1b_q2      <= q1b_c1;
      q1a_q2      <= q1a_c1;
      ub1_q2      <= ub1_c1;
      ua0_q2      <= ua0_c1;
      ua1_q2      <= ua1_c1;
      vw_q2       <= vw_c1;
      vwm1_q2     <= vwm1_c1;
      vb2m1_q2    <= vb2m1_c1;
      va2_q2      <= va2_c1;
      va2m1_q2    <= va2m1_c1;
      szb_q2      <= szb_c1;
      sza_q2      <= sza_c1;
      bpos_q2     <= !szb_q1[32] && (szb_q1[31:0] != '0);
      apos_q2     <= !sza_q1[32] && (sza_q1[31:0] != '0);
      eqbs_q2     <= pbsz_q1 == szb_c1;
      eqas_q2     <= pasz_q1 == sza_c1;
      tp0_q2      <= tp0_c1;
      tp1_q2      <= tp1_c1;
      tp2_q2      <= tp2_c1;
      tol0_q2     <= tol_q1 == '0;
      floor_q2    <= floor_q1;
      ceil_q2     <= ceil_q1;
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
  // c2: stage 2 -> stage 3
  // ------------------------------------------------------------------------------------------
  logic [16:0]   ne_c2;
  logic [15:0]   he_c2;
  logic          pe0_c2;
  logic [41:0]   hpl_c2;               // h_e * T[25:0]
  logic [29:0]   hph_c2;               // h_e * T[39:26]
  logic [42:0]   q1bp0_c2, q1bp1_c2, cbp0_c2, cbp1_c2, q1ap0_c2, q1ap1_c2, cap0_c2, cap1_c2;
  logic [30:0]   q1bp2_c2, cbp2_c2, q1ap2_c2, cap2_c2;  // |Q * T[39:34]| < 2^30
  logic [41:0]   dd1_c2, dd2_c2;
  logic [60:0]   thr_c2;
  logic [3*CASE_W-1:0] cand_b_c2, cand_a_c2;
  logic [TW-1:0] ne_x_c2, he_x_c2;

  always_comb begin
    ne_c2  = pe_q2;
    he_c2  = pe_q2[16:1];
    pe0_c2 = pe_q2[0];
    ne_x_c2 = {{(TW-17){1'b0}}, ne_c2};
    he_x_c2 = {{(TW-16){1'b0}}, he_c2};
    // h_e * T: with the correction c, gives h * T and n * T = 2 h T + p T.
    hpl_c2 = {26'b0, he_c2} * {16'b0, t_q2[25:0]};
    hph_c2 = {14'b0, he_c2} * {16'b0, t_q2[39:26]};
    // Q * T for the four tick constants, T cut in 17 + 17 + 6 bits.
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
    // d - (n_e + k) * T = d - (k + p_e) * T - 2 h_e T, k = 1, 2: the d - (k + p_e) * T part.
    dd1_c2 = pe0_c2 ? dm2_q2 : dm1_q2;
    dd2_c2 = pe0_c2 ? dm3_q2 : dm2_q2;
    thr_c2 = {23'b0, tp0_q2} + {6'b0, tp1_q2, 17'b0} + {tp2_q2, 34'b0};
  end

  // The case of each side for n = n_e + c. With h = n >> 1, p = n & 1:
  //   c = 0: h = h_e, p = p_e;   c = 1: h = h_e + p_e, p = !p_e;   c = 2: h = h_e + 1, p = p_e.
  // n <= V is tested as n_e <= V - c; h <= U(p) as a compare of h_e with U(0) or U(1).
  for (genvar c = 0; c < 3; c++) begin : g_cand
    logic          wpos, case1, bpost, apost, hb_le, ha_le, nb_le, na_le, p, ch;
    logic [1:0]    kb, ka, cfb, cfa;
    logic [2:0]    jjb, jja, jb, ja;
    if (c == 0) begin : g_c0
      assign wpos  = $signed(ne_x_c2) <= $signed(vw_q2);
      assign nb_le = $signed(ne_x_c2) <= $signed(cb_q2);
      assign na_le = $signed(ne_x_c2) <= $signed(va2_q2);
      assign hb_le = pe0_c2 ? ($signed(he_x_c2) <= $signed(ub1_q2))
                            : ($signed(he_x_c2) <= $signed(q1b_q2));
      assign ha_le = pe0_c2 ? ($signed(he_x_c2) <= $signed(ua1_q2))
                            : ($signed(he_x_c2) <= $signed(ua0_q2));
      assign p     = pe0_c2;
      assign ch    = 1'b0;
    end else if (c == 1) begin : g_c1
      assign wpos  = $signed(ne_x_c2) <= $signed(vwm1_q2);
      assign nb_le = $signed(ne_x_c2) <= $signed(vb2m1_q2);
      assign na_le = $signed(ne_x_c2) <= $signed(va2m1_q2);
      assign hb_le = pe0_c2 ? ($signed(he_x_c2) < $signed(q1b_q2))
                            : ($signed(he_x_c2) <= $signed(ub1_q2));
      assign ha_le = pe0_c2 ? ($signed(he_x_c2) < $signed(ua0_q2))
                            : ($signed(he_x_c2) <= $signed(ua1_q2));
      assign p     = !pe0_c2;
      assign ch    = pe0_c2;
    end else begin : g_c2
      assign wpos  = $signed(ne_x_c2) < $signed(vwm1_q2);
      assign nb_le = $signed(ne_x_c2) < $signed(vb2m1_q2);
      assign na_le = $signed(ne_x_c2) < $signed(va2m1_q2);
      assign hb_le = pe0_c2 ? ($signed(he_x_c2) < $signed(ub1_q2))
                            : ($signed(he_x_c2) < $signed(q1b_q2));
      assign ha_le = pe0_c2 ? ($signed(he_x_c2) < $signed(ua1_q2))
                            : ($signed(he_x_c2) < $signed(ua0_q2));
      assign p     = pe0_c2;
      assign ch    = 1'b1;
    end
    assign case1 = mid_q2 || wpos;
    assign bpost = case1 ? hb_le : nb_le;
    assign apost = case1 ? ha_le : na_le;
    // Bid: post -> n - 1 = 2h + p - 1;  case 1 -> h + Q1b + (p & xb);  case 2 -> cb.
    assign kb  = bpost ? 2'd0 : case1 ? 2'd1 : 2'd2;
    assign cfb = bpost ? 2'd2 : case1 ? 2'd1 : 2'd0;
    assign jjb = bpost ? (p ? 3'd0 : 3'b111) : case1 ? {2'b0, p && xb_q2} : 3'd0;
    // Ask: post -> 1;  case 1 -> h + Q1a + (p & xa);  case 2 -> n + ca = 2h + p + ca.
    assign ka  = apost ? 2'd0 : case1 ? 2'd1 : 2'd2;
    assign cfa = apost ? 2'd0 : case1 ? 2'd1 : 2'd2;
    assign jja = apost ? 3'd1 : case1 ? {2'b0, p && xa_q2} : {2'b0, p};
    // h = h_e + ch: fold coef * ch * T into j.
    assign jb = jjb + (ch ? {1'b0, cfb} : 3'd0);
    assign ja = jja + (ch ? {1'b0, cfa} : 3'd0);
    assign cand_b_c2[c*CASE_W +: CASE_W] = {kb, cfb, jb};
    assign cand_a_c2[c*CASE_W +: CASE_W] = {ka, cfa, ja};
  end

  logic [41:0]   hpl_q3;
  logic [29:0]   hph_q3;
  logic [42:0]   q1bp0_q3, q1bp1_q3, cbp0_q3, cbp1_q3, q1ap0_q3, q1ap1_q3, cap0_q3, cap1_q3;
  logic [30:0]   q1bp2_q3, cbp2_q3, q1ap2_q3, cap2_q3;
  logic [41:0]   dd1_q3, dd2_q3;
  logic [60:0]   thr_q3;
  logic [3*CASE_W-1:0] cand_b_q3, cand_a_q3;

  always_ff @(posedge clk) begin
    if (v_q2) begin  // a bubble leaves the stage as it was
      id_q3       <= id_q2;
      pull_q3     <= pull_q2;
      pull_any_q3 <= pull_any_q2;
      book_ok_q3  <= book_ok_q2;
      b_q3        <= b_q2;
      t_q3        <= t_q2;
      t3_q3       <= t3_q2;
      hpl_q3      <= hpl_c2;
      hph_q3      <= hph_c2;
      q1bp0_q3    <= q1bp0_c2;
      q1bp1_q3    <= q1bp1_c2;
      q1bp2_q3    <= q1bp2_c2;
      cbp0_q3     <= cbp0_c2;
      cbp1_q3     <= cbp1_c2;
      cbp2_q3     <= cbp2_c2;
      q1ap0_q3    <= q1ap0_c2;
      q1ap1_q3    <= q1ap1_c2;
      q1ap2_q3    <= q1ap2_c2;
      cap0_q3     <= cap0_c2;
      cap1_q3     <= cap1_c2;
      cap2_q3     <= cap2_c2;
      dd1_q3      <= dd1_c2;
      dd2_q3      <= dd2_c2;
      thr_q3      <= thr_c2;
      tol0_q3     <= tol0_q2;
      cand_b_q3   <= cand_b_c2;
      cand_a_q3   <= cand_a_c2;
      szb_q3      <= szb_q2;
      sza_q3      <= sza_q2;
      bpos_q3     <= bpos_q2;
      apos_q3     <= apos_q2;
      floor_q3    <= floor_q2;
      ceil_q3     <= ceil_q2;
      pbpx_q3     <= pbpx_q2;
      papx_q3     <= papx_q2;
      rq_q3       <= {eq_pull_q2, eq_book_q2, pf_hi0_q2, pf_lo_q2, pbsz0_q2, pasz0_q2};
      eqs_q3      <= {eqbs_q2, eqas_q2};
    end
  end

  // ------------------------------------------------------------------------------------------
  // c3: stage 3 -> stage 4
  // ------------------------------------------------------------------------------------------
  logic [41:0]   x1_c3, x2_c3;
  logic          c1_c3, c2_c3;
  logic [CASE_W-1:0] case_b_c3, case_a_c3;
  logic [55:0]   ht_c3;
  logic [PW-1:0] bx_c3, k1b_c3, k2b_c3, k1a_c3, k2a_c3, thx_c3;
  logic [PW-1:0] hib_c3, lob_c3, hia_c3, loa_c3;

  // Q * T from its three products, sign-extended to PW bits.
  function automatic logic [PW-1:0] qt_sum(input logic [42:0] p0, input logic [42:0] p1,
                                          input logic [30:0] p2);
    qt_sum = {{(PW-43){p0[42]}}, p0} + {{(PW-60){p1[42]}}, p1, 17'b0} + {p2, 34'b0};
  endfunction

  always_comb begin
    // Correction: n = n_e + c with c = [x1 >= 0] + [x2 >= 0], x_k = d - (n_e + k) * T.
    x1_c3 = dd1_q3 - {hpl_q3[40:0], 1'b0} - {hph_q3[14:0], 27'b0};
    x2_c3 = dd2_q3 - {hpl_q3[40:0], 1'b0} - {hph_q3[14:0], 27'b0};
    c1_c3 = !x1_c3[RW-1];
    c2_c3 = !x2_c3[RW-1];
    case_b_c3 = c2_c3 ? cand_b_q3[2*CASE_W +: CASE_W] :
                c1_c3 ? cand_b_q3[CASE_W +: CASE_W] : cand_b_q3[0 +: CASE_W];
    case_a_c3 = c2_c3 ? cand_a_q3[2*CASE_W +: CASE_W] :
                c1_c3 ? cand_a_q3[CASE_W +: CASE_W] : cand_a_q3[0 +: CASE_W];
    ht_c3  = {14'b0, hpl_q3} + {hph_q3, 26'b0};
    bx_c3  = {b_q3[63], b_q3};
    k1b_c3 = bx_c3 + qt_sum(q1bp0_q3, q1bp1_q3, q1bp2_q3);
    k2b_c3 = bx_c3 + qt_sum(cbp0_q3, cbp1_q3, cbp2_q3);
    k1a_c3 = bx_c3 + qt_sum(q1ap0_q3, q1ap1_q3, q1ap2_q3);
    k2a_c3 = bx_c3 + qt_sum(cap0_q3, cap1_q3, cap2_q3);
    // Requote rule 3: moved <=> |px - prev| >= max(tol * T, 1), as px >= hi or px <= lo.
    thx_c3 = {4'b0, thr_q3[60:1], thr_q3[0] | tol0_q3};  // tol = 0 gives thr = 0
    hib_c3 = {pbpx_q3[63], pbpx_q3} + thx_c3;
    lob_c3 = {pbpx_q3[63], pbpx_q3} - thx_c3;
    hia_c3 = {papx_q3[63], papx_q3} + thx_c3;
    loa_c3 = {papx_q3[63], papx_q3} - thx_c3;
  end

  logic [CASE_W-1:0] case_b_q4, case_a_q4;
  logic [55:0]   ht_q4;
  logic [PW-1:0] k1b_q4, k2b_q4, k1a_q4, k2a_q4;
  logic [PW-1:0] hib_q4, lob_q4, hia_q4, loa_q4, hib_q5, lob_q5, hia_q5, loa_q5;

  always_ff @(posedge clk) begin
    if (v_q3) begin  // a bubble leaves the stage as it was
      id_q4       <= id_q3;
      pull_q4     <= pull_q3;
      pull_any_q4 <= pull_any_q3;
      book_ok_q4  <= book_ok_q3;
      b_q4        <= b_q3;
      t_q4        <= t_q3;
      t3_q4       <= t3_q3;
      case_b_q4   <= case_b_c3;
      case_a_q4   <= case_a_c3;
      ht_q4       <= ht_c3;
      k1b_q4      <= k1b_c3;
      k2b_q4      <= k2b_c3;
      k1a_q4      <= k1a_c3;
      k2a_q4      <= k2a_c3;
      hib_q4      <= hib_c3;
      lob_q4      <= lob_c3;
      hia_q4      <= hia_c3;
      loa_q4      <= loa_c3;
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
  // c4: stage 4 -> stage 5. price = K + coef * h_e*T + j*T, exact in 65 bits.
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

  logic [PW-1:0] bpx_c4, apx_c4;
  assign bpx_c4 = price(case_b_q4, {b_q4[63], b_q4}, k1b_q4, k2b_q4, ht_q4, t_q4, t3_q4);
  assign apx_c4 = price(case_a_q4, {b_q4[63], b_q4}, k1a_q4, k2a_q4, ht_q4, t_q4, t3_q4);

  logic [PW-1:0] bpx_q5, apx_q5;

  always_ff @(posedge clk) begin
    if (v_q4) begin  // a bubble leaves the stage as it was
      id_q5       <= id_q4;
      pull_q5     <= pull_q4;
      pull_any_q5 <= pull_any_q4;
      book_ok_q5  <= book_ok_q4;
      bpx_q5      <= bpx_c4;
      apx_q5      <= apx_c4;
      hib_q5      <= hib_q4;
      lob_q5      <= lob_q4;
      hia_q5      <= hia_q4;
      loa_q5      <= loa_q4;
      szb_q5      <= szb_q4;
      sza_q5      <= sza_q4;
      bpos_q5     <= bpos_q4;
      apos_q5     <= apos_q4;
      floor_q5    <= floor_q4;
      ceil_q5     <= ceil_q4;
      rq_q5       <= rq_q4;
      eqs_q5      <= eqs_q4;
    end
  end

  // ------------------------------------------------------------------------------------------
  // c5: rules 10-11 and the requote rule.
  // ------------------------------------------------------------------------------------------
  logic       quote_c5, bl_c5, al_c5, mb_c5, ma_c5;
  logic       eq_pull_c5, eq_book_c5, pf_hi0_c5, pb0_c5, pa0_c5, flags_eq_c5, upd_c5, send_c5;
  logic [1:0] pf_lo_c5;
  logic [7:0] flags_c5;

  always_comb begin
    {eq_pull_c5, eq_book_c5, pf_hi0_c5, pf_lo_c5, pb0_c5, pa0_c5} = rq_q5;
    quote_c5 = !pull_any_q5 && book_ok_q5;
    // Rule 10: strict floor / ceiling, and a price outside int64 is not quoted.
    bl_c5 = quote_c5 && bpos_q5 && (bpx_q5[64] == bpx_q5[63]) &&
            ($signed(bpx_q5) <= $signed({ceil_q5[63], ceil_q5}));
    al_c5 = quote_c5 && apos_q5 && (apx_q5[64] == apx_q5[63]) &&
            ($signed(apx_q5) >= $signed({floor_q5[63], floor_q5}));
    mb_c5 = ($signed(bpx_q5) >= $signed(hib_q5)) || ($signed(bpx_q5) <= $signed(lob_q5));
    ma_c5 = ($signed(apx_q5) >= $signed(hia_q5)) || ($signed(apx_q5) <= $signed(loa_q5));
    // Rule 1, 2-3 and 11.
    flags_c5 = pull_any_q5 ? pull_q5 : !book_ok_q5 ? ttq_pkg::QF_PULL_BOOK :
               (al_c5 ? ttq_pkg::QF_ASK_LIVE : 8'h00) | (bl_c5 ? ttq_pkg::QF_BID_LIVE : 8'h00);
    flags_eq_c5 = pull_any_q5 ? eq_pull_c5 : !book_ok_q5 ? eq_book_c5 :
                  pf_hi0_c5 && (pf_lo_c5 == {al_c5, bl_c5});
    // needs_requote, then FastPath::requote's silent case: nothing live before or after.
    upd_c5  = !flags_eq_c5 ||
              !(bl_c5 ? eqs_q5[1] : pb0_c5) || !(al_c5 ? eqs_q5[0] : pa0_c5) ||
              (bl_c5 && mb_c5) || (al_c5 && ma_c5);
    send_c5 = upd_c5 && (pf_lo_c5 != 2'b00 || bl_c5 || al_c5);
    res_c5 = {flags_c5, id_q5, al_c5 ? sza_q5 : 32'd0, bl_c5 ? szb_q5 : 32'd0,
              al_c5 ? apx_q5[63:0] : 64'd0, bl_c5 ? bpx_q5[63:0] : 64'd0, upd_c5, send_c5};
  end

  // ------------------------------------------------------------------------------------------
  // Valids, output register and skid FIFO.
  // ------------------------------------------------------------------------------------------
  assign out_free   = !m_valid_q || m_axis_quote_tready;
  assign fifo_empty = fifo_cnt_q == '0;
  assign from_fifo  = out_free && !fifo_empty;
  assign direct     = out_free && fifo_empty && v_q5;
  assign push       = v_q5 && !direct;
  assign fifo_head  = fifo_mem[rd_ptr_q];
  assign cnt_d      = cnt_q + CNT_W'(acc) - CNT_W'(from_fifo || direct);

  always_ff @(posedge clk) begin
    if (push) fifo_mem[wr_ptr_q] <= res_c5;
    if (out_free) m_data_q <= from_fifo ? fifo_head : res_c5;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      v_q1       <= 1'b0;
      v_q2       <= 1'b0;
      v_q3       <= 1'b0;
      v_q4       <= 1'b0;
      v_q5       <= 1'b0;
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
      v_q5       <= v_q4;
      cnt_q      <= cnt_d;
      tready_q   <= cnt_d < CNT_W'(FIFO_DEPTH);
      wr_ptr_q   <= wr_ptr_q + PTR_W'(push);
      rd_ptr_q   <= rd_ptr_q + PTR_W'(from_fifo);
      fifo_cnt_q <= fifo_cnt_q + CNT_W'(push) - CNT_W'(from_fifo);
      if (out_free) m_valid_q <= !fifo_empty || v_q5;
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
