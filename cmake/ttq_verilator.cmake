# The card-programming code shared by the xrt and verilator backends (plain C++, always built), and
# the verilator backend: the RTL top hw/rtl/ttq_core.sv with every file hw/ttq.f lists, Verilated
# into the library ttq_vcore that ttq_core links, so make_driver("verilator") works. Built when
# Verilator is found (TTQ_WITH_VERILATOR) and ttq.f lists the top; otherwise the backend reports
# "not built". Included from the top CMakeLists.txt after ttq_core exists.

target_sources(ttq_core PRIVATE ${PROJECT_SOURCE_DIR}/drivers/card_program.cpp)
target_include_directories(ttq_core PRIVATE ${PROJECT_SOURCE_DIR}/sim)  # quoter_regs.hpp

set(TTQ_VERILATOR_BACKEND OFF)
if(TTQ_WITH_VERILATOR)
  # hw/ttq.f: one path per line relative to hw/, `//` comments; packages first (Verilator needs
  # them read first), waiver files (.vlt) passed along. Reconfigure when the list changes.
  # TTQ_VERILATOR_FILELIST names another list in the same format (e.g. RTL under review).
  set(TTQ_VERILATOR_FILELIST ${PROJECT_SOURCE_DIR}/hw/ttq.f CACHE FILEPATH
      "ordered RTL file list (paths relative to hw/) the verilator backend is built from")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${TTQ_VERILATOR_FILELIST})
  file(STRINGS ${TTQ_VERILATOR_FILELIST} _ttq_f_lines)
  set(_ttq_rtl_files)
  set(_ttq_has_top OFF)
  foreach(_l ${_ttq_f_lines})
    string(STRIP "${_l}" _l)
    if(_l STREQUAL "" OR _l MATCHES "^//")
      continue()
    endif()
    list(APPEND _ttq_rtl_files ${PROJECT_SOURCE_DIR}/hw/${_l})
    if(_l MATCHES "(^|/)ttq_core\\.sv$")
      set(_ttq_has_top ON)
    endif()
  endforeach()
  if(_ttq_has_top)
    set(TTQ_VERILATOR_BACKEND ON)
    # The Verilated model alone, with Verilator's own flags (-O2 on the hot code, no tracing, one
    # thread: --threads slows a design this small). SYSTEM: its headers are system headers for
    # ttq_core, so -Werror does not trip on them. Its class is Vttq_card, not Vttq_core, so a
    # testbench that Verilates ttq_core itself (sim/tb_core) and links ttq_core never sees two
    # different classes of one name. Built with cut-through (CUT_THROUGH = 1, the default, set
    # here explicitly: both feed.commit values must run on it): the register MODE, written by
    # CardProgram, selects the commit mode as on a card built with it.
    add_library(ttq_vcore STATIC)
    verilate(ttq_vcore SOURCES ${_ttq_rtl_files} TOP_MODULE ttq_core PREFIX Vttq_card
             VERILATOR_ARGS -O3 --x-assign fast --x-initial fast -GCUT_THROUGH=1
             OPT_FAST -O2)
    set_target_properties(ttq_vcore PROPERTIES SYSTEM ON)
    target_sources(ttq_core PRIVATE ${PROJECT_SOURCE_DIR}/drivers/verilator/verilator_driver.cpp)
    target_link_libraries(ttq_core PRIVATE ttq_vcore)
    target_compile_definitions(ttq_core PRIVATE TTQ_WITH_VERILATOR=1)
    message(STATUS "ttq: Verilator ${verilator_VERSION}: building the verilator backend "
                   "(${TTQ_VERILATOR_FILELIST}, top ttq_core)")
  else()
    message(STATUS "ttq: ${TTQ_VERILATOR_FILELIST} does not list rtl/ttq_core.sv: building "
                   "without the verilator backend")
  endif()
else()
  message(STATUS "ttq: Verilator not found: building without the verilator backend")
endif()
