// Apply-and-publish stage of the card: the events of applied packets (framer events replayed
// after the arbiter's APPLY, plus its GAP and RESTART commands) in, book ops to ttq_book and
// quoter requests to ttq_quoter out, quote records to send out. This is FastPath's IncHandler,
// on_gap, publish and requote (host/src/fast_path.cpp) for a fixed slot table
// (feed.fixed_instruments): SecurityID lookup, RptSeq check, stale/suspect/halt per slot, dirty
// slots published in first-touched order at LastQuoteMsg / LastImpliedMsg / EndOfEvent, the
// quoter run only when its inputs changed, the kill switch pulling every quote at once.
// Version 1 is sequential (one event, one book op, one quoter request at a time): correct first,
// pipelined next. docs/rtl_apply.md.
`default_nettype none

module ttq_apply #(
  parameter int unsigned N_INSTR = 16,
  parameter int unsigned N_CH    = 4
) (
  input  logic                          clk,
  input  logic                          rst,
  input  logic                          kill,      // CONTROL.KILL: a change requotes every slot

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
  localparam int unsigned CW = ttq_regs_pkg::SLOT_CFG_W;

  if (N_INSTR < 1 || N_INSTR > 256) begin : g_bad_n
    $fatal(1, "ttq_apply: N_INSTR must be in [1, 256]");
  end

  typedef enum logic [3:0] {
    S_IDLE,      // next event, or a pending kill requote
    S_LOOKUP,    // SecurityID lookup, RptSeq check, then a book op or the status change
    S_BOOK,      // book op out, wait for its result
    S_LOOP,      // a channel-wide action over every slot (reset, restart, gap, group status)
    S_LOOP_RES,  // ... waiting for the book result of a CLEAR
    S_PUBLISH,   // pop dirty slots, publish each
    S_REQ,       // quoter request out
    S_QRES,      // quoter result in
    S_SEND,      // quote record out
    S_KILL       // requote every slot (kill changed)
  } state_e;

  localparam logic [1:0] LOOP_RESET = 2'd0, LOOP_RESTART = 2'd1, LOOP_GAP = 2'd2,
                         LOOP_STATUS = 2'd3;

  // ---------------------------------------------------------------------------------------------
  // Per-slot state (FastPath's Instrument).
  logic [N_INSTR-1:0] rpt_known_q, stale_q, suspect_q, halted_q, dirty_q, qvalid_q;
  logic [31:0]        last_rpt_q  [N_INSTR];
  logic [7:0]         qpull_q     [N_INSTR];
  logic [191:0]       qtob_q      [N_INSTR];  // {bid_px, ask_px, bid_sz, ask_sz} last quoted
  logic [191:0]       top_q       [N_INSTR];  // the book's top after its latest op
  logic [199:0]       prev_q      [N_INSTR];  // last sent level 0 {bid/ask px, bid/ask sz, flags}

  // Dirty slots in first-touched order.
  logic [SW-1:0]      dq_mem [N_INSTR];
  logic [SW:0]        dq_head_q, dq_count_q;

  state_e             st_q;
  ttq_pkg::mdp_ev_t   ev_q;
  logic [CH_W-1:0]    ch_q;
  logic [31:0]        cur_seq_q;            // MsgSeqNum of the packet being applied
  logic [31:0]        last_seq_q [N_CH];    // per channel: last applied packet
  logic [31:0]        pub_seq_q;            // seq of the publication in progress
  logic [SW-1:0]      slot_q;               // slot of the event / loop / publication
  logic [SW:0]        loop_q;
  logic [1:0]         loop_kind_q;
  logic               loop_pub_q;           // publish after the loop
  logic               kill_q, kill_pending_q;
  logic               in_kill_q;   // requoting for a kill change: next is S_KILL, not S_PUBLISH

  ttq_pkg::book_op_t  op_q;
  logic               op_v_q;
  logic               req_v_q;
  logic [191:0]       req_tob_q;
  logic [7:0]         req_pull_q;
  logic               out_v_q;
  ttq_pkg::quote_rec_t out_q;

  // ---------------------------------------------------------------------------------------------
  // Slot table fields.
  function automatic ttq_regs_pkg::slot_cfg_t cfg_of(input logic [SW-1:0] s);
    cfg_of = slot_cfg[CW*32'(s) +: CW];
  endfunction

  // SecurityID lookup: the first valid slot with this id.
  ttq_pkg::mdp_ev_t ev_in;
  logic             hit;
  logic [SW-1:0]    hit_slot;
  assign ev_in = s_axis_ev_tdata;
  always_comb begin
    hit = 1'b0;
    hit_slot = '0;
    for (int i = N_INSTR - 1; i >= 0; i--) begin
      if (slot_cfg[CW*i + 32] && slot_cfg[CW*i +: 32] == ev_q.security_id) begin
        hit = 1'b1;
        hit_slot = SW'(i);
      end
    end
  end

  // MDP 3.0 price to PRICE9: 32 (and 42/38/27) are 1e-7 mantissas, x100 with saturation.
  function automatic logic [63:0] to_price9(input logic [63:0] raw, input logic [15:0] tmpl);
    logic signed [63:0] r;
    r = raw;
    if (tmpl != 16'd32) to_price9 = raw;
    else if (r > 64'sd92233720368547758) to_price9 = 64'h7FFF_FFFF_FFFF_FFFF;
    else if (r < -64'sd92233720368547758) to_price9 = 64'h8000_0000_0000_0000;
    else to_price9 = 64'(r * 64'sd100);
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
  logic ev_fire, res_fire, qres_fire;
  assign s_axis_ev_tready = (st_q == S_IDLE) && !kill_pending_q && !rst;
  assign ev_fire = s_axis_ev_tvalid && s_axis_ev_tready;
  assign s_axis_res_tready = (st_q == S_BOOK || st_q == S_LOOP_RES) && !op_v_q;
  assign res_fire = s_axis_res_tvalid && s_axis_res_tready;
  assign s_axis_qres_tready = (st_q == S_QRES);
  assign qres_fire = s_axis_qres_tvalid && s_axis_qres_tready;

  ttq_pkg::book_res_t res;
  assign res = s_axis_res_tdata;
  ttq_pkg::quote_rec_t qres;
  assign qres = s_axis_qres_tdata;

  // The loop's current slot: in the channel (and the group, for a group-wide status).
  logic [SW-1:0] loop_slot;
  logic          loop_in_scope;
  ttq_regs_pkg::slot_cfg_t loop_cfg;
  assign loop_slot = loop_q[SW-1:0];
  assign loop_cfg = cfg_of(loop_slot);
  assign loop_in_scope = loop_cfg.valid &&
                         slot_channel[CH_W*32'(loop_slot) +: CH_W] == ch_q &&
                         (loop_kind_q != LOOP_STATUS || trim6(ev_q.price[47:0]) == '0 ||
                          trim6(ev_q.price[47:0]) == trim6(loop_cfg.group));

  // Requote decision for slot_q with its current top (pub path) — FastPath::requote.
  ttq_regs_pkg::slot_cfg_t cfg_s;
  logic [7:0]   pull_s;
  logic         quote_s;
  assign cfg_s = cfg_of(slot_q);
  always_comb begin
    pull_s = 8'h00;
    if (stale_q[slot_q] || suspect_q[slot_q]) pull_s = pull_s | ttq_pkg::QF_PULL_STALE;
    if (halted_q[slot_q]) pull_s = pull_s | ttq_pkg::QF_PULL_HALT;
    if (kill) pull_s = pull_s | ttq_pkg::QF_PULL_KILL;
    quote_s = cfg_s.valid && cfg_s.tick != '0 &&
              !(qvalid_q[slot_q] && pull_s == qpull_q[slot_q] && top_q[slot_q] == qtob_q[slot_q]);
  end

  always_ff @(posedge clk) begin
    cnt_book_entry <= 1'b0;
    cnt_stale_event <= 1'b0;
    cnt_unknown_instr <= 1'b0;
    if (op_v_q && m_axis_op_tready) op_v_q <= 1'b0;
    if (req_v_q && m_axis_req_tready) req_v_q <= 1'b0;
    if (out_v_q && m_axis_quote_tready) out_v_q <= 1'b0;
    kill_q <= kill;
    if (kill != kill_q) kill_pending_q <= 1'b1;

    unique case (st_q)
      S_IDLE: begin
        if (kill_pending_q) begin
          kill_pending_q <= 1'b0;
          loop_q <= '0;
          st_q <= S_KILL;
        end else if (ev_fire) begin
          ev_q  <= s_axis_ev_tdata;
          ch_q  <= s_axis_ev_channel;
          st_q  <= S_IDLE;
          if (s_axis_ev_ctl == 2'd1) begin  // GAP
            loop_q <= '0;
            loop_kind_q <= LOOP_GAP;
            loop_pub_q <= 1'b1;
            pub_seq_q <= ev_in.seq_num + ev_in.rpt_seq;
            st_q <= S_LOOP;
          end else if (s_axis_ev_ctl == 2'd2) begin  // RESTART
            loop_q <= '0;
            loop_kind_q <= LOOP_RESTART;
            loop_pub_q <= 1'b1;
            pub_seq_q <= 32'd1;
            st_q <= S_LOOP;
          end else begin
            unique case (ev_in.kind)
              ttq_pkg::MDP_EV_PKT_HDR: begin
                cur_seq_q <= ev_in.seq_num;
                last_seq_q[32'(s_axis_ev_channel)] <= ev_in.seq_num;
              end
              ttq_pkg::MDP_EV_BOOK, ttq_pkg::MDP_EV_SEQ: st_q <= S_LOOKUP;
              ttq_pkg::MDP_EV_RESET: begin
                loop_q <= '0;
                loop_kind_q <= LOOP_RESET;
                loop_pub_q <= 1'b0;
                st_q <= S_LOOP;
              end
              ttq_pkg::MDP_EV_STATUS: begin
                if (is_halt(ev_in.entry_type) || is_trading(ev_in.entry_type)) begin
                  if (ev_in.security_id != 32'h7FFF_FFFF) begin
                    st_q <= S_LOOKUP;  // lookup, then set
                  end else begin
                    loop_q <= '0;
                    loop_kind_q <= LOOP_STATUS;
                    loop_pub_q <= 1'b0;
                    st_q <= S_LOOP;
                  end
                end
              end
              ttq_pkg::MDP_EV_MSG_END: begin
                if ((ev_in.mei & 8'h94) != 8'h00) begin
                  pub_seq_q <= cur_seq_q;
                  st_q <= S_PUBLISH;
                end
              end
              default: ;
            endcase
          end
        end
      end

      // One event of one slot: lookup, RptSeq check, then the book op (BOOK) or the status.
      S_LOOKUP: begin
          if (!hit) begin
            cnt_unknown_instr <= 1'b1;
            st_q <= S_IDLE;
          end else if (ev_q.kind == ttq_pkg::MDP_EV_STATUS) begin
            halted_q[hit_slot] <= is_halt(ev_q.entry_type);
            touch(hit_slot);
            st_q <= S_IDLE;
          end else begin
            slot_q <= hit_slot;
            if (rpt_known_q[hit_slot] && ev_q.rpt_seq <= last_rpt_q[hit_slot]) begin
              st_q <= S_IDLE;  // older than the book: skipped
            end else begin
              if (rpt_known_q[hit_slot]) begin
                if (ev_q.rpt_seq != last_rpt_q[hit_slot] + 32'd1) begin
                  mark_stale(hit_slot);
                end else if (suspect_q[hit_slot]) begin
                  suspect_q[hit_slot] <= 1'b0;
                  touch(hit_slot);
                end
              end
              last_rpt_q[hit_slot] <= ev_q.rpt_seq;
              rpt_known_q[hit_slot] <= 1'b1;
              if (ev_q.kind == ttq_pkg::MDP_EV_SEQ) begin
                st_q <= S_IDLE;
              end else begin
                cnt_book_entry <= 1'b1;
                op_v_q <= 1'b1;
                op_q.kind <= ttq_pkg::BOOK_OP_ENTRY;
                op_q.slot <= 16'(hit_slot);
                op_q.etype <= (ev_q.entry_type == 8'h30) ? ttq_pkg::BOOK_T_BID :
                              (ev_q.entry_type == 8'h31) ? ttq_pkg::BOOK_T_ASK :
                              (ev_q.entry_type == 8'h45) ? ttq_pkg::BOOK_T_IMP_BID :
                              (ev_q.entry_type == 8'h46) ? ttq_pkg::BOOK_T_IMP_ASK :
                                                           ttq_pkg::BOOK_T_RESET;
                op_q.action <= ev_q.action[2:0];
                op_q.level <= ev_q.level;
                op_q.px <= (ev_q.price == 64'h7FFF_FFFF_FFFF_FFFF) ? 64'd0 :
                           to_price9(ev_q.price, ev_q.template_id);
                op_q.size <= ev_q.size;
                op_q.known <= 1'b0;
                op_q.depth <= '0;
                op_q.implied_depth <= '0;
                st_q <= S_BOOK;
              end
            end
          end
      end

      S_BOOK: begin
        if (res_fire) begin
          top_q[slot_q] <= {res.bid_px, res.ask_px, res.bid_sz, res.ask_sz};
          if (res.result == ttq_pkg::BOOK_RES_APPLIED && op_q.etype == ttq_pkg::BOOK_T_RESET) begin
            stale_q[slot_q] <= 1'b0;
            suspect_q[slot_q] <= 1'b0;
          end else if (res.result == ttq_pkg::BOOK_RES_CORRUPT) begin
            mark_stale(slot_q);
          end
          touch(slot_q);
          st_q <= S_IDLE;
        end
      end

      // Channel-wide actions, one slot per step (a CLEAR waits for its book result).
      S_LOOP: begin
        if (loop_q == (SW+1)'(N_INSTR)) begin
          st_q <= loop_pub_q ? S_PUBLISH : S_IDLE;
        end else if (!loop_in_scope) begin
          loop_q <= loop_q + 1'b1;
        end else begin
          unique case (loop_kind_q)
            LOOP_GAP: begin
              if (!suspect_q[loop_slot] && !stale_q[loop_slot]) begin
                suspect_q[loop_slot] <= 1'b1;
                touch(loop_slot);
              end
              loop_q <= loop_q + 1'b1;
            end
            LOOP_STATUS: begin
              halted_q[loop_slot] <= is_halt(ev_q.entry_type);
              touch(loop_slot);
              loop_q <= loop_q + 1'b1;
            end
            default: begin  // RESET (known) / RESTART (unknown): clear the book, wait
              if (!op_v_q) begin
                op_v_q <= 1'b1;
                op_q <= '0;
                op_q.kind <= ttq_pkg::BOOK_OP_CLEAR;
                op_q.slot <= 16'(loop_slot);
                op_q.known <= (loop_kind_q == LOOP_RESET);
                rpt_known_q[loop_slot] <= (loop_kind_q == LOOP_RESET);
                last_rpt_q[loop_slot] <= 32'd0;
                stale_q[loop_slot] <= 1'b0;
                suspect_q[loop_slot] <= 1'b0;
                touch(loop_slot);
                slot_q <= loop_slot;
                st_q <= S_LOOP_RES;
              end
            end
          endcase
        end
      end

      S_LOOP_RES: begin
        if (res_fire) begin
          top_q[slot_q] <= {res.bid_px, res.ask_px, res.bid_sz, res.ask_sz};
          loop_q <= loop_q + 1'b1;
          st_q <= S_LOOP;
        end
      end

      // Publication: every dirty slot in first-touched order (FastPath::publish).
      S_PUBLISH: begin
        if (dq_count_q == '0) begin
          st_q <= S_IDLE;
        end else begin
          slot_q <= dq_mem[dq_head_q[SW-1:0]];
          dirty_q[dq_mem[dq_head_q[SW-1:0]]] <= 1'b0;
          dq_head_q <= (dq_head_q + 1'b1) % (SW+1)'(N_INSTR);
          dq_count_q <= dq_count_q - 1'b1;
          in_kill_q <= 1'b0;
          st_q <= S_REQ;
        end
      end

      // Requote slot_q if its inputs changed (FastPath::requote), wait for the quoter.
      S_REQ: begin
        if (!req_v_q) begin
          if (quote_s) begin
            qvalid_q[slot_q] <= 1'b1;
            qpull_q[slot_q] <= pull_s;
            qtob_q[slot_q] <= top_q[slot_q];
            req_v_q <= 1'b1;
            req_tob_q <= top_q[slot_q];
            req_pull_q <= pull_s;
            st_q <= S_QRES;
          end else begin
            st_q <= in_kill_q ? S_KILL : S_PUBLISH;
          end
        end
      end

      S_QRES: begin
        if (qres_fire) begin
          if (s_axis_qres_tuser[1]) begin
            prev_q[slot_q] <= {qres.bid_px, qres.ask_px, qres.bid_sz, qres.ask_sz, qres.flags};
          end
          if (s_axis_qres_tuser[0]) begin
            out_v_q <= 1'b1;
            out_q <= qres;
            st_q <= S_SEND;
          end else begin
            st_q <= in_kill_q ? S_KILL : S_PUBLISH;
          end
        end
      end

      S_SEND: begin
        if (!out_v_q || m_axis_quote_tready) begin
          st_q <= in_kill_q ? S_KILL : S_PUBLISH;
        end
      end

      // Kill changed: requote every slot now, in slot order, with the latest applied seq.
      S_KILL: begin
        if (loop_q == (SW+1)'(N_INSTR)) begin
          st_q <= S_IDLE;
        end else begin
          slot_q <= loop_slot;
          pub_seq_q <= latest_seq();
          loop_q <= loop_q + 1'b1;
          in_kill_q <= 1'b1;
          st_q <= S_REQ;
        end
      end

      default: st_q <= S_IDLE;
    endcase

    if (rst) begin
      st_q <= S_IDLE;
      op_v_q <= 1'b0;
      req_v_q <= 1'b0;
      out_v_q <= 1'b0;
      kill_q <= 1'b0;
      kill_pending_q <= 1'b0;
      rpt_known_q <= '0;
      stale_q <= '0;
      suspect_q <= '0;
      halted_q <= '0;
      dirty_q <= '0;
      qvalid_q <= '0;
      dq_head_q <= '0;
      dq_count_q <= '0;
      cur_seq_q <= '0;
      for (int i = 0; i < N_INSTR; i++) begin
        top_q[i] <= '0;
        prev_q[i] <= '0;
      end
      for (int c = 0; c < N_CH; c++) last_seq_q[c] <= '0;
    end
  end

  function automatic logic [31:0] latest_seq();
    latest_seq = '0;
    for (int c = 0; c < N_CH; c++) begin
      if (last_seq_q[c] > latest_seq) latest_seq = last_seq_q[c];
    end
  endfunction

  // FastPath::touch: first touch since the last publication queues the slot.
  task automatic touch(input logic [SW-1:0] s);
    if (!dirty_q[s]) begin
      dirty_q[s] <= 1'b1;
      dq_mem[SW'((dq_head_q + dq_count_q) % (SW+1)'(N_INSTR))] <= s;
      dq_count_q <= dq_count_q + 1'b1;
    end
  endtask

  // FastPath::mark_stale.
  task automatic mark_stale(input logic [SW-1:0] s);
    if (!stale_q[s]) cnt_stale_event <= 1'b1;
    stale_q[s] <= 1'b1;
    suspect_q[s] <= 1'b0;
    touch(s);
  endtask

  // ---------------------------------------------------------------------------------------------
  assign busy = (st_q != S_IDLE) || kill_pending_q || (kill != kill_q) || op_v_q || req_v_q ||
                out_v_q;

  assign m_axis_op_tvalid = op_v_q;
  assign m_axis_op_tdata  = op_q;

  assign m_axis_req_tvalid      = req_v_q;
  assign m_axis_req_slot        = 16'(slot_q);
  assign m_axis_req_seq         = pub_seq_q;
  assign m_axis_req_security_id = cfg_s.security_id;
  assign m_axis_req_bid_px      = req_tob_q[191:128];
  assign m_axis_req_ask_px      = req_tob_q[127:64];
  assign m_axis_req_bid_sz      = req_tob_q[63:32];
  assign m_axis_req_ask_sz      = req_tob_q[31:0];
  assign m_axis_req_pull        = req_pull_q;
  assign m_axis_req_cfg         = cfg_s;
  assign {m_axis_req_prev_bid_px, m_axis_req_prev_ask_px, m_axis_req_prev_bid_sz,
          m_axis_req_prev_ask_sz, m_axis_req_prev_flags} = prev_q[slot_q];

  // Fields this stage does not use (the framer's event carries more than the card needs here).
  logic unused_fields;
  assign unused_fields = ^{ev_q, ev_in, res, loop_cfg};

  assign m_axis_quote_tvalid = out_v_q;
  assign m_axis_quote_tdata  = out_q;

endmodule

`resetall
