# tb_book: hw/rtl/ttq_book.sv against ttq::MbpBook, one per slot: random op streams (every action
# and type, colliding prices, clears, configures, refused ops) under random idles and
# back-pressure, no-stall latency and 1 op/cycle, directed cases from docs/book.md
# (sim/tb_book.cpp).
ttq_verilator_tb(tb_book TOP ttq_book RTL ttq_book.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_book.cpp)
