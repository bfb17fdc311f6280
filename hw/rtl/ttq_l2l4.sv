// L2-L4 header-check stage: Ethernet frames from the MAC in, UDP payloads (realigned to lane 0)
// and one verdict per frame out. Bit-exact with ttq::parse_udp (host/src/net.cpp): same checks,
// same order, same drop reason. A header record per frame comes out early, at the packet's
// MsgSeqNum, bit-exact with ttq::header_verdict (cut-through commit). Interface, verdict contract
// and cycle budget: docs/rtl_l2l4.md.
`default_nettype none

module ttq_l2l4 #(
  parameter int unsigned DATA_W = 64
) (
  input  logic                clk,
  input  logic                rst,
  // Frames, FCS stripped; byte 0 in data[7:0] of the first beat; tuser at tlast = bad FCS.
  input  logic [DATA_W-1:0]   s_axis_frame_tdata,
  input  logic [DATA_W/8-1:0] s_axis_frame_tkeep,
  input  logic                s_axis_frame_tvalid,
  output logic                s_axis_frame_tready,
  input  logic                s_axis_frame_tlast,
  input  logic                s_axis_frame_tuser,
  // UDP payload bytes only; payload byte 0 in data[7:0] of the packet's first beat.
  output logic [DATA_W-1:0]   m_axis_udp_tdata,
  output logic [DATA_W/8-1:0] m_axis_udp_tkeep,
  output logic                m_axis_udp_tvalid,
  input  logic                m_axis_udp_tready,
  output logic                m_axis_udp_tlast,
  // One record per input frame, in order (layout: l2l4_verdict_t below, docs/rtl_l2l4.md).
  output logic [127:0]        m_axis_verdict_tdata,
  output logic                m_axis_verdict_tvalid,
  input  logic                m_axis_verdict_tready,
  // Header record: one pulse per input frame, in order, 2 cycles after the beat holding payload
  // byte 3 (or the frame's last beat if it ends first; docs/rtl_l2l4.md "Header record"). No
  // back-pressure: the consumer takes it in the cycle it is valid.
  output logic                m_hdr_valid,
  output logic                m_hdr_ok,        // ttq::header_verdict: headers pass, seq present
  output logic [31:0]         m_hdr_seq,       // MsgSeqNum (payload bytes 0..3, little-endian)
  output logic [31:0]         m_hdr_dst_ip,    // host order; with m_hdr_seq valid when m_hdr_ok
  output logic [15:0]         m_hdr_dst_port
);

  if (DATA_W != 64) begin : g_bad_data_w
    $fatal(1, "ttq_l2l4: only DATA_W = 64 is implemented");
  end

  localparam int unsigned BIDX_W = 14;          // beat index in a frame, saturating
  localparam int unsigned POS_W = BIDX_W + 3;   // byte position in a frame

  typedef struct packed {
    logic [7:0]  reserved;
    logic [31:0] src_ip;
    logic [31:0] dst_ip;
    logic [15:0] src_port;
    logic [15:0] dst_port;
    logic [15:0] len;      // UDP payload bytes (UDP length - 8)
    logic        payload;  // this frame sent a payload packet on m_axis_udp
    logic [2:0]  spare;
    logic [3:0]  reason;   // ttq_pkg::frame_drop_e, DROP_NONE for a good frame
  } l2l4_verdict_t;

  function automatic logic is_tag(input logic [15:0] et);
    is_tag = (et == 16'h8100) || (et == 16'h88A8);
  endfunction

  // Big-endian 16-bit word in lanes (2i, 2i+1).
  function automatic logic [15:0] word(input logic [63:0] d, input int unsigned i);
    word = {d[16*i +: 8], d[16*i+8 +: 8]};
  endfunction

  // One's-complement check of a header sum: folding acc to 16 bits gives 0xFFFF exactly when
  // acc[15:0] + acc[20:16] == 0xFFFF (acc holds at most 30 words, so it never folds twice).
  function automatic logic csum_good(input logic [20:0] acc);
    csum_good = (&acc[15:5]) && (acc[4:0] == ~acc[20:16]);
  endfunction

  // Low (k + 1) lanes.
  function automatic logic [7:0] therm(input logic [2:0] k);
    therm = ~(8'hFE << k);
  endfunction

  // ---------------------------------------------------------------------------------------------
  // Flow control: one enable for the whole pipeline; it stops only while an output holds a record
  // its consumer has not taken.
  logic en;
  logic udp_v_q, vd_v_q;
  logic beat_in;
  assign en = ~(udp_v_q & ~m_axis_udp_tready) & ~(vd_v_q & ~m_axis_verdict_tready);
  assign s_axis_frame_tready = en & ~rst;
  assign beat_in = s_axis_frame_tvalid & s_axis_frame_tready;

  // ---------------------------------------------------------------------------------------------
  // S0: the input beat. Beat counter, EtherType classes, header window, checksum pair sums.
  logic [63:0] in_d;
  logic [15:0] in_w0, in_w1, in_w2, in_w3;
  logic [BIDX_W-1:0] bcnt_q;
  logic [3:0] bsm_q;  // the same count saturating at 15: the header decode needs no more
  logic in_b0, in_b1, in_b2, in_b3, in_hi;
  assign in_d = s_axis_frame_tdata;
  assign in_w0 = word(in_d, 0);
  assign in_w1 = word(in_d, 1);
  assign in_w2 = word(in_d, 2);
  assign in_w3 = word(in_d, 3);
  assign in_b0 = bsm_q == 4'd0;
  assign in_b1 = bsm_q == 4'd1;
  assign in_b2 = bsm_q == 4'd2;
  assign in_b3 = bsm_q == 4'd3;
  assign in_hi = |bsm_q[3:2];  // beat >= 4: U_q is this frame's

  always_ff @(posedge clk) begin
    if (rst) begin
      bcnt_q <= '0;
      bsm_q <= '0;
    end else if (beat_in) begin
      if (s_axis_frame_tlast) begin
        bcnt_q <= '0;
        bsm_q <= '0;
      end else begin
        if (~&bcnt_q) bcnt_q <= bcnt_q + 1'b1;
        if (~&bsm_q) bsm_q <= bsm_q + 4'd1;
      end
    end
  end

  // Per-frame Ethernet state: EtherType at 12 (beat 1 lanes 4-5), 16 (beat 2 lanes 0-1) and 20
  // (beat 2 lanes 4-5). The header offset h is 14 / 18 / 22 for 0 / 1 / 2 tags.
  logic tag0_q, tag1_q, ip0_q, ip1_q, ip2_q;
  always_ff @(posedge clk) begin
    if (beat_in && in_b1) begin
      tag0_q <= is_tag(in_w2);
      ip0_q <= in_w2 == 16'h0800;
    end
    if (beat_in && in_b2) begin
      tag1_q <= is_tag(in_w0);
      ip1_q <= in_w0 == 16'h0800;
      ip2_q <= in_w2 == 16'h0800;
    end
  end

  // Header window: bytes 14..41 (end of beat 1 to start of beat 5) hold the first 20 IPv4
  // bytes whatever h is. Byte k is win_q[8*(k-14) +: 8].
  logic [223:0] win_q;
  always_ff @(posedge clk) begin
    if (beat_in) begin
      if (in_b1) win_q[0 +: 16] <= in_d[63:48];
      if (in_b2) win_q[16 +: 64] <= in_d;
      if (in_b3) win_q[80 +: 64] <= in_d;
      if (bsm_q == 4'd4) win_q[144 +: 64] <= in_d;
      if (bsm_q == 4'd5) win_q[208 +: 16] <= in_d[15:0];
    end
  end

  // IPv4 header end U = h + 4*IHL (from beat 2, S1) and the payload start P = U + 8. Every offset
  // here is even and U = 2 (mod 4), so the payload shift P mod 8 is 2 or 6 (u6_q).
  logic [6:0] um1_q;
  logic [3:0] ub_q, p8_q;   // U >> 3, P >> 3 (= U >> 3 + 1)
  logic [3:0] m_q;          // (P + 3) >> 3: the beat that completes the MsgSeqNum
  logic       u6_q;         // U mod 8 == 6
  logic       ihlok_q;      // version 4 and IHL >= 5: U >= h + 20, P >= 42
  logic in_lt_ub, in_eq_ub, in_eq_p8;
  assign in_lt_ub = bsm_q < ub_q;  // ub_q, p8_q <= 11 < 15
  assign in_eq_ub = in_hi && bsm_q == ub_q;
  assign in_eq_p8 = in_hi && bsm_q == p8_q;

  // Checksum words of this beat that lie in [h, U): the adders work on the raw lanes; which
  // words count is decided in S1 from registered compares (the EtherType compares of this beat
  // are registered on their own, not in series with the select and the accumulator).
  logic [16:0] in_s01f, in_s23f;
  assign in_s01f = {1'b0, in_w0} + {1'b0, in_w1};
  assign in_s23f = {1'b0, in_w2} + {1'b0, in_w3};

  // Position of the beat's last byte (tkeep is contiguous from lane 0).
  logic [2:0] in_lane;
  always_comb begin
    in_lane = 3'd0;
    for (int i = 1; i < 8; i++) begin
      if (s_axis_frame_tkeep[i]) in_lane = 3'(i);
    end
  end

  // Header record trigger: beat M = (P + 3) >> 3 of the frame, found in S0 (m_q is this frame's
  // from beat 4 on, and a good header has M >= 5), or the frame's last beat if it comes first.
  // hdone_q: the frame's trigger beat has passed.
  logic in_hm, hdone_q;
  assign in_hm = (bsm_q >= 4'd5) && (bsm_q == m_q);
  always_ff @(posedge clk) begin
    if (rst) hdone_q <= 1'b0;
    else if (beat_in) hdone_q <= s_axis_frame_tlast ? 1'b0 : (hdone_q | in_hm);
  end

  // ---------------------------------------------------------------------------------------------
  // S1 registers: the beat and what S0 found in it.
  logic              r1_v_q, r1_last_q, r1_user_q, r1_first_q, r1_b2_q, r1_ub_q, r1_p8_q;
  logic [63:0]       r1_data_q;
  logic [7:2]        r1_keep_q;  // lanes 0-1 never reach the output (s >= 2)
  logic [POS_W-1:0]  r1_lp_q;
  logic [16:0]       r1_s01f_q, r1_s23f_q;
  logic              r1_b1_q, r1_mid_q, r1_tw0_q, r1_tw2_q;
  logic              r1_htrig_q, r1_hm_q, r1_hsq_q;  // header record: trigger, beat M, byte P+3
  logic [15:0]       r1_phi_q;  // lanes 6-7 of the beat before the S1 beat (MsgSeqNum, s = 6)
  always_ff @(posedge clk) begin
    if (rst) begin
      r1_v_q <= 1'b0;
      r1_last_q <= 1'b1;  // no frame in progress: the first beat is never an N beat's second
    end else begin
      if (en) r1_v_q <= beat_in;
      if (beat_in) r1_last_q <= s_axis_frame_tlast;
    end
    if (beat_in) begin
      r1_data_q <= in_d;
      r1_keep_q <= s_axis_frame_tkeep[7:2];
      r1_user_q <= s_axis_frame_tuser;
      r1_lp_q <= {bcnt_q, in_lane};
      r1_first_q <= in_b0;
      r1_b2_q <= in_b2;
      r1_ub_q <= in_eq_ub;
      r1_p8_q <= in_eq_p8;
      r1_s01f_q <= in_s01f;
      r1_s23f_q <= in_s23f;
      r1_b1_q <= in_b1;
      r1_mid_q <= in_b3 || in_lt_ub;  // a beat inside [h, U) from beat 3 on
      r1_tw0_q <= is_tag(in_w0);
      r1_tw2_q <= is_tag(in_w2);
      r1_htrig_q <= ~hdone_q & (in_hm | s_axis_frame_tlast);
      r1_hm_q <= in_hm;
      r1_hsq_q <= u6_q ? s_axis_frame_tkeep[1] : s_axis_frame_tkeep[5];  // lane of byte P + 3
      r1_phi_q <= r1_data_q[63:48];
    end
  end

  logic [15:0] r1_w0, r1_w1, r1_w2, r1_w3;
  assign r1_w0 = word(r1_data_q, 0);
  assign r1_w1 = word(r1_data_q, 1);
  assign r1_w2 = word(r1_data_q, 2);
  assign r1_w3 = word(r1_data_q, 3);

  // The beat's checksum words in [h, U). tag0_q (beat 1) and u6_q (beat 2's S1) are read here
  // in the S1 cycle of beats 2 and >= 4: they hold this frame's values then as in S0.
  logic [16:0] r1_s01, r1_s23;
  logic [1:0] sel01, sel23;  // 0: none, 1: low word, 2: high word, 3: both
  always_comb begin
    sel01 = 2'd0;
    sel23 = 2'd0;
    if (r1_first_q) begin
      sel01 = 2'd0;
    end else if (r1_b1_q) begin
      sel23 = r1_tw2_q ? 2'd0 : 2'd2;                   // h = 14: byte 14 starts the header
    end else if (r1_b2_q) begin
      if (!tag0_q) begin
        sel01 = 2'd3;
        sel23 = 2'd3;
      end else if (!r1_tw0_q) begin                     // h = 18
        sel01 = 2'd2;
        sel23 = 2'd3;
      end else begin                                    // h = 22
        sel23 = 2'd2;
      end
    end else if (r1_mid_q) begin
      sel01 = 2'd3;
      sel23 = 2'd3;
    end else if (r1_ub_q) begin
      sel01 = u6_q ? 2'd3 : 2'd1;
      sel23 = u6_q ? 2'd1 : 2'd0;
    end
  end
  always_comb begin
    unique case (sel01)
      2'd0: r1_s01 = '0;
      2'd1: r1_s01 = {1'b0, r1_w0};
      2'd2: r1_s01 = {1'b0, r1_w1};
      default: r1_s01 = r1_s01f_q;
    endcase
    unique case (sel23)
      2'd0: r1_s23 = '0;
      2'd1: r1_s23 = {1'b0, r1_w2};
      2'd2: r1_s23 = {1'b0, r1_w3};
      default: r1_s23 = r1_s23f_q;
    endcase
  end

  // ---------------------------------------------------------------------------------------------
  // IPv4 fields from the window at offset h, registered every cycle from frame state: in the S1
  // cycle of beat b they cover the window up to beat b-1, in its S2 cycle up to beat b. That is
  // always enough: the checks read IPv4 bytes 0-9, which end by beat 3, and decide only for
  // frames of h + 20 >= 34 bytes or more (tlast in beat 4 or later); the IP length threshold
  // (S1) is needed only for frames of U >= h + 20 bytes, which end a beat or more after it.
  logic [159:0] ipv;
  always_comb begin
    unique case ({tag0_q, tag1_q})
      2'b10: ipv = win_q[32 +: 160];   // h = 18
      2'b11: ipv = win_q[64 +: 160];   // h = 22
      default: ipv = win_q[0 +: 160];  // h = 14
    endcase
  end
  logic [3:0]  ip_ver, ip_ihl;
  logic [5:0]  ip_hlen;
  logic [15:0] ip_total;
  logic [13:0] ip_frag;
  logic [7:0]  ip_proto;
  logic [31:0] ip_src, ip_dst;
  logic [4:0]  hm1;  // h - 1
  assign ip_ver = ipv[7:4];
  assign ip_ihl = ipv[3:0];
  assign ip_hlen = {ip_ihl, 2'b00};
  assign ip_total = {ipv[23:16], ipv[31:24]};
  assign ip_frag = {ipv[53:48], ipv[63:56]};
  assign ip_proto = ipv[79:72];
  assign ip_src = {ipv[103:96], ipv[111:104], ipv[119:112], ipv[127:120]};
  assign ip_dst = {ipv[135:128], ipv[143:136], ipv[151:144], ipv[159:152]};
  assign hm1 = tag0_q ? (tag1_q ? 5'd21 : 5'd17) : 5'd13;

  logic ip_ok;
  assign ip_ok = tag0_q ? (tag1_q ? ip2_q : ip1_q) : ip0_q;

  logic             ipf_bad_q, ipf_frag_q, ipf_notudp_q, ipf_ulen_q, hdr_pre_q;
  logic [POS_W-1:0] ipf_thr_q;  // h + total - 1: last byte position the IP datagram needs
  logic [15:0]      ipf_tmi_q;  // total - 4*IHL: room for the UDP datagram
  always_ff @(posedge clk) begin
    ipf_bad_q <= (ip_ver != 4'd4) || (ip_ihl < 4'd5) || (ip_total < 16'(ip_hlen));
    ipf_frag_q <= ip_frag != '0;
    ipf_notudp_q <= ip_proto != 8'd17;
    ipf_ulen_q <= ip_total < 16'(ip_hlen) + 16'd8;
    ipf_thr_q <= POS_W'(ip_total) + POS_W'(hm1);
    ipf_tmi_q <= ip_total - 16'(ip_hlen);
    hdr_pre_q <= ip_ok & ~ipf_bad_q & ~ipf_frag_q & ~ipf_notudp_q & ~ipf_ulen_q & ihlok_q;
  end

  // ---------------------------------------------------------------------------------------------
  // S1: checksum accumulator (carry-save into one adder), U at beat 2, UDP port capture.
  logic [20:0] acc_q, acc_a, acc_b, acc_c, acc_x, acc_y;
  assign acc_a = r1_first_q ? '0 : acc_q;
  assign acc_b = 21'(r1_s01);
  assign acc_c = 21'(r1_s23);
  assign acc_x = acc_a ^ acc_b ^ acc_c;
  assign acc_y = {(acc_a[19:0] & acc_b[19:0]) | (acc_a[19:0] & acc_c[19:0])
                  | (acc_b[19:0] & acc_c[19:0]), 1'b0};
  always_ff @(posedge clk) begin
    if (en && r1_v_q) acc_q <= acc_x + acc_y;
  end

  logic [1:0] ntags;
  logic [4:0] u_words;  // (U - 14) / 4
  logic [6:0] u_d;
  assign ntags = {tag0_q & tag1_q, tag0_q & ~tag1_q};
  assign u_words = 5'(ip_ihl) + 5'(ntags);
  assign u_d = {u_words, 2'b00} + 7'd14;
  always_ff @(posedge clk) begin
    if (en && r1_v_q && r1_b2_q) begin
      um1_q <= u_d - 7'd1;
      ub_q <= u_d[6:3];
      p8_q <= u_d[6:3] + 4'd1;
      m_q <= 4'((u_d + 7'd11) >> 3);  // P + 3 = U + 11
      u6_q <= u_d[2];
      ihlok_q <= (ip_ver == 4'd4) && (ip_ihl >= 4'd5);
    end
  end

  // UDP header at U: U mod 8 == 2 -> beat U>>3 lanes 2..7; == 6 -> lanes 6..7 of beat U>>3, then
  // lanes 0..3 of beat P>>3. The ports are read in S1 (only the verdict needs them); the length
  // is read in S0, so that the realigner, which decides in S0, has the payload's end beat and
  // the length check a cycle after the beat that carries them.
  logic [15:0] sport_q, dport_q, ulen_q, ulen_in;
  logic        ulen_cap, ulen_bad_q, ulen_ok_q, ulen_sq_q, elge_q;
  logic [2:0]  ke_q;    // payload bytes in the last output beat - 1
  logic [BIDX_W-1:0] eb_q;  // beat holding the payload's last byte
  logic [16:0] epos;        // its position U + ulen - 1
  logic [2:0]  ulm1;
  assign ulen_in = u6_q ? in_w1 : in_w3;
  assign ulen_cap = u6_q ? in_eq_p8 : in_eq_ub;
  assign epos = 17'(um1_q) + 17'(ulen_in);
  assign ulm1 = ulen_in[2:0] - 3'd1;
  always_ff @(posedge clk) begin
    if (en && r1_v_q && r1_ub_q) begin
      if (u6_q) begin
        sport_q <= r1_w3;
      end else begin
        sport_q <= r1_w1;
        dport_q <= r1_w2;
      end
    end
    if (en && r1_v_q && r1_p8_q && u6_q) dport_q <= r1_w0;
    if (beat_in && ulen_cap) begin
      ulen_q <= ulen_in;
      ulen_bad_q <= (ulen_in < 16'd8) || (ulen_in > ipf_tmi_q);
      ulen_ok_q <= (ulen_in > 16'd8) && (ulen_in <= ipf_tmi_q);
      ulen_sq_q <= (ulen_in >= 16'd12) && (ulen_in <= ipf_tmi_q);  // MsgSeqNum in the payload
      eb_q <= epos[16:3];
      // The last payload byte sits at lane >= P mod 8 of its beat: its output beat comes from
      // that beat alone (the "tail" below).
      elge_q <= u6_q ? (ulm1 <= 3'd1) : (ulm1 <= 3'd5);
      ke_q <= ulm1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Payload realigner. Output beat i = lanes s..7 of beat P8+i and lanes 0..s-1 of beat P8+i+1
  // (s = P mod 8). "N": it is sent while beat P8+i+1 is in S0 (the S1 beat is P8+i). "T" (tail):
  // when all of its bytes are in one beat (the payload or the frame ends in its lanes >= s), it is
  // sent while that beat is in S1, the cycle after that beat's own N beat (if any) was sent in
  // its S0. What the realigner needs of the S1 beat is found in its S0 and registered with it.
  logic r1_ge_p8_q, r1_lt_eb_q, r1_eq_eb_q, r1_ks_q;
  logic in_spec, in_ks, in_eq_eb;
  assign in_spec = u6_q & in_eq_p8;  // ulen arrives in this very beat: eb_q not written yet
  assign in_ks = u6_q ? s_axis_frame_tkeep[6] : s_axis_frame_tkeep[2];
  assign in_eq_eb = bcnt_q == eb_q;
  always_ff @(posedge clk) begin
    if (beat_in) begin
      // p8_q is written in beat 2's S1: before beat 4 it is the previous frame's. A good header
      // has P8 >= 5, so beats 0..4 never count as payload beats.
      r1_ge_p8_q <= (bsm_q >= 4'd5) && (bsm_q >= p8_q);
      r1_eq_eb_q <= in_spec ? (in_w1 <= 16'd10) : in_eq_eb;
      r1_lt_eb_q <= in_spec ? (in_w1 > 16'd10) : (bcnt_q < eb_q);
      r1_ks_q <= in_ks;
    end
  end

  // The header is good as far as the payload needs: every check up to the UDP length. The
  // checksum accumulator holds its final value from the S1 cycle of beat P8 on, the first cycle
  // any of this reads it (beat P8's T, or beat P8 + 1's N in its S0).
  // n_pre and t_pre never hold together (the S1 beat either continues in the S0 beat or ends
  // the payload), so the beat's keep and last are chosen by n_pre alone: hdr_ok, the deepest
  // input, decides only whether a beat goes out.
  logic hdr_ok, n_pre, t_pre, n_fire, t_fire, n_eend, n_last;
  logic [7:0] n_keep, t_keep, out_keep_al;
  logic [63:0] out_data_al;
  assign hdr_ok = hdr_pre_q & csum_good(acc_q) & ulen_ok_q;
  assign n_pre = s_axis_frame_tvalid & ~r1_last_q & r1_ge_p8_q & r1_lt_eb_q;
  assign t_pre = r1_v_q & r1_ge_p8_q & r1_ks_q
                 & ((r1_eq_eb_q & elge_q) | (r1_last_q & r1_lt_eb_q));
  assign n_fire = n_pre & hdr_ok;
  assign t_fire = t_pre & hdr_ok;
  assign out_data_al = u6_q ? {in_d[47:0], r1_data_q[63:48]}
                            : {in_d[15:0], r1_data_q[63:16]};
  assign out_keep_al = u6_q ? {s_axis_frame_tkeep[5:0], r1_keep_q[7:6]}
                            : {s_axis_frame_tkeep[1:0], r1_keep_q[7:2]};
  assign n_eend = in_eq_eb & ~elge_q;
  assign n_last = n_eend | (s_axis_frame_tlast & ~in_ks);
  assign n_keep = out_keep_al & (n_eend ? therm(ke_q) : 8'hFF);
  assign t_keep = (u6_q ? {6'b0, r1_keep_q[7:6]} : {2'b0, r1_keep_q[7:2]})
                  & (r1_eq_eb_q ? therm(ke_q) : 8'hFF);

  logic [63:0] udp_data_q;
  logic [7:0]  udp_keep_q;
  logic        udp_last_q, fired_q, emitted_q;
  always_ff @(posedge clk) begin
    if (rst) begin
      udp_v_q <= 1'b0;
      fired_q <= 1'b0;
      emitted_q <= 1'b0;
    end else if (en) begin
      udp_v_q <= n_fire | t_fire;
      // fired_q: a beat went out in the last enabled cycle (udp_v_q without the handshake).
      // emitted_q: one went out before that, in this frame. The verdict (the S2 cycle of tlast)
      // reads both: the tail beat went out in the cycle before, tlast's S1.
      fired_q <= n_fire | t_fire;
      emitted_q <= (r1_v_q & r1_first_q) ? 1'b0 : (emitted_q | fired_q);
    end else if (m_axis_udp_tready) begin
      udp_v_q <= 1'b0;  // taken while the verdict output holds the pipeline
    end
    if (en) begin
      udp_data_q <= out_data_al;
      udp_keep_q <= n_pre ? n_keep : t_keep;
      udp_last_q <= n_pre ? n_last : 1'b1;
    end
  end
  assign m_axis_udp_tvalid = udp_v_q;
  assign m_axis_udp_tdata = udp_data_q;
  assign m_axis_udp_tkeep = udp_keep_q;
  assign m_axis_udp_tlast = udp_last_q;

  // ---------------------------------------------------------------------------------------------
  // Header record, registered in the trigger beat's S1. Beat M's S1 comes after beat M - 1's S1
  // (the last checksum word is in beat U >> 3 <= M - 1, the UDP length and, for s = 6, the
  // destination port in beat M - 1) and after beat 5's S0 (the window holds the destination
  // address); hdr_pre_q reads the window two registers late, and IPv4 bytes 0..9 end by beat 3.
  // For a trigger that is not beat M the frame ended before its MsgSeqNum: m_hdr_ok = 0.
  logic        hv_q, hok_q;
  logic [31:0] hseq_q, hip_q;
  logic [15:0] hport_q;
  always_ff @(posedge clk) begin
    if (rst) hv_q <= 1'b0;
    else hv_q <= en & r1_v_q & r1_htrig_q;
    if (en && r1_v_q && r1_htrig_q) begin
      hok_q <= r1_hm_q & r1_hsq_q & hdr_pre_q & csum_good(acc_q) & ulen_sq_q;
      hseq_q <= u6_q ? {r1_data_q[15:0], r1_phi_q} : r1_data_q[47:16];
      hip_q <= ip_dst;
      hport_q <= dport_q;
    end
  end
  assign m_hdr_valid = hv_q;
  assign m_hdr_ok = hok_q;
  assign m_hdr_seq = hseq_q;
  assign m_hdr_dst_ip = hip_q;
  assign m_hdr_dst_port = hport_q;

  // ---------------------------------------------------------------------------------------------
  // S1 -> S2: length checks of the frame's last beat (n < T  <=>  last position < T - 1).
  logic r2_v_q, r2_fcs_q, r2_lt14_q, r2_lt18_q, r2_lt22_q, r2_lt34_q, r2_lt38_q, r2_lt42_q;
  logic r2_ltu_q, r2_ltt_q;
  always_ff @(posedge clk) begin
    if (rst) r2_v_q <= 1'b0;
    else if (en) r2_v_q <= r1_v_q & r1_last_q;
    if (en && r1_v_q) begin
      r2_fcs_q <= r1_user_q;
      r2_lt14_q <= r1_lp_q < POS_W'(13);
      r2_lt18_q <= r1_lp_q < POS_W'(17);
      r2_lt22_q <= r1_lp_q < POS_W'(21);
      r2_lt34_q <= r1_lp_q < POS_W'(33);
      r2_lt38_q <= r1_lp_q < POS_W'(37);
      r2_lt42_q <= r1_lp_q < POS_W'(41);
      r2_ltu_q <= r1_lp_q < POS_W'(um1_q);
      r2_ltt_q <= r1_lp_q < ipf_thr_q;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // S2: the verdict, parse_udp's checks in parse_udp's order. It reads frame state (tags, window,
  // acc, UDP fields) in the cycle after the tlast beat's S1: the next frame's beat 0 is in S1 then
  // at the earliest, and nothing that beat writes is read here (acc is written at its end).
  logic [3:0] reason;
  always_comb begin
    if (r2_fcs_q) reason = ttq_pkg::DROP_BAD_FCS;
    else if (r2_lt14_q || (tag0_q && r2_lt18_q) || (tag0_q && tag1_q && r2_lt22_q))
      reason = ttq_pkg::DROP_RUNT;
    else if (!ip_ok) reason = ttq_pkg::DROP_NOT_IPV4;
    else if (r2_lt34_q || (tag0_q && r2_lt38_q) || (tag0_q && tag1_q && r2_lt42_q) || ipf_bad_q)
      reason = ttq_pkg::DROP_BAD_IP_HEADER;
    else if (r2_ltu_q) reason = ttq_pkg::DROP_TRUNCATED;
    else if (!csum_good(acc_q)) reason = ttq_pkg::DROP_BAD_IP_CSUM;
    else if (ipf_frag_q) reason = ttq_pkg::DROP_IP_FRAGMENT;
    else if (ipf_notudp_q) reason = ttq_pkg::DROP_NOT_UDP;
    else if (ipf_ulen_q) reason = ttq_pkg::DROP_BAD_UDP_LENGTH;
    else if (r2_ltt_q) reason = ttq_pkg::DROP_TRUNCATED;
    else if (ulen_bad_q) reason = ttq_pkg::DROP_BAD_UDP_LENGTH;
    else reason = ttq_pkg::DROP_NONE;
  end

  l2l4_verdict_t vd_d, vd_q;
  always_comb begin
    vd_d = '0;
    vd_d.src_ip = ip_src;
    vd_d.dst_ip = ip_dst;
    vd_d.src_port = sport_q;
    vd_d.dst_port = dport_q;
    vd_d.len = ulen_q - 16'd8;
    vd_d.payload = emitted_q | fired_q;
    vd_d.reason = reason;
  end
  always_ff @(posedge clk) begin
    if (rst) vd_v_q <= 1'b0;
    else if (en) vd_v_q <= r2_v_q;
    else if (m_axis_verdict_tready) vd_v_q <= 1'b0;  // taken while the payload output holds
    if (en && r2_v_q) vd_q <= vd_d;
  end
  assign m_axis_verdict_tvalid = vd_v_q;
  assign m_axis_verdict_tdata = vd_q;

`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst) assert (!(n_fire && t_fire));
  end
`endif

  // IPv4 bytes no check reads (TOS, ID, DF, TTL, checksum field) and the low bits of epos.
  logic unused_fields;
  assign unused_fields = ^{ipv[15:8], ipv[47:32], ipv[55:54], ipv[71:64], ipv[95:80], epos[2:0]};

endmodule

`resetall
