// Apply-and-publish stage of the card: the events of applied packets (framer events replayed
// after the arbiter's APPLY, plus its GAP and RESTART commands) in, book ops to ttq_book and
// quoter requests to ttq_quoter out, quote records to send out. This is FastPath's IncHandler,
// on_gap, publish and requote (host/src/fast_path.cpp) for a fixed slot table
// (feed.fixed_instruments): SecurityID lookup, RptSeq check, stale/suspect/halt per slot, dirty
// slots published in first-touched order at LastQuoteMsg / LastImpliedMsg / EndOfEvent, the
// quoter run only when its inputs changed, the kill switch pulling every quote at once.
// Version 1 is sequential (one event, one book op, one quoter request at a time): correct first,
// pipelined next. Built to synthesise: every per-slot access goes through one slot register
// (slot_q), the wide per-slot fields live in LUT RAM with one write and one read port, and the
// slot configuration is read through one multiplexer into a register. docs/rtl_apply.md.
`default_nettype none

module ttq_apply #(
  parameter int unsigned N_INSTR = 16,
  parameter int unsigned N_CH    = 4
) (
  input  logic                          clk,
  input  logic                          rst,
  input  logic                          kill,      // CONTROL.KILL: a change requotes every slot
  // A slot's configuration was committed (parameters or skew changed): its last quoter inputs
  // are forgotten and it is requoted at once with the latest applied MsgSeqNum, as
  // FastPath::set_params / set_skew. The new configuration is already on slot_cfg.
  input  logic                          cfg_commit,
  input  logic [15:0]                   cfg_commit_slot,

  // Slot table (host-written, committed; stable while events flow). Slot i in [i*W +: W].
  input  logic [N_INSTR*ttq_regs_pkg::SLOT_CFG_W-1:0] slot_cfg,
  input  logic [N_INSTR*CH_W-1:0]       slot_channel,

  // Events of applied packets (ctl 0: tdata is a ttq_pkg::mdp_ev_t), or the arbiter's GAP
  // (ctl 1: seq_num = first, rpt_seq = count) and RESTART (ctl 2).
  input  logic                          s_axis_ev_tvalid,
  output logic                          s_axis_ev_tready,
  input  logic [ttq_pkg::MDP_EV_W-1:0]  s_axis_ev_tdata,
  input  logic [1:0]                    s_axis_ev_ctl,
  input  logic [CH_W-1:0]               s_axis_ev_channel,

  // To / from ttq_book.
  output logic                          m_axis_op_tvalid,
  input  logic                          m_axis_op_tready,
  output logic [ttq_pkg::BOOK_OP_W-1:0] m_axis_op_tdata,
  input  logic                          s_axis_res_tvalid,
  output logic                          s_axis_res_tready,
  input  logic [ttq_pkg::BOOK_RES_W-1:0] s_axis_res_tdata,

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

  // Quote records for the host (ttq_quote_fifo).
  output logic                          m_axis_quote_tvalid,
  input  logic                          m_axis_quote_tready,
  output logic [ttq_pkg::QUOTE_REC_W-1:0] m_axis_quote_tdata,

  // Counter increments (one-cycle pulses).
  output logic                          cnt_book_entry,
  output logic                          cnt_stale_event,
  output logic                          cnt_unknown_instr,
  output logic                          busy       // an event, loop or publication in progress
);
  localparam int unsigned CH_W = (N_CH > 1) ? $clog2(N_CH) : 1;
  localparam int unsigned SW = (N_INSTR > 1) ? $clog2(N_INSTR) : 1;  // slot index bits
  localparam int NI = N_INSTR;  // signed copy for loop bounds (yosys 0.23 has no int'() cast)
  localparam int unsigned NP = 1 << SW;  // slots rounded up to a power of two
  localparam int unsigned CW = ttq_regs_pkg::SLOT_CFG_W;
  localparam int unsigned TOB_W = 192;   // {bid_px, ask_px, bid_sz, ask_sz}
  localparam int unsigned PREV_W = 200;  // {bid_px, ask_px, bid_sz, ask_sz, flags}

  if (N_INSTR < 1 || N_INSTR > 256) begin : g_bad_n
    $fatal(1, "ttq_apply: N_INSTR must be in [1, 256]");
  end

  typedef enum logic [3:0] {
    S_IDLE,      // next event (its SecurityID looked up on the way in), or a pending kill requote
    S_LOOKUP,    // RptSeq check of slot_q, then a book op or the status change
    S_BOOK,      // book op out, wait for its result
    S_LOOP,      // a channel-wide action over every slot (reset, restart, gap, group status)
    S_LOOP_RES,  // ... waiting for the book result of a CLEAR
    S_PUBLISH,   // pop dirty slots, publish each
    S_REQ,       // read the slot's requote inputs, compare with its last quoter run
    S_ISSUE,     // quoter request out if they changed
    S_QRES,      // quoter result in
    S_SEND,      // quote record out
    S_KILL       // requote every slot (kill changed)
  } state_e;

  localparam logic [1:0] LOOP_RESET = 2'd0, LOOP_RESTART = 2'd1, LOOP_GAP = 2'd2,
                         LOOP_STATUS = 2'd3;

  // ---------------------------------------------------------------------------------------------
  // Per-slot state (FastPath's Instrument), all of it read and written at slot_q only.
  // Flags in flip-flops (reset); wide fields in LUT RAM (no reset: each is guarded by a flag).
  logic [N_INSTR-1:0] rpt_known_q;  // last_rpt_mem holds the slot's RptSeq
  logic [N_INSTR-1:0] stale_q, suspect_q, halted_q;
  logic [N_INSTR-1:0] dirty_q;      // queued for the next publication
  logic [N_INSTR-1:0] qvalid_q;     // quote_mem holds the inputs of the slot's last quoter run
  logic [N_INSTR-1:0] top_ok_q;     // top_mem written since reset (else the top reads as 0)
  logic [N_INSTR-1:0] prev_ok_q;    // prev_mem written since reset (else prev reads as 0)
  logic [31:0]        last_rpt_mem [N_INSTR];
  logic [TOB_W+7:0]   quote_mem    [N_INSTR];  // {pull flags, top} of the last quoter run
  logic [TOB_W-1:0]   top_mem      [N_INSTR];  // the book's top after its latest op
  logic [PREV_W-1:0]  prev_mem     [N_INSTR];  // last sent level 0 (the quoter's `prev`)

  // Dirty slots in first-touched order.
  logic [SW-1:0]      dq_mem [N_INSTR];
  logic [SW:0]        dq_head_q, dq_head_d, dq_count_q, dq_count_d, dq_tail;

  state_e             st_q, st_d;
  ttq_pkg::mdp_ev_t   ev_q, ev_d;
  logic [CH_W-1:0]    ch_q, ch_d;
  logic [47:0]        ev_grp_q;             // STATUS: the event's SecurityGroup, trimmed
  logic               hit_q, hit_d;         // the event's SecurityID is in the table (at slot_q)
  logic [31:0]        cur_seq_q, cur_seq_d; // MsgSeqNum of the packet being applied
  logic [N_CH*32-1:0] last_seq_q;           // per channel: last applied packet
  logic               last_seq_we;
  logic [31:0]        pub_seq_q, pub_seq_d; // seq of the publication in progress
  logic [SW-1:0]      slot_q, slot_d;       // slot of the event / loop / publication
  logic [SW:0]        loop_q, loop_d;
  logic [1:0]         loop_kind_q, loop_kind_d;
  logic               loop_pub_q, loop_pub_d;  // publish after the loop
  logic               kill_q, kill_pending_q, kill_pending_d;
  logic [N_INSTR-1:0] rq_pend_q;    // committed slots waiting for their requote
  logic               rq_any, rq_take;
  logic [SW-1:0]      rq_slot;
  logic               in_kill_q, in_kill_d;  // requoting for a kill change: next is S_KILL

  ttq_regs_pkg::slot_cfg_t cfg_q;           // the configuration of slot rd_q one cycle ago
  logic [SW-1:0]      rd_q, rd_d;           // cfg_q's select: slot_q one cycle ahead
  logic [N_INSTR-1:0] quotable_q;           // per slot: VALID with a tick (requote at all)

  ttq_pkg::book_op_t  op_q, op_d;
  logic               op_v_q, op_v_d;
  logic               req_v_q, req_v_d;
  logic [TOB_W-1:0]   req_tob_q, req_tob_d;
  logic [7:0]         req_pull_q, req_pull_d;
  logic [PREV_W-1:0]  req_prev_q, req_prev_d;
  logic               out_v_q, out_v_d;
  ttq_pkg::quote_rec_t out_q, out_d;
  logic               c_entry_d, c_stale_d, c_unknown_d;

  // Per-slot write strobes (address slot_q; dq_mem at the tail).
  logic               rpt_we, rpt_known_wd;
  logic [31:0]        rpt_wd;
  logic               stale_we, stale_wd, suspect_we, suspect_wd, halted_we, halted_wd;
  logic               quote_we, top_we, prev_we;
  logic [TOB_W-1:0]   top_wd;
  logic [PREV_W-1:0]  prev_wd;
  logic               touch, dirty_clr, dq_we, dq_pop;

  // ---------------------------------------------------------------------------------------------
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

  function automatic logic is_halt(input logic [7:0] s);
    is_halt = (s == 8'd2) || (s == 8'd4) || (s == 8'd18) || (s == 8'd26);
  endfunction
  function automatic logic is_trading(input logic [7:0] s);
    is_trading = (s == 8'd15) || (s == 8'd17) || (s == 8'd21);
  endfunction

  // ---------------------------------------------------------------------------------------------
  // SecurityID lookup on the incoming event (the first valid slot with this id); registered with
  // the event as hit_q / slot_q. Only the id and VALID of each slot are compared here.
  ttq_pkg::mdp_ev_t ev_in;
  logic             hit_in;
  logic [SW-1:0]    hit_slot_in;
  assign ev_in = s_axis_ev_tdata;
  always_comb begin
    hit_in = 1'b0;
    hit_slot_in = '0;
    for (int i = N_INSTR - 1; i >= 0; i--) begin
      if (slot_cfg[CW*i + ttq_regs_pkg::CFG_VALID_LSB] &&
          slot_cfg[CW*i + ttq_regs_pkg::CFG_SECURITY_ID_LSB +: ttq_regs_pkg::CFG_SECURITY_ID_W]
              == ev_in.security_id) begin
        hit_in = 1'b1;
        hit_slot_in = SW'(i);
      end
    end
  end

  // The one read of the slot table's wide fields, registered: cfg_q <= cfg_mux(slot_cfg, rd_q).
  // The select is a register of its own, so the multiplexer maps to plain LUT6 / MUXF7 trees
  // (a select computed from the next state gets folded into every one of the CW bit cones).
  // rd_q runs one cycle ahead of slot_q where cfg_q is read, so cfg_q is slot_q's configuration
  // in S_LOOP (rd_q = the loop's next slot) and while a quoter request is out (S_QRES: rd_q =
  // slot_q since S_REQ). The requote decision itself only needs quotable_q. cfg_mux is a binary
  // tree of 2:1 multiplexers, one level per select bit: `slot_cfg[CW*sel +: CW]` would make
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

  always_ff @(posedge clk) begin
    cfg_q <= cfg_mux(slot_cfg, rd_q);
    for (int i = 0; i < N_INSTR; i++) begin
      quotable_q[i] <=
          slot_cfg[CW*i + ttq_regs_pkg::CFG_VALID_LSB] &&
          slot_cfg[CW*i + ttq_regs_pkg::CFG_TICK_LSB +: ttq_regs_pkg::CFG_TICK_W] != '0;
    end
  end

  // Per-slot reads at slot_q.
  logic           rpt_known_rd, stale_rd, suspect_rd, halted_rd, dirty_rd, qvalid_rd;
  logic [31:0]    last_rpt_rd;
  logic [TOB_W+7:0] quote_rd;
  logic [TOB_W-1:0] top_rd;
  logic [PREV_W-1:0] prev_rd;
  logic [CH_W-1:0] chan_rd;
  assign rpt_known_rd = rpt_known_q[slot_q];
  assign stale_rd     = stale_q[slot_q];
  assign suspect_rd   = suspect_q[slot_q];
  assign halted_rd    = halted_q[slot_q];
  assign dirty_rd     = dirty_q[slot_q];
  assign qvalid_rd    = qvalid_q[slot_q];
  assign last_rpt_rd  = last_rpt_mem[slot_q];
  assign quote_rd     = quote_mem[slot_q];
  assign top_rd       = top_ok_q[slot_q] ? top_mem[slot_q] : '0;
  assign prev_rd      = prev_ok_q[slot_q] ? prev_mem[slot_q] : '0;
  assign chan_rd      = slot_channel[CH_W*32'(slot_q) +: CH_W];

  // ---------------------------------------------------------------------------------------------
  logic ev_fire, res_fire, qres_fire;
  assign s_axis_ev_tready = (st_q == S_IDLE) && !kill_pending_q && !rq_any && !rst;

  // The lowest committed slot waiting for its requote.
  always_comb begin
    rq_any = rq_pend_q != '0;
    rq_slot = '0;
    for (int i = NI - 1; i >= 0; i--) begin
      if (rq_pend_q[i]) rq_slot = SW'(i);
    end
  end
  always_ff @(posedge clk) begin
    for (int i = 0; i < NI; i++) begin
      if (rq_take && rq_slot == SW'(i)) rq_pend_q[i] <= 1'b0;
      if (cfg_commit && cfg_commit_slot == 16'(i)) rq_pend_q[i] <= 1'b1;
    end
    if (rst) rq_pend_q <= '0;
  end
  assign ev_fire = s_axis_ev_tvalid && s_axis_ev_tready;
  assign s_axis_res_tready = (st_q == S_BOOK || st_q == S_LOOP_RES) && !op_v_q;
  assign res_fire = s_axis_res_tvalid && s_axis_res_tready;
  assign s_axis_qres_tready = (st_q == S_QRES);
  assign qres_fire = s_axis_qres_tvalid && s_axis_qres_tready;

  ttq_pkg::book_res_t res;
  assign res = s_axis_res_tdata;
  ttq_pkg::quote_rec_t qres;
  assign qres = s_axis_qres_tdata;

  // The loop's slot (slot_q = loop_q): in the channel (and the group, for a group-wide status).
  logic loop_in_scope;
  assign loop_in_scope = cfg_q.valid && chan_rd == ch_q &&
                         (loop_kind_q != LOOP_STATUS || ev_grp_q == '0 ||
                          ev_grp_q == trim6(cfg_q.group));

  // Requote inputs of slot_q (S_REQ) — FastPath::requote: the pull flags, and whether they and
  // the top repeat the slot's last quoter run (registered as same_q for S_ISSUE).
  logic [7:0] pull_s;
  logic       same_s, same_q;
  always_comb begin
    pull_s = 8'h00;
    if (stale_rd || suspect_rd) pull_s = pull_s | ttq_pkg::QF_PULL_STALE;
    if (halted_rd) pull_s = pull_s | ttq_pkg::QF_PULL_HALT;
    if (kill) pull_s = pull_s | ttq_pkg::QF_PULL_KILL;
    same_s = qvalid_rd && quote_rd == {pull_s, top_rd};
  end

  // The latest applied MsgSeqNum of any channel (for a kill requote), registered: S_KILL comes
  // at least two cycles after the PKT_HDR that last changed last_seq_q. A tree of maxima.
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

  logic [31:0] latest_seq_q;
  always_ff @(posedge clk) latest_seq_q <= max_seq(last_seq_q);

  // ---------------------------------------------------------------------------------------------
  // The sequencer: next state and the per-slot writes of this cycle.
  always_comb begin
    st_d = st_q;
    ev_d = ev_q;
    ch_d = ch_q;
    hit_d = hit_q;
    slot_d = slot_q;
    loop_d = loop_q;
    loop_kind_d = loop_kind_q;
    loop_pub_d = loop_pub_q;
    cur_seq_d = cur_seq_q;
    pub_seq_d = pub_seq_q;
    in_kill_d = in_kill_q;
    kill_pending_d = kill_pending_q || (kill != kill_q);
    last_seq_we = 1'b0;
    op_d = op_q;
    op_v_d = op_v_q && !m_axis_op_tready;
    req_v_d = req_v_q && !m_axis_req_tready;
    req_tob_d = req_tob_q;
    req_pull_d = req_pull_q;
    req_prev_d = req_prev_q;
    out_v_d = out_v_q && !m_axis_quote_tready;
    out_d = out_q;
    c_entry_d = 1'b0;
    c_stale_d = 1'b0;
    c_unknown_d = 1'b0;
    rpt_we = 1'b0;
    rpt_known_wd = 1'b0;
    rpt_wd = '0;
    stale_we = 1'b0;
    stale_wd = 1'b0;
    suspect_we = 1'b0;
    suspect_wd = 1'b0;
    halted_we = 1'b0;
    halted_wd = 1'b0;
    quote_we = 1'b0;
    top_we = 1'b0;
    top_wd = {res.bid_px, res.ask_px, res.bid_sz, res.ask_sz};
    prev_we = 1'b0;
    prev_wd = {qres.bid_px, qres.ask_px, qres.bid_sz, qres.ask_sz, qres.flags};
    touch = 1'b0;
    dirty_clr = 1'b0;
    dq_pop = 1'b0;
    rq_take = 1'b0;

    unique case (st_q)
      S_IDLE: begin
        if (kill_pending_q) begin
          kill_pending_d = 1'b0;
          loop_d = '0;
          st_d = S_KILL;
        end else if (rq_any) begin
          // One committed slot: the kill path's requote of a single slot (S_KILL with the loop
          // already at its end returns to S_IDLE; the slot's dirty flag is left alone).
          rq_take = 1'b1;
          slot_d = rq_slot;
          pub_seq_d = latest_seq_q;
          loop_d = (SW+1)'(N_INSTR);
          in_kill_d = 1'b1;
          st_d = S_REQ;
        end else if (ev_fire) begin
          ev_d = s_axis_ev_tdata;
          ch_d = s_axis_ev_channel;
          hit_d = hit_in;
          slot_d = '0;
          loop_d = '0;
          if (s_axis_ev_ctl == 2'd1) begin  // GAP
            loop_kind_d = LOOP_GAP;
            loop_pub_d = 1'b1;
            pub_seq_d = ev_in.seq_num + ev_in.rpt_seq;
            st_d = S_LOOP;
          end else if (s_axis_ev_ctl == 2'd2) begin  // RESTART
            loop_kind_d = LOOP_RESTART;
            loop_pub_d = 1'b1;
            pub_seq_d = 32'd1;
            st_d = S_LOOP;
          end else begin
            unique case (ev_in.kind)
              ttq_pkg::MDP_EV_PKT_HDR: begin
                cur_seq_d = ev_in.seq_num;
                last_seq_we = 1'b1;
              end
              ttq_pkg::MDP_EV_BOOK, ttq_pkg::MDP_EV_SEQ: begin
                slot_d = hit_slot_in;
                st_d = S_LOOKUP;
              end
              ttq_pkg::MDP_EV_RESET: begin
                loop_kind_d = LOOP_RESET;
                loop_pub_d = 1'b0;
                st_d = S_LOOP;
              end
              ttq_pkg::MDP_EV_STATUS: begin
                if (is_halt(ev_in.entry_type) || is_trading(ev_in.entry_type)) begin
                  if (ev_in.security_id != 32'h7FFF_FFFF) begin
                    slot_d = hit_slot_in;
                    st_d = S_LOOKUP;  // lookup, then set
                  end else begin
                    loop_kind_d = LOOP_STATUS;
                    loop_pub_d = 1'b0;
                    st_d = S_LOOP;
                  end
                end
              end
              ttq_pkg::MDP_EV_MSG_END: begin
                if ((ev_in.mei & 8'h94) != 8'h00) begin
                  pub_seq_d = cur_seq_q;
                  st_d = S_PUBLISH;
                end
              end
              default: ;
            endcase
          end
        end
      end

      // One event of slot_q: RptSeq check, then the book op (BOOK) or the status.
      S_LOOKUP: begin
        if (!hit_q) begin
          c_unknown_d = 1'b1;
          st_d = S_IDLE;
        end else if (ev_q.kind == ttq_pkg::MDP_EV_STATUS) begin
          halted_we = 1'b1;
          halted_wd = is_halt(ev_q.entry_type);
          touch = 1'b1;
          st_d = S_IDLE;
        end else if (rpt_known_rd && ev_q.rpt_seq <= last_rpt_rd) begin
          st_d = S_IDLE;  // older than the book: skipped
        end else begin
          if (rpt_known_rd) begin
            if (ev_q.rpt_seq != last_rpt_rd + 32'd1) begin  // FastPath::mark_stale
              c_stale_d = !stale_rd;
              stale_we = 1'b1;
              stale_wd = 1'b1;
              suspect_we = 1'b1;
              suspect_wd = 1'b0;
              touch = 1'b1;
            end else if (suspect_rd) begin
              suspect_we = 1'b1;
              suspect_wd = 1'b0;
              touch = 1'b1;
            end
          end
          rpt_we = 1'b1;
          rpt_known_wd = 1'b1;
          rpt_wd = ev_q.rpt_seq;
          if (ev_q.kind == ttq_pkg::MDP_EV_SEQ) begin
            st_d = S_IDLE;
          end else begin
            c_entry_d = 1'b1;
            op_v_d = 1'b1;
            op_d.kind = ttq_pkg::BOOK_OP_ENTRY;
            op_d.slot = 16'(slot_q);
            op_d.etype = (ev_q.entry_type == 8'h30) ? ttq_pkg::BOOK_T_BID :
                         (ev_q.entry_type == 8'h31) ? ttq_pkg::BOOK_T_ASK :
                         (ev_q.entry_type == 8'h45) ? ttq_pkg::BOOK_T_IMP_BID :
                         (ev_q.entry_type == 8'h46) ? ttq_pkg::BOOK_T_IMP_ASK :
                                                      ttq_pkg::BOOK_T_RESET;
            op_d.action = ev_q.action[2:0];
            op_d.level = ev_q.level;
            op_d.px = (ev_q.price == 64'h7FFF_FFFF_FFFF_FFFF) ? 64'd0 :
                      to_price9(ev_q.price, ev_q.template_id);
            op_d.size = ev_q.size;
            op_d.known = 1'b0;
            op_d.depth = '0;
            op_d.implied_depth = '0;
            st_d = S_BOOK;
          end
        end
      end

      S_BOOK: begin
        if (res_fire) begin
          top_we = 1'b1;
          if (res.result == ttq_pkg::BOOK_RES_APPLIED && op_q.etype == ttq_pkg::BOOK_T_RESET) begin
            stale_we = 1'b1;
            stale_wd = 1'b0;
            suspect_we = 1'b1;
            suspect_wd = 1'b0;
          end else if (res.result == ttq_pkg::BOOK_RES_CORRUPT) begin  // mark_stale
            c_stale_d = !stale_rd;
            stale_we = 1'b1;
            stale_wd = 1'b1;
            suspect_we = 1'b1;
            suspect_wd = 1'b0;
          end
          touch = 1'b1;
          st_d = S_IDLE;
        end
      end

      // Channel-wide actions, one slot per step (a CLEAR waits for its book result); slot_q
      // follows loop_q, so cfg_q and the per-slot reads are the loop slot's.
      S_LOOP: begin
        if (loop_q == (SW+1)'(N_INSTR)) begin
          st_d = loop_pub_q ? S_PUBLISH : S_IDLE;
        end else if (!loop_in_scope) begin
          loop_d = loop_q + 1'b1;
          slot_d = loop_d[SW-1:0];
        end else begin
          unique case (loop_kind_q)
            LOOP_GAP: begin
              if (!suspect_rd && !stale_rd) begin
                suspect_we = 1'b1;
                suspect_wd = 1'b1;
                touch = 1'b1;
              end
              loop_d = loop_q + 1'b1;
              slot_d = loop_d[SW-1:0];
            end
            LOOP_STATUS: begin
              halted_we = 1'b1;
              halted_wd = is_halt(ev_q.entry_type);
              touch = 1'b1;
              loop_d = loop_q + 1'b1;
              slot_d = loop_d[SW-1:0];
            end
            default: begin  // RESET (known) / RESTART (unknown): clear the book, wait
              // No op is ever pending here (every op's result is in before S_LOOP is entered,
              // asserted below), so the step never stalls and rd_q's look-ahead holds.
              op_v_d = 1'b1;
              op_d = '0;
              op_d.kind = ttq_pkg::BOOK_OP_CLEAR;
              op_d.slot = 16'(slot_q);
              op_d.known = (loop_kind_q == LOOP_RESET);
              rpt_we = 1'b1;
              rpt_known_wd = (loop_kind_q == LOOP_RESET);
              rpt_wd = 32'd0;
              stale_we = 1'b1;
              stale_wd = 1'b0;
              suspect_we = 1'b1;
              suspect_wd = 1'b0;
              touch = 1'b1;
              st_d = S_LOOP_RES;
            end
          endcase
        end
      end

      S_LOOP_RES: begin
        if (res_fire) begin
          top_we = 1'b1;
          loop_d = loop_q + 1'b1;
          slot_d = loop_d[SW-1:0];
          st_d = S_LOOP;
        end
      end

      // Publication: every dirty slot in first-touched order (FastPath::publish).
      S_PUBLISH: begin
        if (dq_count_q == '0) begin
          st_d = S_IDLE;
        end else begin
          slot_d = dq_mem[dq_head_q[SW-1:0]];
          dq_pop = 1'b1;
          in_kill_d = 1'b0;
          st_d = S_REQ;
        end
      end

      // Requote slot_q if its inputs changed (FastPath::requote), wait for the quoter. S_REQ
      // reads them (the request's fields are loaded whether or not it goes out), S_ISSUE
      // decides. The publication's pop clears the slot's dirty flag here (nothing touches in
      // between).
      S_REQ: begin
        if (!req_v_q) begin
          dirty_clr = !in_kill_q;
          req_tob_d = top_rd;
          req_pull_d = pull_s;
          req_prev_d = prev_rd;
          st_d = S_ISSUE;
        end
      end

      S_ISSUE: begin
        if (quotable_q[slot_q] && !same_q) begin
          quote_we = 1'b1;
          req_v_d = 1'b1;
          st_d = S_QRES;
        end else begin
          st_d = in_kill_q ? S_KILL : S_PUBLISH;
        end
      end

      S_QRES: begin
        if (qres_fire) begin
          prev_we = s_axis_qres_tuser[1];
          if (s_axis_qres_tuser[0]) begin
            out_v_d = 1'b1;
            out_d = qres;
            st_d = S_SEND;
          end else begin
            st_d = in_kill_q ? S_KILL : S_PUBLISH;
          end
        end
      end

      S_SEND: begin
        if (!out_v_q || m_axis_quote_tready) begin
          st_d = in_kill_q ? S_KILL : S_PUBLISH;
        end
      end

      // Kill changed: requote every slot now, in slot order, with the latest applied seq.
      S_KILL: begin
        if (loop_q == (SW+1)'(N_INSTR)) begin
          st_d = S_IDLE;
        end else begin
          slot_d = loop_q[SW-1:0];
          pub_seq_d = latest_seq_q;
          loop_d = loop_q + 1'b1;
          in_kill_d = 1'b1;
          st_d = S_REQ;
        end
      end

      default: st_d = S_IDLE;
    endcase

    // The configuration read: the loop's next slot while in a loop, slot 0 in S_IDLE (a loop
    // may start from there), else the slot being requoted.
    if (st_d == S_LOOP || st_d == S_LOOP_RES) rd_d = slot_d + 1'b1;
    else if (st_d == S_IDLE) rd_d = '0;
    else rd_d = slot_d;
  end

  // FastPath::touch: the first touch since the last publication queues the slot. At most one
  // touch per cycle, never in the cycle of a pop.
  assign dq_we = touch && !dirty_rd;
  always_comb begin
    dq_tail = dq_head_q + dq_count_q;
    if (dq_tail >= (SW+1)'(N_INSTR)) dq_tail = dq_tail - (SW+1)'(N_INSTR);
    dq_head_d = dq_head_q;
    dq_count_d = dq_count_q;
    if (dq_pop) begin
      dq_head_d = (dq_head_q == (SW+1)'(N_INSTR - 1)) ? '0 : dq_head_q + 1'b1;
      dq_count_d = dq_count_q - 1'b1;
    end else if (dq_we) begin
      dq_count_d = dq_count_q + 1'b1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Control registers.
  always_ff @(posedge clk) begin
    st_q <= st_d;
    ev_q <= ev_d;
    ch_q <= ch_d;
    hit_q <= hit_d;
    slot_q <= slot_d;
    rd_q <= rd_d;
    loop_q <= loop_d;
    loop_kind_q <= loop_kind_d;
    loop_pub_q <= loop_pub_d;
    cur_seq_q <= cur_seq_d;
    pub_seq_q <= pub_seq_d;
    in_kill_q <= in_kill_d;
    same_q <= same_s;
    kill_q <= kill;
    kill_pending_q <= kill_pending_d;
    op_q <= op_d;
    op_v_q <= op_v_d;
    req_v_q <= req_v_d;
    req_tob_q <= req_tob_d;
    req_pull_q <= req_pull_d;
    req_prev_q <= req_prev_d;
    out_v_q <= out_v_d;
    out_q <= out_d;
    cnt_book_entry <= c_entry_d;
    cnt_stale_event <= c_stale_d;
    cnt_unknown_instr <= c_unknown_d;
    dq_head_q <= dq_head_d;
    dq_count_q <= dq_count_d;
    if (last_seq_we) last_seq_q[32*32'(s_axis_ev_channel) +: 32] <= ev_in.seq_num;  // ev_fire
    if (ev_fire) ev_grp_q <= trim6(ev_in.price[47:0]);
    if (rst) begin
      st_q <= S_IDLE;
      rd_q <= '0;
      op_v_q <= 1'b0;
      req_v_q <= 1'b0;
      out_v_q <= 1'b0;
      kill_q <= 1'b0;
      kill_pending_q <= 1'b0;
      dq_head_q <= '0;
      dq_count_q <= '0;
      cur_seq_q <= '0;
      last_seq_q <= '0;
    end
  end

  // Per-slot flags: one write each, at slot_q.
  always_ff @(posedge clk) begin
    if (rpt_we) rpt_known_q[slot_q] <= rpt_known_wd;
    if (stale_we) stale_q[slot_q] <= stale_wd;
    if (suspect_we) suspect_q[slot_q] <= suspect_wd;
    if (halted_we) halted_q[slot_q] <= halted_wd;
    if (dq_we || dirty_clr) dirty_q[slot_q] <= dq_we;
    if (quote_we) qvalid_q[slot_q] <= 1'b1;
    for (int i = 0; i < NI; i++) begin
      if (cfg_commit && cfg_commit_slot == 16'(i)) qvalid_q[i] <= 1'b0;
    end
    if (top_we) top_ok_q[slot_q] <= 1'b1;
    if (prev_we) prev_ok_q[slot_q] <= 1'b1;
    if (rst) begin
      rpt_known_q <= '0;
      stale_q <= '0;
      suspect_q <= '0;
      halted_q <= '0;
      dirty_q <= '0;
      qvalid_q <= '0;
      top_ok_q <= '0;
      prev_ok_q <= '0;
    end
  end

  // Per-slot LUT RAM: one write port (slot_q; the queue's tail), one asynchronous read port.
  always_ff @(posedge clk) begin
    if (rpt_we) last_rpt_mem[slot_q] <= rpt_wd;
  end
  always_ff @(posedge clk) begin
    if (quote_we) quote_mem[slot_q] <= {req_pull_q, req_tob_q};
  end
  always_ff @(posedge clk) begin
    if (top_we) top_mem[slot_q] <= top_wd;
  end
  always_ff @(posedge clk) begin
    if (prev_we) prev_mem[slot_q] <= prev_wd;
  end
  always_ff @(posedge clk) begin
    if (dq_we) dq_mem[dq_tail[SW-1:0]] <= slot_q;
  end

`ifndef SYNTHESIS
  // cfg_q is the configuration of slot_q wherever it is read.
  logic [SW-1:0] cfg_tag_q;
  always_ff @(posedge clk) begin
    cfg_tag_q <= rd_q;
    if (!rst) begin
      assert (!(st_q == S_LOOP && op_v_q));
      assert (!(st_q == S_LOOP && loop_q != (SW+1)'(N_INSTR) && cfg_tag_q != slot_q));
      assert (!(req_v_q && cfg_tag_q != slot_q));
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  assign busy = (st_q != S_IDLE) || kill_pending_q || (kill != kill_q) || rq_any || op_v_q ||
                req_v_q || out_v_q;

  assign m_axis_op_tvalid = op_v_q;
  assign m_axis_op_tdata  = op_q;

  assign m_axis_req_tvalid      = req_v_q;
  assign m_axis_req_slot        = 16'(slot_q);
  assign m_axis_req_seq         = pub_seq_q;
  assign m_axis_req_security_id = cfg_q.security_id;
  assign m_axis_req_bid_px      = req_tob_q[191:128];
  assign m_axis_req_ask_px      = req_tob_q[127:64];
  assign m_axis_req_bid_sz      = req_tob_q[63:32];
  assign m_axis_req_ask_sz      = req_tob_q[31:0];
  assign m_axis_req_pull        = req_pull_q;
  assign m_axis_req_cfg         = cfg_q;
  assign {m_axis_req_prev_bid_px, m_axis_req_prev_ask_px, m_axis_req_prev_bid_sz,
          m_axis_req_prev_ask_sz, m_axis_req_prev_flags} = req_prev_q;

  // Fields this stage does not use (the framer's event carries more than the card needs here).
  logic unused_fields;
  assign unused_fields = ^{ev_q, ev_in, res};

  assign m_axis_quote_tvalid = out_v_q;
  assign m_axis_quote_tdata  = out_q;

endmodule

`resetall
