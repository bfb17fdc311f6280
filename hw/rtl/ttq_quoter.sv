// Quoter stage of the card: level 0 of ttq::compute_quotes and FastPath::requote's decision, bit
// for bit with host/src/quoter.cpp, one request per cycle, LATENCY = 4. Stateless: each request
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

  // LATENCY: a request accepted in cycle t (tvalid && tready) is on m_axis_quote in cycle t + 4
  // when the output is not back-pressured (tb_quoter asserts it). Logic cK loads the stage K+1
  // registers (suffix _qK+1, comb signals _cK); c3 loads the output register or the FIFO.
  //   c0  d = A - B (65 bit); estimate n_e = ((d >> w) * (r << a)) >> 35 (2 DSPs), w and a
  //       straight from recip_sh's bits; d - k*T; rule 4-7 constants and thresholds; tol * T
  //       (3 DSPs) and its sum; size sums and prev sizes == them; prev-level equalities
  //   c1  h_e * T (2 DSPs), c = [d >= (n_e + 1) T]; rules 2-3 range checks; the rule 4-7 case
  //       of each side for n = n_e + c, c = 0, 1, picked by c; Q * T for four tick constants
  //       (12 DSPs) and K = B + Q * T; prev -/+ max(tol * T, 1); size clamps and the pick of
  //       prev size == size
  //   c2  prices K + {0, 1, 2} * h_e * T + j * T, 65 bit
  //   c3  rules 10-11, requote rule, emit decision
  localparam int LATENCY = 4;
  localparam int TW      = 25;  // tick-domain values: |x| < 2^22 with validated parameters
  localparam int PW      = 65;  // prices and price bounds before the int64 check
  localparam int RW      = 42;  // d - (n_e + 1) * T is in (-2^41, 2^41): computed mod 2^42
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
  // busy wait in the skid FIFO. cnt counts requests in stages 1-3 plus the FIFO, so accepting
  // only while cnt < FIFO_DEPTH means the FIFO can never overflow, and tready is a register.
  // A stage's data registers load only when the stage before holds a request (one clock enable
  // per stage). No two stages share an enable, so synthesis keeps the delay lines as flip-flops
  // instead of SRL16E shift registers, whose slow clock-to-out would sit in front of c3's logic.
  // ------------------------------------------------------------------------------------------
  logic             acc;
  logic             v_q1, v_q2, v_q3;
  logic [CNT_W-1:0] cnt_q, cnt_d;
  logic             tready_q;
  logic [PTR_W-1:0] wr_ptr_q, rd_ptr_q;
  logic [CNT_W-1:0] fifo_cnt_q;
  logic             out_free, fifo_empty, from_fifo, direct, push;
  logic [OUT_W-1:0] res_c3, fifo_head;
  logic [OUT_W-1:0] fifo_mem [FIFO_DEPTH];
  logic             m_valid_q;
  logic [OUT_W-1:0] m_data_q;

  assign s_axis_req_tready = tready_q;
  assign acc = s_axis_req_tvalid && tready_q;

  // ------------------------------------------------------------------------------------------
  // c0: request -> stage 1. d and the spread estimate n_e (two DSPs: a 4:1 window of e = A' - B'
  // times the reciprocal r shifted by s[1:0] and 2:1-muxed by s[2]), d - k * T, and everything
  // that depends only on the request's parameters: the tick-domain constants and thresholds of
  // rules 4-7, tol * T, the size sums and the prev-level equalities.
  // ------------------------------------------------------------------------------------------
  logic [64:0]    d_c0;
  logic [55:0]    e_c0;    // d, or d << 32 when s[5] (mod 2^56)
  logic [42:0]    pl_c0;   // dt * rp[16:0]
  logic [41:0]    ph_c0;   // dt * rp[32:17]
  logic [58:0]    pe_c0;   // dt * rp
  logic           unused_c0;
  logic [41:0]    dm1_c0, dm2_c0;
  logic           pbsze_c0, pasze_c0;
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

  // Rule 3: d = A - B exactly.
  assign d_c0 = {s_axis_req_ask_px[63], s_axis_req_ask_px} -
                {s_axis_req_bid_px[63], s_axis_req_bid_px};

  // Rule 3's estimate n_e = ((d >> w) * (r << a)) >> 35 (s = recip_sh = 40 - l). The coarse
  // part of the normalising shift goes on d, the fine part on r (a = s[2:0]), so that d passes
  // one 4:1 mux, not a 41:1 shift, before the DSPs: dt = e >> (30 - 8 * s[4:3]), where e = d
  // for s < 32 and e = d << 32 for s >= 32 (T <= 256: dt = d << 2, and d << 10 for T = 1, s =
  // 40). e has its own subtraction, whose LUTs take the shift by 32 of A and B. For a book that
  // passes the range checks, dt < 2^26 and n_e is n or n - 1 (docs/rtl_quoter.md).
  assign e_c0 = (s_axis_req_recip_sh[5] ? {s_axis_req_ask_px[23:0], 32'b0} :
                                          s_axis_req_ask_px[55:0]) -
                (s_axis_req_recip_sh[5] ? {s_axis_req_bid_px[23:0], 32'b0} :
                                          s_axis_req_bid_px[55:0]);
  // Kept nets: yosys 0.23's abc takes carry-chain outputs and module inputs as arriving at time
  // 0 and, with slack in its own view, mapped a 6:1 mux of d and the shift of r in three LUT
  // levels each. The kept 4:1 muxes are one LUT6 each.
  (* keep *) logic [25:0] dtm_c0;  // dt
  (* keep *) logic [28:0] rq_c0;   // r << s[1:0]
  (* keep *) logic [32:0] rp_c0;   // r << s[2:0]
  always_comb begin
    case (s_axis_req_recip_sh[4:3])
      2'd0:    dtm_c0 = e_c0[55:30];
      2'd1:    dtm_c0 = e_c0[47:22];
      2'd2:    dtm_c0 = e_c0[39:14];
      default: dtm_c0 = e_c0[31:6];
    endcase
    rq_c0 = {3'b0, s_axis_req_recip} << s_axis_req_recip_sh[1:0];
    rp_c0 = s_axis_req_recip_sh[2] ? {rq_c0, 4'b0} : {4'b0, rq_c0};
  end

  always_comb begin
    pl_c0 = {17'b0, dtm_c0} * {26'b0, rp_c0[16:0]};
    ph_c0 = {16'b0, dtm_c0} * {26'b0, rp_c0[32:17]};
    pe_c0 = {16'b0, pl_c0} + {ph_c0, 17'b0};
    unused_c0 = ^{pe_c0[58:52], pe_c0[34:0], e_c0[5:0]};
  end

  // prev size == order_size -/+ size_adj (mod 2^32) as prev + size_adj == order_size and
  // order_size + size_adj == prev, without a carry chain: x + y == z holds iff k_0 = 0 and
  // maj(x_i, y_i, k_i) == k_{i+1} for every i, with k = x ^ y ^ z (the carry each bit needs).
  // One LUT6 per bit, then two levels of AND; the nets are kept because abc, seeing a sum's
  // carry chain arrive at time 0, mapped `prev == the sum` in six LUT + MUXF levels.
  function automatic logic [31:0] sum_eq_bits(input logic [31:0] x, input logic [31:0] y,
                                              input logic [31:0] z);
    logic [31:0] k;
    k = x ^ y ^ z;
    sum_eq_bits[0] = !k[0];
    for (int i = 0; i < 31; i++) begin
      sum_eq_bits[i+1] = ((x[i] & y[i]) | (k[i] & (x[i] | y[i]))) == k[i+1];
    end
  endfunction
  (* keep *) logic [31:0] beqb_c0, beqa_c0;
  (* keep *) logic [5:0]  beqb6_c0, beqa6_c0;
  assign beqb_c0 = sum_eq_bits(s_axis_req_prev_bid_sz, s_axis_req_size_adj,
                               {1'b0, s_axis_req_order_size});
  assign beqa_c0 = sum_eq_bits({1'b0, s_axis_req_order_size}, s_axis_req_size_adj,
                               s_axis_req_prev_ask_sz);
  for (genvar i = 0; i < 6; i++) begin : g_beq
    localparam int HI = (i == 5) ? 31 : 6 * i + 5;
    assign beqb6_c0[i] = &beqb_c0[HI:6*i];
    assign beqa6_c0[i] = &beqa_c0[HI:6*i];
  end
  assign pbsze_c0 = &beqb6_c0;
  assign pasze_c0 = &beqa6_c0;

  always_comb begin
    // d - k*T mod 2^42 for the correction at c1.
    dm1_c0 = d_c0[41:0] - {2'b0, s_axis_req_tick};
    dm2_c0 = d_c0[41:0] - {1'b0, s_axis_req_tick, 1'b0};
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

  logic [79:0]       id_q1, id_q2, id_q3;  // {slot, seq, security_id}
  logic [7:0]        pull_q1, pull_q2, pull_q3;
  logic              pull_any_q1, pull_any_q2, pull_any_q3;
  logic [64:0]       d_q1;
  logic [55:0]       d_lim_q1;
  logic              sides_q1;
  logic [16:0]       ne_q1;  // n_e = ne_q1, h_e = ne_q1[16:1], p_e = ne_q1[0]
  logic [41:0]       dm1_q1, dm2_q1;
  logic              book_ok_q2, book_ok_q3;
  logic [63:0]       b_q1, b_q2;
  logic [39:0]       t_q1, t_q2;
  logic [41:0]       t3_q1, t3_q2;
  logic              mid_q1, xb_q1, xa_q1;
  logic [TW-1:0]     cb_q1, ca_q1, q1b_q1, q1a_q1, ub1_q1, ua0_q1, ua1_q1;
  logic [TW-1:0]     vw_q1, vwm1_q1, vb2m1_q1, va2_q1, va2m1_q1;
  logic [60:0]       thr_q1;
  logic              tol0_q1;
  logic [63:0]       floor_q1, floor_q2, floor_q3;
  logic [63:0]       ceil_q1, ceil_q2, ceil_q3;
  logic [32:0]       szb_q1, sza_q1;
  logic              pbszm_q1, paszm_q1;  // prev size == 2^31 - 1
  logic              pbsze_q1, pasze_q1;  // prev size == the unclamped sum's low 32 bits
  logic [63:0]       pbpx_q1, papx_q1;
  // Requote rule 1-2 ingredients: the new flags are pull, 0x20 or {al, bl}; the new sizes are
  // 0 or the clamped size. Compare prev with each possibility early, pick at c3.
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
      ne_q1       <= pe_c0[51:35];
      dm1_q1      <= dm1_c0;
      dm2_q1      <= dm2_c0;
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
      pbsze_q1    <= pbsze_c0;
      pasze_q1    <= pasze_c0;
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
  // c1: stage 1 -> stage 2. Rules 2-3; h_e * T and the correction c; the rule 4-7 case of each
  // side for the two candidates n_e + c, picked by c; K = B + Q * T; the requote bounds; size
  // clamps.
  // ------------------------------------------------------------------------------------------
  logic [15:0]   he_c1;
  logic          pe0_c1;
  logic [TW-1:0] ne_x_c1, he_x_c1;
  logic [41:0]   hpl_c1;               // h_e * T[25:0]
  logic [29:0]   hph_c1;               // h_e * T[39:26]
  logic [55:0]   ht_c1;
  logic [42:0]   q1bp0_c1, q1bp1_c1, cbp0_c1, cbp1_c1, q1ap0_c1, q1ap1_c1, cap0_c1, cap1_c1;
  logic [30:0]   q1bp2_c1, cbp2_c1, q1ap2_c1, cap2_c1;  // |Q * T[39:34]| < 2^30
  logic          book_ok_c1;
  logic [41:0]   dd1_c1, x1_c1;
  logic          c1_c1;
  // Kept: yosys 0.23's abc takes every carry-chain output (the compares, c) as arriving at time
  // 0; without these nets it merges the candidate cases into the selection by c, which then
  // sits two to three levels behind c instead of one.
  (* keep *) logic [2*CASE_W-1:0] cand_b_c1, cand_a_c1;
  logic [CASE_W-1:0]   case_b_c1, case_a_c1;
  logic [PW-1:0] bx_c1, k1b_c1, k2b_c1, k1a_c1, k2a_c1, thx_c1;
  logic [PW-1:0] hib_c1, lob_c1, hia_c1, loa_c1;
  logic [31:0]   szb_c1, sza_c1;

  // Q * T from its three products, sign-extended to PW bits.
  function automatic logic [PW-1:0] qt_sum(input logic [42:0] p0, input logic [42:0] p1,
                                          input logic [30:0] p2);
    qt_sum = {{(PW-43){p0[42]}}, p0} + {{(PW-60){p1[42]}}, p1, 17'b0} + {p2, 34'b0};
  endfunction

  assign he_c1   = ne_q1[16:1];
  assign pe0_c1  = ne_q1[0];
  assign ne_x_c1 = {{(TW-17){1'b0}}, ne_q1};
  assign he_x_c1 = {{(TW-16){1'b0}}, he_c1};

  always_comb begin
    // Rules 2-3 without dividing: n == 0 <=> d < T, n > max <=> d >= (max + 1) * T.
    book_ok_c1 = sides_q1 && ($signed(d_q1) >= $signed({25'b0, t_q1})) &&
                 ($signed(d_q1) < $signed({9'b0, d_lim_q1}));
    // h_e * T: with the correction c, gives h * T and n * T = 2 h T + p T.
    hpl_c1 = {26'b0, he_c1} * {16'b0, t_q1[25:0]};
    hph_c1 = {14'b0, he_c1} * {16'b0, t_q1[39:26]};
    ht_c1  = {14'b0, hpl_c1} + {hph_c1, 26'b0};
    // Correction: n = n_e + c with c = [x1 >= 0], x1 = d - (n_e + 1) * T
    // = d - (1 + p_e) * T - 2 h_e T, mod 2^42.
    dd1_c1 = pe0_c1 ? dm2_q1 : dm1_q1;
    x1_c1  = dd1_c1 - {ht_c1[40:0], 1'b0};
    c1_c1  = !x1_c1[RW-1];
    // Q * T for the four tick constants, T cut in 17 + 17 + 6 bits; K = B + Q * T.
    q1bp0_c1 = $signed(q1b_q1) * $signed({1'b0, t_q1[16:0]});
    q1bp1_c1 = $signed(q1b_q1) * $signed({1'b0, t_q1[33:17]});
    q1bp2_c1 = $signed(q1b_q1) * $signed({1'b0, t_q1[39:34]});
    cbp0_c1  = $signed(cb_q1) * $signed({1'b0, t_q1[16:0]});
    cbp1_c1  = $signed(cb_q1) * $signed({1'b0, t_q1[33:17]});
    cbp2_c1  = $signed(cb_q1) * $signed({1'b0, t_q1[39:34]});
    q1ap0_c1 = $signed(q1a_q1) * $signed({1'b0, t_q1[16:0]});
    q1ap1_c1 = $signed(q1a_q1) * $signed({1'b0, t_q1[33:17]});
    q1ap2_c1 = $signed(q1a_q1) * $signed({1'b0, t_q1[39:34]});
    cap0_c1  = $signed(ca_q1) * $signed({1'b0, t_q1[16:0]});
    cap1_c1  = $signed(ca_q1) * $signed({1'b0, t_q1[33:17]});
    cap2_c1  = $signed(ca_q1) * $signed({1'b0, t_q1[39:34]});
    bx_c1  = {b_q1[63], b_q1};
    k1b_c1 = bx_c1 + qt_sum(q1bp0_c1, q1bp1_c1, q1bp2_c1);
    k2b_c1 = bx_c1 + qt_sum(cbp0_c1, cbp1_c1, cbp2_c1);
    k1a_c1 = bx_c1 + qt_sum(q1ap0_c1, q1ap1_c1, q1ap2_c1);
    k2a_c1 = bx_c1 + qt_sum(cap0_c1, cap1_c1, cap2_c1);
    // Requote rule 3: moved <=> |px - prev| >= max(tol * T, 1), as px >= hi or px <= lo.
    thx_c1 = {4'b0, thr_q1[60:1], thr_q1[0] | tol0_q1};  // tol = 0 gives thr = 0
    hib_c1 = {pbpx_q1[63], pbpx_q1} + thx_c1;
    lob_c1 = {pbpx_q1[63], pbpx_q1} - thx_c1;
    hia_c1 = {papx_q1[63], papx_q1} + thx_c1;
    loa_c1 = {papx_q1[63], papx_q1} - thx_c1;
    // Rule 9 clamp to [0, 2^31 - 1].
    szb_c1 = szb_q1[32] ? 32'd0 : szb_q1[31] ? 32'h7fff_ffff : szb_q1[31:0];
    sza_c1 = sza_q1[32] ? 32'd0 : sza_q1[31] ? 32'h7fff_ffff : sza_q1[31:0];
  end

  // The case of each side for n = n_e + c. With h = n >> 1, p = n & 1:
  //   c = 0: h = h_e, p = p_e;   c = 1: h = h_e + p_e, p = !p_e.
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

  for (genvar c = 0; c < 2; c++) begin : g_cand
    logic       wpos, nb_le, na_le, hb_p1, hb_p0, ha_p1, ha_p0, p, ch;
    logic       case1, hb_le, ha_le, bpost, apost, qb, qa;
    logic [2:0] jbp, jb1, ja1, ja2;
    // hb_p1 / ha_p1: the compare when p_e = 1; hb_p0 / ha_p0: when p_e = 0.
    if (c == 0) begin : g_c0
      assign wpos  = le_f(ne_x_c1, vw_q1);
      assign nb_le = le_f(ne_x_c1, cb_q1);
      assign na_le = le_f(ne_x_c1, va2_q1);
      assign hb_p1 = le_f(he_x_c1, ub1_q1);
      assign hb_p0 = le_f(he_x_c1, q1b_q1);
      assign ha_p1 = le_f(he_x_c1, ua1_q1);
      assign ha_p0 = le_f(he_x_c1, ua0_q1);
      assign p     = pe0_c1;
      assign ch    = 1'b0;
    end else begin : g_c1
      assign wpos  = le_f(ne_x_c1, vwm1_q1);
      assign nb_le = le_f(ne_x_c1, vb2m1_q1);
      assign na_le = le_f(ne_x_c1, va2m1_q1);
      assign hb_p1 = lt_f(he_x_c1, q1b_q1);
      assign hb_p0 = le_f(he_x_c1, ub1_q1);
      assign ha_p1 = lt_f(he_x_c1, ua0_q1);
      assign ha_p0 = le_f(he_x_c1, ua1_q1);
      assign p     = !pe0_c1;
      assign ch    = pe0_c1;
    end
    assign case1 = mid_q1 || wpos;
    assign hb_le = pe0_c1 ? hb_p1 : hb_p0;
    assign ha_le = pe0_c1 ? ha_p1 : ha_p0;
    assign bpost = case1 ? hb_le : nb_le;
    assign apost = case1 ? ha_le : na_le;
    assign qb    = p && xb_q1;
    assign qa    = p && xa_q1;
    // j with h = h_e + ch folded in (j + coef * ch), as tables:
    //   bid post (coef 2): p - 1 + 2ch;  case 1 (coef 1): (p & xb) + ch;  case 2: 0.
    //   ask post (coef 0): 1;  case 1 (coef 1): (p & xa) + ch;  case 2 (coef 2): p + 2ch.
    assign jbp = !ch ? (p ? 3'd0 : 3'b111) : (p ? 3'd2 : 3'd1);
    assign jb1 = !ch ? {2'b0, qb} : (qb ? 3'd2 : 3'd1);
    assign ja1 = !ch ? {2'b0, qa} : (qa ? 3'd2 : 3'd1);
    assign ja2 = {1'b0, ch, p};
    // {ksel, coef, j}. Bid: post -> n - 1 = 2h + p - 1; case 1 -> h + Q1b + (p & xb);
    // case 2 -> cb. Ask: post -> 1; case 1 -> h + Q1a + (p & xa); case 2 -> n + ca.
    assign cand_b_c1[c*CASE_W +: CASE_W] = bpost ? {2'd0, 2'd2, jbp} :
                                           case1 ? {2'd1, 2'd1, jb1} : {2'd2, 2'd0, 3'd0};
    assign cand_a_c1[c*CASE_W +: CASE_W] = apost ? {2'd0, 2'd0, 3'd1} :
                                           case1 ? {2'd1, 2'd1, ja1} : {2'd2, 2'd2, ja2};
  end

  // Pick the candidate case with the correction c.
  assign case_b_c1 = c1_c1 ? cand_b_c1[CASE_W +: CASE_W] : cand_b_c1[0 +: CASE_W];
  assign case_a_c1 = c1_c1 ? cand_a_c1[CASE_W +: CASE_W] : cand_a_c1[0 +: CASE_W];

  logic [CASE_W-1:0] case_b_q2, case_a_q2;
  logic [55:0]   ht_q2;
  logic [PW-1:0] k1b_q2, k2b_q2, k1a_q2, k2a_q2;
  logic [PW-1:0] hib_q2, lob_q2, hia_q2, loa_q2, hib_q3, lob_q3, hia_q3, loa_q3;
  logic [31:0]   szb_q2, szb_q3, sza_q2, sza_q3;
  logic          bpos_q2, bpos_q3, apos_q2, apos_q3;  // clamped size > 0
  // Requote ingredients, loaded by c1 and carried to c3 in one vector.
  localparam int RQ_W = 7;
  logic [RQ_W-1:0] rq_q2, rq_q3;    // {eq_pull, eq_book, pf_hi0, pf_lo (2 bits), pb0, pa0}
  logic [1:0]      eqs_q2, eqs_q3;  // {prev_bid_sz == szb, prev_ask_sz == sza}

  always_ff @(posedge clk) begin
    if (v_q1) begin  // a bubble leaves the stage as it was
      id_q2       <= id_q1;
      pull_q2     <= pull_q1;
      pull_any_q2 <= pull_any_q1;
      book_ok_q2  <= book_ok_c1;
      b_q2        <= b_q1;
      t_q2        <= t_q1;
      t3_q2       <= t3_q1;
      case_b_q2   <= case_b_c1;
      case_a_q2   <= case_a_c1;
      ht_q2       <= ht_c1;
      k1b_q2      <= k1b_c1;
      k2b_q2      <= k2b_c1;
      k1a_q2      <= k1a_c1;
      k2a_q2      <= k2a_c1;
      hib_q2      <= hib_c1;
      lob_q2      <= lob_c1;
      hia_q2      <= hia_c1;
      loa_q2      <= loa_c1;
      szb_q2      <= szb_c1;
      sza_q2      <= sza_c1;
      bpos_q2     <= !szb_q1[32] && (szb_q1[31:0] != '0);
      apos_q2     <= !sza_q1[32] && (sza_q1[31:0] != '0);
      floor_q2    <= floor_q1;
      ceil_q2     <= ceil_q1;
      rq_q2       <= {eq_pull_q1, eq_book_q1, pf_hi0_q1, pf_lo_q1, pbsz0_q1, pasz0_q1};
      // prev size == the clamped size: the clamp's constants and the sum compared at c0.
      eqs_q2      <= {szb_q1[32] ? pbsz0_q1 : szb_q1[31] ? pbszm_q1 : pbsze_q1,
                      sza_q1[32] ? pasz0_q1 : sza_q1[31] ? paszm_q1 : pasze_q1};
    end
  end

  // ------------------------------------------------------------------------------------------
  // c2: stage 2 -> stage 3. price = K + coef * h_e*T + j*T, exact in 65 bits.
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

  logic [PW-1:0] bpx_c2, apx_c2;
  assign bpx_c2 = price(case_b_q2, {b_q2[63], b_q2}, k1b_q2, k2b_q2, ht_q2, t_q2, t3_q2);
  assign apx_c2 = price(case_a_q2, {b_q2[63], b_q2}, k1a_q2, k2a_q2, ht_q2, t_q2, t3_q2);

  logic [PW-1:0] bpx_q3, apx_q3;

  always_ff @(posedge clk) begin
    if (v_q2) begin  // a bubble leaves the stage as it was
      id_q3       <= id_q2;
      pull_q3     <= pull_q2;
      pull_any_q3 <= pull_any_q2;
      book_ok_q3  <= book_ok_q2;
      bpx_q3      <= bpx_c2;
      apx_q3      <= apx_c2;
      hib_q3      <= hib_q2;
      lob_q3      <= lob_q2;
      hia_q3      <= hia_q2;
      loa_q3      <= loa_q2;
      szb_q3      <= szb_q2;
      sza_q3      <= sza_q2;
      bpos_q3     <= bpos_q2;
      apos_q3     <= apos_q2;
      floor_q3    <= floor_q2;
      ceil_q3     <= ceil_q2;
      rq_q3       <= rq_q2;
      eqs_q3      <= eqs_q2;
    end
  end

  // ------------------------------------------------------------------------------------------
  // c3: rules 10-11 and the requote rule.
  // ------------------------------------------------------------------------------------------
  logic       quote_c3, bl_c3, al_c3, mb_c3, ma_c3;
  logic       eq_pull_c3, eq_book_c3, pf_hi0_c3, pb0_c3, pa0_c3, flags_eq_c3, upd_c3, send_c3;
  logic [1:0] pf_lo_c3;
  logic [7:0] flags_c3;

  always_comb begin
    {eq_pull_c3, eq_book_c3, pf_hi0_c3, pf_lo_c3, pb0_c3, pa0_c3} = rq_q3;
    quote_c3 = !pull_any_q3 && book_ok_q3;
    // Rule 10: strict floor / ceiling, and a price outside int64 is not quoted.
    bl_c3 = quote_c3 && bpos_q3 && (bpx_q3[64] == bpx_q3[63]) &&
            ($signed(bpx_q3) <= $signed({ceil_q3[63], ceil_q3}));
    al_c3 = quote_c3 && apos_q3 && (apx_q3[64] == apx_q3[63]) &&
            ($signed(apx_q3) >= $signed({floor_q3[63], floor_q3}));
    mb_c3 = ($signed(bpx_q3) >= $signed(hib_q3)) || ($signed(bpx_q3) <= $signed(lob_q3));
    ma_c3 = ($signed(apx_q3) >= $signed(hia_q3)) || ($signed(apx_q3) <= $signed(loa_q3));
    // Rule 1, 2-3 and 11.
    flags_c3 = pull_any_q3 ? pull_q3 : !book_ok_q3 ? ttq_pkg::QF_PULL_BOOK :
               (al_c3 ? ttq_pkg::QF_ASK_LIVE : 8'h00) | (bl_c3 ? ttq_pkg::QF_BID_LIVE : 8'h00);
    flags_eq_c3 = pull_any_q3 ? eq_pull_c3 : !book_ok_q3 ? eq_book_c3 :
                  pf_hi0_c3 && (pf_lo_c3 == {al_c3, bl_c3});
    // needs_requote, then FastPath::requote's silent case: nothing live before or after.
    upd_c3  = !flags_eq_c3 ||
              !(bl_c3 ? eqs_q3[1] : pb0_c3) || !(al_c3 ? eqs_q3[0] : pa0_c3) ||
              (bl_c3 && mb_c3) || (al_c3 && ma_c3);
    send_c3 = upd_c3 && (pf_lo_c3 != 2'b00 || bl_c3 || al_c3);
    res_c3 = {flags_c3, id_q3, al_c3 ? sza_q3 : 32'd0, bl_c3 ? szb_q3 : 32'd0,
              al_c3 ? apx_q3[63:0] : 64'd0, bl_c3 ? bpx_q3[63:0] : 64'd0, upd_c3, send_c3};
  end

  // ------------------------------------------------------------------------------------------
  // Valids, output register and skid FIFO.
  // ------------------------------------------------------------------------------------------
  assign out_free   = !m_valid_q || m_axis_quote_tready;
  assign fifo_empty = fifo_cnt_q == '0;
  assign from_fifo  = out_free && !fifo_empty;
  assign direct     = out_free && fifo_empty && v_q3;
  assign push       = v_q3 && !direct;
  assign fifo_head  = fifo_mem[rd_ptr_q];
  assign cnt_d      = cnt_q + CNT_W'(acc) - CNT_W'(from_fifo || direct);

  always_ff @(posedge clk) begin
    if (push) fifo_mem[wr_ptr_q] <= res_c3;
    if (out_free) m_data_q <= from_fifo ? fifo_head : res_c3;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      v_q1       <= 1'b0;
      v_q2       <= 1'b0;
      v_q3       <= 1'b0;
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
      cnt_q      <= cnt_d;
      tready_q   <= cnt_d < CNT_W'(FIFO_DEPTH);
      wr_ptr_q   <= wr_ptr_q + PTR_W'(push);
      rd_ptr_q   <= rd_ptr_q + PTR_W'(from_fifo);
      fifo_cnt_q <= fifo_cnt_q + CNT_W'(push) - CNT_W'(from_fifo);
      if (out_free) m_valid_q <= !fifo_empty || v_q3;
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
