// Book stage of the card: the market-by-price books of N_INSTR slots, bit for bit with
// ttq::MbpBook (host/src/book.cpp, docs/book.md): apply / clear / configure, one op per cycle even
// on the same slot and side, LATENCY = 1, one result per op with the slot's consolidated top.
// docs/rtl_book.md: stages, forwarding, storage and the card's refusals.
`default_nettype none

module ttq_book #(
  parameter int N_INSTR    = 16,  // slots, 1..65536
  parameter int DEPTH      = 10,  // outright levels per side, 1..16 (MbpBook's kMaxDepth)
  parameter int IMPL_DEPTH = 2,   // implied levels per side, 1..DEPTH
  parameter int FIFO_DEPTH = 4    // output skid FIFO: a power of 2, > LATENCY for 1 op/cycle
) (
  input  logic                           clk,
  input  logic                           rst,

  // Ops: tdata is a ttq_pkg::book_op_t.
  input  logic                           s_axis_op_tvalid,
  output logic                           s_axis_op_tready,
  input  logic [ttq_pkg::BOOK_OP_W-1:0]  s_axis_op_tdata,
  // A CONFIG op on its own port (ttq_core's depth table): with s_axis_op_cfg high the op of this
  // cycle (same tvalid / tready) is a CONFIG of s_axis_cfg_slot to the depths on
  // s_axis_cfg_depth / _implied_depth, and s_axis_op_tdata, whatever it holds, is not the op.
  // c0's precompute of a side entry reads tdata only, so the select (a register in ttq_core)
  // is not in front of it. A CONFIG on tdata (s_axis_op_cfg low) is taken as well. Tie to 0
  // when unused.
  input  logic                           s_axis_op_cfg,
  input  logic [15:0]                    s_axis_cfg_slot,
  input  logic [7:0]                     s_axis_cfg_depth,
  input  logic [7:0]                     s_axis_cfg_implied_depth,

  // One result per op, in op order: tdata is a ttq_pkg::book_res_t.
  output logic                           m_axis_res_tvalid,
  input  logic                           m_axis_res_tready,
  output logic [ttq_pkg::BOOK_RES_W-1:0] m_axis_res_tdata,

  // Undo journal (cut-through; docs/rtl_book.md "Undo journal"). An op with s_axis_op_tspec
  // belongs to a speculated packet: the first such write to a row's levels or to a slot's
  // occupancy saves the old value. j_commit forgets every saved value (one cycle); j_undo
  // (a pulse, with no op in flight) restores them: occupancy and complete in one cycle, then one
  // row per cycle, j_busy high meanwhile (2 * 2^ceil(log2 N_INSTR) cycles) and no op taken.
  // Tie all three inputs to 0 when nothing is speculated.
  input  logic                           s_axis_op_tspec,
  input  logic                           j_commit,
  input  logic                           j_undo,
  output logic                           j_busy
);

  // LATENCY: an op accepted in cycle t has its result on m_axis_res in cycle t + 1 when the
  // output is not back-pressured (tb_book asserts it): c1's result passes straight out when
  // nothing is held (2 until 2026-11-30, a stage c2 computed the top; 3 until 2026-11-29). Logic
  // cK loads the stage K+1 registers.
  //   c0  decode; compare px with every level of the op's side as stored (before the op in c1);
  //       occupancy, complete and depth as stored, each corrected for the op in c1 (forwarding);
  //       the op's new level 1 if applied, level 1 of its slot's four sides as it will find them
  //   c1  read the side, decide corrupt, shift the levels and occupancy, write back; the top
  //       after the op from c0's level-1 registers; out on m_axis_res, or into the output
  //       register / FIFO when something is held or the output is not ready
  localparam int LATENCY = 1;
  localparam int SW      = (N_INSTR > 1) ? $clog2(N_INSTR) : 1;  // slot index bits
  localparam int NS      = 1 << SW;                             // memory rows per side
  localparam int LW      = 96;                                  // one level: {sz, px}
  localparam int NSEL    = DEPTH + 2;  // per-level source: hold, entry, k-1, k+1 .. k+DEPTH-1
  localparam int S_HOLD  = 0;
  localparam int S_ENTRY = 1;
  localparam int S_DOWN  = 2;
  localparam int S_UP    = 3;          // S_UP + m: level k + 1 + m
  localparam int E       = DEPTH;      // index of "the previous op's entry" in eqv / fwdsel
  localparam int PTR_W   = $clog2(FIFO_DEPTH);
  localparam int CNT_W   = $clog2(FIFO_DEPTH + 1);
  localparam int RES_W   = ttq_pkg::BOOK_RES_W;

`ifndef SYNTHESIS
  if (N_INSTR < 1 || N_INSTR > 65536) begin : g_bad_n
    $fatal(1, "ttq_book: N_INSTR must be in [1, 65536]");
  end
  if (DEPTH < 1 || DEPTH > 16 || IMPL_DEPTH < 1 || IMPL_DEPTH > DEPTH) begin : g_bad_depth
    $fatal(1, "ttq_book: need 1 <= IMPL_DEPTH <= DEPTH <= 16");
  end
  if (FIFO_DEPTH <= LATENCY || (1 << PTR_W) != FIFO_DEPTH) begin : g_bad_fifo
    $fatal(1, "ttq_book: FIFO_DEPTH must be a power of 2 and > LATENCY");
  end
`endif

  // ------------------------------------------------------------------------------------------
  // State. Levels in LUT RAM rows {ask, slot}; occupancy, complete and depths in flops (a clear
  // or a configure changes all four sides of a slot in one cycle). Level 1 of each side is
  // mirrored in its own LUT RAM so c1 can read the four sides of a slot at once.
  // ------------------------------------------------------------------------------------------
  logic [DEPTH*LW-1:0]      omem [2*NS];    // outright levels; level k+1 at [k*LW +: LW]
  logic [IMPL_DEPTH*LW-1:0] imem [2*NS];    // implied levels
  logic [LW-1:0]            l1_bid_mem [NS], l1_ask_mem [NS], l1_ibid_mem [NS], l1_iask_mem [NS];
  logic [DEPTH-1:0]         occ_o_q [2*NS]; // occupied bits, level k+1 at bit k
  logic [IMPL_DEPTH-1:0]    occ_i_q [2*NS];
  logic [NS-1:0]            cmpl_q;         // MbpBook::complete()
  // Depths in one array at rows {implied, slot}: depth (1..DEPTH) at {0, slot}, implied depth
  // (0..IMPL_DEPTH) at {1, slot}, so c0 reads the depth of its side with one 32:1 multiplexer.
  logic [4:0]               dep_q [2*NS];

  // ------------------------------------------------------------------------------------------
  // Flow control (as ttq_quoter): the pipeline never stalls; a result that finds the output
  // register busy waits in the skid FIFO. cnt counts ops in stage 1 plus the FIFO, and a
  // registered tready = cnt < FIFO_DEPTH keeps the FIFO from overflowing.
  // ------------------------------------------------------------------------------------------
  logic             acc;
  logic             v_q1;
  logic [CNT_W-1:0] cnt_q, cnt_d;
  logic             tready_q;
  assign s_axis_op_tready = tready_q;
  assign acc = s_axis_op_tvalid && tready_q;

  // ------------------------------------------------------------------------------------------
  // c0: op -> stage 1
  // ------------------------------------------------------------------------------------------
  ttq_pkg::book_op_t op;
  assign op = s_axis_op_tdata;

  // Stage 1 registers (the op "A" that c1 applies while c0 decodes the next op "B").
  logic [15:0]         slot_q1;
  logic [SW-1:0]       row_s_q1;     // slot index
  logic                ask_q1, imp_q1;
  logic                ent_q1;       // side entry, legal, within depth: may change the side
  logic                rst_q1;       // 'J'
  logic                clr_q1, known_q1;
  logic                cfg_q1;       // legal configure
  logic [1:0]          res0_q1;      // result unless corrupt
  logic                chg_q1, del_q1;
  logic [2:0]          act_q1;
  logic [7:0]          lvl_q1;
  // Forwarding selects for the next op B (9 bits each, per p and [E]; 9'h100 and up: never):
  // if A is applied to B's side, B's level i comes from the level stored at p (or A's entry,
  // [E]) when B's level == fy_q1[p]; B's level + 1 does when B's level == fx_q1[p].
  logic [(DEPTH+1)*9-1:0] fy_q1, fx_q1;
  logic [63:0]         px_q1;
  logic [31:0]         sz_q1;
  logic [DEPTH-1:0]    mask_o_q1;    // configure: levels kept
  logic [IMPL_DEPTH-1:0] mask_i_q1;
  logic [DEPTH-1:0]    ohi_q1;       // one-hot of level - 1
  logic [DEPTH*NSEL-1:0] sel_q1;     // per level, one-hot source
  logic [DEPTH-1:0]    zero_q1;      // per level, occupancy forced to 0
  logic [DEPTH:0]      eqv_q1;       // px == stored level px; [E]: px == A's px
  logic [DEPTH-1:0]    occv_q1;      // occupancy as stored in c0
  logic [DEPTH:0]      fwdsel_q1;    // where level i came from if A was applied to this side
  logic                fwd_q1;       // A was a side entry on the same slot and side
  logic                clrfwd_q1;    // A cleared this slot (CLEAR or 'J')
  logic                cmpl_v_q1;    // complete, after A
  logic [LW-1:0]       nl_nf_q1, nl_f_q1;  // the new level 1 if applied (b_nl_nf, b_nl_f)
  logic                hn_nf_q1, hn_f_q1;  // its occupancy

  // After stage 1
  logic                app_q2;       // the previous op was applied (its write is done)

  // Decode B. b_*: tdata's op; m_*: the op taken (tdata's, or the CONFIG on s_axis_cfg_*), for
  // what a CONFIG op uses (slot, depths, kind, refusal). Everything else of B's decode and
  // precompute serves a side entry only and reads tdata: a CONFIG op's stage 1 registers hold
  // tdata's values then, which nothing reads (c1 and the next op's forwarding use them only
  // when the op is a side entry: ent_q1, fwd_q1, we).
  logic          b_slot_ok, b_entry, b_side, b_reset, b_clear, b_config, b_imp, b_ask;
  logic          b_act_ok, b_lvl_ok, b_cfg_ok, b_refused, b_beyond, b_ent;
  logic [SW-1:0] b_row_s;
  logic          b_same;                  // A valid on tdata's slot
  logic [15:0]   m_slot;
  logic [SW-1:0] m_row_s;
  logic [7:0]    m_depth, m_idepth;
  logic          c_slot_ok, c_cfg_ok, m_config, m_refused, m_same;
  logic [DEPTH-1:0]    b_ohi, b_zero, b_mask_o, b_occv;
  logic [IMPL_DEPTH-1:0] b_mask_i;
  logic [DEPTH*NSEL-1:0] b_sel;
  logic [DEPTH:0]      b_eqv, b_fwdsel;
  logic [DEPTH*LW-1:0]      rd0_o;
  logic [IMPL_DEPTH*LW-1:0] rd0_i;
  logic [DEPTH-1:0]    eq0_o;
  logic [IMPL_DEPTH-1:0] eq0_i;
  logic                b_fwd, b_clrfwd, b_cmpl;
  // B's new level 1 if B is applied and its level-1 source is not "hold" (c1 builds the top from
  // it): B's entry, or the level B's level + 1 holds after A (Delete at 1, DeleteFrom n); _nf if
  // A is not applied to B's side, _f if it is (c1 picks with A's applied bit, as for fwdsel).
  logic                b_l1ent, b_l1up;
  logic [8:0]          b_lm;                    // level - 1 (9 bits)
  logic [(DEPTH+1)*9-1:0] b_fy, b_fx;           // fy_q1, fx_q1 of this op (as A)
  logic [DEPTH:0]      b_fws;                   // fwdsel of B's level + 1
  logic [LW-1:0]       b_nl_nf, b_nl_f;
  logic                b_hn_nf, b_hn_f, b_occ2, b_in2;

  // a == b as one LUT level and a carry chain: each LUT compares 3 bit pairs (the last one bit 63)
  // and the AND of the 22 group results is the carry out of (groups + 1). c0 compares the LUT RAM
  // read with the op's price this way; a LUT tree is 3 levels (ABC made it 4-6 with the selects
  // behind it in the whole core).
  function automatic logic eq64(input logic [63:0] a, input logic [63:0] b);
    logic [21:0] g;
    for (int i = 0; i < 21; i++) g[i] = a[3*i +: 3] == b[3*i +: 3];
    g[21] = a[63] == b[63];
    eq64 = 1'(({1'b0, g} + 23'd1) >> 22);
  endfunction

  // {beyond depth, per level forced empty} of an entry for the side's depth `dep`.
  function automatic logic [DEPTH:0] depth_view(input logic [4:0] dep, input logic [7:0] level,
                                                input logic [2:0] action);
    logic [DEPTH-1:0] zero;
    for (int k = 0; k < DEPTH; k++) zero[k] = action == 3'd3 || 5'(k) >= dep;
    depth_view = {action != 3'd3 && level > {3'b0, dep}, zero};
  endfunction

  always_comb begin
    m_slot    = s_axis_op_cfg ? s_axis_cfg_slot : op.slot;
    m_depth   = s_axis_op_cfg ? s_axis_cfg_depth : op.depth;
    m_idepth  = s_axis_op_cfg ? s_axis_cfg_implied_depth : op.implied_depth;
    m_row_s   = m_slot[SW-1:0];
    // The CONFIG port's checks on its own inputs, selected after (not through the multiplexer).
    c_slot_ok = (s_axis_cfg_slot >> SW) == '0 && 32'(s_axis_cfg_slot) < N_INSTR;
    c_cfg_ok  = s_axis_cfg_depth >= 8'd1 && s_axis_cfg_depth <= 8'(DEPTH) &&
                s_axis_cfg_implied_depth <= 8'(IMPL_DEPTH);
    b_slot_ok = (op.slot >> SW) == '0 && 32'(op.slot) < N_INSTR;
    b_row_s   = op.slot[SW-1:0];
    b_entry   = op.kind == ttq_pkg::BOOK_OP_ENTRY;
    b_side    = b_entry && op.etype < ttq_pkg::BOOK_T_RESET;
    b_reset   = b_entry && op.etype == ttq_pkg::BOOK_T_RESET;
    b_clear   = op.kind == ttq_pkg::BOOK_OP_CLEAR;
    b_config  = op.kind == ttq_pkg::BOOK_OP_CONFIG;
    b_imp     = op.etype[1];
    b_ask     = op.etype[0];
    b_act_ok  = op.action <= 3'd5;
    b_lvl_ok  = op.level != 8'd0 || op.action == 3'd3;
    b_cfg_ok  = op.depth >= 8'd1 && op.depth <= 8'(DEPTH) && op.implied_depth <= 8'(IMPL_DEPTH);
    b_refused = !b_slot_ok || (b_side && !(b_act_ok && b_lvl_ok)) || (b_entry && op.etype > 3'd4)
                || (b_config && !b_cfg_ok) || op.kind == 2'd3;
    m_config  = s_axis_op_cfg || b_config;
    m_refused = s_axis_op_cfg ? !(c_slot_ok && c_cfg_ok) : b_refused;

    // Beyond-depth and the forced-empty levels, for the depths as stored: a CONFIG writes them
    // as it leaves c0 (below), so the op behind it reads them with no forwarding (nothing after
    // c0 reads the depths).
    b_same = v_q1 && row_s_q1 == b_row_s;
    m_same = v_q1 && row_s_q1 == m_row_s;
    {b_beyond, b_zero} = depth_view(dep_q[{b_imp, b_row_s}], op.level, op.action);
    b_ent    = !s_axis_op_cfg && b_side && b_slot_ok && b_act_ok && b_lvl_ok && !b_beyond;

    // Per level k: one-hot of k == level - 1 and the shift source.
    b_sel = '0;
    for (int k = 0; k < DEPTH; k++) begin
      b_ohi[k] = op.level == 8'(k + 1);
      b_mask_o[k] = 8'(k) < m_depth;
      unique case (op.action)
        3'd0: begin  // New: k < i hold, k == i entry, k > i from k - 1
          if (op.level > 8'(k + 1)) b_sel[k*NSEL + S_HOLD] = 1'b1;
          else if (op.level == 8'(k + 1)) b_sel[k*NSEL + S_ENTRY] = 1'b1;
          else b_sel[k*NSEL + S_DOWN] = 1'b1;
        end
        3'd1, 3'd5: begin  // Change, Overlay: in place
          if (op.level == 8'(k + 1)) b_sel[k*NSEL + S_ENTRY] = 1'b1;
          else b_sel[k*NSEL + S_HOLD] = 1'b1;
        end
        3'd2: begin  // Delete: k < i hold, k >= i from k + 1
          if (op.level > 8'(k + 1)) b_sel[k*NSEL + S_HOLD] = 1'b1;
          else b_sel[k*NSEL + S_UP] = 1'b1;
        end
        3'd4: begin  // DeleteFrom n: from k + n
          for (int m = 0; m < DEPTH - 1; m++)
            if (op.level == 8'(m + 1)) b_sel[k*NSEL + S_UP + m] = 1'b1;
        end
        default: ;   // DeleteThru: every level empty (b_zero)
      endcase
    end
    for (int k = 0; k < IMPL_DEPTH; k++) b_mask_i[k] = 8'(k) < m_idepth;

    // Stored levels of B's side: compare px with each (eq0) and take the occupancy.
    rd0_o = omem[{b_ask, b_row_s}];
    rd0_i = imem[{b_ask, b_row_s}];
    for (int k = 0; k < DEPTH; k++) eq0_o[k] = eq64(rd0_o[k*LW +: 64], op.px);
    for (int k = 0; k < IMPL_DEPTH; k++) eq0_i[k] = eq64(rd0_i[k*LW +: 64], op.px);
    b_eqv = '0;
    b_occv = '0;
    if (b_imp) begin
      b_eqv[IMPL_DEPTH-1:0]  = eq0_i;
      b_occv[IMPL_DEPTH-1:0] = occ_i_q[{b_ask, b_row_s}];
    end else begin
      b_eqv[DEPTH-1:0] = eq0_o;
      b_occv           = occ_o_q[{b_ask, b_row_s}];
    end
    b_eqv[E] = op.px == px_q1;

    // Forwarding from A: if A is applied to the same side in c1, B's level i in c1 is the level
    // stored now at fwdsel (or A's entry, [E]); B's c1 picks it with A's applied bit.
    b_fwd    = b_same && ent_q1 && b_side && op.etype[1:0] == {imp_q1, ask_q1};
    b_clrfwd = b_same && (clr_q1 || rst_q1);
    b_cmpl   = (m_same && (clr_q1 || rst_q1)) ? (rst_q1 || known_q1) : cmpl_q[m_row_s];
    // Which stored level each level of B's side holds after A: A's own c0 turned the rules
    // (level compares with A's level and action) into one 9-bit value per p (fy_q1, fx_q1,
    // computed below), so B's c0 tests equalities of its level with registers only (until
    // 2026-11-30 B compared its level with A's, a carry chain in front of the selects).
    for (int p = 0; p <= DEPTH; p++) b_fwdsel[p] = {1'b0, op.level} == fy_q1[p*9 +: 9];

    // B's level-1 source (c1's shift of level 1, decided here): its entry (New / Change /
    // Overlay at 1), level + 1 (Delete at 1, DeleteFrom n < DEPTH), or none (DeleteThru,
    // DeleteFrom n >= DEPTH: level 1 empty); else hold.
    b_l1ent = b_sel[S_ENTRY];
    b_l1up  = |b_sel[S_UP +: DEPTH - 1];
    // B's level + 1 as stored (A not applied to this side): index op.level.
    b_nl_nf = '0;
    b_occ2  = 1'b0;
    b_in2   = 1'b0;   // B's level + 1 within B's depth
    for (int p = 0; p < DEPTH; p++) begin
      if (op.level == 8'(p)) begin
        b_in2  = !b_zero[p];
        b_occ2 = b_occv[p] && !b_zero[p];
        if (!b_imp) b_nl_nf = b_nl_nf | rd0_o[p*LW +: LW];
        else if (p < IMPL_DEPTH) b_nl_nf = b_nl_nf | rd0_i[(p % IMPL_DEPTH)*LW +: LW];
      end
    end
    // B's level + 1 after A applied to this side: the stored level at b_fws, or A's entry ([E]).
    for (int p = 0; p <= DEPTH; p++) b_fws[p] = {1'b0, op.level} == fx_q1[p*9 +: 9];
    b_nl_f = b_fws[E] ? {sz_q1, px_q1} : '0;
    for (int p = 0; p < DEPTH; p++) begin
      if (b_fws[p]) begin
        if (!b_imp) b_nl_f = b_nl_f | rd0_o[p*LW +: LW];
        else if (p < IMPL_DEPTH) b_nl_f = b_nl_f | rd0_i[(p % IMPL_DEPTH)*LW +: LW];
      end
    end
    // This op as A, for the next op B at level L: B's level L after A is A's side's level p + 1
    // as stored when L == fy[p] (A's entry: [E]); B's level L + 1 is when L == fx[p] (the same
    // rules for L + 1, from b_lm = a - 1). For A at level a:
    //   New:             L = p + 1 if p + 1 < a (held), else p + 2 (shifted down); [E]: L = a
    //   Change, Overlay: L = p + 1 unless p + 1 == a; [E]: L = a
    //   Delete:          L = p + 1 if p + 1 < a, p if p >= a (shifted up), none if p + 1 == a
    //   DeleteFrom a:    L = p + 1 - a
    // Each stored level is the source of at most one of B's levels, hence one value per p
    // (none: 9'h100 and up). 9-bit arithmetic as the compares these replaced (a == 0, not a
    // legal level, gives b_lm = 511: no match).
    b_lm = {1'b0, op.level} - 9'd1;
    b_fy = {(DEPTH + 1){9'h100}};
    b_fx = {(DEPTH + 1){9'h100}};
    for (int p = 0; p < DEPTH; p++) begin
      unique case (op.action)
        3'd0: begin
          b_fy[p*9 +: 9] = (8'(p + 1) < op.level) ? 9'(p + 1) : 9'(p + 2);
          b_fx[p*9 +: 9] = (9'(p) < b_lm) ? 9'(p) : 9'(p + 1);
        end
        3'd1, 3'd5: begin
          if (8'(p + 1) != op.level) b_fy[p*9 +: 9] = 9'(p + 1);
          if (9'(p) != b_lm) b_fx[p*9 +: 9] = 9'(p);
        end
        3'd2: begin
          if (8'(p + 1) < op.level) b_fy[p*9 +: 9] = 9'(p + 1);
          else if (8'(p) >= op.level) b_fy[p*9 +: 9] = 9'(p);
          if (9'(p) < b_lm) b_fx[p*9 +: 9] = 9'(p);
          else if (p > 0 && 9'(p) - 9'd1 >= b_lm) b_fx[p*9 +: 9] = 9'(p) - 9'd1;
        end
        3'd4: begin
          b_fy[p*9 +: 9] = 9'(p + 1) - {1'b0, op.level};
          b_fx[p*9 +: 9] = 9'(p) - {1'b0, op.level};
        end
        default: ;
      endcase
    end
    if (op.action == 3'd0 || op.action == 3'd1 || op.action == 3'd5) begin
      b_fy[E*9 +: 9] = {1'b0, op.level};
      b_fx[E*9 +: 9] = b_lm;
    end

    // Occupancy of the new level 1. Beyond B's depth (b_zero, the depths as A's CONFIG left them)
    // B's level + 1 is empty; A's CLEAR / 'J' empties it (_nf only: _f needs A a side entry).
    b_hn_nf = b_l1ent || (b_l1up && b_occ2 && !b_clrfwd);
    b_hn_f  = b_l1ent || (b_l1up && b_in2 && (|(b_occv & b_fws[DEPTH-1:0]) || b_fws[E]));
    if (b_l1ent) begin
      b_nl_nf = {op.size, op.px};
      b_nl_f  = {op.size, op.px};
    end
  end

  always_ff @(posedge clk) begin
    slot_q1   <= m_slot;
    row_s_q1  <= m_row_s;
    ask_q1    <= b_ask;
    imp_q1    <= b_imp;
    ent_q1    <= acc && b_ent;
    rst_q1    <= acc && !s_axis_op_cfg && b_reset && !b_refused;
    clr_q1    <= acc && !s_axis_op_cfg && b_clear && !b_refused;
    known_q1  <= op.known;
    cfg_q1    <= acc && m_config && !m_refused;
    res0_q1   <= m_refused ? ttq_pkg::BOOK_RES_REFUSED :
                 (!s_axis_op_cfg && b_side && b_beyond) ? ttq_pkg::BOOK_RES_BEYOND :
                 ttq_pkg::BOOK_RES_APPLIED;
    chg_q1    <= op.action == 3'd1;
    del_q1    <= op.action == 3'd2;
    act_q1    <= op.action;
    lvl_q1    <= op.level;
    fy_q1     <= b_fy;
    fx_q1     <= b_fx;
    px_q1     <= op.px;
    sz_q1     <= op.size;
    mask_o_q1 <= b_mask_o;
    mask_i_q1 <= b_mask_i;
    ohi_q1    <= b_ohi;
    sel_q1    <= b_sel;
    zero_q1   <= b_zero;
    eqv_q1    <= b_eqv;
    occv_q1   <= b_occv;
    fwdsel_q1 <= b_fwdsel;
    fwd_q1    <= b_fwd;
    clrfwd_q1 <= b_clrfwd;
    cmpl_v_q1 <= b_cmpl;
    nl_nf_q1  <= b_nl_nf;
    nl_f_q1   <= b_nl_f;
    hn_nf_q1  <= b_hn_nf;
    hn_f_q1   <= b_hn_f;
    for (int r = 0; r < 2 * NS; r++) row_oh_q1[r] <= {b_ask, b_row_s} == (SW + 1)'(r);
    for (int s = 0; s < NS; s++) slot_oh_q1[s] <= m_row_s == SW'(s);
  end

  // ------------------------------------------------------------------------------------------
  // c1: apply A
  // ------------------------------------------------------------------------------------------
  logic [SW:0]              row_q1;
  logic [DEPTH*LW-1:0]      rd_o, new_o;
  logic [IMPL_DEPTH*LW-1:0] rd_i, new_i;
  logic [2*NS-1:0]          row_oh_q1;  // one-hot of {ask, slot}
  logic [NS-1:0]            slot_oh_q1; // one-hot of slot
  logic [LW-1:0]            entry;
  logic                     use_fwd, occ_at_i, eq_at_i, corrupt, we;

  always_comb begin
    row_q1 = {ask_q1, row_s_q1};
    rd_o   = omem[row_q1];
    rd_i   = imem[row_q1];
    entry  = {sz_q1, px_q1};

    // MbpBook's checks on level i of the side as it is now (after the op before A).
    use_fwd  = fwd_q1 && app_q2;
    occ_at_i = !clrfwd_q1 && (use_fwd ? (|(occv_q1 & fwdsel_q1[DEPTH-1:0]) || fwdsel_q1[E])
                                      : |(occv_q1 & ohi_q1));
    eq_at_i  = use_fwd ? |(eqv_q1 & fwdsel_q1) : |(eqv_q1[DEPTH-1:0] & ohi_q1);
    corrupt  = (chg_q1 && (occ_at_i ? !eq_at_i : cmpl_v_q1)) ||
               (del_q1 && !occ_at_i && cmpl_v_q1);
    we       = v_q1 && ent_q1 && !corrupt;

    // Shift: every level takes its one-hot source; data of empty levels is don't-care.
    new_o = '0;
    new_i = '0;
    for (int k = 0; k < DEPTH; k++) begin
      if (sel_q1[k*NSEL + S_HOLD]) new_o[k*LW +: LW] = new_o[k*LW +: LW] | rd_o[k*LW +: LW];
      if (sel_q1[k*NSEL + S_ENTRY]) new_o[k*LW +: LW] = new_o[k*LW +: LW] | entry;
      if (k > 0 && sel_q1[k*NSEL + S_DOWN])
        new_o[k*LW +: LW] = new_o[k*LW +: LW] | rd_o[(k-1)*LW +: LW];
      for (int m = 0; m < DEPTH - 1; m++)
        if (k + 1 + m < DEPTH && sel_q1[k*NSEL + S_UP + m])
          new_o[k*LW +: LW] = new_o[k*LW +: LW] | rd_o[(k+1+m)*LW +: LW];
    end
    for (int k = 0; k < IMPL_DEPTH; k++) begin
      if (sel_q1[k*NSEL + S_HOLD]) new_i[k*LW +: LW] = new_i[k*LW +: LW] | rd_i[k*LW +: LW];
      if (sel_q1[k*NSEL + S_ENTRY]) new_i[k*LW +: LW] = new_i[k*LW +: LW] | entry;
      if (k > 0 && sel_q1[k*NSEL + S_DOWN])
        new_i[k*LW +: LW] = new_i[k*LW +: LW] | rd_i[(k-1)*LW +: LW];
      for (int m = 0; m < IMPL_DEPTH - 1; m++)
        if (k + 1 + m < IMPL_DEPTH && sel_q1[k*NSEL + S_UP + m])
          new_i[k*LW +: LW] = new_i[k*LW +: LW] | rd_i[(k+1+m)*LW +: LW];
    end
  end

  // ------------------------------------------------------------------------------------------
  // Undo journal. Shadows at the same addresses as the state: a row's levels (saved from c1's
  // read of the row, the value before the op), a slot's four occupancy rows and complete bit.
  // ------------------------------------------------------------------------------------------
  logic [DEPTH*LW-1:0]      osh_mem [2*NS];
  logic [IMPL_DEPTH*LW-1:0] ish_mem [2*NS];
  logic [2*NS-1:0]          jo_q, ji_q;     // row journaled (outright, implied)
  logic [NS-1:0]            js_q;           // slot's occupancy / complete journaled
  logic [DEPTH-1:0]         occ_o_sh [2*NS];
  logic [IMPL_DEPTH-1:0]    occ_i_sh [2*NS];
  logic [NS-1:0]            cmpl_sh;
  logic                     spec_q1;        // stage 1: the op is speculated
  logic                     u_act_q, u_flash_q;
  logic [SW:0]              u_row_q;
  logic                     j_o_sv, j_i_sv, j_s_sv, u_last;
  // One write port per memory: c1's write, or during an undo (u_act_q, no op in c1) the walk's
  // restore of a journaled row (address and data selected by the register u_act_q).
  logic          wo_we, wi_we, wo_bid, wo_ask, wi_bid, wi_ask;
  logic [SW:0]   w_row;
  logic [DEPTH*LW-1:0]      wo_d;
  logic [IMPL_DEPTH*LW-1:0] wi_d;
  always_comb begin
    w_row  = u_act_q ? u_row_q : row_q1;
    wo_d   = u_act_q ? osh_mem[u_row_q] : new_o;
    wi_d   = u_act_q ? ish_mem[u_row_q] : new_i;
    wo_we  = u_act_q ? jo_q[u_row_q] : (we && !imp_q1);
    wi_we  = u_act_q ? ji_q[u_row_q] : (we && imp_q1);
    wo_bid = wo_we && !w_row[SW];
    wo_ask = wo_we && w_row[SW];
    wi_bid = wi_we && !w_row[SW];
    wi_ask = wi_we && w_row[SW];
  end
  always_ff @(posedge clk) begin
    if (wo_we) omem[w_row] <= wo_d;
    if (wi_we) imem[w_row] <= wi_d;
    if (wo_bid) l1_bid_mem[w_row[SW-1:0]] <= wo_d[LW-1:0];
    if (wo_ask) l1_ask_mem[w_row[SW-1:0]] <= wo_d[LW-1:0];
    if (wi_bid) l1_ibid_mem[w_row[SW-1:0]] <= wi_d[LW-1:0];
    if (wi_ask) l1_iask_mem[w_row[SW-1:0]] <= wi_d[LW-1:0];
  end

  assign j_o_sv = we && spec_q1 && !imp_q1 && !jo_q[row_q1];
  assign j_i_sv = we && spec_q1 && imp_q1 && !ji_q[row_q1];
  assign j_s_sv = spec_q1 && (we || clr_q1 || rst_q1) && !js_q[row_s_q1];
  assign u_last = u_row_q == (SW + 1)'(2 * NS - 1);
  assign j_busy = u_act_q;
  always_ff @(posedge clk) begin
    spec_q1 <= s_axis_op_tspec;
    if (j_o_sv) osh_mem[row_q1] <= rd_o;
    if (j_i_sv) ish_mem[row_q1] <= rd_i;
  end
  always_ff @(posedge clk) begin
    if (j_s_sv) begin
      occ_o_sh[{1'b0, row_s_q1}] <= occ_o_q[{1'b0, row_s_q1}];
      occ_o_sh[{1'b1, row_s_q1}] <= occ_o_q[{1'b1, row_s_q1}];
      occ_i_sh[{1'b0, row_s_q1}] <= occ_i_q[{1'b0, row_s_q1}];
      occ_i_sh[{1'b1, row_s_q1}] <= occ_i_q[{1'b1, row_s_q1}];
      cmpl_sh[row_s_q1] <= cmpl_q[row_s_q1];
    end
  end
  always_ff @(posedge clk) begin
    if (j_o_sv) jo_q[row_q1] <= 1'b1;
    if (j_i_sv) ji_q[row_q1] <= 1'b1;
    if (j_s_sv) js_q[row_s_q1] <= 1'b1;
    u_flash_q <= j_undo;
    if (j_undo) begin
      u_act_q <= 1'b1;
      u_row_q <= '0;
    end else if (u_act_q) begin
      u_row_q <= u_row_q + 1'b1;
      if (u_last) u_act_q <= 1'b0;
    end
    if (j_commit || (u_act_q && u_last)) begin
      jo_q <= '0;
      ji_q <= '0;
      js_q <= '0;
    end
    if (rst) begin
      jo_q <= '0;
      ji_q <= '0;
      js_q <= '0;
      u_act_q <= 1'b0;
      u_flash_q <= 1'b0;
      u_row_q <= '0;
    end
  end

  // The same shift on occupancy bits. Each row shifts its own bits (no read-modify-write
  // through a 32:1 mux): the rows share the one-hot selects, and the row's one-hot gates the write.
  function automatic logic [DEPTH-1:0] occ_shift(input logic [DEPTH-1:0] cur,
                                                 input logic [DEPTH*NSEL-1:0] sel,
                                                 input logic [DEPTH-1:0] zero);
    logic [DEPTH-1:0] nx;
    nx = '0;
    for (int k = 0; k < DEPTH; k++) begin
      if (sel[k*NSEL + S_HOLD] && cur[k]) nx[k] = 1'b1;
      if (sel[k*NSEL + S_ENTRY]) nx[k] = 1'b1;
      if (k > 0 && sel[k*NSEL + S_DOWN] && cur[(k + DEPTH - 1) % DEPTH]) nx[k] = 1'b1;
      for (int m = 0; m < DEPTH - 1; m++)
        if (k + 1 + m < DEPTH && sel[k*NSEL + S_UP + m] && cur[(k + 1 + m) % DEPTH]) nx[k] = 1'b1;
      if (zero[k]) nx[k] = 1'b0;
    end
    occ_shift = nx;
  endfunction

  // Occupancy, complete and depths. Control state of the books: reset to MbpBook's initial
  // state (empty, not complete) with the parameter depths.
  logic [DEPTH-1:0]      occ_o_d [2*NS];
  logic [IMPL_DEPTH-1:0] occ_i_d [2*NS];
  logic [DEPTH-1:0]      occ_icur;
  always_comb begin
    for (int r = 0; r < 2 * NS; r++) begin
      occ_icur = '0;
      occ_icur[IMPL_DEPTH-1:0] = occ_i_q[r];
      occ_o_d[r] = occ_o_q[r];
      occ_i_d[r] = occ_i_q[r];
      if ((clr_q1 || rst_q1) && slot_oh_q1[r % NS]) begin
        occ_o_d[r] = '0;
        occ_i_d[r] = '0;
      end else if (cfg_q1 && slot_oh_q1[r % NS]) begin
        occ_o_d[r] = occ_o_q[r] & mask_o_q1;
        occ_i_d[r] = occ_i_q[r] & mask_i_q1;
      end else if (we && row_oh_q1[r]) begin
        if (imp_q1) occ_i_d[r] = IMPL_DEPTH'(occ_shift(occ_icur, sel_q1, zero_q1));
        else        occ_o_d[r] = occ_shift(occ_o_q[r], sel_q1, zero_q1);
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      cmpl_q <= '0;
      for (int r = 0; r < 2 * NS; r++) begin
        occ_o_q[r] <= '0;
        occ_i_q[r] <= '0;
      end
    end else begin
      for (int r = 0; r < 2 * NS; r++) begin
        occ_o_q[r] <= occ_o_d[r];
        occ_i_q[r] <= occ_i_d[r];
      end
      for (int s = 0; s < NS; s++) begin
        if (v_q1 && SW'(s) == row_s_q1) begin
          if (clr_q1 || rst_q1) cmpl_q[s] <= rst_q1 || known_q1;
        end
      end
      // Undo: the journaled slots' occupancy and complete, in one cycle (no op in c1).
      if (u_flash_q) begin
        for (int r = 0; r < 2 * NS; r++) begin
          if (js_q[r % NS]) begin
            occ_o_q[r] <= occ_o_sh[r];
            occ_i_q[r] <= occ_i_sh[r];
          end
        end
        for (int s = 0; s < NS; s++) if (js_q[s]) cmpl_q[s] <= cmpl_sh[s];
      end
    end
  end

  // Depths: a legal CONFIG writes them as it leaves c0 (its occupancy masking happens in c1).
  // Only c0 reads them, so every later op sees the new depths and every earlier op has read its
  // own; no forwarding (until 2026-11-29 the write was in c1 and c0 forwarded A's depths).
  always_ff @(posedge clk) begin
    if (rst) begin
      for (int s = 0; s < NS; s++) begin
        dep_q[s]      <= 5'(DEPTH);
        dep_q[NS + s] <= 5'(IMPL_DEPTH);
      end
    end else if (acc && m_config && !m_refused) begin
      dep_q[{1'b0, m_row_s}] <= m_depth[4:0];
      dep_q[{1'b1, m_row_s}] <= m_idepth[4:0];
    end
  end

  always_ff @(posedge clk) begin
    app_q2   <= we;
  end

  // ------------------------------------------------------------------------------------------
  // c1's result: the consolidated top of the slot after A (MbpBook::top()), from the state as A
  // finds it (the level-1 mirrors and the occupied bits at A's slot: every earlier op's write
  // has landed) and A's own change of level 1: c0's new level 1 (nl_*_q1, picked with the
  // previous op's applied bit) when A is applied and its level-1 source is not "hold". The
  // direction A writes is consolidated both ways (A's level 1 changed or not) and picked last.
  // ------------------------------------------------------------------------------------------
  logic [LW-1:0] p_b, p_a, p_ib, p_ia, p_oth, nl;
  logic          h_b, h_a, h_ib, h_ia, h_oth, hn, ch1, g_o, g_i;
  // Level 1 of the four sides of B's slot as B will find them (after A: A's change of level 1
  // forwarded, A's CLEAR / 'J' / CONFIG applied to the occupied bits), and the other side of B's
  // direction, registered as B leaves c0: c1 builds the top from flip-flops, not from a LUT RAM
  // read. Loaded only when an op is taken (else yosys may take the registers for a synchronous
  // read of the mirrors and put the address register in front of the read instead).
  logic [LW-1:0] pb_q1, pa_q1, pib_q1, pia_q1, poth_q1, pb_d, pa_d, pib_d, pia_d;
  logic          hb_q1, ha_q1, hib_q1, hia_q1, hoth_q1, hb_d, ha_d, hib_d, hia_d;
  logic          a_ch, a_clr, a_cfg;
  logic [95:0]   t0_b, t0_a, t1_f, t1_nf, t1;
  ttq_pkg::book_res_t res_c1;

  // best() of book.cpp for one side: `higher` for bids. Symmetric in (a, b).
  function automatic logic [95:0] best(input logic ha, input logic hb, input logic [LW-1:0] a,
                                       input logic [LW-1:0] b, input logic higher);
    logic        gt, lt, take_a;
    logic [32:0] sum;
    logic [31:0] sz;
    logic [63:0] px;
    gt  = $signed(a[63:0]) > $signed(b[63:0]);
    lt  = $signed(a[63:0]) < $signed(b[63:0]);
    sum = {a[95], a[95:64]} + {b[95], b[95:64]};
    // sum > INT32_MAX: the 33-bit sum's sign is clear and bit 31 set (no compare behind the sum)
    take_a = ha && (!hb || (higher ? gt : lt));
    if (ha && hb && !gt && !lt) begin
      px = a[63:0];
      sz = (!sum[32] && sum[31]) ? 32'h7FFF_FFFF : sum[31:0];
    end else if (take_a) begin
      px = a[63:0];
      sz = a[95:64];
    end else if (hb) begin
      px = b[63:0];
      sz = b[95:64];
    end else begin
      px = '0;
      sz = '0;
    end
    best = {sz, px};
  endfunction

  // c0 (B) with A in c1: A's level 1 if A changes it (nl, hn, ch1 below) forwarded.
  always_comb begin
    a_ch  = m_same && ch1;
    a_clr = m_same && (clr_q1 || rst_q1);
    a_cfg = m_same && cfg_q1;
    pb_d  = (a_ch && !imp_q1 && !ask_q1) ? nl : l1_bid_mem[m_row_s];
    pa_d  = (a_ch && !imp_q1 && ask_q1) ? nl : l1_ask_mem[m_row_s];
    pib_d = (a_ch && imp_q1 && !ask_q1) ? nl : l1_ibid_mem[m_row_s];
    pia_d = (a_ch && imp_q1 && ask_q1) ? nl : l1_iask_mem[m_row_s];
    hb_d  = (a_ch && !imp_q1 && !ask_q1) ? hn : occ_o_q[{1'b0, m_row_s}][0] && !a_clr &&
            (!a_cfg || mask_o_q1[0]);
    ha_d  = (a_ch && !imp_q1 && ask_q1) ? hn : occ_o_q[{1'b1, m_row_s}][0] && !a_clr &&
            (!a_cfg || mask_o_q1[0]);
    hib_d = (a_ch && imp_q1 && !ask_q1) ? hn : occ_i_q[{1'b0, m_row_s}][0] && !a_clr &&
            (!a_cfg || mask_i_q1[0]);
    hia_d = (a_ch && imp_q1 && ask_q1) ? hn : occ_i_q[{1'b1, m_row_s}][0] && !a_clr &&
            (!a_cfg || mask_i_q1[0]);
  end
  always_ff @(posedge clk) begin
    if (acc) begin
      pb_q1   <= pb_d;
      pa_q1   <= pa_d;
      pib_q1  <= pib_d;
      pia_q1  <= pia_d;
      poth_q1 <= b_imp ? (b_ask ? pa_d : pb_d) : (b_ask ? pia_d : pib_d);
      hb_q1   <= hb_d;
      ha_q1   <= ha_d;
      hib_q1  <= hib_d;
      hia_q1  <= hia_d;
      hoth_q1 <= b_imp ? (b_ask ? ha_d : hb_d) : (b_ask ? hia_d : hib_d);
    end
  end

  always_comb begin
    p_b  = pb_q1;
    p_a  = pa_q1;
    p_ib = pib_q1;
    p_ia = pia_q1;
    // A's CLEAR / 'J' empties every side, its CONFIG masks them (registers only).
    g_o  = !clr_q1 && !rst_q1 && (!cfg_q1 || mask_o_q1[0]);
    g_i  = !clr_q1 && !rst_q1 && (!cfg_q1 || mask_i_q1[0]);
    h_b  = hb_q1 && g_o;
    h_a  = ha_q1 && g_o;
    h_ib = hib_q1 && g_i;
    h_ia = hia_q1 && g_i;
    // A's level 1 if A changes it, and the other side of A's direction (A is then a side entry:
    // no gating).
    nl    = use_fwd ? nl_f_q1 : nl_nf_q1;
    hn    = use_fwd ? hn_f_q1 : hn_nf_q1;
    ch1   = we && !sel_q1[S_HOLD];
    p_oth = poth_q1;
    h_oth = hoth_q1;
    t0_b  = best(h_b, h_ib, p_b, p_ib, 1'b1);
    t0_a  = best(h_a, h_ia, p_a, p_ia, 1'b0);
    // A's direction with A's new level 1: both forwarding cases consolidated, picked after (the
    // pick in front of the compares cost two LUT levels).
    t1_f  = best(hn_f_q1, h_oth, nl_f_q1, p_oth, !ask_q1);
    t1_nf = best(hn_nf_q1, h_oth, nl_nf_q1, p_oth, !ask_q1);
    t1    = use_fwd ? t1_f : t1_nf;
    res_c1.slot        = slot_q1;
    res_c1.result      = (ent_q1 && corrupt) ? ttq_pkg::BOOK_RES_CORRUPT : res0_q1;
    res_c1.complete    = (clr_q1 || rst_q1) ? (rst_q1 || known_q1) : cmpl_v_q1;
    res_c1.bid_present = (ch1 && !ask_q1) ? (hn || h_oth) : (h_b || h_ib);
    res_c1.ask_present = (ch1 && ask_q1) ? (hn || h_oth) : (h_a || h_ia);
    {res_c1.bid_sz, res_c1.bid_px} = (ch1 && !ask_q1) ? t1 : t0_b;
    {res_c1.ask_sz, res_c1.ask_px} = (ch1 && ask_q1) ? t1 : t0_a;
  end

  // ------------------------------------------------------------------------------------------
  // Valids, output register and skid FIFO.
  // ------------------------------------------------------------------------------------------
  logic [PTR_W-1:0] wr_ptr_q, rd_ptr_q;
  logic [CNT_W-1:0] fifo_cnt_q;
  logic             out_free, fifo_empty, from_fifo, direct, push, byp_take;
  logic [RES_W-1:0] fifo_mem [FIFO_DEPTH];
  logic [RES_W-1:0] fifo_head;
  logic             m_valid_q;
  logic [RES_W-1:0] m_data_q;
  logic             res_v_q;  // = m_valid_q || v_q1 (m_axis_res_tvalid as a register)

  assign out_free   = !m_valid_q || m_axis_res_tready;
  assign fifo_empty = fifo_cnt_q == '0;
  assign from_fifo  = out_free && !fifo_empty;
  assign direct     = out_free && fifo_empty && v_q1;
  assign push       = v_q1 && !direct;
  // Pass-through: with nothing held (the output register empty, hence the FIFO too), c1's result
  // is offered straight on m_axis_res in the cycle it is computed; not taken, it waits in the
  // output register (same data, so it holds until the handshake).
  assign byp_take   = !m_valid_q && v_q1 && m_axis_res_tready;
  assign fifo_head  = fifo_mem[rd_ptr_q];
  assign cnt_d      = cnt_q + CNT_W'(acc) - CNT_W'(from_fifo || direct);

  always_ff @(posedge clk) begin
    if (push) fifo_mem[wr_ptr_q] <= res_c1;
    if (out_free) m_data_q <= from_fifo ? fifo_head : res_c1;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      v_q1       <= 1'b0;
      cnt_q      <= '0;
      tready_q   <= 1'b0;
      wr_ptr_q   <= '0;
      rd_ptr_q   <= '0;
      fifo_cnt_q <= '0;
      m_valid_q  <= 1'b0;
      res_v_q    <= 1'b0;
    end else begin
      v_q1       <= acc;
      cnt_q      <= cnt_d;
      // No op during an undo (j_undo to the walk's last row).
      tready_q   <= cnt_d < CNT_W'(FIFO_DEPTH) && !j_undo && !(u_act_q && !u_last);
      wr_ptr_q   <= wr_ptr_q + PTR_W'(push);
      rd_ptr_q   <= rd_ptr_q + PTR_W'(from_fifo);
      fifo_cnt_q <= fifo_cnt_q + CNT_W'(push) - CNT_W'(from_fifo);
      if (out_free) m_valid_q <= !fifo_empty || (v_q1 && !byp_take);
      res_v_q    <= (out_free ? (!fifo_empty || (v_q1 && !byp_take)) : m_valid_q) || acc;
    end
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst) begin
      assert (!(push && fifo_cnt_q == CNT_W'(FIFO_DEPTH)));
      assert (cnt_q <= CNT_W'(FIFO_DEPTH));
      assert (m_valid_q || fifo_empty);  // the pass-through never overtakes a held result
      assert (res_v_q == (m_valid_q || v_q1));
      // A legal side entry within depth indexes a level the arrays hold.
      assert (!(v_q1 && ent_q1) || lvl_q1 <= 8'(DEPTH) || act_q1 == 3'd3);
      // An undo starts with no op in flight, and no op enters until it is done.
      assert (!(j_undo && (v_q1 || u_act_q)));
      assert (!(u_act_q && (acc || v_q1)));
    end
  end
`endif

  assign m_axis_res_tvalid = res_v_q;
  assign m_axis_res_tdata  = m_valid_q ? m_data_q : res_c1;

endmodule

`resetall
