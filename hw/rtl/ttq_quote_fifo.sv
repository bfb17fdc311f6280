// Output queue of the card before m_axis_quote. in_ready (not full) lets the core back-pressure
// its producer so that no record is lost (what ttq_core does); a record offered while the queue is
// full is dropped and counted (overflow), for a producer that cannot wait.
// DEPTH records in all (LUT RAM + the output register); LATENCY = 0: a record offered while
// nothing is held is on m_axis_quote in the same cycle (the producer's register passed through a
// 2:1 multiplexer), and it is kept in the output register if not taken. docs/rtl_quote_fifo.md.
`default_nettype none

module ttq_quote_fifo #(
  parameter int DEPTH = 16  // records held, a power of 2, >= 2
) (
  input  logic                   clk,
  input  logic                   rst,

  // From the core. in_ready does not depend on in_valid or on this cycle's pop.
  input  logic                   in_valid,
  input  ttq_pkg::quote_rec_t    in_rec,
  output logic                   in_ready,  // not full: a record offered now is kept

  output ttq_pkg::quote_rec_t    m_axis_quote_tdata,
  output logic                   m_axis_quote_tvalid,
  input  logic                   m_axis_quote_tready,

  output logic [31:0]            overflow  // records dropped, saturating
);
  localparam int AW = (DEPTH > 1) ? $clog2(DEPTH) : 1;
  localparam int CW = $clog2(DEPTH + 1);

`ifndef SYNTHESIS
  if (DEPTH < 2 || (DEPTH & (DEPTH - 1)) != 0) begin : g_bad_depth
    $fatal(1, "ttq_quote_fifo: DEPTH must be a power of 2 and >= 2");
  end
`endif

  // count_q: records held, in the RAM and the output register. The RAM holds count_q - out_vld_q
  // (at most DEPTH - 1) records; the oldest is at rd_q.
  logic [ttq_pkg::QUOTE_REC_W-1:0] mem [DEPTH];  // plain vectors: yosys 0.23 drops a struct array
  ttq_pkg::quote_rec_t out_q;
  logic                out_vld_q;
  logic [AW-1:0]       wr_q, rd_q;
  logic [CW-1:0]       count_q;
  logic [31:0]         ovf_q;

  logic pop, accept, mem_empty, out_free, load_mem, load_in, mem_wr, pass;
  always_comb begin
    // Nothing held (out_vld_q low means count_q == 0): the offered record is the output this
    // cycle; taken now, it is never stored.
    pass      = !out_vld_q && in_valid && m_axis_quote_tready;
    pop       = out_vld_q && m_axis_quote_tready;
    // A slot freed by this cycle's handshake is usable at once.
    accept    = in_valid && (count_q != CW'(DEPTH) || pop) && !pass;
    mem_empty = count_q == CW'(out_vld_q);
    out_free  = !out_vld_q || pop;
    load_mem  = out_free && !mem_empty;
    load_in   = out_free && mem_empty && accept;  // the RAM is empty, order is kept
    mem_wr    = accept && !load_in;
  end

  always_ff @(posedge clk) begin
    if (mem_wr) mem[wr_q] <= in_rec;
    if (load_mem) out_q <= mem[rd_q];
    else if (load_in) out_q <= in_rec;
  end

  always_ff @(posedge clk) begin
    if (rst) begin
      out_vld_q <= 1'b0;
      wr_q      <= '0;
      rd_q      <= '0;
      count_q   <= '0;
      ovf_q     <= '0;
    end else begin
      if (out_free) out_vld_q <= load_mem || load_in;
      if (mem_wr) wr_q <= wr_q + AW'(1);
      if (load_mem) rd_q <= rd_q + AW'(1);
      count_q <= count_q + CW'(accept) - CW'(pop);
      if (in_valid && !accept && !pass && ovf_q != '1) ovf_q <= ovf_q + 32'd1;
    end
  end

  assign in_ready            = count_q != CW'(DEPTH);
  assign m_axis_quote_tdata  = out_vld_q ? out_q : in_rec;
  assign m_axis_quote_tvalid = out_vld_q || in_valid;
  assign overflow            = ovf_q;

`ifndef SYNTHESIS
  always_ff @(posedge clk) begin
    if (!rst) begin
      assert (count_q <= CW'(DEPTH));
      assert (out_vld_q || count_q == '0);
    end
  end
`endif
endmodule

`resetall
