# ttq_regs (AXI4-Lite register block) against the register map in card_regs.hpp. The check that
# the generated map files are fresh (regs.gen_check) lives in tests/ so it runs without Verilator.
ttq_verilator_tb(tb_regs TOP ttq_regs RTL ttq_regs_pkg.sv ttq_regs.sv
                 TB ${CMAKE_CURRENT_LIST_DIR}/tb_regs.cpp)
set_tests_properties(sim.tb_regs PROPERTIES TIMEOUT 60)

# The same bench on a build with every card parameter away from its default (small N_INSTR for a
# short reset sweep, a DEPTH that clamps the DEPTH reset, N_LINES not a power of two, N_CH at its
# maximum): catches a block that uses a package default where it should use its parameter. The
# -G values and the TB_* definitions must agree.
set(TB_REGS_PARAMS N_INSTR=5 DEPTH=7 DATA_W=512 N_LINES=3 N_CH=256 CUT_THROUGH=0)
set(tb_regs_g "")
set(tb_regs_d TB_PARAMS)
foreach(p ${TB_REGS_PARAMS})
  list(APPEND tb_regs_g -G${p})
  list(APPEND tb_regs_d TB_${p})
endforeach()
add_executable(tb_regs_params ${CMAKE_CURRENT_LIST_DIR}/tb_regs.cpp)
target_include_directories(tb_regs_params PRIVATE ${PROJECT_SOURCE_DIR}/sim)
target_link_libraries(tb_regs_params PRIVATE ttq_core)
target_compile_definitions(tb_regs_params PRIVATE ${tb_regs_d})
verilate(tb_regs_params
         SOURCES ${TTQ_RTL_DIR}/ttq_pkg.sv ${TTQ_RTL_DIR}/ttq_regs_pkg.sv ${TTQ_RTL_DIR}/ttq_regs.sv
         TOP_MODULE ttq_regs PREFIX Vttq_regs
         VERILATOR_ARGS -O3 --x-assign fast --x-initial fast -Wall --assert -I${TTQ_RTL_DIR}
                        ${PROJECT_SOURCE_DIR}/hw/lint/waivers.vlt ${tb_regs_g})
add_test(NAME sim.tb_regs_params COMMAND tb_regs_params)
set_tests_properties(sim.tb_regs_params PROPERTIES TIMEOUT 60)
