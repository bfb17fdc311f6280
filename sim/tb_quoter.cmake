# tb_quoter: hw/rtl/ttq_quoter.sv against ttq::compute_quotes (level 0) and FastPath's requote
# rule, under random input idles and output back-pressure (sim/tb_quoter.cpp).
ttq_verilator_tb(tb_quoter TOP ttq_quoter RTL ttq_quoter.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_quoter.cpp)
