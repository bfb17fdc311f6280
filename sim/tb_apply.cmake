# tb_apply: the card's back half (ttq_apply + ttq_book + ttq_quoter, sim/rtl/tb_apply_top.sv)
# against FastPath in fixed-instrument mode on generated captures (sim/tb_apply.cpp).
# The testbench also times a BOOK event through ttq_apply's book-op, book-result and quoter-request
# handshakes (docs/rtl_apply.md, Timing): sim/rtl/tb_apply_public.vlt makes those ports readable.
ttq_verilator_tb(tb_apply TOP tb_apply_top
                 RTL ttq_regs_pkg.sv ttq_book.sv ttq_quoter.sv ttq_apply.sv
                     ../../sim/rtl/tb_apply_top.sv ../../sim/rtl/tb_apply_public.vlt
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_apply.cpp)
