// Test top for sim/tb_apply.cpp: the back half of the card — ttq_apply driving ttq_book and
// ttq_quoter — with the slot table as flat inputs. Not part of hw/ttq.f (simulation only).
`default_nettype none

module tb_apply_top #(
  parameter int unsigned N_INSTR = 16,
  parameter int unsigned N_CH    = 4
) (
  input  logic                          clk,
  input  logic                          rst,
  input  logic                          kill,
  input  logic                          cfg_commit,
  input  logic [15:0]                   cfg_commit_slot,
  input  logic [N_INSTR*ttq_regs_pkg::SLOT_CFG_W-1:0] slot_cfg,
  input  logic [N_INSTR*2-1:0]          slot_channel,
  input  logic                          s_axis_ev_tvalid,
  output logic                          s_axis_ev_tready,
  input  logic [ttq_pkg::MDP_EV_W-1:0]  s_axis_ev_tdata,
  input  logic [1:0]                    s_axis_ev_ctl,
  input  logic [1:0]                    s_axis_ev_channel,
  input  logic                          s_axis_ev_spec,    // cut-through (ttq_apply's journal)
  input  logic                          spec_verdict_v,
  input  logic                          spec_verdict_ok,
  output logic                          m_axis_quote_tvalid,
  input  logic                          m_axis_quote_tready,
  output logic [ttq_pkg::QUOTE_REC_W-1:0] m_axis_quote_tdata,
  output logic                          busy,
  // The published top (ttq_core's TOP_* table), for the cut-through runs' state checks.
  output logic                          top_we,
  output logic [15:0]                   top_slot,
  output logic [2:0]                    top_flags,
  output logic [191:0]                  top_tob,
  // ttq_apply's counter increments (BOOK_ENTRIES, STALE_EVENTS, UNKNOWN_INSTRUMENTS): the tb
  // sums them and compares the sums with the model's counters.
  output logic [15:0]                   cnt_be,
  output logic [15:0]                   cnt_se,
  output logic [15:0]                   cnt_ui
);
  logic                          op_v, op_r, res_v, res_r, req_v, req_r, qres_v, qres_r;
  logic [ttq_pkg::BOOK_OP_W-1:0]  op_d;
  logic [ttq_pkg::BOOK_RES_W-1:0] res_d;
  logic [15:0]  req_slot;
  logic [31:0]  req_seq, req_sid, req_bsz, req_asz, req_pbsz, req_pasz;
  logic [63:0]  req_bpx, req_apx, req_pbpx, req_papx;
  logic [7:0]   req_pull, req_pflags;
  ttq_regs_pkg::slot_cfg_t req_cfg;
  logic [ttq_pkg::QUOTE_REC_W-1:0] qres_d;
  logic [1:0]   qres_u;
  logic         unused_cnt;
  logic         op_spec, j_commit, j_undo, j_busy;

  ttq_apply #(.N_INSTR(N_INSTR), .N_CH(N_CH)) u_apply (
    .clk, .rst, .kill, .cfg_commit, .cfg_commit_slot, .slot_cfg, .slot_channel,
    .s_axis_ev_tvalid, .s_axis_ev_tready, .s_axis_ev_tdata, .s_axis_ev_ctl, .s_axis_ev_channel,
    .s_axis_ev_spec, .spec_verdict_v, .spec_verdict_ok,
    .m_axis_op_tspec(op_spec), .book_j_commit(j_commit), .book_j_undo(j_undo),
    .book_j_busy(j_busy),
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
    .m_axis_quote_tvalid, .m_axis_quote_tready, .m_axis_quote_tdata,
    .top_we, .top_slot, .top_flags, .top_tob,
    .cnt_book_entry(cnt_be), .cnt_stale_event(cnt_se), .cnt_unknown_instr(cnt_ui), .busy
  );

  ttq_book #(.N_INSTR(N_INSTR)) u_book (
    .clk, .rst,
    .s_axis_op_tvalid(op_v), .s_axis_op_tready(op_r), .s_axis_op_tdata(op_d),
    .s_axis_op_cfg(1'b0), .s_axis_cfg_slot(16'd0), .s_axis_cfg_depth(8'd0),
    .s_axis_cfg_implied_depth(8'd0),
    .m_axis_res_tvalid(res_v), .m_axis_res_tready(res_r), .m_axis_res_tdata(res_d),
    .s_axis_op_tspec(op_spec), .j_commit, .j_undo, .j_busy
  );

  ttq_quoter u_quoter (
    .clk, .rst,
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

  assign unused_cnt = ^{req_cfg.security_id, req_cfg.valid, req_cfg.max_spread_ticks,
                        req_cfg.depth, req_cfg.implied_depth, req_cfg.group, req_cfg.channel};
endmodule

`resetall
