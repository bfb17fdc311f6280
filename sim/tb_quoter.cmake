# tb_quoter: hw/rtl/ttq_quoter.sv against ttq::compute_quotes (level 0) and FastPath's requote
# rule, under random input idles and output back-pressure (sim/tb_quoter.cpp).
# The testbench also reads the quoter's spread estimate register (docs/rtl_quoter.md,
# Verification): sim/rtl/tb_quoter_public.vlt makes ne_q1 readable.
ttq_verilator_tb(tb_quoter TOP ttq_quoter RTL ttq_quoter.sv ../../sim/rtl/tb_quoter_public.vlt
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_quoter.cpp)
