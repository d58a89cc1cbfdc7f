# edgetrust_add_test(NAME <name> SOURCES <files...> LIBS <targets...> LABELS <labels...>
#                    [FIXTURES <ctest fixtures required>])
# One GoogleTest binary per test file, registered with CTest under the given labels so that
# `ctest -L unit` runs in seconds and `ctest -L swtpm` selects the tests that need a TPM.
function(edgetrust_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS;FIXTURES" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${T_NAME}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${T_LABELS}"
               FIXTURES_REQUIRED "${T_FIXTURES}"
               ENVIRONMENT "EDGETRUST_SOURCE_DIR=${PROJECT_SOURCE_DIR};EDGETRUST_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
