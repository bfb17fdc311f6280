# `ttq run` (DPDK) and the xrt backend (XRT): each built when its package is found, so the product
# builds without either. Included from the top CMakeLists.txt after ttq_core and ttq exist.

# DPDK 22.11 through pkg-config. Its headers come in as SYSTEM includes (imported target), so
# -Werror does not trip on their -Wpedantic/-Wvolatile warnings; libdpdk.pc adds
# -include rte_config.h -march=corei7 to ttq_dpdk only.
pkg_check_modules(DPDK QUIET IMPORTED_TARGET libdpdk)
option(TTQ_WITH_DPDK "Build `ttq run` (DPDK kernel-bypass receive)" ${DPDK_FOUND})
if(TTQ_WITH_DPDK)
  if(NOT DPDK_FOUND)
    message(FATAL_ERROR "TTQ_WITH_DPDK=ON but libdpdk was not found by pkg-config")
  endif()
  file(GLOB TTQ_DPDK_SOURCES CONFIGURE_DEPENDS host/src/dpdk/*.cpp)
  add_library(ttq_dpdk STATIC ${TTQ_DPDK_SOURCES})
  target_compile_options(ttq_dpdk PRIVATE ${TTQ_WARNINGS})
  target_link_libraries(ttq_dpdk PUBLIC ttq_core PRIVATE PkgConfig::DPDK)
  target_compile_definitions(ttq PRIVATE TTQ_WITH_DPDK=1)
  target_link_libraries(ttq PRIVATE ttq_dpdk)
  message(STATUS "ttq: DPDK ${DPDK_VERSION}: building `ttq run`")
else()
  message(STATUS "ttq: DPDK not found: building without `ttq run`")
endif()

# XRT (Debian's libxrt-dev 2.13): no CMake config and a broken xrt.pc, so found by hand;
# linking xrt_coreutil is enough (it loads libxrt_core at run time when a card is opened).
find_path(XRT_INCLUDE_DIR xrt/xrt_device.h PATH_SUFFIXES xrt)
find_library(XRT_COREUTIL_LIB xrt_coreutil)
find_library(TTQ_UUID_LIB uuid)  # xrt::uuid's inline code calls libuuid
set(_ttq_xrt_found OFF)
if(XRT_INCLUDE_DIR AND XRT_COREUTIL_LIB AND TTQ_UUID_LIB)
  set(_ttq_xrt_found ON)
endif()
option(TTQ_WITH_XRT "Build the xrt backend (a real card through XRT)" ${_ttq_xrt_found})
if(TTQ_WITH_XRT)
  if(NOT _ttq_xrt_found)
    message(FATAL_ERROR "TTQ_WITH_XRT=ON but XRT headers (xrt/xrt_device.h) or xrt_coreutil "
                        "were not found")
  endif()
  file(GLOB TTQ_XRT_SOURCES CONFIGURE_DEPENDS drivers/xrt/*.cpp)
  target_sources(ttq_core PRIVATE ${TTQ_XRT_SOURCES})
  target_include_directories(ttq_core SYSTEM PRIVATE ${XRT_INCLUDE_DIR})
  target_include_directories(ttq_core PRIVATE ${PROJECT_SOURCE_DIR}/sim)  # quoter_regs.hpp
  target_compile_definitions(ttq_core PRIVATE TTQ_WITH_XRT=1)
  target_link_libraries(ttq_core PUBLIC ${XRT_COREUTIL_LIB} ${TTQ_UUID_LIB})
  message(STATUS "ttq: XRT found (${XRT_INCLUDE_DIR}): building the xrt backend")
else()
  message(STATUS "ttq: XRT not found: building without the xrt backend")
endif()

# The DPDK receive benchmark (bench/bench_dpdk.cpp): run by hand, figures in docs/performance.md.
if(TTQ_WITH_DPDK AND TTQ_BUILD_BENCH)
  add_executable(ttq_bench_dpdk bench/bench_dpdk.cpp)
  target_compile_options(ttq_bench_dpdk PRIVATE ${TTQ_WARNINGS})
  target_link_libraries(ttq_bench_dpdk PRIVATE ttq_core PkgConfig::DPDK)
endif()
