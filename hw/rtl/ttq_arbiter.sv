// A/B arbitration of the card: one record per Incremental packet (after its verdict) in, the
// model's decisions out as a command stream — APPLY a stored packet, declare a GAP, HOLD a packet
// that arrived ahead of a hole, DROP a copy (early duplicate, duplicate, malformed), RESTART a
// channel's count. Exactly SeqArbiter (host/include/ttq/arbiter.hpp, docs/arbitration.md) with
// FastPath::process's duplicate pre-check and weekly-restart rule, for timeout 0. The packets
// themselves stay in the caller's store, named by a handle. A pre-decision port answers
// SeqArbiter::in_order(channel, seq) for a packet before its record comes (cut-through: the
// packet is applied as it streams when the answer is yes). docs/rtl_arbiter.md.
`default_nettype none

module ttq_arbiter #(
  parameter int unsigned N_CH     = 4,   // channels
  parameter int unsigned RING     = 8,   // held-packet slots per channel: max window, power of 2
  parameter int unsigned HANDLE_W = 6    // packet-store handle width
) (
  input  logic                clk,
  input  logic                rst,

  // Reorder window (feed.reorder_window): 0 or 1 = no waiting; values above RING act as RING.
  input  logic [7:0]          cfg_window,

  // One record per packet of an Incremental line, in arrival order; or a flush (end of input:
  // release everything held on the channel).
  input  logic                s_axis_pkt_tvalid,
  output logic                s_axis_pkt_tready,
  input  logic                s_axis_pkt_flush,
  input  logic [CH_W-1:0]     s_axis_pkt_channel,
  input  logic [31:0]         s_axis_pkt_seq,        // MsgSeqNum (bytes 0-3 of the payload)
  input  logic [HANDLE_W-1:0] s_axis_pkt_handle,
  input  logic                s_axis_pkt_plausible,  // mdp3::plausible_packet
  input  logic                s_axis_pkt_valid,      // frame good and the packet validated whole
  // The packet was speculated (its pre-decision below said in order): its APPLY, or its
  // DROP_MALFORMED when it failed, carries m_axis_cmd_spec. 0 for a flush.
  input  logic                s_axis_pkt_spec,

  // Pre-decision (docs/rtl_arbiter.md "Pre-decision"): is (channel, seq) in order now, i.e.
  // SeqArbiter::in_order after every record taken so far. Request valid/ready; ready only while
  // the arbiter is idle with no record offered and no command waiting. The answer is registered:
  // m_spec_valid for one cycle, the cycle after the handshake (no back-pressure).
  input  logic                s_axis_spec_tvalid,
  output logic                s_axis_spec_tready,
  input  logic [CH_W-1:0]     s_axis_spec_channel,
  input  logic [31:0]         s_axis_spec_seq,
  output logic                m_spec_valid,
  output logic                m_spec_in_order,

  // Commands, in the model's order. APPLY/HOLD/DROP_*: handle and seq of a packet; GAP: first
  // missing seq and count; RESTART: the channel's count starts again (books start unknown).
  output logic                m_axis_cmd_tvalid,
  input  logic                m_axis_cmd_tready,
  output logic [2:0]          m_axis_cmd_op,
  output logic [CH_W-1:0]     m_axis_cmd_channel,
  output logic [31:0]         m_axis_cmd_seq,
  output logic [31:0]         m_axis_cmd_count,
  output logic [HANDLE_W-1:0] m_axis_cmd_handle,
  // High for one cycle, the cycle after a record was taken: the command on m_axis_cmd (valid,
  // in its first cycle) is that record's APPLY (decided as it was taken). A register.
  output logic                m_axis_cmd_fast,
  // The command is the APPLY (or DROP_MALFORMED) of a record taken with s_axis_pkt_spec: the
  // packet went to the books as it streamed, so the caller does not replay it (or undoes it).
  output logic                m_axis_cmd_spec
);
  localparam int unsigned CH_W = (N_CH > 1) ? $clog2(N_CH) : 1;
  localparam int unsigned RB = $clog2(RING);          // ring index bits
  localparam int unsigned NS = N_CH * RING;           // slots in all
  localparam logic [31:0] SEQ_RESTART_MIN = 32'd65536; // fast_path.hpp kSeqRestartMin

  // Command codes (docs/rtl_arbiter.md).
  localparam logic [2:0] CMD_APPLY          = 3'd0;
  localparam logic [2:0] CMD_GAP            = 3'd1;
  localparam logic [2:0] CMD_HOLD           = 3'd2;
  localparam logic [2:0] CMD_DROP_EARLY_DUP = 3'd3;  // pre-check: already applied, not validated
  localparam logic [2:0] CMD_DROP_DUP       = 3'd4;  // applied or held already
  localparam logic [2:0] CMD_DROP_MALFORMED = 3'd5;  // bad frame or packet: never offered
  localparam logic [2:0] CMD_RESTART        = 3'd6;

  if (RING < 2 || (RING & (RING - 1)) != 0 || RING > 64) begin : g_bad_ring
    $fatal(1, "ttq_arbiter: RING must be a power of two in [2, 64]");
  end
  if (N_CH < 1 || N_CH > 256) begin : g_bad_ch
    $fatal(1, "ttq_arbiter: N_CH must be in [1, 256]");
  end

  typedef enum logic [3:0] {
    S_IDLE,     // waiting for a record
    S_START,    // pre-checks, then the offer rules
    S_OFFER,    // offer rules again after a gap or a release moved `expected`
    S_RELEASE,  // find the lowest held packet (registered: a rotate + priority encode)
    S_GAPLOW,   // declare the gap up to it, then drain
    S_DRAIN,    // apply held packets while the next expected one is held
    S_FLUSH,    // release until nothing is held (flush, or behind a restart)
    S_PREP      // one cycle for the comparisons after `expected` or `used` moved, then S_OFFER
  } state_e;

  // ---------------------------------------------------------------------------------------------
  // Per-channel state, flattened (yosys 0.23 takes no multi-dimensional packed arrays). A record
  // loads its channel's state into the working copy w_*; the working copy is written back while
  // the FSM idles, so the rules below never index by channel.
  //
  // No sequence numbers are stored per slot: a held packet's seq is always in
  // (expected, expected + window) with window <= RING, so its slot (seq mod RING) names it, and
  // the slot of `expected` itself is never in use (cfg_window may change only while nothing is
  // held: it is a start-up setting, as in the model).
  logic [N_CH-1:0]          started_q;
  logic [N_CH*32-1:0]       expected_q;
  logic [N_CH*7-1:0]        held_q;       // packets held (<= RING - 1)
  logic [NS-1:0]            used_q;
  logic [NS*HANDLE_W-1:0]   shandle_q;

  logic                     w_started;
  logic [31:0]              w_expected;
  logic [6:0]               w_held;
  logic [RING-1:0]          w_used;
  logic [RING*HANDLE_W-1:0] w_handle;

  state_e                   st_q, ret_q;
  logic                     restart_q;    // S_FLUSH: a restart follows the flush
  logic                     flush_q;
  logic [CH_W-1:0]          ch_q;
  logic [31:0]              seq_q;
  logic [HANDLE_W-1:0]      handle_q;
  logic                     plaus_q, valid_q, spec_q;
  logic                     fast_q;       // S_START: the record's APPLY is out already

  logic                     out_v_q;
  logic [2:0]               out_op_q;
  logic [CH_W-1:0]          out_ch_q;
  logic [31:0]              out_seq_q, out_count_q;
  logic [HANDLE_W-1:0]      out_handle_q;
  logic                     out_spec_q;
  logic                     out_new_q;    // a command was loaded in the last edge (assertions)

  // ---------------------------------------------------------------------------------------------
  logic [RB-1:0]       e_slot, s_slot;
  logic                e_used, s_used;
  logic [HANDLE_W-1:0] e_handle;
  logic [31:0]         window;    // min(cfg_window, RING), registered (a start-up setting)
  logic [31:0]         lowest;    // distance to the lowest held packet (window when none)
  logic [31:0]         lowest_q;
  logic                can_emit;
  logic [RING-1:0]     rot;       // w_used rotated so that bit d is slot expected + d

  // The comparisons of seq with expected, registered so that the rules decide from flags (the
  // subtraction and the compares would otherwise sit in front of the whole decision tree):
  // cmp_q holds them for the record taken in S_IDLE (computed from the incoming record and its
  // channel's state), and for seq_q and the working copy in every other state (one cycle late:
  // S_PREP waits for them after `expected` moved).
  typedef struct packed {
    logic [31:0] ahead;    // seq - expected (uint32)
    logic        behind;   // seq is before expected (int32 difference < 0)
    logic        zero;     // seq == expected
    logic        past;     // ahead >= window
    logic        restart;  // seq == 1 and expected > SEQ_RESTART_MIN
  } cmp_t;
  cmp_t        cmp_q, cmp_in, cmp_w;
  logic [31:0] in_expected;  // the incoming record's channel's expected number
  logic [31:0] in_stored;    // ... as stored (the working copy holds it when it is ch_q's)
  logic        in_fast;      // the incoming record is decided as it is taken (below)
  // seq == each channel's stored expected and the working copy's; expected > SEQ_RESTART_MIN.
  logic            fast_pre, seq_one, eq_w, big_w, same_ch;
  logic [N_CH-1:0] eq_c, big_c;

  always_comb begin
    e_slot   = w_expected[RB-1:0];
    s_slot   = seq_q[RB-1:0];
    e_used   = w_used[e_slot];
    s_used   = w_used[s_slot];
    e_handle = '0;
    for (int i = 0; i < RING; i++) begin
      if (e_slot == RB'(i)) e_handle = w_handle[HANDLE_W*i +: HANDLE_W];
    end
    can_emit = ~out_v_q | m_axis_cmd_tready;
    rot      = RING'({w_used, w_used} >> e_slot);
    lowest   = window;
    for (int d = RING - 1; d >= 1; d--) begin
      if (32'(d) < window && rot[d]) lowest = 32'(d);
    end
    in_stored = '0;
    for (int c = 0; c < N_CH; c++) begin
      if (s_axis_pkt_channel == CH_W'(c)) in_stored = expected_q[32*c +: 32];
    end
    in_expected = s_axis_pkt_channel == ch_q ? w_expected : in_stored;
    // (Written out twice: yosys 0.23 takes no function returning a struct.)
    cmp_in.ahead   = s_axis_pkt_seq - in_expected;
    cmp_in.behind  = cmp_in.ahead[31];
    cmp_in.zero    = same_ch ? eq_w : eq_c[s_axis_pkt_channel];
    cmp_in.past    = cmp_in.ahead >= window;
    cmp_in.restart = seq_one && (same_ch ? big_w : big_c[s_axis_pkt_channel]);
    cmp_w.ahead    = seq_q - w_expected;
    cmp_w.behind   = cmp_w.ahead[31];
    cmp_w.zero     = cmp_w.ahead == 32'd0;
    cmp_w.past     = cmp_w.ahead >= window;
    cmp_w.restart  = seq_q == 32'd1 && w_expected > SEQ_RESTART_MIN;
  end

  always_ff @(posedge clk) cmp_q <= (st_q == S_IDLE) ? cmp_in : cmp_w;
  // The window takes effect one cycle after cfg_window (which changes only while nothing is
  // held): its clamp is not in front of the decisions.
  always_ff @(posedge clk) window <= (cfg_window > 8'(RING)) ? 32'(RING) : 32'(cfg_window);

  // ---------------------------------------------------------------------------------------------
  // The decision FSM: one command per cycle at most, only when the output register is free.
  logic in_fire;
  assign s_axis_pkt_tready = (st_q == S_IDLE) & ~rst;
  assign in_fire = s_axis_pkt_tvalid & s_axis_pkt_tready;

  // The common case is decided in the cycle the record is taken (APPLY valid one cycle later):
  // a valid packet of a started channel that is next in line (seq == expected: not a restart,
  // not behind), or the first valid packet of a channel that is not a restart. S_START then
  // only does what its rules would have done after that APPLY (expected = seq + 1, S_DRAIN).
  // Anything else (a flush, a malformed packet, a packet ahead or behind, a restart) takes
  // S_START's rules.
  // Written as one compare per candidate `expected` (each channel's stored one and the working
  // copy), selected by the channel last: the channel select is not in front of the compares.
  always_comb begin
    fast_pre = s_axis_pkt_tvalid && st_q == S_IDLE && can_emit && !s_axis_pkt_flush &&
               s_axis_pkt_valid;
    seq_one  = s_axis_pkt_seq == 32'd1;
    for (int c = 0; c < N_CH; c++) begin
      eq_c[c]  = s_axis_pkt_seq == expected_q[32*c +: 32];
      big_c[c] = expected_q[32*c +: 32] > SEQ_RESTART_MIN;
    end
    eq_w    = s_axis_pkt_seq == w_expected;
    big_w   = w_expected > SEQ_RESTART_MIN;
    same_ch = s_axis_pkt_channel == ch_q;
    in_fast = !rst && fast_pre &&
              (same_ch ? (w_started ? eq_w : !(seq_one && big_w))
                       : (started_q[s_axis_pkt_channel] ? eq_c[s_axis_pkt_channel]
                                                        : !(seq_one && big_c[s_axis_pkt_channel])));
  end

  // ---------------------------------------------------------------------------------------------
  // Pre-decision: SeqArbiter::in_order(seq) = nothing held and (not started or seq == expected),
  // for the state after every record taken so far. Taken only while the FSM idles with no command
  // waiting (every earlier record decided and its commands handed over) and no record offered in
  // the same cycle (an offered record is an earlier frame's: the caller offers a packet's record
  // only after its answer). The caller guarantees that every earlier frame's record has been
  // offered by then (docs/rtl_arbiter.md). Compares as for in_fast: one per candidate `expected`,
  // the channel selects last. The answer is registered.
  logic            spec_fire, q_same, q_started, q_held0, q_eq;
  logic [N_CH-1:0] q_eq_c, q_held0_c;
  logic            spec_v_q, spec_in_order_q;

  assign s_axis_spec_tready = (st_q == S_IDLE) & ~out_v_q & ~s_axis_pkt_tvalid & ~rst;
  assign spec_fire          = s_axis_spec_tvalid & s_axis_spec_tready;

  always_comb begin
    for (int c = 0; c < N_CH; c++) begin
      q_eq_c[c]    = s_axis_spec_seq == expected_q[32*c +: 32];
      q_held0_c[c] = held_q[7*c +: 7] == 7'd0;
    end
    q_same    = s_axis_spec_channel == ch_q;
    q_started = q_same ? w_started : started_q[s_axis_spec_channel];
    q_held0   = q_same ? w_held == 7'd0 : q_held0_c[s_axis_spec_channel];
    q_eq      = q_same ? s_axis_spec_seq == w_expected : q_eq_c[s_axis_spec_channel];
  end

  always_ff @(posedge clk) begin
    spec_v_q <= spec_fire;
    if (spec_fire) spec_in_order_q <= q_held0 && (!q_started || q_eq);
    if (rst) spec_v_q <= 1'b0;
  end
  assign m_spec_valid    = spec_v_q;
  assign m_spec_in_order = spec_in_order_q;

  logic restart, behind, ahead_zero, past;
  logic [31:0] ahead;
  assign restart    = cmp_q.restart;
  assign behind     = cmp_q.behind;
  assign ahead_zero = cmp_q.zero;
  assign past       = cmp_q.past;
  assign ahead      = cmp_q.ahead;

  always_ff @(posedge clk) begin
    if (out_v_q && m_axis_cmd_tready) out_v_q <= 1'b0;
    fast_q <= 1'b0;
    out_new_q <= 1'b0;

    unique case (st_q)
      S_IDLE: begin
        // Write the working copy back, then load the next record's channel (bypassing the
        // write when it is the same channel).
        for (int c = 0; c < N_CH; c++) begin
          if (ch_q == CH_W'(c)) begin
            started_q[c]                        <= w_started;
            expected_q[32*c +: 32]              <= w_expected;
            held_q[7*c +: 7]                    <= w_held;
            used_q[RING*c +: RING]              <= w_used;
            shandle_q[RING*HANDLE_W*c +: RING*HANDLE_W] <= w_handle;
          end
        end
        if (in_fire) begin
          ch_q     <= s_axis_pkt_channel;
          seq_q    <= s_axis_pkt_seq;
          handle_q <= s_axis_pkt_handle;
          plaus_q  <= s_axis_pkt_plausible;
          valid_q  <= s_axis_pkt_valid;
          spec_q   <= s_axis_pkt_spec;
          flush_q  <= s_axis_pkt_flush;
          st_q     <= S_START;
          for (int c = 0; c < N_CH; c++) begin
            if (s_axis_pkt_channel == CH_W'(c) && s_axis_pkt_channel != ch_q) begin
              w_started  <= started_q[c];
              w_expected <= expected_q[32*c +: 32];
              w_held     <= held_q[7*c +: 7];
              w_used     <= used_q[RING*c +: RING];
              w_handle   <= shandle_q[RING*HANDLE_W*c +: RING*HANDLE_W];
            end
          end
          fast_q   <= in_fast;
          // The APPLY now; S_START does the bookkeeping. The data is loaded whenever the output
          // register is free (it is not valid unless in_fast): only out_v_q waits for the rules.
          if (in_fast) begin
            out_v_q   <= 1'b1;
            out_new_q <= 1'b1;
          end
          if (can_emit) begin
            out_op_q     <= CMD_APPLY;
            out_ch_q     <= s_axis_pkt_channel;
            out_seq_q    <= s_axis_pkt_seq;
            out_count_q  <= 32'd0;
            out_handle_q <= s_axis_pkt_handle;
            out_spec_q   <= s_axis_pkt_spec;
          end
        end
      end

      S_START: begin
        if (fast_q) begin  // its APPLY went out as the record was taken: rule 1 or next in line
          w_started  <= 1'b1;
          w_expected <= seq_q + 32'd1;
          ret_q      <= S_IDLE;
          st_q       <= S_DRAIN;
        end else if (flush_q) begin
          restart_q <= 1'b0;
          st_q      <= S_FLUSH;
        end else if (!restart && plaus_q && w_started && behind) begin
          if (can_emit) begin
            emit(CMD_DROP_EARLY_DUP, seq_q, 32'd0, handle_q, 1'b0);
            st_q <= S_IDLE;
          end
        end else if (!valid_q) begin
          if (can_emit) begin
            emit(CMD_DROP_MALFORMED, seq_q, 32'd0, handle_q, spec_q);
            st_q <= S_IDLE;
          end
        end else if (restart) begin
          restart_q <= 1'b1;
          st_q      <= S_FLUSH;
        end else begin
          offer();
        end
      end

      S_OFFER: offer();

      S_PREP: st_q <= S_OFFER;

      S_RELEASE: begin
        lowest_q <= lowest;
        st_q     <= S_GAPLOW;
      end

      S_GAPLOW: begin
        if (can_emit) begin
          emit(CMD_GAP, w_expected, lowest_q, handle_q, 1'b0);
          w_expected <= w_expected + lowest_q;
          st_q <= S_DRAIN;
        end
      end

      S_DRAIN: begin
        if (w_held != 7'd0 && e_used) begin
          if (can_emit) begin
            emit(CMD_APPLY, w_expected, 32'd0, e_handle, 1'b0);
            w_used[e_slot] <= 1'b0;
            w_held <= w_held - 7'd1;
            w_expected <= w_expected + 32'd1;
          end
        end else begin
          st_q <= ret_q;
        end
      end

      S_FLUSH: begin
        if (w_held != 7'd0) begin
          ret_q <= S_FLUSH;
          st_q  <= S_RELEASE;
        end else if (restart_q) begin
          if (can_emit) begin
            emit(CMD_RESTART, seq_q, 32'd0, handle_q, 1'b0);
            w_started <= 1'b0;
            w_used    <= '0;
            st_q <= S_PREP;
          end
        end else begin
          st_q <= S_IDLE;
        end
      end

      default: st_q <= S_IDLE;
    endcase

    if (rst) begin
      st_q       <= S_IDLE;
      fast_q     <= 1'b0;
      out_v_q    <= 1'b0;
      out_new_q  <= 1'b0;
      ch_q       <= '0;
      started_q  <= '0;
      used_q     <= '0;
      held_q     <= '0;
      expected_q <= '0;
      w_started  <= 1'b0;
      w_used     <= '0;
      w_held     <= '0;
      w_expected <= '0;
    end
  end

  // The offer rules (docs/arbitration.md 1 and 3-9), one step per cycle.
  task automatic offer();
    if (!w_started) begin
      // Rule 1: the first packet sets expected; it is then next in line.
      if (can_emit) begin
        emit(CMD_APPLY, seq_q, 32'd0, handle_q, spec_q);
        w_started <= 1'b1;
        w_expected <= seq_q + 32'd1;
        ret_q <= S_IDLE;
        st_q  <= S_DRAIN;
      end
    end else if (behind) begin
      if (can_emit) begin
        emit(CMD_DROP_DUP, seq_q, 32'd0, handle_q, 1'b0);
        st_q <= S_IDLE;
      end
    end else if (ahead_zero) begin
      if (can_emit) begin
        emit(CMD_APPLY, seq_q, 32'd0, handle_q, spec_q);
        w_expected <= seq_q + 32'd1;
        ret_q <= S_IDLE;
        st_q  <= S_DRAIN;
      end
    end else if (window <= 32'd1) begin
      if (can_emit) begin  // rule 5: a jump is a gap at once, then the packet applies
        emit(CMD_GAP, w_expected, ahead, handle_q, 1'b0);
        w_expected <= seq_q;
        st_q <= S_PREP;
      end
    end else if (past) begin
      // Rule 6: make room until seq fits the window.
      if (w_held == 7'd0) begin
        if (can_emit) begin
          emit(CMD_GAP, w_expected, ahead - (window - 32'd1), handle_q, 1'b0);
          w_expected <= seq_q - window + 32'd1;
          st_q <= S_PREP;
        end
      end else begin
        ret_q <= S_OFFER;
        st_q  <= S_RELEASE;
      end
    end else if (s_used) begin
      if (can_emit) begin  // rule 7: already held
        emit(CMD_DROP_DUP, seq_q, 32'd0, handle_q, 1'b0);
        st_q <= S_IDLE;
      end
    end else begin
      if (can_emit) begin  // rule 9: hold; a full window releases to the lowest
        emit(CMD_HOLD, seq_q, 32'd0, handle_q, 1'b0);
        w_used[s_slot] <= 1'b1;
        for (int i = 0; i < RING; i++) begin
          if (s_slot == RB'(i)) w_handle[HANDLE_W*i +: HANDLE_W] <= handle_q;
        end
        w_held <= w_held + 7'd1;
        if (32'(w_held) + 32'd1 >= window - 32'd1) begin
          ret_q <= S_IDLE;
          st_q  <= S_RELEASE;
        end else begin
          st_q <= S_IDLE;
        end
      end
    end
  endtask

  task automatic emit(input logic [2:0] op, input logic [31:0] seq, input logic [31:0] count,
                      input logic [HANDLE_W-1:0] handle, input logic spec);
    out_v_q      <= 1'b1;
    out_new_q    <= 1'b1;
    out_spec_q   <= spec;
    out_op_q     <= op;
    out_ch_q     <= ch_q;
    out_seq_q    <= seq;
    out_count_q  <= count;
    out_handle_q <= handle;
  endtask

`ifndef SYNTHESIS
  // A record flagged spec was in order when it was pre-decided, and nothing was taken since: its
  // first command is its own APPLY (or DROP_MALFORMED when the packet failed), flagged spec.
  logic spec_pend_q;  // a spec record was taken, its first command not loaded yet
  always_ff @(posedge clk) begin
    if (rst) begin
      spec_pend_q <= 1'b0;
    end else begin
      if (spec_pend_q && out_new_q) begin
        assert (out_op_q == (valid_q ? CMD_APPLY : CMD_DROP_MALFORMED) && out_seq_q == seq_q &&
                out_handle_q == handle_q && out_spec_q)
          else $error("ttq_arbiter: a speculated record (ch %0d seq %0d) decided op %0d",
                      ch_q, seq_q, out_op_q);
      end
      if (in_fire) begin
        assert (!(s_axis_pkt_spec && s_axis_pkt_flush))
          else $error("ttq_arbiter: a flush record flagged spec");
        spec_pend_q <= s_axis_pkt_spec && !s_axis_pkt_flush;
      end else if (out_new_q) begin
        spec_pend_q <= 1'b0;
      end
    end
  end
`endif

  assign m_axis_cmd_tvalid  = out_v_q;
  assign m_axis_cmd_op      = out_op_q;
  assign m_axis_cmd_channel = out_ch_q;
  assign m_axis_cmd_seq     = out_seq_q;
  assign m_axis_cmd_count   = out_count_q;
  assign m_axis_cmd_handle  = out_handle_q;
  assign m_axis_cmd_fast    = fast_q;
  assign m_axis_cmd_spec    = out_spec_q;

endmodule

`resetall
