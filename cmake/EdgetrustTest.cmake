# edgetrust_add_test(NAME <name> SOURCES <files...> LIBS <targets...> LABELS <labels...>
#                    [FIXTURES <ctest fixtures required>])
# One GoogleTest binary per test file, registered with CTest under the given labels so that
# `ctest -L unit` runs in seconds and `ctest -L swtpm` selects the tests that need a TPM.
# Every test sees EDGETRUST_SOURCE_DIR, EDGETRUST_BINARY_DIR and EDGETRUST_MANUFACTURER_CA_DIR
# (the CA made by the `manufacturer_ca` fixture in swtpm/CMakeLists.txt).
set(EDGETRUST_TEST_MANUFACTURER_CA_DIR "${PROJECT_BINARY_DIR}/test-manufacturer-ca")

function(edgetrust_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS;FIXTURES" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${T_NAME} DISCOVERY_MODE PRE_TEST)
  # gtest_discover_tests (CMake 3.25) flattens list-valued PROPERTIES and drops empty ones, so
  # "ENVIRONMENT A=1;B=2" or an empty FIXTURES_REQUIRED would shift every later property.
  # Set the properties from a file that CTest includes after the discovered tests instead.
  set(env "EDGETRUST_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
          "EDGETRUST_BINARY_DIR=${PROJECT_BINARY_DIR}"
          "EDGETRUST_MANUFACTURER_CA_DIR=${EDGETRUST_TEST_MANUFACTURER_CA_DIR}")
  if(EDGETRUST_SANITIZE AND "softhsm" IN_LIST T_LABELS)
    # libp11's leaks (cmake/lsan.supp) are only recognised with full stack unwinding, which
    # makes every allocation slow: pay for it only where a PKCS#11 module is loaded.
    list(APPEND env "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0")
  endif()
  set(props "LABELS [==[${T_LABELS}]==] ENVIRONMENT [==[${env}]==]")
  if(T_FIXTURES)
    string(APPEND props " FIXTURES_REQUIRED [==[${T_FIXTURES}]==]")
  endif()
  set(file "${CMAKE_CURRENT_BINARY_DIR}/${T_NAME}_properties.cmake")
  file(WRITE "${file}" "if(${T_NAME}_TESTS)\n"
                       "  set_tests_properties(\${${T_NAME}_TESTS} PROPERTIES ${props})\n"
                       "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${file}")
endfunction()
