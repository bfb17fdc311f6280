// Quoter stage of the card: level 0 of ttq::compute_quotes and FastPath::requote's decision, bit
// for bit with host/src/quoter.cpp, one request per cycle, LATENCY = 3. Stateless: each request
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

  // LATENCY: a request accepted in cycle t (tvalid && tready) is on m_axis_quote in cycle t + 3
  // when the output is not back-pressured (tb_quoter asserts it). Logic cK loads the stage K+1
  // registers (suffix _qK+1, comb signals _cK); c2 loads the output register or the FIFO.
  //   c0  d = A - B (65 bit); estimate n_e = ((d >> w) * (r << a)) >> 35 (2 DSPs), w and a
  //       straight from recip_sh's bits; d - k*T; rule 4-7 constants and thresholds; tol * T
  //       (3 DSPs) and its sum; size sums and prev sizes == them; prev-level equalities; B
  //       minus ceil, floor and the prev prices
  //   c1  h_e * T (2 DSPs), c = [d >= (n_e + 1) T]; rules 2-3 range checks; the rule 4-7 case
  //       of each side for n = n_e + c, c = 0, 1, picked by c; Q * T for four tick constants
  //       (12 DSPs), K = B + Q * T and K minus each price bound of its side (ceil or floor,
  //       prev +/- max(tol * T, 1)), each one carry chain; the case picks K, those differences,
  //       coef * h_e*T and j * T; size clamps and the pick of prev size == size
  //   c2  prices K + {0, 1, 2} * h_e * T + j * T (65 bit) and, in parallel, the compares with
  //       the bounds as signs of (K - bound) + coef * h_e*T + j * T; rules 10-11, requote rule,
  //       emit decision
  localparam int LATENCY = 3;
  localparam int TW      = 25;  // tick-domain values: |x| < 2^22 with validated parameters
  localparam int PW      = 65;  // prices and price bounds before the int64 check
  localparam int DW      = 66;  // price minus a bound: |x| < 2^65
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

  function automatic logic [DW-1:0] sx64(input logic [63:0] x);  // int64 sign-extended to DW
    sx64 = {{(DW-64){x[63]}}, x};
  endfunction

  // ------------------------------------------------------------------------------------------
  // Flow control. Every cycle the pipeline advances; results that find the output register
  // busy wait in the skid FIFO. cnt counts requests in stages 1-2 plus the FIFO, so accepting
  // only while cnt < FIFO_DEPTH means the FIFO can never overflow, and tready is a register.
  // A stage's data registers load only when the stage before holds a request (one clock enable
  // per stage). No two stages share an enable, so synthesis keeps the delay lines as flip-flops
  // instead of SRL16E shift registers, whose slow clock-to-out would sit in front of c2's logic.
  // ------------------------------------------------------------------------------------------
  logic             acc;
  logic             v_q1, v_q2;
  logic [CNT_W-1:0] cnt_q, cnt_d;
  logic             tready_q;
  logic [PTR_W-1:0] wr_ptr_q, rd_ptr_q;
  logic [CNT_W-1:0] fifo_cnt_q;
  logic             out_free, fifo_empty, from_fifo, direct, push;
  logic [OUT_W-1:0] res_c2, fifo_head;
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
  logic [DW-1:0]  bmc_c0, bmf_c0, bmpb_c0, bmpb1_c0, bmpa_c0, bmpa1_c0;
  logic [42:0]    tn_c0;

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
    // B minus the price bounds, for the compares of c2 (see there): B - ceil - 1, B - floor,
    // B - prev and B - prev - 1 of each side, and -T.
    bmc_c0   = sx64(s_axis_req_bid_px) + ~sx64(s_axis_req_price_ceil);
    bmf_c0   = sx64(s_axis_req_bid_px) - sx64(s_axis_req_price_floor);
    bmpb_c0  = sx64(s_axis_req_bid_px) - sx64(s_axis_req_prev_bid_px);
    bmpb1_c0 = sx64(s_axis_req_bid_px) + ~sx64(s_axis_req_prev_bid_px);
    bmpa_c0  = sx64(s_axis_req_bid_px) - sx64(s_axis_req_prev_ask_px);
    bmpa1_c0 = sx64(s_axis_req_bid_px) + ~sx64(s_axis_req_prev_ask_px);
    tn_c0    = '0 - {3'b0, s_axis_req_tick};
  end

  logic [79:0]       id_q1, id_q2;  // {slot, seq, security_id}
  logic [7:0]        pull_q1, pull_q2;
  logic              pull_any_q1, pull_any_q2;
  logic [64:0]       d_q1;
  logic [55:0]       d_lim_q1;
  logic              sides_q1;
  logic [16:0]       ne_q1;  // n_e = ne_q1, h_e = ne_q1[16:1], p_e = ne_q1[0]
  logic [41:0]       dm1_q1, dm2_q1;
  logic              book_ok_q2;
  logic [63:0]       b_q1;
  logic [39:0]       t_q1;
  logic [41:0]       t3_q1;
  logic [42:0]       tn_q1;
  logic              mid_q1, xb_q1, xa_q1;
  logic [TW-1:0]     cb_q1, ca_q1, q1b_q1, q1a_q1, ub1_q1, ua0_q1, ua1_q1;
  logic [TW-1:0]     vw_q1, vwm1_q1, vb2m1_q1, va2_q1, va2m1_q1;
  logic [60:0]       thr_q1;
  logic              tol0_q1;
  logic [DW-1:0]     bmc_q1, bmf_q1, bmpb_q1, bmpb1_q1, bmpa_q1, bmpa1_q1;
  logic [32:0]       szb_q1, sza_q1;
  logic              pbszm_q1, paszm_q1;  // prev size == 2^31 - 1
  logic              pbsze_q1, pasze_q1;  // prev size == the unclamped sum's low 32 bits
  // Requote rule 1-2 ingredients: the new flags are pull, 0x20 or {al, bl}; the new sizes are
  // 0 or the clamped size. Compare prev with each possibility early, pick at c2.
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
      tn_q1       <= tn_c0;
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
      bmc_q1      <= bmc_c0;
      bmf_q1      <= bmf_c0;
      bmpb_q1     <= bmpb_c0;
      bmpb1_q1    <= bmpb1_c0;
      bmpa_q1     <= bmpa_c0;
      bmpa1_q1    <= bmpa1_c0;
      szb_q1      <= szb_c0;
      sza_q1      <= sza_c0;
      pbsze_q1    <= pbsze_c0;
      pasze_q1    <= pasze_c0;
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
  // side for the two candidates n_e + c, picked by c; Q * T for the four tick constants and,
  // for every K = B + Q * T a case can pick, K and K minus each price bound the side is compared
  // with at c2; the case then picks K, those differences, coef * h_e*T and j * T; size clamps.
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
  logic [DW-1:0] bx_c1, thd_c1;
  // Per side and K (1: B + Q1 * T, 2: B + Q2 * T; K = B needs no sum): K, and K minus the
  // bounds (bid: ceil + 1, hi = prev + t', lo + 1 = prev - t' + 1; ask: floor, hi, lo + 1).
  logic [DW-1:0] k1b_c1, k2b_c1, k1a_c1, k2a_c1;
  logic [DW-1:0] ce1b_c1, ce2b_c1, hi1b_c1, hi2b_c1, lo1b_c1, lo2b_c1, hi0b_c1, lo0b_c1;
  logic [DW-1:0] fl1a_c1, fl2a_c1, hi1a_c1, hi2a_c1, lo1a_c1, lo2a_c1, hi0a_c1, lo0a_c1;
  logic [31:0]   szb_c1, sza_c1;

  // base + Q * T from its three products, DW bits, written as one sum that starts with the base
  // so that yosys makes each a single multi-operand adder (one carry chain) and shares only the
  // products: a shared Q * T sum would put two carry chains in series.
  function automatic logic [DW-1:0] qt_add(input logic [DW-1:0] base, input logic [42:0] p0,
                                           input logic [42:0] p1, input logic [30:0] p2);
    qt_add = base + {{(DW-43){p0[42]}}, p0} + {{(DW-60){p1[42]}}, p1, 17'b0} +
             {{(DW-65){p2[30]}}, p2, 34'b0};
  endfunction
  function automatic logic [DW-1:0] qt_add3(input logic [DW-1:0] base, input logic [42:0] p0,
                                            input logic [42:0] p1, input logic [30:0] p2,
                                            input logic [DW-1:0] x);  // base + Q * T + x
    qt_add3 = base + {{(DW-43){p0[42]}}, p0} + {{(DW-60){p1[42]}}, p1, 17'b0} +
              {{(DW-65){p2[30]}}, p2, 34'b0} + x;
  endfunction
  function automatic logic [DW-1:0] qt_sub3(input logic [DW-1:0] base, input logic [42:0] p0,
                                            input logic [42:0] p1, input logic [30:0] p2,
                                            input logic [DW-1:0] x);  // base + Q * T - x
    qt_sub3 = base + {{(DW-43){p0[42]}}, p0} + {{(DW-60){p1[42]}}, p1, 17'b0} +
              {{(DW-65){p2[30]}}, p2, 34'b0} - x;
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
    // Q * T for the four tick constants, T cut in 17 + 17 + 6 bits.
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
    // Requote rule 3: moved <=> |px - prev| >= t' = max(tol * T, 1), as px >= prev + t' or
    // px <= prev - t' (tol = 0 gives tol * T = 0).
    thd_c1 = {5'b0, thr_q1[60:1], thr_q1[0] | tol0_q1};
    bx_c1  = {{(DW-64){b_q1[63]}}, b_q1};
    k1b_c1  = qt_add(bx_c1, q1bp0_c1, q1bp1_c1, q1bp2_c1);
    k2b_c1  = qt_add(bx_c1, cbp0_c1, cbp1_c1, cbp2_c1);
    k1a_c1  = qt_add(bx_c1, q1ap0_c1, q1ap1_c1, q1ap2_c1);
    k2a_c1  = qt_add(bx_c1, cap0_c1, cap1_c1, cap2_c1);
    // Bid: K - ceil - 1 (px <= ceil <=> px - ceil - 1 < 0), K - prev - t' (px >= hi <=> >= 0),
    // K - prev + t' - 1 (px <= lo <=> < 0).
    ce1b_c1 = qt_add(bmc_q1, q1bp0_c1, q1bp1_c1, q1bp2_c1);
    ce2b_c1 = qt_add(bmc_q1, cbp0_c1, cbp1_c1, cbp2_c1);
    hi1b_c1 = qt_sub3(bmpb_q1, q1bp0_c1, q1bp1_c1, q1bp2_c1, thd_c1);
    hi2b_c1 = qt_sub3(bmpb_q1, cbp0_c1, cbp1_c1, cbp2_c1, thd_c1);
    lo1b_c1 = qt_add3(bmpb1_q1, q1bp0_c1, q1bp1_c1, q1bp2_c1, thd_c1);
    lo2b_c1 = qt_add3(bmpb1_q1, cbp0_c1, cbp1_c1, cbp2_c1, thd_c1);
    hi0b_c1 = bmpb_q1 - thd_c1;
    lo0b_c1 = bmpb1_q1 + thd_c1;
    // Ask: K - floor (px >= floor <=> >= 0), K - prev - t', K - prev + t' - 1.
    fl1a_c1 = qt_add(bmf_q1, q1ap0_c1, q1ap1_c1, q1ap2_c1);
    fl2a_c1 = qt_add(bmf_q1, cap0_c1, cap1_c1, cap2_c1);
    hi1a_c1 = qt_sub3(bmpa_q1, q1ap0_c1, q1ap1_c1, q1ap2_c1, thd_c1);
    hi2a_c1 = qt_sub3(bmpa_q1, cap0_c1, cap1_c1, cap2_c1, thd_c1);
    lo1a_c1 = qt_add3(bmpa1_q1, q1ap0_c1, q1ap1_c1, q1ap2_c1, thd_c1);
    lo2a_c1 = qt_add3(bmpa1_q1, cap0_c1, cap1_c1, cap2_c1, thd_c1);
    hi0a_c1 = bmpa_q1 - thd_c1;
    lo0a_c1 = bmpa1_q1 + thd_c1;
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

  // The case picks K, the differences, coef * h_e*T and j * T (j = -1: -T) of each side.
  // ksel 0 is K = B: its differences with ceil / floor come from c0, those with the requote
  // bounds need no product.
  function automatic logic [DW-1:0] pick3(input logic [1:0] ks, input logic [DW-1:0] v0,
                                          input logic [DW-1:0] v1, input logic [DW-1:0] v2);
    pick3 = (ks == 2'd1) ? v1 : (ks == 2'd2) ? v2 : v0;
  endfunction
  function automatic logic [57:0] coef_h(input logic [1:0] cf, input logic [55:0] ht);
    coef_h = (cf == 2'd1) ? {2'b0, ht} : (cf == 2'd2) ? {1'b0, ht, 1'b0} : '0;
  endfunction
  function automatic logic [42:0] j_t(input logic [2:0] j, input logic [39:0] t,
                                      input logic [41:0] t3, input logic [42:0] tn);
    j_t = (j == 3'd1) ? {3'b0, t} : (j == 3'd2) ? {2'b0, t, 1'b0} : (j == 3'd3) ? {1'b0, t3} :
          (j == 3'b111) ? tn : '0;
  endfunction

  logic [PW-1:0] kb_q2, ka_q2;  // K
  logic [DW-1:0] ceb_q2, hib_q2, lob_q2, fla_q2, hia_q2, loa_q2;  // K minus the bounds
  logic [57:0]   chb_q2, cha_q2;  // coef * h_e*T
  logic [42:0]   jtb_q2, jta_q2;  // j * T, signed
  logic [31:0]   szb_q2, sza_q2;
  logic          bpos_q2, apos_q2;  // clamped size > 0
  // Requote ingredients, loaded by c1.
  localparam int RQ_W = 7;
  logic [RQ_W-1:0] rq_q2;   // {eq_pull, eq_book, pf_hi0, pf_lo (2 bits), pb0, pa0}
  logic [1:0]      eqs_q2;  // {prev_bid_sz == szb, prev_ask_sz == sza}

  always_ff @(posedge clk) begin
    if (v_q1) begin  // a bubble leaves the stage as it was
      id_q2       <= id_q1;
      pull_q2     <= pull_q1;
      pull_any_q2 <= pull_any_q1;
      book_ok_q2  <= book_ok_c1;
      kb_q2       <= PW'(pick3(case_b_c1[6:5], bx_c1, k1b_c1, k2b_c1));
      ceb_q2      <= pick3(case_b_c1[6:5], bmc_q1, ce1b_c1, ce2b_c1);
      hib_q2      <= pick3(case_b_c1[6:5], hi0b_c1, hi1b_c1, hi2b_c1);
      lob_q2      <= pick3(case_b_c1[6:5], lo0b_c1, lo1b_c1, lo2b_c1);
      ka_q2       <= PW'(pick3(case_a_c1[6:5], bx_c1, k1a_c1, k2a_c1));
      fla_q2      <= pick3(case_a_c1[6:5], bmf_q1, fl1a_c1, fl2a_c1);
      hia_q2      <= pick3(case_a_c1[6:5], hi0a_c1, hi1a_c1, hi2a_c1);
      loa_q2      <= pick3(case_a_c1[6:5], lo0a_c1, lo1a_c1, lo2a_c1);
      chb_q2      <= coef_h(case_b_c1[4:3], ht_c1);
      cha_q2      <= coef_h(case_a_c1[4:3], ht_c1);
      jtb_q2      <= j_t(case_b_c1[2:0], t_q1, t3_q1, tn_q1);
      jta_q2      <= j_t(case_a_c1[2:0], t_q1, t3_q1, tn_q1);
      szb_q2      <= szb_c1;
      sza_q2      <= sza_c1;
      bpos_q2     <= !szb_q1[32] && (szb_q1[31:0] != '0);
      apos_q2     <= !sza_q1[32] && (sza_q1[31:0] != '0);
      rq_q2       <= {eq_pull_q1, eq_book_q1, pf_hi0_q1, pf_lo_q1, pbsz0_q1, pasz0_q1};
      // prev size == the clamped size: the clamp's constants and the sum compared at c0.
      eqs_q2      <= {szb_q1[32] ? pbsz0_q1 : szb_q1[31] ? pbszm_q1 : pbsze_q1,
                      sza_q1[32] ? pasz0_q1 : sza_q1[31] ? paszm_q1 : pasze_q1};
    end
  end

  // ------------------------------------------------------------------------------------------
  // c2: rules 10-11 and the requote rule. price = K + coef * h_e*T + j*T, exact in 65 bits, and
  // each compare of the price with a bound is the sign of (K - bound) + coef * h_e*T + j*T from
  // c1's difference: three operands and one carry chain each, in parallel with the price's own.
  // ------------------------------------------------------------------------------------------
  logic [PW-1:0] bpx_c2, apx_c2;
  logic [DW-1:0] ceb_c2, hib_c2, lob_c2, fla_c2, hia_c2, loa_c2;
  logic       quote_c2, bl_c2, al_c2, mb_c2, ma_c2;
  logic       eq_pull_c2, eq_book_c2, pf_hi0_c2, pb0_c2, pa0_c2, flags_eq_c2, upd_c2, send_c2;
  logic [1:0] pf_lo_c2;
  logic [7:0] flags_c2;

  // x + coef * h_e*T + j*T, DW bits (the first operand differs in every sum: none is shared).
  function automatic logic [DW-1:0] add3(input logic [DW-1:0] x, input logic [57:0] ch,
                                         input logic [42:0] jt);
    add3 = x + {{(DW-58){1'b0}}, ch} + {{(DW-43){jt[42]}}, jt};
  endfunction

  always_comb begin
    bpx_c2 = kb_q2 + {{(PW-58){1'b0}}, chb_q2} + {{(PW-43){jtb_q2[42]}}, jtb_q2};
    apx_c2 = ka_q2 + {{(PW-58){1'b0}}, cha_q2} + {{(PW-43){jta_q2[42]}}, jta_q2};
    ceb_c2 = add3(ceb_q2, chb_q2, jtb_q2);  // < 0 <=> bid <= ceil
    hib_c2 = add3(hib_q2, chb_q2, jtb_q2);  // >= 0 <=> bid >= prev + t'
    lob_c2 = add3(lob_q2, chb_q2, jtb_q2);  // < 0 <=> bid <= prev - t'
    fla_c2 = add3(fla_q2, cha_q2, jta_q2);  // >= 0 <=> ask >= floor
    hia_c2 = add3(hia_q2, cha_q2, jta_q2);
    loa_c2 = add3(loa_q2, cha_q2, jta_q2);
    {eq_pull_c2, eq_book_c2, pf_hi0_c2, pf_lo_c2, pb0_c2, pa0_c2} = rq_q2;
    quote_c2 = !pull_any_q2 && book_ok_q2;
    // Rule 10: strict floor / ceiling, and a price outside int64 is not quoted.
    bl_c2 = quote_c2 && bpos_q2 && (bpx_c2[64] == bpx_c2[63]) && ceb_c2[DW-1];
    al_c2 = quote_c2 && apos_q2 && (apx_c2[64] == apx_c2[63]) && !fla_c2[DW-1];
    mb_c2 = !hib_c2[DW-1] || lob_c2[DW-1];
    ma_c2 = !hia_c2[DW-1] || loa_c2[DW-1];
    // Rule 1, 2-3 and 11.
    flags_c2 = pull_any_q2 ? pull_q2 : !book_ok_q2 ? ttq_pkg::QF_PULL_BOOK :
               (al_c2 ? ttq_pkg::QF_ASK_LIVE : 8'h00) | (bl_c2 ? ttq_pkg::QF_BID_LIVE : 8'h00);
    flags_eq_c2 = pull_any_q2 ? eq_pull_c2 : !book_ok_q2 ? eq_book_c2 :
                  pf_hi0_c2 && (pf_lo_c2 == {al_c2, bl_c2});
    // needs_requote, then FastPath::requote's silent case: nothing live before or after.
    upd_c2  = !flags_eq_c2 ||
              !(bl_c2 ? eqs_q2[1] : pb0_c2) || !(al_c2 ? eqs_q2[0] : pa0_c2) ||
              (bl_c2 && mb_c2) || (al_c2 && ma_c2);
    send_c2 = upd_c2 && (pf_lo_c2 != 2'b00 || bl_c2 || al_c2);
    res_c2 = {flags_c2, id_q2, al_c2 ? sza_q2 : 32'd0, bl_c2 ? szb_q2 : 32'd0,
              al_c2 ? apx_c2[63:0] : 64'd0, bl_c2 ? bpx_c2[63:0] : 64'd0, upd_c2, send_c2};
  end

  // ------------------------------------------------------------------------------------------
  // Valids, output register and skid FIFO.
  // ------------------------------------------------------------------------------------------
  assign out_free   = !m_valid_q || m_axis_quote_tready;
  assign fifo_empty = fifo_cnt_q == '0;
  assign from_fifo  = out_free && !fifo_empty;
  assign direct     = out_free && fifo_empty && v_q2;
  assign push       = v_q2 && !direct;
  assign fifo_head  = fifo_mem[rd_ptr_q];
  assign cnt_d      = cnt_q + CNT_W'(acc) - CNT_W'(from_fifo || direct);

  always_ff @(posedge clk) begin
    if (push) fifo_mem[wr_ptr_q] <= res_c2;
    if (out_free) m_data_q <= from_fifo ? fifo_head : res_c2;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      v_q1       <= 1'b0;
      v_q2       <= 1'b0;
      cnt_q      <= '0;
      tready_q   <= 1'b0;
      wr_ptr_q   <= '0;
      rd_ptr_q   <= '0;
      fifo_cnt_q <= '0;
      m_valid_q  <= 1'b0;
    end else begin
      v_q1       <= acc;
      v_q2       <= v_q1;
      cnt_q      <= cnt_d;
      tready_q   <= cnt_d < CNT_W'(FIFO_DEPTH);
      wr_ptr_q   <= wr_ptr_q + PTR_W'(push);
      rd_ptr_q   <= rd_ptr_q + PTR_W'(from_fifo);
      fifo_cnt_q <= fifo_cnt_q + CNT_W'(push) - CNT_W'(from_fifo);
      if (out_free) m_valid_q <= !fifo_empty || v_q2;
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
