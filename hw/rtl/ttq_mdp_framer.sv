// MDP 3.0 framing and entry decode: UDP payloads (from ttq_l2l4) in, a stream of decoded events
// per packet out (ttq_pkg::mdp_ev_t), the hardware form of mdp3::decode_packet's handler
// callbacks, cut-through, with the packet's verdict (decode_packet's MsgError) last. Interface,
// event layout, cycle budget and what is reproduced: docs/rtl_mdp_framer.md.
`default_nettype none

module ttq_mdp_framer #(
  parameter int unsigned DATA_W    = 64,
  parameter int unsigned BUF_BEATS = 16,  // payload beat buffer (power of 2, >= 8)
  parameter int unsigned EV_DEPTH  = 16,  // event FIFO (power of 2)
  parameter int unsigned END_LAT   = 5    // PKT_END on m_axis_ev END_LAT cycles after tlast
) (
  input  logic                          clk,
  input  logic                          rst,
  // One MDP packet (UDP payload) per tlast; byte 0 in data[7:0] of the first beat; every beat
  // but the last is full, the last one's tkeep is contiguous from lane 0.
  input  logic [DATA_W-1:0]             s_axis_udp_tdata,
  input  logic [DATA_W/8-1:0]           s_axis_udp_tkeep,
  input  logic                          s_axis_udp_tvalid,
  output logic                          s_axis_udp_tready,
  input  logic                          s_axis_udp_tlast,
  // Events (ttq_pkg::mdp_ev_t); tlast marks PKT_END, the last event of a packet.
  output logic [ttq_pkg::MDP_EV_W-1:0]  m_axis_ev_tdata,
  output logic                          m_axis_ev_tvalid,
  input  logic                          m_axis_ev_tready,
  output logic                          m_axis_ev_tlast
);

  if (DATA_W != 64) begin : g_bad_data_w
    $fatal(1, "ttq_mdp_framer: only DATA_W = 64 is implemented");
  end
  if (BUF_BEATS < 8 || (BUF_BEATS & (BUF_BEATS - 1)) != 0) begin : g_bad_buf
    $fatal(1, "ttq_mdp_framer: BUF_BEATS must be a power of 2, >= 8");
  end
  if (EV_DEPTH < 4 || (EV_DEPTH & (EV_DEPTH - 1)) != 0) begin : g_bad_ev_depth
    $fatal(1, "ttq_mdp_framer: EV_DEPTH must be a power of 2, >= 4");
  end
  if (END_LAT < 5) begin : g_bad_end_lat
    $fatal(1, "ttq_mdp_framer: END_LAT < 5 cannot be met (docs/rtl_mdp_framer.md)");
  end

  localparam int unsigned OFF_W = 18;   // byte offsets and lengths in a packet
  localparam int unsigned AW = 20;      // absolute byte addresses {beat number, lane}, modular
  localparam int unsigned WB_W = AW - 3;  // global beat number
  localparam int unsigned BI_W = $clog2(BUF_BEATS);
  localparam int unsigned LF_DEPTH = BUF_BEATS;  // packets whose tlast is in, not yet finished
  localparam int unsigned LF_AW = $clog2(LF_DEPTH);
  localparam int unsigned EV_AW = $clog2(EV_DEPTH);
  localparam int unsigned EV_W = ttq_pkg::MDP_EV_W;

  // Template ids (mdp3.hpp TemplateId).
  localparam logic [15:0] T_RESET = 16'd4, T_DEF27 = 16'd27, T_STATUS = 16'd30,
    T_BOOK32 = 16'd32, T_DS33 = 16'd33, T_LB34 = 16'd34, T_SS35 = 16'd35, T_VOL37 = 16'd37,
    T_SNAP38 = 16'd38, T_TS42 = 16'd42, T_BOOK46 = 16'd46, T_TS48 = 16'd48, T_DS49 = 16'd49,
    T_LB50 = 16'd50, T_SS51 = 16'd51, T_SNAP52 = 16'd52, T_DEF54 = 16'd54;

  // Template classes (what MHDR does with a message), stored per byte beside the ring (tcls).
  localparam logic [3:0] K_SKIP = 4'd0, K_BOOK = 4'd1, K_SNAP = 4'd2, K_DEF = 4'd3,
    K_RESET = 4'd4, K_STATUS = 4'd5, K_TS = 4'd6, K_DS = 4'd7, K_LB = 4'd8, K_SS = 4'd9,
    K_VOL = 4'd10;
  function automatic logic [3:0] tcls(input logic [15:0] t);
    unique case (t)
      T_BOOK46, T_BOOK32: tcls = K_BOOK;
      T_SNAP52, T_SNAP38: tcls = K_SNAP;
      T_DEF54, T_DEF27: tcls = K_DEF;
      T_RESET: tcls = K_RESET;
      T_STATUS: tcls = K_STATUS;
      T_TS48, T_TS42: tcls = K_TS;
      T_DS33, T_DS49: tcls = K_DS;
      T_LB34, T_LB50: tcls = K_LB;
      T_SS35, T_SS51: tcls = K_SS;
      T_VOL37: tcls = K_VOL;
      default: tcls = K_SKIP;
    endcase
  endfunction
  // The class as flags, as stored beside the ring (2026-11-30, fifth session): one per decision
  // MHDR makes (SeqNum = TS..VOL), so that each is one 8:1 multiplexer after the LUT RAM read,
  // not a 4-bit compare after it.
  localparam int unsigned CF_W = 12;
  localparam int unsigned F_BOOK = 0, F_SEQ = 1, F_SNAP = 2, F_DEF = 3, F_RESET = 4,
    F_STATUS = 5, F_SKIP = 6, F_TS = 7, F_DS = 8, F_LB = 9, F_SS = 10, F_VOL = 11;
  function automatic logic [CF_W-1:0] cflags(input logic [3:0] k);
    logic [CF_W-1:0] f;
    f = '0;
    f[F_BOOK] = k == K_BOOK;
    f[F_SEQ] = k >= K_TS && k <= K_VOL;
    f[F_SNAP] = k == K_SNAP;
    f[F_DEF] = k == K_DEF;
    f[F_RESET] = k == K_RESET;
    f[F_STATUS] = k == K_STATUS;
    f[F_SKIP] = k == K_SKIP || k > K_VOL;
    f[F_TS] = k == K_TS;
    f[F_DS] = k == K_DS;
    f[F_LB] = k == K_LB;
    f[F_SS] = k == K_SS;
    f[F_VOL] = k == K_VOL;
    cflags = f;
  endfunction

  typedef enum logic [2:0] {
    S_PHDR,  // packet header + first message header (bytes 0..21)
    S_MHDR,  // message header and the root's first 9 bytes (MEI), or the packet's end
    S_ROOT,  // template 30's root (28 bytes at cur)
    S_GRP,   // group header (3 bytes, 8 for NoOrderIDEntries) at cur
    S_ENT,   // one entry of a book or SeqNum group at cur
    S_MEND,  // the message is complete: MSG_END
    S_DEFW,  // 54/27: NoMDFeedTypes starts after NoEvents' blockLength x numInGroup (registered)
    S_ERR    // the packet has an error; wait for tlast, then PKT_END
  } st_e;

  typedef enum logic [2:0] {
    G_BOOK,  // 46/32 NoMDEntries (min 27)
    G_SEQ,   // 42/48, 37, 33-35, 49-51 entries (SecurityID + RptSeq)
    G_SNAP,  // 52/38 NoMDEntries (min 22)
    G_DEF1,  // 54/27 NoEvents (min 0)
    G_DEF2,  // 54/27 NoMDFeedTypes (min 4)
    G_ORD    // 46/32 NoOrderIDEntries, groupSize8Byte (min 0)
  } grp_e;

  // ---------------------------------------------------------------------------------------------
  // Input: beats into a ring of BUF_BEATS, addressed by a global beat number; each packet starts
  // on a beat. Every offset below is an absolute byte address {beat number, lane} (modular, AW
  // bits), so the window's ring address is bits of the walker's own register (no base + offset
  // sum on the way to the read). The ring is kept as 5 copies, copy k written at (beat - k), so
  // that the window's 5 beats are all read at one registered address. A packet's length, its end
  // and the next packet's start are known once its tlast is in (length FIFO).
  logic [WB_W-1:0] wr_q;          // next beat number to write
  logic [15:0] in_beats_q;        // beats of the packet coming in, before this one
  logic in_fire;

  // Per packet: its length - 12, length >= 22, its end (first byte after it), the next packet's
  // byte 0. The head entry is kept in registers (hd_*_q), loaded from the entry after it (read
  // at a registered address) or from the packet being closed, so that the walker's end-of-packet
  // conditions start at flip-flops rather than at a LUT RAM read.
  logic [OFF_W-1:0] lf_len12_q [LF_DEPTH];
  logic lf_ge22_q [LF_DEPTH];
  logic [AW-1:0] lf_end_q [LF_DEPTH];
  logic [AW-1:0] lf_nxt_q [LF_DEPTH];
  logic [LF_AW-1:0] lf_wr_q, lf_rd_q, lf_rd1_q;
  logic [LF_AW:0] lf_cnt_q;
  logic lf_pop, lk_q;
  logic [OFF_W-1:0] hd_len12_q, in_len;
  logic hd_ge22_q;
  logic [AW-1:0] hd_end_q, hd_nxt_q, in_end, in_nxt;

  function automatic logic [3:0] keep_bytes(input logic [7:0] k);
    logic [3:0] n;
    n = 4'd0;
    for (int i = 0; i < 8; i++) n = n + {3'd0, k[i]};
    keep_bytes = n;
  endfunction

  assign in_fire = s_axis_udp_tvalid & s_axis_udp_tready;

  assign in_len = OFF_W'({in_beats_q, 3'b000}) + OFF_W'(keep_bytes(s_axis_udp_tkeep));
  // length >= 22 without the sum: 3 beats before, or 2 and lane 5 kept (tkeep is contiguous)
  logic in_ge22;
  assign in_ge22 = in_beats_q >= 16'd3 || (in_beats_q == 16'd2 && s_axis_udp_tkeep[5]);
  assign in_end = {wr_q, 3'b000} + AW'(keep_bytes(s_axis_udp_tkeep));
  assign in_nxt = {wr_q + 1'b1, 3'b000};
  always_ff @(posedge clk) begin
    if (in_fire && s_axis_udp_tlast) begin
      lf_len12_q[lf_wr_q] <= in_len - OFF_W'(12);
      lf_ge22_q[lf_wr_q] <= in_ge22;
      lf_end_q[lf_wr_q] <= in_end;
      lf_nxt_q[lf_wr_q] <= in_nxt;
    end
  end
  // The head: the entry after it on a pop (if its tlast was in before this cycle), else the
  // packet closed this cycle when the FIFO is (or becomes) empty; held otherwise.
  always_ff @(posedge clk) begin
    if (lf_pop && lf_cnt_q > (LF_AW + 1)'(1)) begin
      hd_len12_q <= lf_len12_q[lf_rd1_q];
      hd_ge22_q <= lf_ge22_q[lf_rd1_q];
      hd_end_q <= lf_end_q[lf_rd1_q];
      hd_nxt_q <= lf_nxt_q[lf_rd1_q];
    end else if (lf_pop || lf_cnt_q == '0) begin
      hd_len12_q <= in_len - OFF_W'(12);
      hd_ge22_q <= in_ge22;
      hd_end_q <= in_end;
      hd_nxt_q <= in_nxt;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      wr_q <= '0;
      in_beats_q <= '0;
      lf_wr_q <= '0;
      lf_rd_q <= '0;
      lf_rd1_q <= LF_AW'(1);
      lf_cnt_q <= '0;
      lk_q <= 1'b0;
    end else begin
      if (in_fire) begin
        wr_q <= wr_q + 1'b1;
        in_beats_q <= s_axis_udp_tlast ? '0 : in_beats_q + 1'b1;
        if (s_axis_udp_tlast) lf_wr_q <= lf_wr_q + 1'b1;
      end
      if (lf_pop) begin
        lf_rd_q <= lf_rd_q + 1'b1;
        lf_rd1_q <= lf_rd1_q + 1'b1;
      end
      lf_cnt_q <= lf_cnt_q + {{LF_AW{1'b0}}, in_fire & s_axis_udp_tlast} -
                  {{LF_AW{1'b0}}, lf_pop};
      // lf_cnt_q != 0 next cycle
      lk_q <= (in_fire & s_axis_udp_tlast) || (lf_pop ? lf_cnt_q > (LF_AW + 1)'(1) : lk_q);
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Walker: one item (a header, a root, a group header, an entry, a message end) per cycle, as
  // soon as the bytes it reads are in. Its next state depends only on the item's structure (the
  // template, a group's count, registered counts and ends); the checks that only decide the
  // packet's verdict (MsgSize, schema, root and group lengths, group overrun, the book entry's
  // values) are registered and applied one cycle later: a failing check sends the walker to
  // S_ERR and cancels that cycle's item. Events of a packet whose verdict is an error are
  // therefore not meaningful between its PKT_HDR and PKT_END (downstream discards the packet).
  st_e st_q, st_d;
  grp_e gk_q, gk_d;
  logic [AW-1:0] cur_q, cur_d;                // the item's first byte
  logic [AW-1:0] me_q, me_d;                  // end of the current message
  logic mp_q, mp_d;                           // a message is open: MsgSizeOverrun if past the end
  logic [15:0] tid_q, tid_d, idx_q, idx_d, bl_q, bl_d;
  logic [7:0] mei_q, mei_d, cnt_q, cnt_d, ent_q, ent_d;
  logic [5:0] gmin_q, gmin_d;                 // group blockLength minimum
  logic [4:0] idoff_q, idoff_d;               // SecurityID offset in a SeqNum entry
  logic [5:0] need_q, need_d;                 // bytes of an entry the event needs (27, idoff + 8)
  // NoOrderIDEntries' 8-byte header fits in the message after the book group: decided one item
  // ahead (by the message header for an empty group, else by the group header and each entry
  // for the entry after it), so the entry item does not compare offsets.
  logic ord_q, ord_d;
  logic ordh_q, ordh_d;                       // ord is the message header's: r_ord (rdiff_q)
  logic ord_eff;
  logic [3:0] err_q, err_d, pe_q, pe_d;       // packet error; pending book-entry error
  logic [31:0] seq_q, seq_d;
  logic hdr_ok_q, hdr_ok_d;                   // first message: MsgSize >= 10, schemaId 1
  logic [15:0] fsize_q, fsize_d;              // first message's MsgSize
  // Late checks: set by this cycle's item, applied next cycle.
  logic lm_q, lm_d;                           // a message header was taken
  logic [5:0] mchk_q, mchk_d;                 // its checks: {trunc, small, overrun, schema,
                                              // 0, 0}; root past MsgSize is r_past (rdiff_q),
                                              // the root's minimum rcls_q & rlt_q (below)
  logic minc_q, minc_d;                       // the item counted a message (MSG_END)
  logic lg_q, lg_d;                           // a group header was taken
  logic [AW-1:0] ghe_q, ghe_d;                // its header's end
  logic ghov_q, gcnz_q, gbld_q;               // its header past MsgSize; numInGroup != 0;
                                              // blockLength below the minimum (registered raw)
  logic gmov_q, gmov_d;                       // it fails: blockLength x numInGroup past MsgSize
  logic le_q, le_d;                           // a book entry was taken
  // The message's MSG_END was written ahead of its empty NoOrderIDEntries item, in the cycle the
  // beat holding that group's numInGroup came in (the bypass below): the item writes none.
  logic oe_q, oe_d;
  logic [3:0] eerr_q, eerr_d;                 // its check_book_entry result

  // Modular order of absolute addresses (they are never 2^(AW-1) apart).
  function automatic logic a_le(input logic [AW-1:0] a, input logic [AW-1:0] b);
    logic [AW-1:0] d;
    d = b - a;
    a_le = !d[AW-1];
  endfunction

  // Packet length, end and next start, when its tlast is in.
  logic len_known, len_ge22;
  logic [OFF_W-1:0] len12;
  logic [AW-1:0] pend, pnxt, wr_abs;
  assign len_known = lk_q;
  assign len12 = hd_len12_q;
  assign len_ge22 = hd_ge22_q;
  assign pend = hd_end_q;
  assign pnxt = hd_nxt_q;
  assign wr_abs = {wr_q, 3'b000};

  // The 32 bytes from cur: win[8k +: 8] is packet byte cur + k.
  logic [BI_W-1:0] cb;
  logic [319:0] w40;
  logic [255:0] win;
  assign cb = cur_q[BI_W+2:3];
  for (genvar k = 0; k < 5; k++) begin : g_ring
    logic [63:0] mem_q [BUF_BEATS];
    logic [BI_W-1:0] wa_q;  // wr_q - k
    always_ff @(posedge clk) begin
      if (rst) wa_q <= -BI_W'(k);
      else if (in_fire) wa_q <= wa_q + 1'b1;
    end
    always_ff @(posedge clk) begin
      if (in_fire) mem_q[wa_q] <= s_axis_udp_tdata;
    end
    assign w40[64*k +: 64] = mem_q[cb];
  end
  assign win = 256'(w40 >> {cur_q[2:0], 3'b000});
  // The entry's window (S_ENT's event fields and check_book_entry only): the beat coming in now
  // in place of the first beat not yet written, so that an entry whose last needed byte is in
  // that beat is taken as it comes in (its BOOK / SEQ a cycle earlier, docs/rtl_mdp_framer.md).
  // Copy k at address cb holds beat cb + k, the beat coming in is wr_q: it replaces copy k's
  // read when cb is copy k's write address (registers only, beside the LUT RAM read). Copy 0 is
  // never replaced: an entry needs >= 12 bytes, so its last one is never in cur's own beat.
  // Outside S_ENT's early take the replaced beat lies past the bytes the item reads (the item
  // is ready from the ring alone), and wr_q - cur_b <= BUF_BEATS outside S_ERR, so the 4-bit
  // compare is exact for k in 1..4.
  logic [319:0] w40e;
  logic [255:0] wine;
  assign w40e[63:0] = w40[63:0];
  for (genvar k = 1; k < 5; k++) begin : g_rde
    assign w40e[64*k +: 64] = g_ring[k].wa_q == cb ? s_axis_udp_tdata : w40[64*k +: 64];
  end
  assign wine = 256'(w40e >> {cur_q[2:0], 3'b000});

  // Decodes stored beside the ring, computed from the beat as it is written (tdata comes from
  // ttq_l2l4's output register), so that the walker's decisions read a few bits through the
  // 8:1 lane multiplexer instead of comparing window fields after it:
  // - the template class (tcls) of the 16-bit value at each byte, for MHDR's templateId at
  //   cur + 4: lanes 4-6 of the window's first beat (copy 0), lane 7 of the first beat and
  //   lanes 0-3 of the second (copy 1; the pair across the beat boundary is computed when the
  //   second beat is written, from the first one's byte 7 kept in pb_q);
  // - "byte != 0", for a group header's numInGroup at cur + 2 (or cur + 7 for NoOrderIDEntries):
  //   lanes 2-7 of the first beat (copy 0), lanes 0-6 of the second (copy 1).
  logic [7:0] pb_q;  // byte 7 of the last beat written
  always_ff @(posedge clk) begin
    if (in_fire) pb_q <= s_axis_udp_tdata[63:56];
  end
  // in_cls[l]: class flags (cflags) of the pair starting at lane l - 1 (0: pb_q, byte 0)
  logic [CF_W-1:0] in_cls [8];
  logic [7:0] in_nz;
  for (genvar l = 0; l < 8; l++) begin : g_in_dec
    if (l == 0) begin : g_x
      assign in_cls[0] = cflags(tcls({s_axis_udp_tdata[7:0], pb_q}));
    end else begin : g_w
      assign in_cls[l] = cflags(tcls(s_axis_udp_tdata[8*(l-1) +: 16]));
    end
    assign in_nz[l] = s_axis_udp_tdata[8*l +: 8] != 8'd0;
  end
  localparam int unsigned DM0_W = 6 + 3 * CF_W, DM1_W = 7 + 5 * CF_W;
  logic [DM0_W-1:0] dm0_q [BUF_BEATS];  // copy 0 (beat cb): {nz lanes 7..2, class lanes 6..4}
  logic [DM1_W-1:0] dm1_q [BUF_BEATS];  // copy 1 (beat cb + 1): {nz lanes 6..0, class lanes 3..0, 7 of cb}
  always_ff @(posedge clk) begin
    if (in_fire) begin
      dm0_q[g_ring[0].wa_q] <= {in_nz[7:2], in_cls[7], in_cls[6], in_cls[5]};
      dm1_q[g_ring[1].wa_q] <= {in_nz[6:0], in_cls[4], in_cls[3], in_cls[2], in_cls[1],
                                in_cls[0]};
    end
  end
  logic [DM0_W-1:0] dm0;
  logic [DM1_W-1:0] dm1;
  assign dm0 = dm0_q[cb];
  assign dm1 = dm1_q[cb];
  // Indexed by cur_q[2:0]: the class at cur + 4, "byte != 0" at cur + 2 and at cur + 7 (arrays
  // indexed by a register: one 8:1 multiplexer per bit, not a shifter).
  logic [CF_W-1:0] cls_at [8];
  logic [7:0] nz2_at, nz7_at;
  for (genvar i = 0; i < 8; i++) begin : g_cls_at
    if (i < 3) begin : g_c0
      assign cls_at[i] = dm0[CF_W*i +: CF_W];
    end else begin : g_c1
      assign cls_at[i] = dm1[CF_W*(i-3) +: CF_W];
    end
  end
  assign nz2_at = {dm1[5*CF_W +: 2], dm0[3*CF_W +: 6]};
  assign nz7_at = {dm1[5*CF_W +: 7], dm0[3*CF_W + 5]};
  // The packet header's window: every packet starts on a beat (cur_q[2:0] == 0 in S_PHDR, asserted
  // below), so its fields are read straight from the ring, one LUT level before the byte
  // multiplexer's output.
  logic [255:0] win0;
  assign win0 = w40[255:0];

  function automatic logic [7:0] b8(input logic [255:0] w, input int unsigned k);
    b8 = w[8*k +: 8];
  endfunction
  function automatic logic [15:0] b16(input logic [255:0] w, input int unsigned k);
    b16 = w[8*k +: 16];
  endfunction
  function automatic logic [31:0] b32(input logic [255:0] w, input int unsigned k);
    b32 = w[8*k +: 32];
  endfunction

  // mdp3::detail::check_book_entry.
  function automatic logic [3:0] book_check(input logic [7:0] act, input logic [7:0] ty,
                                            input logic [7:0] lvl, input logic [63:0] px,
                                            input logic [31:0] sz);
    logic [3:0] r;
    logic known_ty, nul;
    known_ty = ty == 8'h30 || ty == 8'h31 || ty == 8'h45 || ty == 8'h46;
    nul = px == 64'h7FFF_FFFF_FFFF_FFFF || sz == 32'h7FFF_FFFF || sz[31];
    r = ttq_pkg::MDP_OK;
    if (act > 8'd5) r = ttq_pkg::MDP_BAD_ACTION;
    else if (ty == 8'h4A) r = ttq_pkg::MDP_OK;
    else if (!known_ty) r = ttq_pkg::MDP_BAD_ENTRY_TYPE;
    else if (act != 8'd3 && lvl == 8'd0) r = ttq_pkg::MDP_BAD_LEVEL;
    else if ((act == 8'd0 || act == 8'd1 || act == 8'd5) && nul) r = ttq_pkg::MDP_NULL_PRICE_OR_SIZE;
    book_check = r;
  endfunction

  // Event FIFO state (below) the walker needs.
  logic ev_full, ev_we;
  ttq_pkg::mdp_ev_t ev_d;
  logic ready, go, at_end, late_ovr;
  // The item at cur is ready when bytes [cur, cur + K) are in; K depends on the state only (and
  // for a group header on NoOrderIDEntries, for an entry on need_q): PHDR 22, MHDR 19, ROOT 28,
  // GRP 3 (8), ENT need_q, MEND / DEFW 0. Each bound is the sign of cur - (bytes in - K) - 1,
  // with (bytes in - K) a register, so every compare is one carry chain from flip-flops.
  logic [AW-1:0] wr_abs_nx;
  assign wr_abs_nx = rst ? '0 : {wr_q + WB_W'(in_fire), 3'b000};  // wr_q next cycle
  logic [AW-1:0] wk_q [9];  // bytes in - {0, 3, 8, 19, 22, 28, need_q, need_q - 8, -8}
  always_ff @(posedge clk) begin
    wk_q[0] <= wr_abs_nx;
    wk_q[1] <= wr_abs_nx - AW'(3);
    wk_q[2] <= wr_abs_nx - AW'(8);
    wk_q[3] <= wr_abs_nx - AW'(19);
    wk_q[4] <= wr_abs_nx - AW'(22);
    wk_q[5] <= wr_abs_nx - AW'(28);
    wk_q[6] <= wr_abs_nx - AW'(need_q);  // need_q is set >= 2 items before the first entry
    wk_q[7] <= wr_abs_nx + AW'(8) - AW'(need_q);  // with the beat coming in (S_ENT, e_rdy)
    wk_q[8] <= wr_abs_nx + AW'(8);  // with the beat coming in (the MSG_END bypass, next cycle)
  end
  // (The selection is an AND-OR, not a case: yosys' opt_share would move a multiplexer of the
  // compares in front of a single shared carry chain.)
  (* keep *) logic [8:0] rdy_k;
  for (genvar k = 0; k < 9; k++) begin : g_rdy
    logic [AW-1:0] t;
    assign t = cur_q + ~wk_q[k];
    assign rdy_k[k] = t[AW-1];
  end
  logic g_ord;
  assign g_ord = gk_q == G_ORD;
  // An entry is also ready when its last needed byte is in the beat coming in now (read through
  // wine): one LUT from flip-flops and the two carry chains, in place of rdy_k[6]. (tkeep is not
  // looked at: an entry of a packet that has all its bytes has them in kept lanes; one cut by
  // the packet's end is in a packet whose PKT_END says MsgSizeOverrun, its events not meaningful.)
  logic e_rdy;
  assign e_rdy = rdy_k[6] || (rdy_k[7] && in_fire);
  assign ready = len_known ||
                 (st_q == S_PHDR && rdy_k[4]) || (st_q == S_MHDR && rdy_k[3]) ||
                 (st_q == S_ROOT && rdy_k[5]) || (st_q == S_GRP && g_ord && rdy_k[2]) ||
                 (st_q == S_GRP && !g_ord && rdy_k[1]) || (st_q == S_ENT && e_rdy) ||
                 ((st_q == S_MEND || st_q == S_DEFW || st_q == S_ERR) && rdy_k[0]);
  assign go = ready && !ev_full;
  assign at_end = len_known && cur_q == pend;              // S_MHDR: the packet's end
  assign late_ovr = len_known && !a_le(me_q, pend);        // the packet ends inside the message

  // Header fields of the item at cur, for S_MHDR.
  logic [15:0] h_size, h_root, h_tid, h_schema;
  logic [AW-1:0] h_end, h_grp1;
  logic c_book, c_seq, c_snap, c_def, c_reset, c_status, c_skip;
  logic [5:0] h_chk;
  assign h_size = b16(win, 0);
  assign h_root = b16(win, 2);
  assign h_tid = b16(win, 4);
  assign h_schema = b16(win, 6);
  assign h_end = cur_q + AW'(h_size);
  // Bytes from cur that the packet has (registers only, beside the window read).
  logic [AW-1:0] end_rel;
  assign end_rel = pend - cur_q;
  (* keep *) logic [AW-1:0] cur10;  // beside the window read, not after it
  assign cur10 = cur_q + AW'(10);
  assign h_grp1 = cur10 + AW'(h_root);
  // The class of templateId at cur + 4, decoded when its bytes were written (not h_tid).
  logic [CF_W-1:0] h_cls;  // (class flags: each decision one 8:1 multiplexer after the read)
  assign h_cls = cls_at[cur_q[2:0]];
  assign c_book = h_cls[F_BOOK];
  assign c_seq = h_cls[F_SEQ];
  assign c_snap = h_cls[F_SNAP];
  assign c_def = h_cls[F_DEF];
  assign c_reset = h_cls[F_RESET];
  assign c_status = h_cls[F_STATUS];
  assign c_skip = h_cls[F_SKIP];
  // decode_packet's header checks, in its order: truncated header, MsgSize < 10, MsgSize past
  // the payload, schemaId (here), root past MsgSize or below the template's minimum (from
  // registers, next cycle: r_past, rcls_q & rlt_q).
  assign h_chk = {len_known && end_rel < AW'(10),
                  h_size < 16'd10,
                  len_known && AW'(h_size) > end_rel,
                  h_schema != 16'd1,
                  1'b0, 1'b0};  // (root past MsgSize: rdiff_q, next cycle)
  // The root's template minimum: class and length compares registered apart, combined next
  // cycle ({9: book, SeqNum, reset; 28: status; 16: snapshot; 107: definition}).
  logic [3:0] rcls_q, rlt_q;
  // MsgSize - rootBlockLength, one carry chain after the window, registered (held outside
  // S_MHDR, so it is the last header item's): the root past MsgSize (< 10, the header) and
  // NoOrderIDEntries' "fits" after an empty book group (>= 10 + 3 + 8) are compared from it.
  logic [16:0] rdiff_q;
  always_ff @(posedge clk) begin
    rcls_q <= {c_book || c_seq || c_reset, c_status, c_snap, c_def};
    rlt_q <= {h_root < 16'd9, h_root < 16'd28, h_root < 16'd16, h_root < 16'd107};
    if (st_q == S_MHDR) rdiff_q <= {1'b0, h_size} - {1'b0, h_root};
  end
  logic r_past, r_ord;
  // (< 10 and >= 21 written as LUT logic: a compare with a constant would be a carry chain
  // in front of l_err, which every item's override waits for.)
  logic rd_hi0;  // rdiff_q[15:5] == 0
  assign rd_hi0 = rdiff_q[15:5] == '0;
  assign r_past = rdiff_q[16] || (rd_hi0 && !rdiff_q[4] &&
                                  (!rdiff_q[3] || (!rdiff_q[2] && !rdiff_q[1])));
  assign r_ord = !rdiff_q[16] && (!rd_hi0 ||
                                  (rdiff_q[4] && (rdiff_q[3] || (rdiff_q[2] &&
                                                                 (rdiff_q[1] || rdiff_q[0])))));
  assign ord_eff = ordh_q ? r_ord : ord_q;

  // Group header at cur, for S_GRP.
  logic [15:0] g_bl;
  logic [7:0] g_cnt;
  logic [AW-1:0] g_hdr_end;
  assign g_bl = b16(win, 0);
  // numInGroup: byte 2, or 7 for NoOrderIDEntries; one 16:1 multiplexer by registers.
  logic gord_q;  // gk_q == G_ORD
  logic [7:0] cnt_at [16];
  for (genvar i = 0; i < 8; i++) begin : g_cnt_at
    assign cnt_at[i] = w40[8*(i+2) +: 8];
    assign cnt_at[8+i] = w40[8*(i+7) +: 8];
  end
  assign g_cnt = cnt_at[{gord_q, cur_q[2:0]}];
  assign g_hdr_end = gk_q == G_ORD ? cur_q + AW'(8) : cur_q + AW'(3);

  // Entry at cur, for S_ENT.
  logic [AW-1:0] e_next;
  logic [AW-1:0] me_rel;
  assign e_next = cur_q + AW'(bl_q);
  assign me_rel = me_q - cur_q;

  // The late checks of last cycle's item (registered fields only).
  logic l_err, l_final;
  logic [3:0] l_code;
  logic [AW-1:0] g_need;
  logic [AW-1:0] g_room;
  logic g_hov, g_mov;
  logic [3:0] pe_eff;
  // Group checks of the item at cur (S_GRP), registered for the next cycle: header past MsgSize,
  // blockLength below the minimum, header + blockLength x numInGroup past MsgSize.
  assign g_room = me_q - g_hdr_end;
  assign g_hov = g_room[AW-1];
  // room - 8 (registers only): NoOrderIDEntries' 8-byte header fits after this group when
  // blockLength <= room - 8 (one compare after the window; a borrow, room < 8: it does not).
  logic [AW:0] g_room8;
  assign g_room8 = {1'b0, g_room} - (AW + 1)'(8);
  logic [16:0] g_bld;  // blockLength - minimum (its sign: too short)
  assign g_bld = {1'b0, g_bl} - 17'(gmin_q);
  // numInGroup != 0, from the flags stored beside the ring (not g_cnt after the window).
  logic g_cnz;
  assign g_cnz = gord_q ? nz7_at[cur_q[2:0]] : nz2_at[cur_q[2:0]];
  // blockLength x numInGroup > room as the sign of product + ~room: one carry chain after the
  // DSP (~room comes from registers only), registered alone in gmov_q.
  logic [25:0] g_nroom, g_ovs;
  assign g_nroom = ~{6'd0, g_room};
  assign g_ovs = 26'(g_bl) * 26'(g_cnt) + g_nroom;
  assign g_mov = !g_ovs[25];
  logic unused_sums;  // only the signs of these differences are used
  assign unused_sums = ^{g_ovs[24:0], g_bld[15:0]};
  assign g_need = AW'(bl_q) * AW'(cnt_q);  // S_DEFW: NoEvents' entries (a larger product fails)
  always_comb begin
    l_err = 1'b0;
    l_final = 1'b0;
    l_code = ttq_pkg::MDP_OK;
    if (lm_q && (mchk_q != '0 || r_past || (rcls_q & rlt_q) != '0)) begin
      l_err = 1'b1;
      l_final = mchk_q[5] || mchk_q[4] || mchk_q[3];
      if (mchk_q[5]) l_code = ttq_pkg::MDP_MSG_HDR_TRUNCATED;
      else if (mchk_q[4]) l_code = ttq_pkg::MDP_MSG_SIZE_TOO_SMALL;
      else if (mchk_q[3]) l_code = ttq_pkg::MDP_MSG_SIZE_OVERRUN;
      else if (mchk_q[2]) l_code = ttq_pkg::MDP_BAD_SCHEMA_ID;
      else l_code = ttq_pkg::MDP_ROOT_TOO_SHORT;
    end else if (lg_q && (ghov_q || (gcnz_q && gbld_q) || gmov_q)) begin
      l_err = 1'b1;
      l_code = !ghov_q && gcnz_q && gbld_q ? ttq_pkg::MDP_ENTRY_TOO_SHORT :
               ttq_pkg::MDP_GROUP_OVERRUN;
    end
  end
  assign pe_eff = pe_q != ttq_pkg::MDP_OK ? pe_q : le_q ? eerr_q : ttq_pkg::MDP_OK;

  // MSG_END bypass (used in the walker below). At S_GRP / G_ORD, not ready (its 8 bytes are
  // not all in the ring: cur + 8 > bytes in) but cur <= bytes in, numInGroup at cur + 7 is in
  // the beat coming in, lane (cur + 7) mod 8. If that lane is kept and its byte is 0, the group
  // is empty; if the header also ends the message (me <= cur + 8; it fits: ord_eff) the message's
  // last byte is in and, no entry having failed (pe_eff), the message is complete. (Without the
  // length: once it is known, the item is ready.) The lane flags come from the input beat
  // (ttq_l2l4's output register), in parallel with the decodes stored beside the ring.
  logic [7:0] oz_in, oz_at;
  logic o_byp, o_last;
  assign oz_in = ~in_nz & s_axis_udp_tkeep;
  for (genvar i = 0; i < 8; i++) begin : g_oz_at
    assign oz_at[i] = oz_in[(i + 7) % 8];
  end
  assign o_last = a_le(me_q, cur_q + AW'(8));
  assign o_byp = st_q == S_GRP && g_ord && !oe_q && !ready && rdy_k[0] && !ev_full && in_fire &&
                 oz_at[cur_q[2:0]] && o_last && pe_eff == ttq_pkg::MDP_OK;

  always_comb begin
    st_d = st_q;
    gk_d = gk_q;
    cur_d = cur_q;
    me_d = me_q;
    mp_d = mp_q;
    tid_d = tid_q;
    idx_d = idx_q;
    bl_d = bl_q;
    mei_d = mei_q;
    cnt_d = cnt_q;
    ent_d = ent_q;
    gmin_d = gmin_q;
    idoff_d = idoff_q;
    need_d = need_q;
    ord_d = ord_q;
    ordh_d = ordh_q;
    err_d = err_q;
    pe_d = pe_eff;
    seq_d = seq_q;
    hdr_ok_d = hdr_ok_q;
    fsize_d = fsize_q;
    lm_d = 1'b0;
    mchk_d = h_chk;
    minc_d = 1'b0;
    lg_d = 1'b0;
    gmov_d = g_mov;
    ghe_d = g_hdr_end;
    le_d = 1'b0;
    oe_d = oe_q;
    // (A BOOK entry's bytes 0-15 are always in the ring: its last needed byte, 26, is in beat 3
    // or 4 of the window, and bytes 0-15 in beats 0-2. Only bytes 16-26 may come in now.)
    eerr_d = book_check(b8(wine, 25), b8(wine, 26), b8(wine, 24), win[63:0], b32(win, 8));
    ev_we = 1'b0;
    lf_pop = 1'b0;

    if (go) begin
      unique case (st_q)
        S_PHDR: begin
          ev_we = 1'b1;
          seq_d = b32(win0, 0);
          fsize_d = b16(win0, 12);
          idx_d = '0;
          hdr_ok_d = b16(win0, 12) >= 16'd10 && b16(win0, 18) == 16'd1;
          if (len_known && !len_ge22) begin
            hdr_ok_d = 1'b0;
            err_d = ttq_pkg::MDP_PACKET_TOO_SHORT;
            mp_d = 1'b0;
            st_d = S_ERR;
          end else begin
            cur_d = cur_q + AW'(12);
            st_d = S_MHDR;
          end
        end

        S_MHDR: begin
          pe_d = ttq_pkg::MDP_OK;
          mei_d = '0;
          tid_d = h_tid;
          if (at_end) begin
            ev_we = 1'b1;  // PKT_END
            lf_pop = 1'b1;
            mp_d = 1'b0;
            cur_d = pnxt;
            st_d = S_PHDR;
          end else if (mp_q && late_ovr) begin
            // The packet ended inside the skipped message before: it was not complete (S_ERR's
            // PKT_END reports MsgSizeOverrun), and its MSG_END did not count.
            idx_d = idx_q - 1'b1;
            st_d = S_ERR;
          end else begin
            lm_d = 1'b1;
            me_d = h_end;
            mp_d = 1'b1;
            ordh_d = 1'b1;  // ord from rdiff_q (below)
            // cur_d is cur + 10 (template 30's root) here; h_grp1 or h_end replace it after this
            // block (cur_n), so that they pass one multiplexer after their adders.
            cur_d = cur10;
            if (c_book || c_seq) begin
              mei_d = b8(win, 18);
              st_d = S_GRP;
              gk_d = c_book ? G_BOOK : G_SEQ;
            end
            // The group's blockLength minimum; for SeqNum entries the SecurityID offset, and
            // the bytes an entry's event needs (27, or SecurityID + RptSeq).
            if (c_book) begin
              gmin_d = 6'd27;
              need_d = 6'd27;
            end else if (h_cls[F_TS]) begin
              gmin_d = 6'd25;
              idoff_d = 5'd12;
              need_d = 6'd20;
            end else if (h_cls[F_DS]) begin
              gmin_d = 6'd20;
              idoff_d = 5'd12;
              need_d = 6'd20;
            end else if (h_cls[F_LB]) begin
              gmin_d = 6'd32;
              idoff_d = 5'd24;
              need_d = 6'd32;
            end else if (h_cls[F_SS]) begin
              gmin_d = 6'd16;
              idoff_d = 5'd8;
              need_d = 6'd16;
            end else if (h_cls[F_VOL]) begin
              gmin_d = 6'd12;
              idoff_d = 5'd4;
              need_d = 6'd12;
            end else if (c_snap) begin
              gmin_d = 6'd22;
            end else begin
              gmin_d = 6'd0;
            end
            if (c_reset) begin
              mei_d = b8(win, 18);
              ev_we = 1'b1;  // RESET
              st_d = S_MEND;
            end
            if (c_status) begin
              st_d = S_ROOT;
            end
            if (c_snap) begin
              st_d = S_GRP;
              gk_d = G_SNAP;
            end
            if (c_def) begin
              mei_d = b8(win, 10);
              st_d = S_GRP;
              gk_d = G_DEF1;
            end
            if (c_skip) begin  // skipped by MsgSize: MSG_END now, its bytes are not read
              // (if the packet ends inside it, the next S_MHDR item reports MsgSizeOverrun)
              ev_we = 1'b1;  // MSG_END
              idx_d = idx_q + 1'b1;
              minc_d = 1'b1;
              st_d = S_MHDR;
            end
          end
        end

        S_ROOT, S_GRP, S_ENT, S_MEND: begin
          if (late_ovr) begin
            st_d = S_ERR;  // the packet ends inside this message: MsgSizeOverrun
          end else begin
            unique case (st_q)
              S_ROOT: begin  // template 30's root (28 bytes)
                mei_d = b8(win, 26);
                ev_we = 1'b1;  // STATUS
                st_d = S_MEND;
                cur_d = me_q;
              end

              S_GRP: begin
                lg_d = 1'b1;
                bl_d = g_bl;
                ord_d = !g_room8[AW] && AW'(g_bl) <= g_room8[AW-1:0];
                ordh_d = 1'b0;
                cnt_d = g_cnt;
                ent_d = '0;
                st_d = S_MEND;
                cur_d = me_q;
                unique case (gk_q)
                  G_BOOK: begin
                    if (g_cnz) begin
                      st_d = S_ENT;
                      cur_d = g_hdr_end;
                    end else if (ord_eff) begin
                      st_d = S_GRP;
                      gk_d = G_ORD;
                      gmin_d = 6'd0;
                      cur_d = g_hdr_end;
                    end
                  end
                  G_SEQ: begin
                    if (g_cnz) begin
                      st_d = S_ENT;
                      cur_d = g_hdr_end;
                    end
                  end
                  G_DEF1: begin
                    st_d = S_DEFW;
                    gk_d = G_DEF2;
                    gmin_d = 6'd4;
                    cur_d = cur_q;  // (its bytes stay in the ring)
                  end
                  G_ORD: begin
                    // An empty NoOrderIDEntries group cannot fail its own checks (its header
                    // fits: ord_eff; 0 x blockLength): the message is complete once its last
                    // byte is in and no entry failed, and this item writes its MSG_END (or the
                    // bypass did, a cycle ago: oe_q). A non-empty one waits for its late check.
                    oe_d = 1'b0;
                    if (pe_eff != ttq_pkg::MDP_OK) begin
                      st_d = S_ERR;
                      err_d = pe_eff;
                    end else if (!g_cnz && (oe_q || len_known || a_le(me_q, wr_abs))) begin
                      ev_we = !oe_q;  // MSG_END
                      idx_d = oe_q ? idx_q : idx_q + 1'b1;
                      minc_d = 1'b1;
                      st_d = S_MHDR;
                    end
                  end
                  G_DEF2: begin
                    // The message's last group: MSG_END here if its last byte is in (this
                    // saves the item S_DEFW cost, so a 54/27 takes as many items as before).
                    if (len_known || a_le(me_q, wr_abs)) begin
                      ev_we = 1'b1;  // MSG_END
                      idx_d = idx_q + 1'b1;
                      minc_d = 1'b1;
                      st_d = S_MHDR;
                    end
                  end
                  default: ;  // G_SNAP
                endcase
              end

              S_ENT: begin
                cnt_d = cnt_q - 1'b1;
                ent_d = ent_q + 1'b1;
                ev_we = 1'b1;  // BOOK or SEQ
                if (gk_q == G_BOOK) begin
                  le_d = 1'b1;
                  ord_d = AW'(bl_q) + AW'(8) <= me_rel - AW'(bl_q);
                  ordh_d = 1'b0;
                  if (cnt_q != 8'd1) begin
                    cur_d = e_next;
                  end else if (ord_eff) begin
                    // NoOrderIDEntries; a bad entry's error waits for it (decode_packet's order)
                    st_d = S_GRP;
                    gk_d = G_ORD;
                    gmin_d = 6'd0;
                    cur_d = e_next;
                  end else begin
                    st_d = S_MEND;
                    cur_d = me_q;
                  end
                end else begin
                  if (cnt_q != 8'd1) begin
                    cur_d = e_next;
                  end else begin
                    st_d = S_MEND;
                    cur_d = me_q;
                  end
                end
              end

              default: begin  // S_MEND
                if (pe_eff != ttq_pkg::MDP_OK) begin
                  st_d = S_ERR;
                  err_d = pe_eff;
                end else begin
                  ev_we = 1'b1;  // MSG_END
                  idx_d = idx_q + 1'b1;
                  st_d = S_MHDR;
                  cur_d = me_q;
                end
              end
            endcase
          end
        end

        S_DEFW: begin  // NoMDFeedTypes at NoEvents' end (the late check ran this cycle)
          st_d = S_GRP;
          cur_d = ghe_q + g_need;
        end

        default: begin  // S_ERR: the verdict waits for the packet's length
          if (len_known) begin
            ev_we = 1'b1;  // PKT_END
            lf_pop = 1'b1;
            mp_d = 1'b0;
            cur_d = pnxt;
            st_d = S_PHDR;
          end
        end
      endcase
    end
    // MSG_END bypass: the walker waits at an empty NoOrderIDEntries header that ends its message
    // and whose numInGroup is in the beat coming in now (the header's other bytes are in the
    // ring or in that beat's lower lanes). Its MSG_END is written now, from the incoming beat's
    // "byte == 0" and tkeep at cur + 7 (the message's last byte), a cycle before the item can
    // read the ring; the item then only moves on (oe_q). Nothing else changes here: state and
    // cur wait for the item, so only the event write and the count hang off the input beat.
    if (o_byp) begin
      ev_we = 1'b1;  // MSG_END (the event of state S_GRP)
      idx_d = idx_q + 1'b1;
      oe_d = 1'b1;
    end
    // Last cycle's item failed a check: this cycle's item does not happen (only what it would
    // make irreversible, or what PKT_END reports, is overridden; the rest is don't-care in S_ERR).
    if (l_err) begin
      st_d = S_ERR;
      err_d = l_code;
      mp_d = mp_q && !l_final;
      me_d = me_q;
      idx_d = minc_q ? idx_q - 1'b1 : idx_q;  // the failed item counted its message
      ev_we = 1'b0;
      lf_pop = 1'b0;
      lm_d = 1'b0;
      lg_d = 1'b0;
      le_d = 1'b0;
      minc_d = 1'b0;
      oe_d = 1'b0;
    end
  end

  // The next cur: a message header's h_grp1 (a group follows the root) or h_end (RESET, a skipped
  // template) is chosen by the last multiplexer, by conditions that do not wait for the adders.
  logic [AW-1:0] cur_n;
  logic h_take, use_grp1, use_end;
  assign h_take = go && st_q == S_MHDR && !at_end && !(mp_q && late_ovr);
  assign use_grp1 = h_take && (c_book || c_seq || c_snap || c_def);
  assign use_end = h_take && (c_reset || c_skip);
  assign cur_n = use_grp1 ? h_grp1 : use_end ? h_end : cur_d;  // (l_err: cur is don't-care)

  // The event written this cycle (its fields depend on the state only; ev_we decides).
  // PKT_HDR: the first MsgSize > length - 12, as the sign of a difference.
  logic [OFF_W:0] msz_d;
  logic msz_gt;
  assign msz_d = {1'b0, len12} - (OFF_W + 1)'(b16(win0, 12));
  assign msz_gt = msz_d[OFF_W];
  // plausible_packet: on PKT_HDR from the window (exact if the length is known), on PKT_END
  // from registers (len >= 22 always holds at S_MHDR's end of packet). Its parts are kept
  // apart so that only one LUT follows the window's compares.
  (* keep *) logic pl_hdr, pl_len, pl_end;
  assign pl_hdr = b16(win0, 12) >= 16'd10 && b16(win0, 18) == 16'd1;
  assign pl_len = !len_known || (len_ge22 && !msz_gt);
  assign pl_end = (st_q == S_ERR || (st_q == S_MHDR && at_end)) && len_ge22 && hdr_ok_q &&
                  OFF_W'(fsize_q) <= len12;
  always_comb begin
    ev_d = ttq_pkg::MDP_EV_ZERO;
    ev_d.template_id = tid_q;
    ev_d.msg_index = idx_q;
    unique case (st_q)
      S_PHDR: begin
        ev_d.kind = ttq_pkg::MDP_EV_PKT_HDR;
        ev_d.template_id = '0;
        ev_d.msg_index = '0;
        ev_d.seq_num = b32(win0, 0);
      end
      S_MHDR: begin
        ev_d.template_id = h_tid;
        if (at_end) begin
          ev_d.kind = ttq_pkg::MDP_EV_PKT_END;
          ev_d.template_id = '0;
          ev_d.seq_num = seq_q;
        end else if (c_reset) begin
          ev_d.kind = ttq_pkg::MDP_EV_RESET;
        end else begin
          ev_d.kind = ttq_pkg::MDP_EV_MSG_END;
        end
      end
      S_ROOT: begin
        ev_d.kind = ttq_pkg::MDP_EV_STATUS;
        ev_d.security_id = b32(win, 20);
        ev_d.entry_type = b8(win, 27);
        ev_d.price = {16'd0, win[64 +: 48]};
      end
      S_ENT: begin
        if (gk_q == G_BOOK) begin
          ev_d.kind = ttq_pkg::MDP_EV_BOOK;
          ev_d.entry_index = ent_q;
          ev_d.price = win[63:0];  // (bytes 0-15 from the ring: eerr_d above)
          ev_d.size = b32(win, 8);
          ev_d.security_id = b32(win, 12);
          ev_d.rpt_seq = b32(wine, 16);
          ev_d.level = b8(wine, 24);
          ev_d.action = b8(wine, 25);
          ev_d.entry_type = b8(wine, 26);
        end else begin
          ev_d.kind = ttq_pkg::MDP_EV_SEQ;
          ev_d.security_id = b32(wine, 32'(idoff_q));
          ev_d.rpt_seq = b32(wine, 32'(idoff_q) + 4);
        end
      end
      S_MEND: begin
        ev_d.kind = ttq_pkg::MDP_EV_MSG_END;
        ev_d.mei = mei_q;
      end
      S_GRP: begin  // NoMDFeedTypes that ends its message
        ev_d.kind = ttq_pkg::MDP_EV_MSG_END;
        ev_d.mei = mei_q;
      end
      default: begin  // S_ERR (S_DEFW writes nothing)
        ev_d.kind = ttq_pkg::MDP_EV_PKT_END;
        ev_d.err = mp_q && late_ovr ? ttq_pkg::MDP_MSG_SIZE_OVERRUN : err_q;
        ev_d.template_id = '0;
        ev_d.seq_num = seq_q;
      end
    endcase
    ev_d.plausible = st_q == S_PHDR ? pl_hdr && pl_len : pl_end;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      st_q <= S_PHDR;
      cur_q <= '0;
      lm_q <= 1'b0;
      lg_q <= 1'b0;
      le_q <= 1'b0;
      oe_q <= 1'b0;
      pe_q <= ttq_pkg::MDP_OK;
      mp_q <= 1'b0;
    end else begin
      st_q <= st_d;
      cur_q <= cur_n;
      lm_q <= lm_d;
      lg_q <= lg_d;
      le_q <= le_d;
      oe_q <= oe_d;
      pe_q <= pe_d;
      mp_q <= mp_d;
    end
  end

  always_ff @(posedge clk) begin
    gk_q <= gk_d;
    gord_q <= gk_d == G_ORD;
    me_q <= me_d;
    tid_q <= tid_d;
    idx_q <= idx_d;
    bl_q <= bl_d;
    mei_q <= mei_d;
    cnt_q <= cnt_d;
    ent_q <= ent_d;
    gmin_q <= gmin_d;
    idoff_q <= idoff_d;
    need_q <= need_d;
    ord_q <= ord_d;
    ordh_q <= ordh_d;
    err_q <= err_d;
    seq_q <= seq_d;
    hdr_ok_q <= hdr_ok_d;
    fsize_q <= fsize_d;
    mchk_q <= mchk_d;
    minc_q <= minc_d;
    ghe_q <= ghe_d;
    ghov_q <= g_hov;
    gcnz_q <= g_cnz;
    gbld_q <= g_bld[16];
    gmov_q <= gmov_d;
    eerr_q <= eerr_d;
  end

  // Input flow control: a beat may overwrite only a beat the walker no longer needs (before the
  // current item's beat; in S_ERR nothing of this packet; never past the packet's end once it
  // is known, where the next packet's beats start). `tready` is a register (the MAC side's ready
  // must not come through this logic: it is the enable of ttq_l2l4's whole pipeline): set for
  // the next cycle when the ring and the length FIFO would still have room after this cycle's
  // beat. The read position only moves forward, so the room next cycle is at least that.
  logic [WB_W-1:0] rd_b, cur_b, nxt_b, past_b, used_raw, used;
  logic rdy_q, in_last;
  assign in_last = in_fire & s_axis_udp_tlast;
  assign cur_b = cur_q[AW-1:3];
  assign nxt_b = pnxt[AW-1:3];
  assign past_b = nxt_b - cur_b;
  always_comb begin
    if (st_q == S_ERR) rd_b = len_known ? nxt_b : wr_q;
    else if (len_known && past_b[WB_W-1]) rd_b = nxt_b;
    else rd_b = cur_b;
  end
  assign used_raw = wr_q - rd_b;
  assign used = used_raw[WB_W-1] ? '0 : used_raw;
  always_ff @(posedge clk) begin
    rdy_q <= rst || (used + WB_W'(in_fire) < WB_W'(BUF_BEATS) &&
                     lf_cnt_q + (LF_AW + 1)'(in_last) < (LF_AW + 1)'(LF_DEPTH));  // empty after rst
  end
  assign s_axis_udp_tready = rdy_q && !rst;

  // ---------------------------------------------------------------------------------------------
  // Event FIFO. PKT_END leaves END_LAT cycles after its tlast (a credit from a delay line of
  // tlast handshakes), so its latency is fixed whatever the walker had left to do.
  logic [EV_W-1:0] ev_mem [EV_DEPTH];
  logic [EV_AW-1:0] ev_wr_q, ev_rd_q, ev_rd1_q;  // ev_rd1_q = ev_rd_q + 1
  logic [EV_AW:0] ev_cnt_q;
  logic [END_LAT-2:0] tl_dly_q;
  logic [7:0] credit_q;
  ttq_pkg::mdp_ev_t head;
  logic head_end, ev_pop, ev_pop_f;
  // Per entry: it is a PKT_END, in flip-flops beside ev_mem, so that tvalid and tlast (and the
  // credit count, and ttq_core's logic behind them) do not start at the LUT RAM read and the
  // kind's decode after it (2026-11-30: with ABC's area recovery, 7 levels in the whole core).
  logic [EV_DEPTH-1:0] ev_end_q;
  // The head in flip-flops (2026-11-30, fifth session): eh_q = ev_mem[ev_rd_q] and eh_end_q =
  // ev_end_q[ev_rd_q] whenever the FIFO is not empty, and with it empty, the entry at ev_wr_q
  // (last cycle's ev_d, as the LUT RAM's free entry holds it). m_axis_ev_tdata / tlast are thus
  // flip-flops, not a LUT RAM read (in ttq_core's cut-through mode they go straight through the
  // empty speculated-event queue into ttq_apply's decode and the book op: 7 levels from the
  // read). A pop loads the entry after the head from the RAM at a registered address (ev_rd1_q)
  // when there is one, else this cycle's ev_d (written or not: the entry the free one gets).
  // ev_th_q is the count as a thermometer (ev_th_q[k - 1]: count >= k), so that "not empty",
  // "more than one" and "full" are flip-flops too.
  ttq_pkg::mdp_ev_t eh_q;
  logic eh_end_q;
  logic [EV_DEPTH-1:0] ev_th_q;
  logic cr_nz_q;  // credit_q != 0

  assign ev_full = ev_th_q[EV_DEPTH-1];
  assign head = eh_q;
  assign head_end = eh_end_q;
  assign m_axis_ev_tdata = head;
  assign m_axis_ev_tlast = head_end;
  // MSG_END bypass straight out: the FIFO's free entry at ev_wr_q is written every cycle (with
  // this cycle's ev_d, whether or not it is pushed), so with the FIFO empty its head already
  // holds the MSG_END of a walker that waited at S_GRP / G_ORD last cycle (pw_q: same state,
  // same registers, nothing written). When the bypass writes that MSG_END, it is offered in the
  // same cycle (written and popped at once when taken).
  // Its valid is o_byp's conditions predicted a cycle ahead and registered (the walker waits:
  // cur, me, the state and the pending error do not change), so that only the input beat's
  // handshake and its byte at the count lane are in front of m_axis_ev_tvalid: wg_q, the walker
  // was at S_GRP / G_ORD last cycle (still there with oe_q low now: it did not move, wrote
  // nothing, no late check failed); pn_q, not ready now; p0_q, cur <= bytes in now; pk_q, the
  // header ends the message and no entry failed; ls_q, the lane of cur + 7.
  logic wg_q, pn_q, p0_q, pk_q, byp_out, b_zero;
  logic [2:0] ls_q;
  always_ff @(posedge clk) begin
    wg_q <= !rst && st_q == S_GRP && g_ord;
    pn_q <= !(lk_q || in_last || (in_fire ? rdy_k[0] : rdy_k[2]));
    p0_q <= in_fire ? rdy_k[8] : rdy_k[0];
    pk_q <= o_last && pe_eff == ttq_pkg::MDP_OK;
    ls_q <= cur_q[2:0] + 3'd7;
  end
  assign b_zero = s_axis_udp_tdata[8*ls_q +: 8] == 8'd0 && s_axis_udp_tkeep[ls_q];
  assign byp_out = !ev_th_q[0] && wg_q && st_q == S_GRP && gord_q && !oe_q && pn_q && p0_q &&
                   pk_q && in_fire && b_zero;
  // ev_pop_f: a pop from the FIFO (not empty; the bypass pops only with it empty).
  assign ev_pop_f = ev_th_q[0] && (!head_end || cr_nz_q) && m_axis_ev_tready;
  assign m_axis_ev_tvalid = (ev_th_q[0] && (!head_end || cr_nz_q)) || byp_out;
  assign ev_pop = m_axis_ev_tvalid & m_axis_ev_tready;

  logic ev_pkt_end;
  assign ev_pkt_end = ev_d.kind == ttq_pkg::MDP_EV_PKT_END;
  always_ff @(posedge clk) begin
    if (!ev_full) ev_mem[ev_wr_q] <= ev_d;
  end
  always_ff @(posedge clk) begin
    if (!ev_full) ev_end_q[ev_wr_q] <= ev_pkt_end;
  end
  // The head (above): loaded on a pop, and every cycle with the FIFO empty; with two or more
  // entries the next one from the RAM, else this cycle's ev_d (with one entry popped: the
  // entry written now, or with none, the free entry; with none: the same). The select is a
  // flip-flop, and the bypass pops only with the FIFO empty (ev_pop_f is enough: no path from
  // the input beat into the enable).
  always_ff @(posedge clk) begin
    if (!ev_th_q[0] || ev_pop_f) begin
      eh_q <= ev_th_q[1] ? ev_mem[ev_rd1_q] : ev_d;
      eh_end_q <= ev_th_q[1] ? ev_end_q[ev_rd1_q] : ev_pkt_end;
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      ev_wr_q <= '0;
      ev_rd_q <= '0;
      ev_rd1_q <= EV_AW'(1);
      ev_cnt_q <= '0;
      ev_th_q <= '0;
      tl_dly_q <= '0;
      credit_q <= '0;
      cr_nz_q <= 1'b0;
    end else begin
      if (ev_we) ev_wr_q <= ev_wr_q + 1'b1;
      if (ev_pop) begin
        ev_rd_q <= ev_rd_q + 1'b1;
        ev_rd1_q <= ev_rd1_q + 1'b1;
      end
      ev_cnt_q <= ev_cnt_q + {{EV_AW{1'b0}}, ev_we} - {{EV_AW{1'b0}}, ev_pop};
      if (ev_we && !ev_pop) ev_th_q <= {ev_th_q[EV_DEPTH-2:0], 1'b1};
      else if (!ev_we && ev_pop) ev_th_q <= {1'b0, ev_th_q[EV_DEPTH-1:1]};
      tl_dly_q <= {tl_dly_q[END_LAT-3:0], in_fire & s_axis_udp_tlast};
      // (a PKT_END pop is never the bypass's: ev_pop_f)
      credit_q <= credit_q + {7'd0, tl_dly_q[END_LAT-2]} - {7'd0, ev_pop_f & head_end};
      // credit_q != 0 next cycle: (credit_q + tlast) >= 1, or >= 2 with a PKT_END popped now
      cr_nz_q <= ev_pop_f && head_end ? credit_q != '0 && (credit_q != 8'd1 || tl_dly_q[END_LAT-2])
                                      : credit_q != '0 || tl_dly_q[END_LAT-2];
    end
  end

`ifndef SYNTHESIS
  // A reset was seen (ttq_core's registered reset leaves the first cycle without one; the
  // all-zero state then has ev_rd1_q == ev_rd_q).
  logic a_rst_q = 1'b0;
  always_ff @(posedge clk) if (rst) a_rst_q <= 1'b1;
  always_ff @(posedge clk) begin
    if (!rst) begin
      assert (!(ev_we && ev_full));
      // The registered head, count flags and credit flag (above).
      assert (ev_th_q == (EV_DEPTH)'((1 << ev_cnt_q) - 1));
      assert (!a_rst_q || ev_rd1_q == ev_rd_q + 1'b1);
      assert (cr_nz_q == (credit_q != '0));
      assert (ev_cnt_q == '0 || (eh_q == ev_mem[ev_rd_q] && eh_end_q == ev_end_q[ev_rd_q]));
      assert (!ev_pop || byp_out == !ev_pop_f);
      assert (!(lf_pop && !len_known));
      assert (ev_cnt_q == '0 || head_end == (head.kind == ttq_pkg::MDP_EV_PKT_END));
      assert (byp_out == (ev_cnt_q == '0 && wg_q && o_byp));
      if (byp_out) assert (ev_we && head == ev_d && !head_end);
      assert (st_q != S_PHDR || cur_q[2:0] == 3'd0);  // win0 is the packet header's window
      // The entry's window (wine): the beat replaced is the one coming in, never one the entry
      // needs from the ring; an entry taken as its last beat comes in reads that beat (1..4).
      if (st_q == S_ENT && go && !late_ovr && !l_err) begin
        assert (wr_q - cur_q[AW-1:3] <= WB_W'(BUF_BEATS));
        if (gk_q == G_BOOK && !len_known && !rdy_k[6])  // bytes 0-15 not in the beat coming in
          assert (wr_q - cur_q[AW-1:3] > (cur_q[2:0] == 3'd0 ? WB_W'(1) : WB_W'(2)));
        if (!len_known && !rdy_k[6])
          assert (in_fire && wr_q - cur_q[AW-1:3] >= WB_W'(1) && wr_q - cur_q[AW-1:3] <= WB_W'(4));
      end
      // The decodes stored beside the ring match the window wherever the walker uses them.
      if (st_q == S_MHDR && go && (!len_known || (!at_end && !end_rel[AW-1] && end_rel >= 6)))
        assert (h_cls == cflags(tcls(h_tid)));
      if (st_q == S_GRP && go && (!len_known || (!g_hov && !late_ovr)))
        assert (g_cnz == (g_cnt != 8'd0));
    end
  end
`endif

endmodule

`resetall
