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
# The core is built with cut-through (CUT_THROUGH = 1, the default, set explicitly: both modes
# run on it) and runs in the mode the register MODE selects: sim.tb_core above is the shipping
# mode, cut-through (the model's feed.commit = "cut_through"; late failures are undone); here
# commit on verdict (`tb_core --verdict`): the same captures and modes, faults included, latency
# asserted in both.
add_test(NAME sim.tb_core_verdict COMMAND tb_core --verdict)
set_tests_properties(sim.tb_core_verdict PROPERTIES TIMEOUT 600
                     FAIL_REGULAR_EXPRESSION "tb_core: cut-through commit")
# Each run must be in its own mode (tb_core prints it first).
set_tests_properties(sim.tb_core PROPERTIES FAIL_REGULAR_EXPRESSION "tb_core: commit on verdict")
