# Installs an mpcheck build tree into a scratch prefix and builds and tests the consumer
# project against that prefix, as an outside user would.
#
#   cmake -D BUILD_DIR=<mpcheck build> -D CONSUMER_DIR=<examples/consumer> -D WORK_DIR=<scratch>
#         [-D CONFIG=Release] [-D GENERATOR=Ninja] [-D CXX_COMPILER=g++] [-D CTEST_COMMAND=ctest]
#         [-D SANITIZE=address,undefined] [-D PUBLIC_HEADERS=<include/mpcheck>]
#         -P install_and_test_consumer.cmake
#
# SANITIZE is the build's MPCHECK_SANITIZE: libraries built with sanitizers need them at the
# consumer's link too.
cmake_minimum_required(VERSION 3.22)

foreach(required BUILD_DIR CONSUMER_DIR WORK_DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "install_and_test_consumer.cmake: -D ${required}=... is required")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()
if(NOT CTEST_COMMAND)
  set(CTEST_COMMAND ctest)
endif()

# Runs one step and stops the test with its name when it fails.
function(step name)
  message(STATUS "package test: ${name}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "package test: ${name} failed (${status})")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/build)
# A fresh prefix each time, so that nothing left by an earlier install can satisfy the consumer.
file(REMOVE_RECURSE ${WORK_DIR})

step("install into ${prefix}"
     ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --config ${CONFIG})

# What the package promises besides the imported targets.
foreach(installed bin/mpcheck include/mpcheck/mpcheck.hpp include/mpcheck/gtest.hpp
                  include/mpcheck/model/model.hpp include/mpcheck/model/op_kinds.def)
  if(NOT EXISTS ${prefix}/${installed})
    message(FATAL_ERROR "package test: ${installed} was not installed")
  endif()
endforeach()
# Every public header, including adapters added next to mpcheck.hpp.
if(PUBLIC_HEADERS)
  file(GLOB public_headers RELATIVE ${PUBLIC_HEADERS} ${PUBLIC_HEADERS}/*.hpp)
  foreach(header ${public_headers})
    if(NOT EXISTS ${prefix}/include/mpcheck/${header})
      message(FATAL_ERROR "package test: public header mpcheck/${header} was not installed")
    endif()
  endforeach()
endif()
file(GLOB_RECURSE config_files ${prefix}/*/mpcheckConfigVersion.cmake)
if(NOT config_files)
  message(FATAL_ERROR "package test: no mpcheckConfigVersion.cmake was installed")
endif()

set(generator_args)
if(GENERATOR)
  set(generator_args -G ${GENERATOR})
endif()
set(compiler_args)
if(CXX_COMPILER)
  set(compiler_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
set(sanitizer_args)
if(SANITIZE)
  set(sanitizer_args "-DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE} -fno-omit-frame-pointer"
                     "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE}")
endif()
# Only the scratch prefix is added to the search path: the consumer must find mpcheck there.
step("configure the consumer"
     ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${consumer_build} ${generator_args} ${compiler_args}
     ${sanitizer_args} -DCMAKE_BUILD_TYPE=${CONFIG} -DCMAKE_PREFIX_PATH=${prefix}
     -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
step("build the consumer" ${CMAKE_COMMAND} --build ${consumer_build} --config ${CONFIG} -j 2)
step("test the consumer"
     ${CTEST_COMMAND} --test-dir ${consumer_build} -C ${CONFIG} --output-on-failure
     --no-tests=error -j 2)
