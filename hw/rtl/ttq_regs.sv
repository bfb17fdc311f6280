// The card's control plane: an AXI4-Lite slave holding identity, global control (kill, soft
// reset, flush), error reporting, the 64-bit pipeline counters, the feed parameters (reorder
// window, line table), every slot's configuration (a shadow RAM written over AXI, a committed
// RAM the pipeline reads) and every slot's published top of book (a RAM the pipeline writes,
// read-only over AXI). The map is generated from hw/regmap/ttq_regs.toml (ttq_regs_pkg);
// docs/registers.md gives every rule implemented here.
`default_nettype none

module ttq_regs #(
  parameter int unsigned N_INSTR = ttq_regs_pkg::N_INSTR_DEFAULT,
  parameter int unsigned DEPTH = ttq_regs_pkg::DEPTH_DEFAULT,
  parameter int unsigned DATA_W = ttq_regs_pkg::DATA_W_DEFAULT,
  parameter int unsigned N_LINES = ttq_regs_pkg::N_LINES_DEFAULT,  // line table entries
  parameter int unsigned N_CH = ttq_regs_pkg::N_CH_DEFAULT,        // feed channels
  parameter int unsigned CUT_THROUGH = ttq_regs_pkg::CUT_THROUGH_DEFAULT,  // CAPS1.CUT_THROUGH
  parameter logic [63:0] GIT_COMMIT = 64'h0  // commit of the bitstream build (GIT_COMMIT reg)
) (
  input  wire logic                                clk,
  input  wire logic                                rst,

  // AXI4-Lite slave, 32-bit data.
  input  wire logic [ttq_regs_pkg::ADDR_W-1:0]     s_axil_awaddr,
  input  wire logic                                s_axil_awvalid,
  output logic                                     s_axil_awready,
  input  wire logic [31:0]                         s_axil_wdata,
  input  wire logic [3:0]                          s_axil_wstrb,
  input  wire logic                                s_axil_wvalid,
  output logic                                     s_axil_wready,
  output logic [1:0]                               s_axil_bresp,
  output logic                                     s_axil_bvalid,
  input  wire logic                                s_axil_bready,
  input  wire logic [ttq_regs_pkg::ADDR_W-1:0]     s_axil_araddr,
  input  wire logic                                s_axil_arvalid,
  output logic                                     s_axil_arready,
  output logic [31:0]                              s_axil_rdata,
  output logic [1:0]                               s_axil_rresp,
  output logic                                     s_axil_rvalid,
  input  wire logic                                s_axil_rready,

  // To the pipeline.
  output logic                                     kill_o,      // CONTROL.KILL
  output logic                                     soft_rst_o,  // one-cycle pulse
  output logic                                     flush_o,     // CONTROL.FLUSH, one-cycle pulse
  input  wire logic                                busy_i,      // -> STATUS.BUSY (registered)
  output logic [7:0]                               arb_window_o, // ARB_WINDOW
  output logic                                     mode_ct_o,   // MODE (the core latches it)
  input  wire logic                                ct_mode_i,   // -> STATUS.CUT_THROUGH
  // Line table, as ttq_line_filter takes it: entry i at [i*W +: W].
  output logic [N_LINES-1:0]                       line_valid_o,
  output logic [N_LINES*32-1:0]                    line_ip_o,
  output logic [N_LINES*16-1:0]                    line_port_o,
  output logic [N_LINES*8-1:0]                     line_channel_o,
  output logic [N_LINES*2-1:0]                     line_kind_o,
  output logic [N_LINES-1:0]                       line_b_o,
  output logic                                     cfg_ready_o, // reset sweep done
  // Committed slot configuration, read port: slot in, config out one cycle later. A slot at or
  // beyond N_INSTR, or any slot before cfg_ready_o, reads as not valid.
  input  wire logic [15:0]                         cfg_rd_slot_i,
  output ttq_regs_pkg::slot_cfg_t                  cfg_rd_o,
  output logic                                     cfg_commit_o,      // a commit was applied
  output logic [15:0]                              cfg_commit_slot_o, // to this slot
  // Counter increments: counter i adds cnt_inc_i[i*CNT_INC_W +: CNT_INC_W] every cycle.
  input  wire logic [ttq_regs_pkg::N_CNT*ttq_regs_pkg::CNT_INC_W-1:0] cnt_inc_i,
  // Published top of book (ttq_apply): slot top_slot_i's TOP_* entry takes these at the edge
  // where top_we_i is high (a slot at or beyond N_INSTR is ignored).
  input  wire logic                                top_we_i,
  input  wire logic [15:0]                         top_slot_i,
  input  wire logic [2:0]                          top_flags_i,  // {stale, ask, bid}
  input  wire logic [63:0]                         top_bid_px_i,
  input  wire logic [63:0]                         top_ask_px_i,
  input  wire logic [31:0]                         top_bid_sz_i,
  input  wire logic [31:0]                         top_ask_sz_i
);

  localparam int unsigned AW = ttq_regs_pkg::ADDR_W;
  localparam int unsigned SLOT_IDX_W = (N_INSTR > 1) ? $clog2(N_INSTR) : 1;
  localparam int unsigned WIDX_W = ttq_regs_pkg::SLOT_WIDX_W;
  localparam int unsigned SHD_AW = SLOT_IDX_W + WIDX_W;   // shadow RAM word address
  localparam int unsigned CFG_W = ttq_regs_pkg::SLOT_CFG_W;
  localparam int unsigned N_CNT = ttq_regs_pkg::N_CNT;
  localparam int unsigned INC_W = ttq_regs_pkg::CNT_INC_W;
  localparam int unsigned CNT_IDX_W = $clog2(N_CNT);
  localparam int unsigned SW = ttq_regs_pkg::SLOT_STRIDE_LOG2;  // bits of an offset in a window
  localparam int unsigned LSW = ttq_regs_pkg::LINE_STRIDE_LOG2;  // same, line windows
  localparam int unsigned LWIDX_W = ttq_regs_pkg::LINE_WIDX_W;
  localparam int unsigned LINE_IDX_W = (N_LINES > 1) ? $clog2(N_LINES) : 1;
  // Serial products, signed: (RECIP+1)*(T<<s) < 2^67 minus 2^65 (pass 0); (MAX+1)*T < 2^56
  // minus D_LIM < 2^56 (pass 1).
  localparam int unsigned MUL_W = 68;
  localparam int unsigned MUL_BW = ttq_regs_pkg::CFG_RECIP_W;  // multiplier: RECIP, or MAX+1
  localparam logic [AW-1:0] CNT_END = ttq_regs_pkg::CNT_BASE + AW'(8 * N_CNT);
  localparam logic [AW-LSW-1:0] LINE_HI0 = ttq_regs_pkg::LINE_BASE[AW-1:LSW];  // first line window
  localparam logic [AW-SW-1:0]  SLOT_HI0 = ttq_regs_pkg::SLOT_BASE[AW-1:SW];   // first slot window
  localparam logic [SHD_AW-1:0] INIT_LAST =
      SHD_AW'(N_INSTR * ttq_regs_pkg::SLOT_SHADOW_WORDS - 1);
  localparam logic [CFG_W-1:0] CFG_RESET = ttq_regs_pkg::slot_cfg_reset(DEPTH);
  // Published top: an entry is {words 1..6 of the TOP_* block, TOP_FLAGS} (TOP_DW + 3 bits).
  // Its valid bit is selected in two registered steps: a group of 2^VLO bits, then the bit.
  localparam int unsigned TOP_DW = 192;
  localparam int unsigned VLO = (SLOT_IDX_W > 4) ? 4 : SLOT_IDX_W;
  localparam int VHI = SLOT_IDX_W - VLO;  // signed: a loop bound that may be 0
  localparam int NI = N_INSTR;  // signed copy for loop bounds (yosys 0.23 has no int'() cast)
  localparam logic [1:0] RESP_OKAY = 2'b00;
  localparam logic [1:0] RESP_SLVERR = 2'b10;

  // Illegal parameter combinations stop elaboration.
  if (N_INSTR < ttq_regs_pkg::N_INSTR_MIN || N_INSTR > ttq_regs_pkg::N_INSTR_MAX) begin : g_n
    $fatal(1, "ttq_regs: N_INSTR outside the register map's range");
  end
  if (DEPTH < ttq_regs_pkg::DEPTH_MIN || DEPTH > ttq_regs_pkg::DEPTH_MAX) begin : g_depth
    $fatal(1, "ttq_regs: DEPTH outside the register map's range");
  end
  if (DATA_W < ttq_regs_pkg::DATA_W_MIN || DATA_W > ttq_regs_pkg::DATA_W_MAX) begin : g_dw
    $fatal(1, "ttq_regs: DATA_W outside the register map's range");
  end
  if (N_LINES < ttq_regs_pkg::N_LINES_MIN || N_LINES > ttq_regs_pkg::N_LINES_MAX) begin : g_nl
    $fatal(1, "ttq_regs: N_LINES outside the register map's range");
  end
  if (N_CH < ttq_regs_pkg::N_CH_MIN || N_CH > ttq_regs_pkg::N_CH_MAX) begin : g_nch
    $fatal(1, "ttq_regs: N_CH outside the register map's range");
  end
  if (CUT_THROUGH > ttq_regs_pkg::CUT_THROUGH_MAX) begin : g_ct
    $fatal(1, "ttq_regs: CUT_THROUGH is 0 or 1");
  end
  // The output widths are ttq_line_filter's and the arbiter's; the map must agree with them.
  if (ttq_regs_pkg::ARB_WINDOW_W != 8 || ttq_regs_pkg::MODE_W != 1 || ttq_regs_pkg::LINE_VALID_W != 1 ||
      ttq_regs_pkg::LINE_IP_W != 32 || ttq_regs_pkg::LINE_PORT_W != 16 ||
      ttq_regs_pkg::LINE_CHANNEL_W != 8 || ttq_regs_pkg::LINE_KIND_W != 2 ||
      ttq_regs_pkg::LINE_B_W != 1) begin : g_widths
    $fatal(1, "ttq_regs: register map widths differ from the ARB_WINDOW / line table ports");
  end
  // The pipelined commit checks (chk_res_q, t_norm_q) read SECURITY_ID, TICK, RECIP_SH and the
  // price bounds: their shadow words must come three reads or more before the last one.
  if (32'(ttq_regs_pkg::SO_SECURITY_ID) / 4 + 3 > ttq_regs_pkg::SLOT_NW ||
      32'(ttq_regs_pkg::SO_TICK_HI) / 4 + 3 > ttq_regs_pkg::SLOT_NW ||
      32'(ttq_regs_pkg::SO_RECIP_SH) / 4 + 3 > ttq_regs_pkg::SLOT_NW ||
      32'(ttq_regs_pkg::SO_PRICE_FLOOR_HI) / 4 + 3 > ttq_regs_pkg::SLOT_NW ||
      32'(ttq_regs_pkg::SO_PRICE_CEILING_HI) / 4 + 3 > ttq_regs_pkg::SLOT_NW) begin : g_chk_words
    $fatal(1, "ttq_regs: a commit-check field is read too late for the check pipeline");
  end
  // The TOP_* block is decoded as the 32-byte aligned block of eight words from TOP_FLAGS, word
  // k at TOP_FLAGS + 4k: FLAGS, BID_SZ, BID_PX LO/HI, ASK_PX LO/HI, ASK_SZ, a hole.
  if (ttq_regs_pkg::SO_TOP_FLAGS[4:0] != 5'd0 ||
      ttq_regs_pkg::SO_TOP_BID_SZ != ttq_regs_pkg::SO_TOP_FLAGS + 8'd4 ||
      ttq_regs_pkg::SO_TOP_BID_PX_LO != ttq_regs_pkg::SO_TOP_FLAGS + 8'd8 ||
      ttq_regs_pkg::SO_TOP_ASK_PX_LO != ttq_regs_pkg::SO_TOP_FLAGS + 8'd16 ||
      ttq_regs_pkg::SO_TOP_ASK_SZ != ttq_regs_pkg::SO_TOP_FLAGS + 8'd24 ||
      ttq_regs_pkg::SO_TOP_FLAGS < 8'(4 * ttq_regs_pkg::SLOT_SHADOW_WORDS)) begin : g_top
    $fatal(1, "ttq_regs: the TOP_* registers are not the block ttq_regs decodes");
  end
  // The line and slot windows are decoded from the address bits above the window offset (no
  // subtraction, no full-width compare in front of the decode): their bases must be aligned.
  if (ttq_regs_pkg::LINE_BASE[LSW-1:0] != '0 || ttq_regs_pkg::SLOT_BASE[SW-1:0] != '0)
  begin : g_win_align
    $fatal(1, "ttq_regs: LINE_BASE / SLOT_BASE not aligned to their window size");
  end
`ifndef SYNTHESIS
  // The DROP_* counters follow ttq_pkg::frame_drop_e (card_regs.hpp checks ttq::FrameDrop).
  // Simulation and lint only, so that synthesis of this block does not need ttq_pkg.
  if (ttq_regs_pkg::CNT_DROP_UNKNOWN_LINE - ttq_regs_pkg::CNT_DROP_RUNT !=
      32'(ttq_pkg::DROP_UNKNOWN_LINE) - 32'(ttq_pkg::DROP_RUNT)) begin : g_drops
    $fatal(1, "ttq_regs: DROP_* counters out of step with ttq_pkg::frame_drop_e");
  end
`endif

  typedef enum logic [3:0] {
    S_IDLE,     // waiting for a transaction
    S_INIT,     // reset sweep of both slot RAMs
    S_DEC,      // the transaction taken: address decode and write checks into registers
    S_EXEC,     // the transaction executes from the registered decode
    S_RD_SHD,   // shadow RAM read in flight
    S_RD_TOP,   // published-top RAM read in flight, its valid bit being selected
    S_RD_TOP2,  // published-top read: the answer
    S_CMT_RD,   // commit: reading the slot's shadow words
    S_CMT_CHK,  // commit: single-cycle rules
    S_CMT_MUL,  // commit: serial multiplications for the RECIP and D_LIM rules
    S_CMT_END   // commit: apply or refuse, then BRESP
  } state_e;

  // ---------------------------------------------------------------------------------------------
  // AXI channel holding registers. A channel is ready whenever its register is empty, so AW and
  // W are accepted independently and in either order; the register is emptied when the
  // transaction starts executing (so at most one more write and one more read wait behind it).
  logic            run_q;  // low in reset: nothing is accepted
  logic            aw_full_q, w_full_q, ar_full_q;
  logic [AW-1:0]   aw_addr_q, ar_addr_q;
  logic [31:0]     w_data_q;
  logic [3:0]      w_strb_q;
  logic            b_valid_q, r_valid_q;
  logic [1:0]      b_resp_q, r_resp_q;
  logic [31:0]     r_data_q;

  assign s_axil_awready = run_q & ~aw_full_q;
  assign s_axil_wready = run_q & ~w_full_q;
  assign s_axil_arready = run_q & ~ar_full_q;
  assign s_axil_bvalid = b_valid_q;
  assign s_axil_bresp = b_resp_q;
  assign s_axil_rvalid = r_valid_q;
  assign s_axil_rresp = r_resp_q;
  assign s_axil_rdata = r_data_q;

  wire aw_hs = s_axil_awvalid & s_axil_awready;
  wire w_hs = s_axil_wvalid & s_axil_wready;
  wire ar_hs = s_axil_arvalid & s_axil_arready;

  // ---------------------------------------------------------------------------------------------
  // State.
  state_e                state_q, state_d;
  logic                  prio_rd_q;  // a read goes first when both wait (after a write)
  logic [SHD_AW-1:0]     init_idx_q;
  logic                  cfg_ready_q;
  logic                  kill_q, soft_rst_q, flush_q, busy_q;
  logic [7:0]            arb_window_q;
  logic                  mode_q;
  logic [N_LINES-1:0]    line_valid_q, line_b_q;
  logic [N_LINES*32-1:0] line_ip_q;
  logic [N_LINES*16-1:0] line_port_q;
  logic [N_LINES*8-1:0]  line_channel_q;
  logic [N_LINES*2-1:0]  line_kind_q;
  logic [4:0]            err_q;        // ERROR bits
  logic [31:0]           err_count_q;
  logic [AW-1:0]         err_addr_q;
  logic [7:0]            err_code_q;
  logic                  err_read_q;
  logic [15:0]           cmt_status_slot_q;
  logic [7:0]            cmt_status_res_q;
  logic [31:0]           cmt_count_q;
  logic [N_CNT*64-1:0]   cnt_q;
  logic [31:0]           snap_q;       // HI word snapshotted by the last counter LO read

  // Commit engine.
  logic [SLOT_IDX_W-1:0] cmt_slot_q;
  logic [AW-1:0]         cmt_addr_q;
  logic [WIDX_W:0]       cmt_w_q;      // word being read (0 .. SLOT_NW)
  logic [WIDX_W-1:0]     cmt_pw_q;     // the word read in the cycle before
  ttq_regs_pkg::slot_cfg_t cmt_cfg_q;  // the shadow being committed
  logic [7:0]            cmt_res_q;    // ERR_NONE or the first rule that failed
  logic                  mul_pass_q;   // 0: RECIP*(T<<s) vs 2^65; 1: (MAX_SPREAD+1)*T vs D_LIM
  logic                  mul_end_q;    // the pass's product is final: its test is checked next
  logic                  acc_ones_q;   // mul_acc_q was all ones in the cycle before (pass 1)
  logic                  recip_bad_q;  // mul_acc_q was outside [0, tn) in the cycle before (pass 0)
  logic [MUL_W-1:0]      mul_a_q, mul_acc_q;
  logic [MUL_BW-1:0]     mul_b_q;

  // ---------------------------------------------------------------------------------------------
  // Slot RAMs: the shadow (one 32-bit word per register word, SLOT_SHADOW_WORDS per slot) and the
  // committed configuration (one slot_cfg_t per slot). One write port and one registered read
  // port each, no reset: the sweep in S_INIT gives them their reset values.
  logic [31:0]           shd_mem [2**SHD_AW];
  logic                  shd_we;
  logic [SHD_AW-1:0]     shd_waddr, shd_raddr;
  logic [31:0]           shd_wdata, shd_rdata_q;

  logic [CFG_W-1:0]      cfg_mem [2**SLOT_IDX_W];
  logic                  cfg_we;
  logic [SLOT_IDX_W-1:0] cfg_waddr;
  logic [CFG_W-1:0]      cfg_wdata, cfg_rdata_q;
  logic                  cfg_rd_ok_q;

  // Published top: one entry per slot, written whole by the pipeline (one write port), read at
  // the registered slot of an AXI read (one registered read port); top_vld_q says which entries
  // were written since reset / soft reset (the others read 0). TOP_FLAGS reads the entry and
  // latches its other words (top_snap_q), which the other TOP_* reads return.
  logic [TOP_DW+2:0]         top_mem [2**SLOT_IDX_W];
  logic [TOP_DW+2:0]         top_row_q;
  logic [2**SLOT_IDX_W-1:0]  top_vld_q;
  logic                      top_row_vld_q, top_snap_en, soft_rst_q2;
  logic [2**VLO-1:0]         top_vld_g_q;
  logic [TOP_DW-1:0]         top_snap_q;
  logic [31:0]               top_word_q;

  always_ff @(posedge clk) begin
    if (shd_we) shd_mem[shd_waddr] <= shd_wdata;
    shd_rdata_q <= shd_mem[shd_raddr];
  end

  always_ff @(posedge clk) begin
    if (cfg_we) cfg_mem[cfg_waddr] <= cfg_wdata;
    cfg_rdata_q <= cfg_mem[cfg_rd_slot_i[SLOT_IDX_W-1:0]];
  end

  always_ff @(posedge clk) begin
    if (rst) cfg_rd_ok_q <= 1'b0;
    else cfg_rd_ok_q <= cfg_ready_q && cfg_rd_slot_i < 16'(N_INSTR);
  end

  always_comb begin
    cfg_rd_o = cfg_rdata_q;
    cfg_rd_o.valid = cfg_rdata_q[ttq_regs_pkg::CFG_VALID_LSB] & cfg_rd_ok_q;
  end

  // ---------------------------------------------------------------------------------------------
  // Which transaction starts now (only in S_IDLE): alternate when both wait. A transaction then
  // takes three cycles, each with its own logic depth (AXI4-Lite latency does not matter, 322 MHz
  // does): S_IDLE copies it into the x_* registers, S_DEC decodes its address and checks its data
  // into the dq_* registers, S_EXEC executes it from them.
  wire wr_ready = aw_full_q & w_full_q & ~b_valid_q;
  wire rd_ready = ar_full_q & ~r_valid_q;
  wire take_rd = (state_q == S_IDLE) & rd_ready & (~wr_ready | prio_rd_q);
  wire take_wr = (state_q == S_IDLE) & wr_ready & ~take_rd;

  logic            x_rd_q;    // the transaction in S_DEC / S_EXEC is a read
  logic [AW-1:0]   x_addr_q;
  logic [31:0]     x_data_q;  // a write's data and strobes (W may be refilled meanwhile)
  logic [3:0]      x_strb_q;
  // The data checks for every word the address may turn out to be, made from w_data_q while the
  // address is decoded (S_DEC then only selects one: no compare in series with the decode).
  logic [2**WIDX_W-1:0]  x_sok_q;  // slot_word_ok of the data, per shadow word index
  logic [2**LWIDX_W-1:0] x_lok_q;  // line_word_ok of the data, per line word index
  logic                  x_one_q;  // data == 1 (COMMIT)
  always_ff @(posedge clk) begin
    if (take_rd || take_wr) begin
      x_rd_q <= take_rd;
      x_addr_q <= take_rd ? ar_addr_q : aw_addr_q;
      x_data_q <= w_data_q;
      x_strb_q <= w_strb_q;
      for (int k = 0; k < 2**WIDX_W; k++) begin
        x_sok_q[k] <= ttq_regs_pkg::slot_word_ok(WIDX_W'(k), w_data_q, DEPTH, N_CH);
      end
      for (int k = 0; k < 2**LWIDX_W; k++) begin
        x_lok_q[k] <= ttq_regs_pkg::line_word_ok(LWIDX_W'(k), w_data_q, N_CH);
      end
      x_one_q <= w_data_q == 32'd1;
    end
  end

  // Address decode of x_addr_q (one decoder for both directions), registered below.
  logic [AW-1:0]          dec_addr;
  logic                   dec_glb, dec_glb_wr;  // a global register; CONTROL or ERROR
  logic [31:0]            dec_glb_val;
  logic                   dec_cnt, dec_cnt_hi;
  logic [CNT_IDX_W-1:0]   dec_cnt_idx;
  logic                   dec_shd, dec_cmt, dec_top;
  logic [SLOT_IDX_W-1:0]  dec_slot;
  logic [WIDX_W-1:0]      dec_widx;
  logic [AW-1:0]          cnt_rel;
  logic [AW-SW-1:0]       slot_hi;   // window number from address 0 (SLOT_BASE is aligned)
  logic                   in_slots;  // a window of a slot below N_INSTR
  logic [SW-1:0]          slot_off;
  logic [63:0]            cnt_sel;
  logic                   dec_line;
  logic [LINE_IDX_W-1:0]  dec_line_idx;
  logic [LSW-1:0]         line_off;
  logic [AW-LSW-1:0]      line_hi;   // same for the line windows
  logic                   in_lines;
  logic [31:0]            dec_line_val;

  always_comb begin
    dec_addr = x_addr_q;

    dec_glb = 1'b1;
    dec_glb_wr = 1'b0;
    dec_glb_val = '0;
    unique case (dec_addr)
      ttq_regs_pkg::A_ID: dec_glb_val = ttq_regs_pkg::REGS_ID;
      ttq_regs_pkg::A_VERSION: dec_glb_val = ttq_regs_pkg::REGS_VERSION;
      ttq_regs_pkg::A_BUILD_HASH_LO: dec_glb_val = ttq_regs_pkg::BUILD_HASH[31:0];
      ttq_regs_pkg::A_BUILD_HASH_HI: dec_glb_val = ttq_regs_pkg::BUILD_HASH[63:32];
      ttq_regs_pkg::A_CAPS0: begin
        dec_glb_val[ttq_regs_pkg::CAPS0_N_INSTR_LSB +: ttq_regs_pkg::CAPS0_N_INSTR_W] =
            ttq_regs_pkg::CAPS0_N_INSTR_W'(N_INSTR);
        dec_glb_val[ttq_regs_pkg::CAPS0_DEPTH_LSB +: ttq_regs_pkg::CAPS0_DEPTH_W] =
            ttq_regs_pkg::CAPS0_DEPTH_W'(DEPTH);
      end
      ttq_regs_pkg::A_CAPS1: begin
        dec_glb_val[ttq_regs_pkg::CAPS1_DATA_W_LSB +: ttq_regs_pkg::CAPS1_DATA_W_W] =
            ttq_regs_pkg::CAPS1_DATA_W_W'(DATA_W);
        dec_glb_val[ttq_regs_pkg::CAPS1_CUT_THROUGH_LSB] = CUT_THROUGH != 0;
      end
      ttq_regs_pkg::A_GIT_COMMIT_LO: dec_glb_val = GIT_COMMIT[31:0];
      ttq_regs_pkg::A_GIT_COMMIT_HI: dec_glb_val = GIT_COMMIT[63:32];
      ttq_regs_pkg::A_CONTROL: begin
        dec_glb_wr = 1'b1;
        dec_glb_val[ttq_regs_pkg::CONTROL_KILL_LSB] = kill_q;
      end
      ttq_regs_pkg::A_STATUS: begin
        dec_glb_val[ttq_regs_pkg::STATUS_KILL_LSB] = kill_q;
        dec_glb_val[ttq_regs_pkg::STATUS_ERROR_LSB] = |err_q;
        dec_glb_val[ttq_regs_pkg::STATUS_BUSY_LSB] = busy_q;
        dec_glb_val[ttq_regs_pkg::STATUS_CUT_THROUGH_LSB] = ct_mode_i;
      end
      ttq_regs_pkg::A_ERROR: begin
        dec_glb_wr = 1'b1;
        dec_glb_val[4:0] = err_q;
      end
      ttq_regs_pkg::A_ERR_COUNT: dec_glb_val = err_count_q;
      ttq_regs_pkg::A_ERR_ADDR: dec_glb_val = 32'(err_addr_q);
      ttq_regs_pkg::A_ERR_INFO: begin
        dec_glb_val[ttq_regs_pkg::ERR_INFO_CODE_LSB +: ttq_regs_pkg::ERR_INFO_CODE_W] = err_code_q;
        dec_glb_val[ttq_regs_pkg::ERR_INFO_READ_LSB] = err_read_q;
      end
      ttq_regs_pkg::A_COMMIT_STATUS: begin
        dec_glb_val[ttq_regs_pkg::COMMIT_STATUS_SLOT_LSB +: ttq_regs_pkg::COMMIT_STATUS_SLOT_W] =
            cmt_status_slot_q;
        dec_glb_val[ttq_regs_pkg::COMMIT_STATUS_RESULT_LSB +:
                    ttq_regs_pkg::COMMIT_STATUS_RESULT_W] = cmt_status_res_q;
      end
      ttq_regs_pkg::A_COMMIT_COUNT: dec_glb_val = cmt_count_q;
      ttq_regs_pkg::A_CAPS2: begin
        dec_glb_val[ttq_regs_pkg::CAPS2_N_LINES_LSB +: ttq_regs_pkg::CAPS2_N_LINES_W] =
            ttq_regs_pkg::CAPS2_N_LINES_W'(N_LINES);
        dec_glb_val[ttq_regs_pkg::CAPS2_N_CH_LSB +: ttq_regs_pkg::CAPS2_N_CH_W] =
            ttq_regs_pkg::CAPS2_N_CH_W'(N_CH);
      end
      ttq_regs_pkg::A_ARB_WINDOW: begin
        dec_glb_wr = 1'b1;
        dec_glb_val[7:0] = arb_window_q;
      end
      ttq_regs_pkg::A_MODE: begin
        dec_glb_wr = 1'b1;
        dec_glb_val[0] = mode_q;
      end
      default: dec_glb = 1'b0;
    endcase

    // Line windows: line_word_mapped words of lines below N_LINES.
    // Windows from the upper address bits against constants (the bases are aligned): the same
    // as dec_addr - BASE range-checked, without a subtraction in front of the decode.
    line_hi = dec_addr[AW-1:LSW];
    line_off = dec_addr[LSW-1:0];
    dec_line_idx = LINE_IDX_W'(line_hi - LINE_HI0);
    in_lines = 32'(line_hi) >= 32'(LINE_HI0) && 32'(line_hi) < 32'(LINE_HI0) + N_LINES;
    dec_line = in_lines && line_off[1:0] == 2'b00 &&
               ttq_regs_pkg::line_word_mapped(line_off[2 +: LWIDX_W]);
    dec_line_val = '0;
    unique case (line_off)
      ttq_regs_pkg::LO_LINE_VALID: dec_line_val[0] = line_valid_q[dec_line_idx];
      ttq_regs_pkg::LO_LINE_IP: dec_line_val = line_ip_q[dec_line_idx * 32 +: 32];
      ttq_regs_pkg::LO_LINE_PORT: dec_line_val[15:0] = line_port_q[dec_line_idx * 16 +: 16];
      ttq_regs_pkg::LO_LINE_CHANNEL: dec_line_val[7:0] = line_channel_q[dec_line_idx * 8 +: 8];
      ttq_regs_pkg::LO_LINE_KIND: dec_line_val[1:0] = line_kind_q[dec_line_idx * 2 +: 2];
      ttq_regs_pkg::LO_LINE_B: dec_line_val[0] = line_b_q[dec_line_idx];
      default: ;
    endcase

    // Counters: consecutive LO/HI pairs from CNT_BASE.
    cnt_rel = dec_addr - ttq_regs_pkg::CNT_BASE;
    dec_cnt = dec_addr >= ttq_regs_pkg::CNT_BASE && dec_addr < CNT_END && cnt_rel[1:0] == 2'b00;
    dec_cnt_idx = cnt_rel[3 +: CNT_IDX_W];
    dec_cnt_hi = cnt_rel[2];
    cnt_sel = cnt_q[dec_cnt_idx * 64 +: 64];

    // Slot windows: shadow words below SLOT_SHADOW_WORDS*4, COMMIT above.
    slot_hi = dec_addr[AW-1:SW];
    slot_off = dec_addr[SW-1:0];
    dec_slot = SLOT_IDX_W'(slot_hi - SLOT_HI0);
    in_slots = 32'(slot_hi) >= 32'(SLOT_HI0) && 32'(slot_hi) < 32'(SLOT_HI0) + N_INSTR;
    dec_widx = slot_off[2 +: WIDX_W];
    dec_shd = in_slots &&
              slot_off < SW'(4 * ttq_regs_pkg::SLOT_SHADOW_WORDS) && slot_off[1:0] == 2'b00 &&
              ttq_regs_pkg::slot_word_mapped(dec_widx);
    dec_cmt = in_slots && slot_off == ttq_regs_pkg::SO_COMMIT;
    dec_top = in_slots &&
              slot_off[SW-1:5] == ttq_regs_pkg::SO_TOP_FLAGS[SW-1:5] && slot_off[1:0] == 2'b00 &&
              slot_off[4:2] != 3'd7;
  end

  // Upper bits of the counter offset only matter through the range compare above.
  wire unused_cnt_rel = ^cnt_rel;

  // The decode, the write checks (in the order S_EXEC applies them) and the read value, loaded
  // every cycle from x_*: they hold the transaction's in S_EXEC. A counter LO read returns
  // dq_cnt_lo_q and snapshots dq_hi_q, both from the same cycle's counter value. S_EXEC combines
  // them (the region flags into dq_none / dq_ro, the three read values into rd_val).
  logic                  dq_glb_q, dq_glb_wr_q, dq_cnt_q, dq_cnt_hi_q, dq_line_q, dq_shd_q;
  logic                  dq_cmt_q, dq_top_q, dq_top_w0_q, dq_none, dq_ro;
  logic [2:0]            dq_top_widx_q;
  logic                  dq_control_q, dq_error_q, dq_partial_q, dq_mode_q;
  logic                  dq_glb_ok_q, dq_lok_q, dq_sok_q, dq_cmt_go_q;  // *ok_q: data checks
  logic [SLOT_IDX_W-1:0] dq_slot_q;
  logic [WIDX_W-1:0]     dq_widx_q;
  logic [LINE_IDX_W-1:0] dq_line_idx_q;
  logic [LSW-1:0]        dq_line_off_q;
  logic [31:0]           dq_glb_val_q, dq_line_val_q, dq_cnt_lo_q, dq_hi_q;
  always_ff @(posedge clk) begin
    dq_glb_q <= dec_glb;
    dq_glb_wr_q <= dec_glb_wr;
    dq_cnt_q <= dec_cnt;
    dq_cnt_hi_q <= dec_cnt_hi;
    dq_line_q <= dec_line;
    dq_shd_q <= dec_shd;
    dq_cmt_q <= dec_cmt;
    dq_top_q <= dec_top;
    dq_top_w0_q <= slot_off[4:2] == 3'd0;
    dq_top_widx_q <= slot_off[4:2];
    dq_control_q <= dec_addr == ttq_regs_pkg::A_CONTROL;
    dq_error_q <= dec_addr == ttq_regs_pkg::A_ERROR;
    dq_mode_q <= dec_addr == ttq_regs_pkg::A_MODE;
    dq_partial_q <= x_strb_q != 4'hF;
    dq_glb_ok_q <= dec_glb && ttq_regs_pkg::glb_word_ok(dec_addr, x_data_q);
    dq_lok_q <= x_lok_q[line_off[2 +: LWIDX_W]];  // S_EXEC ANDs them with dq_line_q / dq_shd_q
    dq_sok_q <= x_sok_q[dec_widx];
    dq_cmt_go_q <= dec_cmt && x_one_q && x_strb_q == 4'hF;  // a commit starts
    dq_slot_q <= dec_slot;
    dq_widx_q <= dec_widx;
    dq_line_idx_q <= dec_line_idx;
    dq_line_off_q <= line_off;
    dq_glb_val_q <= dec_glb_val;
    dq_line_val_q <= dec_line_val;
    dq_cnt_lo_q <= cnt_sel[31:0];
    dq_hi_q <= cnt_sel[63:32];
  end
  assign dq_none = !(dq_glb_q || dq_cnt_q || dq_line_q || dq_shd_q || dq_cmt_q || dq_top_q);
  assign dq_ro = dq_cnt_q || dq_top_q || (dq_glb_q && !dq_glb_wr_q);

  // The published-top read: the entry of dq_slot_q arrives in S_RD_TOP (top_row_q, read in
  // S_EXEC) and stays; its valid bit is top_vld_q[dq_slot_q] from S_RD_TOP2 (a 256:1 multiplexer
  // in one cycle would be 8 LUT + MUXF levels: the group in S_EXEC, the bit in S_RD_TOP); the
  // latch's word is selected from registers ahead of it (top_word_q). S_RD_TOP2 answers.
  always_ff @(posedge clk) begin
    if (top_we_i && top_slot_i < 16'(N_INSTR)) begin
      top_mem[top_slot_i[SLOT_IDX_W-1:0]] <= {top_ask_sz_i, top_ask_px_i, top_bid_px_i,
                                              top_bid_sz_i, top_flags_i};
    end
    top_row_q <= top_mem[dq_slot_q];
  end

  // The group of 2^VLO valid bits that holds sel's: a tree of 2:1 multiplexers, one level per
  // select bit above VLO (an indexed part-select became a shifter in yosys).
  function automatic logic [2**VLO-1:0] vld_group(input logic [2**SLOT_IDX_W-1:0] all,
                                                  input logic [SLOT_IDX_W-1:0] sel);
    logic [2**SLOT_IDX_W-1:0] v;
    v = all;
    for (int k = 0; k < VHI; k++) begin
      for (int j = 0; j < (1 << (VHI - k - 1)); j++) begin
        v[j*(2**VLO) +: 2**VLO] = sel[VLO+k] ? v[(2*j+1)*(2**VLO) +: 2**VLO] :
                                               v[2*j*(2**VLO) +: 2**VLO];
      end
    end
    vld_group = v[2**VLO-1:0];
  endfunction
  always_ff @(posedge clk) begin
    top_vld_g_q <= vld_group(top_vld_q, dq_slot_q);
    top_row_vld_q <= top_vld_g_q[dq_slot_q[VLO-1:0]];
    unique case (dq_top_widx_q)
      3'd1: top_word_q <= top_snap_q[31:0];
      3'd2: top_word_q <= top_snap_q[63:32];
      3'd3: top_word_q <= top_snap_q[95:64];
      3'd4: top_word_q <= top_snap_q[127:96];
      3'd5: top_word_q <= top_snap_q[159:128];
      3'd6: top_word_q <= top_snap_q[191:160];
      default: top_word_q <= '0;
    endcase
    if (top_snap_en) top_snap_q <= top_row_vld_q ? top_row_q[TOP_DW+2:3] : '0;
  end
  always_ff @(posedge clk) begin
    soft_rst_q2 <= soft_rst_q;
    for (int i = 0; i < 2**SLOT_IDX_W; i++) begin  // a decoder: one compare per slot
      if (rst || soft_rst_q || soft_rst_q2 || i >= NI) top_vld_q[i] <= 1'b0;
      else if (top_we_i && top_slot_i == 16'(i)) top_vld_q[i] <= 1'b1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Commit rules that need no multiplication (TOML [[slot.commit_rule]], in order). The host
  // writes RECIP_SH, RECIP and D_LIM as ttq::sim::quoter_card_regs computes them from TICK and
  // MAX_SPREAD_TICKS: s = 40 - l (l the smallest with T <= 2^l), r = floor(2^65 / (T << s)),
  // d_lim = (MAX+1)*T. s is that value exactly when the normalised tick T << s lies in
  // (2^39, 2^40] (s <= 40 by the write range, so T << s < 2^80).
  // Two register stages from cmt_cfg_q, the shift and the field tests, then the rule: the fields
  // they read are final three cycles or more before S_CMT_CHK (g_chk_words), which reads them.
  logic [7:0]       chk_res, chk_res_q;
  logic [79:0]      t_norm_w_q;
  logic [40:0]      t_norm_q;   // T << s when RECIP_SH is right
  logic             sid0_q, tick0_q, fc_gt_q;
  always_ff @(posedge clk) begin
    t_norm_w_q <= 80'(cmt_cfg_q.tick) << cmt_cfg_q.recip_sh;
    sid0_q <= cmt_cfg_q.security_id == '0;
    tick0_q <= cmt_cfg_q.tick == '0;
    fc_gt_q <= {~cmt_cfg_q.price_floor[63], cmt_cfg_q.price_floor[62:0]} >
               {~cmt_cfg_q.price_ceiling[63], cmt_cfg_q.price_ceiling[62:0]};
    chk_res_q <= chk_res;
  end
  assign t_norm_q = t_norm_w_q[40:0];
  always_comb begin
    if (sid0_q) chk_res = ttq_regs_pkg::ERR_SECURITY_ID;
    else if (tick0_q) chk_res = ttq_regs_pkg::ERR_TICK;
    else if (!(t_norm_w_q > 80'h80_0000_0000 && t_norm_w_q <= 80'h100_0000_0000))
      chk_res = ttq_regs_pkg::ERR_RECIP_SH;
    else if (fc_gt_q) chk_res = ttq_regs_pkg::ERR_FLOOR_CEILING;
    else chk_res = ttq_regs_pkg::ERR_NONE;
  end

  // ---------------------------------------------------------------------------------------------
  // Engine: next state, RAM ports, error recording.
  logic [31:0]         rd_val;
  logic                rec_en, rec_read;
  logic [4:0]          rec_bit;
  logic [7:0]          rec_code;
  logic [AW-1:0]       rec_addr;
  logic [4:0]          err_clr;
  logic                kill_d, soft_rst_d, flush_d, snap_en, cmt_apply;
  logic                arb_we, line_we;
  logic                b_set, r_set;
  logic [1:0]          resp_d;
  logic [SHD_AW-1:0]   init_idx_d;
  logic                cfg_ready_d, prio_rd_d, mul_pass_d, mul_end_d;
  logic [SLOT_IDX_W-1:0] cmt_slot_d;
  logic [AW-1:0]       cmt_addr_d;
  logic [WIDX_W:0]     cmt_w_d;
  ttq_regs_pkg::slot_cfg_t cmt_cfg_d;
  logic [7:0]          cmt_res_d;
  logic [MUL_W-1:0]    mul_a_d, mul_acc_d;
  logic [MUL_BW-1:0]   mul_b_d;
  logic                kill_fast;
  logic [AW-1:0]       kf_addr;
  logic [31:0]         kf_data;
  logic                kf_strb0;

  // KILL takes effect at the edge that completes the later of its AW and W handshakes, even
  // while the engine is busy (a commit takes ~80 cycles); the write still executes normally.
  always_comb begin
    kf_addr = aw_full_q ? aw_addr_q : s_axil_awaddr;
    kf_data = w_full_q ? w_data_q : s_axil_wdata;
    kf_strb0 = w_full_q ? w_strb_q[0] : s_axil_wstrb[0];
    kill_fast = (aw_full_q | aw_hs) & (w_full_q | w_hs) & kf_addr == ttq_regs_pkg::A_CONTROL &
                kf_strb0 & kf_data[ttq_regs_pkg::CONTROL_KILL_LSB];
  end

  always_comb begin
    state_d = state_q;
    init_idx_d = init_idx_q;
    cfg_ready_d = cfg_ready_q;
    prio_rd_d = prio_rd_q;
    kill_d = kill_q;
    soft_rst_d = 1'b0;
    flush_d = 1'b0;
    arb_we = 1'b0;
    line_we = 1'b0;
    snap_en = 1'b0;
    top_snap_en = 1'b0;
    cmt_apply = 1'b0;
    b_set = 1'b0;
    r_set = 1'b0;
    resp_d = RESP_OKAY;
    rd_val = '0;
    rec_en = 1'b0;
    rec_read = 1'b0;
    rec_bit = '0;
    rec_code = ttq_regs_pkg::ERR_NONE;
    rec_addr = x_addr_q;
    err_clr = '0;
    cmt_slot_d = cmt_slot_q;
    cmt_addr_d = cmt_addr_q;
    cmt_w_d = cmt_w_q;
    cmt_cfg_d = cmt_cfg_q;
    cmt_res_d = cmt_res_q;
    mul_pass_d = mul_pass_q;
    mul_end_d = mul_end_q;
    mul_a_d = mul_a_q;
    mul_b_d = mul_b_q;
    mul_acc_d = mul_acc_q;

    shd_we = 1'b0;
    shd_waddr = {dq_slot_q, dq_widx_q};
    shd_wdata = x_data_q;
    shd_raddr = {dq_slot_q, dq_widx_q};
    cfg_we = 1'b0;
    cfg_waddr = cmt_slot_q;
    cfg_wdata = cmt_cfg_q;

    unique case (state_q)
      S_INIT: begin
        shd_we = 1'b1;
        shd_waddr = init_idx_q;
        shd_wdata = ttq_regs_pkg::slot_word_reset(init_idx_q[WIDX_W-1:0], DEPTH);
        cfg_waddr = init_idx_q[SHD_AW-1:WIDX_W];
        cfg_wdata = CFG_RESET;
        cfg_we = &init_idx_q[WIDX_W-1:0];
        init_idx_d = init_idx_q + 1'b1;
        if (init_idx_q == INIT_LAST) begin
          state_d = S_IDLE;
          cfg_ready_d = 1'b1;
        end
      end

      S_IDLE: begin
        if (take_rd) begin
          prio_rd_d = 1'b0;
          state_d = S_DEC;
        end else if (take_wr) begin
          prio_rd_d = 1'b1;
          state_d = S_DEC;
        end
      end

      S_DEC: state_d = S_EXEC;

      S_EXEC: begin
        state_d = S_IDLE;
        if (x_rd_q) begin
          if (dq_shd_q) begin
            state_d = S_RD_SHD;  // shadow word (shd_raddr in this cycle): data next cycle
          end else if (dq_top_q) begin
            state_d = S_RD_TOP;  // published top (top_row_q loads this cycle)
          end else begin
            r_set = 1'b1;
            if (dq_glb_q) rd_val = dq_glb_val_q;
            else if (dq_cnt_q) rd_val = dq_cnt_hi_q ? snap_q : dq_cnt_lo_q;
            else if (dq_line_q) rd_val = dq_line_val_q;
            snap_en = dq_cnt_q & ~dq_cnt_hi_q;
            if (dq_none) begin  // COMMIT reads 0; anything else is unmapped
              resp_d = RESP_SLVERR;
              rec_en = 1'b1;
              rec_read = 1'b1;
              rec_bit[ttq_regs_pkg::ERROR_UNMAPPED_LSB] = 1'b1;
              rec_code = ttq_regs_pkg::ERR_UNMAPPED;
            end
          end
        end else begin
          b_set = 1'b1;
          // A commit excludes every other case below (COMMIT lies in no other register region,
          // and dq_cmt_go_q includes the full strobes): it is tested first, so that the next
          // state does not wait for the whole chain.
          if (dq_cmt_go_q) begin
            b_set = 1'b0;  // BRESP when the commit is done
            state_d = S_CMT_RD;
            cmt_slot_d = dq_slot_q;
            cmt_addr_d = x_addr_q;
            cmt_w_d = '0;
          end else if (dq_none) begin
            resp_d = RESP_SLVERR;
            rec_en = 1'b1;
            rec_bit[ttq_regs_pkg::ERROR_UNMAPPED_LSB] = 1'b1;
            rec_code = ttq_regs_pkg::ERR_UNMAPPED;
          end else if (dq_control_q) begin
            // Never refused: byte lane 0 holds every CONTROL field.
            if (x_strb_q[0]) begin
              kill_d = x_data_q[ttq_regs_pkg::CONTROL_KILL_LSB];
              soft_rst_d = x_data_q[ttq_regs_pkg::CONTROL_SOFT_RESET_LSB];
              flush_d = x_data_q[ttq_regs_pkg::CONTROL_FLUSH_LSB];
            end
          end else if (dq_partial_q) begin
            rec_en = 1'b1;
            rec_bit[ttq_regs_pkg::ERROR_PARTIAL_WRITE_LSB] = 1'b1;
            rec_code = ttq_regs_pkg::ERR_PARTIAL_WRITE;
          end else if (dq_ro) begin
            rec_en = 1'b1;
            rec_bit[ttq_regs_pkg::ERROR_RO_WRITE_LSB] = 1'b1;
            rec_code = ttq_regs_pkg::ERR_RO_WRITE;
          end else if (dq_error_q) begin  // write 1 to clear
            err_clr = x_data_q[4:0];
          end else if (dq_glb_ok_q) begin
            arb_we = 1'b1;  // ARB_WINDOW or MODE, the ranged global registers (dq_mode_q)
          end else if (dq_line_q && dq_lok_q) begin
            line_we = 1'b1;
          end else if (dq_shd_q && dq_sok_q) begin
            shd_we = 1'b1;
          end else begin
            rec_en = 1'b1;
            rec_bit[ttq_regs_pkg::ERROR_FIELD_RANGE_LSB] = 1'b1;
            rec_code = ttq_regs_pkg::ERR_FIELD_RANGE;
          end
        end
      end

      S_RD_SHD: begin
        r_set = 1'b1;
        rd_val = shd_rdata_q;
        state_d = S_IDLE;
      end

      S_RD_TOP: state_d = S_RD_TOP2;

      S_RD_TOP2: begin
        r_set = 1'b1;
        if (dq_top_w0_q) begin  // TOP_FLAGS: the entry's flags, and the latch takes the rest
          rd_val = {29'd0, top_row_vld_q ? top_row_q[2:0] : 3'd0};
          top_snap_en = 1'b1;
        end else begin
          rd_val = top_word_q;
        end
        state_d = S_IDLE;
      end

      S_CMT_RD: begin
        // Words 0 .. SLOT_NW-1 arrive one cycle after their read (cmt_pw_q = cmt_w_q - 1).
        shd_raddr = {cmt_slot_q, cmt_w_q[WIDX_W-1:0]};
        if (cmt_w_q != '0) begin
          cmt_cfg_d = ttq_regs_pkg::slot_cfg_put(cmt_cfg_q, cmt_pw_q, shd_rdata_q);
        end
        cmt_w_d = cmt_w_q + 1'b1;
        if (cmt_w_q == (WIDX_W+1)'(ttq_regs_pkg::SLOT_NW)) state_d = S_CMT_CHK;
      end

      S_CMT_CHK: begin
        cmt_res_d = cmt_cfg_q.valid ? chk_res_q : ttq_regs_pkg::ERR_NONE;  // VALID=0: no rules
        // r = floor(2^65 / tn) <=> r*tn <= 2^65 < (r+1)*tn <=> (r+1)*tn - 2^65 - 1 in [0, tn).
        mul_pass_d = 1'b0;
        mul_end_d = 1'b0;
        mul_a_d = MUL_W'(t_norm_q);
        mul_b_d = cmt_cfg_q.recip;
        mul_acc_d = MUL_W'(t_norm_q) - 1'b1 - (MUL_W'(1) << 65);
        if (!cmt_cfg_q.valid || chk_res_q != ttq_regs_pkg::ERR_NONE) state_d = S_CMT_END;
        else state_d = S_CMT_MUL;
      end

      S_CMT_MUL: begin
        // Two multiplier bits per cycle (mod 2^MUL_W, as one bit per cycle would give).
        if (mul_b_q != '0) begin
          mul_acc_d = mul_acc_q + (mul_b_q[0] ? mul_a_q : '0) +
                      (mul_b_q[1] ? {mul_a_q[MUL_W-2:0], 1'b0} : '0);
          mul_a_d = {mul_a_q[MUL_W-3:0], 2'b00};
          mul_b_d = {2'b00, mul_b_q[MUL_BW-1:2]};
        end else if (!mul_end_q) begin
          mul_end_d = 1'b1;  // the product is final: its tests are registered first
        end else if (!mul_pass_q) begin
          // (RECIP + 1) * tn - 2^65 - 1 must be in [0, tn).
          if (recip_bad_q) begin
            cmt_res_d = ttq_regs_pkg::ERR_RECIP;
            state_d = S_CMT_END;
          end else begin
            mul_pass_d = 1'b1;
            mul_end_d = 1'b0;
            mul_a_d = MUL_W'(cmt_cfg_q.tick);
            mul_b_d = MUL_BW'(cmt_cfg_q.max_spread_ticks) + 1'b1;
            mul_acc_d = ~(MUL_W'(cmt_cfg_q.d_lim));  // -D_LIM - 1: the product must give -1
          end
        end else begin
          // (MAX_SPREAD_TICKS + 1) * T - D_LIM - 1 must be -1.
          if (!acc_ones_q) cmt_res_d = ttq_regs_pkg::ERR_D_LIM;
          state_d = S_CMT_END;
        end
      end

      S_CMT_END: begin
        b_set = 1'b1;
        state_d = S_IDLE;
        if (cmt_res_q == ttq_regs_pkg::ERR_NONE) begin
          cfg_we = 1'b1;
          cmt_apply = 1'b1;
        end else begin
          rec_en = 1'b1;
          rec_bit[ttq_regs_pkg::ERROR_COMMIT_REFUSED_LSB] = 1'b1;
          rec_code = cmt_res_q;
          rec_addr = cmt_addr_q;
        end
      end

      default: state_d = S_IDLE;
    endcase

    if (kill_fast) kill_d = 1'b1;
  end

  // ---------------------------------------------------------------------------------------------
  always_ff @(posedge clk) begin
    if (rst) begin
      run_q <= 1'b0;
      aw_full_q <= 1'b0;
      w_full_q <= 1'b0;
      ar_full_q <= 1'b0;
      b_valid_q <= 1'b0;
      r_valid_q <= 1'b0;
      state_q <= S_INIT;
      prio_rd_q <= 1'b0;
      init_idx_q <= '0;
      cfg_ready_q <= 1'b0;
      kill_q <= 1'b0;
      soft_rst_q <= 1'b0;
      flush_q <= 1'b0;
      busy_q <= 1'b0;
      err_q <= '0;
      err_count_q <= '0;
      err_addr_q <= '0;
      err_code_q <= '0;
      err_read_q <= 1'b0;
      cmt_status_slot_q <= '0;
      cmt_status_res_q <= '0;
      cmt_count_q <= '0;
      cfg_commit_o <= 1'b0;
      cfg_commit_slot_o <= '0;
    end else begin
      run_q <= 1'b1;
      aw_full_q <= (aw_full_q & ~take_wr) | aw_hs;
      w_full_q <= (w_full_q & ~take_wr) | w_hs;
      ar_full_q <= (ar_full_q & ~take_rd) | ar_hs;
      if (b_set) b_valid_q <= 1'b1;
      else if (s_axil_bready) b_valid_q <= 1'b0;
      if (r_set) r_valid_q <= 1'b1;
      else if (s_axil_rready) r_valid_q <= 1'b0;
      state_q <= state_d;
      prio_rd_q <= prio_rd_d;
      init_idx_q <= init_idx_d;
      cfg_ready_q <= cfg_ready_d;
      kill_q <= kill_d;
      soft_rst_q <= soft_rst_d;
      flush_q <= flush_d;
      busy_q <= busy_i;
      err_q <= (err_q & ~err_clr) | rec_bit;
      if (rec_en) begin
        if (err_count_q != '1) err_count_q <= err_count_q + 1'b1;
        err_addr_q <= rec_addr;
        err_code_q <= rec_code;
        err_read_q <= rec_read;
      end
      if (state_q == S_CMT_END) begin
        cmt_status_slot_q <= 16'(cmt_slot_q);
        cmt_status_res_q <= cmt_res_q;
      end
      if (cmt_apply) cmt_count_q <= cmt_count_q + 1'b1;
      cfg_commit_o <= cmt_apply;
      if (cmt_apply) cfg_commit_slot_o <= 16'(cmt_slot_q);
    end
  end

  // Datapath registers (no reset needed: qualified by the state above).
  always_ff @(posedge clk) begin
    if (aw_hs) aw_addr_q <= s_axil_awaddr;
    if (w_hs) begin
      w_data_q <= s_axil_wdata;
      w_strb_q <= s_axil_wstrb;
    end
    if (ar_hs) ar_addr_q <= s_axil_araddr;
    if (b_set) b_resp_q <= resp_d;
    if (r_set) begin
      r_resp_q <= resp_d;
      r_data_q <= rd_val;
    end
    cmt_slot_q <= cmt_slot_d;
    cmt_addr_q <= cmt_addr_d;
    cmt_w_q <= cmt_w_d;
    cmt_pw_q <= cmt_w_q[WIDX_W-1:0];
    cmt_cfg_q <= cmt_cfg_d;
    cmt_res_q <= cmt_res_d;
    mul_pass_q <= mul_pass_d;
    mul_end_q <= mul_end_d;
    acc_ones_q <= &mul_acc_q;
    recip_bad_q <= mul_acc_q[MUL_W-1] || mul_acc_q >= MUL_W'(t_norm_q);
    mul_a_q <= mul_a_d;
    mul_b_q <= mul_b_d;
    mul_acc_q <= mul_acc_d;
  end

  // Feed parameters: plain registers, written when the write executes (no commit).
  always_ff @(posedge clk) begin
    if (rst) begin
      arb_window_q <= ttq_regs_pkg::ARB_WINDOW_RESET;
      mode_q <= ttq_regs_pkg::MODE_RESET;
      line_valid_q <= {N_LINES{ttq_regs_pkg::LINE_VALID_RESET}};
      line_ip_q <= {N_LINES{ttq_regs_pkg::LINE_IP_RESET}};
      line_port_q <= {N_LINES{ttq_regs_pkg::LINE_PORT_RESET}};
      line_channel_q <= {N_LINES{ttq_regs_pkg::LINE_CHANNEL_RESET}};
      line_kind_q <= {N_LINES{ttq_regs_pkg::LINE_KIND_RESET}};
      line_b_q <= {N_LINES{ttq_regs_pkg::LINE_B_RESET}};
    end else begin
      if (arb_we && !dq_mode_q) arb_window_q <= x_data_q[7:0];
      if (arb_we && dq_mode_q) mode_q <= x_data_q[0];
      for (int unsigned i = 0; i < N_LINES; i++) begin
        if (line_we && dq_line_idx_q == LINE_IDX_W'(i)) begin
          unique case (dq_line_off_q)
            ttq_regs_pkg::LO_LINE_VALID: line_valid_q[i] <= x_data_q[0];
            ttq_regs_pkg::LO_LINE_IP: line_ip_q[i * 32 +: 32] <= x_data_q;
            ttq_regs_pkg::LO_LINE_PORT: line_port_q[i * 16 +: 16] <= x_data_q[15:0];
            ttq_regs_pkg::LO_LINE_CHANNEL: line_channel_q[i * 8 +: 8] <= x_data_q[7:0];
            ttq_regs_pkg::LO_LINE_KIND: line_kind_q[i * 2 +: 2] <= x_data_q[1:0];
            ttq_regs_pkg::LO_LINE_B: line_b_q[i] <= x_data_q[0];
            default: ;
          endcase
        end
      end
    end
  end

  // Counters: add the increments every cycle; reset and soft reset clear them (and the snapshot).
  always_ff @(posedge clk) begin
    if (rst || soft_rst_q) begin
      cnt_q <= '0;
      snap_q <= '0;
    end else begin
      for (int unsigned i = 0; i < N_CNT; i++) begin
        cnt_q[i * 64 +: 64] <= cnt_q[i * 64 +: 64] + 64'(cnt_inc_i[i * INC_W +: INC_W]);
      end
      if (snap_en) snap_q <= dq_hi_q;
    end
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst && state_q == S_EXEC && !x_rd_q) begin
      assert (!(dq_cmt_go_q && (dq_none || dq_control_q || dq_partial_q || dq_ro || dq_error_q ||
                                dq_glb_ok_q || (dq_line_q && dq_lok_q) ||
                                (dq_shd_q && dq_sok_q))));
    end
  end
`endif

  assign kill_o = kill_q;
  assign soft_rst_o = soft_rst_q;
  assign flush_o = flush_q;
  assign arb_window_o = arb_window_q;
  assign mode_ct_o = mode_q;
  assign line_valid_o = line_valid_q;
  assign line_ip_o = line_ip_q;
  assign line_port_o = line_port_q;
  assign line_channel_o = line_channel_q;
  assign line_kind_o = line_kind_q;
  assign line_b_o = line_b_q;
  assign cfg_ready_o = cfg_ready_q;

endmodule

`resetall
