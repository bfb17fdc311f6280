# tb_core: the whole card (hw/rtl/ttq_core.sv) programmed by the host's CardProgram over
# AXI4-Lite, frames in, quote records out, against FastPath in fixed-instrument mode on generated
# captures with faults; random idles/back-pressure and no-stall runs; latency asserted
# (sim/tb_core.cpp, docs/latency.md).
ttq_verilator_tb(tb_core TOP ttq_core
                 RTL ttq_regs_pkg.sv ttq_regs.sv ttq_l2l4.sv ttq_quoter.sv ttq_quote_fifo.sv
                     ttq_book.sv ttq_mdp_framer.sv ttq_line_filter.sv ttq_arbiter.sv ttq_apply.sv
                     ttq_core.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_core.cpp
                 PARAMS CUT_THROUGH=1)
# The core is built with cut-through (CUT_THROUGH = 1) and runs in the mode the register MODE
# selects: commit on verdict above, cut-through here (the model's feed.commit = "cut_through"): the
# same captures and modes, faulty ones included (late failures are undone), latency asserted.
add_test(NAME sim.tb_core_ct COMMAND tb_core --cut-through)
set_tests_properties(sim.tb_core_ct PROPERTIES TIMEOUT 600)
