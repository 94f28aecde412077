# The installable package: `cmake --install <build dir> --prefix <prefix>` gives
#
#   <prefix>/bin/mpcheck                            the command line tool
#   <prefix>/lib/libmpcheck_<layer>.a               one static library per layer
#   <prefix>/include/mpcheck/mpcheck.hpp, ...       the public headers (<mpcheck/...>)
#   <prefix>/include/mpcheck/<layer>/*.hpp          the layers' headers ("model/model.hpp")
#   <prefix>/lib/cmake/mpcheck/                     mpcheckConfig.cmake and its version file
#
# so that an outside project can write
#
#   find_package(mpcheck REQUIRED)
#   target_link_libraries(my_tests PRIVATE mpcheck::mpcheck)
#
# The layers' own headers are installed one folder down (include/mpcheck/<layer>/) rather
# than directly in include/, so that generic folder names such as model/ or api/ never land
# in a shared prefix; the imported targets add include/mpcheck to the include path, so the
# repository-root spelling the headers use among themselves works unchanged.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

set(MPCHECK_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/mpcheck)

# Every layer in one target. It cannot be called `mpcheck`: that is the command line tool.
add_library(mpcheck_package INTERFACE)
add_library(mpcheck::mpcheck ALIAS mpcheck_package)
set_target_properties(mpcheck_package PROPERTIES EXPORT_NAME mpcheck)
target_link_libraries(mpcheck_package INTERFACE mpcheck::api mpcheck::traces mpcheck::properties
                                                mpcheck::explorer mpcheck::frontend mpcheck::model)
install(TARGETS mpcheck_package EXPORT mpcheckTargets)

# The public headers: the whole folder, so that headers added next to mpcheck.hpp (test
# framework adapters) are installed without a list to keep in step.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mpcheck
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")

# The command line tool, also exported (as mpcheck::cli) so that a consumer's tests can run it.
if(TARGET mpcheck)
  set_target_properties(mpcheck PROPERTIES EXPORT_NAME cli)
  install(TARGETS mpcheck EXPORT mpcheckTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT mpcheckTargets NAMESPACE mpcheck:: DESTINATION ${MPCHECK_CMAKE_INSTALL_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mpcheckConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/mpcheckConfig.cmake
                              INSTALL_DESTINATION ${MPCHECK_CMAKE_INSTALL_DIR})
# Before 1.0 a minor version may change the API, so only the same minor version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mpcheckConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mpcheckConfig.cmake
              ${PROJECT_BINARY_DIR}/mpcheckConfigVersion.cmake
        DESTINATION ${MPCHECK_CMAKE_INSTALL_DIR})
