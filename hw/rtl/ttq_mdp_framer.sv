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

  localparam int unsigned BEAT_W = 16;  // global beat counter (modular)
  localparam int unsigned OFF_W = 18;   // byte offsets in a packet (message ends up to 2^17)
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

  typedef enum logic [2:0] {
    S_PHDR,  // packet header + first message header (bytes 0..21)
    S_MHDR,  // message header and the root's first 9 bytes (MEI), or the packet's end
    S_ROOT,  // template 30's root (28 bytes at cur)
    S_GRP,   // group header (3 bytes, 8 for NoOrderIDEntries) at cur
    S_ENT,   // one entry of a book or SeqNum group at cur
    S_MEND,  // the message is complete: MSG_END
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
  // on a beat. A packet's length is known once its tlast is in (length FIFO).
  logic [63:0] buf_q [BUF_BEATS];
  logic [BEAT_W-1:0] wr_q;        // next beat number to write
  logic [BEAT_W-1:0] in_beats_q;  // beats of the packet coming in, before this one
  logic in_fire;

  logic [OFF_W-1:0] lf_len_q [LF_DEPTH];
  logic [BEAT_W-1:0] lf_beats_q [LF_DEPTH];
  logic [LF_AW-1:0] lf_wr_q, lf_rd_q;
  logic [LF_AW:0] lf_cnt_q;
  logic lf_pop;

  function automatic logic [3:0] keep_bytes(input logic [7:0] k);
    logic [3:0] n;
    n = 4'd0;
    for (int i = 0; i < 8; i++) n = n + {3'd0, k[i]};
    keep_bytes = n;
  endfunction

  assign in_fire = s_axis_udp_tvalid & s_axis_udp_tready;

  always_ff @(posedge clk) begin
    if (in_fire) begin
      buf_q[wr_q[BI_W-1:0]] <= s_axis_udp_tdata;
      if (s_axis_udp_tlast) begin
        lf_len_q[lf_wr_q] <= OFF_W'({in_beats_q, 3'b000}) + OFF_W'(keep_bytes(s_axis_udp_tkeep));
        lf_beats_q[lf_wr_q] <= in_beats_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      wr_q <= '0;
      in_beats_q <= '0;
      lf_wr_q <= '0;
      lf_rd_q <= '0;
      lf_cnt_q <= '0;
    end else begin
      if (in_fire) begin
        wr_q <= wr_q + 1'b1;
        in_beats_q <= s_axis_udp_tlast ? '0 : in_beats_q + 1'b1;
        if (s_axis_udp_tlast) lf_wr_q <= lf_wr_q + 1'b1;
      end
      if (lf_pop) lf_rd_q <= lf_rd_q + 1'b1;
      lf_cnt_q <= lf_cnt_q + {{LF_AW{1'b0}}, in_fire & s_axis_udp_tlast} -
                  {{LF_AW{1'b0}}, lf_pop};
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Walker: one item (a header, a root, a group header, an entry, a message end) per cycle, as
  // soon as the bytes it reads are in. Offsets are bytes from the start of the packet.
  st_e st_q, st_d;
  grp_e gk_q, gk_d;
  logic [BEAT_W-1:0] pb_q, pb_d;              // beat number of the packet's byte 0
  logic [OFF_W-1:0] cur_q, cur_d;             // the item's first byte
  logic [OFF_W-1:0] ie_q, ie_d;               // the item is ready when bytes [.., ie) are in
  logic [OFF_W-1:0] msg_end_q, msg_end_d;     // end of the current message (0: none pending)
  logic [OFF_W-1:0] grp1_q, grp1_d;           // first group of the current message
  logic [OFF_W-1:0] g_end_q, g_end_d;         // end of the book group
  logic [15:0] tid_q, tid_d, idx_q, idx_d, bl_q, bl_d;
  logic [7:0] mei_q, mei_d, cnt_q, cnt_d, ent_q, ent_d;
  logic [5:0] gmin_q, gmin_d;                 // group blockLength minimum
  logic [4:0] idoff_q, idoff_d;               // SecurityID offset in a SeqNum entry
  logic [3:0] err_q, err_d, pe_q, pe_d;       // packet error; pending book-entry error
  logic [31:0] seq_q, seq_d;
  logic hdr_ok_q, hdr_ok_d;                   // first message: MsgSize >= 10, schemaId 1
  logic [15:0] fsize_q, fsize_d;              // first message's MsgSize

  // Packet length, when its tlast is in.
  logic len_known;
  logic [OFF_W-1:0] len, avail;
  logic [BEAT_W-1:0] nbeats, wr_rel;
  assign len_known = lf_cnt_q != '0;
  assign len = lf_len_q[lf_rd_q];
  assign nbeats = lf_beats_q[lf_rd_q];
  assign wr_rel = wr_q - pb_q;
  assign avail = len_known ? len : {wr_rel[OFF_W-4:0], 3'b000};

  // The 32 bytes from cur: win[8k +: 8] is packet byte cur + k.
  logic [BI_W-1:0] wbeat;
  logic [319:0] w40;
  logic [255:0] win;
  assign wbeat = BI_W'(pb_q + BEAT_W'(cur_q[OFF_W-1:3]));
  always_comb begin
    for (int k = 0; k < 5; k++) begin
      w40[64*k +: 64] = buf_q[BI_W'(wbeat + BI_W'(k))];
    end
  end
  assign win = 256'(w40 >> {cur_q[2:0], 3'b000});

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

  function automatic logic [OFF_W-1:0] omin(input logic [OFF_W-1:0] a, input logic [OFF_W-1:0] b);
    omin = a < b ? a : b;
  endfunction

  // Event FIFO state (below) the walker needs.
  logic ev_full, ev_we;
  ttq_pkg::mdp_ev_t ev_d;
  logic ready, go;
  assign ready = len_known || (ie_q <= avail);
  assign go = ready && !ev_full;

  // Header fields of the item at cur, for S_MHDR.
  logic [15:0] h_size, h_root, h_tid, h_schema;
  logic [OFF_W-1:0] h_end, h_grp1;
  assign h_size = b16(win, 0);
  assign h_root = b16(win, 2);
  assign h_tid = b16(win, 4);
  assign h_schema = b16(win, 6);
  assign h_end = cur_q + OFF_W'(h_size);
  assign h_grp1 = cur_q + OFF_W'(h_root) + OFF_W'(10);

  // Group header at cur, for S_GRP: end = cur + hdr + blockLength * numInGroup.
  logic [15:0] g_bl;
  logic [7:0] g_cnt;
  logic [OFF_W-1:0] g_hdr_end;
  logic [25:0] g_end_full;
  assign g_bl = b16(win, 0);
  assign g_cnt = gk_q == G_ORD ? b8(win, 7) : b8(win, 2);
  assign g_hdr_end = cur_q + (gk_q == G_ORD ? OFF_W'(8) : OFF_W'(3));
  assign g_end_full = 26'(g_hdr_end) + 26'(g_bl) * 26'(g_cnt);

  // Entry at cur, for S_ENT.
  logic [3:0] e_err;
  logic [OFF_W-1:0] e_next;
  assign e_err = book_check(b8(win, 25), b8(win, 26), b8(win, 24), win[63:0], b32(win, 8));
  assign e_next = cur_q + OFF_W'(bl_q);

  always_comb begin
    st_d = st_q;
    gk_d = gk_q;
    pb_d = pb_q;
    cur_d = cur_q;
    ie_d = ie_q;
    msg_end_d = msg_end_q;
    grp1_d = grp1_q;
    g_end_d = g_end_q;
    tid_d = tid_q;
    idx_d = idx_q;
    bl_d = bl_q;
    mei_d = mei_q;
    cnt_d = cnt_q;
    ent_d = ent_q;
    gmin_d = gmin_q;
    idoff_d = idoff_q;
    err_d = err_q;
    pe_d = pe_q;
    seq_d = seq_q;
    hdr_ok_d = hdr_ok_q;
    fsize_d = fsize_q;
    ev_we = 1'b0;
    ev_d = ttq_pkg::MDP_EV_ZERO;
    ev_d.template_id = tid_q;
    ev_d.msg_index = idx_q;
    lf_pop = 1'b0;

    if (go) begin
      unique case (st_q)
        S_PHDR: begin
          ev_we = 1'b1;
          ev_d.kind = ttq_pkg::MDP_EV_PKT_HDR;
          ev_d.template_id = '0;
          ev_d.msg_index = '0;
          ev_d.seq_num = b32(win, 0);
          seq_d = b32(win, 0);
          fsize_d = b16(win, 12);
          idx_d = '0;
          if (len_known && len < OFF_W'(22)) begin
            hdr_ok_d = 1'b0;
            err_d = ttq_pkg::MDP_PACKET_TOO_SHORT;
            msg_end_d = '0;
            st_d = S_ERR;
          end else begin
            hdr_ok_d = b16(win, 12) >= 16'd10 && b16(win, 18) == 16'd1;
            ev_d.plausible = b16(win, 12) >= 16'd10 && b16(win, 18) == 16'd1 &&
                             (!len_known || OFF_W'(b16(win, 12)) <= len - OFF_W'(12));
            cur_d = OFF_W'(12);
            ie_d = OFF_W'(12 + 19);
            st_d = S_MHDR;
          end
        end

        S_MHDR: begin
          pe_d = ttq_pkg::MDP_OK;
          mei_d = '0;
          tid_d = h_tid;
          grp1_d = h_grp1;
          if (len_known && cur_q == len) begin
            ev_we = 1'b1;
            ev_d.kind = ttq_pkg::MDP_EV_PKT_END;
            ev_d.err = ttq_pkg::MDP_OK;
            ev_d.template_id = '0;
            ev_d.seq_num = seq_q;
            ev_d.plausible = hdr_ok_q && OFF_W'(fsize_q) <= len - OFF_W'(12);
            lf_pop = 1'b1;
            pb_d = pb_q + nbeats;
            cur_d = '0;
            ie_d = OFF_W'(22);
            st_d = S_PHDR;
          end else if (len_known && len - cur_q < OFF_W'(10)) begin
            err_d = ttq_pkg::MDP_MSG_HDR_TRUNCATED;
            msg_end_d = '0;
            st_d = S_ERR;
          end else if (h_size < 16'd10) begin
            err_d = ttq_pkg::MDP_MSG_SIZE_TOO_SMALL;
            msg_end_d = '0;
            st_d = S_ERR;
          end else if (len_known && h_end > len) begin
            err_d = ttq_pkg::MDP_MSG_SIZE_OVERRUN;
            msg_end_d = '0;
            st_d = S_ERR;
          end else begin
            // From here on an error is pending until the message is known to be whole: if the
            // packet ends inside it, MsgSizeOverrun wins (S_ERR decides).
            msg_end_d = h_end;
            st_d = S_ERR;
            if (h_schema != 16'd1) begin
              err_d = ttq_pkg::MDP_BAD_SCHEMA_ID;
            end else if (17'(h_root) + 17'd10 > 17'(h_size)) begin
              err_d = ttq_pkg::MDP_ROOT_TOO_SHORT;
            end else begin
              err_d = ttq_pkg::MDP_ROOT_TOO_SHORT;  // unless the template's minimum holds
              unique case (h_tid)
                T_BOOK46, T_BOOK32: begin
                  if (h_root >= 16'd9) begin
                    mei_d = b8(win, 18);
                    st_d = S_GRP;
                    gk_d = G_BOOK;
                    gmin_d = 6'd27;
                    cur_d = h_grp1;
                    ie_d = omin(h_grp1 + OFF_W'(3), h_end);
                  end
                end
                T_TS48, T_TS42, T_VOL37, T_DS33, T_DS49, T_LB34, T_LB50, T_SS35, T_SS51: begin
                  if (h_root >= 16'd9) begin
                    mei_d = b8(win, 18);
                    st_d = S_GRP;
                    gk_d = G_SEQ;
                    cur_d = h_grp1;
                    ie_d = omin(h_grp1 + OFF_W'(3), h_end);
                  end
                  if (h_tid == T_TS48 || h_tid == T_TS42) begin
                    gmin_d = 6'd25;
                    idoff_d = 5'd12;
                  end else if (h_tid == T_DS33 || h_tid == T_DS49) begin
                    gmin_d = 6'd20;
                    idoff_d = 5'd12;
                  end else if (h_tid == T_LB34 || h_tid == T_LB50) begin
                    gmin_d = 6'd32;
                    idoff_d = 5'd24;
                  end else if (h_tid == T_SS35 || h_tid == T_SS51) begin
                    gmin_d = 6'd16;
                    idoff_d = 5'd8;
                  end else begin
                    gmin_d = 6'd12;
                    idoff_d = 5'd4;
                  end
                end
                T_RESET: begin
                  if (h_root >= 16'd9) begin
                    mei_d = b8(win, 18);
                    ev_we = 1'b1;
                    ev_d.kind = ttq_pkg::MDP_EV_RESET;
                    ev_d.template_id = h_tid;
                    st_d = S_MEND;
                    cur_d = h_end;
                    ie_d = h_end;
                  end
                end
                T_STATUS: begin
                  if (h_root >= 16'd28) begin
                    st_d = S_ROOT;
                    cur_d = cur_q + OFF_W'(10);
                    ie_d = cur_q + OFF_W'(38);
                  end
                end
                T_SNAP52, T_SNAP38: begin
                  if (h_root >= 16'd16) begin
                    st_d = S_GRP;
                    gk_d = G_SNAP;
                    gmin_d = 6'd22;
                    cur_d = h_grp1;
                    ie_d = omin(h_grp1 + OFF_W'(3), h_end);
                  end
                end
                T_DEF54, T_DEF27: begin
                  if (h_root >= 16'd107) begin
                    mei_d = b8(win, 10);
                    st_d = S_GRP;
                    gk_d = G_DEF1;
                    gmin_d = 6'd0;
                    cur_d = h_grp1;
                    ie_d = omin(h_grp1 + OFF_W'(3), h_end);
                  end
                end
                default: begin  // skipped by MsgSize
                  if (h_end <= avail) begin
                    ev_we = 1'b1;
                    ev_d.kind = ttq_pkg::MDP_EV_MSG_END;
                    ev_d.template_id = h_tid;
                    idx_d = idx_q + 1'b1;
                    st_d = S_MHDR;
                    cur_d = h_end;
                    ie_d = h_end + OFF_W'(19);
                  end else begin
                    st_d = S_MEND;
                    cur_d = h_end;
                    ie_d = h_end;
                  end
                end
              endcase
            end
          end
        end

        S_ROOT, S_GRP, S_ENT, S_MEND: begin
          if (len_known && msg_end_q > len) begin
            st_d = S_ERR;  // the packet ends inside this message: MsgSizeOverrun
          end else begin
            unique case (st_q)
              S_ROOT: begin  // template 30's root (28 bytes)
                mei_d = b8(win, 26);
                ev_we = 1'b1;
                ev_d.kind = ttq_pkg::MDP_EV_STATUS;
                ev_d.security_id = b32(win, 20);
                ev_d.entry_type = b8(win, 27);
                ev_d.price = {16'd0, win[64 +: 48]};
                st_d = S_MEND;
                cur_d = msg_end_q;
                ie_d = msg_end_q;
              end

              S_GRP: begin
                st_d = S_ERR;
                if (g_hdr_end > msg_end_q) begin
                  err_d = ttq_pkg::MDP_GROUP_OVERRUN;
                end else if (g_cnt != 8'd0 && g_bl < 16'(gmin_q)) begin
                  err_d = ttq_pkg::MDP_ENTRY_TOO_SHORT;
                end else if (g_end_full > 26'(msg_end_q)) begin
                  err_d = ttq_pkg::MDP_GROUP_OVERRUN;
                end else begin
                  bl_d = g_bl;
                  cnt_d = g_cnt;
                  ent_d = '0;
                  unique case (gk_q)
                    G_BOOK: begin
                      g_end_d = OFF_W'(g_end_full);
                      if (g_cnt != 8'd0) begin
                        st_d = S_ENT;
                        cur_d = g_hdr_end;
                        ie_d = g_hdr_end + OFF_W'(27);
                      end else if (OFF_W'(g_end_full) + OFF_W'(8) <= msg_end_q) begin
                        st_d = S_GRP;
                        gk_d = G_ORD;
                        gmin_d = 6'd0;
                        cur_d = OFF_W'(g_end_full);
                        ie_d = OFF_W'(g_end_full) + OFF_W'(8);
                      end else begin
                        st_d = S_MEND;
                        cur_d = msg_end_q;
                        ie_d = msg_end_q;
                      end
                    end
                    G_SEQ: begin
                      if (g_cnt != 8'd0) begin
                        st_d = S_ENT;
                        cur_d = g_hdr_end;
                        ie_d = g_hdr_end + OFF_W'(idoff_q) + OFF_W'(8);
                      end else begin
                        st_d = S_MEND;
                        cur_d = msg_end_q;
                        ie_d = msg_end_q;
                      end
                    end
                    G_DEF1: begin
                      st_d = S_GRP;
                      gk_d = G_DEF2;
                      gmin_d = 6'd4;
                      cur_d = OFF_W'(g_end_full);
                      ie_d = omin(OFF_W'(g_end_full) + OFF_W'(3), msg_end_q);
                    end
                    G_ORD: begin
                      if (pe_q != ttq_pkg::MDP_OK) begin
                        err_d = pe_q;
                      end else begin
                        st_d = S_MEND;
                        cur_d = msg_end_q;
                        ie_d = msg_end_q;
                      end
                    end
                    default: begin  // G_SNAP, G_DEF2
                      st_d = S_MEND;
                      cur_d = msg_end_q;
                      ie_d = msg_end_q;
                    end
                  endcase
                end
              end

              S_ENT: begin
                if (gk_q == G_BOOK) begin
                  if (e_err == ttq_pkg::MDP_OK) begin
                    ev_we = 1'b1;
                    ev_d.kind = ttq_pkg::MDP_EV_BOOK;
                    ev_d.entry_index = ent_q;
                    ev_d.price = win[63:0];
                    ev_d.size = b32(win, 8);
                    ev_d.security_id = b32(win, 12);
                    ev_d.rpt_seq = b32(win, 16);
                    ev_d.level = b8(win, 24);
                    ev_d.action = b8(win, 25);
                    ev_d.entry_type = b8(win, 26);
                  end
                  if (e_err == ttq_pkg::MDP_OK && cnt_q != 8'd1) begin
                    cur_d = e_next;
                    ie_d = e_next + OFF_W'(27);
                  end else begin
                    // Last entry, or the first bad one: NoOrderIDEntries still comes first.
                    pe_d = e_err;
                    if (g_end_q + OFF_W'(8) <= msg_end_q) begin
                      st_d = S_GRP;
                      gk_d = G_ORD;
                      gmin_d = 6'd0;
                      cur_d = g_end_q;
                      ie_d = g_end_q + OFF_W'(8);
                    end else if (e_err != ttq_pkg::MDP_OK) begin
                      st_d = S_ERR;
                      err_d = e_err;
                    end else begin
                      st_d = S_MEND;
                      cur_d = msg_end_q;
                      ie_d = msg_end_q;
                    end
                  end
                end else begin
                  ev_we = 1'b1;
                  ev_d.kind = ttq_pkg::MDP_EV_SEQ;
                  ev_d.security_id = b32(win, 32'(idoff_q));
                  ev_d.rpt_seq = b32(win, 32'(idoff_q) + 4);
                  if (cnt_q != 8'd1) begin
                    cur_d = e_next;
                    ie_d = e_next + OFF_W'(idoff_q) + OFF_W'(8);
                  end else begin
                    st_d = S_MEND;
                    cur_d = msg_end_q;
                    ie_d = msg_end_q;
                  end
                end
                cnt_d = cnt_q - 1'b1;
                ent_d = ent_q + 1'b1;
              end

              default: begin  // S_MEND
                ev_we = 1'b1;
                ev_d.kind = ttq_pkg::MDP_EV_MSG_END;
                ev_d.mei = mei_q;
                idx_d = idx_q + 1'b1;
                st_d = S_MHDR;
                cur_d = msg_end_q;
                ie_d = msg_end_q + OFF_W'(19);
              end
            endcase
          end
        end

        default: begin  // S_ERR: the verdict waits for the packet's length
          if (len_known) begin
            ev_we = 1'b1;
            ev_d.kind = ttq_pkg::MDP_EV_PKT_END;
            ev_d.err = msg_end_q > len ? ttq_pkg::MDP_MSG_SIZE_OVERRUN : err_q;
            ev_d.template_id = '0;
            ev_d.seq_num = seq_q;
            ev_d.plausible = len >= OFF_W'(22) && hdr_ok_q &&
                             OFF_W'(fsize_q) <= len - OFF_W'(12);
            lf_pop = 1'b1;
            pb_d = pb_q + nbeats;
            cur_d = '0;
            ie_d = OFF_W'(22);
            st_d = S_PHDR;
          end
        end
      endcase
    end
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      st_q <= S_PHDR;
      pb_q <= '0;
      cur_q <= '0;
      ie_q <= OFF_W'(22);
    end else begin
      st_q <= st_d;
      pb_q <= pb_d;
      cur_q <= cur_d;
      ie_q <= ie_d;
    end
  end

  always_ff @(posedge clk) begin
    gk_q <= gk_d;
    msg_end_q <= msg_end_d;
    grp1_q <= grp1_d;
    g_end_q <= g_end_d;
    tid_q <= tid_d;
    idx_q <= idx_d;
    bl_q <= bl_d;
    mei_q <= mei_d;
    cnt_q <= cnt_d;
    ent_q <= ent_d;
    gmin_q <= gmin_d;
    idoff_q <= idoff_d;
    err_q <= err_d;
    pe_q <= pe_d;
    seq_q <= seq_d;
    hdr_ok_q <= hdr_ok_d;
    fsize_q <= fsize_d;
  end

  // Input flow control: a beat may overwrite only a beat the walker no longer needs (before the
  // current item; in S_ERR nothing of this packet is needed any more).
  // `tready` is a register (the MAC side's ready must not come through this logic: it is the
  // enable of ttq_l2l4's whole pipeline): set for the next cycle when the ring and the length
  // FIFO would still have room after this cycle's beat. The read position only moves forward
  // (the walker, S_ERR, the next packet's base), so the room next cycle is at least that.
  logic [BEAT_W-1:0] lim, rd_rel, used;
  logic              rdy_q, in_last;
  assign in_last = in_fire & s_axis_udp_tlast;
  assign lim = len_known ? nbeats : wr_rel;
  assign rd_rel = (st_q == S_ERR || BEAT_W'(cur_q[OFF_W-1:3]) > lim) ? lim :
                  BEAT_W'(cur_q[OFF_W-1:3]);
  assign used = wr_rel - rd_rel;
  always_ff @(posedge clk) begin
    rdy_q <= rst || (used + BEAT_W'(in_fire) < BEAT_W'(BUF_BEATS) &&
                     lf_cnt_q + (LF_AW + 1)'(in_last) < (LF_AW + 1)'(LF_DEPTH));  // empty after rst
  end
  assign s_axis_udp_tready = rdy_q && !rst;

  // ---------------------------------------------------------------------------------------------
  // Event FIFO. PKT_END leaves END_LAT cycles after its tlast (a credit from a delay line of
  // tlast handshakes), so its latency is fixed whatever the walker had left to do.
  logic [EV_W-1:0] ev_mem [EV_DEPTH];
  logic [EV_AW-1:0] ev_wr_q, ev_rd_q;
  logic [EV_AW:0] ev_cnt_q;
  logic [END_LAT-2:0] tl_dly_q;
  logic [7:0] credit_q;
  ttq_pkg::mdp_ev_t head;
  logic head_end, ev_pop;

  assign ev_full = ev_cnt_q == (EV_AW + 1)'(EV_DEPTH);
  assign head = ev_mem[ev_rd_q];
  assign head_end = head.kind == ttq_pkg::MDP_EV_PKT_END;
  assign m_axis_ev_tdata = head;
  assign m_axis_ev_tlast = head_end;
  assign m_axis_ev_tvalid = ev_cnt_q != '0 && (!head_end || credit_q != '0);
  assign ev_pop = m_axis_ev_tvalid & m_axis_ev_tready;

  always_ff @(posedge clk) begin
    if (ev_we) ev_mem[ev_wr_q] <= ev_d;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      ev_wr_q <= '0;
      ev_rd_q <= '0;
      ev_cnt_q <= '0;
      tl_dly_q <= '0;
      credit_q <= '0;
    end else begin
      if (ev_we) ev_wr_q <= ev_wr_q + 1'b1;
      if (ev_pop) ev_rd_q <= ev_rd_q + 1'b1;
      ev_cnt_q <= ev_cnt_q + {{EV_AW{1'b0}}, ev_we} - {{EV_AW{1'b0}}, ev_pop};
      tl_dly_q <= {tl_dly_q[END_LAT-3:0], in_fire & s_axis_udp_tlast};
      credit_q <= credit_q + {7'd0, tl_dly_q[END_LAT-2]} - {7'd0, ev_pop & head_end};
    end
  end

`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst) begin
      assert (!(ev_we && ev_full));
      assert (!(lf_pop && !len_known));
    end
  end
`endif

endmodule

`resetall
