// Apply-and-publish stage of the card: the events of applied packets (framer events replayed
// after the arbiter's APPLY, plus its GAP and RESTART commands) in, book ops to ttq_book and
// quoter requests to ttq_quoter out, quote records to send out. This is FastPath's IncHandler,
// on_gap, publish and requote (host/src/fast_path.cpp) for a fixed slot table
// (feed.fixed_instruments): SecurityID lookup, RptSeq check, stale/suspect/halt per slot, dirty
// slots published in first-touched order at LastQuoteMsg / LastImpliedMsg / EndOfEvent, the
// kill switch pulling every quote at once.
// Version 2 is pipelined: one event per cycle through the lookup (on the way in) and the RptSeq
// check (F1, which also issues the book op); every ordered effect (flags, touches, tops,
// publications, kill and commit requotes) happens in one commit stage (C) in event order, where
// a book op's result meets its event; the publisher issues one quoter request per cycle, a slot
// in flight at the quoter blocking only itself; records leave in request order. Every per-slot
// array has one write port and its reads at registered addresses. docs/rtl_apply.md.
`default_nettype none

module ttq_apply #(
  parameter int unsigned N_INSTR = 16,
  parameter int unsigned N_CH    = 4
) (
  input  logic                          clk,
  input  logic                          rst,
  input  logic                          kill,      // CONTROL.KILL: a change requotes every slot
  // A slot's configuration was committed (parameters or skew changed): the slot is requoted
  // with the latest applied MsgSeqNum, as FastPath::set_params / set_skew, ordered after the
  // events accepted before the pulse. The new configuration is already on slot_cfg.
  input  logic                          cfg_commit,
  input  logic [15:0]                   cfg_commit_slot,

  // Slot table (host-written, committed; stable while events flow). Slot i in [i*W +: W].
  input  logic [N_INSTR*ttq_regs_pkg::SLOT_CFG_W-1:0] slot_cfg,
  input  logic [N_INSTR*CH_W-1:0]       slot_channel,

  // Events of applied packets (ctl 0: tdata is a ttq_pkg::mdp_ev_t), or the arbiter's GAP
  // (ctl 1: seq_num = first, rpt_seq = count) and RESTART (ctl 2). ctl 3: the packet's first
  // event after its PKT_HDR, with seq_num = the packet's MsgSeqNum: it stands for the PKT_HDR and
  // that event, in one item (the PKT_HDR costs no cycle of its own).
  input  logic                          s_axis_ev_tvalid,
  output logic                          s_axis_ev_tready,
  input  logic [ttq_pkg::MDP_EV_W-1:0]  s_axis_ev_tdata,
  input  logic [1:0]                    s_axis_ev_ctl,
  input  logic [CH_W-1:0]               s_axis_ev_channel,
  // Cut-through (docs/rtl_apply.md "Speculated packets: the undo journal"): s_axis_ev_spec marks
  // every item of a speculated packet (its PKT_HDR or ctl-3 item first); spec_verdict_v is a
  // one-cycle pulse after the packet's last item is accepted and before the next packet's first
  // item is offered, spec_verdict_ok its fate (1 good: keep; 0 bad: undo and correct). No item is
  // taken in the pulse's cycle nor until the verdict is handled. Tie all three to 0 to apply
  // packets only on their verdict (the block then behaves exactly as without them).
  input  logic                          s_axis_ev_spec,
  input  logic                          spec_verdict_v,
  input  logic                          spec_verdict_ok,

  // To / from ttq_book.
  output logic                          m_axis_op_tvalid,
  input  logic                          m_axis_op_tready,
  output logic [ttq_pkg::BOOK_OP_W-1:0] m_axis_op_tdata,
  input  logic                          s_axis_res_tvalid,
  output logic                          s_axis_res_tready,
  input  logic [ttq_pkg::BOOK_RES_W-1:0] s_axis_res_tdata,
  // ttq_book's undo journal: the op is speculated (journaled); forget / restore (pulses); busy.
  output logic                          m_axis_op_tspec,
  output logic                          book_j_commit,
  output logic                          book_j_undo,
  input  logic                          book_j_busy,

  // To / from ttq_quoter (its request ports, flattened here; docs/rtl_quoter.md).
  output logic                          m_axis_req_tvalid,
  input  logic                          m_axis_req_tready,
  output logic [15:0]                   m_axis_req_slot,
  output logic [31:0]                   m_axis_req_seq,
  output logic [31:0]                   m_axis_req_security_id,
  output logic [63:0]                   m_axis_req_bid_px,
  output logic [63:0]                   m_axis_req_ask_px,
  output logic [31:0]                   m_axis_req_bid_sz,
  output logic [31:0]                   m_axis_req_ask_sz,
  output logic [7:0]                    m_axis_req_pull,
  output logic [ttq_regs_pkg::SLOT_CFG_W-1:0] m_axis_req_cfg,  // the slot's parameters
  output logic [63:0]                   m_axis_req_prev_bid_px,
  output logic [63:0]                   m_axis_req_prev_ask_px,
  output logic [31:0]                   m_axis_req_prev_bid_sz,
  output logic [31:0]                   m_axis_req_prev_ask_sz,
  output logic [7:0]                    m_axis_req_prev_flags,
  input  logic                          s_axis_qres_tvalid,
  output logic                          s_axis_qres_tready,
  input  logic [ttq_pkg::QUOTE_REC_W-1:0] s_axis_qres_tdata,
  input  logic [1:0]                    s_axis_qres_tuser,  // [1] upd, [0] send

  // Quote records for the host (ttq_quote_fifo): the quoter's results with `send`, passed
  // through (the quoter's output register holds them until the handshake).
  output logic                          m_axis_quote_tvalid,
  input  logic                          m_axis_quote_tready,
  output logic [ttq_pkg::QUOTE_REC_W-1:0] m_axis_quote_tdata,

  // Published top (the register map's TOP_* entries, FastPath's Instrument::last_top): written
  // at every publication of a slot (a dirty-queue pop or an early publication), whether or not a
  // quoter request goes out; never by a kill or commit requote. One cycle after the publication.
  output logic                          top_we,
  output logic [15:0]                   top_slot,
  output logic [2:0]                    top_flags,  // {stale or suspect, ask exists, bid exists}
  output logic [191:0]                  top_tob,    // {bid_px, ask_px, bid_sz, ask_sz}

  // Counter increments of a cycle: 0 or 1, but a speculated message's counts at once at its
  // MSG_END ("Counters of speculated packets" below).
  output logic [15:0]                   cnt_book_entry,
  output logic [15:0]                   cnt_stale_event,
  output logic [15:0]                   cnt_unknown_instr,
  output logic                          busy       // an event, op, request or record in flight
);
  localparam int unsigned CH_W = (N_CH > 1) ? $clog2(N_CH) : 1;
  localparam int unsigned SW = (N_INSTR > 1) ? $clog2(N_INSTR) : 1;  // slot index bits
  localparam int NI = N_INSTR;  // signed copy for loop bounds (yosys 0.23 has no int'() cast)
  localparam int unsigned NP = 1 << SW;  // slots rounded up to a power of two
  localparam int unsigned CW = ttq_regs_pkg::SLOT_CFG_W;
  localparam int unsigned TOB_W = 192;   // {bid_px, ask_px, bid_sz, ask_sz}
  localparam int unsigned PREV_W = 200;  // {bid_px, ask_px, bid_sz, ask_sz, flags}
  localparam int unsigned GW = ttq_regs_pkg::CFG_GROUP_W;  // 48: SecurityGroup, 6 bytes

  // Commit queue: entries from F1 to C in event order. Depth: more than the book ops that can be
  // in flight (ttq_core's owner FIFO, 8) plus the entries without ops between them.
  localparam int unsigned CQ_D = 16;
  localparam int unsigned CQ_AW = 4;
  // Entry layout: {ch, seq, c, b, a, slot, kind}.
  localparam int unsigned E_SLOT = 4;
  localparam int unsigned E_A = E_SLOT + SW;
  localparam int unsigned E_B = E_A + 1;
  localparam int unsigned E_C = E_B + 1;
  localparam int unsigned E_SEQ = E_C + 1;
  localparam int unsigned E_CH = E_SEQ + 32;
  localparam int unsigned CQ_W = E_CH + CH_W;

  if (N_INSTR < 2 || N_INSTR > 256) begin : g_bad_n
    $fatal(1, "ttq_apply: N_INSTR must be in [2, 256]");
  end
  if (GW != 48) begin : g_bad_grp
    $fatal(1, "ttq_apply: the SecurityGroup field must be 6 bytes");
  end
  // f_reset = f_bet_q[2]: bit 2 must be set in the Book Reset etype and clear in the other four.
  if (!ttq_pkg::BOOK_T_RESET[2] || ttq_pkg::BOOK_T_BID[2] || ttq_pkg::BOOK_T_ASK[2] ||
      ttq_pkg::BOOK_T_IMP_BID[2] || ttq_pkg::BOOK_T_IMP_ASK[2]) begin : g_bad_etype
    $fatal(1, "ttq_apply: f_reset reads the Book Reset etype as bit 2 of f_bet_q");
  end

  // Item types of F1 (decoded on the way in).
  localparam logic [2:0] IT_NONE = 3'd0, IT_HDR = 3'd1, IT_BOOK = 3'd2, IT_SEQ = 3'd3,
                         IT_STAT = 3'd4, IT_PUB = 3'd5, IT_LOOP = 3'd6, IT_MARK = 3'd7;
  // Channel-wide actions (IT_LOOP).
  localparam logic [1:0] LP_RESET = 2'd0, LP_RESTART = 2'd1, LP_GAP = 2'd2, LP_STATUS = 2'd3;
  // Commit-queue entry kinds. a/b/c: BOOK/CHK {RptSeq known, = last + 1, Book Reset}; HALT {halt};
  // KILL {kill}.
  // (Kind 0 was Q_HDR: F1 now records a packet's MsgSeqNum itself.)
  localparam logic [3:0] Q_BOOK = 4'd1, Q_CHK = 4'd2, Q_HALT = 4'd3, Q_GAP = 4'd4,
                         Q_CLR = 4'd5, Q_PUB = 4'd6, Q_KILL = 4'd7, Q_RQ = 4'd8;

  typedef enum logic [1:0] {
    P_IDLE,  // nothing to publish: C may commit
    P_DQ,    // publishing the dirty queue (first-touched order)
    P_KILL,  // kill changed: requote every slot in slot order
    P_ONE    // a committed slot: requote it
  } pmode_e;

  // ---------------------------------------------------------------------------------------------
  // Functions.
  // MDP 3.0 price to PRICE9: 32 (and 42/38/27) are 1e-7 mantissas, x100 with saturation
  // (x100 as shifts and adds: the same 64 bits as a multiply, no DSP).
  function automatic logic [63:0] to_price9(input logic [63:0] raw, input logic [15:0] tmpl);
    logic signed [63:0] r;
    r = raw;
    if (tmpl != 16'd32) to_price9 = raw;
    else if (r > 64'sd92233720368547758) to_price9 = 64'h7FFF_FFFF_FFFF_FFFF;
    else if (r < -64'sd92233720368547758) to_price9 = 64'h8000_0000_0000_0000;
    else to_price9 = (raw << 6) + (raw << 5) + (raw << 2);
  endfunction

  // SecurityGroup compare as FastPath does: trimmed (trailing NUL / space) strings equal.
  function automatic logic [47:0] trim6(input logic [47:0] g);
    logic pad;
    trim6 = g;
    pad = 1'b1;
    for (int i = 5; i >= 0; i--) begin
      if (pad && (g[8*i +: 8] == 8'h00 || g[8*i +: 8] == 8'h20)) trim6[8*i +: 8] = 8'h00;
      else pad = 1'b0;
    end
  endfunction

  // Bit k: byte k and every byte above it are padding (NUL / space): trimmed away.
  function automatic logic [5:0] padmask(input logic [47:0] g);
    logic pad;
    pad = 1'b1;
    padmask = '0;
    for (int i = 5; i >= 0; i--) begin
      pad = pad && (g[8*i +: 8] == 8'h00 || g[8*i +: 8] == 8'h20);
      padmask[i] = pad;
    end
  endfunction

  function automatic logic is_halt(input logic [7:0] s);
    is_halt = (s == 8'd2) || (s == 8'd4) || (s == 8'd18) || (s == 8'd26);
  endfunction
  function automatic logic is_trading(input logic [7:0] s);
    is_trading = (s == 8'd15) || (s == 8'd17) || (s == 8'd21);
  endfunction

  // The lowest set bit's index.
  function automatic logic [SW-1:0] lowest(input logic [N_INSTR-1:0] v);
    lowest = '0;
    for (int i = NI - 1; i >= 0; i--) begin
      if (v[i]) lowest = SW'(i);
    end
  endfunction

  // The one read of the slot table's wide fields: a binary tree of 2:1 multiplexers, one level
  // per select bit, selected by a register (pub_slot_q). `slot_cfg[CW*sel +: CW]` would make
  // yosys build a barrel shifter over all N_INSTR*CW bits (CW is not a power of two).
  function automatic logic [CW-1:0] cfg_mux(input logic [N_INSTR*CW-1:0] all,
                                            input logic [SW-1:0] sel);
    logic [NP*CW-1:0] v;  // slots N_INSTR..NP-1 (none when N_INSTR is a power of two) are
    v[N_INSTR*CW-1:0] = all;  // left unset: a sel beyond the table is never used
    for (int l = 0; l < SW; l++) begin
      for (int j = 0; j < (NP >> (l + 1)); j++) begin
        v[j*CW +: CW] = sel[l] ? v[(2*j+1)*CW +: CW] : v[2*j*CW +: CW];
      end
    end
    cfg_mux = v[CW-1:0];
  endfunction

  // The latest applied MsgSeqNum of any channel (kill and commit requotes): a tree of maxima.
  localparam int unsigned NCP = 1 << CH_W;
  function automatic logic [31:0] max_seq(input logic [N_CH*32-1:0] all);
    logic [NCP*32-1:0] v;
    v = '0;
    v[N_CH*32-1:0] = all;
    for (int l = 0; l < CH_W; l++) begin
      for (int j = 0; j < (NCP >> (l + 1)); j++) begin
        v[j*32 +: 32] = (v[(2*j+1)*32 +: 32] > v[2*j*32 +: 32]) ? v[(2*j+1)*32 +: 32] :
                                                                  v[2*j*32 +: 32];
      end
    end
    max_seq = v[31:0];
  endfunction

  // ---------------------------------------------------------------------------------------------
  // Per-slot state (FastPath's Instrument). Flags in flip-flops (reset); the last RptSeq in
  // flip-flops too (lrm_q, no reset: guarded by the flags; written by F1 and the undo walk, read
  // by the check's compares on the way in, and at f_slot_q by the check and the journal's save);
  // the other wide fields in LUT RAM (no reset: each is guarded by a flag), one write port each:
  //   top_mem       C  (book results)          read by the publisher (pub_slot_q)
  //   prev_mem      quoter results             read by the publisher
  //   dq_mem        C  (touches, at the tail)  read by the publisher (head)
  logic [N_INSTR-1:0] rpt_known_q;  // the slot's RptSeq is known (F1)
  logic [N_INSTR-1:0] rpt_zero_q;   // ... and it is 0 (a channel reset), else in lrm_q
  logic [N_INSTR-1:0] stale_q, suspect_q, halted_q;  // C
  logic [N_INSTR-1:0] dirty_q;      // queued for the next publication (set C, cleared on pop)
  logic [N_INSTR-1:0] top_ok_q;     // top_mem written since reset (else the top reads as 0)
  logic [N_INSTR-1:0] bid_ex_q, ask_ex_q;  // level 1 exists (outright or implied), with top_mem
  logic [N_INSTR-1:0] prev_ok_q;    // prev_mem written since reset (else prev reads as 0)
  logic [N_INSTR-1:0] infl_q;       // a quoter request of the slot is in flight
  logic [32*N_INSTR-1:0] lrm_q;     // each slot's last RptSeq (32 bits a slot)
  logic [TOB_W-1:0]   top_mem      [N_INSTR];  // the book's top after its latest op
  logic [PREV_W-1:0]  prev_mem     [N_INSTR];  // last sent level 0 (the quoter's `prev`)
  logic [SW-1:0]      dq_mem       [N_INSTR];  // dirty slots in first-touched order
  logic [SW:0]        dq_head_q, dq_cnt_q;

  // Static per-slot views of the table, registered.
  logic [N_INSTR-1:0] quotable_q;   // VALID with a tick (requote at all)
  logic [6*N_INSTR-1:0] padm_q;     // per slot: padmask() of its SecurityGroup

  always_ff @(posedge clk) begin
    for (int i = 0; i < NI; i++) begin
      quotable_q[i] <=
          slot_cfg[CW*i + ttq_regs_pkg::CFG_VALID_LSB] &&
          slot_cfg[CW*i + ttq_regs_pkg::CFG_TICK_LSB +: ttq_regs_pkg::CFG_TICK_W] != '0;
      padm_q[6*i +: 6] <= padmask(slot_cfg[CW*i + ttq_regs_pkg::CFG_GROUP_LSB +: GW]);
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Input: SecurityID lookup (the first valid slot with this id), price conversion and the
  // item's decode, registered into F1.
  ttq_pkg::mdp_ev_t ev_in;
  logic             hit_in;
  logic [SW-1:0]    hit_slot_in;
  logic [2:0]       it_in;
  logic [1:0]       lk_in;
  assign ev_in = s_axis_ev_tdata;
  // Flat: every slot's compare, the first match as a one-hot (prefix OR), its index as an OR
  // per bit (a priority chain of 16 would map to a MUXF7/8/9 chain).
  logic [N_INSTR-1:0] id_match, id_first;
  always_comb begin
    for (int i = 0; i < NI; i++) begin
      id_match[i] = slot_cfg[CW*i + ttq_regs_pkg::CFG_VALID_LSB] &&
          slot_cfg[CW*i + ttq_regs_pkg::CFG_SECURITY_ID_LSB +: ttq_regs_pkg::CFG_SECURITY_ID_W]
              == ev_in.security_id;
    end
    for (int i = 0; i < NI; i++) begin
      id_first[i] = id_match[i];
      for (int j = 0; j < i; j++) begin
        if (id_match[j]) id_first[i] = 1'b0;
      end
    end
    hit_in = id_match != '0;
    hit_slot_in = '0;
    for (int i = 0; i < NI; i++) begin
      if (id_first[i]) hit_slot_in = hit_slot_in | SW'(i);
    end
    it_in = IT_NONE;
    lk_in = LP_RESET;
    if (s_axis_ev_ctl == 2'd1) begin
      it_in = IT_LOOP;
      lk_in = LP_GAP;
    end else if (s_axis_ev_ctl == 2'd2) begin
      it_in = IT_LOOP;
      lk_in = LP_RESTART;
    end else begin  // ctl 0, or 3 (the event behind a PKT_HDR that is not sent)
      unique case (ev_in.kind)
        ttq_pkg::MDP_EV_PKT_HDR: it_in = IT_HDR;
        ttq_pkg::MDP_EV_BOOK:    it_in = IT_BOOK;
        ttq_pkg::MDP_EV_SEQ:     it_in = IT_SEQ;
        ttq_pkg::MDP_EV_RESET:   it_in = IT_LOOP;
        ttq_pkg::MDP_EV_STATUS: begin
          if (is_halt(ev_in.entry_type) || is_trading(ev_in.entry_type)) begin
            if (ev_in.security_id != 32'h7FFF_FFFF) begin
              it_in = IT_STAT;
            end else begin
              it_in = IT_LOOP;
              lk_in = LP_STATUS;
            end
          end
        end
        ttq_pkg::MDP_EV_MSG_END: if ((ev_in.mei & 8'h94) != 8'h00) it_in = IT_PUB;
        default: ;
      endcase
    end
  end

  // F1 registers: one item (an event, a marker for a kill change or a commit requote).
  logic               f_v_q;
  logic [2:0]         f_it_q;
  logic [1:0]         f_lk_q;
  logic               f_hit_q;
  logic [SW-1:0]      f_slot_q;
  logic [CH_W-1:0]    f_ch_q;
  logic [31:0]        f_rpt_q, f_seq_q, f_size_q;
  // The RptSeq check (FastPath::check_rpt's two outcomes F1 needs). "Older" drives F1's handshakes,
  // so it is made on the way in for every slot (its last RptSeq: lrm_q; its flags), with the slot
  // F1 writes in the loading cycle checked against the RptSeq written instead (the forward, for an
  // event of that slot right behind it). "= last + 1" only goes into the commit-queue entry: it is
  // made in F1, from registers (f_rpt_m1_q against lrm_q at f_slot_q, written by F1's previous item
  // already), not on the way in (2026-11-30, helper h2: there it was the cut-through build's
  // deepest cone, ttq_core's queue release -> the item multiplexer -> a 32-bit subtract and compare
  // per slot).
  logic [N_INSTR-1:0] f_old_q;       // per slot: older (known, RptSeq <= last)
  logic [N_INSTR-1:0] in_le;         // on the way in: RptSeq <= lrm_q
  logic               in_rpt0;       // RptSeq == 0 (against a channel reset's 0)
  logic               fw_le;         // ... against the RptSeq F1 writes (f_rpt_q)
  logic [31:0]        f_rpt_m1_q;    // F1: RptSeq - 1
  logic [31:0]        lrm_wd, lrm_f1;
  logic [63:0]        f_px_q;
  logic [7:0]         f_level_q;
  logic [2:0]         f_action_q;
  logic [2:0]         f_bet_q;       // BOOK: the op's etype (BOOK_T_*), decoded on the way in
  logic               f_reset;       // BOOK: a Book Reset (every type but '0', '1', 'E', 'F')
  logic               f_clr_q;       // IT_LOOP: its book ops are CLEARs (else ENTRYs)
  logic               f_known_q;     // IT_LOOP: a channel reset (CLEAR known), else RESTART
  logic               f_halt_q;      // STATUS: halt (else resume)
  logic               f_mk_kill_q;   // IT_MARK: kill change (value in f_halt_q), else requote
  logic [GW-1:0]      f_grp_q;       // STATUS: the event's SecurityGroup, trimmed
  logic [1:0]         lp_ph_q, lp_ph_d;  // IT_LOOP: 0 scope, 1 first slot, 2 stepping
  logic [N_INSTR-1:0] lp_scope_q, lp_scope_d, lp_rest;  // slots left (lp_rest: after f_slot_q)
  logic [SW-1:0]      lp_slot_d;     // the lowest slot left (kept in f_slot_q during a loop)
  logic [31:0]        cur_seq_q;     // MsgSeqNum of the packet being applied (F1)
  logic               f_hdr_q;       // ctl 3: the item is also its packet's PKT_HDR
  logic               f_mend_q;      // the item is a MSG_END (ctl 0 or 3)
  logic [N_CH*32-1:0] last_seq_q;    // per channel: MsgSeqNum of its last PKT_HDR (F1)
  logic [31:0]        latest_seq;    // the latest of them (kill and commit requotes)
  logic               hdr_we;        // F1 is done with a PKT_HDR (its own item or ctl 3)
  logic               kill_in_q;     // the kill value last sent down the pipeline
  logic [N_INSTR-1:0] rq_pend_q;     // committed slots waiting for their requote marker
  logic               rq_nz_q;       // rq_pend_q != 0, as a register (s_axis_ev_tready)
  logic               rq_clr, rq_set, rq_ge2, rq_seen;
  logic               rq_any;
  logic [SW-1:0]      rq_slot;

  // Speculation window (docs/rtl_apply.md "Speculated packets: the undo journal"): opened by the
  // first item of a speculated packet, closed once its verdict is handled. Every stage tags its
  // writes with its item's `spec` bit; the first tagged write of each journaled word saves the old
  // value (shadow + touched bit, j*_q). Closing: good, the touched bits are cleared; bad, the
  // shadows are written back (flags at once, LUT RAM words one slot per cycle) and corrections
  // are sent.
  typedef enum logic [2:0] {
    W_IDLE,   // no speculated packet
    W_OPEN,   // items of a speculated packet are coming
    W_DRAIN,  // verdict known: waiting for the packet's items (and, bad, its quoter requests)
    W_WALK,   // bad: restoring one slot per cycle, corrections in slot order
    W_BOOK    // bad: waiting for ttq_book's undo
  } wst_e;
  wst_e               w_st_q;
  logic               w_idle, w_hold, w_walk, w_start, w_close, w_drained;
  logic               vd_ok_q;
  logic               f_spec_q;       // F1's item is speculated
  logic [SW-1:0]      rs_q;           // the walk's slot
  logic               rs_step, rs_last;
  assign w_idle = w_st_q == W_IDLE;
  assign w_hold = w_st_q == W_DRAIN || w_st_q == W_WALK || w_st_q == W_BOOK;
  assign w_walk = w_st_q == W_WALK;
  // The journal (tb_apply's cut-through runs check every part of it; docs/rtl_apply.md):
  logic [N_INSTR-1:0]   jr_q;             // F1: RptSeq state {known, zero, lrm_q}
  logic [N_INSTR-1:0]   sh_rk_q, sh_rz_q;
  logic [31:0]          sh_rpt_mem [N_INSTR];
  logic                 jls_q;            // F1: the channel's last MsgSeqNum (ls_ch_q)
  logic [31:0]          ls_sv_q;
  logic [CH_W-1:0]      ls_ch_q;
  logic [N_INSTR-1:0]   jc_q;             // C: {stale, suspect, halted, top_ok, bid/ask exist}, top
  logic [6*N_INSTR-1:0] sh_fl_q;
  logic [TOB_W-1:0]     sh_top_mem [N_INSTR];
  logic [N_INSTR-1:0]   jd_q, sh_dt_q;    // C / publisher: dirty
  logic                 jdq_q;            // the dirty queue's {head, count, head + 1, tail}
  logic [4*SW+2:0]      sh_dq_q;
  logic [N_INSTR-1:0]   jp_q;             // the dirty queue's entries (by position)
  logic [SW*N_INSTR-1:0] dq_sh_q;
  // A tagged push's save, a cycle late (from registers only): the position pushed and its old
  // entry, read at the registered tail in the push's cycle, before the push overwrites it.
  logic                 dsv_v_q;
  logic [SW-1:0]        dsv_pos_q, dsv_old_q;
  logic [N_INSTR-1:0]   jqv_q;            // publisher: a request went out (its inputs forgotten)
  logic [N_INSTR-1:0]   jpt_q;            // the published top (ptop_mem mirrors it)
  logic [TOB_W+2:0]     sh_pt_mem [N_INSTR];
  logic [N_INSTR-1:0]   jpv_q;            // quoter results: `prev` (with the slot's SecurityID)
  logic [PREV_W+31:0]   sh_prev_mem [N_INSTR];
  logic [N_INSTR-1:0]   infl_spec_q;      // the slot's request in flight is speculated
  logic                 rs_pt_v_q;        // the walk restores a published top (out next cycle)
  logic [SW-1:0]        rs_pt_slot_q;
  logic [TOB_W+2:0]     rs_pt_d_q;
  logic                 corr_d;           // the walk's slot needs a correction record
  logic [ttq_pkg::QUOTE_REC_W-1:0] corr_rec;
  // The correction on m_axis_quote: a one-entry output register, so that the output's valid and
  // its data multiplexer have registered selects (prev_mem's read and the 200-bit compare end
  // here, not in ttq_quote_fifo).
  logic                 corr_v_q;
  logic [ttq_pkg::QUOTE_REC_W-1:0] corr_rec_q;
  logic [PREV_W+31:0]   cur_prev;

  // ---------------------------------------------------------------------------------------------
  // Commit queue (LUT RAM) and its head register.
  logic [CQ_W-1:0]    cq_mem [CQ_D];
  logic [CQ_AW-1:0]   cq_wr_q, cq_rd_q;
  logic [CQ_AW:0]     cq_cnt_q;
  logic               cq_room, cq_push, cq_load, cq_byp, cq_nx_v;
  logic [CQ_W-1:0]    cq_wd;
  logic [CQ_W-1:0]    cq_nx;      // the entry C's head takes next (cq_load or cq_byp)
  logic [CQ_W-1:0]    cq_wd_nx;
  logic               head_v_q;
  logic [CQ_W-1:0]    head_q;
  logic               c_fire;     // C takes the head entry this cycle
  assign cq_room = cq_cnt_q != (CQ_AW+1)'(CQ_D);

  // ---------------------------------------------------------------------------------------------
  // F1: the RptSeq check of f_slot_q (its state written in the same cycle, so the next event of
  // the slot sees it), the book op, one commit-queue entry. A channel-wide action first computes
  // its scope (one cycle), then takes one in-scope slot per cycle. The book op goes to ttq_book
  // from F1 itself (no op register since 2026-11-29): its fields are F1's registers, only its
  // valid (the RptSeq check, the commit queue's room) is logic of this cycle.
  ttq_pkg::book_op_t  op_new;
  logic               op_free, op_issue;
  logic               f_done, f_load, ev_fire, mk_kill;
  logic               rpt_known_rd, rpt_zero_rd, rpt_d1;
  logic               rpt_older, rpt_nold;
  logic               bk_go, sq_go;  // a BOOK / SEQ item of a slot in the table, with room
  logic               f_done_x, cq_push_x, op_issue_x;  // the parts without the RptSeq check
  logic               rpt_we, lp_rpt_we;
  logic               c_entry_d, c_unknown_d;
  logic [N_INSTR-1:0] scope;

  assign op_free = m_axis_op_tready;
  // FastPath::check_rpt: older (skipped), a jump (stale) or in sequence. After a channel reset
  // the last RptSeq is 0 (rpt_zero_q), so lrm_q is written at the event's slot only.
  assign rpt_known_rd = rpt_known_q[f_slot_q];
  assign rpt_zero_rd = rpt_zero_q[f_slot_q];
  // The check drives F1's handshakes (s_axis_ev_tready, m_axis_op_tvalid), which ttq_core's
  // logic continues, so it reads flip-flops only (2026-11-30: it read the last RptSeq's LUT RAM
  // through a 32-bit compare's carry chain, which ABC's area recovery stretched to seven levels
  // with ttq_core's logic): "older" was made on the way in, for every slot (f_old_q, with F1's
  // write of the loading cycle forwarded); F1 selects its slot's. "= last + 1" feeds the entry's
  // data only and is made here from registers. The slot's RptSeq state does not change while the
  // item waits in F1 (only F1 writes it; the undo walk runs with F1 empty).
  assign rpt_older = f_old_q[f_slot_q];
  assign rpt_nold = !rpt_older;
  always_comb begin
    lrm_f1 = '0;
    for (int i = 0; i < NI; i++) begin
      if (f_slot_q == SW'(i)) lrm_f1 = lrm_q[32*i +: 32];
    end
  end
  assign rpt_d1 = rpt_zero_rd ? f_rpt_q == 32'd1 : f_rpt_m1_q == lrm_f1;
  // An entry that passes carries {known, RptSeq = last + 1}; C derives jump / in sequence
  // (the entry's data does not wait for `older`, which only enables the push and the op).
  always_comb begin
    for (int i = 0; i < NI; i++) lp_rest[i] = lp_scope_q[i] && f_slot_q != SW'(i);
  end

  // A channel-wide action's slots: in the table and the channel (and the group, for a
  // group-wide status: trimmed SecurityGroups equal, or the event's empty).
  logic [N_INSTR-1:0] geq;
  always_comb begin
    for (int i = 0; i < NI; i++) begin
      geq[i] = 1'b1;
      for (int k = 0; k < 6; k++) begin
        if (padm_q[6*i + k]) begin
          if (f_grp_q[8*k +: 8] != 8'h00) geq[i] = 1'b0;
        end else if (slot_cfg[CW*i + ttq_regs_pkg::CFG_GROUP_LSB + 8*k +: 8] !=
                     f_grp_q[8*k +: 8]) begin
          geq[i] = 1'b0;
        end
      end
      scope[i] = slot_cfg[CW*i + ttq_regs_pkg::CFG_VALID_LSB] &&
                 slot_channel[CH_W*i +: CH_W] == f_ch_q &&
                 (f_lk_q != LP_STATUS || f_grp_q == '0 || geq[i]);
    end
  end

  // A publication entry's MsgSeqNum (FastPath::publish's argument), the one expression both the
  // queue's entry (cq_wd) and the bypass's copy of it (cq_wd_nx) take: a loop's publication (a
  // gap: first + count; a restart: 1), else the packet's (a ctl-3 item is its own PKT_HDR: its
  // seq_num; else the PKT_HDR's, cur_seq_q). From F1's registers only.
  logic [31:0] pub_seq_d;
  assign pub_seq_d = (f_it_q == IT_LOOP) ? ((f_lk_q == LP_GAP) ? f_seq_q + f_rpt_q : 32'd1) :
                     (f_hdr_q ? f_seq_q : cur_seq_q);

  function automatic logic [CQ_W-1:0] entry(input logic [3:0] kind, input logic [SW-1:0] slot,
                                            input logic a, input logic b, input logic c,
                                            input logic [31:0] seq, input logic [CH_W-1:0] ch);
    entry = {ch, seq, c, b, a, slot, kind};
  endfunction

  always_comb begin
    f_done_x = 1'b0;
    cq_push_x = 1'b0;
    cq_wd = '0;
    op_issue_x = 1'b0;
    bk_go = 1'b0;
    sq_go = 1'b0;
    lp_rpt_we = 1'b0;
    c_unknown_d = 1'b0;
    lp_ph_d = lp_ph_q;
    lp_scope_d = lp_scope_q;
    lp_slot_d = f_slot_q;
    if (f_v_q && !f_hit_q && (f_it_q == IT_BOOK || f_it_q == IT_SEQ || f_it_q == IT_STAT)) begin
      f_done_x = 1'b1;  // an instrument not in the table: counted, nothing else
      c_unknown_d = 1'b1;
    end else if (f_v_q) begin
      unique case (f_it_q)
        IT_HDR: f_done_x = 1'b1;  // hdr_we below; no commit entry (the markers carry the seq)
        IT_BOOK: begin
          // The op is offered (valid) whatever ttq_book's tready; F1 holds until it is taken.
          // (The check's part: below.)
          if (cq_room) begin
            bk_go = 1'b1;
            cq_wd = entry(Q_BOOK, f_slot_q, rpt_known_rd, rpt_d1, f_reset, '0, '0);
          end
        end
        IT_SEQ: begin
          if (cq_room) begin
            f_done_x = 1'b1;
            sq_go = 1'b1;
            cq_wd = entry(Q_CHK, f_slot_q, rpt_known_rd, rpt_d1, 1'b0, '0, '0);
          end
        end
        IT_STAT: begin
          if (cq_room) begin
            f_done_x = 1'b1;
            cq_push_x = 1'b1;
            cq_wd = entry(Q_HALT, f_slot_q, f_halt_q, 1'b0, 1'b0, '0, '0);
          end
        end
        IT_PUB: begin
          if (cq_room) begin
            f_done_x = 1'b1;
            cq_push_x = 1'b1;
            cq_wd = entry(Q_PUB, '0, 1'b0, 1'b0, 1'b0, pub_seq_d, '0);
          end
        end
        IT_MARK: begin
          if (cq_room) begin
            f_done_x = 1'b1;
            cq_push_x = 1'b1;
            // The latest MsgSeqNum as of the marker's place among the events: F1 writes it
            // in event order, C requotes with the entry's copy.
            cq_wd = f_mk_kill_q ? entry(Q_KILL, '0, f_halt_q, 1'b0, 1'b0, latest_seq, '0) :
                                  entry(Q_RQ, f_slot_q, 1'b0, 1'b0, 1'b0, latest_seq, '0);
          end
        end
        IT_LOOP: begin
          if (lp_ph_q == 2'd0) begin
            lp_scope_d = scope;
            lp_ph_d = 2'd1;
          end else if (lp_ph_q == 2'd1) begin
            lp_slot_d = lowest(lp_scope_q);
            lp_ph_d = 2'd2;
          end else if (lp_scope_q == '0) begin
            if (f_lk_q == LP_GAP || f_lk_q == LP_RESTART) begin
              if (cq_room) begin  // then publish: first + count for a gap, 1 for a restart
                f_done_x = 1'b1;
                lp_ph_d = 2'd0;
                cq_push_x = 1'b1;
                cq_wd = entry(Q_PUB, '0, 1'b0, 1'b0, 1'b0, pub_seq_d, '0);
              end
            end else begin
              f_done_x = 1'b1;
              lp_ph_d = 2'd0;
            end
          end else begin
            unique case (f_lk_q)
              LP_GAP: begin
                if (cq_room) begin
                  cq_push_x = 1'b1;
                  cq_wd = entry(Q_GAP, f_slot_q, 1'b0, 1'b0, 1'b0, '0, '0);
                  lp_scope_d = lp_rest;
                  lp_slot_d = lowest(lp_rest);
                end
              end
              LP_STATUS: begin
                if (cq_room) begin
                  cq_push_x = 1'b1;
                  cq_wd = entry(Q_HALT, f_slot_q, f_halt_q, 1'b0, 1'b0, '0, '0);
                  lp_scope_d = lp_rest;
                  lp_slot_d = lowest(lp_rest);
                end
              end
              default: begin  // RESET (known) / RESTART (unknown): RptSeq 0, clear the book
                if (cq_room) begin
                  op_issue_x = 1'b1;
                  if (op_free) begin
                    lp_rpt_we = 1'b1;
                    cq_push_x = 1'b1;
                    cq_wd = entry(Q_CLR, f_slot_q, 1'b0, 1'b0, 1'b0, '0, '0);
                    lp_scope_d = lp_rest;
                    lp_slot_d = lowest(lp_rest);
                  end
                end
              end
            endcase
          end
        end
        default: f_done_x = 1'b1;  // IT_NONE
      endcase
    end
  end

  // The RptSeq check's part (FastPath::check_rpt): an older event is skipped (BOOK: done without
  // an op); else the op is offered, and once it is taken (SEQ: at once) the slot's RptSeq is
  // written and, but for a SEQ's first RptSeq, an entry pushed.
  assign f_done = f_done_x || (bk_go && (op_free || rpt_older));
  assign op_issue = op_issue_x || (bk_go && rpt_nold);
  assign rpt_we = ((bk_go && op_free) || sq_go) && rpt_nold;
  assign cq_push = cq_push_x || (((bk_go && op_free) || (sq_go && rpt_known_rd)) && rpt_nold);
  assign c_entry_d = bk_go && op_free && rpt_nold;

  // A Book Reset is the op's etype BOOK_T_RESET (4), the only value f_bet_q takes with bit 2 set:
  // no decode and no register of its own (f_reset_q until 2026-11-29, the same value).
  assign f_reset = f_bet_q[2];

  // The book op: F1's registers (the loop's slot is f_slot_q). Fields an op does not use are
  // don't-care for ttq_book.
  always_comb begin
    op_new = ttq_pkg::BOOK_OP_ZERO;
    op_new.kind = f_clr_q ? ttq_pkg::BOOK_OP_CLEAR : ttq_pkg::BOOK_OP_ENTRY;
    op_new.slot = 16'(f_slot_q);
    op_new.etype = f_bet_q;
    op_new.action = f_action_q;
    op_new.level = f_level_q;
    op_new.px = f_px_q;
    op_new.size = f_size_q;
    op_new.known = f_known_q;
  end

  // The input: a kill change or a commit requote goes down the pipeline as a marker before the
  // next event, so it is ordered after every event accepted before it (as in the model, where
  // set_kill / set_params happen between frames).
  always_comb begin
    rq_any = rq_nz_q && w_idle;
    rq_slot = lowest(rq_pend_q);
    // rq_nz_q's next value: a marker clears the lowest slot, a commit sets one.
    rq_ge2 = 1'b0;  // two or more slots waiting
    rq_seen = 1'b0;
    for (int i = 0; i < NI; i++) begin
      if (rq_pend_q[i] && rq_seen) rq_ge2 = 1'b1;
      if (rq_pend_q[i]) rq_seen = 1'b1;
    end
    rq_clr = f_load && !mk_kill && rq_any;
    rq_set = cfg_commit && cfg_commit_slot < 16'(N_INSTR);
  end
  // Kill and commit markers wait while a speculated packet is open (the model's set_kill and
  // set_params come between frames, so after its undo).
  assign mk_kill = kill != kill_in_q && w_idle;
  assign hdr_we = f_done && (f_hdr_q || f_it_q == IT_HDR);
  assign latest_seq = max_seq(last_seq_q);
  assign f_load = !f_v_q || f_done;
  assign s_axis_ev_tready = f_load && !mk_kill && !rq_any && !rst && !w_hold && !spec_verdict_v;
  assign ev_fire = s_axis_ev_tvalid && s_axis_ev_tready;

  always_ff @(posedge clk) begin
    if (f_load) begin
      f_v_q <= mk_kill || rq_any || ev_fire;
      f_it_q <= (mk_kill || rq_any) ? IT_MARK : it_in;
      f_mk_kill_q <= mk_kill;
      f_lk_q <= lk_in;
      f_hit_q <= hit_in;
      f_slot_q <= (!mk_kill && rq_any) ? rq_slot : hit_slot_in;
      f_bet_q <= (ev_in.entry_type == 8'h30) ? ttq_pkg::BOOK_T_BID :
                 (ev_in.entry_type == 8'h31) ? ttq_pkg::BOOK_T_ASK :
                 (ev_in.entry_type == 8'h45) ? ttq_pkg::BOOK_T_IMP_BID :
                 (ev_in.entry_type == 8'h46) ? ttq_pkg::BOOK_T_IMP_ASK : ttq_pkg::BOOK_T_RESET;
      f_clr_q <= it_in == IT_LOOP;
      f_known_q <= lk_in == LP_RESET;
      f_ch_q <= s_axis_ev_channel;
      f_rpt_q <= ev_in.rpt_seq;
      f_rpt_m1_q <= ev_in.rpt_seq - 32'd1;
      for (int i = 0; i < NI; i++) begin  // (F1's write of this cycle: known, not 0, f_rpt_q)
        if (rpt_we && f_slot_q == SW'(i)) f_old_q[i] <= fw_le;
        else f_old_q[i] <= rpt_known_q[i] && (rpt_zero_q[i] ? in_rpt0 : in_le[i]);
      end
      f_seq_q <= ev_in.seq_num;
      f_hdr_q <= !mk_kill && !rq_any && s_axis_ev_ctl == 2'd3;
      f_mend_q <= !mk_kill && !rq_any && !(s_axis_ev_ctl == 2'd1 || s_axis_ev_ctl == 2'd2) &&
                  ev_in.kind == ttq_pkg::MDP_EV_MSG_END;
      f_size_q <= ev_in.size;
      f_px_q <= (ev_in.price == 64'h7FFF_FFFF_FFFF_FFFF) ? 64'd0 :
                to_price9(ev_in.price, ev_in.template_id);
      f_level_q <= ev_in.level;
      f_action_q <= ev_in.action[2:0];
      f_halt_q <= mk_kill ? kill : is_halt(ev_in.entry_type);
      f_grp_q <= trim6(ev_in.price[47:0]);
    end else begin
      f_slot_q <= lp_slot_d;  // a channel-wide action's slot (f_slot_q when not stepping)
    end
    if (f_load && mk_kill) kill_in_q <= kill;
    rq_nz_q <= rq_set || (rq_clr ? rq_ge2 : rq_nz_q);
    lp_ph_q <= lp_ph_d;
    lp_scope_q <= lp_scope_d;
    if (hdr_we) begin
      cur_seq_q <= f_seq_q;
      for (int c = 0; c < N_CH; c++) begin
        if (f_ch_q == CH_W'(c)) last_seq_q[32*c +: 32] <= f_seq_q;
      end
    end
    for (int i = 0; i < NI; i++) begin
      if (rq_clr && rq_slot == SW'(i)) rq_pend_q[i] <= 1'b0;
      if (cfg_commit && cfg_commit_slot == 16'(i)) rq_pend_q[i] <= 1'b1;
    end
    if (rpt_we) begin
      rpt_known_q[f_slot_q] <= 1'b1;
      rpt_zero_q[f_slot_q] <= 1'b0;
    end
    if (lp_rpt_we) begin  // RESET: known, 0; RESTART: unknown
      rpt_known_q[f_slot_q] <= f_lk_q == LP_RESET;
      rpt_zero_q[f_slot_q] <= 1'b1;
    end
    if (w_start) begin  // undo: the journaled RptSeq flags and the channel's last MsgSeqNum
      for (int i = 0; i < NI; i++) begin
        if (jr_q[i]) begin
          rpt_known_q[i] <= sh_rk_q[i];
          rpt_zero_q[i] <= sh_rz_q[i];
        end
      end
      if (jls_q) begin
        for (int c = 0; c < N_CH; c++) begin
          if (ls_ch_q == CH_W'(c)) last_seq_q[32*c +: 32] <= ls_sv_q;
        end
      end
    end
    if (rst) begin
      f_v_q <= 1'b0;
      lp_ph_q <= 2'd0;
      kill_in_q <= 1'b0;
      cur_seq_q <= '0;
      last_seq_q <= '0;
      rq_pend_q <= '0;
      rq_nz_q <= 1'b0;
      rpt_known_q <= '0;
      rpt_zero_q <= '0;
    end
  end
  // F1's write, or the undo walk's (selected by a register). Flip-flops, not a LUT RAM: the
  // compares of the item coming in read every slot; F1 reads f_slot_q's (the check's "= last + 1"
  // and the journal's save, lrm_f1). Until 2026-11-30 (sixth session) a LUT RAM last_rpt_mem
  // with the same writes served the save: yosys merged f_slot_q into its read register, whose
  // load enable put one LUT more on f_slot_q's load path (7 levels in the cut-through core).
  assign lrm_wd = w_walk ? sh_rpt_mem[rs_q] : f_rpt_q;
  assign in_rpt0 = ev_in.rpt_seq == 32'd0;
  assign fw_le = ev_in.rpt_seq <= f_rpt_q;
  always_comb begin
    for (int i = 0; i < NI; i++) in_le[i] = ev_in.rpt_seq <= lrm_q[32*i +: 32];
  end
  always_ff @(posedge clk) begin
    for (int i = 0; i < NI; i++) begin
      if ((rpt_we && f_slot_q == SW'(i)) || (w_walk && jr_q[rs_q] && rs_q == SW'(i))) begin
        lrm_q[32*i +: 32] <= lrm_wd;
      end
    end
  end

  // Commit queue. With the queue empty, F1's push goes straight to C's head when the head is
  // free (cq_byp: an entry reaches C the cycle after F1, with ttq_book's result of its op, which
  // takes 1 cycle since 2026-11-30; through the queue's LUT RAM it took 2). cq_nx is the entry
  // C's head takes next (the queue's oldest, or F1's push of this cycle).
  assign cq_load = (!head_v_q || c_fire) && cq_cnt_q != '0;
  assign cq_byp = (!head_v_q || c_fire) && cq_cnt_q == '0 && cq_push && f_it_q != IT_MARK;
  assign cq_nx_v = cq_cnt_q != '0 || cq_push;
  assign cq_nx = (cq_cnt_q != '0) ? cq_mem[cq_rd_q] : cq_wd_nx;
  // F1's entry as cq_nx shows it: the sequence field of a publication entry only (what the early
  // publication and C read: pub_seq_d, the signal cq_wd's Q_PUB arms take, so the two copies
  // cannot differ), not the markers' latest MsgSeqNum (a compare tree: 7 LUT levels into
  // req_seq_q / head_q); a marker goes through the queue (no bypass).
  always_comb begin
    cq_wd_nx = cq_wd;
    cq_wd_nx[E_SEQ +: 32] = pub_seq_d;
  end
  always_ff @(posedge clk) begin
    if (cq_push) cq_mem[cq_wr_q] <= cq_wd;
  end
  always_ff @(posedge clk) begin
    if (cq_load || cq_byp) head_q <= cq_nx;
    if (cq_load || cq_byp) head_v_q <= 1'b1;
    else if (c_fire) head_v_q <= 1'b0;
    cq_wr_q <= cq_wr_q + CQ_AW'(cq_push && !cq_byp);
    cq_rd_q <= cq_rd_q + CQ_AW'(cq_load);
    cq_cnt_q <= cq_cnt_q + (CQ_AW+1)'(cq_push && !cq_byp) - (CQ_AW+1)'(cq_load);
    if (rst) begin
      head_v_q <= 1'b0;
      cq_wr_q <= '0;
      cq_rd_q <= '0;
      cq_cnt_q <= '0;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // C: the head entry's ordered effects, at its slot (FastPath's order: the RptSeq check's
  // mark_stale / un-suspect before the book result's; a touch queues the slot once). Waits while
  // the publisher works (its reads must see the state as of the publication point).
  logic [3:0]         h_kind;
  logic [SW-1:0]      h_slot;
  logic               h_a, h_b, h_c, h_res;
  logic [31:0]        h_seq;
  logic [CH_W-1:0]    h_ch;
  logic               c_idle;
  logic               c_touch, c_flags_we, c_stale_wd, c_susp_wd, c_halt_we, c_top_we;
  logic               c_stale_d, pub_go, kill_go, rq_go;
  logic               st_rd, sp_rd, dt_rd;
  pmode_e             pub_mode_q, pub_mode_d;
  logic               kill_eff_q;  // the kill value of the requests being issued

  ttq_pkg::book_res_t res;
  assign res = s_axis_res_tdata;
  assign {h_ch, h_seq, h_c, h_b, h_a, h_slot, h_kind} = head_q;
  assign h_res = h_kind == Q_BOOK || h_kind == Q_CLR;
  assign c_idle = pub_mode_q == P_IDLE;
  assign s_axis_res_tready = head_v_q && h_res && c_idle;
  assign c_fire = head_v_q && c_idle && (!h_res || s_axis_res_tvalid);
  assign st_rd = stale_q[h_slot];
  assign sp_rd = suspect_q[h_slot];
  assign dt_rd = dirty_q[h_slot];

  logic s1, p1;
  always_comb begin
    c_touch = 1'b0;
    c_flags_we = 1'b0;
    c_stale_wd = st_rd;
    c_susp_wd = sp_rd;
    c_halt_we = 1'b0;
    c_top_we = 1'b0;
    c_stale_d = 1'b0;
    pub_go = 1'b0;
    kill_go = 1'b0;
    rq_go = 1'b0;
    s1 = st_rd;
    p1 = sp_rd;
    if (c_fire) begin
      unique case (h_kind)
        Q_BOOK, Q_CHK: begin
          // FastPath::check_rpt: a jump marks stale; in sequence while suspect un-suspects.
          if (h_a && !h_b) begin  // known, not last + 1
            c_stale_d = !st_rd;
            s1 = 1'b1;
            p1 = 1'b0;
            c_touch = 1'b1;
          end else if (h_a && sp_rd) begin  // known, last + 1
            p1 = 1'b0;
            c_touch = 1'b1;
          end
          if (h_kind == Q_BOOK) begin  // the book's result
            c_top_we = 1'b1;
            c_touch = 1'b1;
            if (res.result == ttq_pkg::BOOK_RES_APPLIED && h_c) begin
              s1 = 1'b0;
              p1 = 1'b0;
            end else if (res.result == ttq_pkg::BOOK_RES_CORRUPT) begin  // mark_stale
              c_stale_d = c_stale_d || !s1;
              s1 = 1'b1;
              p1 = 1'b0;
            end
          end
          c_flags_we = 1'b1;
          c_stale_wd = s1;
          c_susp_wd = p1;
        end
        Q_HALT: begin
          c_halt_we = 1'b1;
          c_touch = 1'b1;
        end
        Q_GAP: begin
          if (!sp_rd && !st_rd) begin
            c_flags_we = 1'b1;
            c_susp_wd = 1'b1;
            c_touch = 1'b1;
          end
        end
        Q_CLR: begin
          c_top_we = 1'b1;
          c_flags_we = 1'b1;
          c_stale_wd = 1'b0;
          c_susp_wd = 1'b0;
          c_touch = 1'b1;
        end
        Q_PUB: pub_go = 1'b1;
        Q_KILL: kill_go = 1'b1;
        Q_RQ: rq_go = 1'b1;
        default: ;
      endcase
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Publisher: pub_slot_q is the slot it considers this cycle (the dirty queue's head, the kill
  // loop's slot, the committed slot; with nothing dirty, the slot of C's head entry), a register,
  // so the configuration multiplexer and the per-slot reads have a registered select. A request
  // goes out when the slot can be quoted; a slot with a request still at the quoter waits for its
  // result (its `prev`), and so does everything behind it (records leave in the model's order),
  // unless its inputs repeat those of its last request (then nothing is sent: the quoter would
  // find nothing to requote), which the cycle after the first wait knows (same_q).
  logic [SW-1:0]      pub_slot_q, pub_slot_d;
  logic [31:0]        pub_seq_q;
  logic               dq_mode, pub_run, req_free, p_block, p_step, p_issue, pop, dq_push;
  logic               stall_q, same_q, eb, nx_pub;
  logic               ebp;     // an early publication of the dirty queue's head
  logic               hs_eq;   // C's slot is pub_slot_q (C's writes are forwarded)
  logic               dq_pop;  // the dirty queue loses its head (pop or ebp)
  logic               head_spec_q;  // C's head entry belongs to a speculated packet
  logic [SW:0]        dq_head_d, dq_cnt_d, dq_head_nx_q;
  (* keep *) logic [SW:0] dq_cnt_inc, dq_cnt_dec;  // dq_cnt_q + 1, dq_cnt_q - 1
  (* keep *) logic [SW:0] dq_cnt_e, dq_cnt_n;      // the next count with / without eb
  logic               dq_tp;      // C's touch of a clean slot (pushed unless eb publishes it)
  logic [SW-1:0]      dq_tail_q;  // = dq_head_q + dq_cnt_q (mod N_INSTR), kept as a register
  logic [SW-1:0]      nx_slot, back_slot, pop_slot, ebp_slot, kill_next;
  logic               h_touchy;
  logic               nx_spec;  // the entry behind C's head belongs to a speculated packet
  logic               req_v_q;
  logic [SW-1:0]      req_slot_q;
  logic [31:0]        req_seq_q;
  logic [TOB_W-1:0]   req_tob_q, top_rd, top_n;
  logic [7:0]         req_pull_q, pull_rd, pull_n;
  logic [PREV_W-1:0]  req_prev_q, prev_rd;
  ttq_regs_pkg::slot_cfg_t req_cfg_q;
  logic [N_INSTR-1:0] qvalid_q;     // quote_mem holds the inputs of the slot's last request
  logic [TOB_W+7:0]   quote_mem [N_INSTR];  // {pull, top} of the slot's last request

  assign dq_mode = pub_mode_q == P_DQ || pub_go;
  assign pub_run = (dq_mode && dq_cnt_q != '0) || pub_mode_q == P_KILL || pub_mode_q == P_ONE;
  assign req_free = !req_v_q || m_axis_req_tready;
  assign p_block = quotable_q[pub_slot_q] && (infl_q[pub_slot_q] || !req_free);
  assign p_step = pub_run && (!p_block || (stall_q && same_q));
  // Early publication: C commits an entry while the next entry publishes, and the publication
  // starts in the same cycle. With nothing dirty, C's slot (pub_slot_q follows C's head entry) is
  // published at once, its new state forwarded (the publication then finds nothing dirty): only
  // for entries that always touch. With slots dirty (the publisher idle: pub_slot_q is the dirty
  // queue's head), the head is popped and published in that cycle (`ebp`), C's writes forwarded
  // when the head is C's slot (`hs_eq`), C's touch pushed at the tail as usual; the publication
  // entry then pops the rest, from the next one (2026-11-30, fourth session, helper h1: a
  // message touching two slots no longer waits a cycle for its publication entry's first pop).
  assign nx_pub = cq_nx_v && cq_nx[3:0] == Q_PUB;
  assign hs_eq = h_slot == pub_slot_q;
  assign h_touchy = h_kind == Q_BOOK || h_kind == Q_CHK || h_kind == Q_HALT || h_kind == Q_GAP ||
                    h_kind == Q_CLR;
  // Not across a speculation window's edge (review of the journal): an untagged (pre-packet)
  // touch whose next entry is the speculated packet's first publication is pushed dirty as
  // usual, so an undo finds it dirty as the model's restored dirty list does. An untagged touch
  // with its own packet's (untagged) publication behind it still goes early while a window is
  // open (2026-11-30: gated by w_idle before, which cost a packet held for its verdict, right in
  // front of a speculated one, a cycle on its request). (c_fire: the publisher is idle.)
  assign eb = c_fire && (head_spec_q || !nx_spec) && nx_pub &&
              ((dq_cnt_q == '0) ? ((h_kind == Q_BOOK || h_kind == Q_CLR || h_kind == Q_HALT) &&
                                   hs_eq)
                                : h_touchy) &&
              !(quotable_q[pub_slot_q] && (infl_q[pub_slot_q] || !req_free));
  // With slots dirty: the early publication takes the head off the dirty queue as a pop would
  // (2026-11-30, third session, helper h1, for the head = C's slot and the only entry: a cycle
  // on a message of several entries of one slot; fourth session, any head, any count).
  assign ebp = eb && dq_cnt_q != '0;
  assign dq_pop = pop || ebp;
  assign p_issue = ((pub_run && !p_block) || eb) && quotable_q[pub_slot_q];
  assign pop = p_step && dq_mode;
  assign dq_tp = c_touch && !dt_rd;
  assign dq_push = dq_tp && !(eb && dq_cnt_q == '0);

  assign dq_cnt_inc = dq_cnt_q + 1'b1;
  assign dq_cnt_dec = dq_cnt_q - 1'b1;
  assign top_rd = top_ok_q[pub_slot_q] ? top_mem[pub_slot_q] : '0;
  assign prev_rd = prev_ok_q[pub_slot_q] ? prev_mem[pub_slot_q] : '0;
  logic               st_n, sp_n, ht_n, bx_n, ax_n;
  always_comb begin  // FastPath::requote's pull flags
    pull_rd = 8'h00;
    if (stale_q[pub_slot_q] || suspect_q[pub_slot_q]) pull_rd = pull_rd | ttq_pkg::QF_PULL_STALE;
    if (halted_q[pub_slot_q]) pull_rd = pull_rd | ttq_pkg::QF_PULL_HALT;
    if (kill_eff_q) pull_rd = pull_rd | ttq_pkg::QF_PULL_KILL;
    // What the request takes: C's writes of this cycle forwarded when they are at pub_slot_q (a
    // request goes out in a cycle C commits only as an early publication, whose slot is C's, or
    // the dirty queue's head, which may be another slot).
    st_n = (c_flags_we && hs_eq) ? c_stale_wd : stale_q[pub_slot_q];
    sp_n = (c_flags_we && hs_eq) ? c_susp_wd : suspect_q[pub_slot_q];
    ht_n = (c_halt_we && hs_eq) ? h_a : halted_q[pub_slot_q];
    pull_n = 8'h00;
    if (st_n || sp_n) pull_n = pull_n | ttq_pkg::QF_PULL_STALE;
    if (ht_n) pull_n = pull_n | ttq_pkg::QF_PULL_HALT;
    if (kill_eff_q) pull_n = pull_n | ttq_pkg::QF_PULL_KILL;
    top_n = (c_top_we && hs_eq) ? {res.bid_px, res.ask_px, res.bid_sz, res.ask_sz} : top_rd;
    bx_n = (c_top_we && hs_eq) ? res.bid_present : bid_ex_q[pub_slot_q];
    ax_n = (c_top_we && hs_eq) ? res.ask_present : ask_ex_q[pub_slot_q];
  end

  // Published top: what FastPath::publish_one computes, registered at the publication (a pop of
  // the dirty queue, or an early publication, with C's writes of the cycle forwarded).
  logic               pt_v_q;
  logic [SW-1:0]      pt_slot_q;
  logic [2:0]         pt_flags_q;
  logic [TOB_W-1:0]   pt_tob_q;
  always_ff @(posedge clk) begin
    pt_v_q <= (pop || eb) && !rst;
    pt_slot_q <= pub_slot_q;
    pt_flags_q <= {st_n || sp_n, ax_n, bx_n};
    pt_tob_q <= top_n;
  end

  always_comb begin
    dq_head_d = dq_pop ? dq_head_nx_q : dq_head_q;
    // The count's next value: the late dq_push (behind the early publication's eb, from the
    // commit queue's LUT RAM read) and pop select among dq_cnt_q and its kept +1 / -1, no adder
    // behind them (2026-11-30: the sum was 7 LUT levels from cq_rd_q in the apply + book +
    // quoter probe, hw/syn/apply_quoter.ys).
    // Since the early publication pops any head (push and pop together), `eb` selects last
    // between the count with an early publication (C's slot pushed unless nothing was dirty,
    // the head popped) and without one (push and the ordinary pop never coincide), each from
    // the early terms: the select from `eb` was 7 LUT levels from cq_rd_q otherwise.
    dq_cnt_e = (dq_tp || dq_cnt_q == '0) ? dq_cnt_q : dq_cnt_dec;
    dq_cnt_n = dq_tp ? dq_cnt_inc : pop ? dq_cnt_dec : dq_cnt_q;
    dq_cnt_d = eb ? dq_cnt_e : dq_cnt_n;
    // pub_slot_q's candidates, from registers and early signals only; the late ones (p_step,
    // pop) pick among them last. Invariant: with slots dirty and the publisher idle or popping,
    // pub_slot_q is the dirty queue's head. With nothing dirty it follows C's head entry (an
    // early publication needs it equal to that entry's slot; where it is not, the slot is
    // published the ordinary way, a cycle later).
    nx_slot = (!head_v_q || c_fire) ? cq_nx[E_SLOT +: SW] : h_slot;
    back_slot = (dq_cnt_q != '0) ? dq_mem[dq_head_q[SW-1:0]] : nx_slot;
    pop_slot = (dq_cnt_q > (SW+1)'(1)) ? dq_mem[dq_head_nx_q[SW-1:0]] : nx_slot;
    ebp_slot = (dq_cnt_q > (SW+1)'(1)) ? dq_mem[dq_head_nx_q[SW-1:0]] : h_slot;
    kill_next = (pub_slot_q == SW'(N_INSTR - 1)) ? back_slot : pub_slot_q + 1'b1;

    pub_mode_d = pub_mode_q;
    unique case (pub_mode_q)
      P_IDLE: begin
        if (kill_go) pub_mode_d = P_KILL;
        else if (rq_go) pub_mode_d = P_ONE;
        else if (pub_go && dq_cnt_q != '0 && !(pop && dq_cnt_q == (SW+1)'(1))) pub_mode_d = P_DQ;
      end
      P_DQ: if (dq_cnt_q == '0 || (pop && dq_cnt_q == (SW+1)'(1))) pub_mode_d = P_IDLE;
      P_KILL: if (p_step && pub_slot_q == SW'(N_INSTR - 1)) pub_mode_d = P_IDLE;
      default: if (p_step) pub_mode_d = P_IDLE;  // P_ONE
    endcase

    unique case (pub_mode_q)
      P_KILL: pub_slot_d = p_step ? kill_next : pub_slot_q;
      P_ONE: pub_slot_d = p_step ? back_slot : pub_slot_q;
      P_DQ: pub_slot_d = pop ? pop_slot : pub_slot_q;
      default: begin  // P_IDLE
        if (kill_go) pub_slot_d = '0;
        else if (rq_go) pub_slot_d = h_slot;
        else if (pub_go && dq_cnt_q != '0) pub_slot_d = pop ? pop_slot : pub_slot_q;
        // (after an undo, W_BOOK: the restored queue's head)
        // (an early publication's pop: the next head; with one entry, C's slot pushed behind
        // it, or none, and then pub_slot_q is not read until it follows C again)
        else if (dq_cnt_q != '0) pub_slot_d = (w_st_q == W_BOOK) ? back_slot :
                                              ebp ? ebp_slot : pub_slot_q;
        else pub_slot_d = (c_fire && h_touchy) ? h_slot : nx_slot;
      end
    endcase
  end

  always_ff @(posedge clk) begin
    pub_mode_q <= pub_mode_d;
    pub_slot_q <= pub_slot_d;
    if (pub_go || kill_go || rq_go) pub_seq_q <= h_seq;
    if (kill_go) kill_eff_q <= h_a;
    dq_head_q <= dq_head_d;
    // The head after the next pop: from registers, with the late pop selecting last.
    if (dq_pop) dq_head_nx_q <= (dq_head_nx_q == (SW+1)'(N_INSTR - 1)) ? '0 : dq_head_nx_q + 1'b1;
    dq_cnt_q <= dq_cnt_d;
    // The tail in a register (2026-11-30): the push address and the journal's save of the entry
    // it overwrites read dq_mem at a register, not at an adder of head and count.
    if (dq_push) dq_tail_q <= (dq_tail_q == SW'(N_INSTR - 1)) ? '0 : dq_tail_q + 1'b1;
    if (w_start && jdq_q) {dq_head_q, dq_cnt_q, dq_head_nx_q, dq_tail_q} <= sh_dq_q;  // undo
    req_v_q <= (req_v_q && !m_axis_req_tready) || p_issue;
    stall_q <= pub_run && p_block && !(stall_q && same_q);
    same_q <= qvalid_q[pub_slot_q] && quote_mem[pub_slot_q] == {pull_rd, top_rd};
    if (req_free) begin
      req_slot_q <= pub_slot_q;
      req_seq_q <= eb ? cq_nx[E_SEQ +: 32] : (pub_go || kill_go || rq_go) ? h_seq : pub_seq_q;
      req_tob_q <= top_n;
      req_pull_q <= pull_n;
      req_prev_q <= prev_rd;
      req_cfg_q <= cfg_mux(slot_cfg, pub_slot_q);
    end
    if (rst) begin
      pub_mode_q <= P_IDLE;
      pub_slot_q <= '0;
      stall_q <= 1'b0;
      kill_eff_q <= 1'b0;
      dq_head_q <= '0;
      dq_head_nx_q <= (SW+1)'(1);
      dq_cnt_q <= '0;
      dq_tail_q <= '0;
      req_v_q <= 1'b0;
    end
  end

  // Quoter results: the slot's new `prev` (upd), its request no longer in flight; a record with
  // `send` goes straight out (the quoter holds it until the handshake).
  ttq_pkg::quote_rec_t qres;
  logic                qres_fire;
  logic [SW-1:0]       q_slot;
  assign qres = s_axis_qres_tdata;
  assign q_slot = qres.slot[SW-1:0];
  assign s_axis_qres_tready = !s_axis_qres_tuser[0] || m_axis_quote_tready;
  assign qres_fire = s_axis_qres_tvalid && s_axis_qres_tready;
  // A correction is offered only from W_WALK / W_BOOK, where no request is at the quoter (the
  // walk starts with req_v_q and infl_q clear, and nothing issues a request until the window
  // closes, which waits for corr_v_q): the multiplexer needs no arbitration.
  assign m_axis_quote_tvalid = (s_axis_qres_tvalid && s_axis_qres_tuser[0]) || corr_v_q;
  assign m_axis_quote_tdata = corr_v_q ? corr_rec_q : s_axis_qres_tdata;

  // Per-slot flags.
  always_ff @(posedge clk) begin
    if (c_flags_we) begin
      stale_q[h_slot] <= c_stale_wd;
      suspect_q[h_slot] <= c_susp_wd;
    end
    if (c_halt_we) halted_q[h_slot] <= h_a;
    if (c_top_we) top_ok_q[h_slot] <= 1'b1;
    if (c_top_we) bid_ex_q[h_slot] <= res.bid_present;
    if (c_top_we) ask_ex_q[h_slot] <= res.ask_present;
    if (dq_push) dirty_q[h_slot] <= 1'b1;
    if (dq_pop) dirty_q[pub_slot_q] <= 1'b0;
    if (qres_fire) infl_q[q_slot] <= 1'b0;
    if (p_issue) infl_q[pub_slot_q] <= 1'b1;
    if (p_issue) qvalid_q[pub_slot_q] <= 1'b1;
    for (int i = 0; i < NI; i++) begin  // new parameters: the last request's inputs differ
      if (cfg_commit && cfg_commit_slot == 16'(i)) qvalid_q[i] <= 1'b0;
    end
    if (qres_fire && s_axis_qres_tuser[1]) prev_ok_q[q_slot] <= 1'b1;
    if (w_start) begin  // undo: the journaled flags at once; forget the last request's inputs
      for (int i = 0; i < NI; i++) begin
        if (jc_q[i]) {stale_q[i], suspect_q[i], halted_q[i], top_ok_q[i], bid_ex_q[i],
                      ask_ex_q[i]} <= sh_fl_q[6*i +: 6];
        if (jd_q[i]) dirty_q[i] <= sh_dt_q[i];
        if (jqv_q[i]) qvalid_q[i] <= 1'b0;
      end
    end
    if (rst) begin
      stale_q <= '0;
      suspect_q <= '0;
      halted_q <= '0;
      dirty_q <= '0;
      top_ok_q <= '0;
      bid_ex_q <= '0;
      ask_ex_q <= '0;
      prev_ok_q <= '0;
      infl_q <= '0;
      qvalid_q <= '0;
    end
  end

  // Per-slot LUT RAM: one write port each.
  // (During the undo walk, selected by the register w_st_q, each takes the walk's restore.)
  always_ff @(posedge clk) begin
    if (c_top_we || (w_walk && jc_q[rs_q])) begin
      top_mem[w_walk ? rs_q : h_slot] <= w_walk ? sh_top_mem[rs_q] :
                                                  {res.bid_px, res.ask_px, res.bid_sz, res.ask_sz};
    end
  end
  always_ff @(posedge clk) begin
    if ((qres_fire && s_axis_qres_tuser[1]) || (w_walk && jpv_q[rs_q] && rs_step)) begin
      prev_mem[w_walk ? rs_q : q_slot] <=
          w_walk ? sh_prev_mem[rs_q][PREV_W-1:0] :
                   {qres.bid_px, qres.ask_px, qres.bid_sz, qres.ask_sz, qres.flags};
    end
  end
  always_ff @(posedge clk) begin
    if (dq_push || (w_walk && jp_q[rs_q])) begin
      dq_mem[w_walk ? rs_q : dq_tail_q] <= w_walk ? dq_sh_q[SW*rs_q +: SW] : h_slot;
    end
  end
  always_ff @(posedge clk) begin
    if (p_issue) quote_mem[pub_slot_q] <= {pull_n, top_n};
  end

  // ---------------------------------------------------------------------------------------------
  // Speculation: tags, the journal's saves, the window and the undo walk. Every save is the first
  // tagged write of its word in the window (touched bit clear), reading the old word at the
  // address being written; the writes themselves are the stages' own (above).
  logic               cq_spec_mem [CQ_D];
  logic               p_spec_now, p_spec_iss, pub_spec_q, pt_spec_q;
  logic               c_wr, j_rpt_sv, j_ls_sv, j_c_sv, j_dpush_sv, j_dpop_sv, j_dq_sv;
  logic [N_INSTR-1:0] j_c_en;  // j_c_sv at slot i
  logic               j_pt_sv, j_pv_sv;
  logic [TOB_W+2:0]   ptop_mem [N_INSTR];  // the published top as last written (top_we)
  logic [N_INSTR-1:0] ptop_ok_q;
  logic               ptop_we;
  logic [SW-1:0]      ptop_wa;
  logic [TOB_W+2:0]   ptop_wd, ptop_rd;
  logic [PREV_W-1:0]  old_prev;

  always_ff @(posedge clk) begin
    if (f_load) f_spec_q <= ev_fire && s_axis_ev_spec;
    if (rst) f_spec_q <= 1'b0;
  end
  always_ff @(posedge clk) begin
    if (cq_push) cq_spec_mem[cq_wr_q] <= f_spec_q;
  end
  always_ff @(posedge clk) begin
    if (cq_load || cq_byp) head_spec_q <= nx_spec;
  end
  assign nx_spec = (cq_cnt_q != '0) ? cq_spec_mem[cq_rd_q] : f_spec_q;
  // The publisher's tag: its publication entry's (a kill or commit requote is never speculated);
  // an early publication belongs to the publication entry behind C's head.
  assign p_spec_now = (pub_mode_q == P_IDLE) ? (pub_go && head_spec_q) : pub_spec_q;
  assign p_spec_iss = eb ? nx_spec : p_spec_now;

  assign c_wr = c_flags_we || c_halt_we || c_top_we;
  assign j_rpt_sv = (rpt_we || lp_rpt_we) && f_spec_q && !jr_q[f_slot_q];
  assign j_ls_sv = hdr_we && f_spec_q && !jls_q;
  // C's save: as soon as a tagged touching entry of the slot is at C's head (valid), whether or
  // not C fires it yet and whether or not it writes the flags (a GAP of a slot already suspect or
  // stale does not). Only C writes these words (and the walk, with C drained), and C writes only
  // the head entry's slot when it fires, so a save taken before or at the slot's first tagged
  // write still holds the value before the window (untagged entries all commit before the
  // packet's): the undo restores the same state. Its enable is registers only: no book result
  // valid (c_fire), no suspect / stale read at h_slot (c_wr's GAP term). Per slot (j_c_en), each
  // slot's flags saved from its own flip-flops: no multiplexer at h_slot and no part-select at
  // 6*h_slot (2026-11-30, fifth session: its shift was 6 LUT levels to sh_fl_q in the block, 7
  // in the cut-through core).
  assign j_c_sv = head_v_q && h_touchy && head_spec_q && !jc_q[h_slot];
  always_comb begin
    for (int i = 0; i < NI; i++) j_c_en[i] = head_v_q && h_touchy && head_spec_q && !jc_q[i] &&
                                             h_slot == SW'(i);
  end
  assign j_dpush_sv = dq_push && head_spec_q && !jd_q[h_slot];
  assign j_dpop_sv = dq_pop && p_spec_iss && !jd_q[pub_slot_q];
  assign j_dq_sv = ((dq_push && head_spec_q) || (dq_pop && p_spec_iss)) && !jdq_q;
  assign j_pt_sv = pt_v_q && pt_spec_q && !jpt_q[pt_slot_q];
  assign j_pv_sv = qres_fire && s_axis_qres_tuser[1] && infl_spec_q[q_slot] && !jpv_q[q_slot];
  assign ptop_rd = ptop_ok_q[pt_slot_q] ? ptop_mem[pt_slot_q] : '0;
  assign old_prev = prev_ok_q[q_slot] ? prev_mem[q_slot] : '0;

  // Shadows in LUT RAM (one write port each, at the written word's address).
  always_ff @(posedge clk) begin
    if (j_rpt_sv) sh_rpt_mem[f_slot_q] <= lrm_f1;
  end
  always_ff @(posedge clk) begin
    if (j_c_sv) sh_top_mem[h_slot] <= top_mem[h_slot];
  end
  always_ff @(posedge clk) begin
    if (j_pt_sv) sh_pt_mem[pt_slot_q] <= ptop_rd;
  end
  always_ff @(posedge clk) begin
    if (j_pv_sv) sh_prev_mem[q_slot] <= {qres.security_id, old_prev};
  end
  // The published-top mirror: every top_we write.
  assign ptop_we = pt_v_q || rs_pt_v_q;
  assign ptop_wa = rs_pt_v_q ? rs_pt_slot_q : pt_slot_q;
  assign ptop_wd = rs_pt_v_q ? rs_pt_d_q : {pt_flags_q, pt_tob_q};
  always_ff @(posedge clk) begin
    if (ptop_we) ptop_mem[ptop_wa] <= ptop_wd;
  end

  // The walk: slot rs_q's words are written back (above); a correction when the packet changed
  // the slot's `prev` (the model's rule: old != new, and not both without a live side).
  assign cur_prev = sh_prev_mem[rs_q];
  logic [PREV_W-1:0] now_prev, was_prev;
  assign now_prev = prev_mem[rs_q];  // prev_ok is set: the packet's result wrote it
  assign was_prev = cur_prev[PREV_W-1:0];
  assign corr_d = jpv_q[rs_q] && now_prev != was_prev &&
                  ((now_prev[7:0] | was_prev[7:0]) &
                   (ttq_pkg::QF_BID_LIVE | ttq_pkg::QF_ASK_LIVE)) != 8'h00;
  // A quote_rec_t: {reserved, flags, level 0, slot, seq = the channel's last applied MsgSeqNum,
  // SecurityID, ask_sz, bid_sz, ask_px, bid_px}; prev is {bid_px, ask_px, bid_sz, ask_sz, flags}.
  assign corr_rec = {32'd0, was_prev[7:0], 8'd0, 16'(rs_q), ls_sv_q, cur_prev[PREV_W +: 32],
                     was_prev[39:8], was_prev[71:40], was_prev[135:72], was_prev[199:136]};
  // The walk steps when the correction register is free or being emptied (registers and the
  // sink's tready only).
  assign rs_step = !corr_v_q || m_axis_quote_tready;
  assign rs_last = rs_q == SW'(N_INSTR - 1);

  // Counters of speculated packets. The model applies whole messages (FastPath::speculate: the
  // messages before a packet's first bad one), and ttq_core sends a speculated packet's events as
  // the framer gives them, so a message that never ends (cut, or its packet oversize) reaches
  // this block in part; its packet's verdict is bad and the journal undoes its state, but
  // counters are not journaled. So a speculated item's counts are held for its message and added
  // at the message's MSG_END (m_close), and those of a message still open when the window closes
  // are dropped. F1's (BOOK_ENTRIES, UNKNOWN_INSTRUMENTS) are in pd_be_q / pd_un_q. C's
  // (STALE_EVENTS) come later: cl_q counts the entries at C's head and in the commit queue that
  // belong to ended messages (all of them at m_close, less one per C fire), so C's entry is of
  // the open message when it is speculated and cl_q is 0; its stale counts wait in pd_st_q, and
  // in the m_close cycle everything at C has ended. Unspeculated items count at once.
  logic               m_close;        // F1 is done with a speculated packet's MSG_END
  logic               c_open;         // C's entry is of the speculated message open at F1
  logic [15:0]        pd_be_q, pd_un_q, pd_st_q;
  logic [CQ_AW+1:0]   cl_q;
  assign m_close = f_v_q && f_done && f_spec_q && f_mend_q;
  assign c_open = head_spec_q && cl_q == '0 && !m_close;
  always_ff @(posedge clk) begin
    if (m_close) cl_q <= (CQ_AW+2)'(cq_cnt_q) + (CQ_AW+2)'(head_v_q) - (CQ_AW+2)'(c_fire);
    else if (c_fire && cl_q != '0) cl_q <= cl_q - 1'b1;
    cnt_book_entry <= m_close ? pd_be_q : f_spec_q ? '0 : 16'(c_entry_d);
    cnt_unknown_instr <= m_close ? pd_un_q : f_spec_q ? '0 : 16'(c_unknown_d);
    cnt_stale_event <= (m_close ? pd_st_q : '0) + (c_open ? '0 : 16'(c_stale_d));
    if (m_close || w_close) begin
      pd_be_q <= '0;
      pd_un_q <= '0;
      pd_st_q <= '0;
    end else begin
      if (f_spec_q) pd_be_q <= pd_be_q + 16'(c_entry_d);
      if (f_spec_q) pd_un_q <= pd_un_q + 16'(c_unknown_d);
      if (c_open) pd_st_q <= pd_st_q + 16'(c_stale_d);
    end
    if (rst) begin
      cl_q <= '0;
      pd_be_q <= '0;
      pd_un_q <= '0;
      pd_st_q <= '0;
      cnt_book_entry <= '0;
      cnt_unknown_instr <= '0;
      cnt_stale_event <= '0;
    end
  end

  // The window.
  assign w_drained = !f_v_q && cq_cnt_q == '0 && !head_v_q && pub_mode_q == P_IDLE && !pt_v_q;
  assign w_start = w_st_q == W_DRAIN && !vd_ok_q && w_drained && !req_v_q && infl_q == '0;
  assign w_close = (w_st_q == W_DRAIN && vd_ok_q && w_drained) ||
                   (w_st_q == W_BOOK && !book_j_busy && !corr_v_q);
  always_ff @(posedge clk) begin
    unique case (w_st_q)
      W_IDLE: if (ev_fire && s_axis_ev_spec) w_st_q <= W_OPEN;
      W_OPEN: if (spec_verdict_v) w_st_q <= W_DRAIN;
      W_DRAIN: if (w_start) w_st_q <= W_WALK;
               else if (w_close) w_st_q <= W_IDLE;
      W_WALK: if (rs_step && rs_last) w_st_q <= W_BOOK;
      default: if (w_close) w_st_q <= W_IDLE;  // W_BOOK
    endcase
    if (spec_verdict_v) vd_ok_q <= spec_verdict_ok;
    if (w_start) rs_q <= '0;
    else if (w_walk && rs_step) rs_q <= rs_q + 1'b1;
    if (w_walk && rs_step) begin  // the slot's correction (or none) into the output register
      corr_v_q <= corr_d;
      corr_rec_q <= corr_rec;
    end else if (m_axis_quote_tready) begin
      corr_v_q <= 1'b0;
    end
    book_j_undo <= w_start;
    book_j_commit <= w_st_q == W_DRAIN && vd_ok_q && w_drained;
    rs_pt_v_q <= w_walk && rs_step && jpt_q[rs_q];
    rs_pt_slot_q <= rs_q;
    rs_pt_d_q <= sh_pt_mem[rs_q];
    if (pub_go || kill_go || rq_go) pub_spec_q <= pub_go && head_spec_q;
    pt_spec_q <= p_spec_iss;
    if (ptop_we) ptop_ok_q[ptop_wa] <= 1'b1;
    // Saves (touched bits and flip-flop shadows).
    if (j_rpt_sv) begin
      jr_q[f_slot_q] <= 1'b1;
      sh_rk_q[f_slot_q] <= rpt_known_rd;
      sh_rz_q[f_slot_q] <= rpt_zero_rd;
    end
    if (j_ls_sv) begin
      jls_q <= 1'b1;
      ls_ch_q <= f_ch_q;
      ls_sv_q <= last_seq_q[32*f_ch_q +: 32];
    end
    for (int i = 0; i < NI; i++) begin
      if (j_c_en[i]) begin
        jc_q[i] <= 1'b1;
        sh_fl_q[6*i +: 6] <= {stale_q[i], suspect_q[i], halted_q[i], top_ok_q[i], bid_ex_q[i],
                              ask_ex_q[i]};
      end
    end
    if (j_dpush_sv) begin
      jd_q[h_slot] <= 1'b1;
      sh_dt_q[h_slot] <= 1'b0;  // pushed: it was clean
    end
    if (j_dpop_sv) begin
      jd_q[pub_slot_q] <= 1'b1;
      sh_dt_q[pub_slot_q] <= 1'b1;  // popped: it was dirty
    end
    if (j_dq_sv) begin
      jdq_q <= 1'b1;
      sh_dq_q <= {dq_head_q, dq_cnt_q, dq_head_nx_q, dq_tail_q};
    end
    // A position's first tagged push saves its old entry, a cycle late (dsv_*: registers only;
    // two pushes at one position are N_INSTR pushes apart, and the walk starts after the drain).
    dsv_v_q <= dq_push && head_spec_q;
    dsv_pos_q <= dq_tail_q;
    dsv_old_q <= dq_mem[dq_tail_q];
    if (dsv_v_q && !jp_q[dsv_pos_q]) begin
      jp_q[dsv_pos_q] <= 1'b1;
      dq_sh_q[SW*dsv_pos_q +: SW] <= dsv_old_q;
    end
    if (p_issue) infl_spec_q[pub_slot_q] <= p_spec_iss;
    if (p_issue && p_spec_iss) jqv_q[pub_slot_q] <= 1'b1;
    if (j_pt_sv) jpt_q[pt_slot_q] <= 1'b1;
    if (j_pv_sv) jpv_q[q_slot] <= 1'b1;
    if (w_close || rst) begin  // forget (good) or restored (bad)
      jr_q <= '0;
      jls_q <= 1'b0;
      jc_q <= '0;
      jd_q <= '0;
      jdq_q <= 1'b0;
      jp_q <= '0;
      jqv_q <= '0;
      jpt_q <= '0;
      jpv_q <= '0;
      infl_spec_q <= '0;
    end
    if (rst) begin
      w_st_q <= W_IDLE;
      vd_ok_q <= 1'b0;
      rs_q <= '0;
      book_j_undo <= 1'b0;
      book_j_commit <= 1'b0;
      rs_pt_v_q <= 1'b0;
      corr_v_q <= 1'b0;
      dsv_v_q <= 1'b0;
      pub_spec_q <= 1'b0;
      pt_spec_q <= 1'b0;
      ptop_ok_q <= '0;
    end
  end

`ifndef SYNTHESIS
  logic dq_rst_seen_q = 1'b0;  // the dirty queue's pointers have been reset
  always_ff @(posedge clk) begin
    if (rst) dq_rst_seen_q <= 1'b1;
    if (!rst) begin
      // A book result belongs to the head entry's slot.
      assert (!(c_fire && h_res && 32'(res.slot) != 32'(h_slot)));
      // C never touches while the publisher pops (the publication sees a fixed state).
      assert (!(dq_push && pop));
      assert (!(qres_fire && !infl_q[q_slot]));
      assert (!(cq_push && !cq_room));
      assert (!(s_axis_res_tvalid && s_axis_res_tready && !c_fire));
      // dq_head_nx_q is the slot after the head (mod N_INSTR), once the pointers were reset.
      assert (!dq_rst_seen_q || 32'(dq_head_nx_q) == (32'(dq_head_q) + 1) % NI);
      // Speculation contract: a verdict only for an open window; in the window, only speculated
      // items; no quoter result and no record but corrections during the walk.
      assert (!(spec_verdict_v && w_st_q != W_OPEN));
      assert (!(ev_fire && !s_axis_ev_spec && !w_idle));
      assert (!((w_walk || corr_v_q) && s_axis_qres_tvalid));
      assert (rq_nz_q == (rq_pend_q != '0));
      // The tail register is head + count (mod N_INSTR).
      assert (!dq_rst_seen_q || 32'(dq_tail_q) == (32'(dq_head_q) + 32'(dq_cnt_q)) % NI);
      assert (!(c_wr && pop));
      // C's journal save (j_c_sv) covers every write of the flags and the top.
      assert (!(c_wr && !(head_v_q && h_touchy)));
      // An early publication's pop takes the dirty queue's head (pub_slot_q is the head).
      assert (!(ebp && pub_slot_q != dq_mem[dq_head_q[SW-1:0]]));
      // The journal's save reads lrm_q at f_slot_q as the former LUT RAM did (its model:
      // lrm_ref_mem, the same writes, and which slots were written).
      assert (!(j_rpt_sv && lrm_ref_ok[f_slot_q] && lrm_f1 != lrm_ref_mem[f_slot_q]));
    end
  end
  logic [31:0]        lrm_ref_mem [N_INSTR];
  logic [N_INSTR-1:0] lrm_ref_ok = '0;
  always_ff @(posedge clk) begin
    if (rpt_we || (w_walk && jr_q[rs_q])) begin
      lrm_ref_mem[w_walk ? rs_q : f_slot_q] <= w_walk ? sh_rpt_mem[rs_q] : f_rpt_q;
      lrm_ref_ok[w_walk ? rs_q : f_slot_q] <= 1'b1;
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  assign busy = f_v_q || cq_cnt_q != '0 || head_v_q || pub_mode_q != P_IDLE ||
                req_v_q || infl_q != '0 || mk_kill || rq_any || pt_v_q || !w_idle || rs_pt_v_q;

  // The published top: a publication's, or the undo walk's restore of a journaled slot (never
  // both: the walk runs with the publisher idle).
  assign top_we    = pt_v_q || rs_pt_v_q;
  assign top_slot  = rs_pt_v_q ? 16'(rs_pt_slot_q) : 16'(pt_slot_q);
  assign top_flags = rs_pt_v_q ? rs_pt_d_q[TOB_W +: 3] : pt_flags_q;
  assign top_tob   = rs_pt_v_q ? rs_pt_d_q[TOB_W-1:0] : pt_tob_q;
  assign m_axis_op_tspec = f_spec_q;

  assign m_axis_op_tvalid = op_issue;
  assign m_axis_op_tdata  = op_new;

  assign m_axis_req_tvalid      = req_v_q;
  assign m_axis_req_slot        = 16'(req_slot_q);
  assign m_axis_req_seq         = req_seq_q;
  assign m_axis_req_security_id = req_cfg_q.security_id;
  assign m_axis_req_bid_px      = req_tob_q[191:128];
  assign m_axis_req_ask_px      = req_tob_q[127:64];
  assign m_axis_req_bid_sz      = req_tob_q[63:32];
  assign m_axis_req_ask_sz      = req_tob_q[31:0];
  assign m_axis_req_pull        = req_pull_q;
  assign m_axis_req_cfg         = req_cfg_q;
  assign {m_axis_req_prev_bid_px, m_axis_req_prev_ask_px, m_axis_req_prev_bid_sz,
          m_axis_req_prev_ask_sz, m_axis_req_prev_flags} = req_prev_q;

  // Fields this stage does not use (the framer's event carries more than the card needs here).
  logic unused_fields;
  assign unused_fields = ^{ev_in, res, qres, cq_nx, h_ch, cur_prev[PREV_W+31:PREV_W]};

endmodule

`resetall
