// The card's fast path, frame in to quote record out: ttq_l2l4 -> ttq_line_filter + ttq_mdp_framer
// -> ingress join -> ttq_arbiter -> packet store -> ttq_apply -> ttq_book / ttq_quoter ->
// ttq_quote_fifo, with the host's AXI4-Lite register block (ttq_regs). docs/rtl_core.md.
//
// Commit on verdict: the framer's events of every packet are written into the packet store as they
// come (cut-through, under a handle), and only the arbiter's APPLY replays them into ttq_apply. A
// frame flagged bad at tlast (tuser), truncated, failing any header check, of an unknown line or
// holding a malformed MDP packet is discarded whole: no book ever sees part of a packet.
//
// Cut-through (a CUT_THROUGH = 1 build with MODE = 1, docs/rtl_core.md "Cut-through mode"): a packet the
// arbiter pre-decides in order at its MsgSeqNum (header record -> line -> pre-decision) is applied
// as it streams, message by message, tagged spec, and kept or undone by ttq_apply's journal on
// its verdict; its APPLY is not replayed. The model is FastPath with feed.commit = "cut_through".
`default_nettype none

module ttq_core #(
  parameter int unsigned N_INSTR    = 16,   // instrument slots
  parameter int unsigned N_CH       = 4,    // channels (arbiter state)
  parameter int unsigned N_LINES    = 8,    // feed-line table entries
  parameter int unsigned EV_PER_PKT = 128,  // events a stored packet may hold (power of 2)
  parameter logic [63:0] GIT_COMMIT = 64'h0,
  // 1 (the default, hw/regmap/ttq_regs.toml caps.CUT_THROUGH: the shipping build): cut-through
  // commit built in (CAPS1.CUT_THROUGH; the register MODE selects it at the next soft reset, the
  // host sets it from feed.commit). 0: commit on verdict only; the cut-through logic folds away.
  parameter int unsigned CUT_THROUGH = ttq_regs_pkg::CUT_THROUGH_DEFAULT
) (
  input  logic                            clk,
  input  logic                            rst,
  // AXI4-Lite control (ttq_regs, docs/registers.md).
  input  logic [ttq_regs_pkg::ADDR_W-1:0] s_axil_awaddr,
  input  logic                            s_axil_awvalid,
  output logic                            s_axil_awready,
  input  logic [31:0]                     s_axil_wdata,
  input  logic [3:0]                      s_axil_wstrb,
  input  logic                            s_axil_wvalid,
  output logic                            s_axil_wready,
  output logic [1:0]                      s_axil_bresp,
  output logic                            s_axil_bvalid,
  input  logic                            s_axil_bready,
  input  logic [ttq_regs_pkg::ADDR_W-1:0] s_axil_araddr,
  input  logic                            s_axil_arvalid,
  output logic                            s_axil_arready,
  output logic [31:0]                     s_axil_rdata,
  output logic [1:0]                      s_axil_rresp,
  output logic                            s_axil_rvalid,
  input  logic                            s_axil_rready,

  // Ethernet frames, FCS stripped; byte 0 in tdata[7:0]; tuser at tlast = bad FCS.
  input  logic [63:0]                     s_axis_frame_tdata,
  input  logic [7:0]                      s_axis_frame_tkeep,
  input  logic                            s_axis_frame_tvalid,
  output logic                            s_axis_frame_tready,
  input  logic                            s_axis_frame_tlast,
  input  logic                            s_axis_frame_tuser,

  // Quote records (ttq_pkg::quote_rec_t = ttq::QuoteRecord).
  output logic [ttq_pkg::QUOTE_REC_W-1:0] m_axis_quote_tdata,
  output logic                            m_axis_quote_tvalid,
  input  logic                            m_axis_quote_tready,

  output logic                            busy  // work in flight (STATUS.BUSY)
);
  localparam int unsigned CH_W = (N_CH > 1) ? $clog2(N_CH) : 1;
  localparam int NI = N_INSTR;  // signed copy for loop bounds (yosys 0.23 has no int'() cast)
  localparam int unsigned HANDLE_W = 6;                      // 63 handles + "none"
  localparam logic [HANDLE_W-1:0] H_NONE = '1;
  localparam int unsigned N_HANDLES = (1 << HANDLE_W) - 1;
  localparam int unsigned IDX_W = $clog2(EV_PER_PKT);
  localparam int unsigned EV_W = ttq_pkg::MDP_EV_W;
  localparam int unsigned CFG_W = ttq_regs_pkg::SLOT_CFG_W;
  localparam int unsigned N_CNT = ttq_regs_pkg::N_CNT;
  localparam int unsigned CIW = ttq_regs_pkg::CNT_INC_W;

`ifndef SYNTHESIS
  if (EV_PER_PKT < 8 || (EV_PER_PKT & (EV_PER_PKT - 1)) != 0) begin : g_bad_ev
    $fatal(1, "ttq_core: EV_PER_PKT must be a power of 2, >= 8");
  end
  if (N_CH * 8 + 8 > N_HANDLES) begin : g_bad_ch
    $fatal(1, "ttq_core: the packet store has too few handles for N_CH channels of 8 held packets");
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Register block. A soft reset (CONTROL.SOFT_RESET) resets the pipeline too, one cycle later;
  // the configuration is kept.
  logic kill, soft_rst, cfg_ready, cfg_commit, flush;
  logic [15:0] cfg_commit_slot, cfg_rd_slot;
  ttq_regs_pkg::slot_cfg_t cfg_rd;
  logic [7:0] arb_window;
  logic [N_LINES-1:0]    line_valid, line_b;
  logic [N_LINES*32-1:0] line_ip;
  logic [N_LINES*16-1:0] line_port;
  logic [N_LINES*8-1:0]  line_channel;
  logic [N_LINES*2-1:0]  line_kind;
  logic [N_CNT*CIW-1:0]  cnt_inc;
  logic prst;  // pipeline reset
  // The commit mode in force: MODE as of the last reset / soft reset, on a CUT_THROUGH build.
  logic mode_ct, ct_mode_q, cut_through;
  // Published top of book, ttq_apply -> the register block's TOP_* table (docs/registers.md).
  logic         top_we;
  logic [15:0]  top_slot;
  logic [2:0]   top_flags;
  logic [191:0] top_tob;  // {bid_px, ask_px, bid_sz, ask_sz}

  ttq_regs #(.N_INSTR(N_INSTR), .N_CH(N_CH), .N_LINES(N_LINES), .GIT_COMMIT(GIT_COMMIT),
             .CUT_THROUGH(CUT_THROUGH)) u_regs (
    .clk, .rst,
    .s_axil_awaddr, .s_axil_awvalid, .s_axil_awready, .s_axil_wdata, .s_axil_wstrb,
    .s_axil_wvalid, .s_axil_wready, .s_axil_bresp, .s_axil_bvalid, .s_axil_bready,
    .s_axil_araddr, .s_axil_arvalid, .s_axil_arready, .s_axil_rdata, .s_axil_rresp,
    .s_axil_rvalid, .s_axil_rready,
    .kill_o(kill), .soft_rst_o(soft_rst), .cfg_ready_o(cfg_ready), .flush_o(flush), .busy_i(busy),
    .arb_window_o(arb_window), .mode_ct_o(mode_ct), .ct_mode_i(cut_through),
    .line_valid_o(line_valid), .line_ip_o(line_ip), .line_port_o(line_port),
    .line_channel_o(line_channel), .line_kind_o(line_kind), .line_b_o(line_b),
    .cfg_rd_slot_i(cfg_rd_slot), .cfg_rd_o(cfg_rd),
    .cfg_commit_o(cfg_commit), .cfg_commit_slot_o(cfg_commit_slot),
    .cnt_inc_i(cnt_inc),
    .top_we_i(top_we), .top_slot_i(top_slot), .top_flags_i(top_flags),
    .top_bid_px_i(top_tob[191:128]), .top_ask_px_i(top_tob[127:64]),
    .top_bid_sz_i(top_tob[63:32]), .top_ask_sz_i(top_tob[31:0])
  );

  always_ff @(posedge clk) prst <= rst || soft_rst;
  // Loaded with the pipeline reset (prst rises in the next cycle), so the whole pipeline starts
  // in the new mode; a constant 0 without CUT_THROUGH.
  always_ff @(posedge clk) begin
    if (rst) ct_mode_q <= 1'b0;
    else if (soft_rst) ct_mode_q <= mode_ct;
  end
  assign cut_through = CUT_THROUGH != 0 && ct_mode_q;

  // The committed slot table as ttq_apply takes it (all slots at once): a copy refreshed from the
  // register block's read port on every commit (commit pulse, slot number out, config in).
  logic [N_INSTR*CFG_W-1:0] slot_cfg_q;
  logic [N_INSTR*CH_W-1:0]  slot_ch_q;
  logic        cm1_q, cm2_q, cm3_q;
  logic [15:0] cm1_slot_q, cm2_slot_q, cm3_slot_q;
  assign cfg_rd_slot = cm1_slot_q;
  always_ff @(posedge clk) begin
    cm1_q      <= cfg_commit && !rst;
    cm1_slot_q <= cfg_commit_slot;
    cm2_q      <= cm1_q && !rst;
    cm2_slot_q <= cm1_slot_q;
    cm3_q      <= cm2_q && !rst;  // the copy holds the new configuration: ttq_apply requotes
    cm3_slot_q <= cm2_slot_q;
    if (rst) begin
      for (int s = 0; s < NI; s++) slot_cfg_q[s*CFG_W +: CFG_W] <= '0;
      slot_ch_q <= '0;
    end else if (cm2_q) begin
      for (int s = 0; s < NI; s++) begin
        if (cm2_slot_q == 16'(s)) begin
          slot_cfg_q[s*CFG_W +: CFG_W] <= cfg_rd;
          slot_ch_q[s*CH_W +: CH_W]    <= cfg_rd.channel[CH_W-1:0];
        end
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // L2-L4: payload packets to the framer, one verdict per frame.
  logic [63:0]  udp_data;
  logic [7:0]   udp_keep;
  logic         udp_v, udp_r, udp_last;
  logic [127:0] vd_data;
  logic         vd_v, vd_r;

  // A soft reset that cuts a frame: the rest of it (up to the MAC's tlast) is taken and dropped,
  // uncounted, instead of reaching ttq_l2l4 as a frame of its own (skip_q; docs/rtl_core.md
  // "Soft reset of a busy card"). port_mid_q says a frame is half in at the port, whether its
  // beats went to ttq_l2l4 or were skipped, so a second soft reset during a skip (tready is high
  // then, even in the prst cycle) keeps skipping to the same tlast and no further. Only rst
  // clears it: after a hard reset the input must start at a frame boundary.
  logic skip_q, port_mid_q, l2_tvalid, l2_tready, in_beat, port_beat;
  logic mid_frame_q;
  logic ct_in_hold;  // cut-through: no new frame into ttq_l2l4, the frame queue could fill
  // Cut-through: a new frame waits at its first beat while the frame queue could fill
  // (ct_in_hold, a register; never inside a frame).
  assign l2_tvalid           = s_axis_frame_tvalid && !skip_q && !(ct_in_hold && !mid_frame_q);
  assign s_axis_frame_tready = (l2_tready && !(ct_in_hold && !mid_frame_q)) || skip_q;
  assign in_beat             = l2_tvalid && l2_tready;  // a beat into ttq_l2l4
  assign port_beat           = s_axis_frame_tvalid && s_axis_frame_tready;
  always_ff @(posedge clk) begin
    if (rst) begin
      skip_q     <= 1'b0;
      port_mid_q <= 1'b0;
    end else begin
      if (port_beat) port_mid_q <= !s_axis_frame_tlast;
      if (prst) skip_q <= port_beat ? !s_axis_frame_tlast : port_mid_q;
      else if (port_beat && s_axis_frame_tlast) skip_q <= 1'b0;
    end
  end

  // Header records (cut-through, docs/rtl_l2l4.md "Header record"): looked up by the line
  // filter's second port; the result (hl_*) feeds the frame queue of cut-through mode (below).
  logic        hdr_v, hdr_ok, hl_v, hl_hit, hl_b;
  logic [31:0] hdr_seq, hdr_ip;
  logic [15:0] hdr_port;
  logic [7:0]  hl_ch;
  logic [1:0]  hl_kind;
  logic [32:0] hl_user;  // {ok, seq}

  // Cut-through state (declared here, used by the join, the command side and ttq_apply's input;
  // the logic is in the section "Cut-through" below). All of it is held in reset in mode 0.
  logic ct_rst;         // prst, or the mode is commit on verdict
  logic j_ct_wait;      // the join's frame waits for its pre-decision
  logic j_spec;         // the join's frame was pre-decided in order: its record is speculated
  logic cmd_blk;        // a speculated packet is open: no command that sends items is taken
  logic cmd_spec;       // the arbiter's command is a speculated packet's APPLY / DROP_MALFORMED
  logic sq_off;         // the speculated-event queue offers an item to ttq_apply
  logic ct_busy;        // cut-through work in flight
  logic ct_cfg_hold;    // no CONFIG turn: a speculation window may be open
  logic sq_room;        // the speculated-event queue can take the framer's event

  ttq_l2l4 u_l2l4 (
    .clk, .rst(prst),
    .s_axis_frame_tdata, .s_axis_frame_tkeep, .s_axis_frame_tvalid(l2_tvalid),
    .s_axis_frame_tready(l2_tready),
    .s_axis_frame_tlast, .s_axis_frame_tuser,
    .m_axis_udp_tdata(udp_data), .m_axis_udp_tkeep(udp_keep), .m_axis_udp_tvalid(udp_v),
    .m_axis_udp_tready(udp_r), .m_axis_udp_tlast(udp_last),
    .m_axis_verdict_tdata(vd_data), .m_axis_verdict_tvalid(vd_v), .m_axis_verdict_tready(vd_r),
    .m_hdr_valid(hdr_v), .m_hdr_ok(hdr_ok), .m_hdr_seq(hdr_seq), .m_hdr_dst_ip(hdr_ip),
    .m_hdr_dst_port(hdr_port)
  );

  // Frames inside ttq_l2l4 (for busy): input frames begun, verdicts not yet taken.
  logic [7:0] fr_in_q;
  logic       fr_start, fr_end;
  always_comb begin
    fr_start = in_beat && !mid_frame_q;
    fr_end   = vd_v && vd_r;
  end
  always_ff @(posedge clk) begin
    if (prst) begin
      fr_in_q     <= '0;
      mid_frame_q <= 1'b0;
    end else begin
      fr_in_q <= fr_in_q + 8'(fr_start) - 8'(fr_end);
      if (in_beat) mid_frame_q <= !s_axis_frame_tlast;
    end
  end

  // Verdicts: the line lookup (ttq_line_filter) and a copy of reason + payload bit, in step.
  // Both wait in 16-entry queues for the join, so l2l4 keeps going while the arbiter is busy
  // (sim.tb_core's no-stall runs: with 4-entry queues and the line filter's two registers as the
  // only buffer, a burst that kept ttq_apply busy stalled the input 45-89 cycles per capture).
  localparam int unsigned VQ_DEPTH = 16;
  localparam int unsigned VQ_AW = $clog2(VQ_DEPTH);
  logic [4:0] vq_mem [VQ_DEPTH];  // {payload, reason}
  logic [VQ_AW-1:0] vq_wr_q;
  logic [VQ_AW:0]   vq_rd_q;      // one bit more: also the line-result queue's (below)
  logic [VQ_AW:0]   vq_cnt_q;
  logic       vq_push, vq_pop;
  logic       lf_in_r, ln_v, ln_hit, ln_b;
  logic [7:0] ln_ch;
  logic [1:0] ln_kind;
  logic       lf_v, lf_hit, lf_b;
  logic [7:0] lf_ch;
  logic [1:0] lf_kind;

  assign vd_r    = lf_in_r && vq_cnt_q != (VQ_AW + 1)'(VQ_DEPTH);
  assign vq_push = vd_v && vd_r;

  ttq_line_filter #(.N_LINES(N_LINES), .HDR_USER_W(33)) u_line (
    .clk, .rst(prst),
    .line_valid, .line_ip, .line_port, .line_channel, .line_kind, .line_b,
    .s_axis_dst_tvalid(vd_v && vq_cnt_q != (VQ_AW + 1)'(VQ_DEPTH)), .s_axis_dst_tready(lf_in_r),
    .s_axis_dst_ip(vd_data[87:56]), .s_axis_dst_port(vd_data[39:24]),
    .m_axis_line_tvalid(lf_v), .m_axis_line_tready(1'b1), .m_axis_line_hit(lf_hit),
    .m_axis_line_channel(lf_ch), .m_axis_line_kind(lf_kind), .m_axis_line_b(lf_b),
    .s_hdr_valid(hdr_v), .s_hdr_dst_ip(hdr_ip), .s_hdr_dst_port(hdr_port),
    .s_hdr_user({hdr_ok, hdr_seq}), .m_hdr_line_valid(hl_v), .m_hdr_line_hit(hl_hit),
    .m_hdr_line_channel(hl_ch), .m_hdr_line_kind(hl_kind), .m_hdr_line_b(hl_b),
    .m_hdr_line_user(hl_user)
  );

  // Line results, in frame order, for the join (LUT RAM; one cycle from the filter's output to
  // the join, which is 3 cycles ahead of the framer's PKT_END in any case). The join pops a
  // result with its verdict, so this queue reads at the verdict queue's read pointer; a result
  // is written only for a verdict still in vq, so it cannot overflow and the filter never waits.
  // The join reads both queues' heads from registers (lq_head_q, vq_head_q: the entry at
  // vq_rd_q, loaded a cycle ahead from the entry at the pointer's next value, this cycle's write
  // forwarded), so no LUT-RAM read is in front of its decision and what follows it in the same
  // cycle (the arbiter's decide-as-taken, the queue pointers and counts).
  logic [11:0]      lq_mem [VQ_DEPTH];  // {hit, channel, kind, b}
  logic [VQ_AW:0]   lq_wr_q;
  logic [11:0]      lq_head_q;          // = lq_mem[vq_rd_q] (when ln_v)
  logic [4:0]       vq_head_q;          // = vq_mem[vq_rd_q] (when vq_cnt_q != 0)
  logic [VQ_AW-1:0] q_rd, q_rd_nx;      // read pointer of both queues, and the entry after it
  logic             lq_at, lq_at_nx, vq_at, vq_at_nx;  // the write is at q_rd / q_rd_nx
  always_comb begin
    q_rd     = vq_rd_q[VQ_AW-1:0];
    q_rd_nx  = q_rd + 1'b1;
    lq_at    = lq_wr_q[VQ_AW-1:0] == q_rd;
    lq_at_nx = lq_wr_q[VQ_AW-1:0] == q_rd_nx;
    vq_at    = vq_wr_q == q_rd;
    vq_at_nx = vq_wr_q == q_rd_nx;
  end
  assign ln_v = lq_wr_q != vq_rd_q;
  assign {ln_hit, ln_ch, ln_kind, ln_b} = lq_head_q;
  always_ff @(posedge clk) begin
    if (lf_v) lq_mem[lq_wr_q[VQ_AW-1:0]] <= {lf_hit, lf_ch, lf_kind, lf_b};
    lq_wr_q <= prst ? '0 : lq_wr_q + (VQ_AW + 1)'(lf_v);
    // A write lands at the next head only when nothing else is left for it (no overflow: above).
    if (lf_v && (vq_pop ? lq_at_nx : lq_at)) lq_head_q <= {lf_hit, lf_ch, lf_kind, lf_b};
    else if (vq_pop) lq_head_q <= lq_mem[q_rd_nx];
  end

  always_ff @(posedge clk) begin
    if (vq_push) vq_mem[vq_wr_q] <= {vd_data[7], vd_data[3:0]};
    if (vq_push && (vq_pop ? vq_at_nx : vq_at)) vq_head_q <= {vd_data[7], vd_data[3:0]};
    else if (vq_pop) vq_head_q <= vq_mem[q_rd_nx];
  end
`ifndef SYNTHESIS
  // The head registers are the entries the join would read from the queues' LUT RAM.
  always_ff @(posedge clk) begin
    if (!prst) begin
      assert (!ln_v || lq_head_q == lq_mem[q_rd])
        else $error("ttq_core: lq_head_q differs from the line queue's head");
      assert (vq_cnt_q == '0 || vq_head_q == vq_mem[q_rd])
        else $error("ttq_core: vq_head_q differs from the verdict queue's head");
    end
  end
`endif
  always_ff @(posedge clk) begin
    if (prst) begin
      vq_wr_q  <= '0;
      vq_rd_q  <= '0;
      vq_cnt_q <= '0;
    end else begin
      if (vq_push) vq_wr_q <= vq_wr_q + 1'b1;
      if (vq_pop) vq_rd_q <= vq_rd_q + 1'b1;
      vq_cnt_q <= vq_cnt_q + (VQ_AW + 1)'(vq_push) - (VQ_AW + 1)'(vq_pop);
    end
  end

  // ---------------------------------------------------------------------------------------------
  // MDP framer: events of every payload packet, PKT_END last.
  logic [EV_W-1:0] ev_data;
  logic            ev_v, ev_r, ev_last;

  ttq_mdp_framer u_framer (
    .clk, .rst(prst),
    .s_axis_udp_tdata(udp_data), .s_axis_udp_tkeep(udp_keep), .s_axis_udp_tvalid(udp_v),
    .s_axis_udp_tready(udp_r), .s_axis_udp_tlast(udp_last),
    .m_axis_ev_tdata(ev_data), .m_axis_ev_tvalid(ev_v), .m_axis_ev_tready(ev_r),
    .m_axis_ev_tlast(ev_last)
  );

  ttq_pkg::mdp_ev_t ev_in;
  assign ev_in = ev_data;

  // Packets inside the framer (for busy): payload packets in, PKT_ENDs out.
  logic [7:0] fm_in_q;
  always_ff @(posedge clk) begin
    if (prst) fm_in_q <= '0;
    else fm_in_q <= fm_in_q + 8'(udp_v && udp_r && udp_last) - 8'(ev_v && ev_r && ev_last);
  end

  // ---------------------------------------------------------------------------------------------
  // Packet store. Handles come from a free list (63 of them: N_CH x 8 held packets, the packets
  // between framer and arbiter and the one being replayed). Each handle owns EV_PER_PKT event
  // words; a packet with more events is dropped whole (OVERSIZE_PACKETS, treated as malformed).
  localparam int unsigned SA_W = HANDLE_W + IDX_W;
  logic [EV_W-1:0]     ev_mem [1 << SA_W];
  logic [IDX_W:0]      ev_cnt_mem [1 << HANDLE_W];  // events stored per handle
  logic [(1 << HANDLE_W)-1:0] held_q;              // the arbiter holds the handle

  // Free list: a FIFO of handles, full after reset.
  logic [HANDLE_W-1:0] fl_mem [1 << HANDLE_W];
  logic [HANDLE_W-1:0] fl_rd_q, fl_wr_q;
  logic [HANDLE_W:0]   fl_cnt_q;
  logic                fl_pop, fl_push;
  logic [HANDLE_W-1:0] fl_push_h;

  always_ff @(posedge clk) begin
    if (prst) begin
      for (int i = 0; i < (1 << HANDLE_W); i++) fl_mem[i] <= HANDLE_W'(i);
      fl_rd_q  <= '0;
      fl_wr_q  <= HANDLE_W'(N_HANDLES);
      fl_cnt_q <= (HANDLE_W + 1)'(N_HANDLES);
    end else begin
      if (fl_push) fl_mem[fl_wr_q] <= fl_push_h;
      if (fl_push) fl_wr_q <= fl_wr_q + HANDLE_W'(1);
      if (fl_pop) fl_rd_q <= fl_rd_q + HANDLE_W'(1);
      fl_cnt_q <= fl_cnt_q + (HANDLE_W + 1)'(fl_push) - (HANDLE_W + 1)'(fl_pop);
    end
  end

  // Write side: one event per cycle.
  localparam int unsigned PQ_DEPTH = 16;  // packet records waiting for the join (was 4)
  localparam int unsigned PQ_AW = $clog2(PQ_DEPTH);
  logic                wr_have_q, wr_over_q;
  logic [HANDLE_W-1:0] wr_h_q, wr_h;
  logic [IDX_W:0]      wr_idx_q;
  logic                pq_room, ev_take;
  logic [PQ_AW:0]      pq_cnt_q;

  assign pq_room = pq_cnt_q != (PQ_AW + 1)'(PQ_DEPTH);
  assign ev_r    = (wr_have_q || fl_cnt_q != '0) && pq_room && sq_room && !prst;
  assign ev_take = ev_v && ev_r;
  assign wr_h    = wr_have_q ? wr_h_q : fl_mem[fl_rd_q];
  assign fl_pop  = ev_take && !wr_have_q;

  always_ff @(posedge clk) begin
    if (ev_take && !ev_last && !wr_idx_q[IDX_W]) ev_mem[{wr_h, wr_idx_q[IDX_W-1:0]}] <= ev_data;
    if (ev_take && ev_last) ev_cnt_mem[wr_h] <= wr_idx_q;
  end

  // Packet records, framer order: {events stored, any, more than one, oversize, ok, plausible, seq,
  // handle}. The event count is ev_cnt_mem's entry of the handle, kept here as well so that the
  // speculative first read (command side) needs no ev_cnt_mem read behind the queue's.
  localparam int unsigned PR_W = IDX_W + 1 + 2 + 3 + 32 + HANDLE_W;
  // The head is a register as well (pq_head_q, loaded a cycle ahead like the verdict queue's):
  // the record's seq goes into the arbiter's compares with no LUT-RAM read in front.
  logic [PR_W-1:0] pq_mem [PQ_DEPTH];
  logic [PQ_AW-1:0] pq_wr_q, pq_rd_q, pq_rd_nx;
  logic            pq_push, pq_pop, pq_at, pq_at_nx;
  logic [PR_W-1:0] pq_head, pq_head_q, pq_in;
  assign pq_push = ev_take && ev_last;
  assign pq_head = pq_head_q;
  always_comb begin
    pq_in    = {wr_idx_q, wr_idx_q != '0, wr_idx_q > (IDX_W + 1)'(1), wr_over_q,
                ev_in.err == ttq_pkg::MDP_OK && !wr_over_q, ev_in.plausible, ev_in.seq_num, wr_h};
    pq_rd_nx = pq_rd_q + 1'b1;
    pq_at    = pq_wr_q == pq_rd_q;     // a push lands at the head (empty queue; never full)
    pq_at_nx = pq_wr_q == pq_rd_nx;    // ... at the entry after it (one entry)
  end

  always_ff @(posedge clk) begin
    if (pq_push) pq_mem[pq_wr_q] <= pq_in;
    if (pq_push && (pq_pop ? pq_at_nx : pq_at)) pq_head_q <= pq_in;
    else if (pq_pop) pq_head_q <= pq_mem[pq_rd_nx];
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!prst) begin
      assert (pq_cnt_q == '0 || pq_head_q == pq_mem[pq_rd_q])
        else $error("ttq_core: pq_head_q differs from the packet-record queue's head");
    end
  end
`endif
  always_ff @(posedge clk) begin
    if (prst) begin
      wr_have_q <= 1'b0;
      wr_h_q    <= '0;
      wr_idx_q  <= '0;
      wr_over_q <= 1'b0;
      pq_wr_q   <= '0;
      pq_rd_q   <= '0;
      pq_cnt_q  <= '0;
    end else begin
      if (ev_take) begin
        wr_have_q <= !ev_last;
        wr_h_q    <= wr_h;
        wr_idx_q  <= ev_last ? '0 : (wr_idx_q[IDX_W] ? wr_idx_q : wr_idx_q + 1'b1);
        wr_over_q <= ev_last ? 1'b0 : (wr_over_q || wr_idx_q[IDX_W]);
      end
      if (pq_push) pq_wr_q <= pq_wr_q + 1'b1;
      if (pq_pop) pq_rd_q <= pq_rd_q + 1'b1;
      pq_cnt_q <= pq_cnt_q + (PQ_AW + 1)'(pq_push) - (PQ_AW + 1)'(pq_pop);
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Ingress join: per frame, verdict + line (+ the framer's packet record when the frame streamed
  // a payload) -> drop (counted, handle freed) or one arbiter record; FLUSH -> one flush record
  // per channel, when no frame is waiting.
  logic [4:0]          vq_head;
  logic                j_payload, j_good, j_inc, j_ready, j_go, j_free;
  logic [3:0]          j_reason;
  // The arbiter's record comes straight from the join (the arbiter registers it as it takes it).
  logic                pk_v, pk_flush, pk_plaus, pk_valid, arb_in_r, fl_v;
  logic [CH_W-1:0]     pk_ch;
  logic [31:0]         pk_seq;
  logic [HANDLE_W-1:0] pk_h;
  logic [CH_W:0]       flush_left_q;
  logic                cmd_free;         // the command side frees a handle this cycle
  logic [HANDLE_W-1:0] cmd_free_h;

  logic                pr_over, pr_ok, pr_plaus;
  logic [31:0]         pr_seq;
  logic [HANDLE_W-1:0] pr_h;
  logic [IDX_W:0]      pr_n;     // events stored under the join's packet
  logic                pr_n_nz;  // pr_n != 0
  logic                pr_skip;  // pr_n > 1: replayed from event 1
  assign {pr_n, pr_n_nz, pr_skip, pr_over, pr_ok, pr_plaus, pr_seq, pr_h} = pq_head;

  always_comb begin
    vq_head   = vq_head_q;
    j_payload = vq_head[4];
    j_reason  = vq_head[3:0];
    j_good    = j_reason == ttq_pkg::DROP_NONE && ln_hit;
    j_inc     = j_good && ln_kind == 2'd0;
    // Everything the frame needs is here, and its outputs can move.
    // (cut-through: and the frame's pre-decision, if it is asked for one, is in.)
    j_ready   = ln_v && vq_cnt_q != '0 && (!j_payload || pq_cnt_q != '0) && !j_ct_wait;
    j_free    = j_payload && !j_inc;  // a dropped or non-incremental packet gives its handle back
    j_go      = j_ready && (!j_inc || arb_in_r) && !(j_free && cmd_free);
    vq_pop    = j_go;
    pq_pop    = j_go && j_payload;
    fl_push   = cmd_free || (j_go && j_free);
    fl_push_h = cmd_free ? cmd_free_h : pr_h;
    // A flush record (end of input) goes out once nothing is waiting (then j_ready is low):
    // flush_left_q != 0, vq_cnt_q == 0, fr_in_q == 0 and !mid_frame_q, registered a cycle
    // ahead from their next values (fl_v_q) so that the record's channel is not behind them.
    fl_v      = fl_v_q;
    pk_v      = (j_ready && j_inc) || fl_v;
    pk_flush  = fl_v;
    pk_ch     = fl_v ? CH_W'(flush_left_q - 1'b1) : ln_ch[CH_W-1:0];
    pk_seq    = !fl_v && j_payload ? pr_seq : 32'd0;
    pk_h      = !fl_v && j_payload ? pr_h : H_NONE;
    pk_plaus  = !fl_v && j_payload && pr_plaus;
    pk_valid  = !fl_v && j_payload && pr_ok;
  end

  // fl_v_q: the flush condition of the next cycle, from the next values of its registers.
  logic fl_v_q, fl_left_d, vq_empty_d, fr_idle_d;
  always_comb begin
    fl_left_d  = flush || (flush_left_q != '0 &&
                           !(fl_v && arb_in_r && flush_left_q == (CH_W + 1)'(1)));
    vq_empty_d = !vq_push && (vq_cnt_q == '0 || (vq_cnt_q == (VQ_AW + 1)'(1) && vq_pop));
    // fr_in_q's next value is 0, knowing that fr_end (= vq_push) is low whenever it matters
    // (vq_empty_d needs !vq_push): no adder and no verdict handshake in front of fl_v_q.
    fr_idle_d  = (fr_start ? fr_in_q == 8'hFF : fr_in_q == '0) &&
                 !(in_beat ? !s_axis_frame_tlast : mid_frame_q);
  end
  always_ff @(posedge clk) begin
    fl_v_q <= !prst && fl_left_d && vq_empty_d && fr_idle_d;
    if (prst) begin
      flush_left_q <= '0;
    end else begin
      if (flush) flush_left_q <= (CH_W + 1)'(N_CH);
      else if (fl_v && arb_in_r) flush_left_q <= flush_left_q - 1'b1;
    end
  end
`ifndef SYNTHESIS
  // fl_v_q is the condition it replaces, computed from the registers of its own cycle.
  always_ff @(posedge clk) begin
    if (!prst) begin
      assert (fl_v_q == (flush_left_q != '0 && vq_cnt_q == '0 && fr_in_q == '0 && !mid_frame_q))
        else $error("ttq_core: fl_v_q differs from the flush condition");
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // A/B arbitration.
  logic                cmd_v, cmd_r;
  logic [2:0]          cmd_op;
  logic [CH_W-1:0]     cmd_ch;
  logic [31:0]         cmd_seq, cmd_count;
  logic [HANDLE_W-1:0] cmd_h;
  logic                cmd_fast;  // the command is the APPLY of the record taken last cycle

  // The cut-through pre-decision (section "Cut-through" below): asked for the join's frame once
  // every earlier frame has been joined (so its record, if any, was taken: the arbiter's
  // guarantee 1), and that frame's record waits for the answer (guarantee 2, j_ct_wait).
  logic                spq_v, spq_r, spa_v, spa_yes;
  logic [CH_W-1:0]     spq_ch;
  logic [31:0]         spq_seq;
  ttq_arbiter #(.N_CH(N_CH), .RING(8), .HANDLE_W(HANDLE_W)) u_arb (
    .clk, .rst(prst), .cfg_window(arb_window),
    .s_axis_pkt_tvalid(pk_v), .s_axis_pkt_tready(arb_in_r), .s_axis_pkt_flush(pk_flush),
    .s_axis_pkt_channel(pk_ch), .s_axis_pkt_seq(pk_seq), .s_axis_pkt_handle(pk_h),
    .s_axis_pkt_plausible(pk_plaus), .s_axis_pkt_valid(pk_valid),
    .s_axis_pkt_spec(j_spec && !fl_v),
    .s_axis_spec_tvalid(spq_v), .s_axis_spec_tready(spq_r), .s_axis_spec_channel(spq_ch),
    .s_axis_spec_seq(spq_seq), .m_spec_valid(spa_v), .m_spec_in_order(spa_yes),
    .m_axis_cmd_tvalid(cmd_v), .m_axis_cmd_tready(cmd_r), .m_axis_cmd_op(cmd_op),
    .m_axis_cmd_channel(cmd_ch), .m_axis_cmd_seq(cmd_seq), .m_axis_cmd_count(cmd_count),
    .m_axis_cmd_handle(cmd_h), .m_axis_cmd_fast(cmd_fast), .m_axis_cmd_spec(cmd_spec)
  );

  localparam logic [2:0] OP_APPLY = 3'd0, OP_GAP = 3'd1, OP_HOLD = 3'd2, OP_DROP_EARLY = 3'd3,
                         OP_DROP_DUP = 3'd4, OP_DROP_BAD = 3'd5, OP_RESTART = 3'd6;

  // ---------------------------------------------------------------------------------------------
  // Command side: APPLY replays a stored packet into ttq_apply (then frees it); GAP and RESTART
  // go to ttq_apply as control items; HOLD keeps the packet; a DROP frees it.
  typedef enum logic [1:0] {C_IDLE, C_REPLAY, C_FREE} cst_e;
  cst_e                cst_q;
  logic [HANDLE_W-1:0] rd_h_q;
  logic [IDX_W:0]      rd_i_q, rd_n_q;
  logic [CH_W-1:0]     rd_ch_q;
  logic                rd_issue, rd_first, rd_v_q, ap_take, ap_byp;
  // Speculative first read: as the join hands the arbiter a valid record while the command side
  // is idle, event 0 of its packet is read at once (rd_spec_q). If the arbiter decided the record
  // as it took it (cmd_fast: its APPLY is the command the next cycle), that read is the APPLY's
  // first event, on its way to ttq_apply in the APPLY's own cycle; otherwise it is dropped.
  logic                sp_go, rd_spec_q, sp_hit, rd_vld;
  // A packet of two or more events is replayed from event 1: its PKT_HDR (event 0) is not sent,
  // event 1 goes to ttq_apply as ctl 3 with seq_num = the packet's MsgSeqNum (the APPLY's), which
  // ttq_apply takes as PKT_HDR + event 1 in one item (docs/rtl_apply.md).
  logic                rd_hdr_q, rd_hdr, cmd_skip;
  logic [31:0]         rd_seq_q;
  ttq_pkg::mdp_ev_t    rd_ev;
  logic [EV_W-1:0]     rd_data_q;
  logic [SA_W-1:0]     rd_addr;
  logic [IDX_W:0]      cmd_n;  // events stored under the command's handle

  // Items for ttq_apply: {ctl, channel, event}. The oldest item is held in a register (of_hd_q,
  // valid while of_cnt_q != 0), the ones behind it in LUT RAM, so ttq_apply's input decode and
  // SecurityID lookup start from a register (or the read register on the bypass), not from a
  // LUT RAM read and a multiplexer behind it.
  localparam int unsigned OF_DEPTH = 4;
  localparam int unsigned OI_W = 2 + CH_W + EV_W;
  logic [OI_W-1:0] of_mem [OF_DEPTH];
  logic [OI_W-1:0] of_hd_q;   // the oldest item (of_cnt_q counts it)
  logic            of_hv_q;   // of_cnt_q != 0, as a register: the select in front of ttq_apply
  logic            of_hv_d, rd_v_d;  // of_hv_q's and rd_v_q's next values (also ap_sel_q's)
  logic [1:0]      of_wr_q, of_rd_q;
  logic [2:0]      of_cnt_q;
  logic            of_push, of_pop, of_m_push, of_m_pop;
  logic [OI_W-1:0] of_in;
  logic            ap_v, ap_r;

  logic            c_ctl_push;  // GAP / RESTART item from the command FSM
  logic [1:0]      c_ctl;
  ttq_pkg::mdp_ev_t c_ev;

  always_comb begin
    sp_hit  = rd_spec_q && cmd_fast && cst_q == C_IDLE;  // registers only (cmd_v is high)
    rd_vld  = rd_v_q && (!rd_spec_q || cmd_fast);
    // A read in flight goes straight to ttq_apply when the queue is empty (no queue cycle).
    ap_v    = of_cnt_q != '0 || rd_vld;
    ap_take = ap_v && ap_r;
    ap_byp  = of_cnt_q == '0 && rd_vld;
    of_pop  = ap_take && !ap_byp;
    cmd_n   = ev_cnt_mem[cmd_h];
    cmd_skip = cmd_n > (IDX_W + 1)'(1);
    // The queue must hold this read two cycles on: what it has, the read in flight, this one,
    // less what ttq_apply takes this cycle (later takes only help). The first read of a packet
    // is issued by C_IDLE as it takes the APPLY (rd_vld is low there), or, after a speculative
    // read that the APPLY confirms, the second one.
    rd_first = cst_q == C_IDLE && cmd_v && !rd_vld && cmd_op == OP_APPLY && !cmd_spec &&
               !cmd_blk && cmd_n != '0 && 32'(of_cnt_q) + 1 <= OF_DEPTH + 32'(ap_take);
    // C_REPLAY reads rd_i_q; so does a confirmed speculative read (rd_i_q set by it).
    rd_issue = rd_first || ((cst_q == C_REPLAY || sp_hit) && rd_i_q != rd_n_q &&
                            32'(of_cnt_q) + 32'(rd_vld) + 1 <= OF_DEPTH + 32'(ap_take));
    rd_addr  = cst_q == C_REPLAY || sp_hit ? {rd_h_q, rd_i_q[IDX_W-1:0]} :
               cmd_v ? {cmd_h, IDX_W'(cmd_skip)} : {pr_h, IDX_W'(pr_skip)};
    // This read is event 1 of a packet replayed from event 1 (its first item).
    rd_hdr   = cst_q == C_REPLAY || sp_hit ? rd_n_q > (IDX_W + 1)'(1) && rd_i_q == (IDX_W + 1)'(1) :
               cmd_v ? cmd_skip : pr_skip;
    rd_ev = rd_data_q;
    if (rd_hdr_q) rd_ev.seq_num = rd_seq_q;
    c_ctl_push = 1'b0;
    c_ctl      = 2'd0;
    c_ev       = ttq_pkg::MDP_EV_ZERO;
    cmd_r      = 1'b0;
    cmd_free   = 1'b0;
    cmd_free_h = cmd_h;
    case (cst_q)
      C_IDLE: if (sp_hit) begin
        cmd_r = 1'b1;  // the confirmed APPLY: its first event is in rd_data_q
      end else if (cmd_v && !rd_vld) begin
        // Cut-through: a speculated packet's APPLY was applied as it streamed: its handle is
        // freed, nothing replayed. While a speculated packet is open (cmd_blk) a command that
        // sends items to ttq_apply waits, so they follow that packet's items and verdict.
        case (cmd_op)
          OP_APPLY: begin
            cmd_r    = cmd_spec || !cmd_blk;
            cmd_free = cmd_spec && cmd_h != H_NONE;
          end
          OP_GAP, OP_RESTART: begin
            cmd_r = of_cnt_q != 3'(OF_DEPTH) && !cmd_blk;
            c_ctl_push = cmd_r;
            c_ctl = cmd_op == OP_GAP ? 2'd1 : 2'd2;
            c_ev.seq_num = cmd_seq;
            c_ev.rpt_seq = cmd_count;
          end
          OP_HOLD: cmd_r = 1'b1;
          default: begin  // the DROPs
            cmd_r    = 1'b1;
            cmd_free = cmd_h != H_NONE;
          end
        endcase
      end
      C_FREE: begin
        cmd_free   = 1'b1;
        cmd_free_h = rd_h_q;
      end
      default: ;
    endcase
    of_push = (rd_vld && !(ap_byp && ap_r)) || c_ctl_push;
    of_in   = rd_vld ? {rd_hdr_q ? 2'd3 : 2'd0, rd_ch_q, rd_ev} : {c_ctl, cmd_ch, c_ev};
    // A pushed item waits in the LUT RAM unless it becomes the oldest (queue empty, or its only
    // item taken this cycle); the head register refills from the LUT RAM when its item is taken.
    of_m_pop  = of_pop && of_cnt_q > 3'd1;
    of_m_push = of_push && of_cnt_q != '0 && !(of_pop && of_cnt_q == 3'd1);
  end
  // Apart from the block above (sp_go depends on it: one block would look like a loop).
  assign rd_v_d  = rd_issue || sp_go;
  // = (of_cnt_q + of_push - of_pop != 0), with ttq_apply's tready (late: F1's RptSeq check)
  // selecting last between the two precomputed cases (with the queue's count behind it, it was
  // one pin at 7 LUT levels in the whole core).
  assign of_hv_d = ap_r ? (of_cnt_q > 3'd1 || c_ctl_push || (of_cnt_q == 3'd1 && rd_vld))
                        : (of_cnt_q != '0 || rd_vld || c_ctl_push);

  // The join hands the arbiter a valid packet with events, nothing else is going on here.
  // (Not for a speculated record, whose APPLY is not replayed, nor while one is open.)
  assign sp_go   = j_go && j_inc && j_payload && pr_ok && pr_n_nz && cst_q == C_IDLE && !cmd_v &&
                   !rd_v_q && of_cnt_q != 3'(OF_DEPTH) && !j_spec && !cmd_blk;

  always_ff @(posedge clk) begin
    if (rd_issue || sp_go) begin
      rd_data_q <= ev_mem[rd_addr];
      rd_hdr_q  <= rd_hdr;
    end
    if (of_m_push) of_mem[of_wr_q] <= of_in;
    if (of_pop || of_cnt_q == '0) of_hd_q <= of_cnt_q > 3'd1 ? of_mem[of_rd_q] : of_in;
  end

  always_ff @(posedge clk) begin
    if (prst) begin
      cst_q    <= C_IDLE;
      rd_v_q   <= 1'b0;
      rd_spec_q <= 1'b0;
      of_wr_q  <= '0;
      of_rd_q  <= '0;
      of_cnt_q <= '0;
      of_hv_q  <= 1'b0;
      held_q   <= '0;
    end else begin
      rd_v_q    <= rd_v_d;
      rd_spec_q <= sp_go;
      // The join's record is copied whenever C_IDLE has no confirmed read to keep (not only at
      // sp_go, whose join decision would sit in front of these enables): only after sp_go is
      // the copy used (sp_hit), and an APPLY taken below overwrites it.
      if (cst_q == C_IDLE && !sp_hit) begin
        rd_h_q   <= pr_h;
        rd_ch_q  <= ln_ch[CH_W-1:0];
        rd_n_q   <= pr_n;
        rd_i_q   <= (IDX_W + 1)'(pr_skip) + (IDX_W + 1)'(1);  // the next read
        rd_seq_q <= pr_seq;
      end
      if (rd_issue && !rd_first) rd_i_q <= rd_i_q + 1'b1;
      case (cst_q)
        C_IDLE: if (sp_hit) begin
          // The first item was read speculatively; the next one (if any) is read now.
          held_q[cmd_h] <= 1'b0;
          cst_q   <= rd_i_q == rd_n_q || (rd_issue && rd_i_q + 1'b1 == rd_n_q) ? C_FREE : C_REPLAY;
        end else if (cmd_v && cmd_r) begin
          if (cmd_op == OP_APPLY && !cmd_spec) begin
            rd_h_q  <= cmd_h;
            rd_ch_q <= cmd_ch;
            rd_i_q  <= (IDX_W + 1)'(cmd_skip) + (IDX_W + 1)'(rd_first);
            rd_n_q  <= cmd_n;
            rd_seq_q <= cmd_seq;
            held_q[cmd_h] <= 1'b0;
            // A packet whose first item is also its last needs no C_REPLAY cycle.
            cst_q   <= rd_first && cmd_n == (IDX_W + 1)'(cmd_skip) + (IDX_W + 1)'(1) ?
                       C_FREE : C_REPLAY;
          end
          if (cmd_op == OP_HOLD) held_q[cmd_h] <= 1'b1;
        end
        C_REPLAY: if (rd_i_q == rd_n_q || (rd_issue && rd_i_q + 1'b1 == rd_n_q)) cst_q <= C_FREE;
        default: cst_q <= C_IDLE;  // C_FREE: the handle goes back this cycle
      endcase
      if (of_m_push) of_wr_q <= of_wr_q + 2'd1;
      if (of_m_pop) of_rd_q <= of_rd_q + 2'd1;
      of_cnt_q <= of_cnt_q + 3'(of_push) - 3'(of_pop);
      of_hv_q  <= of_hv_d;
    end
  end

`ifndef SYNTHESIS
  // of_hd_q / of_hv_q against a reference queue of every item pushed, popped in order (review:
  // the ingress heads have such a check, this one had none). Checked from the first reset on:
  // a simulation starts with random registers.
  logic [OI_W-1:0] of_ref_q [OF_DEPTH];
  logic [1:0]      of_ref_rd_q, of_ref_wr_q;
  logic            of_ref_on_q = 1'b0;
  always_ff @(posedge clk) begin
    if (prst) begin
      of_ref_rd_q <= '0;
      of_ref_wr_q <= '0;
      of_ref_on_q <= 1'b1;
    end else begin
      if (of_push) begin
        of_ref_q[of_ref_wr_q] <= of_in;
        of_ref_wr_q <= of_ref_wr_q + 2'd1;
      end
      if (of_pop) of_ref_rd_q <= of_ref_rd_q + 2'd1;
      if (of_ref_on_q) begin
        assert (of_hv_q == (of_cnt_q != '0))
          else $error("ttq_core: of_hv_q differs from of_cnt_q != 0");
        assert (of_cnt_q == '0 || of_hd_q == of_ref_q[of_ref_rd_q])
          else $error("ttq_core: of_hd_q differs from the item queue's oldest item");
      end
    end
  end
`endif


  // ---------------------------------------------------------------------------------------------
  // Cut-through (mode 1; docs/rtl_core.md "Cut-through mode"). Three parts:
  //  - the frame queue (fq_*): one entry per input frame, in frame order, written by three
  //    producers at their own pointers (the header lookup: queried?, channel, seq; the l2l4
  //    verdict: reason, payload) and read by two consumers (the join, which asks the arbiter's
  //    pre-decision for its frame and waits for it; the speculated-event queue, which finds the
  //    frame of each framer packet);
  //  - the speculated-event queue (sq_*): every framer event, in order, next to the packet store.
  //    A packet pre-decided in order goes to ttq_apply from here, tagged spec, message by message:
  //    a message's events are released by its MSG_END (the model applies only the messages
  //    before the first bad one, whole), the events of a message that never ends (malformed,
  //    cut) are dropped at PKT_END, which becomes the verdict pulse. Other packets are skipped;
  //  - ordering with the command side: while a speculated packet is open (pre-decided yes, its
  //    verdict not yet given) the command side takes no command that sends items (cmd_blk), and
  //    the packet's items start only once the command side has sent every earlier item.
  localparam int unsigned FQ_DEPTH = 32;
  localparam int unsigned FQ_AW = $clog2(FQ_DEPTH);
  localparam int unsigned FQ_PW = FQ_AW + 2;  // pointer: one bit more than a lap, for "before"
  // SQ_DEPTH >= EV_PER_PKT + 1 (a whole stored packet and its PKT_END; proof at the queue).
  localparam int unsigned SQ_DEPTH = 2 * EV_PER_PKT;
  localparam int unsigned SQ_AW = $clog2(SQ_DEPTH);

  assign ct_rst = prst || !cut_through;

  logic             fq_q_q [FQ_DEPTH];    // asked: header ok, line hit, incremental
  logic             fq_yes_q [FQ_DEPTH];  // the answer (valid once the join has passed it)
  logic [CH_W-1:0]  fq_ch_q [FQ_DEPTH];
  logic [31:0]      fq_seq_q [FQ_DEPTH];
  logic             fq_pay_q [FQ_DEPTH];  // the l2l4 verdict's payload bit
  logic [3:0]       fq_rs_q [FQ_DEPTH];   // and its reason
  logic [FQ_PW-1:0] fq_wr_q, fq_vd_q, fq_jn_q, fq_pk_q;
  logic [FQ_AW-1:0] fq_jn_i, fq_pk_i;
  logic             jn_has, jn_q, hd_sent_q, hd_ans_v_q, hd_ans_q;
  logic             pk_has, pk_vd, pk_ans, pk_yes;
  // pk_vd as a register (the queue's frame has its l2l4 verdict: fq_vd_q - fq_pk_q in
  // [1, FQ_DEPTH]), loaded from the pointers' steps (vq_push, pk_adv), so that the verdict pulse
  // and the reader's decisions (in front of ttq_apply's tready and the queue's pop) do not start
  // at a subtract (2026-11-30, helper h2: fq_vd_q -> sq_vd_v -> ttq_apply's tready -> sq_pop ->
  // sq_hd_q was the cut-through build's deepest cone, 8 LUT levels).
  logic             pk_vd_q, pk_adv;
  logic [FQ_PW-1:0] pk_to_vd_p1, pk_to_vd_m1;
  logic [FQ_PW-1:0] pk_to_jn, pk_to_vd;

  assign fq_jn_i  = fq_jn_q[FQ_AW-1:0];
  assign fq_pk_i  = fq_pk_q[FQ_AW-1:0];
  assign pk_to_jn = fq_jn_q - fq_pk_q;
  assign pk_to_vd = fq_vd_q - fq_pk_q;
  assign pk_to_vd_p1 = pk_to_vd + 1'b1;
  assign pk_to_vd_m1 = pk_to_vd - 1'b1;
  always_ff @(posedge clk) begin
    if (ct_rst) pk_vd_q <= 1'b0;
    else if (vq_push && !pk_adv) pk_vd_q <= pk_to_vd_p1 != '0 && pk_to_vd_p1 <= FQ_PW'(FQ_DEPTH);
    else if (pk_adv && !vq_push) pk_vd_q <= pk_to_vd_m1 != '0 && pk_to_vd_m1 <= FQ_PW'(FQ_DEPTH);
    else pk_vd_q <= pk_to_vd != '0 && pk_to_vd <= FQ_PW'(FQ_DEPTH);
  end
  always_comb begin
    jn_has = fq_wr_q != fq_jn_q;  // the join's frame has its header answer
    jn_q   = jn_has && fq_q_q[fq_jn_i];
    // The join's frame: asked, not answered yet. Its record (or drop) waits.
    j_ct_wait = cut_through && (!jn_has || (fq_q_q[fq_jn_i] && !hd_ans_v_q));
    j_spec    = cut_through && hd_ans_v_q && hd_ans_q;
    spq_v     = cut_through && jn_q && !hd_sent_q && !hd_ans_v_q;
    spq_ch    = fq_ch_q[fq_jn_i];
    spq_seq   = fq_seq_q[fq_jn_i];
    // The speculated-event queue's frame (fq_pk_q): known, answered, verdict in.
    pk_has = fq_wr_q != fq_pk_q;
    pk_vd  = pk_vd_q;
    pk_ans = (pk_to_jn != '0 && pk_to_jn <= FQ_PW'(FQ_DEPTH)) || (pk_to_jn == '0 && hd_ans_v_q);
    pk_yes = pk_to_jn == '0 ? hd_ans_q : fq_yes_q[fq_pk_i];
  end

  always_ff @(posedge clk) begin
    if (hl_v) begin
      fq_q_q[fq_wr_q[FQ_AW-1:0]]   <= hl_user[32] && hl_hit && hl_kind == 2'd0;
      fq_ch_q[fq_wr_q[FQ_AW-1:0]]  <= hl_ch[CH_W-1:0];
      fq_seq_q[fq_wr_q[FQ_AW-1:0]] <= hl_user[31:0];
    end
    if (vq_push) begin
      fq_pay_q[fq_vd_q[FQ_AW-1:0]] <= vd_data[7];
      fq_rs_q[fq_vd_q[FQ_AW-1:0]]  <= vd_data[3:0];
    end
    if (spa_v) fq_yes_q[fq_jn_i] <= spa_yes;
  end

  // Input hold (the frame queue has no back-pressure: a header record is written as it comes).
  // fq_in_q counts the frames begun into ttq_l2l4; every one of them gets its entry (header
  // record, verdict) at or after its first beat, so the entries in use are at most
  // D = fq_in_q - min(fq_pk_q, fq_jn_q) (fq_pk_q and fq_jn_q never pass fq_wr_q <= fq_in_q).
  // Invariant D <= FQ_DEPTH - 2 (the assertions below keep 2 spare): a frame starts in cycle t
  // only if ct_in_hold_q = (D(t-1) >= FQ_DEPTH - 3) was low, so D(t) <= D(t-1) + 1 <= FQ_DEPTH - 3
  // and D(t+1) <= FQ_DEPTH - 2; with the hold high D does not grow (the readers only advance).
  // The hold acts only at a frame's first beat (mid_frame_q), never inside a frame, and it is
  // released as the join and the speculated-event queue's reader move on, which need no later
  // frame. Back to back at 1 beat/cycle the queue stays far below it (tb_core in cut-through mode:
  // 0 input stall cycles).
  logic [FQ_PW-1:0] fq_in_q, fq_in_pk, fq_in_jn;
  logic             ct_in_hold_q;
  assign fq_in_pk   = fq_in_q - fq_pk_q;
  assign fq_in_jn   = fq_in_q - fq_jn_q;
  assign ct_in_hold = ct_in_hold_q;
  always_ff @(posedge clk) begin
    if (ct_rst) begin
      fq_in_q      <= '0;
      ct_in_hold_q <= 1'b0;
    end else begin
      if (fr_start) fq_in_q <= fq_in_q + 1'b1;
      ct_in_hold_q <= fq_in_pk >= FQ_PW'(FQ_DEPTH - 3) || fq_in_jn >= FQ_PW'(FQ_DEPTH - 3);
    end
  end

  always_ff @(posedge clk) begin
    if (ct_rst) begin
      fq_wr_q    <= '0;
      fq_vd_q    <= '0;
      fq_jn_q    <= '0;
      hd_sent_q  <= 1'b0;
      hd_ans_v_q <= 1'b0;
      hd_ans_q   <= 1'b0;
    end else begin
      if (hl_v) fq_wr_q <= fq_wr_q + 1'b1;
      if (vq_push) fq_vd_q <= fq_vd_q + 1'b1;
      if (vq_pop) begin
        fq_jn_q    <= fq_jn_q + 1'b1;
        hd_sent_q  <= 1'b0;
        hd_ans_v_q <= 1'b0;
        hd_ans_q   <= 1'b0;
      end else begin
        if (spq_v && spq_r) hd_sent_q <= 1'b1;
        if (spa_v) begin
          hd_ans_v_q <= 1'b1;
          hd_ans_q   <= spa_yes;
        end
      end
    end
  end

  // Speculated-event queue. Writer: every event the store stores, and PKT_END. Every event is
  // released as it is written: ttq_apply takes each one as the framer gives it (straight
  // through when the queue is empty), so a message's publication follows its last entry by a
  // fixed number of cycles. (Until 2026-11-30 a packet's events after its last MSG_END or
  // PKT_HDR were held until the next MSG_END and an unfinished message was dropped at PKT_END, so
  // the model's whole-message rule held in the queue: the hold cost one cycle per book entry. Now a message that
  // never ends is undone by its packet's bad verdict -- the framer's err at PKT_END, or the
  // oversize flag -- and ttq_apply adds a speculated message's counts only at its MSG_END,
  // docs/rtl_apply.md "Counters of speculated packets".)
  // No hang (SQ_DEPTH >= EV_PER_PKT + 1): a packet P takes at most EV_PER_PKT + 1 entries (above).
  // The writer waits (sq_room low) only with SQ_DEPTH entries in the queue. While the reader is
  // at P (Q_ID: waiting for P's frame's answer or verdict; Q_SPEC: offering P's items) everything
  // in the queue is P's or later, so a full queue holds P's PKT_END, and what the reader needs to
  // finish P (the answer, the l2l4 verdict of P's frame, ttq_apply's tready) needs no later
  // event. Inside P the writer never waits: P's entries before its PKT_END are at most
  // EV_PER_PKT < SQ_DEPTH. In Q_SKIP the reader takes every entry.
  logic [EV_W:0]    sq_mem [SQ_DEPTH];   // {ok (PKT_END: err == OK and not oversize), event}
  logic [SQ_AW:0]   sq_wr_q, sq_hp_q;  // write, head
  logic [EV_W:0]    sq_in;
  // The head is a register (sq_hd_q = sq_mem[sq_hp_q] whenever the queue is not empty, loaded
  // a cycle ahead like the ingress heads, a write landing at the head forwarded), and so is the
  // speculated packet's channel (sq_ch_q, its frame's, loaded as the reader enters Q_SPEC): the
  // item ttq_apply takes in cut-through mode and the reader's decisions start from registers,
  // not from a LUT-RAM read (which was in front of ttq_apply's input decode and RptSeq check:
  // the whole core's only 8-LUT-level paths, docs/synthesis.md). No cycle is added: the register
  // holds in each cycle what the RAM read gave.
  logic [EV_W:0]    sq_hd_q, sq_h1_q;
  logic [SQ_AW:0]   sq_hp1_q, sq_hp2_q;  // sq_hp_q + 1, + 2 (the RAM's read address: a register)
  logic [CH_W-1:0]  sq_ch_q;
  logic             sq_push, sq_now, sq_fw_hd, sq_fw_h1;
  logic             sq_at1, sq_at2;  // the write lands at sq_hp_q + 1, + 2
  // The queue is empty (sq_wr_q == sq_hp_q) as a register: the select of the item offered.
  logic             sq_emp_q, sq_emp_d;
  ttq_pkg::mdp_ev_t sq_ev;
  /* verilator lint_off UNUSEDSIGNAL */
  ttq_pkg::mdp_ev_t sq_hd_ev;  // (its kind only: the PKT_END test)
  /* verilator lint_on UNUSEDSIGNAL */

  typedef enum logic [1:0] {Q_ID, Q_SPEC, Q_SKIP} sqst_e;
  sqst_e            sq_st_q;
  logic             sq_sent_q;           // an item of the open speculated packet went
  logic [7:0]       sp_open_q;           // speculated packets answered yes, verdict not given
  logic             sq_pop, sq_fin, sq_vd_v, sq_vd_ok, sq_item, sq_end, sq_rel, cmd_idle;

  // The room test is a register (sq_room_q = !cut_through || sq_wr_q - sq_hp_q < SQ_DEPTH),
  // loaded from this cycle's push and pop with the fill compared against registers only: the
  // subtract and compare were in front of the framer's tready, ev_take, the push and the pop
  // (2026-11-30, helper h2: sq_hp_q -> sq_room -> ... -> sq_pop -> the RAM's read address was the
  // cut-through build's only 8-LUT-level path). Same value, no cycle added.
  logic             sq_room_q, sq_room_d, sq_lt_dm1;
  assign sq_room   = sq_room_q;
  // Fill < SQ_DEPTH - 1: a push alone leaves room; a pop alone always does (fill <= SQ_DEPTH).
  assign sq_lt_dm1 = (sq_wr_q - sq_hp_q) < (SQ_AW + 1)'(SQ_DEPTH - 1);
  assign sq_room_d = sq_push == sq_pop ? sq_room_q : sq_pop || sq_lt_dm1;
  // Like the packet store, the queue takes a packet's first EV_PER_PKT events and its PKT_END
  // only (an oversize packet's PKT_END is not ok: its verdict undoes it; the messages that ended
  // within the first EV_PER_PKT events were applied, a cut one counts nothing in ttq_apply).
  assign sq_push   = cut_through && ev_take && (ev_last || !wr_idx_q[IDX_W]);
  assign sq_in     = {ev_in.err == ttq_pkg::MDP_OK && !wr_over_q, ev_data};
  // Where the write lands, against registers only.
  assign sq_at1    = sq_wr_q == sq_hp1_q;
  assign sq_at2    = sq_wr_q == sq_hp2_q;
  assign sq_fw_hd  = sq_push && (sq_pop ? sq_at1 : sq_emp_q);
  assign sq_fw_h1  = sq_push && (sq_pop ? sq_at2 : sq_at1);
  // The item offered: the head, or with the queue empty the framer's event of this cycle
  // (straight through: written and popped in the same cycle, below).
  assign sq_ev     = sq_emp_q ? ev_data : sq_hd_q[EV_W-1:0];
  assign sq_hd_ev  = sq_hd_q[EV_W-1:0];

  // Two registers in front of the RAM (after the review's synthesis finding and helper h2's
  // whole-core synthesis, 2026-11-30): sq_hd_q = sq_mem[sq_hp_q] and sq_h1_q = sq_mem[sq_hp_q + 1]
  // whenever those entries are in the queue. A pop moves sq_h1_q into the head and loads sq_h1_q
  // from the RAM at sq_hp2_q, a register: the pop decision selects the RAM's output, it is not in
  // front of its 256-deep read (with sq_hd_q alone, read at sq_hp_q + 1 under the pop, yosys
  // made the read address pop ? head + 1 : head). A write landing at the next head / the entry
  // after it is forwarded (the queue empty or holding one or two entries).
  always_ff @(posedge clk) begin
    if (sq_push) sq_mem[sq_wr_q[SQ_AW-1:0]] <= sq_in;
    if (sq_fw_hd) sq_hd_q <= sq_in;
    else if (sq_pop) sq_hd_q <= sq_h1_q;
    if (sq_fw_h1) sq_h1_q <= sq_in;
    else if (sq_pop) sq_h1_q <= sq_mem[sq_hp2_q[SQ_AW-1:0]];
    if (sq_st_q == Q_ID) sq_ch_q <= fq_ch_q[fq_pk_i];
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!ct_rst) begin
      assert (sq_hp_q == sq_wr_q || sq_hd_q == sq_mem[sq_hp_q[SQ_AW-1:0]])
        else $error("ttq_core: sq_hd_q differs from the speculated-event queue's head");
      assert (sq_wr_q - sq_hp_q < (SQ_AW + 1)'(2) || sq_h1_q == sq_mem[sq_hp1_q[SQ_AW-1:0]])
        else $error("ttq_core: sq_h1_q differs from the entry after the queue's head");
      assert (sq_emp_q == (sq_wr_q == sq_hp_q))
        else $error("ttq_core: sq_emp_q differs from sq_wr_q == sq_hp_q");
      assert (sq_room_q == (sq_wr_q - sq_hp_q < (SQ_AW + 1)'(SQ_DEPTH)))
        else $error("ttq_core: sq_room_q differs from sq_wr_q - sq_hp_q < SQ_DEPTH");
      assert (sq_wr_q - sq_hp_q <= (SQ_AW + 1)'(SQ_DEPTH))
        else $error("ttq_core: speculated-event queue overflow");
      assert (pk_vd_q == (pk_to_vd != '0 && pk_to_vd <= FQ_PW'(FQ_DEPTH)))
        else $error("ttq_core: pk_vd_q differs from the frame queue's verdict pointer");
      // No PKT_END is ever offered to ttq_apply (it ends the packet in the reader).
      assert (!(sq_off && sq_ev.kind == ttq_pkg::MDP_EV_PKT_END))
        else $error("ttq_core: a PKT_END offered to ttq_apply");
      assert (sq_hp1_q == sq_hp_q + (SQ_AW + 1)'(1) && sq_hp2_q == sq_hp_q + (SQ_AW + 1)'(2))
        else $error("ttq_core: sq_hp1_q / sq_hp2_q differ from sq_hp_q + 1 / + 2");
      assert (sq_st_q != Q_SPEC || sq_ch_q == fq_ch_q[fq_pk_i])
        else $error("ttq_core: sq_ch_q differs from the speculated packet's channel");
    end
  end
`endif

  // Reader.
  always_comb begin
    sq_end   = sq_hd_ev.kind == ttq_pkg::MDP_EV_PKT_END;  // (used with sq_rel: not empty)
    sq_rel   = !sq_emp_q;                       // an item is at the head (every one is released)
    // The queue empty, the framer's event of this cycle goes straight through (not a PKT_END,
    // which ends the packet in the reader once it is at the head).
    sq_now   = sq_push && !ev_last;
    // The command side has sent every item of the commands it took.
    cmd_idle = cst_q == C_IDLE && of_cnt_q == '0 && !rd_v_q;
    // The head item goes to ttq_apply, or with the queue empty the framer's event in the cycle
    // it is produced (sq_ev). (A PKT_END at the head is never passed: the packet ends there.)
    sq_off   = sq_st_q == Q_SPEC && (sq_rel ? !sq_end : sq_now) && cmd_idle;
    // PKT_END of a speculated packet, its frame's l2l4 verdict in: the verdict pulse (when an
    // item went; a packet that sent none opened no window).
    sq_vd_v  = sq_st_q == Q_SPEC && sq_rel && sq_end && pk_vd && sq_sent_q;
    sq_vd_ok = sq_hd_q[EV_W] && fq_rs_q[fq_pk_i] == ttq_pkg::DROP_NONE;
    sq_fin   = (sq_st_q == Q_SPEC && sq_rel && sq_end && pk_vd) ||
               (sq_st_q == Q_SKIP && !sq_emp_q && sq_end);
  end
  // Apart from the block above: ttq_apply's tready depends on the verdict pulse (no loop, but one
  // always block would look like one).
  assign sq_item = sq_off && ap_r;
  // fq_pk_q steps: a frame that streamed no payload (Q_ID), or the packet finished.
  assign pk_adv  = sq_st_q == Q_ID ? pk_has && !fq_q_q[fq_pk_i] && pk_vd && !fq_pay_q[fq_pk_i] :
                                     sq_fin;
  assign sq_pop  = sq_item || sq_fin || (sq_st_q == Q_SKIP && !sq_emp_q && !sq_end);
  // Empty after this cycle (ct_rst: empty): written and popped at once (the event went straight
  // through), or one entry popped and none written.
  assign sq_emp_d = ct_rst || (sq_push ? sq_emp_q && sq_pop : sq_pop ? sq_at1 : sq_emp_q);

  always_ff @(posedge clk) begin
    if (ct_rst) begin
      sq_wr_q   <= '0;
      sq_hp_q   <= '0;
      sq_emp_q  <= 1'b1;
      sq_room_q <= 1'b1;
      sq_hp1_q  <= (SQ_AW + 1)'(1);
      sq_hp2_q  <= (SQ_AW + 1)'(2);
      sq_st_q   <= Q_ID;
      sq_sent_q <= 1'b0;
      sp_open_q <= '0;
      fq_pk_q   <= '0;
    end else begin
      if (sq_push) sq_wr_q <= sq_wr_q + 1'b1;
      sq_room_q <= sq_room_d;
      sq_emp_q <= sq_emp_d;
      if (sq_pop) begin
        sq_hp_q  <= sq_hp_q + 1'b1;
        sq_hp1_q <= sq_hp1_q + 1'b1;
        sq_hp2_q <= sq_hp2_q + 1'b1;
      end
      if (sq_item) sq_sent_q <= 1'b1;
      sp_open_q <= sp_open_q + 8'(spa_v && spa_yes) - 8'(sq_fin && sq_st_q == Q_SPEC);
      unique case (sq_st_q)
        Q_ID: if (pk_has) begin
          // The next framer packet belongs to the first frame from fq_pk_q on that streamed a
          // payload: a frame that was asked did (its header passed); another one's verdict says.
          if (fq_q_q[fq_pk_i]) begin
            if (pk_ans) sq_st_q <= pk_yes ? Q_SPEC : Q_SKIP;
          end else if (pk_vd) begin
            if (fq_pay_q[fq_pk_i]) sq_st_q <= Q_SKIP;
          end
        end
        default: if (sq_fin) begin
          sq_st_q   <= Q_ID;
          sq_sent_q <= 1'b0;
        end
      endcase
      if (pk_adv) fq_pk_q <= fq_pk_q + 1'b1;
    end
  end
  assign cmd_blk = sp_open_q != '0;

  // CONFIG turns wait while a speculated packet is open or its window in ttq_apply / ttq_book is
  // (ttq_book's journal cannot undo a CONFIG op; the model's set_params comes between frames):
  // from the answer to ttq_book's commit, or to the end of its undo walk.
  logic win_q, win_undo_q;
  always_ff @(posedge clk) begin
    if (ct_rst) begin
      win_q      <= 1'b0;
      win_undo_q <= 1'b0;
    end else begin
      if (sq_item) win_q <= 1'b1;
      if (ap_j_undo) win_undo_q <= 1'b1;
      if (ap_j_commit || (win_undo_q && !bk_j_busy)) begin
        win_q      <= 1'b0;
        win_undo_q <= 1'b0;
      end
    end
  end
  assign ct_cfg_hold = sp_open_q != '0 || win_q;
  assign ct_busy = fq_wr_q != fq_jn_q || fq_wr_q != fq_pk_q || !sq_emp_q ||
                   sq_st_q != Q_ID || sp_open_q != '0 || win_q;

`ifndef SYNTHESIS
  // An item of the open speculated packet went since its last PKT_HDR or MSG_END: that packet's
  // verdict must be bad (ttq_apply's counters and the undo rest on it; checked below).
  logic sq_mopen_q;
  always_ff @(posedge clk) begin
    if (ct_rst || sq_fin) sq_mopen_q <= 1'b0;
    else if (sq_item) sq_mopen_q <= sq_ev.kind != ttq_pkg::MDP_EV_MSG_END &&
                                    sq_ev.kind != ttq_pkg::MDP_EV_PKT_HDR;
  end
`endif

`ifndef SYNTHESIS
  // The assumptions this section rests on, checked in every cut-through simulation.
  always_ff @(posedge clk) begin
    if (!ct_rst) begin
      assert (!(hl_v && fq_wr_q - fq_pk_q >= FQ_PW'(FQ_DEPTH - 2)) &&
              !(hl_v && fq_wr_q - fq_jn_q >= FQ_PW'(FQ_DEPTH - 2)))
        else $error("ttq_core: cut-through frame queue overflow");
      assert (fq_in_pk <= FQ_PW'(FQ_DEPTH - 2) && fq_in_jn <= FQ_PW'(FQ_DEPTH - 2))
        else $error("ttq_core: more frames in flight than the input hold allows");
      // A frame whose header passed streams its payload (docs/rtl_l2l4.md, contract 3).
      assert (!(vq_push && fq_vd_q != fq_wr_q && fq_q_q[fq_vd_q[FQ_AW-1:0]] && !vd_data[7]))
        else $error("ttq_core: a frame asked for a pre-decision sent no payload");
      // No command that sends items is taken while a speculated packet is open.
      assert (!(cmd_blk && cmd_v && cmd_r && !cmd_spec &&
                (cmd_op == OP_APPLY || cmd_op == OP_GAP || cmd_op == OP_RESTART)))
        else $error("ttq_core: a command with items taken while a speculated packet is open");
      assert (!(sq_off && (of_cnt_q != '0 || rd_vld)))
        else $error("ttq_core: speculated and replayed items offered together");
      assert (!(sq_vd_v && sq_vd_ok && sq_mopen_q))
        else $error("ttq_core: good verdict after a speculated message without MSG_END");
    end
  end
`endif

  // ---------------------------------------------------------------------------------------------
  // Apply, book, quoter. ttq_apply's items: the command side's, or (cut-through) a speculated
  // packet's, never both offered (sq_off waits for the command side to be idle).
  // The select is registers only (no valid in front of ttq_apply's input decode): the command
  // side offers an item only with of_hv_q or rd_v_q (ap_v), and sq_off only with neither
  // (cmd_idle); with neither, the speculated-event queue's item is on the input.
  // The select is two registers (ap_sel_q, loaded from of_hv_q's, rd_v_q's and sq_emp_q's next
  // values), so that each bit of the item is one 4:1 multiplexer (a LUT6) in front of the
  // SecurityID compares: with the four selects it was two LUT levels, and the lookup into F1's
  // slot register (op_d, last_rpt_mem's read address) was 7 (2026-11-30, helper h2). When no
  // side offers an item the select is don't-care (ttq_apply loads nothing valid), so
  // `!cut_through` is not in it (the default build, CUT_THROUGH = 0, has no speculated side).
  //   ap_sel_q[1] = of_hv_q || rd_v_q              (the command side's item)
  //   ap_sel_q[0] = of_hv_q || (!rd_v_q && sq_emp_q) (of_hd_q / the read; ev_data / sq_hd_q)
  logic [OI_W-1:0] ap_item;
  logic [1:0]      ap_sel_q;
  always_ff @(posedge clk) begin
    if (prst) ap_sel_q <= 2'b01;
    else ap_sel_q <= {of_hv_d || rd_v_d, of_hv_d || (!rd_v_d && sq_emp_d)};
  end
  always_comb begin
    unique case ({CUT_THROUGH == 0 || ap_sel_q[1], ap_sel_q[0]})
      2'b11:   ap_item = of_hd_q;
      2'b10:   ap_item = {rd_hdr_q ? 2'd3 : 2'd0, rd_ch_q, rd_ev};
      2'b01:   ap_item = {2'd0, sq_ch_q, ev_data};
      default: ap_item = {2'd0, sq_ch_q, sq_hd_q[EV_W-1:0]};
    endcase
  end
`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!prst) begin
      assert (ap_sel_q == {of_hv_q || rd_v_q, of_hv_q || (!rd_v_q && sq_emp_q)})
        else $error("ttq_core: ap_sel_q differs from of_hv_q / rd_v_q / sq_emp_q");
      // The item ttq_apply takes is the one the old four-select multiplexer gave.
      assert (!(ap_v || sq_off) || ap_item == ((of_hv_q || rd_v_q || !cut_through) ?
              (of_hv_q ? of_hd_q : {rd_hdr_q ? 2'd3 : 2'd0, rd_ch_q, rd_ev}) :
              {2'd0, sq_ch_q, sq_ev}))
        else $error("ttq_core: ttq_apply's item differs from the selected side's");
    end
  end
`endif

  logic                          op_v, op_r, res_v, res_r, req_v, req_r, qres_v, qres_r;
  logic                          bk_op_v, bk_op_r, bk_res_v, bk_res_r;
  logic [ttq_pkg::BOOK_OP_W-1:0]  op_d;
  logic [ttq_pkg::BOOK_RES_W-1:0] res_d;
  logic [15:0]  req_slot;
  logic [31:0]  req_seq, req_sid, req_bsz, req_asz, req_pbsz, req_pasz;
  logic [63:0]  req_bpx, req_apx, req_pbpx, req_papx;
  logic [7:0]   req_pull, req_pflags;
  ttq_regs_pkg::slot_cfg_t req_cfg;
  logic [ttq_pkg::QUOTE_REC_W-1:0] qres_d, q_d;
  logic [1:0]   qres_u;
  logic         q_v, q_r, apply_busy;
  logic [15:0]  c_book, c_stale, c_unknown;  // counts of a cycle (a speculated message's at once)

  logic ap_op_spec, ap_j_commit, ap_j_undo, bk_j_busy;  // cut-through journal
  ttq_apply #(.N_INSTR(N_INSTR), .N_CH(N_CH)) u_apply (
    .clk, .rst(prst), .kill, .cfg_commit(cm3_q), .cfg_commit_slot(cm3_slot_q),
    .slot_cfg(slot_cfg_q), .slot_channel(slot_ch_q),
    .s_axis_ev_tvalid(ap_v || sq_off), .s_axis_ev_tready(ap_r),
    .s_axis_ev_tdata(ap_item[EV_W-1:0]),
    .s_axis_ev_ctl(ap_item[OI_W-1 -: 2]), .s_axis_ev_channel(ap_item[EV_W +: CH_W]),
    // Cut-through (ttq_apply's undo journal): a speculated packet's items and its verdict.
    .s_axis_ev_spec(sq_off), .spec_verdict_v(sq_vd_v), .spec_verdict_ok(sq_vd_ok),
    .m_axis_op_tspec(ap_op_spec), .book_j_commit(ap_j_commit), .book_j_undo(ap_j_undo),
    .book_j_busy(bk_j_busy),
    .m_axis_op_tvalid(op_v), .m_axis_op_tready(op_r), .m_axis_op_tdata(op_d),
    .s_axis_res_tvalid(res_v), .s_axis_res_tready(res_r), .s_axis_res_tdata(res_d),
    .m_axis_req_tvalid(req_v), .m_axis_req_tready(req_r), .m_axis_req_slot(req_slot),
    .m_axis_req_seq(req_seq), .m_axis_req_security_id(req_sid),
    .m_axis_req_bid_px(req_bpx), .m_axis_req_ask_px(req_apx),
    .m_axis_req_bid_sz(req_bsz), .m_axis_req_ask_sz(req_asz), .m_axis_req_pull(req_pull),
    .m_axis_req_cfg(req_cfg),
    .m_axis_req_prev_bid_px(req_pbpx), .m_axis_req_prev_ask_px(req_papx),
    .m_axis_req_prev_bid_sz(req_pbsz), .m_axis_req_prev_ask_sz(req_pasz),
    .m_axis_req_prev_flags(req_pflags),
    .s_axis_qres_tvalid(qres_v), .s_axis_qres_tready(qres_r), .s_axis_qres_tdata(qres_d),
    .s_axis_qres_tuser(qres_u),
    .m_axis_quote_tvalid(q_v), .m_axis_quote_tready(q_r), .m_axis_quote_tdata(q_d),
    .top_we, .top_slot, .top_flags, .top_tob,
    .cnt_book_entry(c_book), .cnt_stale_event(c_stale), .cnt_unknown_instr(c_unknown),
    .busy(apply_busy)
  );

  // Book configuration: each slot's depths (MbpBook::configure) go to ttq_book as a CONFIG op
  // after every commit of the slot and after a (soft) reset, between ttq_apply's ops. The book
  // answers every op in order; a FIFO of owner bits sends ttq_apply only the answers to its own.
  // A configuration op takes a turn: chosen (its pending bit cleared, the op registered) in a
  // cycle ttq_apply offers no op, sent in the next, while ttq_apply's op waits; so the turn is a
  // register (ttq_apply's op valid is logic of its F1 stage). The CONFIG op goes on ttq_book's
  // own CONFIG port (s_axis_op_cfg = the turn): ttq_apply's op stays on tdata unmultiplexed,
  // so the book's c0 precompute of a side entry starts at ttq_apply's F1 registers (the
  // multiplexer in front of it was the whole core's deepest path, 8 LUT levels).
  localparam int unsigned OW_DEPTH = 8;  // ops in flight in ttq_book (pipeline + skid) < 8
  logic [N_INSTR-1:0] bc_pend_q;         // slots whose depths the book has not been sent
  logic               bc_go, bc_any;
  logic [15:0]        bc_slot;
  ttq_regs_pkg::slot_cfg_t bc_cfg;
  logic [OW_DEPTH-1:0] ow_q;              // owner of each op in flight: 1 = configuration
  logic [3:0]          ow_cnt_q;
  logic                ow_full, ow_push, ow_pop;
  logic [15:0]         bc_slot_q;          // the CONFIG op of the turn: slot, depths
  logic [7:0]          bc_dep_q, bc_idep_q;
  logic                bc_turn_q;          // bc_*_q go to the book (CONFIG port) this cycle
  logic [N_INSTR-1:0]  bc_slot_oh_q;       // its slot: pending again if it does not go
  logic                bc_boot_q;          // after a reset until every slot's op has gone

  always_comb begin
    bc_any  = bc_pend_q != '0;
    bc_slot = '0;
    bc_cfg  = '0;
    // The lowest pending slot and its configuration: constant slices only (a variable index
    // times the 538-bit width became a multiplier and a barrel shifter in synthesis).
    for (int i = NI - 1; i >= 0; i--) begin
      if (bc_pend_q[i]) begin
        bc_slot = 16'(i);
        bc_cfg  = slot_cfg_q[i*CFG_W +: CFG_W];
      end
    end
    ow_full = ow_cnt_q == 4'(OW_DEPTH);
    res_v    = bk_res_v && !ow_q[0];
    bk_res_r = ow_q[0] || res_r;
    ow_push  = bk_op_v && bk_op_r;
    ow_pop   = bk_res_v && bk_res_r;
  end

  // A configuration op is chosen when ttq_apply offers none (a slot out of service is skipped:
  // chosen, no turn). Continuous assignments: ttq_apply's op valid is combinational (F1), and
  // op_r goes back into the same F1 logic (no loop, but one always block would look like one).
  // After a reset ttq_apply's ops wait (bc_boot_q) until every slot's CONFIG op has gone, so a
  // slot's first entry never meets the book's default depths, whatever N_INSTR and however soon
  // the first frame comes (a turn takes two cycles: 2 x N_INSTR cycles at most).
  // Cut-through: no turn while a speculation window may be open (ct_cfg_hold), except after a
  // reset, when ttq_apply's ops (speculated ones too) wait for every turn anyway.
  assign bc_go   = bc_any && (!op_v || bc_boot_q) && !bc_turn_q && (!ct_cfg_hold || bc_boot_q);
  assign bk_op_v = !ow_full && (bc_turn_q || (op_v && !bc_boot_q));
  assign op_r    = bk_op_r && !ow_full && !bc_turn_q && !bc_boot_q;

  always_ff @(posedge clk) begin
    if (bc_go) begin
      bc_slot_q <= bc_slot;
      bc_dep_q  <= 8'(bc_cfg.depth);
      bc_idep_q <= 8'(bc_cfg.implied_depth);
    end
    for (int i = 0; i < NI; i++) begin
      if (bc_go) bc_slot_oh_q[i] <= bc_slot == 16'(i);
    end
    if (prst) begin
      bc_pend_q <= '1;  // after any reset the book has default depths: send the table's
      bc_turn_q <= 1'b0;
      bc_boot_q <= 1'b1;
      ow_q      <= '0;
      ow_cnt_q  <= '0;
    end else begin
      bc_turn_q <= bc_go && bc_cfg.valid;
      if (!bc_any && !bc_turn_q) bc_boot_q <= 1'b0;  // the last turn was taken
      for (int i = 0; i < NI; i++) begin
        // Chosen: not pending (a commit of the slot in the same cycle re-arms it, after); a turn
        // the book did not take: pending again.
        if (bc_go && bc_slot == 16'(i)) bc_pend_q[i] <= 1'b0;
        if (bc_turn_q && !(bk_op_r && !ow_full) && bc_slot_oh_q[i]) bc_pend_q[i] <= 1'b1;
        if (cm2_q && cm2_slot_q == 16'(i)) bc_pend_q[i] <= 1'b1;
      end
      // Owner bits: shift out at the answer, in at the op.
      if (ow_pop && ow_push) begin
        ow_q <= (ow_q >> 1);
        ow_q[3'(ow_cnt_q - 4'd1)] <= bc_turn_q;
      end else if (ow_pop) begin
        ow_q <= ow_q >> 1;
      end else if (ow_push) begin
        ow_q[ow_cnt_q[2:0]] <= bc_turn_q;
      end
      ow_cnt_q <= ow_cnt_q + 4'(ow_push) - 4'(ow_pop);
    end
  end

`ifndef SYNTHESIS
  // The reset guarantee (docs/rtl_core.md): after a (soft) reset every slot's CONFIG op is taken
  // by the book, or skipped for a slot out of service, before ttq_apply hands the book an op for
  // that slot (bc_boot_q holds ttq_apply's ops until then). Checked in every simulation.
  logic [N_INSTR-1:0] bc_rst_q;  // slots not configured since the last reset
  /* verilator lint_off UNUSEDSIGNAL */
  ttq_pkg::book_op_t  ap_op;     // ttq_apply's op (only its slot is checked)
  /* verilator lint_on UNUSEDSIGNAL */
  assign ap_op = op_d;
  always_ff @(posedge clk) begin
    if (prst) begin
      bc_rst_q <= '1;
    end else begin
      for (int i = 0; i < NI; i++) begin
        if ((bc_turn_q && bk_op_r && !ow_full && bc_slot_oh_q[i]) ||
            (bc_go && !bc_cfg.valid && bc_slot == 16'(i))) begin
          bc_rst_q[i] <= 1'b0;
        end
      end
      if (op_v && op_r && ap_op.slot < 16'(NI)) begin
        assert (!bc_rst_q[ap_op.slot[$clog2(NI > 1 ? NI : 2)-1:0]])
          else $error("ttq_core: book op for slot %0d before its CONFIG op after a reset",
                      ap_op.slot);
      end
    end
  end
`endif

  ttq_book #(.N_INSTR(N_INSTR)) u_book (
    .clk, .rst(prst),
    .s_axis_op_tvalid(bk_op_v), .s_axis_op_tready(bk_op_r), .s_axis_op_tdata(op_d),
    .s_axis_op_cfg(bc_turn_q), .s_axis_cfg_slot(bc_slot_q), .s_axis_cfg_depth(bc_dep_q),
    .s_axis_cfg_implied_depth(bc_idep_q),
    .m_axis_res_tvalid(bk_res_v), .m_axis_res_tready(bk_res_r), .m_axis_res_tdata(res_d),
    // The undo journal (ttq_apply's). A CONFIG op is never speculated: the spec bit is 0 on a
    // CONFIG turn (none is chosen while a window may be open).
    .s_axis_op_tspec(ap_op_spec && !bc_turn_q), .j_commit(ap_j_commit), .j_undo(ap_j_undo),
    .j_busy(bk_j_busy)
  );

  ttq_quoter u_quoter (
    .clk, .rst(prst),
    .s_axis_req_tvalid(req_v), .s_axis_req_tready(req_r), .s_axis_req_slot(req_slot),
    .s_axis_req_seq(req_seq), .s_axis_req_security_id(req_sid),
    .s_axis_req_bid_px(req_bpx), .s_axis_req_ask_px(req_apx),
    .s_axis_req_bid_sz(req_bsz), .s_axis_req_ask_sz(req_asz), .s_axis_req_pull(req_pull),
    .s_axis_req_tick(req_cfg.tick), .s_axis_req_recip_sh(req_cfg.recip_sh),
    .s_axis_req_recip(req_cfg.recip), .s_axis_req_d_lim(req_cfg.d_lim),
    .s_axis_req_mid(req_cfg.ref_mode[0]),
    .s_axis_req_bid_off(req_cfg.bid_offset_ticks), .s_axis_req_ask_off(req_cfg.ask_offset_ticks),
    .s_axis_req_min_spread(req_cfg.min_spread_ticks), .s_axis_req_order_size(req_cfg.order_size),
    .s_axis_req_tol(req_cfg.requote_tolerance_ticks),
    .s_axis_req_price_floor(req_cfg.price_floor), .s_axis_req_price_ceil(req_cfg.price_ceiling),
    .s_axis_req_shift_ticks(req_cfg.skew_shift_ticks), .s_axis_req_size_adj(req_cfg.size_adj),
    .s_axis_req_prev_bid_px(req_pbpx), .s_axis_req_prev_ask_px(req_papx),
    .s_axis_req_prev_bid_sz(req_pbsz), .s_axis_req_prev_ask_sz(req_pasz),
    .s_axis_req_prev_flags(req_pflags),
    .m_axis_quote_tvalid(qres_v), .m_axis_quote_tready(qres_r), .m_axis_quote_tdata(qres_d),
    .m_axis_quote_tuser(qres_u)
  );

  // Output FIFO: back-pressure reaches ttq_apply, so no record is lost; its overflow counter
  // would count a record offered to a full queue (cannot happen with in_ready honoured).
  logic [31:0] q_ovf, q_ovf_q;
  ttq_quote_fifo #(.DEPTH(16)) u_qfifo (
    .clk, .rst(prst),
    .in_valid(q_v && q_r), .in_ready(q_r), .in_rec(q_d),
    .m_axis_quote_tdata, .m_axis_quote_tvalid, .m_axis_quote_tready,
    .overflow(q_ovf)
  );

  // ---------------------------------------------------------------------------------------------
  // Counters: one registered increment vector. PACKETS and MALFORMED have two sources each.
  // The join's and the command side's counts lag one cycle more: their inputs are registered
  // first (e_*_q, no decisions in front) and the increments are decoded from those registers,
  // so the join's decision (the line-queue read, then j_go) is not in front of cnt_inc (8 LUT
  // levels in the whole core before, docs/synthesis.md). busy covers the extra stage.
  logic            e_ready_q, e_arb_r_q, e_cfree_q, e_hit_q, e_kind0_q, e_pay_q, e_ok_q, e_over_q;
  logic [3:0]      e_reason_q;
  logic            e_cfire_q, e_held_q;
  logic [2:0]      e_op_q;
  logic [31:0]     e_count_q;
  always_ff @(posedge clk) begin
    e_ready_q  <= j_ready && !prst;
    e_arb_r_q  <= arb_in_r;
    e_cfree_q  <= cmd_free;
    e_reason_q <= j_reason;
    e_hit_q    <= ln_hit;
    e_kind0_q  <= ln_kind == 2'd0;
    e_pay_q    <= j_payload;
    e_ok_q     <= pr_ok;
    e_over_q   <= pr_over;
    e_cfire_q  <= cmd_v && cmd_r && !prst;
    e_op_q     <= cmd_op;
    e_held_q   <= held_q[cmd_h];
    e_count_q  <= cmd_count;
  end

  logic [N_CNT*CIW-1:0] inc_d;
  logic                 e_good, e_inc, e_go, e_other;
  logic [CIW-1:0]       n_packets, n_malformed;
  always_comb begin
    // j_good, j_inc and j_go of the registered cycle.
    e_good  = e_reason_q == ttq_pkg::DROP_NONE && e_hit_q;
    e_inc   = e_good && e_kind0_q;
    e_go    = e_ready_q && (!e_inc || e_arb_r_q) && !(e_pay_q && !e_inc && e_cfree_q);
    // Snapshot / definition lines are the host's (look-aside), counted as the model counts them.
    e_other = e_go && e_good && !e_kind0_q;
    n_packets   = CIW'(e_other && e_pay_q && e_ok_q) +
                  CIW'(e_cfire_q && ((e_op_q == OP_APPLY && !e_held_q) || e_op_q == OP_HOLD ||
                                     e_op_q == OP_DROP_DUP));
    n_malformed = CIW'(e_other && !(e_pay_q && e_ok_q)) + CIW'(e_cfire_q && e_op_q == OP_DROP_BAD);
    inc_d = '0;
    inc_d[ttq_regs_pkg::CNT_FRAMES*CIW +: CIW] = CIW'(e_go);
    if (e_go && e_reason_q != ttq_pkg::DROP_NONE) begin
      inc_d[(ttq_regs_pkg::CNT_DROP_RUNT + 32'(e_reason_q))*CIW +: CIW] = CIW'(1);
    end
    inc_d[ttq_regs_pkg::CNT_DROP_UNKNOWN_LINE*CIW +: CIW] =
        CIW'(e_go && e_reason_q == ttq_pkg::DROP_NONE && !e_hit_q);
    inc_d[ttq_regs_pkg::CNT_OTHER_LINE_PACKETS*CIW +: CIW] = CIW'(e_other && e_pay_q && e_ok_q);
    inc_d[ttq_regs_pkg::CNT_OVERSIZE_PACKETS*CIW +: CIW] = CIW'(e_go && e_pay_q && e_over_q);
    inc_d[ttq_regs_pkg::CNT_PACKETS*CIW +: CIW] = n_packets;
    inc_d[ttq_regs_pkg::CNT_MALFORMED*CIW +: CIW] = n_malformed;
    inc_d[ttq_regs_pkg::CNT_HELD*CIW +: CIW] = CIW'(e_cfire_q && e_op_q == OP_HOLD);
    inc_d[ttq_regs_pkg::CNT_GAPS*CIW +: CIW] = CIW'(e_cfire_q && e_op_q == OP_GAP);
    inc_d[ttq_regs_pkg::CNT_LOST*CIW +: CIW] =
        (e_cfire_q && e_op_q == OP_GAP) ? CIW'(e_count_q) : '0;
    inc_d[ttq_regs_pkg::CNT_DUPLICATES*CIW +: CIW] =
        CIW'(e_cfire_q && (e_op_q == OP_DROP_EARLY || e_op_q == OP_DROP_DUP));
    inc_d[ttq_regs_pkg::CNT_EARLY_DUPLICATES*CIW +: CIW] =
        CIW'(e_cfire_q && e_op_q == OP_DROP_EARLY);
    inc_d[ttq_regs_pkg::CNT_SEQ_RESTARTS*CIW +: CIW] = CIW'(e_cfire_q && e_op_q == OP_RESTART);
    inc_d[ttq_regs_pkg::CNT_STALE_EVENTS*CIW +: CIW] = CIW'(c_stale);
    inc_d[ttq_regs_pkg::CNT_BOOK_ENTRIES*CIW +: CIW] = CIW'(c_book);
    inc_d[ttq_regs_pkg::CNT_UNKNOWN_INSTRUMENTS*CIW +: CIW] = CIW'(c_unknown);
    inc_d[ttq_regs_pkg::CNT_QUOTES*CIW +: CIW] = CIW'(q_v && q_r);
    inc_d[ttq_regs_pkg::CNT_QUOTE_OVERFLOW*CIW +: CIW] = CIW'(q_ovf != q_ovf_q);
  end
  always_ff @(posedge clk) begin
    q_ovf_q <= prst ? '0 : q_ovf;
    // soft_rst too: ttq_regs clears the counters as it raises soft_rst, so an increment decoded
    // in that cycle (an event of the cycle before, one more for the lagged e_*_q ones) would land
    // after the clear. Every event up to the reset's cycle is dropped, none after it.
    cnt_inc <= prst || soft_rst ? '0 : inc_d;
  end

  // Work in flight (the arbiter is ready only in its idle state). Held packets are not (they wait for more input); records waiting in the
  // output FIFO are not either (the host drains them).
  assign busy = fr_in_q != '0 || mid_frame_q || vq_cnt_q != '0 || ln_v || fm_in_q != '0 ||
                wr_have_q || pq_cnt_q != '0 || flush_left_q != '0 || cmd_v || !arb_in_r ||
                cst_q != C_IDLE || rd_v_q || of_cnt_q != '0 || apply_busy || q_v || !cfg_ready ||
                e_ready_q || e_cfire_q || ct_busy;

  logic unused;
  assign unused = ^{hl_b, hl_ch[7:CH_W], bc_cfg[CFG_W-1:279], bc_cfg[268:33], bc_cfg[31:0],ln_b, vd_data[127:88], vd_data[55:40], vd_data[23:8], vd_data[6:4],
                    ln_ch[7:CH_W], cfg_ready, req_cfg.security_id, req_cfg.valid, req_cfg.max_spread_ticks,
                    req_cfg.depth, req_cfg.implied_depth, req_cfg.group, req_cfg.channel,
                    pr_over, ev_in.kind, ev_in.spare, ev_in.msg_index, ev_in.template_id,
                    ev_in.entry_index, ev_in.mei, ev_in.level, ev_in.action, ev_in.entry_type,
                    ev_in.security_id, ev_in.rpt_seq, ev_in.size, ev_in.price};
endmodule

`resetall
