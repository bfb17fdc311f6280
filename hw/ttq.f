// Ordered file list for Verilator, yosys and vendor tools (packages first), paths from hw/.
rtl/ttq_pkg.sv
rtl/ttq_regs_pkg.sv
rtl/ttq_regs.sv
rtl/ttq_l2l4.sv
rtl/ttq_quoter.sv
rtl/ttq_quote_fifo.sv
rtl/ttq_book.sv
rtl/ttq_mdp_framer.sv
rtl/ttq_line_filter.sv
rtl/ttq_arbiter.sv
rtl/ttq_apply.sv
rtl/ttq_core.sv
lint/waivers.vlt
