// Line filter of the card: each datagram's destination ip:port -> channel, feed kind and line
// (A/B), first valid matching entry wins, as FastPath::process does with cfg_.lines. No match ->
// hit = 0 (FrameDrop::kUnknownLine); no valid entry at all -> hit, channel 0, incremental.
// One record per cycle, LATENCY = 2. A second lookup, for ttq_l2l4's header records (cut-through:
// the line at the MsgSeqNum), has the same rule and latency and no back-pressure.
// docs/rtl_line_filter.md.
`default_nettype none

module ttq_line_filter #(
  parameter int N_LINES = 8,
  parameter int HDR_USER_W = 33  // side-band carried with a header lookup ({ok, MsgSeqNum})
) (
  input  logic                   clk,
  input  logic                   rst,

  // Line table (from ttq_regs), entry i in bits [i*W +: W]. Sampled with each record's handshake.
  input  logic [N_LINES-1:0]     line_valid,
  input  logic [N_LINES*32-1:0]  line_ip,
  input  logic [N_LINES*16-1:0]  line_port,
  input  logic [N_LINES*8-1:0]   line_channel,
  input  logic [N_LINES*2-1:0]   line_kind,     // 0 incremental, 1 snapshot, 2 definition
  input  logic [N_LINES-1:0]     line_b,        // 0 line A, 1 line B

  // One beat per datagram that passed ttq_l2l4.
  input  logic                   s_axis_dst_tvalid,
  output logic                   s_axis_dst_tready,
  input  logic [31:0]            s_axis_dst_ip,
  input  logic [15:0]            s_axis_dst_port,

  // One beat per input beat, same order.
  output logic                   m_axis_line_tvalid,
  input  logic                   m_axis_line_tready,
  output logic                   m_axis_line_hit,      // 0: unknown line, drop the datagram
  output logic [7:0]             m_axis_line_channel,
  output logic [1:0]             m_axis_line_kind,
  output logic                   m_axis_line_b,

  // Header lookups: one per s_hdr_valid pulse, answered on m_hdr_line_valid exactly 2 cycles
  // later whatever the stream above does (no back-pressure on either side).
  input  logic                   s_hdr_valid,
  input  logic [31:0]            s_hdr_dst_ip,
  input  logic [15:0]            s_hdr_dst_port,
  input  logic [HDR_USER_W-1:0]  s_hdr_user,
  output logic                   m_hdr_line_valid,
  output logic                   m_hdr_line_hit,
  output logic [7:0]             m_hdr_line_channel,
  output logic [1:0]             m_hdr_line_kind,
  output logic                   m_hdr_line_b,
  output logic [HDR_USER_W-1:0]  m_hdr_line_user
);
`ifndef SYNTHESIS
  if (N_LINES < 1 || N_LINES > 256) begin : g_bad_n
    $fatal(1, "ttq_line_filter: N_LINES must be in [1, 256]");
  end
`endif

  localparam int FW = 11;  // {channel, kind, line} of one entry

  // First matching entry, lowest index wins: {hit, {channel, kind, line}}. No valid entry at all
  // (empty) is a hit on channel 0, incremental, line A. Both lookups use it.
  function automatic logic [FW:0] pick_line(input logic [N_LINES-1:0] match, input logic empty,
                                            input logic [N_LINES*FW-1:0] fields);
    logic [FW:0] r;
    r = {empty, {FW{1'b0}}};
    for (int i = N_LINES - 1; i >= 0; i--) begin
      if (match[i]) r = {1'b1, fields[i*FW +: FW]};
    end
    pick_line = r;
  endfunction

  // Stage 1: compare against every entry and keep a copy of the table's fields, so a table
  // written while the record is in flight cannot mix two tables in one result.
  logic               v1_q;
  logic [N_LINES-1:0] match_q;
  logic               empty_q;
  logic [N_LINES*FW-1:0] fields_q;
  // Stage 2: the output register.
  logic               v2_q;
  logic               hit_q;
  logic [FW-1:0]      res_q;

  logic adv2, adv1;
  always_comb begin
    adv2 = !v2_q || m_axis_line_tready;
    adv1 = !v1_q || adv2;
  end
  assign s_axis_dst_tready = adv1;

  logic [N_LINES-1:0]    match_d, hmatch_d;
  logic [N_LINES*FW-1:0] fields_d;
  always_comb begin
    for (int i = 0; i < N_LINES; i++) begin
      match_d[i] = line_valid[i] && line_ip[i*32 +: 32] == s_axis_dst_ip &&
                   line_port[i*16 +: 16] == s_axis_dst_port;
      hmatch_d[i] = line_valid[i] && line_ip[i*32 +: 32] == s_hdr_dst_ip &&
                    line_port[i*16 +: 16] == s_hdr_dst_port;
      fields_d[i*FW +: FW] = {line_channel[i*8 +: 8], line_kind[i*2 +: 2], line_b[i]};
    end
  end

  logic          hit_d;
  logic [FW-1:0] res_d;
  assign {hit_d, res_d} = pick_line(match_q, empty_q, fields_q);

  always_ff @(posedge clk) begin
    if (adv1) begin
      match_q  <= match_d;
      empty_q  <= line_valid == '0;
      fields_q <= fields_d;
    end
    if (adv2) begin
      hit_q <= hit_d;
      res_q <= res_d;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      v1_q <= 1'b0;
      v2_q <= 1'b0;
    end else begin
      if (adv1) v1_q <= s_axis_dst_tvalid;
      if (adv2) v2_q <= v1_q;
    end
  end

  // The header lookup: the same two stages with their own registers, advancing every cycle.
  logic                  hv1_q, hv2_q, hempty_q, hhit_q;
  logic [N_LINES-1:0]    hmatch_q;
  logic [N_LINES*FW-1:0] hfields_q;
  logic [FW-1:0]         hres_q;
  logic [HDR_USER_W-1:0] huser1_q, huser2_q;
  logic                  hhit_d;
  logic [FW-1:0]         hres_d;
  assign {hhit_d, hres_d} = pick_line(hmatch_q, hempty_q, hfields_q);
  always_ff @(posedge clk) begin
    if (rst) begin
      hv1_q <= 1'b0;
      hv2_q <= 1'b0;
    end else begin
      hv1_q <= s_hdr_valid;
      hv2_q <= hv1_q;
    end
    if (s_hdr_valid) begin
      hmatch_q  <= hmatch_d;
      hempty_q  <= line_valid == '0;
      hfields_q <= fields_d;
      huser1_q  <= s_hdr_user;
    end
    if (hv1_q) begin
      hhit_q   <= hhit_d;
      hres_q   <= hres_d;
      huser2_q <= huser1_q;
    end
  end
  assign m_hdr_line_valid   = hv2_q;
  assign m_hdr_line_hit     = hhit_q;
  assign m_hdr_line_channel = hres_q[10:3];
  assign m_hdr_line_kind    = hres_q[2:1];
  assign m_hdr_line_b       = hres_q[0];
  assign m_hdr_line_user    = huser2_q;

  assign m_axis_line_tvalid  = v2_q;
  assign m_axis_line_hit     = hit_q;
  assign m_axis_line_channel = res_q[10:3];
  assign m_axis_line_kind    = res_q[2:1];
  assign m_axis_line_b       = res_q[0];
endmodule

`resetall
