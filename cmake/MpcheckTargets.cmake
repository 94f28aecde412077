# Helpers that give every mpcheck target the same flags.
#
#   mpcheck_library(<name> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
#       defines the static library mpcheck_<name> (mpcheck::<name>); includes are relative
#       to the repository root ("model/state.hpp"). It is also installed and exported: the
#       library, and the folder's headers under include/mpcheck/<folder>/ (MpcheckPackage).
#   mpcheck_executable(<target> SOURCES ... [DEPS ...])
#   mpcheck_gtest(<target> SOURCES ... [DEPS ...] [LABELS ...])
#       a GoogleTest executable registered with ctest (one ctest per test case).

include(CMakeParseArguments)
include(GNUInstallDirs)

# Profile-guided optimization (GCC): MPCHECK_PROFILE=generate builds targets that write their
# run-time profile to MPCHECK_PROFILE_DIR; MPCHECK_PROFILE=use optimizes with the profile found
# there. The two builds may live in different build directories: file names in the profile are
# relative to the build directory (-fprofile-prefix-path). Functions the training did not run,
# and sources changed since it ran, are optimized as without a profile, silently.
function(mpcheck_apply_profile_flags target)
  if(NOT MPCHECK_PROFILE)
    return()
  endif()
  set(common -fprofile-prefix-path=${PROJECT_BINARY_DIR})
  if(MPCHECK_PROFILE STREQUAL "generate")
    target_compile_options(${target} PRIVATE -fprofile-generate=${MPCHECK_PROFILE_DIR} ${common})
    target_link_options(${target} PRIVATE -fprofile-generate=${MPCHECK_PROFILE_DIR})
  else()
    target_compile_options(${target} PRIVATE -fprofile-use=${MPCHECK_PROFILE_DIR} ${common}
                                             -fprofile-partial-training -Wno-missing-profile
                                             -Wno-coverage-mismatch)
  endif()
endfunction()

function(mpcheck_apply_flags target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                             -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast)
    if(MPCHECK_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    target_compile_definitions(${target} PRIVATE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
    mpcheck_apply_profile_flags(${target})
    if(MPCHECK_SANITIZE)
      target_compile_options(${target} PRIVATE -fsanitize=${MPCHECK_SANITIZE} -fno-omit-frame-pointer
                                               -fno-sanitize-recover=all)
      target_link_options(${target} PRIVATE -fsanitize=${MPCHECK_SANITIZE})
    endif()
  endif()
endfunction()

function(mpcheck_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(mpcheck_${name} STATIC ${ARG_SOURCES})
  add_library(mpcheck::${name} ALIAS mpcheck_${name})
  # "model/state.hpp" resolves against the repository root, <mpcheck/mpcheck.hpp> against
  # include/. Installed, the folders sit under include/mpcheck/, so both spellings keep working.
  target_include_directories(
    mpcheck_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/mpcheck>)
  target_link_libraries(mpcheck_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  # Exported as mpcheck::<name>, the same name the build tree uses.
  set_target_properties(mpcheck_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME ${name})
  mpcheck_apply_flags(mpcheck_${name})
  if(CMAKE_INTERPROCEDURAL_OPTIMIZATION AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Machine code beside the intermediate code, so that a project linking the installed
    # archives needs neither link-time optimization nor this very compiler version.
    target_compile_options(mpcheck_${name} PRIVATE -ffat-lto-objects)
  endif()
  mpcheck_install_library(${name})
endfunction()

# Install rules of one library: the archive into the export set, its folder's headers (and
# the .def tables they include) under include/mpcheck/<folder>/.
function(mpcheck_install_library name)
  install(TARGETS mpcheck_${name} EXPORT mpcheckTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  file(RELATIVE_PATH folder ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mpcheck/${folder}
          FILES_MATCHING PATTERN "*.hpp" PATTERN "*.def")
endfunction()

function(mpcheck_executable target)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  mpcheck_apply_flags(${target})
endfunction()

function(mpcheck_gtest target)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  mpcheck_apply_flags(${target})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${target} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
